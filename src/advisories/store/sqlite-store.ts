import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { systemClock, type Clock } from '../../core/clock.js';
import { AdvisoryStoreError } from '../../core/errors.js';
import type { EcosystemId } from '../../core/types.js';
import type { OsvRecord } from '../osv.js';
import { knowsCvssScore, rememberCvssScore, type CvssScore } from '../severity.js';
import type { AdvisoryStore, EcosystemStatus, StoreStatus } from '../types.js';
import { OLD_STORE_HINT, STORE_APPLICATION_ID, STORE_HINT, STORE_SCHEMA_VERSION } from './schema.js';

type Db = Database.Database;
type Statement = Database.Statement;

/** Names or ids per `IN (...)` query: well below SQLite's 32,766 bound parameters. */
const CHUNK = 500;

export interface OpenStoreOptions {
  /** Read every page first (`checkStoreIntegrity`), as `vigil db status` does; off for audits. */
  readonly checkIntegrity?: boolean;
  /** Decides which records are withdrawn yet (`withdrawn` <= now); the system clock by default. */
  readonly clock?: Clock;
}

/**
 * Opens the advisory store at `storePath` read-only.
 * @throws AdvisoryStoreError when the file is missing, is not a vigil store, or was written by a
 *   newer vigil (fail closed: an audit without advisories would pass everything), or is damaged.
 */
export function openAdvisoryStore(storePath: string, options: OpenStoreOptions = {}): AdvisoryStore {
  if (!existsSync(storePath)) {
    throw new AdvisoryStoreError(`${storePath}: no advisory store`, { hint: STORE_HINT });
  }
  if (statSync(storePath).isDirectory()) {
    throw new AdvisoryStoreError(`${storePath}: is a directory, not an advisory store`, { hint: STORE_HINT });
  }
  const db = openStoreDatabase(storePath);
  if (options.checkIntegrity === true) {
    try {
      checkStoreIntegrity(db, storePath);
    } catch (error) {
      db.close();
      throw error;
    }
  }
  return new SqliteAdvisoryStore(db, storePath, options.clock ?? systemClock);
}

/** Opens an existing store file read-only and checks it is a vigil store of this schema. */
export function openStoreDatabase(storePath: string): Db {
  let db: Db;
  try {
    db = new Database(storePath, { readonly: true, fileMustExist: true });
  } catch (cause) {
    throw new AdvisoryStoreError(`${storePath}: cannot open advisory store: ${messageOf(cause)}`, {
      hint: STORE_HINT,
      cause,
    });
  }
  try {
    checkStoreSchema(db, storePath);
  } catch (error) {
    db.close();
    if ((error as AdvisoryStoreError).cause === undefined || !isHotJournal((error as AdvisoryStoreError).cause)) throw error;
    // A writer in place (an update from change lists) died mid-transaction: its journal restores
    // the old store, which a read-only connection cannot do. Opened for writing once, SQLite
    // rolls it back (https://www.sqlite.org/lockingv3.html#hot_journals); then read as usual.
    try {
      const writer = new Database(storePath, { fileMustExist: true });
      writer.pragma('user_version', { simple: true });
      writer.close();
    } catch (cause) {
      throw new AdvisoryStoreError(`${storePath}: an interrupted update must be rolled back, and the store cannot be opened for writing: ${messageOf(cause)}`, {
        hint: 'run "vigil db update" as a user who can write the store',
        cause,
      });
    }
    return openStoreDatabase(storePath);
  }
  return db;
}

function isHotJournal(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === 'SQLITE_READONLY_ROLLBACK';
}

/**
 * Throws unless `db` is a vigil store this version can read.
 * @throws AdvisoryStoreError
 */
