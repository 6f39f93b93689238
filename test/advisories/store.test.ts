import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAdvisories } from '../../src/advisories/import.js';
import { openAdvisoryStore } from '../../src/advisories/store/sqlite-store.js';
import { indexName } from '../../src/advisories/store/store-writer.js';
import { npm } from '../../src/ecosystems/npm/ecosystem.js';
import { pypi } from '../../src/ecosystems/pypi/ecosystem.js';
import { OLD_STORE_HINT, STORE_APPLICATION_ID, STORE_HINT, STORE_SCHEMA_VERSION } from '../../src/advisories/store/schema.js';
import type { AdvisoryStore } from '../../src/advisories/types.js';
import { fixedClock } from '../../src/core/clock.js';
import { AdvisoryStoreError } from '../../src/core/errors.js';
import { fixture } from '../helpers/shared-data.js';

const clock = fixedClock('2024-05-01T12:00:00Z');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-store-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('openAdvisoryStore refuses what is not a store', () => {
  interface Case {
    name: string;
    make: (file: string) => void;
    want: RegExp;
  }
  const cases: Case[] = [
    { name: 'missing file', make: () => undefined, want: /: no advisory store$/ },
    {
      name: 'text file',
      make: (file) => {
        writeFileSync(file, 'hello, not a database at all, long enough to have a header'.repeat(10));
      },
      want: /: not a vigil advisory store \(file is not a database\)$/,
    },
    {
      name: 'empty file',
      make: (file) => {
        writeFileSync(file, '');
      },
      want: /: not a vigil advisory store$/,
    },
    {
      name: 'SQLite database of another application',
      make: (file) => {
        const db = new Database(file);
        db.exec('CREATE TABLE t (x)');
        db.close();
      },
      want: /: not a vigil advisory store$/,
    },
    {
      name: 'store of a newer schema',
      make: (file) => {
        const db = new Database(file);
        db.pragma(`application_id = ${STORE_APPLICATION_ID}`);
        db.pragma(`user_version = ${STORE_SCHEMA_VERSION + 1}`);
        db.exec('CREATE TABLE future (x)');
        db.close();
      },
      want: new RegExp(`: advisory store schema version ${STORE_SCHEMA_VERSION + 1} is newer than this vigil reads \\(${STORE_SCHEMA_VERSION}\\)$`),
    },
    {
      name: 'store of an older schema (no date of its data), to re-import',
      make: (file) => {
        const db = new Database(file);
        db.pragma(`application_id = ${STORE_APPLICATION_ID}`);
        db.pragma(`user_version = ${STORE_SCHEMA_VERSION - 1}`);
        db.exec('CREATE TABLE past (x)');
        db.close();
      },
      want: new RegExp(
        `: advisory store schema version ${STORE_SCHEMA_VERSION - 1} is older than this vigil reads \\(${STORE_SCHEMA_VERSION}\\); it must be re-imported$`,
      ),
    },
    {
      name: 'directory',
      make: (file) => {
        mkdirSync(file);
      },
      want: /is a directory, not an advisory store$/,
    },
  ];

  it('an older store is refused with a hint to remove and re-import it', () => {
    const file = path.join(dir, 'older-hint.db');
    const db = new Database(file);
    db.pragma(`application_id = ${STORE_APPLICATION_ID}`);
    db.pragma(`user_version = ${STORE_SCHEMA_VERSION - 1}`);
    db.close();
    expect(() => openAdvisoryStore(file)).toThrow(expect.objectContaining({ hint: OLD_STORE_HINT }) as Error);
    expect(OLD_STORE_HINT).toMatch(/^remove the file and re-import: /);
  });

  it.each(cases)('$name', ({ name, make, want }) => {
    const file = path.join(dir, `${name.replace(/\W+/g, '-')}.db`);
    make(file);
    let caught: unknown;
    try {
      openAdvisoryStore(file).close();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AdvisoryStoreError);
    const error = caught as AdvisoryStoreError;
    expect(error.message).toContain(file);
    expect(error.message).toMatch(want);
    expect(error.message).not.toContain('\n');
    expect(error.hint).toContain(STORE_HINT);
    expect(error.code).toBe('advisory-data');
  });

  it('does not overwrite a non-store file on import', async () => {
    const file = path.join(dir, 'precious.txt');
    writeFileSync(file, 'do not touch');
    await expect(
      importAdvisories({ storePath: file, inputs: [fixture('advisories', 'mixed')], clock }),
    ).rejects.toBeInstanceOf(AdvisoryStoreError);
  });
});

