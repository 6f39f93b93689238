import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from './run-cli.js';

// A hostile pull request puts control characters into a lockfile and a hostile mirror into an
// advisory: neither may start a GitHub Actions workflow command (a line beginning with `::`) or
// reach the terminal as ESC/CR sequences, on stderr or in the table.

const INJECTED = '\n::error title=injected::pwned\u001b[31m\r';

let work: string;
let project: string;
let store: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'vigil-hostile-'));
  project = path.join(work, 'project');
  store = path.join(work, 'advisories.db');
  mkdirSync(project);
  const record = {
    schema_version: '1.6.0',
    id: 'GHSA-xxxx-hostile-0001',
    // Recent, whatever day the test runs: within the default max_db_age and no SLA overdue yet.
    modified: new Date(Date.now() - 86_400_000).toISOString(),
    published: new Date(Date.now() - 2 * 86_400_000).toISOString(),
    summary: `Prototype pollution${INJECTED}\u202Eevil`,
    affected: [{ package: { ecosystem: 'npm', name: 'evil-pkg' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }] }],
  };
  writeFileSync(path.join(work, 'record.json'), JSON.stringify(record));
  // A package whose name carries a clear-screen sequence, and an advisory for it.
  const named = { ...record, id: 'GHSA-xxxx-hostile-0002', affected: [{ ...record.affected[0], package: { ecosystem: 'npm', name: HOSTILE_NAME } }] };
  writeFileSync(path.join(work, 'record-2.json'), JSON.stringify(named));
  const lock = {
    name: 'hostile',
    version: '1.0.0',
    lockfileVersion: 3,
    packages: {
      '': { name: 'hostile', version: '1.0.0', dependencies: { 'evil-pkg': '^1.0.0', bad: '*' } },
      'node_modules/evil-pkg': { version: '1.0.0' },
      'node_modules/bad': { version: `1.0.0${INJECTED}` },
      [`node_modules/${HOSTILE_NAME}`]: { version: '1.0.0' },
    },
  };
  writeFileSync(path.join(project, 'package-lock.json'), JSON.stringify(lock, null, 2));
  const imported = await runCli(['db', 'import', '--db', store, path.join(work, 'record.json'), path.join(work, 'record-2.json')]);
  expect(imported.code, imported.stderr).toBe(0);
}, 60_000);

afterAll(() => { rmSync(work, { recursive: true, force: true }); });

const HOSTILE_NAME = 'evil\u001b[2Jpkg';
const linesOf = (text: string): string[] => text.split('\n');
const hasControl = (text: string): boolean => ['\u001b', '\r', '\u202e'].some((char) => text.includes(char));

describe('text from input cannot steer the log', () => {
  it('table and stderr: no workflow command, no ESC or CR, the injected text shown visibly', async () => {
    const run = await runCli(['audit', '--offline', '--db', store, 'package-lock.json'], { cwd: project });
    expect(run.code, run.stderr).toBe(1); // evil-pkg 1.0.0 is affected; unknown severity blocks
    expect(hasStackTrace(run.stderr)).toBe(false);
    for (const output of [run.stdout, run.stderr]) {
      expect(linesOf(output).filter((line) => line.startsWith('::'))).toEqual([]);
      expect(hasControl(output)).toBe(false);
    }
    // The skipped entry names the version as written, control characters made visible.
    expect(run.stderr).toContain('1.0.0\\n::error title=injected::pwned\\x1b[31m\\r');
    expect(run.stdout).toMatch(/BLOCKS\s+evil-pkg\s+1\.0\.0/);
  });

  it('vigil plan (table): no workflow command, no ESC, CR or bidi control on stdout or stderr', async () => {
    const run = await runCli(['plan', '--offline', '--db', store, 'package-lock.json'], { cwd: project });
    expect(hasStackTrace(run.stderr)).toBe(false);
    expect(run.stdout).toContain('evil-pkg');
    // The package name from the lockfile is in the plan, its escape sequence written visibly.
    expect(run.stdout).toContain('evil\\x1b[2Jpkg');
    for (const output of [run.stdout, run.stderr]) {
      expect(linesOf(output).filter((line) => line.startsWith('::'))).toEqual([]);
      expect(hasControl(output)).toBe(false);
    }
  });

  it('--format github: the only lines starting with :: are vigil\'s own annotations', async () => {
    const run = await runCli(['audit', '--offline', '--db', store, '--format', 'github', 'package-lock.json'], { cwd: project });
    expect(run.code, run.stderr).toBe(1);
    const commands = linesOf(run.stdout).filter((line) => line.startsWith('::'));
    expect(commands.length).toBeGreaterThan(0);
    for (const line of commands) expect(line).toMatch(/^::(error|warning|notice)( [^:]*)?::/);
    expect(run.stdout).not.toContain('::error title=injected');
    expect(hasControl(run.stdout)).toBe(false);
  });
});