export function checkStoreSchema(db: Db, storePath: string): void {
  let applicationId: unknown;
  let version: unknown;
  try {
    applicationId = db.pragma('application_id', { simple: true });
    version = db.pragma('user_version', { simple: true });
  } catch (cause) {
    if (isDamage(cause)) throw damagedStoreError(storePath, cause);
    throw new AdvisoryStoreError(`${storePath}: not a vigil advisory store (${messageOf(cause)})`, {
      hint: STORE_HINT,
      cause,
    });
  }
  if (applicationId !== STORE_APPLICATION_ID) {
    throw new AdvisoryStoreError(`${storePath}: not a vigil advisory store`, { hint: STORE_HINT });
  }
  if (typeof version !== 'number' || version > STORE_SCHEMA_VERSION) {
    throw new AdvisoryStoreError(
      `${storePath}: advisory store schema version ${String(version)} is newer than this vigil reads (${STORE_SCHEMA_VERSION})`,
      { hint: `upgrade vigil, or ${STORE_HINT}` },
    );
  }
  if (version < STORE_SCHEMA_VERSION) {
    throw new AdvisoryStoreError(
      `${storePath}: advisory store schema version ${version} is older than this vigil reads (${STORE_SCHEMA_VERSION}); it must be re-imported`,
      { hint: OLD_STORE_HINT },
    );
  }
}

interface HitRow {
  readonly name: string;
  readonly id: string;
}

interface ScoreRow {
  readonly vector: string;
  readonly score: string | null;
}

interface BodyRow {
  readonly id: string;
  readonly body: string;
}

class SqliteAdvisoryStore implements AdvisoryStore {
  readonly #db: Db;
  readonly #path: string;
  readonly #clock: Clock;
  /** Prepared statements per `IN (...)` width, so each shape is compiled once. */
  readonly #byName = new Map<number, Statement>();
  readonly #byAlias = new Map<number, Statement>();
  readonly #firstSeen = new Map<number, Statement>();
  readonly #byId = new Map<number, Statement>();
  readonly #scores = new Map<number, Statement>();

  constructor(db: Db, path: string, clock: Clock) {
    this.#clock = clock;
    this.#db = db;
    this.#path = path;
  }

  advisoriesFor(
    ecosystem: EcosystemId,
    normalizedNames: readonly string[],
  ): Promise<ReadonlyMap<string, readonly OsvRecord[]>> {
    return this.#read(() => this.#advisoriesFor(ecosystem, normalizedNames));
  }

