import { statSync } from 'node:fs';
import { systemClock, type Clock } from '../core/clock.js';
import type { JobQueue, RetryPolicy } from '../jobs/job-queue.js';
import { createNotifier, type NotificationRoute, type Notifier } from '../jobs/notify/notifier.js';
import type { NotificationMailer } from '../jobs/notify/notification-mail.js';
import { checkMonitorFreshness } from './freshness.js';
import { monitorOutboxSource } from './outbox-source.js';
import { rematch, type RematchOutcome } from './rematch.js';
import type { MonitorDb } from './store/open-monitor-store.js';

// The monitor's background work in a server process: it watches the advisory store, re-matches
// what changed (a job, so that one process of several does it, and a killed one's is taken over)
// and hands the new findings' outbox rows to the notifier, whose deliveries are jobs too. Every
// process of a server runs one; they share the work through the queue (pg-boss on PostgreSQL; on
// SQLite one process does it in-process).

/** Job names of the monitor's own work (deliveries are the notifier's). */
export const MONITOR_JOBS = { rematch: 'monitor.rematch' } as const;

/** What the worker says, for the server's log (text from input is the caller's to escape). */
export interface MonitorWorkerLog {
  info(message: string): void;
  warn(message: string): void;
}

/** Options of {@link startMonitorWorker}. */
export interface MonitorWorkerOptions {
  readonly monitor: MonitorDb;
  /** The advisory store (SQLite file) the server matches against; `vigil db update`/`import` change it. */
  readonly storePath: string;
  /** The job queue on the monitor database, not started (the worker defines its jobs, then starts it). */
  readonly queue: JobQueue;
  /** Where new findings are sent. */
  readonly routes: readonly NotificationRoute[];
  /** Sends the mails of e-mail routes. */
  readonly mailer?: NotificationMailer;
  /** How often the store is checked for a change, milliseconds. */
  readonly checkEveryMs: number;
  /** Advisory data older than this is reported stale on each change (it is matched anyway). */
  readonly maxDbAgeMs: number;
  /** How long a delivery or re-match try holds its job before another process may take it over. */
  readonly takeoverMs?: number;
  /** Tries of each delivery (the notifier's default otherwise). */
  readonly deliveryRetry?: RetryPolicy;
  /** The console's base URL, for the link in each notification. */
  readonly publicUrl?: string;
  readonly clock?: Clock;
  readonly log: MonitorWorkerLog;
}

/** A running worker. */
export interface MonitorWorker {
  readonly notifier: Notifier;
  /** Queues a re-match now (nothing is added while one waits already). */
  requestRematch(): Promise<void>;
  /** Stops watching and stops the queue (tries in flight settle, or are left to their lease). */
  stop(): Promise<void>;
}

/** A re-match that fails is tried again later: the store may be mid-update or the database away. */
const REMATCH_RETRY: RetryPolicy = { maxAttempts: 10, baseDelayMs: 5_000, maxDelayMs: 10 * 60_000 };

/** What identifies a version of the store file: a `db update` or `db import` changes it (WAL included). */
function storeSignature(storePath: string): string {
  const parts: string[] = [];
  for (const file of [storePath, `${storePath}-wal`]) {
    try {
      const stat = statSync(file);
      parts.push(`${stat.ino}:${stat.size}:${stat.mtimeMs}`);
    } catch {
      parts.push('-');
    }
  }
  return parts.join('|');
}

/** Outcome in one line, for the log. */
function describeRematch(outcome: RematchOutcome): string {
  const { changes } = outcome;
  return (
    `monitor: rematch: ${outcome.changedRecords} changed and ${outcome.removedRecords} removed records, ${outcome.refs} refs matched; ` +
    `${changes.created} new findings, ${changes.reopened} reopened, ${changes.withdrawn} withdrawn, ${outcome.unevaluable} unevaluable`
  );
}

/**
 * Starts the monitor's background work on `queue`: a re-match whenever the advisory store file
 * changes (and once at the start, which also hands over outbox rows a stopped process left), then
 * the dispatch of new findings to the routes. A stale store is reported in the log each time it
 * is matched: its findings are still added, but it may miss advisories newer than its data.
 */
export async function startMonitorWorker(options: MonitorWorkerOptions): Promise<MonitorWorker> {
  const { monitor, queue, log } = options;
  const clock = options.clock ?? systemClock;
  const takeoverMs = options.takeoverMs ?? 60_000;
  const notifier = await createNotifier({
    queue,
    db: monitor.db,
    transact: (work) => monitor.db.transaction().execute(work),
    dialect: monitor.dialect,
    routes: options.routes,
    ...(options.mailer === undefined ? {} : { mailer: options.mailer }),
    ...(options.deliveryRetry === undefined ? {} : { retry: options.deliveryRetry }),
    leaseMs: takeoverMs,
    clock,
  });
  const source = monitorOutboxSource(monitor, {
    ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
    now: () => clock.now().toISOString(),
  });

  queue.define<Record<string, never>>({
    name: MONITOR_JOBS.rematch,
    retry: REMATCH_RETRY,
    // Long enough for a large re-match between two renewals of the hold.
    leaseMs: Math.max(takeoverMs, 120_000),
    async handler(job) {
      try {
        await warnWhenStale();
        const outcome = await rematch({ monitor, storePath: options.storePath, clock });
        if (outcome.changedRecords + outcome.removedRecords > 0) log.info(describeRematch(outcome));
        const handed = await notifier.dispatch(source);
        if (handed.notifications > 0) log.info(`monitor: ${handed.notifications} new findings handed to delivery, ${handed.queued} deliveries queued`);
      } catch (error) {
        // A re-match that cannot run (no store yet, a damaged one, the database away) is retried
        // by the queue; it is said every time, never left to look like "nothing new".
        log.warn(`monitor: rematch failed (try ${job.attempt} of ${job.maxAttempts}): ${(error as Error).message}`);
        throw error;
      }
    },
  });

  async function warnWhenStale(): Promise<void> {
    try {
      await checkMonitorFreshness(monitor, options.storePath, clock, options.maxDbAgeMs);
    } catch (error) {
      // Matched anyway (findings never hurt), but said: it cannot know newer advisories.
      log.warn(`monitor: ${(error as Error).message}; refs are matched anyway, but advisories newer than the data are missing (run "vigil db update")`);
    }
  }

  const requestRematch = async (): Promise<void> => {
    await queue.enqueue(MONITOR_JOBS.rematch, {}, { key: 'store-changed' });
  };

  await queue.start();
  let signature = storeSignature(options.storePath);
  await requestRematch();
  let checking = false;
  const timer = setInterval(() => {
    if (checking) return;
    const now = storeSignature(options.storePath);
    if (now === signature) return;
    checking = true;
    requestRematch()
      .then(() => {
        // Only once queued: a failed enqueue is tried again at the next check.
        signature = now;
      })
      .catch((error: unknown) => {
        log.warn(`monitor: could not queue a rematch: ${(error as Error).message}`);
      })
      .finally(() => {
        checking = false;
      });
  }, options.checkEveryMs);
  timer.unref();

  return {
    notifier,
    requestRematch,
    async stop() {
      clearInterval(timer);
      await queue.stop();
    },
  };
}
