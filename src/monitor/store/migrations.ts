import { type ColumnDefinitionBuilder, type Kysely, Migrator } from 'kysely';
import { ConfigError } from '../../core/errors.js';
import { deskMigrationProvider, type DeskDialect, type DeskMigration } from '../../desk/store/migrations.js';

/** The SQL dialects the monitor store runs on (the desk's). */
export type MonitorDialect = DeskDialect;

function idColumn(dialect: MonitorDialect): (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  return dialect === 'postgres'
    ? (column) => column.primaryKey().generatedByDefaultAsIdentity()
    : // AUTOINCREMENT: an id is never reused, outbox rows and events name findings by id.
      (column) => column.primaryKey().autoIncrement();
}

/** Projects, refs, their inventories, findings, history, the outbox and the advisory ledger. */
const monitorCore: DeskMigration = {
  name: '0001-monitor-core',
  async up(db, dialect) {
    const id = idColumn(dialect);
    await db.schema
      .createTable('monitor_projects')
      .addColumn('id', 'integer', id)
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('monitor_refs')
      .addColumn('id', 'integer', id)
      .addColumn('project_id', 'integer', (c) => c.notNull().references('monitor_projects.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('policy_text', 'text')
      .addColumn('skipped', 'text', (c) => c.notNull())
      .addColumn('sources', 'text', (c) => c.notNull())
      .addColumn('packages', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('pushed_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('monitor_refs_one_per_name', ['project_id', 'name'])
      .execute();
    await db.schema
      .createTable('monitor_packages')
      .addColumn('ref_id', 'integer', (c) => c.notNull().references('monitor_refs.id'))
      .addColumn('ecosystem', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('normalized_name', 'text', (c) => c.notNull())
      .addColumn('match_name', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('purl', 'text', (c) => c.notNull())
      .addColumn('file', 'text', (c) => c.notNull())
      .addColumn('line', 'integer')
      .addColumn('package', 'text', (c) => c.notNull())
      .execute();
    // The rematch index: (ecosystem, advisory name) -> refs; and a ref's own rows.
    await db.schema.createIndex('monitor_packages_by_match').on('monitor_packages').columns(['ecosystem', 'match_name', 'ref_id']).execute();
    await db.schema.createIndex('monitor_packages_by_name').on('monitor_packages').columns(['ecosystem', 'normalized_name']).execute();
    await db.schema.createIndex('monitor_packages_by_ref').on('monitor_packages').columns(['ref_id', 'match_name']).execute();

    await db.schema
      .createTable('monitor_findings')
      .addColumn('id', 'integer', id)
      .addColumn('ref_id', 'integer', (c) => c.notNull().references('monitor_refs.id'))
      .addColumn('advisory_id', 'text', (c) => c.notNull())
      .addColumn('ids', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('packages', 'text', (c) => c.notNull())
      .addColumn('fixed', 'text', (c) => c.notNull())
      .addColumn('first_seen', 'text', (c) => c.notNull())
      .addColumn('due_at', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('closed_at', 'text')
      .execute();
    await db.schema.createIndex('monitor_findings_by_ref').on('monitor_findings').columns(['ref_id', 'state']).execute();
    await db.schema
      .createTable('monitor_finding_ids')
      .addColumn('ref_id', 'integer', (c) => c.notNull().references('monitor_refs.id'))
      .addColumn('advisory_id', 'text', (c) => c.notNull())
      .addColumn('finding_id', 'integer', (c) => c.notNull().references('monitor_findings.id'))
      .addPrimaryKeyConstraint('monitor_finding_ids_pk', ['ref_id', 'advisory_id'])
      .execute();
    await db.schema.createIndex('monitor_finding_ids_by_id').on('monitor_finding_ids').columns(['advisory_id']).execute();
    await db.schema
      .createTable('monitor_unevaluable')
      .addColumn('ref_id', 'integer', (c) => c.notNull().references('monitor_refs.id'))
      .addColumn('package_key', 'text', (c) => c.notNull())
      .addColumn('advisory_id', 'text', (c) => c.notNull())
      .addColumn('package', 'text', (c) => c.notNull())
      .addColumn('file', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('monitor_unevaluable_by_ref').on('monitor_unevaluable').columns(['ref_id', 'package_key']).execute();
    await db.schema
      .createTable('monitor_events')
      .addColumn('id', 'integer', id)
      .addColumn('ref_id', 'integer', (c) => c.notNull().references('monitor_refs.id'))
      .addColumn('finding_id', 'integer', (c) => c.references('monitor_findings.id'))
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('from_state', 'text')
      .addColumn('to_state', 'text')
      .addColumn('detail', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('monitor_events_by_ref').on('monitor_events').columns(['ref_id', 'id']).execute();
    await db.schema
      .createTable('monitor_outbox')
      .addColumn('id', 'integer', id)
      .addColumn('finding_id', 'integer', (c) => c.notNull().references('monitor_findings.id'))
      .addColumn('ref_id', 'integer', (c) => c.notNull().references('monitor_refs.id'))
      .addColumn('project', 'text', (c) => c.notNull())
      .addColumn('ref', 'text', (c) => c.notNull())
      .addColumn('advisory_id', 'text', (c) => c.notNull())
      .addColumn('aliases', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('package', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('fixed', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('delivered_at', 'text')
      // One notification per (ref, alias group), whatever runs twice.
      .addUniqueConstraint('monitor_outbox_one_per_finding', ['ref_id', 'finding_id'])
      .execute();
    await db.schema.createIndex('monitor_outbox_undelivered').on('monitor_outbox').columns(['delivered_at', 'id']).execute();
    await db.schema
      .createTable('monitor_ledger')
      .addColumn('record_id', 'text', (c) => c.primaryKey())
      .addColumn('modified', 'text', (c) => c.notNull())
      .addColumn('withdrawn', 'integer', (c) => c.notNull())
      .execute();
  },
};

/**
 * Who did what: every event names its actor (`token:<name>`, `user:<login>`, `cli`; `system` for
 * the re-matcher and for events written before actors were kept), so the history is the
 * monitor's audit log of pushes and state changes.
 */
const eventActor: DeskMigration = {
  name: '0002-event-actor',
  async up(db) {
    await db.schema.alterTable('monitor_events').addColumn('actor', 'text', (c) => c.notNull().defaultTo('system')).execute();
  },
};

/** Every step of the monitor schema, in order. Append new steps; never edit or reorder released ones. */
export const MONITOR_MIGRATIONS: readonly DeskMigration[] = [monitorCore, eventActor];

/** Brings the database to the latest monitor schema; `schema`: PostgreSQL's schema of the store. */
export async function migrateMonitorStore<DB>(db: Kysely<DB>, dialect: MonitorDialect, schema?: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: deskMigrationProvider(dialect, MONITOR_MIGRATIONS),
    migrationTableName: 'monitor_migration',
    migrationLockTableName: 'monitor_migration_lock',
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    const reason = error instanceof Error ? error.message : 'unknown error';
    throw new ConfigError(`cannot bring the monitor database to the current schema${failed === undefined ? '' : ` (step ${failed})`}: ${reason}`, {
      cause: error,
      hint: 'a database last written by a newer vigil needs that vigil (or a newer one)',
    });
  }
}
