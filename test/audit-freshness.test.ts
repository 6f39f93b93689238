import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAdvisories } from '../src/advisories/import.js';
import { openAdvisoryStore } from '../src/advisories/store/sqlite-store.js';
import { audit, CLOCK_SKEW_MS, type AuditResult } from '../src/audit.js';
import { fixedClock, type Clock } from '../src/core/clock.js';
import { AdvisoryStoreError } from '../src/core/errors.js';
import { fixture, shared } from './helpers/shared-data.js';

// max_db_age is measured from the data's own date (the newest `modified` of the audited
// ecosystem's records), not from when it was imported; timestamps in the future are errors; a
// record is withdrawn only once its `withdrawn` time has come.

const DAY = 86_400_000;
/** requests==2.30.0, inside PYSEC-2023-74's [2.3.0, 2.31.0). */
const project = fixture('e2e', 'requirements-vulnerable');
/** Newest `modified` of the real PyPA records for requests (PYSEC-2023-74). */
const SNAPSHOT_DATE = '2023-06-05T01:13:00.534Z';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-freshness-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let stores = 0;
/** Imports the real PyPA records for requests, after `mutate` changed the folder's copy. */
async function storeOf(importedAt: string, mutate: (folder: string) => void = () => undefined): Promise<string> {
  const folder = path.join(dir, `requests-${++stores}`);
  cpSync(shared('osv', 'pypi-pysec', 'vulns', 'requests'), folder, { recursive: true });
  mutate(folder);
  const storePath = path.join(dir, `store-${stores}.db`);
  const result = await importAdvisories({ storePath, inputs: [folder], clock: fixedClock(importedAt) });
  expect(result.rejected).toEqual([]);
  return storePath;
}

function editRecord(folder: string, file: string, edit: (text: string) => string): void {
  const target = path.join(folder, file);
  const text = readFileSync(target, 'utf8');
  const changed = edit(text);
  expect(changed).not.toBe(text);
  writeFileSync(target, changed);
}

function auditAt(storePath: string, at: string, maxDbAgeMs = 7 * DAY): Promise<AuditResult> {
  const clock: Clock = fixedClock(at);
  return audit({ paths: [project], root: project, clock, maxDbAgeMs, openStore: () => Promise.resolve(openAdvisoryStore(storePath, { clock })) });
}

async function auditError(promise: Promise<unknown>): Promise<AdvisoryStoreError> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AdvisoryStoreError);
  const storeError = error as AdvisoryStoreError;
  expect(storeError.code).toBe('advisory-data');
  expect(storeError.message).not.toContain('\n');
  return storeError;
}

describe('the age of the data', () => {
  it('is stored per ecosystem beside the import time', async () => {
    const storePath = await storeOf('2026-12-01T00:00:00Z');
    const store = openAdvisoryStore(storePath);
    try {
      const status = await store.status();
      expect(status.ecosystems).toEqual([
        // An import is the store's last look at its data: checked when imported.
        { ecosystem: 'PyPI', records: 5, newestModified: SNAPSHOT_DATE, updatedAt: '2026-12-01T00:00:00.000Z', checkedAt: '2026-12-01T00:00:00.000Z', source: expect.any(String) as string },
      ]);
      expect(status.newestModified).toBe(SNAPSHOT_DATE);
    } finally {
      store.close();
    }
  });

  it('of an old snapshot imported today fails max_db_age, naming the data date', async () => {
    const storePath = await storeOf('2026-12-01T00:00:00Z');
    const error = await auditError(auditAt(storePath, '2026-12-01T00:05:00Z'));
    expect(error.message).toBe(
      'PyPI advisory data is 1274d 22h old (newest record modified 2023-06-05T01:13:00.534Z, imported 2026-12-01T00:00:00.000Z), older than the allowed 7d',
    );
    expect(error.hint).toMatch(/--max-db-age/);
  });

  it('within max_db_age of the newest record passes, however late it was imported', async () => {
    const storePath = await storeOf('2023-06-11T00:00:00Z');
    const result = await auditAt(storePath, '2023-06-11T00:00:00Z');
    expect(result.findings.map((finding) => finding.records).flat()).toContain('PYSEC-2023-74');
  });

  it('counts withdrawn records too (they are part of what the source published)', async () => {
    const storePath = await storeOf('2026-12-01T00:00:00Z', (folder) => {
      editRecord(folder, 'PYSEC-2014-13.yaml', (text) =>
        text.replace('modified: "2021-07-05T00:01:25.632991Z"', 'modified: "2026-11-30T00:00:00Z"\nwithdrawn: "2026-11-30T00:00:00Z"'),
      );
    });
    const result = await auditAt(storePath, '2026-12-01T00:00:00Z');
    expect(result.database.ecosystems[0]?.newestModified).toBe('2026-11-30T00:00:00.000Z');
  });
});

