import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { ConfigError, VigilError } from '../../core/errors.js';
import type { DeskDatabase } from './desk-database.js';
import type { DeskStore } from './desk-store.js';
import { createKyselyDeskStore } from './kysely-desk-store.js';
import { migrateDeskStore } from './migrations.js';
import { ImmediateSqliteDialect } from './sqlite-immediate-dialect.js';

/** Where the desk keeps its data. */
export interface OpenDeskStoreOptions {
  /**
   * A `postgres://` or `postgresql://` URL (the CLI passes `DATABASE_URL`) selects PostgreSQL.
   * Unset or empty selects SQLite; any other URL is refused rather than ignored.
   */
  readonly url?: string;
  /** The SQLite file (its folder is created if missing); `:memory:` when absent. */
  readonly sqlitePath?: string;
  /**
   * PostgreSQL only: the schema that holds the desk's tables, created if missing (tests use a
   * throwaway one each). Absent: the connection's current schema (`public` unless the URL's
   * options say otherwise). Lower-case letters, digits and underscores.
   */
  readonly schema?: string;
}

/** Marks a SQLite file as a vigil desk (`VGDK`), https://www.sqlite.org/pragma.html#pragma_application_id. */
export const DESK_APPLICATION_ID = 0x5647444b;

/** How long a SQLite writer waits for another process's write lock before giving up. */
const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/** Opens the desk store (PostgreSQL or SQLite, per `options`) and brings its schema up to date. */
export async function openDeskStore(options: OpenDeskStoreOptions): Promise<DeskStore> {
  const url = options.url?.trim() ?? '';
  if (url !== '') {
    if (!/^postgres(ql)?:\/\//i.test(url)) {
      throw new ConfigError(`the desk database URL (${redactUrl(url)}) is not a PostgreSQL URL`, {
        hint: 'DATABASE_URL must start with postgres:// or postgresql://; unset it to use SQLite',
      });
    }
    return openPostgres(url, options.schema);
  }
  if (options.schema !== undefined) throw new ConfigError('a desk database schema applies to PostgreSQL only');
  return openSqlite(options.sqlitePath ?? ':memory:');
}

async function openSqlite(file: string): Promise<DeskStore> {
  let database: Database.Database | undefined;
  try {
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    database = new Database(file);
    claimSqliteFile(database, file);
    // WAL lets the web server read while the CLI writes; foreign keys are off by default in
    // SQLite; busy_timeout makes a second process wait for the write lock instead of failing.
    database.pragma('journal_mode = WAL');
    database.pragma('foreign_keys = ON');
    database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  } catch (error) {
    database?.close();
    throw openError(file, error);
  }
  const db = new Kysely<DeskDatabase>({ dialect: new ImmediateSqliteDialect({ database }) });
  try {
    // Kysely runs SQLite migrations outside any transaction and without a lock, so two processes
    // opening a new file at once both ran the first step and one failed. Here the whole migration
    // is one immediate transaction: the second process waits (busy_timeout), then finds it done.
    database.exec('BEGIN IMMEDIATE');
    try {
      await migrateDeskStore(db, 'sqlite');
      database.exec('COMMIT');
    } catch (error) {
      if (database.inTransaction) database.exec('ROLLBACK');
      throw error;
    }
  } catch (error) {
    await db.destroy();
    throw openError(file, error);
  }
  return createKyselyDeskStore(db, 'sqlite');
}

/**
 * Marks a new SQLite file as a desk and refuses any other database (an advisory store given by
 * mistake would otherwise get the desk's tables added to it).
 */
function claimSqliteFile(database: Database.Database, file: string): void {
  const applicationId = database.pragma('application_id', { simple: true });
  if (applicationId === DESK_APPLICATION_ID) return;
  const tables = database.prepare('SELECT count(*) FROM sqlite_schema').pluck().get();
  if (applicationId !== 0 || tables !== 0) {
    throw new ConfigError(`${file}: not a vigil desk database`, { hint: 'give the path of a desk database, or of a new file' });
  }
  database.pragma(`application_id = ${DESK_APPLICATION_ID}`);
}

async function openPostgres(url: string, schema: string | undefined): Promise<DeskStore> {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new ConfigError(`invalid desk database schema name "${schema}"`, {
      hint: 'use lower-case letters, digits and underscores, starting with a letter or underscore',
    });
  }
  const pool = new pg.Pool({ connectionString: url });
  // pg drops an idle connection the server closed and emits 'error'; with no listener Node would
  // end the process. The next query opens a new connection and reports any lasting failure.
  pool.on('error', () => undefined);
  const db = new Kysely<DeskDatabase>({
    dialect: new PostgresDialect({
      pool,
      ...(schema === undefined
        ? {}
        : {
            // Per connection, because pg's connection-string `options` would override ours.
            onCreateConnection: async (connection) => {
              await connection.executeQuery(CompiledQuery.raw(`SET search_path TO "${schema}"`));
            },
          }),
    }),
  });
  try {
    if (schema !== undefined) {
      // IF NOT EXISTS still fails when two processes create the schema at once (a unique
      // violation in the catalogue), so creators take turns under a lock held to commit.
      await db.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(hashtext(${`vigil desk schema ${schema}`}))`.execute(trx);
        await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(trx);
      });
    }
    const current = await sql<{ schema: string | null }>`SELECT current_schema() AS schema`.execute(db);
    const currentSchema = current.rows[0]?.schema ?? null;
    if (currentSchema === null) {
      throw new ConfigError('the connection has no schema to create the desk tables in (search_path is empty)');
    }
    // Kysely looks for its bookkeeping tables in every schema unless told which one is ours.
    await migrateDeskStore(db, 'postgres', currentSchema);
  } catch (error) {
    await db.destroy();
    throw openError(redactUrl(url), error);
  }
  return createKyselyDeskStore(db, 'postgres');
}

/** The URL without credentials or query, for messages. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

function openError(where: string, error: unknown): VigilError {
  if (error instanceof VigilError) return error;
  const reason = error instanceof Error ? error.message : 'unknown error';
  return new ConfigError(`${where}: cannot open the desk database: ${reason}`, { cause: error });
}
