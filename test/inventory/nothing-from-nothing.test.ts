// No inventory from nothing: an empty file, or a lockfile without the part its tool always
// writes, is an input error naming the file; a complete file that lists no dependency is an
// empty lock (0 packages) and is said so.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LockfileParseError } from '../../src/core/errors.js';
import { buildInventory } from '../../src/inventory/build-inventory.js';
import { runCli } from '../e2e/run-cli.js';
import { importInto } from '../helpers/audit-requirements.js';
import { repoRoot } from '../helpers/shared-data.js';

function project(fileName: string, text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-nothing-'));
  writeFileSync(path.join(dir, fileName), text);
  return dir;
}

async function inventoryError(fileName: string, text: string): Promise<LockfileParseError> {
  const dir = project(fileName, text);
  const error = await buildInventory({ paths: [dir], root: dir }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LockfileParseError);
  return error as LockfileParseError;
}

const EMPTY_FILE_NAMES = ['poetry.lock', 'uv.lock', 'Pipfile.lock', 'pdm.lock', 'pylock.toml', 'yarn.lock', 'pnpm-lock.yaml', 'requirements.txt', 'package-lock.json', 'bom.json', 'app.spdx.json'];

describe('no inventory from nothing', () => {
  it.each(EMPTY_FILE_NAMES.flatMap((name) => [{ name, text: '' }, { name, text: '\n  \n' }]))('an empty $name (%#) is an input error naming it', async ({ name, text }) => {
    const error = await inventoryError(name, text);
    expect(error.location?.file).toBe(name);
    expect(error.message).toBe('the file is empty');
  });

  it.each([
    { name: 'poetry.lock', text: '[[package]]\nname = "six"\nversion = "1.16.0"\n', want: /no \[metadata\] table/ },
    { name: 'pdm.lock', text: '[[package]]\nname = "six"\nversion = "1.16.0"\n', want: /no \[metadata\] table/ },
    { name: 'uv.lock', text: '[[package]]\nname = "six"\nversion = "1.16.0"\n', want: /no version/ },
    { name: 'uv.lock', text: 'version = 1\nrequires-python = ">=3.9"\n', want: /no \[\[package\]\] entry/ },
    { name: 'pylock.toml', text: '[[packages]]\nname = "six"\nversion = "1.16.0"\n', want: /no lock-version/ },
    { name: 'Pipfile.lock', text: '{"default": {"six": {"version": "==1.16.0"}}}', want: /no "_meta" object/ },
    { name: 'package-lock.json', text: '{"name": "app", "lockfileVersion": 3}', want: /no "packages" section/ },
    { name: 'pnpm-lock.yaml', text: '# nothing but a comment\n', want: /no lockfileVersion/ },
    { name: 'sbom.json', text: 'this is not JSON {', want: /invalid JSON/ },
  ])('$name without the part its tool always writes is an input error ($want)', async ({ name, text, want }) => {
    const error = await inventoryError(name, text);
    expect(error.message).toMatch(want);
    expect(error.location?.file).toBe(name);
  });

  it.each([
    { name: 'package-lock.json', text: JSON.stringify({ name: 'app', lockfileVersion: 3, packages: { '': { name: 'app' } } }) },
    { name: 'poetry.lock', text: '[metadata]\nlock-version = "2.0"\npython-versions = "^3.11"\ncontent-hash = "0"\n' },
    { name: 'requirements.txt', text: '# no third-party dependencies\n' },
  ])('a complete $name that locks nothing is an empty lock, and the log says so', async ({ name, text }) => {
    const dir = project(name, text);
    const inventory = await buildInventory({ paths: [dir], root: dir });
    expect(inventory.packages).toEqual([]);
    expect(inventory.sources).toEqual([expect.objectContaining({ path: name, packages: 0, skipped: 0 })]);
    const store = path.join(mkdtempSync(path.join(os.tmpdir(), 'vigil-nothing-db-')), 'advisories.db');
    await importInto(store, path.join(repoRoot, 'test', 'data', 'osv', 'pypi-legacy-versions'));
    const run = await runCli(['audit', '--offline', '--db', store, name], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`read ${name} (`);
    expect(run.stderr).toContain('(an empty lock: it lists no dependencies)');
  });
});
