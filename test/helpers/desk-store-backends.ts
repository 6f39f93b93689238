import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { DeskStore } from '../../src/desk/store/desk-store.js';
import { openDeskStore, type OpenDeskStoreOptions } from '../../src/desk/store/open-desk-store.js';

/** A fresh, migrated desk database with a store open on it. */
export interface DeskStoreDatabase {
  /** The store opened on it. */
  readonly store: DeskStore;
  /** What opens another store on the same database. */
  readonly options: OpenDeskStoreOptions;
  /** Opens another store on the same database, as a restart or a second process would; disposed with it. */
  reopen(): Promise<DeskStore>;
  /** Runs one SQL statement on a connection of its own, outside vigil's code; the rows it returns. */
  queryRaw(statement: string): Promise<Record<string, unknown>[]>;
  /** Closes every store it opened (if still open) and deletes the database. */
  dispose(): Promise<void>;
}

/** A database the desk store runs on. */
export interface DeskStoreBackend {
  /** `sqlite` or `postgres`, for test names (`describe.each(...)('... on $name', ...)`). */
  readonly name: DeskStore['dialect'];
  /** A new, empty database of this kind: a temporary file, or a throwaway PostgreSQL schema. */
  create(): Promise<DeskStoreDatabase>;
}

/** PostgreSQL for the tests, e.g. `postgres://postgres@127.0.0.1:5432/test`; unset skips it. */
const pgUrl = process.env.VIGIL_TEST_PG_URL;

/**
 * The backends every desk test runs on: SQLite always, PostgreSQL too when `VIGIL_TEST_PG_URL` is
 * set. Each `create()` is isolated from every other, so test files may run in parallel.
 */
export function deskStoreBackends(): DeskStoreBackend[] {
  const backends: DeskStoreBackend[] = [{ name: 'sqlite', create: createSqliteDatabase }];
  if (pgUrl !== undefined && pgUrl !== '') {
    const url = pgUrl;
    backends.push({ name: 'postgres', create: () => createPostgresDatabase(url) });
  }
  return backends;
}

/** Opens stores on one database and closes them all at the end (`close()` twice is harmless). */
function storeTracker(): { open(options: OpenDeskStoreOptions): Promise<DeskStore>; closeAll(): Promise<void> } {
  const opened: DeskStore[] = [];
  return {
    async open(options) {
      const store = await openDeskStore(options);
      opened.push(store);
      return store;
    },
    async closeAll() {
      for (const store of opened) await store.close();
    },
  };
}

async function createSqliteDatabase(): Promise<DeskStoreDatabase> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-desk-'));
  const options: OpenDeskStoreOptions = { sqlitePath: path.join(dir, 'desk.db') };
  const tracker = storeTracker();
  const store = await tracker.open(options);
  return {
    store,
    options,
    reopen: () => tracker.open(options),
    // In a promise executor, so that a refused statement is a rejection, as on PostgreSQL.
    queryRaw: (statement) =>
      new Promise((resolve) => {
        const db = new Database(options.sqlitePath);
        try {
          const prepared = db.prepare(statement);
          if (prepared.reader) resolve(prepared.all() as Record<string, unknown>[]);
          else {
            prepared.run();
            resolve([]);
          }
        } finally {
          db.close();
        }
      }),
    async dispose() {
      await tracker.closeAll();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function createPostgresDatabase(url: string): Promise<DeskStoreDatabase> {
  const schema = `vigil_test_${randomBytes(6).toString('hex')}`;
  const options: OpenDeskStoreOptions = { url, schema };
  const tracker = storeTracker();
  const store = await tracker.open(options);
  const withClient = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    store,
    options,
    reopen: () => tracker.open(options),
    queryRaw: (statement) =>
      withClient(async (client) => {
        await client.query(`SET search_path TO "${schema}"`);
        const result = await client.query<Record<string, unknown>>(statement);
        return result.rows;
      }),
    async dispose() {
      await tracker.closeAll();
      await withClient((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    },
  };
}
