import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAdvisories } from '../../src/advisories/import.js';
import type { OsvRecord } from '../../src/advisories/osv.js';
import { openAdvisoryStore } from '../../src/advisories/store/sqlite-store.js';
import { lockPathOf, lockStore, tryLockStore, type StoreLock } from '../../src/advisories/store/store-lock.js';
import { beginStoreWrite } from '../../src/advisories/store/store-writer.js';
import { fixedClock } from '../../src/core/clock.js';
import { AdvisoryStoreError } from '../../src/core/errors.js';
import { osvRecord, writeRecordSet } from '../helpers/osv-records.js';

const clock = fixedClock('2024-05-01T12:00:00Z');
let dir: string;
let count = 0;
/** A fresh store path per test. */
const storeFile = (): string => path.join(dir, `store-${++count}.db`);

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-lock-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

/** A lock file as another writer leaves it. */
function plantLock(storePath: string, holder: { pid: number; hostname?: string }, ageMs = 0): void {
  const lockPath = lockPathOf(storePath);
  writeFileSync(lockPath, `${JSON.stringify({ pid: holder.pid, hostname: holder.hostname ?? os.hostname(), since: '2024-05-01T11:00:00.000Z', token: 'planted' })}\n`);
  if (ageMs > 0) {
    const then = new Date(Date.now() - ageMs);
    utimesSync(lockPath, then, then);
  }
}

function isLock(attempt: ReturnType<typeof tryLockStore>): attempt is StoreLock {
  return 'release' in attempt;
}

describe('tryLockStore', () => {
  it('takes a free lock, refuses it while held, and gives it back', () => {
    const storePath = storeFile();
    const first = tryLockStore(storePath);
    expect(isLock(first)).toBe(true);
    const content = JSON.parse(readFileSync(lockPathOf(storePath), 'utf8')) as { pid: number; hostname: string };
    expect(content).toMatchObject({ pid: process.pid, hostname: os.hostname() });
    expect(isLock(tryLockStore(storePath))).toBe(false);
    if (isLock(first)) first.release();
    expect(existsSync(lockPathOf(storePath))).toBe(false);
    const again = tryLockStore(storePath);
    expect(isLock(again)).toBe(true);
    if (isLock(again)) again.release();
  });

  interface PlantedCase {
    name: string;
    plant: (storePath: string) => void;
    /** Whether the planted lock is judged stale and taken over. */
    stale: boolean;
  }
  const planted: PlantedCase[] = [
    { name: 'a live writer on this machine', plant: (file) => { plantLock(file, { pid: process.ppid }); }, stale: false },
    { name: 'a writer whose process is gone', plant: (file) => { plantLock(file, { pid: deadPid() }); }, stale: true },
    { name: 'an earlier process with our own pid (a container restarted)', plant: (file) => { plantLock(file, { pid: process.pid }); }, stale: true },
    { name: 'a writer on another machine (its pid cannot be checked)', plant: (file) => { plantLock(file, { pid: deadPid(), hostname: 'elsewhere.example' }); }, stale: false },
    { name: 'a writer on another machine, an hour and more ago', plant: (file) => { plantLock(file, { pid: 1, hostname: 'elsewhere.example' }, 61 * 60_000); }, stale: true },
    { name: 'an empty lock file just created (its writer is filling it)', plant: (file) => { writeFileSync(lockPathOf(file), ''); }, stale: false },
    {
      name: 'an empty lock file left long ago',
      plant: (file) => {
        writeFileSync(lockPathOf(file), '');
        const then = new Date(Date.now() - 60_000);
        utimesSync(lockPathOf(file), then, then);
      },
      stale: true,
    },
  ];

  it.each(planted)('lock of $name: stale = $stale', ({ plant, stale }) => {
    const storePath = storeFile();
    plant(storePath);
    const attempt = tryLockStore(storePath);
    expect(isLock(attempt)).toBe(stale);
    if (isLock(attempt)) {
      expect(JSON.parse(readFileSync(lockPathOf(storePath), 'utf8'))).toMatchObject({ pid: process.pid });
      attempt.release();
    } else {
      // A live lock is never removed.
      expect(existsSync(lockPathOf(storePath))).toBe(true);
    }
    expect(readdirSync(dir).filter((name) => name.endsWith('.break'))).toEqual([]);
  });

  // Folders no one may create anything in, root included (Linux).
  it.skipIf(!existsSync('/sys/kernel') || !existsSync('/proc/self'))('names the store when its folder or lock file cannot be created', () => {
    for (const storePath of ['/sys/kernel/vigil/store.db', '/sys/kernel/store.db', '/proc/self/vigil/store.db']) {
      expect(() => tryLockStore(storePath)).toThrow(AdvisoryStoreError);
      expect(() => tryLockStore(storePath)).toThrow(new RegExp(`^${storePath}: cannot write advisory store: cannot create its (folder|lock file) \\S+: [a-z ]+ \\(E[A-Z]+\\)$`));
    }
  });
});

