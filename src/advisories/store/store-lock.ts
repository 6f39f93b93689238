import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AdvisoryStoreError, describeSystemError } from '../../core/errors.js';

// One writer at a time per store. Every writer copies the store, changes the copy and renames it
// over the store, so two writers at once would each start from the same old store and the last
// rename would silently drop the other's records. The lock is a file beside the store, created
// with O_CREAT|O_EXCL (`wx`), which is atomic on local file systems and on NFSv3 and later.

/** Who holds a store's write lock, as its lock file says. */
export interface StoreLockHolder {
  /** Process id of the writer. */
  readonly pid: number;
  /** `os.hostname()` of the writer's machine: a pid means nothing on another one. */
  readonly hostname: string;
  /** When the lock was taken, ISO 8601. */
  readonly since: string;
}

/** A held write lock. */
export interface StoreLock {
  /** The lock file, `<store>.lock`. */
  readonly lockPath: string;
  /** Removes the lock file if it is still this lock's; calling it again does nothing. */
  release(): void;
}

export interface StoreLockOptions {
  /** How long to wait for another writer to finish, in milliseconds; 0 fails at once. */
  readonly timeoutMs: number;
  /** Called once, when the lock is found held by someone else, before waiting. */
  readonly onWait?: (holder: StoreLockHolder | undefined, lockPath: string) => void;
  /** Time between two attempts; 100 ms when omitted. */
  readonly pollMs?: number;
}

/** How long to wait for another writer by default. */
export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;

/** A lock file that has not said who holds it after this long was left by a writer that died. */
const UNREADABLE_GRACE_MS = 10_000;

/**
 * A lock this old is stale whoever holds it: a write takes seconds to minutes (downloads are done
 * before the lock is taken), and a pid on another machine or in another container cannot be
 * checked, nor can a reused pid be told from the writer's.
 */
const STALE_AFTER_MS = 60 * 60_000;

/** The lock file of a store. */
export function lockPathOf(storePath: string): string {
  return `${storePath}.lock`;
}

interface Held {
  readonly content: string;
  /** A writer of this process is open on the store (see `beginStoreWrite`). */
  writing: boolean;
}

/** Locks this process holds, by lock file. */
const held = new Map<string, Held>();

process.once('exit', () => {
  // A lock must not outlive its process when something calls process.exit() mid-write.
  for (const [lockPath, entry] of held) removeIfOurs(lockPath, entry.content);
});

/**
 * Takes the write lock of `storePath`, waiting up to `timeoutMs` for another writer.
 * @throws AdvisoryStoreError naming the store and the holder when the wait times out, or when the
 *   lock file cannot be created (folder not writable, read-only file system, disk full).
 */
export async function lockStore(storePath: string, options: StoreLockOptions): Promise<StoreLock> {
  const deadline = Date.now() + options.timeoutMs;
  const pollMs = options.pollMs ?? 100;
  let announced = false;
  for (;;) {
    const attempt = tryLockStore(storePath);
    if ('release' in attempt) return attempt;
    if (Date.now() >= deadline) throw lockTimeoutError(storePath, attempt.holder, options.timeoutMs);
    if (!announced) {
      announced = true;
      options.onWait?.(attempt.holder, lockPathOf(storePath));
    }
    // Jitter, so waiters started together do not retry in step.
    await sleep(Math.min(pollMs / 2 + Math.random() * pollMs, Math.max(0, deadline - Date.now())));
  }
}

/** The outcome of one attempt: the lock, or who holds it (undefined when its file says nothing readable). */
export type LockAttempt = StoreLock | { readonly holder: StoreLockHolder | undefined };

/**
 * One attempt to take the lock, without waiting. A stale lock (its writer's process is gone) is
 * removed first.
 * @throws AdvisoryStoreError when the lock file cannot be created for another reason than being held.
 */
export function tryLockStore(storePath: string): LockAttempt {
  const lockPath = lockPathOf(storePath);
  if (held.has(lockPath)) return { holder: ownHolder() };
  // Two rounds: the second after removing a stale lock, or after the holder released it.
  for (let round = 0; ; round++) {
    const content = `${JSON.stringify({ ...ownHolder(), token: randomBytes(8).toString('hex') })}\n`;
    try {
      const fd = openSync(lockPath, 'wx', 0o644);
      try {
        writeSync(fd, content);
      } finally {
        closeSync(fd);
      }
      held.set(lockPath, { content, writing: false });
      return newLock(lockPath, content);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && round === 0) {
        createFolder(storePath);
        continue;
      }
      if (code !== 'EEXIST') {
        throw new AdvisoryStoreError(
          `${storePath}: cannot write advisory store: cannot create its lock file ${lockPath}: ${describeSystemError(error)}`,
          { cause: error },
        );
      }
    }
    const seen = readLock(lockPath);
    if (seen === undefined) {
      if (round < 2) continue; // released in between
      return { holder: undefined };
    }
    if (round >= 2 || !isStale(seen)) return { holder: seen.holder };
    breakStaleLock(lockPath, seen.content);
  }
}

