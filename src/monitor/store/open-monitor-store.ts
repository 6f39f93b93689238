import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { ConfigError, VigilError } from '../../core/errors.js';
import { ImmediateSqliteDialect } from '../../desk/store/sqlite-immediate-dialect.js';
import type { MonitorDatabase } from './monitor-database.js';
import { migrateMonitorStore, type MonitorDialect } from './migrations.js';

/** An open monitor database: Kysely on SQLite or PostgreSQL, its schema up to date. */
export interface MonitorDb {
  readonly db: Kysely<MonitorDatabase>;
  readonly dialect: MonitorDialect;
  /** Where it is, for messages (a file, or the URL without credentials). */
  readonly where: string;
  close(): Promise<void>;
}

/** Where the monitor keeps its data. */
export interface OpenMonitorStoreOptions {
  /**
   * A SQLite file path (its folder is created if missing), `:memory:`, or a `postgres://` /
   * `postgresql://` URL. Any other URL scheme is refused rather than read as a file name.
   */
  readonly location: string;
  /**
   * PostgreSQL only: the schema that holds the tables, created if missing (tests use a
   * throwaway one each). Lower-case letters, digits and underscores.
   */
  readonly schema?: string;
}

/** Marks a SQLite file as a vigil monitor database (`VGMN`), https://www.sqlite.org/pragma.html#pragma_application_id. */
export const MONITOR_APPLICATION_ID = 0x56474d4e;

/** How long a SQLite writer waits for another process's write lock before giving up. */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;

/** Opens the monitor database (PostgreSQL or SQLite, per `options`) and brings its schema up to date. */
export async function openMonitorStore(options: OpenMonitorStoreOptions): Promise<MonitorDb> {
  const location = options.location.trim();
  if (location === '') throw new ConfigError('the monitor database location is empty');
  if (/^postgres(ql)?:\/\//i.test(location)) return openPostgres(location, options.schema);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new ConfigError(`the monitor database ${redactUrl(location)} is neither a PostgreSQL URL nor a file`, {
      hint: 'give a postgres:// URL or the path of a SQLite file',
    });
  }
  if (options.schema !== undefined) throw new ConfigError('a monitor database schema applies to PostgreSQL only');
  return openSqlite(location);
}

async function openSqlite(file: string): Promise<MonitorDb> {
  let database: Database.Database | undefined;
  try {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    database = new Database(file);
    claimSqliteFile(database, file);
    // As the desk's: WAL for readers beside a writer, foreign keys on, a second writer waits.
    database.pragma('journal_mode = WAL');
    database.pragma('foreign_keys = ON');
    database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  } catch (error) {
    database?.close();
    throw openError(file, error);
  }
  const raw = database;
  const db = new Kysely<MonitorDatabase>({ dialect: new ImmediateSqliteDialect({ database: raw }) });
  try {
    // One immediate transaction, so two processes opening a new file do not both migrate it.
    raw.exec('BEGIN IMMEDIATE');
    try {
      await migrateMonitorStore(db, 'sqlite');
      raw.exec('COMMIT');
    } catch (error) {
      if (raw.inTransaction) raw.exec('ROLLBACK');
      throw error;
    }
  } catch (error) {
    await db.destroy();
    throw openError(file, error);
  }
  return { db, dialect: 'sqlite', where: file, close: () => db.destroy() };
}

/** Marks a new SQLite file as a monitor database and refuses any other (an advisory store or a desk given by mistake). */
function claimSqliteFile(database: Database.Database, file: string): void {
  const applicationId = database.pragma('application_id', { simple: true });
  if (applicationId === MONITOR_APPLICATION_ID) return;
  const tables = database.prepare('SELECT count(*) FROM sqlite_schema').pluck().get();
  if (applicationId !== 0 || tables !== 0) {
    throw new ConfigError(`${file}: not a vigil monitor database`, { hint: 'give the path of a monitor database, or of a new file' });
  }
  database.pragma(`application_id = ${MONITOR_APPLICATION_ID}`);
}

async function openPostgres(url: string, schema: string | undefined): Promise<MonitorDb> {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new ConfigError(`invalid monitor database schema name "${schema}"`, {
      hint: 'use lower-case letters, digits and underscores, starting with a letter or underscore',
    });
  }
  const pool = new pg.Pool({ connectionString: url });
  // An idle connection the server closed emits 'error'; the next query reconnects or reports it.
  pool.on('error', () => undefined);
  const db = new Kysely<MonitorDatabase>({
    dialect: new PostgresDialect({
      pool,
      ...(schema === undefined
        ? {}
        : {
            onCreateConnection: async (connection) => {
              await connection.executeQuery(CompiledQuery.raw(`SET search_path TO "${schema}"`));
            },
          }),
    }),
  });
  const where = redactUrl(url);
  try {
    // Creators and migrators take turns under one lock held to commit: Kysely's own migration
    // lock table must exist first, and CREATE SCHEMA IF NOT EXISTS races in the catalogue.
    if (schema !== undefined) {
      await db.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(hashtext(${`vigil monitor schema ${schema}`}))`.execute(trx);
        await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(trx);
      });
    }
    const current = await sql<{ schema: string | null }>`SELECT current_schema() AS schema`.execute(db);
    const currentSchema = current.rows[0]?.schema ?? null;
    if (currentSchema === null) throw new ConfigError('the connection has no schema to create the monitor tables in (search_path is empty)');
    await migrateMonitorStore(db, 'postgres', currentSchema);
  } catch (error) {
    await db.destroy();
    throw openError(where, error);
  }
  return { db, dialect: 'postgres', where, close: () => db.destroy() };
}

/** The URL without credentials or query, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return 'the database URL';
  }
}

function openError(where: string, error: unknown): VigilError {
  if (error instanceof VigilError) return error;
  const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : 'unknown error';
  return new ConfigError(`${where}: cannot open the monitor database: ${reason}`, { cause: error });
}
