import { createPgBossJobQueue } from '../../../src/jobs/pg-boss-job-queue.js';
import type { JobQueue, RetryPolicy } from '../../../src/jobs/job-queue.js';
import type { Notification, OutboxSource } from '../../../src/jobs/notify/notification.js';
import { createSqliteJobQueue, type SqliteJobQueue } from '../../../src/jobs/sqlite-job-queue.js';
import { manualClock, waitFor, type JobDatabase, type ManualClock } from '../job-backends.js';

export const SECRET = 'whsec_0123456789abcdef';

/** A notification as the monitor would write it (Django 4.2's CVE-2024-27351, by hand). */
export function notification(n: number, overrides: Partial<Notification> = {}): Notification {
  return {
    id: `outbox-${n}`,
    project: 'nautobot',
    ref: '2.4-ltm',
    advisory: { id: 'GHSA-vm8q-m57g-pff3', aliases: ['CVE-2024-27351', 'PYSEC-2024-47'] },
    package: { ecosystem: 'PyPI', name: 'django', version: '4.2.10' },
    severity: 'medium',
    fixed: ['3.2.25', '4.2.11', '5.0.3'],
    firstSeen: '2026-01-05T09:59:00.000Z',
    ...overrides,
  };
}

/** An outbox in memory; `markDelivered` can be made to lose its mark (a crash after the commit). */
export function memoryOutbox(rows: readonly Notification[], options: { loseMarks?: boolean } = {}): OutboxSource & { marked: Set<string> } {
  const marked = new Set<string>();
  return {
    marked,
    fetchUndelivered: (limit) => Promise.resolve(rows.filter((row) => !marked.has(row.id)).slice(0, limit)),
    markDelivered(ids) {
      if (options.loseMarks !== true) for (const id of ids) marked.add(id);
      return Promise.resolve();
    },
  };
}

export const FAST_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 4_000 };

/** A queue on the test database and a way to run it until a condition holds. */
export interface DrivenQueue {
  readonly queue: JobQueue;
  readonly clock: ManualClock | undefined;
  /** SQLite: runs due jobs, moving the clock 250 ms at a time; PostgreSQL: lets pg-boss work. */
  runUntil(check: () => Promise<boolean> | boolean, what: string): Promise<void>;
  stop(): Promise<void>;
}

export async function drivenQueue(database: JobDatabase): Promise<DrivenQueue> {
  if (database.dialect === 'sqlite') {
    const clock = manualClock();
    const queue: SqliteJobQueue = await createSqliteJobQueue({ db: database.db, clock, random: () => 0 });
    return {
      queue,
      clock,
      async runUntil(check, what) {
        for (let step = 0; step < 2_000; step++) {
          await queue.runDue();
          if (await check()) return;
          clock.advance(250);
        }
        throw new Error(`never reached: ${what}`);
      },
      stop: () => queue.stop(),
    };
  }
  const pgSettings = database.pg;
  if (pgSettings === undefined) throw new Error('no PostgreSQL settings');
  const queue = await createPgBossJobQueue({ connectionString: pgSettings.url, schema: pgSettings.bossSchema, pollIntervalSeconds: 0.5, superviseIntervalSeconds: 1 });
  let started = false;
  return {
    queue,
    clock: undefined,
    async runUntil(check, what) {
      if (!started) {
        started = true;
        await queue.start();
      }
      await waitFor(check, 45_000, what);
    },
    stop: () => queue.stop({ timeoutMs: 5_000 }),
  };
}
