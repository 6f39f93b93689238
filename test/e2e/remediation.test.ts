import { cpSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packument, packumentPath, startFakeNpmRegistry, type FakeNpmRegistry } from '../helpers/fake-npm-registry.js';
import { fixture, shared } from '../helpers/shared-data.js';
import { hasStackTrace, runCli } from './run-cli.js';

// Scenario folders lock django 1.11.29 (a framework: its smallest fix clearing every advisory of
// the store is 2.2.28, a major) and idna 3.6 (PYSEC-2024-60, fixed in 3.7) in a requirements.txt
// with comments and a marker line; their vigil.yaml prepares a patch or a minor release.

let work: string;
let store: string;
// PyPI has no registry source: nothing is requested, but never the public npm registry from a test.
const env = { VIGIL_NPM_REGISTRY: 'http://127.0.0.1:9' };

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'vigil-remediation-e2e-'));
  store = path.join(work, 'advisories.db');
  const vulns = (name: string): string => shared('osv', 'pypi-pysec', 'vulns', name);
  // ghsa-subset: GHSA-c2qf-rxjj-qqgw affects semver 7.5.1, fixed in 7.5.2.
  const imported = await runCli(['db', 'import', '--db', store, vulns('idna'), vulns('django'), shared('osv', 'ghsa-subset', 'advisories')]);
  expect(imported.code, imported.stderr).toBe(0);
});

afterAll(() => { rmSync(work, { recursive: true, force: true }); });

/** A fresh copy of a scenario folder: `fix` must never change the fixtures. */
function copyScenario(scenario: string): string {
  const target = mkdtempSync(path.join(work, `${scenario}-`));
  cpSync(fixture('e2e', scenario), target, { recursive: true });
  return target;
}

function tableRow(stdout: string, name: string): string[] {
  const line = stdout.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  expect(line, stdout).toBeDefined();
  return (line ?? '').split(/ {2,}/);
}

interface PlanCase {
  readonly name: string;
  readonly scenario: string;
  readonly args: readonly string[];
  readonly exit: number;
  /** Expected cells (PACKAGE, VERSION, KIND, TARGET, UPGRADE, DECISION) per package. */
  readonly rows: readonly (readonly string[])[];
  readonly stdout: readonly RegExp[];
}

