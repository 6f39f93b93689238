import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseChangeList, updateAdvisories } from '../../src/advisories/update.js';
import { openAdvisoryStore } from '../../src/advisories/store/sqlite-store.js';
import { fixedClock } from '../../src/core/clock.js';
import { AdvisoryStoreError } from '../../src/core/errors.js';
import { repoRoot, shared } from '../helpers/shared-data.js';
import { LayoutMirror, type PlainRecord } from './layout-mirror.js';

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}

/** The real PyPA records of the shared data (2,662), read plainly. */
function pysecRecords(): PlainRecord[] {
  const records: PlainRecord[] = [];
  for (const file of walk(shared('osv', 'pypi-pysec', 'vulns'))) {
    if (file.endsWith('.yaml')) records.push(parseYaml(readFileSync(file, 'utf8')) as PlainRecord);
  }
  return records;
}

let dir: string;
let records: PlainRecord[];
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-incremental-'));
  records = pysecRecords();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const clock = fixedClock('2024-11-01T00:00:00Z');

/** The store's records of one id, and the count of all. */
async function storedSummary(storePath: string, id: string): Promise<{ records: number; summary: string | undefined }> {
  const store = openAdvisoryStore(storePath, { clock });
  try {
    const [record] = await store.recordsByAlias([id]);
    return { records: (await store.status()).records, summary: record?.summary };
  } finally {
    store.close();
  }
}

describe('db update against a mirror in OSV layout', () => {
  it('first everything, then nothing but the change list, then exactly the changed records', async () => {
    const mirror = new LayoutMirror();
    mirror.set('PyPI', records);
    await mirror.start();
    const storePath = path.join(dir, 'incremental.db');
    try {
      const first = await updateAdvisories({ storePath, mirror: mirror.url, ecosystems: ['PyPI'], clock });
      expect(first.ecosystems).toMatchObject([{ ecosystem: 'PyPI', mode: 'full', records: records.length }]);
      expect(mirror.requests).toEqual(['/PyPI/all.zip']);

      // Nothing changed: the list alone is asked for, conditionally, and answered 304.
      mirror.requests.length = 0;
      const started = performance.now();
      const second = await updateAdvisories({ storePath, mirror: mirror.url, ecosystems: ['PyPI'], clock });
      expect(performance.now() - started).toBeLessThan(1500);
      expect(mirror.requests).toEqual(['/PyPI/modified_id.csv']);
      expect(second.ecosystems).toMatchObject([{ ecosystem: 'PyPI', mode: 'unchanged', records: 0 }]);

      // Ten records change upstream (newer modified time, new summary): those ten are fetched.
      const changed = records.slice(100, 110).map((record) => ({ ...record, modified: '2024-10-20T00:00:00Z', summary: `changed ${record.id}` }));
      mirror.set('PyPI', changed);
      mirror.requests.length = 0;
      const third = await updateAdvisories({ storePath, mirror: mirror.url, ecosystems: ['PyPI'], clock });
      expect(third.ecosystems).toMatchObject([{ ecosystem: 'PyPI', mode: 'incremental', records: 10 }]);
      expect(mirror.requests[0]).toBe('/PyPI/modified_id.csv');
      expect(mirror.requests.slice(1).sort()).toEqual(changed.map((record) => `/PyPI/${record.id}.json`).sort());
      const id = changed[3]?.id ?? '';
      expect(await storedSummary(storePath, id)).toEqual({ records: records.length, summary: `changed ${id}` });

      // A mirror without validators: the list is read whole, and nothing is newer than the store.
      mirror.etags = false;
      mirror.requests.length = 0;
      const fourth = await updateAdvisories({ storePath, mirror: mirror.url, ecosystems: ['PyPI'], clock });
      expect(fourth.ecosystems).toMatchObject([{ mode: 'unchanged', records: 0 }]);
      expect(mirror.requests).toEqual(['/PyPI/modified_id.csv']);

      const store = openAdvisoryStore(storePath, { clock });
      try {
        const pypi = (await store.status()).ecosystems.find((entry) => entry.ecosystem === 'PyPI');
        expect(pypi).toMatchObject({ records: records.length, source: `${mirror.url}/PyPI/all.zip`, newestModified: '2024-10-20T00:00:00.000Z' });
      } finally {
        store.close();
      }
    } finally {
      await mirror.close();
    }
  });

  it('a mirror that dies while a changed record is fetched leaves the old store intact', async () => {
    const mirror = new LayoutMirror();
    mirror.set('PyPI', records.slice(0, 200));
    await mirror.start();
    const storePath = path.join(dir, 'dies.db');
    try {
      await updateAdvisories({ storePath, mirror: mirror.url, ecosystems: ['PyPI'], clock });
      const before = readFileSync(storePath);
      const victim = { ...(records[5] as PlainRecord), modified: '2024-10-21T00:00:00Z', summary: 'never stored' };
      mirror.set('PyPI', [victim]);
      mirror.dieOn = `/PyPI/${victim.id}.json`;
      const update = updateAdvisories({ storePath, mirror: mirror.url, ecosystems: ['PyPI'], clock });
      await expect(update).rejects.toBeInstanceOf(AdvisoryStoreError);
      await expect(update).rejects.toThrow(new RegExp(`/PyPI/${victim.id}\\.json: download (interrupted|truncated)`));
      expect(readFileSync(storePath).equals(before)).toBe(true);
      expect((await storedSummary(storePath, victim.id)).summary).not.toBe('never stored');
    } finally {
      await mirror.close();
    }
  });

  it.each([
    { name: 'too many changed records', change: 12, maxIncrementalRecords: 5, lists: true },
    { name: 'no change list', change: 1, maxIncrementalRecords: undefined, lists: false },
  ])('$name: the whole dump instead', async ({ change, maxIncrementalRecords, lists }) => {
    const mirror = new LayoutMirror();
    const some = records.slice(0, 300);
    mirror.set('PyPI', some);
    await mirror.start();
    const storePath = path.join(dir, `fallback-${change}.db`);
    try {
      await updateAdvisories({ storePath, mirror: mirror.url, ecosystems: ['PyPI'], clock });
      mirror.set('PyPI', some.slice(0, change).map((record) => ({ ...record, modified: '2024-10-22T00:00:00Z', summary: 'changed' })));
      mirror.lists = lists;
      mirror.requests.length = 0;
      const result = await updateAdvisories({
        storePath,
        mirror: mirror.url,
        ecosystems: ['PyPI'],
        clock,
        ...(maxIncrementalRecords === undefined ? {} : { maxIncrementalRecords }),
      });
      expect(result.ecosystems).toMatchObject([{ mode: 'full', records: 300 }]);
      expect(mirror.requests).toEqual(['/PyPI/modified_id.csv', '/PyPI/all.zip']);
      expect((await storedSummary(storePath, some[0]?.id ?? '')).summary).toBe('changed');
    } finally {
      await mirror.close();
    }
  });

  it('Debian:12 and Debian:11 are fetched once, from the Debian folder', async () => {
    const mirror = new LayoutMirror();
    const record = { id: 'DSA-0000-1', modified: '2024-10-01T00:00:00Z', affected: [{ package: { ecosystem: 'Debian:12', name: 'demo' }, versions: ['1.0-1'] }] };
    mirror.set('Debian', [record]);
    await mirror.start();
    try {
      const result = await updateAdvisories({ storePath: path.join(dir, 'debian.db'), mirror: mirror.url, ecosystems: ['Debian:12', 'Debian:11'], clock });
      expect(mirror.requests).toEqual(['/Debian/all.zip']);
      expect(result.ecosystems).toMatchObject([{ ecosystem: 'Debian', mode: 'full', records: 1 }]);
    } finally {
      await mirror.close();
    }
  });
});

