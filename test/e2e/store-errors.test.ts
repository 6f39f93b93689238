import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, truncateSync, statSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { osvRecord, writeRecordSet } from '../helpers/osv-records.js';
import { fixture } from '../helpers/shared-data.js';
import { hasStackTrace, runCli, type CliRun } from './run-cli.js';
import { overwritePage, rootPageOf } from '../helpers/damaged-store.js';

// Every store failure is exit 3 with one line naming the store (or the URL), never exit 70:
// stores that cannot be written, damaged stores, a store another writer holds, and downloads
// that hang. And db update rejects malformed entries the way db import does (exit 2).

let work: string;
/** A healthy store of 1,500 fresh records (a few hundred pages). */
let store: string;
let records: string;
const project = fixture('e2e', 'requirements-clean');
const isRoot = process.getuid?.() === 0;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'vigil-store-errors-'));
  store = path.join(work, 'healthy.db');
  records = path.join(work, 'records');
  writeRecordSet(records, 'store', 1500, new Date().toISOString());
  const imported = await runCli(['db', 'import', '--db', store, records]);
  expect(imported.code, imported.stderr).toBe(0);
}, 120_000);
afterAll(() => {
  // A folder made read-only for a case must be writable again to be removed.
  if (existsSync(path.join(work, 'read-only-folder'))) chmodSync(path.join(work, 'read-only-folder'), 0o755);
  rmSync(work, { recursive: true, force: true });
});

let copies = 0;
/** A copy of the healthy store, changed by `damage`. */
function damagedCopy(damage: (file: string) => void): string {
  const file = path.join(work, `copy-${++copies}.db`);
  copyFileSync(store, file);
  damage(file);
  return file;
}



function pageCountOf(file: string): number {
  const db = new Database(file, { readonly: true });
  const count = db.pragma('page_count', { simple: true }) as number;
  db.close();
  return count;
}