  #advisoriesFor(ecosystem: EcosystemId, normalizedNames: readonly string[]): ReadonlyMap<string, readonly OsvRecord[]> {
    // Two steps: the (name, id) hits come from the index alone; each hit body is then read and
    // parsed once, however many names share it.
    const hits: HitRow[] = [];
    const names = [...new Set(normalizedNames)];
    for (let start = 0; start < names.length; start += CHUNK) {
      const chunk = names.slice(start, start + CHUNK);
      const rows = this.#statement(this.#byName, chunk.length, byNameSql).all(ecosystem, ...chunk) as HitRow[];
      for (const row of rows) hits.push(row);
    }
    const records = this.#bodies([...new Set(hits.map((hit) => hit.id))]);
    const result = new Map<string, OsvRecord[]>();
    for (const hit of hits) {
      const record = records.get(hit.id);
      if (record === undefined) continue; // withdrawn
      const list = result.get(hit.name);
      if (list === undefined) result.set(hit.name, [record]);
      else list.push(record);
    }
    return result;
  }

  /** Parsed bodies of the records with these ids that are not withdrawn. */
  #bodies(ids: readonly string[]): Map<string, OsvRecord> {
    const found = new Map<string, OsvRecord>();
    for (let start = 0; start < ids.length; start += CHUNK) {
      const chunk = ids.slice(start, start + CHUNK);
      const rows = this.#statement(this.#byId, chunk.length, byIdSql).all(this.#now(), ...chunk) as BodyRow[];
      for (const row of rows) found.set(row.id, JSON.parse(row.body) as OsvRecord);
    }
    this.#loadScores(found.values());
    return found;
  }

  /** Hands the stored CVSS scores of these records' vectors to `scoreCvss` (see `rememberCvssScore`). */
  #loadScores(records: Iterable<OsvRecord>): void {
    const vectors = new Set<string>();
    const add = (severities: readonly { readonly score: string }[] | null | undefined): void => {
      for (const severity of severities ?? []) if (!knowsCvssScore(severity.score)) vectors.add(severity.score);
    };
    for (const record of records) {
      add(record.severity);
      for (const affected of record.affected ?? []) add(affected.severity);
    }
    const wanted = [...vectors];
    for (let start = 0; start < wanted.length; start += CHUNK) {
      const chunk = wanted.slice(start, start + CHUNK);
      const rows = this.#statement(this.#scores, chunk.length, scoresSql).all(...chunk) as ScoreRow[];
      for (const row of rows) rememberCvssScore(row.vector, row.score === null ? undefined : (JSON.parse(row.score) as CvssScore));
    }
  }

  recordsByAlias(ids: readonly string[]): Promise<readonly OsvRecord[]> {
    return this.#read(() => this.#recordsByAlias(ids));
  }

  #recordsByAlias(ids: readonly string[]): readonly OsvRecord[] {
    const found = new Map<string, OsvRecord>();
    const unique = [...new Set(ids)];
    for (let start = 0; start < unique.length; start += CHUNK) {
      const chunk = unique.slice(start, start + CHUNK);
      const rows = this.#statement(this.#byAlias, chunk.length, byAliasSql).all(this.#now(), ...chunk, ...chunk) as BodyRow[];
      for (const row of rows) {
        if (!found.has(row.id)) found.set(row.id, JSON.parse(row.body) as OsvRecord);
      }
    }
    this.#loadScores(found.values());
    return [...found.values()];
  }

  firstSeen(ids: readonly string[]): Promise<ReadonlyMap<string, string>> {
    return this.#read(() => this.#firstSeenRows(ids));
  }

  #firstSeenRows(ids: readonly string[]): ReadonlyMap<string, string> {
    const found = new Map<string, string>();
    const unique = [...new Set(ids)];
    for (let start = 0; start < unique.length; start += CHUNK) {
      const chunk = unique.slice(start, start + CHUNK);
      const rows = this.#statement(this.#firstSeen, chunk.length, firstSeenSql).all(...chunk) as { id: string; at: string }[];
      for (const row of rows) found.set(row.id, row.at);
    }
    return found;
  }

  status(): Promise<StoreStatus> {
    return this.#read(() => readStoreStatus(this.#db, this.#path));
  }

  /**
   * Runs one read; a damaged page it meets (SQLITE_CORRUPT) or a record body that no longer
   * parses is the store's error, exit 3, never a bug. Pages a query does not read cannot change
   * its answer; `vigil db status` and every write check the whole file.
   */
  #read<T>(query: () => T): Promise<T> {
    try {
      return Promise.resolve(query());
    } catch (error) {
      return Promise.reject(readError(this.#path, error));
    }
  }

  close(): void {
    this.#db.close();
  }

  /** Now as stored timestamps are written (ISO 8601 UTC with milliseconds), so they compare as text. */
  #now(): string {
    return this.#clock.now().toISOString();
  }

  #statement(cache: Map<number, Statement>, width: number, sql: (width: number) => string): Statement {
    let statement = cache.get(width);
    if (statement === undefined) {
      statement = this.#db.prepare(sql(width));
      cache.set(width, statement);
    }
    return statement;
  }
}

function placeholders(width: number): string {
  return new Array<string>(width).fill('?').join(',');
}

// DISTINCT: a record may list the same package in several affected[] entries (disjoint ranges,
// several `Debian:N` suffixes). Served from the primary key alone.
const byNameSql = (width: number): string => `
  SELECT DISTINCT name, record_id AS id
  FROM affected
  WHERE ecosystem = ? AND name IN (${placeholders(width)})
  ORDER BY name, record_id`;

const byIdSql = (width: number): string => `
  SELECT r.id AS id, b.body AS body FROM records r JOIN bodies b ON b.id = r.id
  WHERE (r.withdrawn IS NULL OR r.withdrawn > ?) AND r.id IN (${placeholders(width)})`;

const scoresSql = (width: number): string => `SELECT vector, score FROM cvss_scores WHERE vector IN (${placeholders(width)})`;

const firstSeenSql = (width: number): string =>
  `SELECT id, at FROM first_seen WHERE id IN (${Array.from({ length: width }, () => '?').join(', ')})`;

const byAliasSql = (width: number): string => `
  SELECT r.id AS id, b.body AS body
  FROM records r JOIN bodies b ON b.id = r.id
  WHERE (r.withdrawn IS NULL OR r.withdrawn > ?)
    AND (r.id IN (${placeholders(width)})
         OR r.id IN (SELECT record_id FROM aliases WHERE alias IN (${placeholders(width)})))
  ORDER BY r.id`;

