import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { osvRecord } from '../helpers/osv-records.js';
import { fixture } from '../helpers/shared-data.js';
import { cliPath, hasStackTrace, runCli } from './run-cli.js';

// Exit codes when the report cannot be written: `-o FILE` on a full disk, into a read-only or
// missing folder, and stdout on a full disk or closed by its reader. These used to end in exit 70
// naming vigil's hidden temporary file, or in a stack trace and exit 1 after a passed gate.

let work: string;
let store: string;
/** A project whose gate passes (no advisory for its packages). */
const passing = fixture('e2e', 'requirements-clean');
/** A project whose gate fails: vigil-test-failing 1.0.0 is affected by a record without severity (counts as high). */
let failing: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'vigil-output-'));
  store = path.join(work, 'advisories.db');
  // Modified now, so the data is never too old for the gate.
  const record = path.join(work, 'VIGIL-TEST-OUTPUT-1.json');
  writeFileSync(record, JSON.stringify(osvRecord('VIGIL-TEST-OUTPUT-1', 'vigil-test-failing', new Date().toISOString())));
  const imported = await runCli(['db', 'import', '--db', store, record]);
  expect(imported.code, imported.stderr).toBe(0);
  failing = path.join(work, 'failing');
  mkdirSync(failing);
  writeFileSync(path.join(failing, 'requirements.txt'), 'vigil-test-failing==1.0.0\n');
}, 60_000);
afterAll(() => {
  // A folder made read-only for a case must be writable again to be removed.
  if (existsSync(path.join(work, 'read-only'))) chmodSync(path.join(work, 'read-only'), 0o755);
  rmSync(work, { recursive: true, force: true });
});

const isRoot = process.getuid?.() === 0;
const linux = process.platform === 'linux';

interface OutputCase {
  readonly name: string;
  /** The -o path; made in `work`. */
  readonly target: () => string;
  readonly want: RegExp;
  /** Why the case cannot run here, if it cannot. */
  readonly skip?: string | false;
}

const outputCases: OutputCase[] = [
  {
    // Through a link of our own: a vigil that renamed a temporary file over its target would
    // replace the link, never /dev/full itself (it would have, as root, given /dev/full).
    name: 'disk full (a link to /dev/full)',
    target: () => {
      const link = path.join(work, 'full-disk.json');
      if (!existsSync(link)) symlinkSync('/dev/full', link);
      return link;
    },
    want: /cannot write: no space left on device \(ENOSPC\)$/,
    skip: !existsSync('/dev/full') && 'no /dev/full',
  },
  { name: 'missing folder', target: () => path.join(work, 'no-such-folder', 'report.json'), want: /cannot write: folder \S+no-such-folder does not exist \(ENOENT\)$/ },
  {
    name: 'a parent that is a file',
    target: () => {
      writeFileSync(path.join(work, 'plain-file'), 'x');
      return path.join(work, 'plain-file', 'report.json');
    },
    want: /cannot write: \S+plain-file is not a folder \(ENOTDIR\)$/,
  },
  {
    name: 'a folder',
    target: () => {
      mkdirSync(path.join(work, 'a-folder'), { recursive: true });
      return path.join(work, 'a-folder');
    },
    want: /cannot write: is a folder \(EISDIR\)$/,
  },
  {
    name: 'read-only folder (chmod 0555)',
    target: () => {
      const dir = path.join(work, 'read-only');
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o555);
      return path.join(dir, 'report.json');
    },
    want: /cannot write: permission denied \(EACCES\)$/,
    skip: isRoot && 'root ignores file modes',
  },
  // sysfs lets no one create a file, root included.
  { name: 'a folder no one may write (/sys/kernel)', target: () => '/sys/kernel/vigil-report.json', want: /cannot write: (permission denied \(EACCES\)|operation not permitted \(EPERM\))$/, skip: !(linux && existsSync('/sys/kernel')) && 'no /sys/kernel' },
];

