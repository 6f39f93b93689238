import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, copyFileSync, existsSync, fsyncSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AdvisoryStoreError, describeSystemError } from '../../core/errors.js';
import { npm } from '../../ecosystems/npm/ecosystem.js';
import { pypi } from '../../ecosystems/pypi/ecosystem.js';
import type { OsvRecord } from '../osv.js';
import { checkStoreIntegrity, messageOf, openStoreDatabase } from './sqlite-store.js';
import { STORE_APPLICATION_ID, STORE_DDL, STORE_HINT, STORE_INDEX_DDL, STORE_SCHEMA_VERSION } from './schema.js';
import { scoreCvss } from '../severity.js';
import { holdsStoreLock, lockHeldError, lockPathOf, startWriting, stopWriting, tryLockStore, type StoreLock } from './store-lock.js';

type Db = Database.Database;

/** What writing one record did to the store. */
export type UpsertOutcome = 'imported' | 'replaced' | 'unchanged';

/**
 * When a record whose id is already stored replaces it:
 * - `newer-or-equal` (import): when its `modified` is newer than the stored one, or equal and the
 *   content differs (so re-importing a corrected file with the same timestamp takes effect);
 *   an older record never overwrites a newer one.
 * - `always` (update from a mirror, which is authoritative for its ecosystems).
 */
export type ReplacePolicy = 'newer-or-equal' | 'always';

/**
 * A private copy of the store being changed. Nothing is visible at `storePath` until `commit()`
 * renames the copy over it, so a crash (even SIGKILL) at any point leaves the old store as it
 * was; at worst a `*.tmp` file is left beside it, removed by the next write. One writer at a time:
 * it holds the store's write lock (see `store-lock.ts`) from `beginStoreWrite` to `commit` or
 * `abort`, so a second writer cannot start from the same old store and drop this one's records.
 */
export interface StoreWriter {
  /** Stores one validated record; see `ReplacePolicy`. */
  upsert(record: OsvRecord, policy: ReplacePolicy): UpsertOutcome;
  /** Removes every record with an affected package of this base ecosystem; returns how many. */
  deleteEcosystem(ecosystem: string): number;
  /** Records when and from where an ecosystem's data was last written. */
  setMeta(ecosystem: string, updatedAt: string, source: string): void;
  /**
   * Records that an ecosystem was checked against its mirror at `checkedAt`, with the change
   * list's validator (ETag) and the newest modified time it is known up to (see update.ts).
   */
  setListState(ecosystem: string, checkedAt: string, listEtag: string | undefined, listNewest: string | undefined): void;
  /** Writes the copy to disk and renames it over the store. */
  commit(): void;
  /** Drops the copy; the store is left as it was. */
  abort(): void;
}

const TEMP_SUFFIX = '.tmp';
const WRITE_CACHE_KIB = 64 << 10;
/** Vectors already scored by one writer, remembered up to this many (then forgotten at once). */
const SCORED_VECTORS = 50_000;

/**
 * Takes the store's write lock (unless this process already holds it) and marks this process as
 * writing; returns what gives both back. Never waits.
 * @throws AdvisoryStoreError when another process holds the lock or this one is already writing.
 */
function takeWriteLock(storePath: string): () => void {
  const lockPath = lockPathOf(storePath);
  let ownLock: StoreLock | undefined;
  if (!holdsStoreLock(storePath)) {
    const attempt = tryLockStore(storePath);
    if (!('release' in attempt)) throw lockHeldError(storePath, attempt.holder);
    ownLock = attempt;
  }
  if (!startWriting(lockPath)) {
    ownLock?.release();
    throw new AdvisoryStoreError(`${storePath}: this process is already writing the advisory store`);
  }
  return () => {
    stopWriting(lockPath);
    ownLock?.release();
  };
}

