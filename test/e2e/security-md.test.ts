import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shared } from '../helpers/shared-data.js';
import { hasStackTrace, runCli } from './run-cli.js';

// A git repository with two commits: v1.0.0 locks idna 3.6 (PYSEC-2024-60, fixed in 3.7) and
// requests 2.30.0 (PYSEC-2023-74, fixed in 2.31.0); the next commit locks the fixed versions.

const gitEnv = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.org',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.org',
  GIT_CONFIG_NOSYSTEM: '1',
};

let work: string;
let repo: string;
let store: string;

function git(...args: string[]): void {
  execFileSync('git', args, { cwd: repo, env: { ...process.env, ...gitEnv, HOME: work }, stdio: 'ignore' });
}

const intro = '# Security policy\n\nReport vulnerabilities privately to security@example.org.\n\n';
const outro = '\n## Supported versions\n\nOnly the latest release.\n';

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'vigil-security-md-e2e-'));
  repo = path.join(work, 'project');
  store = path.join(work, 'advisories.db');
  execFileSync('git', ['init', '-q', repo], { env: { ...process.env, ...gitEnv, HOME: work } });
  writeFileSync(path.join(repo, 'requirements.txt'), 'idna==3.6\nrequests==2.30.0\n');
  git('add', 'requirements.txt');
  git('commit', '-q', '-m', 'first release');
  git('tag', 'v1.0.0');
  writeFileSync(path.join(repo, 'requirements.txt'), 'idna==3.7\nrequests==2.31.0\n');
  git('commit', '-q', '-a', '-m', 'upgrade');
  const imported = await runCli(['db', 'import', '--db', store, shared('osv', 'pypi-pysec', 'vulns', 'idna'), shared('osv', 'pypi-pysec', 'vulns', 'requests')]);
  expect(imported.code, imported.stderr).toBe(0);
});

afterAll(() => { rmSync(work, { recursive: true, force: true }); });

const report = (...extra: string[]) => runCli(['report', 'security-md', '--db', store, '--offline', ...extra], { cwd: repo });

describe('vigil report security-md', () => {
  it('lists exactly the upgrades since the tag and the advisories they fixed; --check agrees; edits are caught', async () => {
    const file = path.join(repo, 'SECURITY.md');
    writeFileSync(file, `${intro}<!-- vigil:dependency-security:start -->\nstale\n<!-- vigil:dependency-security:end -->\n${outro}`);

    const first = await report('--since', 'v1.0.0');
    expect(first.code, first.stderr).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith(`${intro}<!-- vigil:dependency-security:start -->\n`)).toBe(true);
    expect(text.endsWith(`<!-- vigil:dependency-security:end -->\n${outro}`)).toBe(true);
    expect(text).toContain('Since `v1.0.0`: 2 upgrades fixed 2 advisories.');
    const rows = text.split('\n').filter((line) => /^\| [a-z]/.test(line) && !line.startsWith('| package |'));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^\| idna \| 3\.6 \| 3\.7 \| PYSEC-2024-60 \(.*CVE-2024-3651.*\) \|$/);
    expect(rows[1]).toMatch(/^\| requests \| 2\.30\.0 \| 2\.31\.0 \| PYSEC-2023-74 \(.*CVE-2023-32681.*\) \|$/);
    expect(text).toContain('All known vulnerabilities in the locked dependencies are resolved');
    expect(text).toContain('- critical: within 24 hours');

    const upToDate = await report('--since', 'v1.0.0', '--check');
    expect(upToDate.code, upToDate.stderr).toBe(0);
    // The default ref is the last tag: the same section.
    expect((await report('--check')).code).toBe(0);

    writeFileSync(file, text.replace('| idna | 3.6 | 3.7 |', '| idna | 3.5 | 3.7 |'));
    const stale = await report('--since', 'v1.0.0', '--check');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/^vigil: SECURITY\.md is out of date/m);
    expect(readFileSync(file, 'utf8')).toContain('| idna | 3.5 | 3.7 |');

    const rewritten = await report('--since', 'v1.0.0');
    expect(rewritten.code, rewritten.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('compared with the current commit, nothing was fixed', async () => {
    const run = await report('--since', 'HEAD', '--file', 'OTHER.md');
    expect(run.code, run.stderr).toBe(0);
    const text = readFileSync(path.join(repo, 'OTHER.md'), 'utf8');
    expect(text).toContain('No dependency upgrade since `HEAD` fixed a known vulnerability.');
    expect(text).toMatch(/^## Dependency security$/m);
  });

  it.each([
    { name: 'an unknown ref', cwd: () => repo, args: ['--since', 'v9.9.9'], line: /^vigil: --since: unknown git ref "v9\.9\.9"$/m },
    { name: 'a folder outside git', cwd: () => work, args: ['--since', 'v1.0.0'], line: /^vigil: recently fixed: .* is not in a git repository/m },
  ])('$name is a one-line usage error', async ({ cwd, args, line }) => {
    writeFileSync(path.join(work, 'requirements.txt'), 'idna==3.7\n');
    const run = await runCli(['report', 'security-md', '--db', store, '--offline', ...args], { cwd: cwd() });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(line);
    expect(hasStackTrace(run.stderr)).toBe(false);
  });

  it('prints its help with the exit codes', async () => {
    const run = await runCli(['report', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: vigil report security-md');
    expect(run.stdout).toMatch(/Exit codes:\n {2}0 /);
  });
});
