// What a user of pip-audit, osv-scanner or Trivy types first: short flags, their own flag names,
// typos, -q in CI. Every answer is vigil's own one-line message with a way forward.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { importInto } from '../helpers/audit-requirements.js';
import { repoRoot } from '../helpers/shared-data.js';
import { hasStackTrace, runCli } from './run-cli.js';

let store: string;
let project: string;
beforeAll(async () => {
  store = path.join(mkdtempSync(path.join(os.tmpdir(), 'vigil-conventions-')), 'advisories.db');
  await importInto(store, path.join(repoRoot, 'test', 'data', 'osv', 'pypi-legacy-versions'));
  project = mkdtempSync(path.join(os.tmpdir(), 'vigil-conventions-project-'));
  // cherrypy 2.0.0-final is listed by PYSEC-2006-1 (published 2006): blocking, long overdue.
  writeFileSync(path.join(project, 'requirements.txt'), 'cherrypy==2.0.0-final\n');
  mkdirSync(path.join(project, 'reqs'));
  writeFileSync(path.join(project, 'reqs', 'base.txt'), 'cherrypy==2.0.0-final\n');
});

describe('flags', () => {
  it.each([
    { args: ['-x'], message: 'vigil: audit: unknown option -x', hint: 'hint: see "vigil audit --help"' },
    { args: ['--formt', 'json'], message: 'vigil: audit: unknown option --formt', hint: 'hint: did you mean --format? (see "vigil audit --help")' },
    { args: ['--strcit'], message: 'vigil: audit: unknown option --strcit', hint: 'hint: did you mean --strict?' },
    { args: ['--ignore-vuln', 'PYSEC-2006-1'], message: 'vigil: audit: unknown option --ignore-vuln', hint: 'hint: exceptions are governed in vigil.yaml' },
    { args: ['--desc'], message: 'vigil: audit: unknown option --desc', hint: 'hint: every report carries the advisory summaries' },
  ])('$args.0 is a usage error in vigil\'s words (exit 2)', async ({ args, message, hint }) => {
    const run = await runCli(['audit', ...args, '--offline', '--db', store, 'requirements.txt'], { cwd: project });
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toBe(message);
    expect(lines[1]?.trim().startsWith(hint)).toBe(true);
    expect(run.stderr).not.toContain("'");
    expect(hasStackTrace(run.stderr)).toBe(false);
  });

  it('-f is --format', async () => {
    const run = await runCli(['audit', '-f', 'json', '--offline', '--db', store, 'requirements.txt'], { cwd: project });
    expect((JSON.parse(run.stdout) as { findings: { id: string }[] }).findings.map((finding) => finding.id)).toEqual(['PYSEC-2006-1']);
  });

  it('audit --help lists every report format', async () => {
    const run = await runCli(['audit', '--help']);
    for (const format of ['table', 'json', 'sarif', 'markdown', 'junit', 'github', 'cyclonedx', 'html']) expect(run.stdout).toContain(format);
  });
});

describe('files of any name', () => {
  it.each([
    { name: '-r', args: ['-r', 'reqs/base.txt'] },
    { name: '--requirement', args: ['--requirement', 'reqs/base.txt'] },
    { name: '-L FORMAT:FILE', args: ['-L', 'requirements.txt:reqs/base.txt'] },
  ])('$name reads reqs/base.txt as a requirements file', async ({ args }) => {
    const run = await runCli(['audit', ...args, '--offline', '--db', store, '-f', 'json'], { cwd: project });
    expect(run.stderr).toMatch(/^read reqs\/base\.txt \(requirements\.txt\): 1 packages/m);
    expect((JSON.parse(run.stdout) as { findings: { id: string }[] }).findings.map((finding) => finding.id)).toEqual(['PYSEC-2006-1']);
    expect(run.code).toBe(1);
  });

  it.each([
    { name: 'without a format, the name decides: not a dependency file', args: ['reqs/base.txt'], message: /^vigil: reqs\/base\.txt: not a supported dependency file$/m, hint: /hint: name its format with --lockfile FORMAT:FILE/ },
    { name: 'an unknown format', args: ['-L', 'bogus:reqs/base.txt'], message: /^vigil: unknown dependency file format "bogus" for reqs\/base\.txt$/m, hint: /hint: formats: .*requirements\.txt/ },
    { name: 'no FORMAT:', args: ['-L', 'reqs/base.txt'], message: /^vigil: audit: --lockfile "reqs\/base\.txt" is not FORMAT:FILE$/m, hint: /hint: e\.g\./ },
  ])('$name is a usage error (exit 2)', async ({ args, message, hint }) => {
    const run = await runCli(['audit', ...args, '--offline', '--db', store], { cwd: project });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(hint);
  });
});

