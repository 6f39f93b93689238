import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
  type TransactionSettings,
} from 'kysely';

/**
 * Kysely's SQLite driver, except that read-write transactions start with `BEGIN IMMEDIATE`, taking
 * the write lock at once. A deferred transaction that reads and then writes fails at its first
 * write with SQLITE_BUSY when another process (the CLI beside the web server) wrote in between,
 * and `busy_timeout` does not wait in that case; an immediate one waits for the lock up front.
 * Transactions begun `read only` stay deferred: in WAL mode they read one snapshot and never wait.
 * https://www.sqlite.org/lang_transaction.html, https://www.sqlite.org/isolation.html
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection, settings?: TransactionSettings): Promise<void> {
    const begin = settings?.accessMode === 'read only' ? 'begin deferred' : 'begin immediate';
    await connection.executeQuery(CompiledQuery.raw(begin));
  }
}

/** `SqliteDialect` whose read-write transactions begin immediate (see `ImmediateSqliteDriver`). */
export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}
