import { CompiledQuery, sql } from 'kysely';
import { systemClock, type Clock } from '../../core/clock.js';
import { ConfigError, UsageError } from '../../core/errors.js';
import type { SeverityLevel } from '../../core/types.js';
import { FatalJobError, RetryJobError, type JobQueue, type JobRun, type RetryPolicy, type SqlExecutor } from '../job-queue.js';
import { queryBuilder } from '../query-builder.js';
import { describeJobError } from '../sqlite-job-queue.js';
import { meetsThreshold, type Notification, type OutboxSource } from './notification.js';
import { renderDigestMail, renderNotificationMail, type EmailTarget, type NotificationMailer } from './notification-mail.js';
import { checkWebhookUrl, postWebhook, type WebhookTarget } from './webhook.js';

// Delivery guarantees, honestly:
// - Each (notification, target) has one row in `notify_deliveries`, created with its job in the
//   transaction that marks the outbox row handed over; a second dispatch of the same notification
//   finds the row and queues nothing. So a notification is queued once per target, or not at all.
// - A try runs on one worker at a time (a lease on SQLite, a claim with a heartbeat on pg-boss),
//   and a try first reads the row: once it says delivered, no later try sends again. Under normal
//   operation a receiver gets one successful delivery per notification.
// - Delivery is at least once, not exactly once: a worker that dies after the receiver answered
//   2xx but before the row says delivered leaves the job to another try, which sends it again
//   with the same `Vigil-Notification-Id`. A receiver that drops repeats by that id sees it once.
// - Nothing is lost when a worker dies: the job stays in the queue until a try settles it, and a
//   dead worker's try is taken again when its lease or heartbeat runs out.
// - A delivery that cannot succeed (a refused request, every try failed) is recorded as failed
//   with its reason and counted in `summary()`, never dropped.

/** A notification target and what reaches it. */
export interface NotificationRoute {
  readonly target: WebhookTarget | EmailTarget;
  /** The projects whose notifications it gets; absent: every project. */
  readonly projects?: readonly string[];
  /** The lowest severity it gets (an `unknown` severity always passes). */
  readonly minSeverity: SeverityLevel;
}

/** Options of {@link createNotifier}. */
export interface NotifierOptions {
  /** The job queue the deliveries run on (its handlers are defined here, before it starts). */
  readonly queue: JobQueue;
  /** The database that keeps the deliveries (the monitor's own). */
  readonly db: SqlExecutor;
  /** Runs `work` in one transaction of `db` (e.g. `(work) => kysely.transaction().execute(work)`). */
  readonly transact: <T>(work: (trx: SqlExecutor) => Promise<T>) => Promise<T>;
  readonly dialect: 'sqlite' | 'postgres';
  /** Every target; nothing else is ever sent to. */
  readonly routes: readonly NotificationRoute[];
  /** Sends the mails of e-mail targets (required when a route has one). */
  readonly mailer?: NotificationMailer;
  /** Tries of each delivery (default 8 tries, from 5 s doubling up to 1 h apart). */
  readonly retry?: RetryPolicy;
  /**
   * How long a try holds its delivery before another worker may take it over (default 60 s; on
   * PostgreSQL at least 10 s, pg-boss's shortest heartbeat). A worker that dies is noticed after it.
   */
  readonly leaseMs?: number;
  /** Webhook deliveries tried at once by one process (default 4). */
  readonly concurrency?: number;
  readonly clock?: Clock;
}

/** One delivery as recorded. */
export interface DeliveryRecord {
  readonly notificationId: string;
  readonly targetId: string;
  /** `pending` (queued or being tried), `delivered`, or `failed` (given up, with the reason). */
  readonly state: 'pending' | 'delivered' | 'failed';
  readonly attempts: number;
  readonly lastStatus: number | undefined;
  readonly lastError: string | undefined;
  readonly deliveredAt: string | undefined;
}

/** The notifier: hands outbox rows to the queue and delivers them. */
export interface Notifier {
  /**
   * Reads undelivered outbox rows (up to `limit` per batch, until none is left) and queues one
   * delivery per matching target for each, marking the rows handed over in the same transaction.
   * @returns the rows handed over and the deliveries queued.
   */
  dispatch(source: OutboxSource, limit?: number): Promise<{ readonly notifications: number; readonly queued: number }>;
  /** Every delivery, oldest first. */
  deliveries(): Promise<DeliveryRecord[]>;
  /** Deliveries per state. */
  summary(): Promise<Readonly<Record<DeliveryRecord['state'], number>>>;
}

/** `notify_deliveries`: one row per (notification, target). */
interface DeliveriesTable {
  notification_id: string;
  target_id: string;
  /** The notification as JSON. */
  notification: string;
  state: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  /** Digest mode: `<target>@<period start>`; null for one mail or request each. */
  digest_key: string | null;
  created_at: string;
  delivered_at: string | null;
}