interface CountsRow {
  readonly records: number;
  readonly withdrawn: number;
  readonly newest: string | null;
}

interface EcosystemRow {
  readonly ecosystem: string;
  readonly records: number | null;
  readonly newest: string | null;
  readonly updated_at: string | null;
  readonly source: string | null;
  readonly checked_at: string | null;
}

/** Counts and freshness of a store (also used right after an import to report). */
export function readStoreStatus(db: Db, storePath: string): StoreStatus {
  // Counts are materialised by the writer; a store never written (fresh schema) has none yet.
  const counts = (db.prepare(`SELECT records, withdrawn, newest FROM store_totals WHERE id = 1`).get() as CountsRow | undefined) ?? {
    records: 0,
    withdrawn: 0,
    newest: null,
  };
  const rows = db
    .prepare(
      `WITH counts AS (SELECT ecosystem, records, newest FROM ecosystem_counts),
            names AS (SELECT ecosystem FROM counts UNION SELECT ecosystem FROM ecosystem_meta)
       SELECT n.ecosystem AS ecosystem, c.records AS records, c.newest AS newest, m.updated_at AS updated_at, m.source AS source,
              m.checked_at AS checked_at
       FROM names n
       LEFT JOIN counts c ON c.ecosystem = n.ecosystem
       LEFT JOIN ecosystem_meta m ON m.ecosystem = n.ecosystem
       ORDER BY n.ecosystem`,
    )
    .all() as EcosystemRow[];
  const ecosystems: EcosystemStatus[] = rows.map((row) => ({
    ecosystem: row.ecosystem,
    records: row.records ?? 0,
    newestModified: row.newest ?? undefined,
    updatedAt: row.updated_at ?? undefined,
    source: row.source ?? undefined,
    checkedAt: row.checked_at ?? undefined,
  }));
  let updatedAt: string | undefined;
  for (const status of ecosystems) {
    if (status.updatedAt !== undefined && (updatedAt === undefined || status.updatedAt > updatedAt)) {
      updatedAt = status.updatedAt;
    }
  }
  return {
    path: storePath,
    records: counts.records,
    withdrawn: counts.withdrawn,
    newestModified: counts.newest ?? undefined,
    updatedAt,
    ecosystems,
  };
}

/** How to get a working store again when the one there is damaged. */
const DAMAGED_HINT = 'delete it, then run "vigil db update" or "vigil db import PATH"';

/** SQLite's code for pages that do not hold what they should, and a record body that is no longer JSON. */
function isDamage(error: unknown): boolean {
  if (error instanceof SyntaxError) return true;
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_CORRUPT');
}

function damagedStoreError(storePath: string, cause: unknown): AdvisoryStoreError {
  return new AdvisoryStoreError(`${storePath}: advisory store is damaged: ${messageOf(cause)}`, { hint: DAMAGED_HINT, cause });
}

/** The error for a failed read of the store at `storePath`. */
export function readError(storePath: string, error: unknown): AdvisoryStoreError {
  if (error instanceof AdvisoryStoreError) return error;
  if (isDamage(error)) return damagedStoreError(storePath, error);
  return new AdvisoryStoreError(`${storePath}: cannot read advisory store: ${messageOf(error)}`, { hint: STORE_HINT, cause: error });
}

/**
 * Reads every page of the store (SQLite's quick_check: about half a second per GB).
 * @throws AdvisoryStoreError naming the store and the first problem found.
 */
export function checkStoreIntegrity(db: Db, storePath: string): void {
  let result: unknown;
  try {
    result = db.pragma('quick_check(1)', { simple: true });
  } catch (cause) {
    throw readError(storePath, cause);
  }
  if (result !== 'ok') {
    const problem = String(result).split('\n').filter((line) => line !== '' && !line.startsWith('***')).at(0) ?? String(result);
    throw new AdvisoryStoreError(`${storePath}: advisory store is damaged: ${problem}`, { hint: DAMAGED_HINT });
  }
}

export function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? '').trim();
}
