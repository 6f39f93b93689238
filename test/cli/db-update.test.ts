// vigil db update against a mirror in OSV's layout on 127.0.0.1, through the built CLI.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { LayoutMirror, type PlainRecord } from '../advisories/layout-mirror.js';
import { hasStackTrace, runCli } from '../e2e/run-cli.js';
import { shared } from '../helpers/shared-data.js';

let dir: string;
const mirror = new LayoutMirror();
const folder = (): string => shared('osv', 'pypi-pysec', 'vulns', 'django');
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-db-update-'));
  const records = readdirSync(folder())
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => parseYaml(readFileSync(path.join(folder(), name), 'utf8')) as PlainRecord);
  mirror.set('PyPI', records);
  await mirror.start();
});
afterAll(async () => {
  await mirror.close();
  rmSync(dir, { recursive: true, force: true });
});

it('db update: whole dump first, then the change list only; a mirror that dies is exit 3 with the store intact', async () => {
  const db = path.join(dir, 'advisories.db');
  const first = await runCli(['db', 'update', '--db', db, '--mirror', mirror.url, '--ecosystem', 'PyPI']);
  expect(first.code, first.stderr).toBe(0);
  expect(first.stdout).toMatch(/: PyPI \d+, 0 rejected/);

  // No --ecosystem: the ecosystems the store holds from a mirror.
  mirror.requests.length = 0;
  const second = await runCli(['db', 'update', '--db', db, '--mirror', mirror.url]);
  expect(second.code, second.stderr).toBe(0);
  expect(second.stdout).toMatch(/: PyPI 0 \(no changes\), 0 rejected/);
  expect(mirror.requests).toEqual(['/PyPI/modified_id.csv']);

  const status = await runCli(['db', 'status', '--db', db]);
  expect(status.stdout).toMatch(/PyPI: \d+ records, updated \S+ from http:\/\/127\.0\.0\.1:\d+\/PyPI\/all\.zip; newest record modified \S+/);

  const before = readFileSync(db);
  mirror.dieOn = '/PyPI/all.zip';
  const dying = await runCli(['db', 'update', '--db', db, '--mirror', mirror.url, '--full']);
  expect(dying.code).toBe(3);
  expect(dying.stderr).toMatch(/\/PyPI\/all\.zip: download (interrupted|truncated)/);
  expect(dying.stderr).toContain(`${db} was left as it was`);
  expect(hasStackTrace(dying.stderr)).toBe(false);
  expect(readFileSync(db).equals(before)).toBe(true);
});

it.each([
  { name: 'a misspelt ecosystem', args: ['--ecosystem', 'pypi'], want: /ecosystem "pypi" is misspelt: expected "PyPI"/ },
  { name: 'an ecosystem vigil does not audit', args: ['--ecosystem', 'Go'], want: /unsupported ecosystem "Go" \(expected PyPI, npm/ },
])('db update refuses $name (exit 2)', async ({ args, want }) => {
  const run = await runCli(['db', 'update', '--db', path.join(dir, 'never.db'), '--mirror', mirror.url, ...args]);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(want);
});