describe('--exclude and the policy\'s exclude', () => {
  let checkout: string;
  beforeAll(() => {
    checkout = mkdtempSync(path.join(os.tmpdir(), 'vigil-exclude-'));
    mkdirSync(path.join(checkout, 'app'));
    writeFileSync(path.join(checkout, 'app', 'requirements.txt'), 'cherrypy==2.0.0-final\n');
    // A test fixture that is broken on purpose: an empty lockfile is an input error.
    mkdirSync(path.join(checkout, 'test', 'fixtures', 'broken'), { recursive: true });
    writeFileSync(path.join(checkout, 'test', 'fixtures', 'broken', 'poetry.lock'), '');
  });
  const audit = (args: string[], policy?: string) => {
    if (policy !== undefined) writeFileSync(path.join(checkout, 'vigil.yaml'), policy);
    return runCli(['audit', '--offline', '--db', store, ...args], { cwd: checkout });
  };

  it.each([
    { name: 'without an exclude the broken fixture stops the audit', args: ['.'], policy: 'version: 1\n', code: 2, read: [] as string[] },
    { name: '--exclude skips it', args: ['--exclude', 'test/**', '.'], policy: 'version: 1\n', code: 1, read: ['app/requirements.txt'] },
    { name: 'the policy key skips it', args: ['.'], policy: "version: 1\nexclude: ['test/**']\n", code: 1, read: ['app/requirements.txt'] },
    { name: 'a folder named on the command line is searched whatever the globs say', args: ['test/fixtures'], policy: "version: 1\nexclude: ['test/**']\n", code: 2, read: [] },
  ])('$name', async ({ args, policy, code, read }) => {
    const run = await audit(args, policy);
    expect(run.code, run.stderr).toBe(code);
    expect([...run.stderr.matchAll(/^read (\S+) /gm)].map((match) => match[1])).toEqual(read);
    if (code === 2) expect(run.stderr).toMatch(/poetry\.lock: the file is empty/);
  });
});

describe('output paths', () => {
  it('-o into a missing folder is refused before the audit runs (exit 2, not the missing store\'s 3)', async () => {
    const run = await runCli(['audit', '--offline', '--db', path.join(project, 'no-store.db'), '-f', 'json', '-o', 'out/report.json', 'requirements.txt'], { cwd: project });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe('vigil: out/report.json: cannot write: folder out does not exist (ENOENT)');
  });

  it('so is vigil plan -o', async () => {
    const run = await runCli(['plan', '--offline', '--db', path.join(project, 'no-store.db'), '-o', 'out/plan.txt', 'requirements.txt'], { cwd: project });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe('vigil: out/plan.txt: cannot write: folder out does not exist (ENOENT)');
  });
});

describe('-q', () => {
  it('prints the counts, overdue items as a count and the verdict, nothing one by one', async () => {
    const run = await runCli(['audit', '-q', '--offline', '--db', store, 'requirements.txt'], { cwd: project });
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^gate: 1 blocking, 0 unevaluable, /);
    expect(lines[1]).toBe('overdue: 1 blocking finding is past their due date');
    expect(lines[2]).toBe('vigil: gate FAILED');
  });

  it('without -q the overdue finding is named', async () => {
    const run = await runCli(['audit', '--offline', '--db', store, 'requirements.txt'], { cwd: project });
    expect(run.stderr).toMatch(/^overdue: PYSEC-2006-1 in cherrypy 2\.0\.0-final was due 2006-03-01 \(high\)$/m);
  });
});
