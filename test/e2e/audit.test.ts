import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, repoRoot, shared } from '../helpers/shared-data.js';
import { startOsvMirror, type OsvMirror } from '../helpers/osv-mirror.js';
import { hasStackTrace, runCli } from './run-cli.js';

let work: string;
let store: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'vigil-e2e-'));
  store = path.join(work, 'advisories.db');
  const imported = await runCli([
    'db',
    'import',
    '--db',
    store,
    shared('osv', 'pypi-pysec', 'vulns'),
    shared('osv', 'ghsa-subset', 'advisories'),
  ]);
  expect(imported.code, imported.stderr).toBe(0);
}, 120_000);

afterAll(() => { rmSync(work, { recursive: true, force: true }); });

interface Case {
  readonly name: string;
  readonly args: () => string[];
  readonly exit: number;
  /** Every pattern must match stderr. */
  readonly stderr?: readonly RegExp[];
  readonly stdout?: readonly RegExp[];
}

const e2e = (name: string): string => fixture('e2e', name);

const cases: Case[] = [
  { name: 'help lists the exit codes', args: () => ['--help'], exit: 0, stdout: [/Exit codes:/, /3 +advisory data unavailable/] },
  { name: 'unknown command', args: () => ['frobnicate'], exit: 2, stderr: [/unknown command "frobnicate"/] },
  { name: 'unknown flag', args: () => ['audit', '--bogus'], exit: 2, stderr: [/^vigil: audit: unknown option --bogus$/m, /hint: see "vigil audit --help"/] },
  { name: 'bad format', args: () => ['audit', '--format', 'xml', e2e('requirements-clean')], exit: 2, stderr: [/unknown format "xml"/] },
  { name: 'bad --max-db-age', args: () => ['audit', '--max-db-age', 'soon', '--db', store, e2e('requirements-clean')], exit: 2 },
  {
    name: 'vulnerable requirements fail the gate',
    args: () => ['audit', '--fail-on', 'medium', '--db', store, e2e('requirements-vulnerable')],
    exit: 1,
    stdout: [/^BLOCKS\s+requests\s+2\.30\.0\s+unknown\s+GHSA-j8r2-6x86-q33q, CVE-2023-32681\s+medium 6\.1\s+2\.31\.0/m],
    stderr: [/read \S*requirements-vulnerable\/requirements\.txt \(requirements\.txt\): 1 packages, 0 skipped/],
  },
  {
    name: 'a skipped entry is listed with its reason but does not fail the gate',
    args: () => ['audit', '--db', store, e2e('requirements-with-skipped')],
    exit: 0,
    stderr: [/skipped \S*requirements\.txt:2: .*editable/],
  },
  {
    name: '--strict makes a skipped entry fail the gate',
    args: () => ['audit', '--strict', '--db', store, e2e('requirements-with-skipped')],
    exit: 1,
    stderr: [/--strict: 1 skipped entries fail the gate/],
  },
  { name: 'clean requirements pass', args: () => ['audit', '--db', store, e2e('requirements-clean')], exit: 0, stdout: [/0 findings/] },
  {
    name: 'no dependency file',
    args: () => ['audit', '--db', store, e2e('empty-project')],
    exit: 4,
    stderr: [/no dependency file found/],
  },
  {
    name: 'truncated package-lock.json names file and line',
    args: () => ['audit', '--db', store, e2e('npm-lock-truncated')],
    exit: 2,
    stderr: [/^vigil: \S*npm-lock-truncated\/package-lock\.json:\d+(:\d+)?: /m],
  },
  {
    name: 'unknown lockfileVersion',
    args: () => ['audit', '--db', store, e2e('npm-lock-unknown-version')],
    exit: 2,
    stderr: [/^vigil: \S*package-lock\.json:3(:\d+)?: .*99/m],
  },
  {
    name: 'poetry.lock with a TOML error names its line',
    args: () => ['audit', '--db', store, e2e('poetry-toml-error')],
    exit: 2,
    stderr: [/^vigil: \S*poetry-toml-error\/poetry\.lock:\d+(:\d+)?: /m],
  },
  {
    name: 'missing store offline fails closed',
    args: () => ['audit', '--offline', '--db', path.join(work, 'absent.db'), e2e('requirements-clean')],
    exit: 3,
    stderr: [/no advisory store at/, /hint: /],
  },
  {
    name: 'data older than --max-db-age fails closed',
    args: () => ['audit', '--max-db-age', '0m', '--db', store, e2e('requirements-clean')],
    exit: 3,
    stderr: [/PyPI advisory data is .* old/],
  },
  {
    name: 'a store without data for an audited ecosystem fails closed',
    args: () => ['audit', '--db', path.join(work, 'pypi-only.db'), e2e('npm-lock-vulnerable')],
    exit: 3,
    stderr: [/has no npm advisories/],
  },
  {
    name: 'npm lockfile against GHSA data',
    args: () => ['audit', '--fail-on', 'medium', '--db', store, e2e('npm-lock-vulnerable')],
    exit: 1,
    stdout: [/^BLOCKS\b.*\s+semver\s+7\.5\.1\s+direct\s+GHSA-c2qf-rxjj-qqgw/m],
  },
];

