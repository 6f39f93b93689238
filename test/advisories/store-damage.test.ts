import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAdvisories } from '../../src/advisories/import.js';
import { openAdvisoryStore } from '../../src/advisories/store/sqlite-store.js';
import type { AdvisoryStore } from '../../src/advisories/types.js';
import { fixedClock } from '../../src/core/clock.js';
import { AdvisoryStoreError } from '../../src/core/errors.js';
import { writeRecordSet } from '../helpers/osv-records.js';
import { overwritePage, rootPageOf } from '../helpers/damaged-store.js';

// A damaged store is the store's error (exit 3), never a bug (exit 70): each read maps what it
// meets, and the whole-file check names the store.

const clock = fixedClock('2024-05-01T12:00:00Z');
let dir: string;
let healthy: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-damage-'));
  healthy = path.join(dir, 'healthy.db');
  const records = path.join(dir, 'records');
  writeRecordSet(records, 'damage', 800);
  await importAdvisories({ storePath: healthy, inputs: [records], clock });
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let copies = 0;
function copyOf(change: (file: string) => void): string {
  const file = path.join(dir, `copy-${++copies}.db`);
  copyFileSync(healthy, file);
  change(file);
  return file;
}



interface Case {
  name: string;
  damage: (file: string) => void;
  read: (store: AdvisoryStore) => Promise<unknown>;
}

const cases: Case[] = [
  {
    name: 'a record body that is no longer JSON',
    damage: (file) => {
      const db = new Database(file);
      db.prepare("UPDATE bodies SET body = substr(body, 1, 20) WHERE id = 'VIGIL-TEST-DAMAGE-0001'").run();
      db.close();
    },
    read: (store) => store.advisoriesFor('PyPI', ['vigil-test-damage-1']),
  },
  { name: 'garbage over the package index', damage: (file) => { overwritePage(file, rootPageOf(file, 'affected')); }, read: (store) => store.advisoriesFor('PyPI', ['vigil-test-damage-1']) },
  { name: 'garbage over the alias index', damage: (file) => { overwritePage(file, rootPageOf(file, 'aliases_by_alias')); }, read: (store) => store.recordsByAlias(['CVE-0000-0001']) },
  { name: 'garbage over the first-seen table', damage: (file) => { overwritePage(file, rootPageOf(file, 'first_seen')); }, read: (store) => store.firstSeen(['VIGIL-TEST-DAMAGE-0001']) },
];

describe('reads of a damaged store', () => {
  it.each(cases)('$name: AdvisoryStoreError naming the store', async ({ damage, read }) => {
    const file = copyOf(damage);
    const store = openAdvisoryStore(file);
    try {
      const error = await read(store).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(AdvisoryStoreError);
      expect((error as AdvisoryStoreError).message).toMatch(new RegExp(`^${file}: advisory store is damaged: `));
      expect((error as AdvisoryStoreError).hint).toMatch(/delete it/);
    } finally {
      store.close();
    }
  });

  it('the whole-file check finds garbage the reads never meet', () => {
    const db = new Database(healthy, { readonly: true });
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.close();
    const file = copyOf((target) => { overwritePage(target, Math.floor(pages / 2)); });
    expect(() => openAdvisoryStore(file, { checkIntegrity: true })).toThrow(new RegExp(`^${file}: advisory store is damaged: `));
    openAdvisoryStore(healthy, { checkIntegrity: true }).close();
  });
});
