import type { SqlExecutor } from '../jobs/job-queue.js';
import type { Notification, OutboxSource } from '../jobs/notify/notification.js';
import { SEVERITY_LEVELS, type SeverityLevel } from '../core/types.js';
import type { MonitorDb } from './store/open-monitor-store.js';
import type { FindingPackage } from './types.js';

/** A stored severity as a level; anything else is `unknown`, which every threshold lets through. */
function severityLevel(text: string): SeverityLevel {
  const lower = text.toLowerCase();
  return (SEVERITY_LEVELS as readonly string[]).includes(lower) ? (lower as SeverityLevel) : 'unknown';
}

/** Options of {@link monitorOutboxSource}. */
export interface MonitorOutboxOptions {
  /** The console's base URL (`https://desk.example.org`): each notification links to its ref's page. */
  readonly publicUrl?: string;
  /** When rows are marked handed over (default: now). */
  readonly now?: () => string;
}

/** The idempotency id of an outbox row's notification: the same on every try and channel. */
export function outboxNotificationId(rowId: number): string {
  return `vigil-monitor-${rowId}`;
}

/** The console page of a ref, under the server's public URL. */
export function refPageUrl(publicUrl: string, project: string, ref: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/team/monitor/ref?project=${encodeURIComponent(project)}&ref=${encodeURIComponent(ref)}`;
}

/**
 * The monitor's outbox as the notifier's source: rows of new (ref, alias group) findings not yet
 * handed over, oldest first, marked handed over in the dispatcher's transaction. Both tables live
 * in the monitor database, so a row is either still waiting or has its deliveries queued.
 */
export function monitorOutboxSource(monitor: MonitorDb, options: MonitorOutboxOptions = {}): OutboxSource {
  const now = options.now ?? ((): string => new Date().toISOString());
  return {
    async fetchUndelivered(limit) {
      const rows = await monitor.db
        .selectFrom('monitor_outbox as o')
        .innerJoin('monitor_findings as f', 'f.id', 'o.finding_id')
        .select(['o.id', 'o.project', 'o.ref', 'o.advisory_id', 'o.aliases', 'o.severity', 'o.package', 'o.version', 'o.fixed', 'f.first_seen', 'f.packages'])
        .where('o.delivered_at', 'is', null)
        .orderBy('o.id')
        .limit(limit)
        .execute();
      return rows.map((row): Notification => {
        const packages = JSON.parse(row.packages) as FindingPackage[];
        const ecosystem = packages.find((pkg) => pkg.name === row.package && pkg.version === row.version)?.ecosystem ?? packages[0]?.ecosystem;
        return {
          id: outboxNotificationId(row.id),
          project: row.project,
          ref: row.ref,
          advisory: { id: row.advisory_id, aliases: JSON.parse(row.aliases) as string[] },
          package: { ...(ecosystem === undefined ? {} : { ecosystem }), name: row.package, version: row.version },
          severity: severityLevel(row.severity),
          fixed: JSON.parse(row.fixed) as string[],
          firstSeen: row.first_seen,
          ...(options.publicUrl === undefined ? {} : { link: refPageUrl(options.publicUrl, row.project, row.ref) }),
        };
      });
    },
    async markDelivered(ids: readonly string[], db: SqlExecutor) {
      const rowIds = ids.map((id) => Number(id.slice('vigil-monitor-'.length))).filter((id) => Number.isSafeInteger(id) && id > 0);
      if (rowIds.length === 0) return;
      // Compiled here, run on the dispatcher's transaction, which also holds the queued deliveries.
      await db.executeQuery(monitor.db.updateTable('monitor_outbox').set({ delivered_at: now() }).where('id', 'in', rowIds).where('delivered_at', 'is', null).compile());
    },
  };
}