describe('lockStore', () => {
  it('waits for the holder to let go', async () => {
    const storePath = storeFile();
    const first = tryLockStore(storePath);
    if (!isLock(first)) throw new Error('lock not taken');
    const waits: number[] = [];
    setTimeout(() => {
      first.release();
    }, 300);
    const started = Date.now();
    const second = await lockStore(storePath, { timeoutMs: 5000, pollMs: 20, onWait: (holder) => waits.push(holder?.pid ?? -1) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(waits).toEqual([process.pid]);
    second.release();
  });

  it('gives up after its timeout, naming the store, the holder and the lock file', async () => {
    const storePath = storeFile();
    plantLock(storePath, { pid: process.ppid });
    const started = Date.now();
    const attempt = lockStore(storePath, { timeoutMs: 300, pollMs: 20 });
    await expect(attempt).rejects.toThrow(AdvisoryStoreError);
    await expect(attempt).rejects.toThrow(
      new RegExp(`^${storePath}: another vigil process \\(pid ${process.ppid} on ${os.hostname()}, since 2024-05-01T11:00:00.000Z\\) is writing the advisory store; gave up waiting after 0.3s$`),
    );
    expect(Date.now() - started).toBeLessThan(3000);
    const error = (await attempt.catch((caught: unknown) => caught)) as AdvisoryStoreError;
    expect(error.hint).toContain(lockPathOf(storePath));
  });
});

describe('beginStoreWrite and the lock', () => {
  it('fails at once, without touching the store, while another process writes it', async () => {
    const storePath = storeFile();
    await importAdvisories({ storePath, inputs: [writeSet('before', 2)], clock });
    const before = readFileSync(storePath);
    plantLock(storePath, { pid: process.ppid });
    expect(() => beginStoreWrite(storePath, clock.now().toISOString())).toThrow(/is writing the advisory store$/);
    await expect(importAdvisories({ storePath, inputs: [writeSet('refused', 2)], clock })).rejects.toThrow(AdvisoryStoreError);
    expect(readFileSync(storePath).equals(before)).toBe(true);
    rmSync(lockPathOf(storePath));
  });

  it('writes under a lock this process holds, one writer at a time, and leaves the lock held', () => {
    const storePath = storeFile();
    const lock = tryLockStore(storePath);
    if (!isLock(lock)) throw new Error('lock not taken');
    const writer = beginStoreWrite(storePath, clock.now().toISOString());
    expect(() => beginStoreWrite(storePath, clock.now().toISOString())).toThrow(/this process is already writing the advisory store/);
    writer.upsert(osvRecord('VIGIL-TEST-HELD-1', 'held') as unknown as OsvRecord, 'newer-or-equal');
    writer.commit();
    expect(existsSync(lockPathOf(storePath))).toBe(true);
    lock.release();
    expect(existsSync(lockPathOf(storePath))).toBe(false);
  });

  it('releases its own lock on commit and on abort', () => {
    const storePath = storeFile();
    const writer = beginStoreWrite(storePath, clock.now().toISOString());
    expect(existsSync(lockPathOf(storePath))).toBe(true);
    writer.commit();
    expect(existsSync(lockPathOf(storePath))).toBe(false);
    beginStoreWrite(storePath, clock.now().toISOString()).abort();
    expect(existsSync(lockPathOf(storePath))).toBe(false);
  });

  it('removes every copy killed writers left, whatever pid its name carries, and their SQLite side files', async () => {
    const storePath = storeFile();
    await importAdvisories({ storePath, inputs: [writeSet('kept', 1)], clock });
    const base = path.basename(storePath);
    const leftovers = [
      `${base}.${deadPid()}.0badc0de.tmp`,
      // A live pid: pids are reused, and the lock says no writer is running.
      `${base}.${process.ppid}.0123abcd.tmp`,
      `${base}.${process.pid}.89abcdef.tmp`,
      `${base}.${deadPid()}.feedf00d.tmp-journal`,
      `${base}.${deadPid()}.feedf00d.tmp-wal`,
      `${base}.${deadPid()}.feedf00d.tmp-shm`,
    ];
    const unrelated = [`${base}.backup`, `${base}.keep.tmp`, `other.db.1.abcdef01.tmp`];
    for (const name of [...leftovers, ...unrelated]) writeFileSync(path.join(dir, name), 'x');
    await importAdvisories({ storePath, inputs: [writeSet('more', 1)], clock });
    const left = readdirSync(dir);
    for (const name of leftovers) expect(left).not.toContain(name);
    for (const name of unrelated) expect(left).toContain(name);
    const store = openAdvisoryStore(storePath);
    expect((await store.status()).records).toBe(2);
    store.close();
  });
});

let sets = 0;
function writeSet(name: string, size: number): string {
  const target = path.join(dir, `set-${name}-${++sets}`);
  writeRecordSet(target, name, size);
  return target;
}