interface NotifyDatabase {
  notify_deliveries: DeliveriesTable;
}

export const NOTIFY_JOBS = { webhook: 'notify.webhook', email: 'notify.email', digest: 'notify.digest' } as const;

const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 5_000, maxDelayMs: 60 * 60 * 1000 };

const CREATE_STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS notify_deliveries (
    notification_id text NOT NULL,
    target_id text NOT NULL,
    notification text NOT NULL,
    state text NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    last_status integer,
    last_error text,
    digest_key text,
    created_at text NOT NULL,
    delivered_at text,
    PRIMARY KEY (notification_id, target_id)
  )`,
  `CREATE INDEX IF NOT EXISTS notify_deliveries_digest ON notify_deliveries (digest_key, state)`,
];

interface DeliveryJob {
  readonly notificationId: string;
  readonly targetId: string;
}

interface DigestJob {
  readonly targetId: string;
  readonly digestKey: string;
  readonly from: string;
  readonly to: string;
}

function checkRoutes(routes: readonly NotificationRoute[], mailer: NotificationMailer | undefined): Map<string, NotificationRoute> {
  const byId = new Map<string, NotificationRoute>();
  for (const route of routes) {
    const { target } = route;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(target.id)) throw new ConfigError(`notification target "${target.id.slice(0, 100)}": invalid name`);
    if (byId.has(target.id)) throw new ConfigError(`notification target ${target.id} is named twice`);
    if (target.kind === 'webhook') {
      const problem = checkWebhookUrl(target.url);
      if (problem !== undefined) throw new ConfigError(`notification target ${target.id}: the URL ${problem}`);
      if (target.secret.length < 16) throw new ConfigError(`notification target ${target.id}: the secret must be at least 16 characters`);
    } else {
      if (mailer === undefined) throw new ConfigError(`notification target ${target.id}: e-mail needs the desk's mail settings`);
      const period = target.digest?.periodMinutes;
      if (period !== undefined && !(Number.isInteger(period) && period >= 1 && period <= 7 * 24 * 60)) {
        throw new ConfigError(`notification target ${target.id}: the digest period must be 1 to 10080 minutes`);
      }
    }
    byId.set(target.id, route);
  }
  return byId;
}