describe('a store timestamp in the future', () => {
  it('import time beyond the clock skew fails with exit 3', async () => {
    const storePath = await storeOf('2027-01-01T00:00:00Z');
    const error = await auditError(auditAt(storePath, '2026-12-01T00:00:00Z', 10_000 * DAY));
    expect(error.message).toMatch(/: its PyPI data was imported at 2027-01-01T00:00:00\.000Z, 31d in the future$/);
    expect(error.hint).toMatch(/^check this machine's clock \(now 2026-12-01T00:00:00\.000Z\)/);
  });

  it('newest modified beyond the clock skew fails with exit 3', async () => {
    const storePath = await storeOf('2026-12-01T00:00:00Z', (folder) => {
      editRecord(folder, 'PYSEC-2023-74.yaml', (text) => text.replace('modified: "2023-06-05T01:13:00.534973Z"', 'modified: "2099-01-01T00:00:00Z"'));
    });
    const error = await auditError(auditAt(storePath, '2026-12-01T00:00:00Z'));
    expect(error.message).toMatch(/: its newest PyPI record was modified at 2099-01-01T00:00:00\.000Z, \d+d( \d+h)? in the future$/);
  });

  it('within the clock skew is accepted', async () => {
    const storePath = await storeOf('2026-12-01T00:30:00Z', (folder) => {
      editRecord(folder, 'PYSEC-2023-74.yaml', (text) => text.replace('modified: "2023-06-05T01:13:00.534973Z"', 'modified: "2026-12-01T00:50:00Z"'));
    });
    expect(CLOCK_SKEW_MS).toBe(3_600_000);
    const result = await auditAt(storePath, '2026-12-01T00:00:00Z');
    expect(result.findings.length).toBeGreaterThan(0);
  });
});

describe('withdrawn', () => {
  const AUDIT_AT = '2026-12-01T00:00:00Z';
  const withdrawnAt = (when: string) => (folder: string): void => {
    editRecord(folder, 'PYSEC-2023-74.yaml', (text) => text.replace('published: "2023-05-26T18:15:00Z"', `published: "2023-05-26T18:15:00Z"\nwithdrawn: "${when}"`));
  };
  const matched = async (storePath: string): Promise<string[]> =>
    (await auditAt(storePath, AUDIT_AT, 10_000 * DAY)).findings.flatMap((finding) => finding.records);

  it('in the future does not hide the record', async () => {
    const storePath = await storeOf(AUDIT_AT, withdrawnAt('2027-01-01T00:00:00Z'));
    expect(await matched(storePath)).toContain('PYSEC-2023-74');
    const store = openAdvisoryStore(storePath, { clock: fixedClock(AUDIT_AT) });
    try {
      expect((await store.recordsByAlias(['CVE-2023-32681'])).map((record) => record.id)).toEqual(['PYSEC-2023-74']);
    } finally {
      store.close();
    }
  });

  it('in the past hides the record', async () => {
    const storePath = await storeOf(AUDIT_AT, withdrawnAt('2026-11-01T00:00:00Z'));
    expect(await matched(storePath)).not.toContain('PYSEC-2023-74');
    const store = openAdvisoryStore(storePath, { clock: fixedClock(AUDIT_AT) });
    try {
      expect(await store.recordsByAlias(['CVE-2023-32681'])).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('at exactly now hides the record (withdrawn <= now)', async () => {
    const storePath = await storeOf(AUDIT_AT, withdrawnAt(AUDIT_AT));
    expect(await matched(storePath)).not.toContain('PYSEC-2023-74');
  });

  it('takes effect once its time comes, in the same store', async () => {
    const storePath = await storeOf(AUDIT_AT, withdrawnAt('2027-01-01T00:00:00Z'));
    const later = fixedClock('2027-01-01T00:00:01Z');
    const store = openAdvisoryStore(storePath, { clock: later });
    try {
      expect((await store.advisoriesFor('PyPI', ['requests'])).get('requests')?.map((record) => record.id)).not.toContain('PYSEC-2023-74');
    } finally {
      store.close();
    }
  });
});