describe('vigil CLI', () => {
  beforeAll(async () => {
    const pypiOnly = await runCli(['db', 'import', '--db', path.join(work, 'pypi-only.db'), shared('osv', 'pypi-pysec', 'vulns', 'requests')]);
    expect(pypiOnly.code).toBe(0);
  });

  it.each(cases)('$name', async ({ args, exit, stderr = [], stdout = [] }) => {
    const run = await runCli(args());
    expect(run.code, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(exit);
    for (const pattern of stderr) expect(run.stderr).toMatch(pattern);
    for (const pattern of stdout) expect(run.stdout).toMatch(pattern);
    expect(hasStackTrace(run.stderr)).toBe(false);
    if (exit >= 2) expect(run.stdout).toBe(exit === 2 && args()[0] === '--help' ? run.stdout : '');
  });

  it('rejects a malformed advisory with its file and reason and imports the rest', async () => {
    const run = await runCli(['db', 'import', '--db', path.join(work, 'mixed.db'), e2e('advisory-wrong-types')]);
    expect(run.code).toBe(2);
    expect(hasStackTrace(run.stderr)).toBe(false);
    expect(run.stderr).toMatch(/rejected .*PYSEC-0000-1\.json: .*affected/);
    expect(run.stdout).toMatch(/imported 1 records/);
    const status = await runCli(['db', 'status', '--format', 'json', '--db', path.join(work, 'mixed.db')]);
    expect(JSON.parse(status.stdout)).toMatchObject({ records: 1 });
  });

  it('writes JSON that follows the published schema, with aliases merged into one finding', async () => {
    const out = path.join(work, 'report.json');
    const run = await runCli(['audit', '--fail-on', 'medium', '--db', store, '--format', 'json', '-o', out, e2e('requirements-vulnerable')]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^gate: 1 blocking, 0 unevaluable, 0 allowed by exception, 0 below threshold \(fail_on medium\)/m);
    const report = JSON.parse(readFileSync(out, 'utf8')) as {
      findings: { id: string; aliases: string[]; severity: { level: string; source: string }; fixed: string[] }[];
    };
    const schema = JSON.parse(readFileSync(path.join(repoRoot, 'docs', 'audit-report.schema.json'), 'utf8')) as object;
    const ajv = new Ajv2020.default({ allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    // PYSEC-2023-74 and GHSA-j8r2-6x86-q33q describe CVE-2023-32681: one finding with every id.
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({
      id: 'GHSA-j8r2-6x86-q33q',
      aliases: ['CVE-2023-32681', 'PYSEC-2023-74'],
      fixed: ['2.31.0'],
      severity: { level: 'medium', source: 'GHSA-j8r2-6x86-q33q:CVSS_V3' },
    });
  });

  describe('first run with network', () => {
    let mirror: OsvMirror;
    beforeAll(async () => {
      mirror = await startOsvMirror();
    });
    afterAll(async () => {
      await mirror.close();
    });

    it('downloads the store from the mirror when none exists, then audits', async () => {
      const fresh = path.join(work, 'fresh', 'advisories.db');
      const run = await runCli(['audit', '--fail-on', 'medium', e2e('requirements-vulnerable')], {
        env: { VIGIL_DB: fresh, VIGIL_OSV_MIRROR: mirror.url },
      });
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toMatch(/no advisory store yet; downloading/);
      // The audited file is a pip requirements file: only PyPI's dump is fetched.
      expect(mirror.requests).toEqual(['/PyPI/all.zip']);
      expect(run.stdout).toMatch(/GHSA-j8r2-6x86-q33q/);
    });

    it('db update downloads every default ecosystem and db status reports it', async () => {
      const db = path.join(work, 'updated', 'advisories.db');
      const update = await runCli(['db', 'update', '--db', db, '--mirror', mirror.url]);
      expect(update.code, update.stderr).toBe(0);
      expect(update.stdout).toMatch(/PyPI \d+, npm \d+/);
      const status = await runCli(['db', 'status', '--db', db]);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(new RegExp(`PyPI: \\d+ records, updated \\S+ from ${mirror.url}/PyPI/all\\.zip`));
    });

    it('a failed download fails closed with exit 3', async () => {
      mirror.setBehaviour('PyPI', 500);
      const run = await runCli(['audit', e2e('requirements-clean')], {
        env: { VIGIL_DB: path.join(work, 'never', 'advisories.db'), VIGIL_OSV_MIRROR: mirror.url },
      });
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/500/);
      expect(hasStackTrace(run.stderr)).toBe(false);
    });
  });
});

describe('writing -o atomically', () => {
  it('leaves no temporary file behind', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-out-'));
    writeFileSync(path.join(dir, 'keep.txt'), 'x');
    const run = await runCli(['audit', '--db', store, '-o', path.join(dir, 'out.txt'), e2e('requirements-clean')]);
    expect(run.code).toBe(0);
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(dir).sort()).toEqual(['keep.txt', 'out.txt']);
    rmSync(dir, { recursive: true, force: true });
  });
});