/** Creates the deliveries table if missing and defines the delivery jobs on the queue (before it starts). */
export async function createNotifier(options: NotifierOptions): Promise<Notifier> {
  const routes = checkRoutes(options.routes, options.mailer);
  const { queue, db, transact, dialect } = options;
  const clock = options.clock ?? systemClock;
  const retry = options.retry ?? DEFAULT_RETRY;
  // One spare queue try beyond the delivery's own: a try lost with its worker is taken again and
  // records the give-up, instead of leaving the delivery pending for ever.
  const queueRetry: RetryPolicy = { ...retry, maxAttempts: retry.maxAttempts + 1 };
  const builder = queryBuilder<NotifyDatabase>(dialect);
  const leaseMs = options.leaseMs ?? 60_000;

  await transact(async (trx) => {
    // Two processes starting at once on PostgreSQL would both create the table; they take turns.
    if (dialect === 'postgres') await trx.executeQuery(CompiledQuery.raw(`SELECT pg_advisory_xact_lock(hashtext('vigil notify_deliveries'))`));
    for (const statement of CREATE_STATEMENTS) await trx.executeQuery(CompiledQuery.raw(statement));
  });

  const now = (): string => clock.now().toISOString();

  async function loadDelivery(notificationId: string, targetId: string): Promise<DeliveriesTable | undefined> {
    const query = builder
      .selectFrom('notify_deliveries')
      .selectAll()
      .where('notification_id', '=', notificationId)
      .where('target_id', '=', targetId)
      .compile();
    return (await db.executeQuery(query)).rows[0];
  }

  /** Records a try's outcome on a pending delivery; false when it was no longer pending. */
  async function record(
    keys: { notificationIds: readonly string[]; targetId: string },
    values: { state: DeliveryRecord['state']; attempts?: number; last_status?: number | null; last_error?: string | null },
  ): Promise<boolean> {
    if (keys.notificationIds.length === 0) return false;
    const query = builder
      .updateTable('notify_deliveries')
      .set({
        state: values.state,
        ...(values.attempts === undefined ? {} : { attempts: sql<number>`CASE WHEN attempts > ${values.attempts} THEN attempts ELSE ${values.attempts} END` }),
        ...(values.last_status === undefined ? {} : { last_status: values.last_status }),
        ...(values.last_error === undefined ? {} : { last_error: values.last_error }),
        ...(values.state === 'delivered' ? { delivered_at: now() } : {}),
      })
      .where('notification_id', 'in', keys.notificationIds)
      .where('target_id', '=', keys.targetId)
      .where('state', '=', 'pending')
      .compile();
    return Number((await db.executeQuery(query)).numAffectedRows ?? 0n) > 0;
  }

  function targetOf<K extends 'webhook' | 'email'>(targetId: string, kind: K): Extract<WebhookTarget | EmailTarget, { kind: K }> | undefined {
    const target = routes.get(targetId)?.target;
    return target?.kind === kind ? (target as Extract<WebhookTarget | EmailTarget, { kind: K }>) : undefined;
  }

  /** A try after the delivery's last one (only reached when a try was lost with its worker). */
  async function giveUpIfSpent(keys: { notificationIds: readonly string[]; targetId: string }, attempt: number): Promise<boolean> {
    if (attempt <= retry.maxAttempts) return false;
    await record(keys, { state: 'failed', last_error: `gave up: the worker of the last of ${retry.maxAttempts} tries stopped before it recorded the outcome` });
    return true;
  }

  queue.define<DeliveryJob>({
    name: NOTIFY_JOBS.webhook,
    retry: queueRetry,
    leaseMs,
    concurrency: options.concurrency ?? 4,
    async handler(job: JobRun<DeliveryJob>) {
      const { notificationId, targetId } = job.payload;
      const keys = { notificationIds: [notificationId], targetId };
      const row = await loadDelivery(notificationId, targetId);
      // Settled already: this is a repeat of a try whose own settling was lost.
      if (row?.state !== 'pending') return;
      const target = targetOf(targetId, 'webhook');
      if (target === undefined) {
        await record(keys, { state: 'failed', last_error: `target ${targetId} is no longer configured` });
        throw new FatalJobError(`target ${targetId} is no longer configured`);
      }
      if (await giveUpIfSpent(keys, job.attempt)) throw new FatalJobError('no tries left');
      const result = await postWebhook(target, JSON.parse(row.notification) as Notification, job.attempt, clock.now());
      if (result.outcome === 'delivered') {
        await record(keys, { state: 'delivered', attempts: job.attempt, last_status: result.status, last_error: null });
        return;
      }
      const status = result.status ?? null;
      if (result.outcome === 'refused') {
        await record(keys, { state: 'failed', attempts: job.attempt, last_status: status, last_error: `refused: ${result.reason}` });
        throw new FatalJobError(`${targetId}: ${result.reason}`);
      }
      if (job.attempt >= retry.maxAttempts) {
        await record(keys, { state: 'failed', attempts: job.attempt, last_status: status, last_error: `gave up after ${job.attempt} tries: ${result.reason}` });
        throw new FatalJobError(`${targetId}: gave up after ${job.attempt} tries: ${result.reason}`);
      }
      await record(keys, { state: 'pending', attempts: job.attempt, last_status: status, last_error: result.reason });
      throw new RetryJobError(`${targetId}: ${result.reason}`, result.retryAfterMs ?? 0);
    },
  });

  async function sendMail(
    keys: { notificationIds: readonly string[]; targetId: string },
    job: JobRun<unknown>,
    mail: { to: string; subject: string; body: string },
  ): Promise<void> {
    const mailer = options.mailer;
    if (mailer === undefined) throw new FatalJobError('no mailer');
    try {
      await mailer.send(mail.to, mail.subject, mail.body);
    } catch (error) {
      const reason = describeJobError(error);
      const fatal = error instanceof UsageError || job.attempt >= retry.maxAttempts;
      await record(keys, { state: fatal ? 'failed' : 'pending', attempts: job.attempt, last_error: fatal && !(error instanceof UsageError) ? `gave up after ${job.attempt} tries: ${reason}` : reason });
      if (fatal) throw new FatalJobError(reason);
      throw error;
    }
    await record(keys, { state: 'delivered', attempts: job.attempt, last_error: null });
  }

  queue.define<DeliveryJob>({
    name: NOTIFY_JOBS.email,
    retry: queueRetry,
    leaseMs,
    async handler(job) {
      const { notificationId, targetId } = job.payload;
      const keys = { notificationIds: [notificationId], targetId };
      const row = await loadDelivery(notificationId, targetId);
      if (row?.state !== 'pending') return;
      const target = targetOf(targetId, 'email');
      if (target === undefined) {
        await record(keys, { state: 'failed', last_error: `target ${targetId} is no longer configured` });
        throw new FatalJobError(`target ${targetId} is no longer configured`);
      }
      if (await giveUpIfSpent(keys, job.attempt)) throw new FatalJobError('no tries left');
      await sendMail(keys, job, { to: target.to, ...renderNotificationMail(JSON.parse(row.notification) as Notification) });
    },
  });

  queue.define<DigestJob>({
    name: NOTIFY_JOBS.digest,
    retry: queueRetry,
    leaseMs,
    async handler(job) {
      const { targetId, digestKey } = job.payload;
      const query = builder
        .selectFrom('notify_deliveries')
        .selectAll()
        .where('digest_key', '=', digestKey)
        .where('target_id', '=', targetId)
        .where('state', '=', 'pending')
        .orderBy('created_at')
        .orderBy('notification_id')
        .compile();
      const rows = (await db.executeQuery(query)).rows;
      if (rows.length === 0) return;
      const keys = { notificationIds: rows.map((row) => row.notification_id), targetId };
      const target = targetOf(targetId, 'email');
      if (target === undefined) {
        await record(keys, { state: 'failed', last_error: `target ${targetId} is no longer configured` });
        throw new FatalJobError(`target ${targetId} is no longer configured`);
      }
      if (await giveUpIfSpent(keys, job.attempt)) throw new FatalJobError('no tries left');
      const notifications = rows.map((row) => JSON.parse(row.notification) as Notification);
      await sendMail(keys, job, { to: target.to, ...renderDigestMail(notifications, { from: new Date(job.payload.from), to: new Date(job.payload.to) }) });
    },
  });

  async function queueDeliveries(trx: SqlExecutor, notification: Notification): Promise<number> {
    let queued = 0;
    for (const route of routes.values()) {
      if (route.projects !== undefined && !route.projects.includes(notification.project)) continue;
      if (!meetsThreshold(notification.severity, route.minSeverity)) continue;
      const { target } = route;
      let digest: DigestJob | undefined;
      if (target.kind === 'email' && target.digest !== undefined) {
        const periodMs = target.digest.periodMinutes * 60_000;
        const from = Math.floor(clock.now().getTime() / periodMs) * periodMs;
        const fromIso = new Date(from).toISOString();
        digest = { targetId: target.id, digestKey: `${target.id}@${fromIso}`, from: fromIso, to: new Date(from + periodMs).toISOString() };
      }
      const insert = builder
        .insertInto('notify_deliveries')
        .values({
          notification_id: notification.id,
          target_id: target.id,
          notification: JSON.stringify(notification),
          state: 'pending',
          attempts: 0,
          last_status: null,
          last_error: null,
          digest_key: digest?.digestKey ?? null,
          created_at: now(),
          delivered_at: null,
        })
        .onConflict((conflict) => conflict.columns(['notification_id', 'target_id']).doNothing())
        .returning('notification_id')
        .compile();
      const inserted = (await trx.executeQuery(insert)).rows.length > 0;
      // Queued before: this notification was dispatched already (its outbox mark was lost).
      if (!inserted) continue;
      queued++;
      if (digest !== undefined) {
        // One digest job per target and period, due at the period's end (the key dedupes).
        await queue.enqueue(NOTIFY_JOBS.digest, { ...digest }, { key: digest.digestKey, runAt: new Date(digest.to), db: trx });
      } else {
        const job: DeliveryJob = { notificationId: notification.id, targetId: target.id };
        await queue.enqueue(target.kind === 'webhook' ? NOTIFY_JOBS.webhook : NOTIFY_JOBS.email, { ...job }, { db: trx });
      }
    }
    return queued;
  }

  const toRecord = (row: DeliveriesTable): DeliveryRecord => ({
    notificationId: row.notification_id,
    targetId: row.target_id,
    state: row.state as DeliveryRecord['state'],
    attempts: row.attempts,
    lastStatus: row.last_status ?? undefined,
    lastError: row.last_error ?? undefined,
    deliveredAt: row.delivered_at ?? undefined,
  });

  return {
    async dispatch(source, limit = 100) {
      let notifications = 0;
      let queued = 0;
      for (;;) {
        const batch = await source.fetchUndelivered(limit);
        if (batch.length === 0) return { notifications, queued };
        queued += await transact(async (trx) => {
          let count = 0;
          for (const notification of batch) count += await queueDeliveries(trx, notification);
          await source.markDelivered(
            batch.map((notification) => notification.id),
            trx,
          );
          return count;
        });
        notifications += batch.length;
        if (batch.length < limit) return { notifications, queued };
      }
    },

    async deliveries() {
      const query = builder.selectFrom('notify_deliveries').selectAll().orderBy('created_at').orderBy('notification_id').orderBy('target_id').compile();
      return (await db.executeQuery(query)).rows.map(toRecord);
    },

    async summary() {
      const counts = { pending: 0, delivered: 0, failed: 0 };
      const query = builder
        .selectFrom('notify_deliveries')
        .select(['state', (eb) => eb.fn.countAll<string | number>().as('count')])
        .groupBy('state')
        .compile();
      for (const row of (await db.executeQuery(query)).rows) {
        if (row.state === 'pending' || row.state === 'delivered' || row.state === 'failed') counts[row.state] = Number(row.count);
      }
      return counts;
    },
  };
}