/** Marks the start of this process's write on a store whose lock it holds; false if one is already open. */
export function startWriting(lockPath: string): boolean {
  const entry = held.get(lockPath);
  if (entry === undefined || entry.writing) return false;
  entry.writing = true;
  return true;
}

/** Marks the end of that write (commit or abort); the lock stays held. */
export function stopWriting(lockPath: string): void {
  const entry = held.get(lockPath);
  if (entry !== undefined) entry.writing = false;
}

/** Whether this process holds the lock of `storePath`. */
export function holdsStoreLock(storePath: string): boolean {
  return held.has(lockPathOf(storePath));
}

/** The store's folder, made on its first write. */
function createFolder(storePath: string): void {
  const dir = path.dirname(storePath);
  try {
    // One level at a time from the nearest existing folder: `mkdir({ recursive: true })` never
    // returns for a path below /proc/self (node 20), where mkdir fails with ENOENT at every level.
    const missing: string[] = [];
    for (let current = dir; !existsSync(current) && path.dirname(current) !== current; current = path.dirname(current)) missing.push(current);
    for (const folder of missing.reverse()) {
      try {
        mkdirSync(folder);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  } catch (error) {
    throw new AdvisoryStoreError(`${storePath}: cannot write advisory store: cannot create its folder ${dir}: ${describeSystemError(error)}`, {
      cause: error,
    });
  }
}

function newLock(lockPath: string, content: string): StoreLock {
  let released = false;
  return {
    lockPath,
    release() {
      if (released) return;
      released = true;
      held.delete(lockPath);
      removeIfOurs(lockPath, content);
    },
  };
}

function ownHolder(): StoreLockHolder {
  return { pid: process.pid, hostname: os.hostname(), since: new Date().toISOString() };
}

interface SeenLock {
  readonly content: string;
  readonly holder: StoreLockHolder | undefined;
  /** Milliseconds since the lock file was last modified. */
  readonly ageMs: number;
}

/** The lock file as it is now; undefined when there is none. */
function readLock(lockPath: string): SeenLock | undefined {
  let content: string;
  let ageMs: number;
  try {
    content = readFileSync(lockPath, 'utf8');
    ageMs = Date.now() - statSync(lockPath).mtimeMs;
  } catch {
    return undefined;
  }
  return { content, holder: parseHolder(content), ageMs };
}

function parseHolder(content: string): StoreLockHolder | undefined {
  try {
    const value = JSON.parse(content) as Partial<StoreLockHolder> | null;
    if (typeof value?.pid !== 'number' || typeof value.hostname !== 'string' || typeof value.since !== 'string') return undefined;
    return { pid: value.pid, hostname: value.hostname, since: value.since };
  } catch {
    return undefined;
  }
}

function isStale(seen: SeenLock): boolean {
  const { holder, ageMs } = seen;
  // Empty or garbled: its writer died between creating and filling it (a live one fills it at once).
  if (holder === undefined) return ageMs > UNREADABLE_GRACE_MS;
  if (ageMs > STALE_AFTER_MS) return true;
  if (holder.hostname !== os.hostname()) return false;
  // Our own pid but not our lock: left by an earlier process with the same pid (pid 1 in a container).
  if (holder.pid === process.pid) return true;
  return !isAlive(holder.pid);
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes a stale lock, unless it changed since it was judged stale. Two waiters may both find the
 * same dead writer's lock; without a guard the slower one could delete the lock the faster one has
 * just taken. The guard is a second exclusive file: only its holder re-reads and removes the lock.
 */
function breakStaleLock(lockPath: string, staleContent: string): void {
  const guardPath = `${lockPath}.break`;
  let fd: number;
  try {
    fd = openSync(guardPath, 'wx', 0o644);
  } catch (error) {
    // Another waiter is breaking it; a guard left by one that died is cleared after a while.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST' && ageOf(guardPath) > UNREADABLE_GRACE_MS) removeFile(guardPath);
    return;
  }
  try {
    closeSync(fd);
    if (readLock(lockPath)?.content === staleContent) removeFile(lockPath);
  } finally {
    removeFile(guardPath);
  }
}

function removeIfOurs(lockPath: string, content: string): void {
  if (readLock(lockPath)?.content === content) removeFile(lockPath);
}

function ageOf(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function removeFile(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Gone already.
  }
}

function lockTimeoutError(storePath: string, holder: StoreLockHolder | undefined, timeoutMs: number | undefined): AdvisoryStoreError {
  const who = holder === undefined ? 'another process' : `another vigil process (pid ${holder.pid} on ${holder.hostname}, since ${holder.since})`;
  const waited = timeoutMs === undefined ? '' : `; gave up waiting after ${formatSeconds(timeoutMs)}`;
  return new AdvisoryStoreError(`${storePath}: ${who} is writing the advisory store${waited}`, {
    hint: `run again when it has finished${timeoutMs === undefined ? '' : ' (or wait longer: --lock-timeout)'}; if no vigil process is writing it, delete ${lockPathOf(storePath)}`,
  });
}

/** The error for a writer that does not wait (library callers of `beginStoreWrite`). */
export function lockHeldError(storePath: string, holder: StoreLockHolder | undefined): AdvisoryStoreError {
  return lockTimeoutError(storePath, holder, undefined);
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}
