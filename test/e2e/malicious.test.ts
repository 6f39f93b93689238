import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Log } from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../helpers/shared-data.js';
import { hasStackTrace, runCli } from './run-cli.js';

let work: string;
let store: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'vigil-e2e-malicious-'));
  store = path.join(work, 'advisories.db');
  const imported = await runCli(['db', 'import', '--db', store, fixture('malicious', 'advisories')]);
  expect(imported.code, imported.stderr).toBe(0);
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** fail_on high and dev scope ignored: without the malicious rule nothing of the fixture would block. */
function writePolicy(exception: boolean): string {
  const file = path.join(work, exception ? 'with-exception.yaml' : 'plain.yaml');
  const lines = ['version: 1', 'fail_on: high', 'unknown_severity: medium', 'ignore_scopes: [dev]'];
  if (exception) {
    lines.push(
      'exceptions:',
      '  - id: MAL-2099-0101',
      '    package: left-padder',
      '    reason: we trust it',
      '    approved_by: security-team',
      '    issue: https://example.com/issues/1',
      '    expires_on: 2099-01-31',
    );
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('vigil audit with malicious packages (MAL- records)', () => {
  it('fails the gate, and lists them first in the table, the HTML and SARIF', async () => {
    const sarif = path.join(work, 'report.sarif');
    const html = path.join(work, 'report.html');
    const run = await runCli([
      'audit', '--db', store, '--policy', writePolicy(false),
      '--format', 'sarif', '-o', sarif, '--format', 'html', '-o', html, '--format', 'table',
      fixture('malicious', 'project'),
    ]);
    expect(run.code, run.stderr).toBe(1);
    expect(hasStackTrace(run.stderr)).toBe(false);
    expect(run.stderr).toMatch(/^gate: 2 blocking/m);
    const rows = run.stdout.split('\n').slice(1, 4).map((line) => line.split(/\s+/).slice(0, 2).join(' '));
    expect(rows).toEqual(['MALICIOUS color-strng', 'MALICIOUS left-padder', 'below express']);
    const log = JSON.parse(readFileSync(sarif, 'utf8')) as Log;
    expect(log.runs[0]?.results?.map((result) => result.locations?.[0]?.logicalLocations?.[0]?.name)).toEqual(['color-strng', 'left-padder', 'express']);
    const page = readFileSync(html, 'utf8');
    const packages = [...page.matchAll(/<tr class="package([^"]*)"/g)].map((match) => match[1]);
    expect(packages).toEqual([' blocking malicious', ' blocking malicious', '']);
  }, 60_000);

  it('refuses an exception for a malicious package: still blocking, and a policy error naming it', async () => {
    const run = await runCli(['audit', '--db', store, '--policy', writePolicy(true), fixture('malicious', 'project')]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/^gate: 2 blocking, 0 unevaluable, 0 allowed by exception/m);
    expect(run.stderr).toMatch(/exception MAL-2099-0101: covers a malicious package \(left-padder 1\.0\.3\)/);
    expect(hasStackTrace(run.stderr)).toBe(false);
  }, 60_000);

  it('vigil plan says to remove them, first, and exits 1', async () => {
    const run = await runCli(['plan', '--db', store, '--offline', '--policy', writePolicy(false), fixture('malicious', 'project')]);
    expect(run.code, run.stderr).toBe(1);
    const rows = run.stdout.split('\n').filter((line) => /^(color-strng|left-padder|express) /.test(line));
    expect(rows.map((line) => line.split(/\s+/)[0])).toEqual(['color-strng', 'left-padder', 'express']);
    expect(rows[0]).toContain('REMOVE (malicious)');
  }, 60_000);
});
