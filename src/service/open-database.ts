import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { ConfigError, VigilError } from '../core/errors.js';
import { ImmediateSqliteDialect } from '../desk/store/sqlite-immediate-dialect.js';

/** Which service's database this is: named in messages, and its mark on a SQLite file. */
export interface ServiceDatabaseKind {
  /** `desk`, `monitor`: "not a vigil desk database", "cannot open the desk database". */
  readonly name: string;
  /** The SQLite `application_id` that marks the file as this service's (https://www.sqlite.org/pragma.html#pragma_application_id). */
  readonly applicationId: number;
  /** How long a SQLite writer waits for another process's write lock before giving up. */
  readonly busyTimeoutMs: number;
}

/** Brings the schema up to date; on PostgreSQL `schema` is the connection's current schema. */
export type MigrateDatabase<DB> = (db: Kysely<DB>, dialect: 'sqlite' | 'postgres', schema?: string) => Promise<void>;

/**
 * Opens a service's SQLite file (its folder created if missing, or `:memory:`), claims it for the
 * service and migrates it. Any other database (an advisory store, the other service's) is refused.
 */
export async function openSqliteDatabase<DB>(file: string, kind: ServiceDatabaseKind, migrate: MigrateDatabase<DB>): Promise<Kysely<DB>> {
  let database: Database.Database | undefined;
  try {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    database = new Database(file);
    claimSqliteFile(database, file, kind);
    // WAL lets the web server read while the CLI writes; foreign keys are off by default in
    // SQLite; busy_timeout makes a second process wait for the write lock instead of failing.
    database.pragma('journal_mode = WAL');
    database.pragma('foreign_keys = ON');
    database.pragma(`busy_timeout = ${kind.busyTimeoutMs}`);
  } catch (error) {
    database?.close();
    throw databaseOpenError(kind, file, error);
  }
  const raw = database;
  const db = new Kysely<DB>({ dialect: new ImmediateSqliteDialect({ database: raw }) });
  try {
    // Kysely runs SQLite migrations outside any transaction and without a lock, so two processes
    // opening a new file at once both ran the first step and one failed. Here the whole migration
    // is one immediate transaction: the second process waits (busy_timeout), then finds it done.
    raw.exec('BEGIN IMMEDIATE');
    try {
      await migrate(db, 'sqlite');
      raw.exec('COMMIT');
    } catch (error) {
      if (raw.inTransaction) raw.exec('ROLLBACK');
      throw error;
    }
  } catch (error) {
    await db.destroy();
    throw databaseOpenError(kind, file, error);
  }
  return db;
}

/** Marks a new SQLite file as the service's and refuses any other database. */
function claimSqliteFile(database: Database.Database, file: string, kind: ServiceDatabaseKind): void {
  const applicationId = database.pragma('application_id', { simple: true });
  if (applicationId === kind.applicationId) return;
  const tables = database.prepare('SELECT count(*) FROM sqlite_schema').pluck().get();
  if (applicationId !== 0 || tables !== 0) {
    throw new ConfigError(`${file}: not a vigil ${kind.name} database`, { hint: `give the path of a ${kind.name} database, or of a new file` });
  }
  database.pragma(`application_id = ${kind.applicationId}`);
}

/**
 * Opens a service's PostgreSQL database, in `schema` when given (created if missing; tests use a
 * throwaway one each), and migrates it.
 */
export async function openPostgresDatabase<DB>(url: string, schema: string | undefined, kind: ServiceDatabaseKind, migrate: MigrateDatabase<DB>): Promise<Kysely<DB>> {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new ConfigError(`invalid ${kind.name} database schema name "${schema}"`, {
      hint: 'use lower-case letters, digits and underscores, starting with a letter or underscore',
    });
  }
  const pool = new pg.Pool({ connectionString: url });
  // pg drops an idle connection the server closed and emits 'error'; with no listener Node would
  // end the process. The next query opens a new connection and reports any lasting failure.
  pool.on('error', () => undefined);
  const db = new Kysely<DB>({
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
        await sql`SELECT pg_advisory_xact_lock(hashtext(${`vigil ${kind.name} schema ${schema}`}))`.execute(trx);
        await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(trx);
      });
    }
    const current = await sql<{ schema: string | null }>`SELECT current_schema() AS schema`.execute(db);
    const currentSchema = current.rows[0]?.schema ?? null;
    if (currentSchema === null) {
      throw new ConfigError(`the connection has no schema to create the ${kind.name} tables in (search_path is empty)`);
    }
    // Kysely looks for its bookkeeping tables in every schema unless told which one is ours.
    await migrate(db, 'postgres', currentSchema);
  } catch (error) {
    await db.destroy();
    throw databaseOpenError(kind, redactDatabaseUrl(url), error);
  }
  return db;
}

/** The URL without credentials or query, for messages. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return 'the database URL';
  }
}

function databaseOpenError(kind: ServiceDatabaseKind, where: string, error: unknown): VigilError {
  if (error instanceof VigilError) return error;
  const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : 'unknown error';
  return new ConfigError(`${where}: cannot open the ${kind.name} database: ${reason}`, { cause: error });
}
