import type { Kysely } from 'kysely';
import { ConfigError } from '../../core/errors.js';
import { openPostgresDatabase, openSqliteDatabase, redactDatabaseUrl, type ServiceDatabaseKind } from '../../service/open-database.js';
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

const MONITOR_DATABASE: ServiceDatabaseKind = { name: 'monitor', applicationId: MONITOR_APPLICATION_ID, busyTimeoutMs: 10_000 };

/** Opens the monitor database (PostgreSQL or SQLite, per `options`) and brings its schema up to date. */
export async function openMonitorStore(options: OpenMonitorStoreOptions): Promise<MonitorDb> {
  const location = options.location.trim();
  if (location === '') throw new ConfigError('the monitor database location is empty');
  if (/^postgres(ql)?:\/\//i.test(location)) return openPostgres(location, options.schema);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new ConfigError(`the monitor database ${redactDatabaseUrl(location)} is neither a PostgreSQL URL nor a file`, {
      hint: 'give a postgres:// URL or the path of a SQLite file',
    });
  }
  if (options.schema !== undefined) throw new ConfigError('a monitor database schema applies to PostgreSQL only');
  return openSqlite(location);
}

async function openSqlite(file: string): Promise<MonitorDb> {
  const db = await openSqliteDatabase<MonitorDatabase>(file, MONITOR_DATABASE, migrateMonitorStore);
  return { db, dialect: 'sqlite', where: file, close: () => db.destroy() };
}

async function openPostgres(url: string, schema: string | undefined): Promise<MonitorDb> {
  const db = await openPostgresDatabase<MonitorDatabase>(url, schema, MONITOR_DATABASE, migrateMonitorStore);
  return { db, dialect: 'postgres', where: redactDatabaseUrl(url), close: () => db.destroy() };
}