it('a writer killed in the middle of an in-place update: the next reader gets the old store back', async () => {
  const mirror = new LayoutMirror();
  mirror.set('PyPI', records.slice(0, 50));
  await mirror.start();
  const storePath = path.join(dir, 'killed.db');
  try {
    await updateAdvisories({ storePath, mirror: mirror.url, ecosystems: ['PyPI'], clock });
  } finally {
    await mirror.close();
  }
  const id = records[0]?.id ?? '';
  const before = await storedSummary(storePath, id);
  // What an in-place writer leaves when SIGKILLed mid-transaction: changed pages and a hot journal.
  const child = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.pragma('cache_size = 1');
    db.exec('BEGIN IMMEDIATE');
    db.prepare("UPDATE bodies SET body = '{}'").run();
    db.prepare('DELETE FROM records').run();
    process.kill(process.pid, 'SIGKILL');`;
  const run = spawnSync(process.execPath, ['-e', child, storePath], { cwd: repoRoot });
  expect(run.signal).toBe('SIGKILL');
  expect(existsSync(`${storePath}-journal`)).toBe(true);
  expect(await storedSummary(storePath, id)).toEqual(before);
  expect(existsSync(`${storePath}-journal`)).toBe(false);
});

describe('parseChangeList', () => {
  it.each([
    {
      name: 'the documented example rows',
      text: '2024-08-15T00:05:00Z,PYSEC-2021-123\n2024-08-15T00:01:00Z,GO-2022-0123\n',
      want: [
        { modified: '2024-08-15T00:05:00.000Z', id: 'PYSEC-2021-123' },
        { modified: '2024-08-15T00:01:00.000Z', id: 'GO-2022-0123' },
      ],
    },
    { name: 'CRLF line ends', text: '2024-08-15T00:05:00Z,A-1\r\n', want: [{ modified: '2024-08-15T00:05:00.000Z', id: 'A-1' }] },
    { name: 'a header line', text: 'modified,id\n2024-08-15T00:05:00Z,A-1\n', want: undefined },
    { name: 'the top-level form (ecosystem/id)', text: '2024-08-15T00:05:00Z,PyPI/A-1\n', want: undefined },
    { name: 'no comma', text: '2024-08-15T00:05:00Z A-1\n', want: undefined },
  ])('$name', ({ text, want }) => {
    expect(parseChangeList(text)).toEqual(want);
  });
});