/**
 * Opens a private copy of the store at `storePath` (created, with its folder, if missing) for
 * writing. `seenAt` (ISO 8601, from the caller's clock) is recorded as the first-seen time of
 * every record id the store did not hold before. Takes the store's write lock unless this process
 * already holds it (`lockStore`, which can wait for another writer); this function never waits.
 * @throws AdvisoryStoreError when another process holds the lock, when `storePath` exists but is
 *   not a vigil store of this version, is damaged or read-only (it is never overwritten), or when
 *   the copy cannot be made.
 */
export function beginStoreWrite(storePath: string, seenAt: string): StoreWriter {
  const finish = takeWriteLock(storePath);
  removeLeftovers(storePath);
  const tempPath = `${storePath}.${process.pid}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`;
  let db: Db | undefined;
  let fresh = false;
  try {
    if (existsSync(storePath)) {
      const current = openStoreDatabase(storePath);
      current.close();
      checkWritable(storePath);
      copyFileSync(storePath, tempPath);
      db = new Database(tempPath, { fileMustExist: true });
      // Never build on a damaged store (a torn copy, garbage over some pages): the damage would be
      // carried over, and records on damaged pages lost without a word. The copy is read whole anyway.
      checkStoreIntegrity(db, storePath);
    } else {
      db = new Database(tempPath);
      fresh = true;
      db.exec(STORE_DDL);
      db.pragma(`application_id = ${STORE_APPLICATION_ID}`);
      db.pragma(`user_version = ${STORE_SCHEMA_VERSION}`);
    }
    // The copy is private until renamed: no journal is needed, a crash just orphans it.
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    // A fixed page cache (64 MiB), whatever the size of the dump: writing a large one no longer
    // goes to the file system for every page it touches.
    db.pragma(`cache_size = -${WRITE_CACHE_KIB}`);
    db.exec('BEGIN');
    return new SqliteStoreWriter(db, storePath, tempPath, seenAt, finish, fresh);
  } catch (error) {
    db?.close();
    removeTemp(tempPath);
    finish();
    if (error instanceof AdvisoryStoreError) throw error;
    throw new AdvisoryStoreError(`${storePath}: cannot write advisory store: ${describeStoreError(error)}`, {
      hint: STORE_HINT,
      cause: error,
    });
  }
}

/**
 * Opens the existing store at `storePath` for a small change made in place, in one SQLite
 * transaction (rollback journal, synchronous): nothing is copied, and a crash at any point leaves
 * a journal that SQLite uses to restore the old store on the next open. For an update from change
 * lists: a handful of records, or only the time of the check. Takes the store's write lock like
 * `beginStoreWrite`, and checks the whole file first when records are to change (see `upsert`).
 * @throws AdvisoryStoreError as `beginStoreWrite` does.
 */
export function beginStoreUpdate(storePath: string, seenAt: string): StoreWriter {
  const finish = takeWriteLock(storePath);
  let db: Db | undefined;
  try {
    openStoreDatabase(storePath).close();
    checkWritable(storePath);
    db = new Database(storePath, { fileMustExist: true });
    db.pragma('journal_mode = DELETE');
    db.pragma('synchronous = FULL');
    db.pragma(`cache_size = -${WRITE_CACHE_KIB}`);
    db.exec('BEGIN IMMEDIATE');
    return new SqliteStoreWriter(db, storePath, undefined, seenAt, finish, false);
  } catch (error) {
    db?.close();
    finish();
    if (error instanceof AdvisoryStoreError) throw error;
    throw new AdvisoryStoreError(`${storePath}: cannot write advisory store: ${describeStoreError(error)}`, {
      hint: STORE_HINT,
      cause: error,
    });
  }
}

/** A store file without write permission was made read-only on purpose: never replace it. */
function checkWritable(storePath: string): void {
  try {
    accessSync(storePath, constants.W_OK);
  } catch (error) {
    throw new AdvisoryStoreError(`${storePath}: cannot write advisory store: the store file is read-only (${(error as NodeJS.ErrnoException).code ?? 'EACCES'})`, {
      hint: 'make it writable, or pass another --db',
      cause: error,
    });
  }
}

/** SQLite's own message for its errors (SQLITE_FULL: "database or disk is full"), paths left out for system ones. */
function describeStoreError(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.syscall === undefined ? messageOf(error) : describeSystemError(error);
}

