import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { shared } from '../helpers/shared-data.js';
import { runCli } from './run-cli.js';

/**
 * A work folder with an advisory store of the shared PyPA records and GHSA subset, imported by the
 * built CLI once for the test file and removed after it. Read `work` and `store` inside tests.
 */
export function sharedAdvisoryStore(prefix: string): { readonly work: string; readonly store: string } {
  const state = { work: '', store: '' };
  beforeAll(async () => {
    state.work = mkdtempSync(path.join(os.tmpdir(), prefix));
    state.store = path.join(state.work, 'advisories.db');
    const imported = await runCli(['db', 'import', '--db', state.store, shared('osv', 'pypi-pysec', 'vulns'), shared('osv', 'ghsa-subset', 'advisories')]);
    expect(imported.code, imported.stderr).toBe(0);
  }, 120_000);
  afterAll(() => {
    rmSync(state.work, { recursive: true, force: true });
  });
  return {
    get work() {
      return state.work;
    },
    get store() {
      return state.store;
    },
  };
}