describe('queries', () => {
  let store: AdvisoryStore;

  beforeAll(async () => {
    const storePath = path.join(dir, 'fixtures.db');
    await importAdvisories({ storePath, inputs: [fixture('advisories', 'mixed')], clock });
    store = openAdvisoryStore(storePath);
  });
  afterAll(() => {
    store.close();
  });

  it('indexes PyPI names PEP 503-normalised and never returns withdrawn records', async () => {
    const found = await store.advisoriesFor('PyPI', ['example-package-name', 'not-there']);
    expect([...found.keys()]).toEqual(['example-package-name']);
    // VIGIL-TEST-0003 names the same package but is withdrawn.
    expect(found.get('example-package-name')?.map((record) => record.id)).toEqual(['VIGIL-TEST-0001']);
  });

  it('indexes npm names lowercased', async () => {
    const found = await store.advisoriesFor('npm', ['example-js']);
    expect(found.get('example-js')?.map((record) => record.id)).toEqual(['VIGIL-TEST-0002']);
  });

  it('keeps the record body as imported', async () => {
    const found = await store.advisoriesFor('PyPI', ['example-package-name']);
    const record = found.get('example-package-name')?.[0];
    expect(record?.affected?.[0]?.package?.name).toBe('Example_Package.Name');
    expect(record?.schema_version).toBe('1.6.0');
  });

  it('matches an ecosystem only by its exact base', async () => {
    expect((await store.advisoriesFor('npm', ['example-package-name'])).size).toBe(0);
    expect((await store.advisoriesFor('PyPI', ['Example_Package.Name'])).size).toBe(0);
  });

  it('excludes withdrawn records from alias lookups', async () => {
    expect(await store.recordsByAlias(['CVE-0000-0003', 'VIGIL-TEST-0003'])).toEqual([]);
    expect((await store.recordsByAlias(['CVE-0000-0001'])).map((record) => record.id)).toEqual(['VIGIL-TEST-0001']);
  });

  it('reports status with ecosystem suffixes folded into the base', async () => {
    const status = await store.status();
    expect(status).toMatchObject({ records: 4, withdrawn: 1, newestModified: '2024-03-05T10:00:00.000Z' });
    expect(status.updatedAt).toBe('2024-05-01T12:00:00.000Z');
    expect(status.ecosystems.map((eco) => [eco.ecosystem, eco.records])).toEqual([
      ['Debian', 1],
      ['PyPI', 2],
      ['npm', 1],
    ]);
    expect(status.ecosystems[0]?.source).toBe(fixture('advisories', 'mixed'));
    // The data's own date per ecosystem: the newest `modified` of its records, withdrawn ones included.
    expect(status.ecosystems.map((eco) => [eco.ecosystem, eco.newestModified])).toEqual([
      ['Debian', '2024-03-05T10:00:00.000Z'],
      // VIGIL-TEST-0003, withdrawn, is newer than VIGIL-TEST-0001.
      ['PyPI', '2024-03-03T10:00:00.000Z'],
      ['npm', '2024-03-02T10:00:00.000Z'],
    ]);
  });

  it('opens read-only', () => {
    const db = new Database(path.join(dir, 'fixtures.db'), { readonly: true });
    expect(db.prepare('SELECT ecosystem_full FROM affected WHERE ecosystem = ? ORDER BY 1').pluck().all('Debian')).toEqual([
      'Debian:11',
      'Debian:12',
    ]);
    db.close();
  });
});

describe('index names', () => {
  const cases = [
    { ecosystem: 'PyPI', name: 'Zope.Interface__x' },
    { ecosystem: 'PyPI', name: 'Django' },
    { ecosystem: 'npm', name: 'Axios' },
    { ecosystem: 'npm', name: '@Babel/Traverse' },
  ] as const;
  // The registry's `ecosystems.PyPI` / `ecosystems.npm` are these objects.
  const registry = { PyPI: pypi, npm };
  it.each(cases)('$ecosystem $name is normalised as the ecosystem does', ({ ecosystem, name }) => {
    expect(indexName(ecosystem, name)).toBe(registry[ecosystem].normalizeName(name));
  });
  it('keeps names of other ecosystems as written', () => {
    expect(indexName('Go', 'GitHub.com/Foo/Bar')).toBe('GitHub.com/Foo/Bar');
  });
});
