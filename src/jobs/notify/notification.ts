import type { SeverityLevel } from '../../core/types.js';
import type { SqlExecutor } from '../job-queue.js';

/** One notification: a (ref, alias group) finding seen for the first time. Plain data, sent as JSON. */
export interface Notification {
  /**
   * Stable and unique: the idempotency id a receiver drops a repeat by (`Vigil-Notification-Id`),
   * the same on every try and every channel. The monitor derives it from its outbox row.
   */
  readonly id: string;
  readonly project: string;
  /** The tracked ref: a branch, a release line or a tag. */
  readonly ref: string;
  readonly advisory: {
    /** The alias group's primary id. */
    readonly id: string;
    /** The group's other ids (CVE, GHSA, PYSEC ...), sorted. */
    readonly aliases: readonly string[];
  };
  readonly package: {
    /** OSV's ecosystem id (`PyPI`, `npm`), when known. */
    readonly ecosystem?: string;
    readonly name: string;
    readonly version: string;
  };
  readonly severity: SeverityLevel;
  /** Versions that fix it, possibly none. */
  readonly fixed: readonly string[];
  /** When the finding was first seen, ISO 8601 UTC. */
  readonly firstSeen: string;
  /** Where the finding is shown (the console page), when the service knows its own address. */
  readonly link?: string;
}

/**
 * Where notifications come from: the monitor's outbox, written in the same transaction as each
 * new finding. The dispatcher reads undelivered rows, queues their deliveries and marks them
 * handed over in one transaction, so a row is either still undelivered or has its deliveries queued.
 */
export interface OutboxSource {
  /** Up to `limit` rows not yet handed over, oldest first. */
  fetchUndelivered(limit: number): Promise<readonly Notification[]>;
  /**
   * Marks rows as handed over to delivery, in `db` (the dispatcher's transaction, which also holds
   * the queued deliveries).
   */
  markDelivered(ids: readonly string[], db: SqlExecutor): Promise<void>;
}

/** Severity levels, lowest first, as thresholds compare them. */
const ORDER: readonly SeverityLevel[] = ['none', 'low', 'medium', 'high', 'critical'];

/**
 * Whether a notification of this severity passes a target's threshold. An `unknown` severity
 * always passes: what cannot be rated is not silently kept from anyone (fail closed).
 */
export function meetsThreshold(severity: SeverityLevel, threshold: SeverityLevel): boolean {
  if (severity === 'unknown' || threshold === 'unknown') return true;
  return ORDER.indexOf(severity) >= ORDER.indexOf(threshold);
}