describe('audit -o FILE that cannot be written', () => {
  const skipped = outputCases.filter((entry) => entry.skip);
  if (skipped.length > 0) it.skip.each(skipped)('$name (skipped: $skip)', () => undefined);
  it.each(outputCases.filter((entry) => !entry.skip))('$name: exit 2, one line naming the path', async ({ target, want }) => {
    const file = target();
    const folder = path.dirname(file);
    const isFolder = existsSync(folder) && lstatSync(folder).isDirectory() && !folder.startsWith('/dev') && !folder.startsWith('/sys');
    const before = isFolder ? readdirSync(folder) : [];
    const run = await runCli(['audit', '-q', '--db', store, '--format', 'json', '-o', file, passing]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^vigil: ${file}: `));
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr.trimEnd()).toMatch(want);
    expect(run.stderr).not.toMatch(/\.tmp\b/);
    expect(hasStackTrace(run.stderr)).toBe(false);
    // No hidden temporary file left where one could be made.
    if (isFolder) expect(readdirSync(folder)).toEqual(before);
  });
});

describe('audit -o FILE that is not a plain file', () => {
  it.skipIf(process.platform === 'win32')('a FIFO is written in place and stays a FIFO', async () => {
    const fifo = path.join(work, 'report.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'ignore'] });
    let received = '';
    reader.stdout.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    const readerDone = new Promise<void>((resolve) => reader.on('close', () => { resolve(); }));
    const run = await runCli(['audit', '-q', '--db', store, '--format', 'json', '-o', fifo, passing]);
    // An earlier vigil renamed its temporary file over the FIFO: the reader then waits forever.
    const timer = setTimeout(() => reader.kill(), 5000);
    await readerDone;
    clearTimeout(timer);
    expect(run.code, run.stderr).toBe(0);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(JSON.parse(received)).toMatchObject({ findings: [] });
  });

  it('a symlink keeps pointing at its file, which gets the report', async () => {
    const real = path.join(work, 'real-report.json');
    const link = path.join(work, 'link-report.json');
    writeFileSync(real, 'old');
    chmodSync(real, 0o600);
    symlinkSync(real, link);
    const run = await runCli(['audit', '-q', '--db', store, '--format', 'json', '-o', link, passing]);
    expect(run.code, run.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(real, 'utf8'))).toMatchObject({ findings: [] });
    // Replacing a private file keeps it private.
    expect(lstatSync(real).mode & 0o777).toBe(0o600);
  });
});

/** Runs the CLI with its stdout on /dev/full, or on a pipe whose reader has gone (EPIPE). */
function runWithStdout(args: readonly string[], stdout: 'full' | 'closed'): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const fd = stdout === 'full' ? openSync('/dev/full', 'w') : undefined;
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', CI: 'true', NO_COLOR: '1', VIGIL_OSV_MIRROR: 'http://127.0.0.1:9' },
      stdio: ['ignore', fd ?? 'pipe', 'pipe'],
    });
    if (fd !== undefined) closeSync(fd);
    // The reader goes away before vigil writes anything: every write to stdout fails with EPIPE.
    child.stdout?.destroy();
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => { resolve({ code, stderr }); });
  });
}

interface StdoutCase {
  readonly name: string;
  readonly stdout: 'full' | 'closed';
  readonly project: () => string;
  readonly format: string;
  readonly exit: number;
  /** Expected last line of stderr, if it must be vigil's output error. */
  readonly outputError: boolean;
}

const stdoutCases: StdoutCase[] = [
  { name: 'a passed gate on a full disk is an output error', stdout: 'full', project: () => passing, format: 'table', exit: 2, outputError: true },
  { name: 'a failed gate on a full disk is an output error too', stdout: 'full', project: () => failing, format: 'json', exit: 2, outputError: true },
  { name: 'a passed gate whose reader went away stays passed', stdout: 'closed', project: () => passing, format: 'json', exit: 0, outputError: false },
  { name: 'a failed gate whose reader went away stays failed', stdout: 'closed', project: () => failing, format: 'table', exit: 1, outputError: false },
];

describe('audit with stdout that cannot be written', () => {
  it.each(stdoutCases.filter((entry) => entry.stdout === 'closed' || existsSync('/dev/full')))('$name', async ({ stdout, project, format, exit, outputError }) => {
    const run = await runWithStdout(['audit', '--db', store, '--format', format, project()], stdout);
    expect(run.code, run.stderr).toBe(exit);
    expect(hasStackTrace(run.stderr), run.stderr).toBe(false);
    expect(run.stderr).not.toMatch(/Unhandled 'error' event/);
    const errors = run.stderr.split('\n').filter((line) => line.includes('cannot write to stdout'));
    if (outputError) expect(errors).toEqual(['vigil: cannot write to stdout: no space left on device (ENOSPC)']);
    else expect(errors).toEqual([]);
  });
});
