import { sql, type Transaction } from 'kysely';
import type { MonitorDatabase } from './store/monitor-database.js';
import type { MonitorDialect } from './store/migrations.js';

/**
 * Takes the write lock of these refs for the rest of the transaction, in id order (so two
 * writers locking overlapping sets cannot deadlock). On PostgreSQL a row lock per ref: writers of
 * other refs go on in parallel. On SQLite the transaction began IMMEDIATE and holds the database's
 * one write lock already.
 */
export async function lockRefs(trx: Transaction<MonitorDatabase>, dialect: MonitorDialect, refIds: readonly number[]): Promise<void> {
  if (dialect !== 'postgres' || refIds.length === 0) return;
  const sorted = [...new Set(refIds)].sort((a, b) => a - b);
  await sql`SELECT id FROM monitor_refs WHERE id IN (${sql.join(sorted)}) ORDER BY id FOR UPDATE`.execute(trx);
}