/** One line `vigil: <subject>: ...` (and an optional hint line), no stack. */
function expectOneError(run: CliRun, exit: number, subject: string, want: RegExp): void {
  expect(run.code, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(exit);
  expect(hasStackTrace(run.stderr)).toBe(false);
  // The error line, not the one saying what vigil waits for.
  const errors = run.stderr.split('\n').filter((line) => line.startsWith('vigil: ') && !line.startsWith('vigil: waiting '));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(new RegExp(`^vigil: ${escape(subject)}: `));
  expect(errors[0]).toMatch(want);
  expect(errors[0]).not.toMatch(/\.tmp\b/);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface StoreCase {
  readonly name: string;
  /** The store path; made in `work`. */
  readonly store: () => string;
  readonly args: (storePath: string) => string[];
  readonly want: RegExp;
  readonly skip?: string | false;
  /** The store file must be byte for byte as before. */
  readonly unchanged?: boolean;
}

const importArgs = (storePath: string): string[] => ['db', 'import', '--db', storePath, fixture('advisories', 'mixed', 'valid-pypi-record.json')];
const auditArgs = (storePath: string): string[] => ['audit', '-q', '--db', storePath, project];
const statusArgs = (storePath: string): string[] => ['db', 'status', '--db', storePath];

const storeCases: StoreCase[] = [
  {
    name: 'db import whose store folder cannot be created (/sys/kernel)',
    store: () => '/sys/kernel/vigil-test/advisories.db',
    args: importArgs,
    want: /cannot write advisory store: cannot create its folder \/sys\/kernel\/vigil-test: /,
    skip: !existsSync('/sys/kernel') && 'no /sys/kernel',
  },
  {
    name: 'db import into a folder no one may write (/sys/kernel)',
    store: () => '/sys/kernel/vigil-test.db',
    args: importArgs,
    want: /cannot write advisory store: cannot create its lock file /,
    skip: !existsSync('/sys/kernel') && 'no /sys/kernel',
  },
  {
    name: 'db import into a read-only folder (chmod 0555)',
    store: () => {
      const dir = path.join(work, 'read-only-folder');
      mkdirSync(dir, { recursive: true });
      const file = path.join(dir, 'advisories.db');
      copyFileSync(store, file);
      chmodSync(dir, 0o555);
      return file;
    },
    args: importArgs,
    want: /cannot write advisory store: .*permission denied \(EACCES\)/,
    skip: isRoot && 'root ignores file modes',
    unchanged: true,
  },
  {
    name: 'db import into a read-only store file (chmod 0444)',
    store: () => {
      const file = path.join(work, 'read-only.db');
      copyFileSync(store, file);
      chmodSync(file, 0o444);
      return file;
    },
    args: importArgs,
    want: /cannot write advisory store: the store file is read-only \(EACCES\)$/,
    skip: isRoot && 'root ignores file modes',
    unchanged: true,
  },
  {
    name: 'audit of a store truncated to half its size',
    store: () => damagedCopy((file) => { truncateSync(file, Math.floor(statSync(file).size / 2)); }),
    args: auditArgs,
    want: /advisory store is damaged|not a vigil advisory store/,
  },
  {
    name: 'db import into a store truncated to half its size',
    store: () => damagedCopy((file) => { truncateSync(file, Math.floor(statSync(file).size / 2)); }),
    args: importArgs,
    want: /advisory store is damaged|not a vigil advisory store/,
    unchanged: true,
  },
  {
    name: 'audit of a store with garbage over the package index it reads',
    store: () => damagedCopy((file) => { overwritePage(file, rootPageOf(file, 'affected')); }),
    args: auditArgs,
    want: /: advisory store is damaged: database disk image is malformed$/,
  },
  {
    name: 'db status of a store with garbage over a page in the middle',
    store: () => damagedCopy((file) => { overwritePage(file, Math.floor(pageCountOf(file) / 2)); }),
    args: statusArgs,
    want: /: advisory store is damaged: /,
  },
  {
    name: 'db import into a store with garbage over a page in the middle',
    store: () => damagedCopy((file) => { overwritePage(file, Math.floor(pageCountOf(file) / 2)); }),
    args: importArgs,
    want: /: advisory store is damaged: /,
    unchanged: true,
  },
];

describe('stores that cannot be read or written: exit 3 naming the store', () => {
  const skipped = storeCases.filter((entry) => entry.skip);
  if (skipped.length > 0) it.skip.each(skipped)('$name (skipped: $skip)', () => undefined);
  it.each(storeCases.filter((entry) => !entry.skip))('$name', async ({ store: make, args, want, unchanged }) => {
    const storePath = make();
    const before = unchanged ? readFileSync(storePath) : undefined;
    const run = await runCli(args(storePath));
    expectOneError(run, 3, storePath, want);
    if (before !== undefined) expect(readFileSync(storePath).equals(before)).toBe(true);
  });

  it('db status of the healthy store passes its check', async () => {
    const run = await runCli(statusArgs(store));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^records: 1500 /m);
  });
});

describe('a store another writer holds', () => {
  let holder: ChildProcess;
  beforeAll(() => {
    holder = spawn(process.execPath, ['-e', 'setTimeout(() => undefined, 60000)'], { stdio: 'ignore' });
  });
  afterAll(() => {
    holder.kill();
  });

  it('db import waits --lock-timeout, then exits 3 naming the store, the holder and the lock file', async () => {
    const storePath = damagedCopy(() => undefined);
    const lockPath = `${storePath}.lock`;
    writeFileSync(lockPath, `${JSON.stringify({ pid: holder.pid, hostname: os.hostname(), since: '2024-05-01T00:00:00.000Z' })}\n`);
    const before = readFileSync(storePath);
    const started = Date.now();
    const run = await runCli(['db', 'import', '--db', storePath, '--lock-timeout', '1s', records]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expectOneError(
      run,
      3,
      storePath,
      new RegExp(`another vigil process \\(pid ${holder.pid ?? 0} on .+, since 2024-05-01T00:00:00.000Z\\) is writing the advisory store; gave up waiting after 1s$`),
    );
    expect(run.stderr).toMatch(new RegExp(`^vigil: waiting up to 1s for pid ${holder.pid ?? 0} on .+ to finish writing ${escape(storePath)}$`, 'm'));
    expect(run.stderr).toContain(`delete ${lockPath}`);
    expect(readFileSync(storePath).equals(before)).toBe(true);
    expect(existsSync(lockPath)).toBe(true);
    rmSync(lockPath);
  });

  it('a lock left by a writer that was killed is taken over', async () => {
    const storePath = damagedCopy(() => undefined);
    const dead = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((resolve) => dead.on('close', resolve));
    writeFileSync(`${storePath}.lock`, `${JSON.stringify({ pid: dead.pid, hostname: os.hostname(), since: '2024-05-01T00:00:00.000Z' })}\n`);
    writeFileSync(`${storePath}.${dead.pid ?? 0}.0badc0de.tmp`, 'copy of a killed writer');
    const run = await runCli(importArgs(storePath));
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(`${storePath}.lock`)).toBe(false);
    expect(existsSync(`${storePath}.${dead.pid ?? 0}.0badc0de.tmp`)).toBe(false);
  });
});

/** A server on 127.0.0.1 that accepts connections and then behaves badly. */
async function startHangingServer(behaviour: 'silent' | 'headers-then-stall' | 'trickle'): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    if (behaviour === 'headers-then-stall') {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/zip\r\ncontent-length: 100000\r\n\r\nPK');
    } else if (behaviour === 'trickle') {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/zip\r\ncontent-length: 100000\r\n\r\n');
      const timer = setInterval(() => socket.write('x'), 100);
      timers.add(timer);
      socket.on('close', () => { clearInterval(timer); });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      for (const timer of timers) clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => { resolve(); }));
    },
  };
}