/**
 * Removes what killed writers left beside the store: their copies `<store>.<pid>.<hex>.tmp` and
 * any SQLite side file of one (`-journal` while a new store's tables are created, `-wal`,
 * `-shm`). Called with the write lock held, so no other writer is using any of them, whatever
 * pid their name carries (pids are reused, and a container's writer has another pid space).
 */
function removeLeftovers(storePath: string): void {
  const dir = path.dirname(storePath);
  const pattern = new RegExp(`^${escapeRegExp(path.basename(storePath))}\\.\\d+\\.[0-9a-f]+\\${TEMP_SUFFIX}(-journal|-wal|-shm)?$`);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!pattern.test(name)) continue;
    try {
      rmSync(path.join(dir, name), { force: true });
    } catch {
      // Another user's file in a shared folder: not ours to remove, and in no writer's way.
    }
  }
}

function removeTemp(tempPath: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(`${tempPath}${suffix}`, { force: true });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const UTC_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const UTC_MILLISECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** ISO 8601 UTC with milliseconds, so stored timestamps compare as text. */
export function normalizeTimestamp(value: string): string {
  // OSV's own form (`2024-01-01T00:00:00Z`) and vigil's are written directly, when valid dates.
  if (UTC_MILLISECONDS.test(value) || UTC_SECONDS.test(value)) {
    const normal = value.length === 20 ? `${value.slice(0, 19)}.000Z` : value;
    const date = new Date(Date.parse(normal));
    if (!Number.isNaN(date.getTime()) && date.toISOString() === normal) return normal;
  }
  return new Date(Date.parse(value)).toISOString();
}

/** The base ecosystem (before any `:` suffix) and the full string. */
export function splitEcosystem(ecosystem: string): { base: string; full: string } {
  const colon = ecosystem.indexOf(':');
  return { base: colon < 0 ? ecosystem : ecosystem.slice(0, colon), full: ecosystem };
}

/**
 * The name under which a package is indexed: the audited ecosystems' own `normalizeName` (the
 * objects `ecosystems.PyPI` / `ecosystems.npm` of the registry, imported directly so the store does
 * not load every lockfile parser), the name as written otherwise.
 */
export function indexName(baseEcosystem: string, name: string): string {
  if (baseEcosystem === 'PyPI') return pypi.normalizeName(name);
  if (baseEcosystem === 'npm') return npm.normalizeName(name);
  return name;
}

/** Distinct base ecosystems of a record's affected packages. */
export function baseEcosystemsOf(record: OsvRecord): string[] {
  const bases = new Set<string>();
  for (const affected of record.affected ?? []) {
    if (affected.package) bases.add(splitEcosystem(affected.package.ecosystem).base);
  }
  return [...bases];
}

class SqliteStoreWriter implements StoreWriter {
  readonly #db: Db;
  readonly #storePath: string;
  /** The private copy renamed over the store at commit; `undefined` when writing in place. */
  readonly #tempPath: string | undefined;
  #open = true;
  /** Whether any record changed (the counts are recomputed only then). */
  #changed = false;
  /** An in-place writer checks the whole store before its first record change. */
  #checked: boolean;
  /**
   * A new store's secondary indices are not there yet (created at commit, after the bulk load);
   * the first replaced record creates them, since removing its rows needs them.
   */
  #indexed: boolean;
  readonly #findModified: Database.Statement;
  readonly #findBody: Database.Statement;
  readonly #putRecord: Database.Statement;
  readonly #putBody: Database.Statement;
  readonly #putAffected: Database.Statement;
  readonly #putAlias: Database.Statement;
  readonly #putScore: Database.Statement;
  readonly #dropAffected: Database.Statement;
  readonly #dropAliases: Database.Statement;
  readonly #putMeta: Database.Statement;
  readonly #putSeen: Database.Statement;
  readonly #seenAt: string;
  readonly #scored = new Set<string>();
  /** Ends the write: lets go of the store's lock (or of this process's claim on it). */
  readonly #finish: () => void;

  constructor(db: Db, storePath: string, tempPath: string | undefined, seenAt: string, finish: () => void, fresh: boolean) {
    this.#checked = tempPath !== undefined;
    this.#seenAt = seenAt;
    this.#finish = finish;
    this.#db = db;
    this.#storePath = storePath;
    this.#tempPath = tempPath;
    this.#indexed = !fresh;
    this.#findModified = db.prepare('SELECT modified FROM records WHERE id = ?').pluck();
    this.#findBody = db.prepare('SELECT body FROM bodies WHERE id = ?').pluck();
    this.#putRecord = db.prepare('INSERT OR REPLACE INTO records (id, modified, published, withdrawn) VALUES (?, ?, ?, ?)');
    this.#putBody = db.prepare('INSERT OR REPLACE INTO bodies (id, body) VALUES (?, ?)');
    this.#putAffected = db.prepare(
      'INSERT OR IGNORE INTO affected (ecosystem, ecosystem_full, name, record_id) VALUES (?, ?, ?, ?)',
    );
    this.#putAlias = db.prepare('INSERT OR IGNORE INTO aliases (record_id, alias) VALUES (?, ?)');
    this.#putScore = db.prepare('INSERT OR IGNORE INTO cvss_scores (vector, score) VALUES (?, ?)');
    this.#dropAffected = db.prepare('DELETE FROM affected WHERE record_id = ?');
    this.#dropAliases = db.prepare('DELETE FROM aliases WHERE record_id = ?');
    this.#putSeen = db.prepare('INSERT OR IGNORE INTO first_seen (id, at) VALUES (?, ?)');
    this.#putMeta = db.prepare(
      `INSERT INTO ecosystem_meta (ecosystem, updated_at, source, checked_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (ecosystem) DO UPDATE SET updated_at = excluded.updated_at, source = excluded.source, checked_at = excluded.checked_at`,
    );
  }

  upsert(record: OsvRecord, policy: ReplacePolicy): UpsertOutcome {
    return this.#guard(() => this.#upsert(record, policy));
  }

  #upsert(record: OsvRecord, policy: ReplacePolicy): UpsertOutcome {
    if (!this.#checked) {
      // Never build on a damaged store, as beginStoreWrite's copy does not (about 0.5 s per GB).
      checkStoreIntegrity(this.#db, this.#storePath);
      this.#checked = true;
    }
    this.#changed = true;
    this.#putSeen.run(record.id, this.#seenAt);
    const body = JSON.stringify(record);
    const modified = normalizeTimestamp(record.modified);
    const storedModified = this.#findModified.get(record.id) as string | undefined;
    if (storedModified !== undefined) {
      if ((this.#findBody.get(record.id) as string | undefined) === body) return 'unchanged';
      if (policy === 'newer-or-equal' && modified < storedModified) return 'unchanged';
      this.#ensureIndices();
      this.#dropAffected.run(record.id);
      this.#dropAliases.run(record.id);
    }
    this.#putRecord.run(
      record.id,
      modified,
      record.published === undefined ? null : normalizeTimestamp(record.published),
      record.withdrawn === undefined ? null : normalizeTimestamp(record.withdrawn),
    );
    this.#putBody.run(record.id, body);
    for (const affected of record.affected ?? []) {
      for (const severity of affected.severity ?? []) this.#score(severity.score);
      if (!affected.package) continue;
      const { base, full } = splitEcosystem(affected.package.ecosystem);
      this.#putAffected.run(base, full, indexName(base, affected.package.name), record.id);
    }
    for (const severity of record.severity ?? []) this.#score(severity.score);
    for (const alias of record.aliases ?? []) {
      if (alias !== record.id) this.#putAlias.run(record.id, alias);
    }
    return storedModified === undefined ? 'imported' : 'replaced';
  }

  /** Stores the score of a CVSS vector once, so audits read it instead of computing it. */
  #score(vector: string): void {
    if (this.#scored.has(vector)) return;
    if (this.#scored.size >= SCORED_VECTORS) this.#scored.clear();
    this.#scored.add(vector);
    const score = scoreCvss(vector);
    this.#putScore.run(vector, score === undefined ? null : JSON.stringify(score));
  }

  #ensureIndices(): void {
    if (this.#indexed) return;
    this.#db.exec(STORE_INDEX_DDL);
    this.#indexed = true;
  }

  deleteEcosystem(ecosystem: string): number {
    return this.#guard(() => {
      this.#changed = true;
      this.#ensureIndices();
      const ids = `SELECT record_id FROM affected WHERE ecosystem = ?`;
      this.#db.prepare(`DELETE FROM aliases WHERE record_id IN (${ids})`).run(ecosystem);
      this.#db.prepare(`DELETE FROM bodies WHERE id IN (${ids})`).run(ecosystem);
      const removed = this.#db.prepare(`DELETE FROM records WHERE id IN (${ids})`).run(ecosystem).changes;
      this.#db.prepare(`DELETE FROM affected WHERE record_id NOT IN (SELECT id FROM records)`).run();
      return removed;
    });
  }

  setMeta(ecosystem: string, updatedAt: string, source: string): void {
    this.#guard(() => this.#putMeta.run(ecosystem, updatedAt, source, updatedAt));
  }

  setListState(ecosystem: string, checkedAt: string, listEtag: string | undefined, listNewest: string | undefined): void {
    this.#guard(() =>
      this.#db
        .prepare('UPDATE ecosystem_meta SET checked_at = ?, list_etag = ?, list_newest = ? WHERE ecosystem = ?')
        .run(checkedAt, listEtag ?? null, listNewest ?? null, ecosystem),
    );
  }

  /** SQLite errors while writing the copy (SQLITE_FULL on a full disk, SQLITE_IOERR) are the store's. */
  #guard<T>(write: () => T): T {
    try {
      return write();
    } catch (error) {
      throw new AdvisoryStoreError(`${this.#storePath}: cannot write advisory store: ${describeStoreError(error)}`, { cause: error });
    }
  }

  commit(): void {
    if (!this.#open) throw new Error('store writer already finished');
    this.#open = false;
    const tempPath = this.#tempPath;
    try {
      this.#ensureIndices();
      if (this.#changed || tempPath !== undefined) this.#db.exec(REFRESH_COUNTS);
      this.#db.exec('COMMIT');
      this.#db.close();
      if (tempPath === undefined) return;
      const fd = openSync(tempPath, 'r+');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tempPath, this.#storePath);
      syncDirectory(path.dirname(this.#storePath));
    } catch (error) {
      if (this.#db.open) {
        if (tempPath === undefined && this.#db.inTransaction) this.#db.exec('ROLLBACK');
        this.#db.close();
      }
      if (tempPath !== undefined) removeTemp(tempPath);
      throw new AdvisoryStoreError(`${this.#storePath}: cannot write advisory store: ${describeStoreError(error)}`, {
        cause: error,
      });
    } finally {
      this.#finish();
    }
  }

  abort(): void {
    if (!this.#open) return;
    this.#open = false;
    try {
      if (this.#db.open) {
        if (this.#tempPath === undefined && this.#db.inTransaction) this.#db.exec('ROLLBACK');
        this.#db.close();
      }
      if (this.#tempPath !== undefined) removeTemp(this.#tempPath);
    } finally {
      this.#finish();
    }
  }
}

// Makes the rename itself durable; not possible on every platform, hence best effort.
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open a directory for fsync.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Recomputes the counts `status()` reads, inside the writer's transaction. */
const REFRESH_COUNTS = `
DELETE FROM ecosystem_counts;
INSERT INTO ecosystem_counts (ecosystem, records, newest)
  SELECT a.ecosystem, COUNT(DISTINCT a.record_id), MAX(r.modified)
  FROM affected a JOIN records r ON r.id = a.record_id GROUP BY a.ecosystem;
INSERT OR REPLACE INTO store_totals (id, records, withdrawn, newest)
  SELECT 1, COUNT(*), COUNT(withdrawn), MAX(modified) FROM records;
`;
