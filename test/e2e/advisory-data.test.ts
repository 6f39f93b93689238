import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_APPLICATION_ID } from '../../src/advisories/store/schema.js';
import { fixture, shared } from '../helpers/shared-data.js';
import { hasStackTrace, runCli } from './run-cli.js';

// The advisory data fails closed: malformed records are rejected on import (exit 2), data whose
// newest record is older than --max-db-age or whose timestamps lie in the future fails the audit
// (exit 3), and a withdrawn date still to come does not hide a record.

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'vigil-e2e-data-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** requests==2.30.0, inside PYSEC-2023-74's [2.3.0, 2.31.0). */
const project = (): string => fixture('e2e', 'requirements-vulnerable');
const ghsaRequests = (): string =>
  shared('osv', 'ghsa-subset', 'advisories', 'github-reviewed', '2023', '05', 'GHSA-j8r2-6x86-q33q', 'GHSA-j8r2-6x86-q33q.json');

let folders = 0;
/** A copy of the real PyPA records for requests, PYSEC-2023-74 edited. */
function requestsRecords(edit: (text: string) => string = (text) => text): string {
  const folder = path.join(work, `requests-${++folders}`);
  cpSync(shared('osv', 'pypi-pysec', 'vulns', 'requests'), folder, { recursive: true });
  const file = path.join(folder, 'PYSEC-2023-74.yaml');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  return folder;
}

async function importInto(name: string, ...inputs: string[]): Promise<string> {
  const store = path.join(work, `${name}.db`);
  const run = await runCli(['db', 'import', '--db', store, ...inputs]);
  expect(run.code, run.stderr).toBe(0);
  return store;
}

describe('db import', () => {
  it('rejects a misspelt ecosystem with the file and the expected spelling, and imports the rest (exit 2)', async () => {
    const folder = path.join(work, 'misspelt');
    mkdirSync(folder);
    const record = JSON.parse(readFileSync(ghsaRequests(), 'utf8')) as { affected: { package: { ecosystem: string } }[] };
    record.affected[0]!.package.ecosystem = 'pypi';
    writeFileSync(path.join(folder, 'GHSA-j8r2-6x86-q33q.json'), JSON.stringify(record));
    cpSync(shared('osv', 'pypi-pysec', 'vulns', 'requests', 'PYSEC-2023-74.yaml'), path.join(folder, 'PYSEC-2023-74.yaml'));
    const run = await runCli(['db', 'import', '--db', path.join(work, 'misspelt.db'), folder]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `rejected ${path.join(folder, 'GHSA-j8r2-6x86-q33q.json')}: invalid OSV record: affected[0].package.ecosystem: ecosystem "pypi" is misspelt: expected "PyPI"`,
    );
    expect(run.stdout).toMatch(/^imported 1 records .* 1 rejected; PyPI 1$/m);
    expect(hasStackTrace(run.stderr)).toBe(false);
  });

  it('imports an ecosystem OSV does not list and warns once with the count (exit 0)', async () => {
    const folder = path.join(work, 'unknown');
    mkdirSync(folder);
    for (const id of ['VIGIL-TEST-0301', 'VIGIL-TEST-0302']) {
      const record = { id, modified: '2024-10-01T00:00:00Z', affected: [{ package: { ecosystem: 'Frobnicate', name: 'x' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }] };
      writeFileSync(path.join(folder, `${id}.json`), JSON.stringify(record));
    }
    const run = await runCli(['db', 'import', '--db', path.join(work, 'unknown.db'), folder]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr.match(/warning: /g)).toHaveLength(1);
    expect(run.stderr).toContain('warning: 2 records name the ecosystem "Frobnicate", which OSV does not list; imported, but no audited package will match them');
  });
});

describe('audit and the age of the data', () => {
  it('fails an old snapshot imported today, naming the date of the data (exit 3)', async () => {
    const store = await importInto('old-snapshot', requestsRecords());
    const run = await runCli(['audit', '--max-db-age', '7d', '--db', store, project()]);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toMatch(
      /^vigil: PyPI advisory data is \d+d( \d+h)? old \(newest record modified 2023-06-05T01:13:00\.534Z, imported \d{4}-\d\d-\d\dT[\d:.]+Z\), older than the allowed 7d$/m,
    );
    expect(run.stdout).toBe('');
    const status = await runCli(['db', 'status', '--format', 'json', '--db', store]);
    expect(JSON.parse(status.stdout)).toMatchObject({ ecosystems: [{ ecosystem: 'PyPI', records: 5, newestModified: '2023-06-05T01:13:00.534Z' }] });
    const text = await runCli(['db', 'status', '--db', store]);
    expect(text.stdout).toMatch(/^ {2}PyPI: 5 records, updated \S+ from \S+; newest record modified 2023-06-05T01:13:00\.534Z$/m);
  });

  it('refuses a store written before it recorded the date of its data, asking for a re-import (exit 3)', async () => {
    const store = path.join(work, 'schema-3.db');
    const db = new Database(store);
    db.pragma(`application_id = ${STORE_APPLICATION_ID}`);
    db.pragma('user_version = 3');
    db.close();
    const run = await runCli(['audit', '--db', store, project()]);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toMatch(/advisory store schema version 3 is older than this vigil reads \(\d+\); it must be re-imported$/m);
    expect(run.stderr).toMatch(/hint: remove the file and re-import: /);
  });

  it('fails a store whose newest record is dated in the future (exit 3), whatever age is allowed', async () => {
    const store = await importInto('future', requestsRecords((text) => text.replace(/^modified: .*$/m, 'modified: "2099-01-01T00:00:00Z"')));
    const run = await runCli(['audit', '--max-db-age', '36500d', '--db', store, project()]);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toMatch(/its newest PyPI record was modified at 2099-01-01T00:00:00\.000Z, \d+d( \d+h)? in the future$/m);
    expect(run.stderr).toMatch(/hint: check this machine's clock/);
  });

  it('still matches a record whose withdrawn date is in the future', async () => {
    const store = await importInto('withdrawn-later', requestsRecords((text) => text.replace(/^published: (.*)$/m, 'published: $1\nwithdrawn: "2099-01-01T00:00:00Z"')));
    const run = await runCli(['audit', '--db', store, project()]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^BLOCKS\b.*\brequests\s+2\.30\.0\b.*\bPYSEC-2023-74\b/m);
  });

  it('hides a record withdrawn in the past', async () => {
    const store = await importInto('withdrawn-before', requestsRecords((text) => text.replace(/^published: (.*)$/m, 'published: $1\nwithdrawn: "2024-01-01T00:00:00Z"')));
    const run = await runCli(['audit', '--db', store, project()]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain('PYSEC-2023-74');
  });
});
