import { ConfigError } from '../../core/errors.js';
import { openPostgresDatabase, openSqliteDatabase, redactDatabaseUrl, type ServiceDatabaseKind } from '../../service/open-database.js';
import type { DeskDatabase } from './desk-database.js';
import type { DeskStore } from './desk-store.js';
import { createKyselyDeskStore } from './kysely-desk-store.js';
import { migrateDeskStore } from './migrations.js';

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

const DESK_DATABASE: ServiceDatabaseKind = { name: 'desk', applicationId: DESK_APPLICATION_ID, busyTimeoutMs: 5_000 };

/** Opens the desk store (PostgreSQL or SQLite, per `options`) and brings its schema up to date. */
export async function openDeskStore(options: OpenDeskStoreOptions): Promise<DeskStore> {
  const url = options.url?.trim() ?? '';
  if (url !== '') {
    if (!/^postgres(ql)?:\/\//i.test(url)) {
      throw new ConfigError(`the desk database URL (${redactDatabaseUrl(url)}) is not a PostgreSQL URL`, {
        hint: 'DATABASE_URL must start with postgres:// or postgresql://; unset it to use SQLite',
      });
    }
    return openPostgres(url, options.schema);
  }
  if (options.schema !== undefined) throw new ConfigError('a desk database schema applies to PostgreSQL only');
  return openSqlite(options.sqlitePath ?? ':memory:');
}

async function openSqlite(file: string): Promise<DeskStore> {
  return createKyselyDeskStore(await openSqliteDatabase<DeskDatabase>(file, DESK_DATABASE, migrateDeskStore), 'sqlite');
}

async function openPostgres(url: string, schema: string | undefined): Promise<DeskStore> {
  return createKyselyDeskStore(await openPostgresDatabase<DeskDatabase>(url, schema, DESK_DATABASE, migrateDeskStore), 'postgres');
}