const planCases: PlanCase[] = [
  {
    name: 'patch release: idna 3.6 -> 3.7 allowed, the django major held with its rule',
    scenario: 'remediation-patch-release',
    args: ['plan', '--offline'],
    exit: 1,
    rows: [
      ['django', '1.11.29', 'framework', '2.2.28', 'major', 'held'],
      ['idna', '3.6', 'indirect', '3.7', 'minor', 'allowed'],
    ],
    stdout: [
      /framework dependencies take at most minor upgrades in a patch release; instead: backport or selective patch/,
      /^ {2}- id: PYSEC-2021-98$/m,
      /^2 vulnerable packages: 1 allowed, 1 held, 0 no fix$/m,
    ],
  },
  {
    name: 'minor release: the same django major is allowed',
    scenario: 'remediation-minor-release',
    args: ['plan', '--offline'],
    exit: 0,
    rows: [
      ['django', '1.11.29', 'framework', '2.2.28', 'major', 'allowed'],
      ['idna', '3.6', 'indirect', '3.7', 'minor', 'allowed'],
    ],
    stdout: [/framework dependencies take at most major upgrades in a minor release/, /^2 vulnerable packages: 2 allowed, 0 held, 0 no fix$/m],
  },
  {
    name: '--offline: the output says targets come from the advisories',
    scenario: 'remediation-minor-release',
    args: ['plan', '--offline'],
    exit: 0,
    rows: [],
    stdout: [/^targets come from the advisories' fixed versions \(--offline: no registry consulted\)$/m],
  },
  {
    name: '--no-registry says so too',
    scenario: 'remediation-minor-release',
    args: ['plan', '--no-registry'],
    exit: 0,
    rows: [],
    stdout: [/^targets come from the advisories' fixed versions \(--no-registry: no registry consulted\)$/m],
  },
];

describe('vigil plan', () => {
  it.each(planCases)('$name', async ({ scenario, args, exit, rows, stdout }) => {
    const run = await runCli([...args, '--db', store], { cwd: fixture('e2e', scenario), env });
    expect(run.code, run.stderr).toBe(exit);
    expect(hasStackTrace(run.stderr)).toBe(false);
    for (const want of rows) expect(tableRow(run.stdout, want[0] ?? '').slice(0, want.length)).toEqual(want);
    for (const pattern of stdout) expect(run.stdout).toMatch(pattern);
  });

  it('--format json is a versioned document with the decisions', async () => {
    const run = await runCli(['plan', '--offline', '--db', store, '--format', 'json'], { cwd: fixture('e2e', 'remediation-patch-release'), env });
    expect(run.code, run.stderr).toBe(1);
    const document = JSON.parse(run.stdout) as {
      schemaVersion: string;
      complete: boolean;
      versionSource: { kind: string; reason: string };
      remediations: { package: { name: string; location: { line: number } }; fix: { target: string; basis: string }; decision: { kind: string } }[];
    };
    expect(document.schemaVersion).toBe('1.2.0');
    expect(document.complete).toBe(false);
    expect(document.versionSource).toEqual({ kind: 'advisories', reason: 'offline' });
    expect(document.remediations.map((item) => [item.package.name, item.package.location.line, item.fix.target, item.fix.basis, item.decision.kind])).toEqual([
      ['django', 3, '2.2.28', 'advisories', 'held'],
      ['idna', 4, '3.7', 'advisories', 'allowed'],
    ]);
  });

  it('--format markdown has a table per file', async () => {
    const run = await runCli(['plan', '--offline', '--db', store, '--format', 'markdown'], { cwd: fixture('e2e', 'remediation-minor-release'), env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^### `requirements\.txt`$/m);
    expect(run.stdout).toMatch(/^\| idna \| 3\.6 \| indirect \| 3\.7 \| minor \| allowed \|/m);
  });

  it('rejects an unknown format and --registry with --offline as usage errors', async () => {
    const cwd = fixture('e2e', 'remediation-minor-release');
    expect((await runCli(['plan', '--format', 'sarif', '--db', store], { cwd, env })).code).toBe(2);
    expect((await runCli(['plan', '--offline', '--registry', 'http://127.0.0.1:9', '--db', store], { cwd, env })).code).toBe(2);
  });
});

describe('vigil fix', () => {
  it('--dry-run prints a unified diff and leaves every file untouched', async () => {
    const dir = copyScenario('remediation-minor-release');
    const file = path.join(dir, 'requirements.txt');
    const bytes = readFileSync(file);
    const mtime = statSync(file).mtimeMs;
    const run = await runCli(['fix', '--dry-run', '--offline', '--db', store], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(
      [
        '--- a/requirements.txt',
        '+++ b/requirements.txt',
        '@@ -1,5 +1,5 @@',
        ' # Facts: idna 3.6 is affected by PYSEC-2024-60 (CVE-2024-3651), fixed in 3.7;',
        ' # django 1.11.29 is affected by advisories whose smallest common fix is 2.2.28 (a new major).',
        '-django==1.11.29  # framework, pinned by hand',
        '-idna==3.6  # via requests',
        '+django==2.2.28  # framework, pinned by hand',
        '+idna==3.7  # via requests',
        ' pytz==2024.1 ; python_version >= "3.8"',
        '',
      ].join('\n'),
    );
    expect(run.stderr).toMatch(/^vigil: --dry-run: no file was changed$/m);
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(statSync(file).mtimeMs).toBe(mtime);
  });

  it('rewrites requirements.txt keeping comments and markers; the held major stays', async () => {
    const dir = copyScenario('remediation-patch-release');
    const file = path.join(dir, 'requirements.txt');
    const before = readFileSync(file, 'utf8');
    const run = await runCli(['fix', '--offline', '--db', store], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^pinned: requirements\.txt:4: idna 3\.6 -> 3\.7$/m);
    expect(run.stdout).toMatch(/^held: requirements\.txt: django 1\.11\.29 -> 2\.2\.28 is a major upgrade/m);
    expect(readFileSync(file, 'utf8')).toBe(before.replace('idna==3.6  # via requests', 'idna==3.7  # via requests'));
    // Fixed: a second plan finds only the held framework.
    const again = await runCli(['plan', '--offline', '--db', store, '--format', 'json'], { cwd: dir, env });
    const names = (JSON.parse(again.stdout) as { remediations: { package: { name: string } }[] }).remediations.map((item) => item.package.name);
    expect(names).toEqual(['django']);
  });

  it('flags a requirement with --hash options and never touches a file with an unparseable line', async () => {
    const dir = copyScenario('remediation-hashes');
    const run = await runCli(['fix', '--offline', '--db', store], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/^warning: hashed\/requirements\.txt:1: idna has --hash options for the old version; regenerate them \(pip-compile --generate-hashes\)$/m);
    expect(readFileSync(path.join(dir, 'hashed', 'requirements.txt'), 'utf8')).toMatch(/^idna==3\.7 \\\n {4}--hash=sha256:/);
    expect(run.stdout).toMatch(/^not applied: idna 3\.6 -> 3\.7: broken\/requirements\.txt has lines that could not be parsed; not changed/m);
    expect(readFileSync(path.join(dir, 'broken', 'requirements.txt'))).toEqual(readFileSync(fixture('e2e', 'remediation-hashes', 'broken', 'requirements.txt')));
  });

  it('adds an npm override for an indirect package, keeping the four-space indent', async () => {
    const dir = copyScenario('remediation-npm-override');
    const run = await runCli(['fix', '--no-registry', '--db', store], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^override: package\.json "overrides": semver -> 7\.5\.2; then run: npm install$/m);
    expect(readFileSync(path.join(dir, 'package.json'), 'utf8')).toBe(
      '{\n    "name": "app",\n    "dependencies": {\n        "parent": "^1.0.0"\n    },\n    "overrides": {\n        "semver": "7.5.2"\n    }\n}\n',
    );
  });
});

describe('vigil plan and fix: parent bumps of an indirect npm package', () => {
  // Facts (the fake registry): parent 1.0.0 pins semver 7.5.1 (GHSA-c2qf-rxjj-qqgw, fixed in
  // 7.5.2); parent 1.1.0 requires semver ^7.5.2, which resolves to 7.5.4.
  let fake: FakeNpmRegistry;
  beforeAll(async () => {
    fake = await startFakeNpmRegistry({
      [packumentPath('parent')]: packument('parent', { '1.0.0': { semver: '7.5.1' }, '1.1.0': { semver: '^7.5.2' } }),
      [packumentPath('semver')]: packument('semver', { '7.5.1': {}, '7.5.2': {}, '7.5.4': {} }),
    });
  });
  afterAll(() => fake.close());

  it('plan proposes the parent bump, allowed, with the override as the fallback', async () => {
    const run = await runCli(['plan', '--registry', fake.url, '--db', store], { cwd: fixture('e2e', 'remediation-npm-parent-bump'), env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /^ {2}parent bump, path parent@1\.0\.0 > semver@7\.5\.1: bump parent 1\.0\.0 -> 1\.1\.0 \(minor, allowed: direct dependencies take at most major upgrades in a patch release\): it resolves parent@1\.1\.0 > semver@7\.5\.4$/m,
    );
    expect(run.stdout).toMatch(/^ {2}fallback: package\.json: "overrides": \{ "semver": "7\.5\.2" \}$/m);
  });

  it('--no-registry: the plan says parent bumps were not evaluated; fix adds the override', async () => {
    const run = await runCli(['plan', '--no-registry', '--db', store], { cwd: fixture('e2e', 'remediation-npm-parent-bump'), env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^ {2}parent bumps: not evaluated \(no registry consulted\)$/m);
    expect(run.stdout).toMatch(/^ {2}package\.json: "overrides": \{ "semver": "7\.5\.2" \}$/m);
  });

  it('fix prints npm install parent@1.1.0 and leaves package.json alone', async () => {
    const dir = copyScenario('remediation-npm-parent-bump');
    const before = readFileSync(path.join(dir, 'package.json'), 'utf8');
    const run = await runCli(['fix', '--registry', fake.url, '--db', store], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /^run: npm install parent@1\.1\.0 {4}# package-lock\.json: semver 7\.5\.1 fixed by bumping its parent parent 1\.0\.0 -> 1\.1\.0; fallback: package\.json: "overrides": \{ "semver": "7\.5\.2" \}$/m,
    );
    expect(readFileSync(path.join(dir, 'package.json'), 'utf8')).toBe(before);
  });
});

describe('vigil fix: pyproject.toml constraints', () => {
  // Scenario facts are in the comments of each pyproject.toml: django 4.2.0 -> 4.2.16, jinja2
  // 3.1.2 -> 3.1.3, idna 3.6 -> 3.7, urllib3 2.0.5 -> 2.0.6; idna is indirect in the poetry project.
  const diff = [
    '--- a/poetry/pyproject.toml',
    '+++ b/poetry/pyproject.toml',
    '@@ -7,8 +7,8 @@',
    ' ',
    ' [tool.poetry.dependencies]',
    ' python = "^3.11"',
    '-django = "^4.2"  # framework: stays on 4.x',
    '+django = "^4.2.16"  # framework: stays on 4.x',
    ' requests = { version = "^2.31", extras = ["socks"] }',
    ' ',
    ' [tool.poetry.group.test.dependencies]',
    "-jinja2 = '>=3.1,<4'",
    "+jinja2 = '>=3.1.3,<4'",
    '--- a/uv/pyproject.toml',
    '+++ b/uv/pyproject.toml',
    '@@ -5,9 +5,9 @@',
    ' requires-python = ">=3.10"',
    ' dependencies = [',
    '     # the web framework',
    '-    "Django>=4.2,<5",',
    `-    "idna >=3.4 ; python_version >= '3.8'",`,
    '+    "Django>=4.2.16,<5",',
    `+    "idna >=3.7 ; python_version >= '3.8'",`,
    ' ]',
    ' ',
    ' [project.optional-dependencies]',
    '-http = ["urllib3[socks]~=2.0"]',
    '+http = ["urllib3[socks]>=2.0.6,~=2.0"]',
    '',
  ].join('\n');

  it('--dry-run prints the unified diff and leaves both files untouched', async () => {
    const dir = copyScenario('remediation-pyproject');
    const files = ['poetry/pyproject.toml', 'uv/pyproject.toml'].map((file) => path.join(dir, file));
    const bytes = files.map((file) => readFileSync(file));
    const run = await runCli(['fix', '--dry-run', '--offline', '--db', store, 'poetry', 'uv'], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(diff);
    files.forEach((file, index) => {
      expect(readFileSync(file).equals(bytes[index] as Buffer)).toBe(true);
    });
  });

  it('rewrites the constraints, keeps the rest byte for byte, and prints the lockfile commands', async () => {
    const dir = copyScenario('remediation-pyproject');
    const read = (file: string): string => readFileSync(path.join(dir, file), 'utf8');
    const poetry = read('poetry/pyproject.toml');
    const uv = read('uv/pyproject.toml');
    const run = await runCli(['fix', '--offline', '--db', store, 'poetry', 'uv'], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(0);
    expect(read('poetry/pyproject.toml')).toBe(poetry.replace('django = "^4.2"', 'django = "^4.2.16"').replace("jinja2 = '>=3.1,<4'", "jinja2 = '>=3.1.3,<4'"));
    expect(read('uv/pyproject.toml')).toBe(
      uv
        .replace('"Django>=4.2,<5"', '"Django>=4.2.16,<5"')
        .replace('"idna >=3.4 ;', '"idna >=3.7 ;')
        .replace('"urllib3[socks]~=2.0"', '"urllib3[socks]>=2.0.6,~=2.0"'),
    );
    expect(run.stdout.split('\n').filter((line) => /^(constraint|run):/.test(line))).toEqual([
      'constraint: poetry/pyproject.toml:10: django "^4.2" -> "^4.2.16" (tool.poetry.dependencies); then run: poetry update django',
      'run: poetry update idna    # poetry/poetry.lock: idna 3.6 -> 3.7',
      'constraint: poetry/pyproject.toml:14: jinja2 ">=3.1,<4" -> ">=3.1.3,<4" (tool.poetry.group.test.dependencies); then run: poetry update jinja2',
      'constraint: uv/pyproject.toml:8: django ">=4.2,<5" -> ">=4.2.16,<5" (project.dependencies); then run: uv lock --upgrade-package django==4.2.16',
      'constraint: uv/pyproject.toml:9: idna ">=3.4" -> ">=3.7" (project.dependencies); then run: uv lock --upgrade-package idna==3.7',
      'constraint: uv/pyproject.toml:13: urllib3 "~=2.0" -> ">=2.0.6,~=2.0" (project.optional-dependencies.http); then run: uv lock --upgrade-package urllib3==2.0.6',
    ]);
  });

  it('never touches a pyproject.toml that does not parse', async () => {
    const dir = copyScenario('remediation-pyproject');
    const file = path.join(dir, 'uv-broken', 'pyproject.toml');
    const bytes = readFileSync(file);
    const run = await runCli(['fix', '--offline', '--db', store, 'uv-broken'], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^not applied: idna 3\.6 -> 3\.7: uv-broken\/pyproject\.toml: not valid TOML \(.+\); not changed; run instead: uv lock --upgrade-package idna==3\.7$/m);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });
});
