import { type ColumnDefinitionBuilder, type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import { ConfigError, InternalError } from '../../core/errors.js';
import { AUDIT_GENESIS_HASH, auditLineHash, type AuditChainFields, type AuditChainHead } from './audit-chain.js';
import type { DeskStore } from './desk-store.js';

/** The SQL dialects the desk store runs on. */
export type DeskDialect = DeskStore['dialect'];

/**
 * One step of the desk schema. A step never changes once released: later changes are new steps
 * appended to `DESK_MIGRATIONS`. The same step gives the same schema on both dialects.
 */
export interface DeskMigration {
  /** Unique and sortable (`0001-desk-core`): Kysely runs steps in name order. */
  readonly name: string;
  /** Applies the step; `dialect` only for the few statements the two dialects spell differently. */
  up(db: Kysely<unknown>, dialect: DeskDialect): Promise<void>;
}

/** An auto-numbered integer primary key: the one column type the dialects spell differently. */
function idColumn(dialect: DeskDialect): (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  return dialect === 'postgres'
    ? (column) => column.primaryKey().generatedByDefaultAsIdentity()
    : // AUTOINCREMENT so that an id is never reused after a delete: audit lines name subjects by id.
      (column) => column.primaryKey().autoIncrement();
}

/** The desk core: reports and what is recorded on them, the notification list, the audit log. */
const deskCore: DeskMigration = {
  name: '0001-desk-core',
  async up(db, dialect) {
    const id = idColumn(dialect);
    await db.schema
      .createTable('reports')
      .addColumn('id', 'integer', id)
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('reporter_name', 'text', (c) => c.notNull())
      .addColumn('reporter_email', 'text', (c) => c.notNull())
      .addColumn('reporter_organisation', 'text')
      .addColumn('credit_mode', 'text', (c) => c.notNull())
      .addColumn('credit_name', 'text')
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('steps_to_reproduce', 'text', (c) => c.notNull())
      .addColumn('impact', 'text', (c) => c.notNull())
      .addColumn('attack_surface', 'text', (c) => c.notNull())
      .addColumn('related_projects', 'text', (c) => c.notNull())
      .addColumn('affected_versions', 'text', (c) => c.notNull())
      .addColumn('tracking_token_hash', 'text', (c) => c.unique())
      .addColumn('assessment', 'text')
      .addColumn('severity', 'text')
      .addColumn('rejection_reason', 'text')
      .addColumn('disclosure_at', 'text')
      .execute();
    await db.schema.createIndex('reports_by_received_at').on('reports').columns(['received_at', 'id']).execute();

    await db.schema
      .createTable('fixes')
      .addColumn('id', 'integer', id)
      .addColumn('report_id', 'integer', (c) => c.notNull().references('reports.id'))
      .addColumn('series', 'text', (c) => c.notNull())
      .addColumn('fixed_in', 'text')
      .addColumn('patch', 'text', (c) => c.notNull())
      .addUniqueConstraint('fixes_one_per_series', ['report_id', 'series'])
      .execute();

    await db.schema
      .createTable('transitions')
      .addColumn('id', 'integer', id)
      .addColumn('report_id', 'integer', (c) => c.notNull().references('reports.id'))
      .addColumn('from_state', 'text', (c) => c.notNull())
      .addColumn('to_state', 'text', (c) => c.notNull())
      .addColumn('actor_kind', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('actor_role', 'text')
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('note', 'text', (c) => c.notNull())
      .addColumn('override', 'text')
      .execute();
    await db.schema.createIndex('transitions_by_report').on('transitions').columns(['report_id', 'id']).execute();

    await db.schema
      .createTable('messages')
      .addColumn('id', 'integer', id)
      .addColumn('report_id', 'integer', (c) => c.notNull().references('reports.id'))
      .addColumn('actor_kind', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('actor_role', 'text')
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('messages_by_report').on('messages').columns(['report_id', 'id']).execute();

    await db.schema
      .createTable('notify_entries')
      .addColumn('id', 'integer', id)
      .addColumn('organisation', 'text', (c) => c.notNull())
      .addColumn('notify_group', 'text', (c) => c.notNull())
      .addColumn('contact', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text')
      .addColumn('approved_by', 'text', (c) => c.notNull())
      .addColumn('approved_on', 'text', (c) => c.notNull())
      .addColumn('review_on', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('join_requests')
      .addColumn('id', 'integer', id)
      .addColumn('organisation', 'text', (c) => c.notNull())
      .addColumn('notify_group', 'text', (c) => c.notNull())
      .addColumn('contact', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text')
      .addColumn('justification', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('requested_at', 'text', (c) => c.notNull())
      .addColumn('decision_outcome', 'text')
      .addColumn('decision_reason', 'text')
      .addColumn('decided_by', 'text')
      .addColumn('decided_at', 'text')
      .execute();

    await db.schema
      .createTable('audit_log')
      .addColumn('id', 'integer', id)
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor_kind', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('actor_role', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('detail', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('audit_log_by_subject').on('audit_log').columns(['subject', 'id']).execute();
    await refuseAuditChanges(db, dialect);
  },
};

/**
 * Makes the audit log append-only in the database itself, so that no code path (nor a person with
 * a SQL shell and the application's credentials) rewrites history without dropping the table.
 */
async function refuseAuditChanges(db: Kysely<unknown>, dialect: DeskDialect): Promise<void> {
  if (dialect === 'sqlite') {
    // https://www.sqlite.org/lang_createtrigger.html#raise
    for (const operation of ['UPDATE', 'DELETE'] as const) {
      await sql
        .raw(
          `CREATE TRIGGER audit_log_refuse_${operation.toLowerCase()} BEFORE ${operation} ON audit_log ` +
            `BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: ${operation} refused'); END`,
        )
        .execute(db);
    }
    return;
  }
  // Unqualified names resolve in the store's schema (search_path), like the tables.
  await sql
    .raw(
      `CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$`,
    )
    .execute(db);
  await sql
    .raw(
      'CREATE TRIGGER audit_log_refuse_change BEFORE UPDATE OR DELETE ON audit_log ' +
        'FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()',
    )
    .execute(db);
  // Row triggers do not fire on TRUNCATE, which would otherwise empty the log.
  await sql
    .raw(
      'CREATE TRIGGER audit_log_refuse_truncate BEFORE TRUNCATE ON audit_log ' +
        'FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()',
    )
    .execute(db);
}

/**
 * The web service (`src/desk/web/`): team members, browser sessions (kept in the desk database so
 * that they survive a restart and are shared by every process), and the files reporters attach.
 */
const deskWeb: DeskMigration = {
  name: '0003-desk-web',
  async up(db, dialect) {
    await db.schema
      .createTable('users')
      .addColumn('id', 'integer', idColumn(dialect))
      .addColumn('login', 'text', (c) => c.notNull().unique())
      // scrypt parameters, salt and hash in one self-describing string (see src/desk/web/passwords.ts).
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('sessions')
      // The SHA-256 of the session id: a copy of the table does not hand out live sessions.
      .addColumn('id_hash', 'text', (c) => c.primaryKey())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sessions_by_expiry').on('sessions').column('expires_at').execute();

    await db.schema
      .createTable('attachments')
      .addColumn('id', 'integer', idColumn(dialect))
      .addColumn('report_id', 'integer', (c) => c.notNull().references('reports.id'))
      .addColumn('filename', 'text', (c) => c.notNull())
      .addColumn('content_type', 'text', (c) => c.notNull())
      .addColumn('size', 'integer', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('data', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
      .addColumn('added_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('attachments_by_report').on('attachments').columns(['report_id', 'id']).execute();
  },
};

/**
 * Tokens of the JSON API (`src/desk/web/api/`): only the SHA-256 hash of a token is kept; a name
 * is held by one active token at a time, so audit lines that name it are unambiguous.
 */
const apiTokens: DeskMigration = {
  name: '0004-api-tokens',
  async up(db, dialect) {
    await db.schema
      .createTable('api_tokens')
      .addColumn('id', 'integer', idColumn(dialect))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('last_used_at', 'text')
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema
      .createIndex('api_tokens_active_name')
      .on('api_tokens')
      .column('name')
      .unique()
      .where(sql<boolean>`revoked_at IS NULL`)
      .execute();
  },
};

/**
 * The audit log becomes a hash chain (see `audit-chain.ts`): a `hash` column on every line and a
 * one-row `audit_chain_head` holding the newest line's id and hash, under whose lock each append
 * runs. The lines already there are chained here, oldest first, in the migration's transaction
 * (PostgreSQL: Kysely's; SQLite: the one `openDeskStore` holds around the whole migration).
 */
const auditChain: DeskMigration = {
  name: '0005-audit-chain',
  async up(db, dialect) {
    await db.schema.alterTable('audit_log').addColumn('hash', 'text').execute();
    await db.schema
      .createTable('audit_chain_head')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('last_id', 'integer', (c) => c.notNull())
      .addColumn('last_hash', 'text', (c) => c.notNull())
      .execute();
    const rows = await sql<AuditChainFields>`SELECT id, at, actor_kind, actor_id, actor_role, action, subject, detail FROM audit_log ORDER BY id`.execute(db);
    let head: AuditChainHead = { lastId: 0, lastHash: AUDIT_GENESIS_HASH };
    if (rows.rows.length > 0) {
      await allowAuditUpdates(db, dialect, false);
      for (const row of rows.rows) {
        const hash = auditLineHash(head.lastHash, row);
        await sql`UPDATE audit_log SET hash = ${hash} WHERE id = ${row.id}`.execute(db);
        head = { lastId: row.id, lastHash: hash };
      }
      await allowAuditUpdates(db, dialect, true);
    }
    await sql`INSERT INTO audit_chain_head (id, last_id, last_hash) VALUES (1, ${head.lastId}, ${head.lastHash})`.execute(db);
    await refuseChainHeadDelete(db, dialect);
  },
};

/** Lifts (`false`) or restores (`true`) the append-only triggers, for the one step that chains old lines. */
async function allowAuditUpdates(db: Kysely<unknown>, dialect: DeskDialect, refuse: boolean): Promise<void> {
  if (dialect === 'postgres') {
    await sql.raw(`ALTER TABLE audit_log ${refuse ? 'ENABLE' : 'DISABLE'} TRIGGER audit_log_refuse_change`).execute(db);
    return;
  }
  if (refuse) {
    await sql
      .raw(
        'CREATE TRIGGER audit_log_refuse_update BEFORE UPDATE ON audit_log ' +
          "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END",
      )
      .execute(db);
  } else {
    await sql.raw('DROP TRIGGER audit_log_refuse_update').execute(db);
  }
}

/** The chain head is updated on every append but never deleted: without it, a cut-short log would go unseen. */
async function refuseChainHeadDelete(db: Kysely<unknown>, dialect: DeskDialect): Promise<void> {
  if (dialect === 'sqlite') {
    await sql
      .raw(
        'CREATE TRIGGER audit_chain_head_refuse_delete BEFORE DELETE ON audit_chain_head ' +
          "BEGIN SELECT RAISE(ABORT, 'audit_chain_head: DELETE refused'); END",
      )
      .execute(db);
    return;
  }
  await sql
    .raw(
      `CREATE FUNCTION audit_chain_head_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_chain_head: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$`,
    )
    .execute(db);
  await sql
    .raw(
      'CREATE TRIGGER audit_chain_head_refuse_delete BEFORE DELETE ON audit_chain_head ' +
        'FOR EACH ROW EXECUTE FUNCTION audit_chain_head_refuse_delete()',
    )
    .execute(db);
  await sql
    .raw(
      'CREATE TRIGGER audit_chain_head_refuse_truncate BEFORE TRUNCATE ON audit_chain_head ' +
        'FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_head_refuse_delete()',
    )
    .execute(db);
}

/**
 * Views of the reporters' tracking pages, counted per report (how many, and the last day) rather
 * than logged one by one: a view changes nothing, and a line per view would flood the audit log.
 */
const trackingViews: DeskMigration = {
  name: '0006-tracking-views',
  async up(db) {
    await db.schema
      .createTable('tracking_views')
      .addColumn('report_id', 'integer', (c) => c.primaryKey().references('reports.id'))
      .addColumn('views', 'integer', (c) => c.notNull())
      .addColumn('last_viewed_on', 'text', (c) => c.notNull())
      .execute();
  },
};

/**
 * API tokens get a scope (see `src/web/api/api-token-store.ts`): what a token opens, `desk` for
 * the desk's whole API or e.g. `monitor:project:web` for one project's pushes to the monitor.
 * Every token made before has `desk`, which is what it opened.
 */
const apiTokenScope: DeskMigration = {
  name: '0007-api-token-scope',
  async up(db) {
    await db.schema
      .alterTable('api_tokens')
      .addColumn('scope', 'text', (c) => c.notNull().defaultTo('desk'))
      .execute();
  },
};

/** Every step of the desk schema, in order. Append new steps; never edit or reorder released ones. */
export const DESK_MIGRATIONS: readonly DeskMigration[] = [deskCore, deskWeb, apiTokens, auditChain, trackingViews, apiTokenScope];

/** Hands `migrations` to Kysely's `Migrator`, bound to one dialect. */
export function deskMigrationProvider(
  dialect: DeskDialect,
  migrations: readonly DeskMigration[] = DESK_MIGRATIONS,
): MigrationProvider {
  return {
    getMigrations: () => {
      const byName: Record<string, Migration> = {};
      for (const migration of migrations) {
        if (migration.name in byName) throw new InternalError(`two desk migrations are named ${migration.name}`);
        byName[migration.name] = { up: (db: Kysely<unknown>) => migration.up(db, dialect) };
      }
      return Promise.resolve(byName);
    },
  };
}

/**
 * Brings the database to the latest desk schema; does nothing when it is already there. On
 * PostgreSQL, `schema` is where Kysely keeps its migration bookkeeping: the store's own schema.
 */
export async function migrateDeskStore<DB>(db: Kysely<DB>, dialect: DeskDialect, schema?: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: deskMigrationProvider(dialect),
    migrationTableName: 'desk_migration',
    migrationLockTableName: 'desk_migration_lock',
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    const reason = error instanceof Error ? error.message : 'unknown error';
    const step = failed === undefined ? '' : ` (step ${failed})`;
    throw new ConfigError(`cannot bring the desk database to the current schema${step}: ${reason}`, {
      cause: error,
      hint: 'a database last written by a newer vigil needs that vigil (or a newer one)',
    });
  }
}