interface HangCase {
  readonly name: string;
  readonly behaviour: 'silent' | 'headers-then-stall' | 'trickle';
  readonly args: readonly string[];
  readonly env?: Record<string, string>;
  readonly want: RegExp;
}

const hangCases: HangCase[] = [
  { name: 'a mirror that accepts and never answers', behaviour: 'silent', args: ['--timeout', '1s'], want: /download timed out \(no HTTP status\): no answer within 1s$/ },
  { name: 'the same, limit from VIGIL_DOWNLOAD_TIMEOUT', behaviour: 'silent', args: [], env: { VIGIL_DOWNLOAD_TIMEOUT: '800ms' }, want: /download timed out \(no HTTP status\): no answer within 0\.8s$/ },
  { name: 'a mirror that stops sending mid-body', behaviour: 'headers-then-stall', args: ['--timeout', '1s'], want: /download timed out after 2 bytes \(HTTP 200\): no data for 1s$/ },
  { name: 'a mirror that trickles for longer than --max-time', behaviour: 'trickle', args: ['--timeout', '1s', '--max-time', '2s'], want: /download timed out after \d+ bytes \(HTTP 200\): the download took longer than 2s$/ },
];

describe('db update against a mirror that hangs', () => {
  it.each(hangCases)('$name: exit 3 naming the URL', async ({ behaviour, args, env, want }) => {
    const server = await startHangingServer(behaviour);
    try {
      const storePath = damagedCopy(() => undefined);
      const before = readFileSync(storePath);
      const started = Date.now();
      const run = await runCli(['db', 'update', '--db', storePath, '--mirror', server.url, '--ecosystem', 'PyPI', ...args], env === undefined ? {} : { env });
      expect(Date.now() - started).toBeLessThan(15_000);
      expectOneError(run, 3, `${server.url}/PyPI/all.zip`, want);
      expect(readFileSync(storePath).equals(before)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it.each([
    ['--timeout', 'soon'],
    ['--max-time', '0'],
    ['--lock-timeout', 'forever'],
  ])('rejects %s %s with exit 2', async (flag, value) => {
    const run = await runCli(['db', 'update', '--db', path.join(work, 'never.db'), '--mirror', 'http://127.0.0.1:9', flag, value]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^vigil: db update: invalid ${flag} "${value}"`));
  });
});

describe('db update with malformed entries in the dump', () => {
  let server: HttpServer;
  let url: string;
  beforeAll(async () => {
    const now = new Date().toISOString();
    const zip = zipSync({
      'VIGIL-TEST-DUMP-1.json': strToU8(JSON.stringify(osvRecord('VIGIL-TEST-DUMP-1', 'vigil-test-dump-1', now))),
      'VIGIL-TEST-DUMP-2.json': strToU8(JSON.stringify(osvRecord('VIGIL-TEST-DUMP-2', 'vigil-test-dump-2', now))),
      'VIGIL-TEST-DUMP-3.json': strToU8(JSON.stringify({ id: 'VIGIL-TEST-DUMP-3', modified: 'yesterday' })),
    });
    server = createHttpServer((request, response) => {
      if (request.url === '/PyPI/all.zip') {
        response.writeHead(200, { 'content-type': 'application/zip', 'content-length': zip.length });
        response.end(zip);
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('stores the valid ones, names the rejected one, and exits 2 like db import', async () => {
    const storePath = path.join(work, 'updated.db');
    const run = await runCli(['db', 'update', '--db', storePath, '--mirror', url, '--ecosystem', 'PyPI']);
    expect(run.code, run.stderr).toBe(2);
    expect(hasStackTrace(run.stderr)).toBe(false);
    expect(run.stderr).toContain(`rejected ${url}/PyPI/all.zip!/VIGIL-TEST-DUMP-3.json: `);
    expect(run.stderr).toMatch(/^vigil: 1 malformed record rejected; the rest was imported$/m);
    expect(run.stdout).toMatch(/: PyPI 2, 1 rejected$/m);
    const status = await runCli(['db', 'status', '--format', 'json', '--db', storePath]);
    expect(JSON.parse(status.stdout)).toMatchObject({ records: 2 });
  });
});
