import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Log } from 'sarif';
import { describe, expect, it } from 'vitest';
import { compileSarifSchema } from '../report/sarif/sarif-schema.js';
import { fixture } from '../helpers/shared-data.js';
import { hasStackTrace, runCli } from './run-cli.js';
import { sharedAdvisoryStore } from './shared-advisory-store.js';

const setup = sharedAdvisoryStore('vigil-e2e-formats-');

const e2e = (name: string): string => fixture('e2e', name);
const out = (name: string): string => path.join(setup.work, name);

describe('vigil audit with several outputs', () => {
  it('writes a SARIF and a JSON report in one run, each to its file, and keeps the gate lines and exit code', async () => {
    const run = await runCli([
      'audit', '--fail-on', 'medium', '--db', setup.store,
      '--format', 'sarif', '-o', out('two.sarif'),
      '--format', 'json', '-o', out('two.json'),
      e2e('requirements-vulnerable'),
    ]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^gate: 1 blocking, 0 unevaluable, 0 allowed by exception/m);
    expect(run.stderr).toMatch(/^vigil: gate FAILED$/m);
    const json = JSON.parse(readFileSync(out('two.json'), 'utf8')) as { findings: { id: string; package: { location: { file: string; line: number } } }[] };
    const sarif = JSON.parse(readFileSync(out('two.sarif'), 'utf8')) as Log;
    const validate = compileSarifSchema();
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    const results = sarif.runs[0]?.results ?? [];
    expect(results.map((result) => [result.ruleId, result.level, result.locations?.[0]?.physicalLocation?.region?.startLine])).toEqual(
      json.findings.map((finding) => [finding.id, 'error', finding.package.location.line]),
    );
    // No temp file left beside the reports (each was written atomically).
    expect(readdirSync(setup.work).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('sends the one format without a file to stdout: every format in one run', async () => {
    const run = await runCli([
      'audit', '--fail-on', 'medium', '--db', setup.store,
      '--format', 'table', '-o', out('all.txt'),
      '--format', 'json', '-o', out('all.json'),
      '--format', 'sarif', '-o', out('all.sarif'),
      '--format', 'markdown', '-o', out('all.md'),
      '--format', 'junit', '-o', out('all.xml'),
      '--format', 'github',
      e2e('requirements-vulnerable'),
    ]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^::error file=\S*requirements\.txt,line=\d+,title=GHSA-j8r2-6x86-q33q in requests 2\.30\.0::/m);
    expect(readFileSync(out('all.txt'), 'utf8')).toMatch(/requests\s+2\.30\.0/);
    expect(readFileSync(out('all.md'), 'utf8')).toMatch(/^## ❌ vigil: dependency audit FAILED/m);
    expect(readFileSync(out('all.xml'), 'utf8')).toMatch(/<failure message="requests 2\.30\.0 is vulnerable to GHSA-j8r2-6x86-q33q/);
    expect(existsSync(out('all.sarif'))).toBe(true);
    expect(existsSync(out('all.json'))).toBe(true);
  });

  interface UsageCase {
    readonly name: string;
    readonly args: () => string[];
    readonly stderr: RegExp;
  }
  const usage: UsageCase[] = [
    {
      name: 'more -o than --format',
      args: () => ['--format', 'sarif', '-o', out('u1.sarif'), '-o', out('u1.json')],
      stderr: /2 output files for 1 formats: each -o needs its own --format/,
    },
    {
      name: '-o twice with the default format',
      args: () => ['-o', out('u2.txt'), '-o', out('u2b.txt')],
      stderr: /2 output files for 1 formats/,
    },
    {
      name: 'two formats for stdout',
      args: () => ['--format', 'sarif', '--format', 'json'],
      stderr: /2 formats but 0 output files: only one format can go to stdout/,
    },
    {
      name: 'an unknown format among several',
      args: () => ['--format', 'sarif', '-o', out('u3.sarif'), '--format', 'xml'],
      stderr: /unknown format "xml" \(expected table, json, sarif, markdown, junit, github, cyclonedx, html\)/,
    },
    {
      name: 'two reports to the same file',
      args: () => ['--format', 'sarif', '-o', out('same'), '--format', 'json', '-o', out('same')],
      stderr: /two reports would be written to/,
    },
  ];
  it.each(usage)('usage error: $name', async ({ args, stderr }) => {
    const run = await runCli(['audit', '--db', setup.store, ...args(), e2e('requirements-vulnerable')]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(stderr);
    expect(run.stderr).toMatch(/hint: /);
    expect(run.stdout).toBe('');
    expect(hasStackTrace(run.stderr)).toBe(false);
    expect(readdirSync(setup.work).filter((name) => name.startsWith('u') || name === 'same')).toEqual([]);
  });
});
