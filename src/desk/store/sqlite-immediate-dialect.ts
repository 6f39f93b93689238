import type Database from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  SqliteDialect,
  type SqliteDatabase,
  SqliteDriver,
  type SqliteStatement,
  type TransactionSettings,
} from 'kysely';

/** How many prepared statements a connection keeps (the desk issues a few dozen distinct ones). */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely's SQLite driver, with three changes for a server under load:
 * - read-write transactions start with `BEGIN IMMEDIATE`, taking the write lock at once. A
 *   deferred transaction that reads and then writes fails at its first write with SQLITE_BUSY
 *   when another process (the CLI beside the web server) wrote in between, and `busy_timeout`
 *   does not wait in that case; an immediate one waits for the lock up front. Transactions begun
 *   `read only` stay deferred: in WAL mode they read one snapshot and never wait.
 *   https://www.sqlite.org/lang_transaction.html, https://www.sqlite.org/isolation.html
 * - the one connection is handed out first come, first served. Kysely's own lock wakes every
 *   waiter on each release and lets them race for it, so at 50 concurrent requests each query
 *   woke 49 others and a request could lose the race again and again (seconds at p99).
 * - prepared statements are kept and reused, keyed by their SQL text: Kysely prepares every
 *   query anew, and preparing cost more than running the desk's small queries.
 */
class DeskSqliteDriver extends SqliteDriver {
  readonly #queue = new FifoLock();

  override async acquireConnection(): Promise<DatabaseConnection> {
    await this.#queue.lock();
    try {
      return await super.acquireConnection();
    } catch (error) {
      this.#queue.unlock();
      throw error;
    }
  }

  override async releaseConnection(): Promise<void> {
    try {
      await super.releaseConnection();
    } finally {
      this.#queue.unlock();
    }
  }

  override async beginTransaction(connection: DatabaseConnection, settings?: TransactionSettings): Promise<void> {
    const begin = settings?.accessMode === 'read only' ? 'begin deferred' : 'begin immediate';
    await connection.executeQuery(CompiledQuery.raw(begin));
  }
}

/** A lock whose waiters get it in the order they asked, one at a time. */
class FifoLock {
  #held = false;
  readonly #waiting: (() => void)[] = [];

  lock(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  unlock(): void {
    const next = this.#waiting.shift();
    // Handed straight to the next waiter: nobody arriving in between can take it first.
    if (next === undefined) this.#held = false;
    else next();
  }
}

/** better-sqlite3 behind Kysely's `SqliteDatabase`, reusing prepared statements (least recently used dropped first). */
function withStatementCache(database: Database.Database, size = STATEMENT_CACHE_SIZE): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => {
      statements.clear();
      database.close();
    },
    prepare: (sql) => {
      const cached = statements.get(sql);
      if (cached !== undefined) {
        // Map keeps insertion order: re-inserting makes it the most recently used.
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = database.prepare(sql) as unknown as SqliteStatement;
      statements.set(sql, statement);
      if (statements.size > size) {
        const oldest = statements.keys().next().value;
        if (oldest !== undefined) statements.delete(oldest);
      }
      return statement;
    },
  };
}

/** `SqliteDialect` over better-sqlite3 with the desk's driver (see `DeskSqliteDriver`). */
export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #database: SqliteDatabase;

  constructor(config: { readonly database: Database.Database }) {
    const database = withStatementCache(config.database);
    super({ database });
    this.#database = database;
  }

  override createDriver(): Driver {
    return new DeskSqliteDriver({ database: this.#database });
  }
}
