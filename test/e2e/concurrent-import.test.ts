import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAdvisoryStore } from '../../src/advisories/store/sqlite-store.js';
import { writeRecordSet } from '../helpers/osv-records.js';
import { hasStackTrace, runCli, type CliRun } from './run-cli.js';

// Several `vigil db import` into one store at once. Each writer copies the store, writes the copy
// and renames it over the store; without a lock the last rename silently dropped the records of
// the others, which had all reported success.

const SETS = ['a', 'b', 'c'] as const;
const RECORDS_PER_SET = 600;
const TRIALS = 3;

let work: string;
const setDirs = new Map<string, string>();
const setIds = new Map<string, readonly string[]>();

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'vigil-concurrent-'));
  for (const set of SETS) {
    const dir = path.join(work, `set-${set}`);
    setIds.set(set, writeRecordSet(dir, set, RECORDS_PER_SET));
    setDirs.set(set, dir);
  }
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

interface Case {
  readonly name: string;
  readonly flags: readonly string[];
  /** Whether every import must succeed (they wait for each other) or losers may exit 3. */
  readonly allSucceed: boolean;
}

const cases: Case[] = [
  { name: 'writers wait for each other (default --lock-timeout)', flags: [], allSucceed: true },
  { name: 'writers that do not wait (--lock-timeout 0)', flags: ['--lock-timeout', '0'], allSucceed: false },
];

describe('concurrent db import into one store', () => {
  it.each(cases)('$name: nothing reported as imported is missing', async ({ flags, allSucceed }) => {
    for (let trial = 1; trial <= TRIALS; trial++) {
      const storeDir = path.join(work, `${flags.length}-trial-${trial}`);
      const store = path.join(storeDir, 'advisories.db');
      const runs: CliRun[] = await Promise.all(
        SETS.map((set) => runCli(['db', 'import', '--db', store, ...flags, setDirs.get(set) ?? ''])),
      );
      const reader = openAdvisoryStore(store);
      try {
        let succeeded = 0;
        for (const [index, run] of runs.entries()) {
          const set = SETS[index] ?? '';
          const ids = setIds.get(set) ?? [];
          const found = (await reader.recordsByAlias(ids)).map((record) => record.id);
          expect(hasStackTrace(run.stderr), run.stderr).toBe(false);
          if (run.code === 0) {
            succeeded++;
            expect(run.stdout).toMatch(new RegExp(`^imported ${RECORDS_PER_SET} records `));
            expect(found, `trial ${trial}: set ${set} reported imported but missing`).toHaveLength(ids.length);
          } else {
            expect(allSucceed, `trial ${trial}: set ${set} exited ${String(run.code)}: ${run.stderr}`).toBe(false);
            expect(run.code).toBe(3);
            expect(run.stdout).toBe('');
            expect(run.stderr).toMatch(new RegExp(`^vigil: ${store}: another (vigil process \\(pid \\d+ on .+\\)|process) is writing the advisory store; gave up waiting after 0s\\n  hint: .*delete ${store}\\.lock\\n$`));
            expect(found, `trial ${trial}: set ${set} failed but was partly stored`).toEqual([]);
          }
        }
        expect(succeeded).toBeGreaterThanOrEqual(1);
        expect((await reader.status()).records).toBe(succeeded * RECORDS_PER_SET);
      } finally {
        reader.close();
      }
      // No lock, temporary copy or journal is left behind.
      expect(readdirSync(storeDir)).toEqual(['advisories.db']);
    }
  }, 240_000);
});
