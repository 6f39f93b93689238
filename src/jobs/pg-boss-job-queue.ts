import { randomUUID } from 'node:crypto';
import type { Db, JobResult, JobWithMetadata, PgBoss } from 'pg-boss';
import { retryDelayMs } from './backoff.js';
import {
  addJobDefinition,
  checkJobName,
  encodePayload,
  FatalJobError,
  JobQueueError,
  RetryJobError,
  type JobDefinition,
  type JobQueue,
} from './job-queue.js';
import { describeJobError, type JobSettledEvent } from './sqlite-job-queue.js';

// On PostgreSQL the jobs go through pg-boss (https://github.com/timgit/pg-boss), so that several
// server processes share the work: a job is claimed by one worker (SELECT ... FOR UPDATE SKIP
// LOCKED), its worker sends heartbeats while the handler runs, and a job whose heartbeat stops (the
// process was killed) is failed by the supervisor of any live instance and tried again. pg-boss is
// imported here only, and this module only by `openJobQueue` when a PostgreSQL queue is opened:
// `vigil audit` never loads it.

/** Options of {@link createPgBossJobQueue}. */
export interface PgBossJobQueueOptions {
  /** The PostgreSQL URL; pg-boss keeps its own pool on it. */
  readonly connectionString: string;
  /** The schema of pg-boss's tables (default `vigil_jobs`), created if missing. */
  readonly schema?: string;
  /** Seconds between polls of an idle worker (default 2, at least 0.5). */
  readonly pollIntervalSeconds?: number;
  /**
   * Seconds between the supervisor's passes, which fail the tries whose heartbeat stopped (default
   * 60; tests make it short).
   */
  readonly superviseIntervalSeconds?: number;
  /** A number in [0, 1) for the jitter of a `RetryJobError`'s wait (default `Math.random`). */
  readonly random?: () => number;
  /** Told of each settled try, for logs and counters; must not throw. */
  readonly onSettled?: (event: JobSettledEvent) => void;
  /** Told of pg-boss's own errors (a lost connection, a failed maintenance pass); must not throw. */
  readonly onError?: (error: Error) => void;
}

/** The shortest heartbeat pg-boss takes. */
const MIN_HEARTBEAT_SECONDS = 10;

/** Opens pg-boss on the database (installing or migrating its schema) and returns the queue (not started). */
export async function createPgBossJobQueue(options: PgBossJobQueueOptions): Promise<JobQueue> {
  const { PgBoss: PgBossClass, fromKysely } = await import('pg-boss');
  const boss: PgBoss = new PgBossClass({
    connectionString: options.connectionString,
    schema: options.schema ?? 'vigil_jobs',
    superviseIntervalSeconds: options.superviseIntervalSeconds ?? 60,
    monitorIntervalSeconds: options.superviseIntervalSeconds ?? 60,
    // vigil schedules nothing through pg-boss, and keeps its registry of instances out.
    schedule: false,
    registerInstance: false,
  });
  boss.on('error', (error: Error) => {
    try {
      options.onError?.(error);
    } catch {
      // A listener's failure is not the queue's.
    }
  });
  const random = options.random ?? Math.random;
  const definitions = new Map<string, JobDefinition<unknown>>();
  let started = false;
  let bossStarted = false;

  const report = (event: JobSettledEvent): void => {
    try {
      options.onSettled?.(event);
    } catch {
      // as above
    }
  };

  async function ensureStarted(): Promise<void> {
    if (bossStarted) return;
    await boss.start();
    bossStarted = true;
  }

  function queueOptions(definition: JobDefinition<unknown>) {
    const { retry, leaseMs } = definition;
    const heartbeatSeconds = Math.max(MIN_HEARTBEAT_SECONDS, Math.ceil(leaseMs / 1000));
    return {
      // At most one job per dedupe key waits to run (created); one may run meanwhile.
      policy: 'short' as const,
      retryLimit: retry.maxAttempts - 1,
      retryDelay: Math.max(1, Math.round(retry.baseDelayMs / 1000)),
      retryBackoff: true,
      retryDelayMax: Math.max(1, Math.round(retry.maxDelayMs / 1000)),
      heartbeatSeconds,
      // A try that runs this long without settling is failed even with a heartbeat (a hung handler).
      expireInSeconds: Math.max(heartbeatSeconds * 6, 60),
    };
  }

  async function ensureQueue(definition: JobDefinition<unknown>): Promise<void> {
    await ensureStarted();
    // createQueue leaves an existing queue as it is; updateQueue brings its retry settings to ours.
    const settings = queueOptions(definition);
    await boss.createQueue(definition.name, settings);
    await boss.updateQueue(definition.name, {
      retryLimit: settings.retryLimit,
      retryDelay: settings.retryDelay,
      retryBackoff: settings.retryBackoff,
      retryDelayMax: settings.retryDelayMax,
      heartbeatSeconds: settings.heartbeatSeconds,
      expireInSeconds: settings.expireInSeconds,
    });
  }

  async function runJob(definition: JobDefinition<unknown>, job: JobWithMetadata<unknown>): Promise<JobResult> {
    const { name, retry } = definition;
    const attempt = job.retryCount + 1;
    try {
      await definition.handler({ id: job.id, name, payload: job.data, attempt, maxAttempts: retry.maxAttempts });
      report({ name, id: job.id, attempt, outcome: 'completed' });
      return { id: job.id, status: 'completed' };
    } catch (error) {
      const message = describeJobError(error);
      if (error instanceof FatalJobError || attempt >= retry.maxAttempts) {
        report({ name, id: job.id, attempt, outcome: 'failed', error: message });
        return { id: job.id, status: 'deadletter', output: { message } };
      }
      if (error instanceof RetryJobError) {
        // pg-boss's own backoff knows nothing of a receiver's Retry-After: the try is failed here
        // (pg-boss moves it to retry, with its own backoff) and then its start is moved to the
        // later time. A crash between the two leaves the earlier time: one try sooner than asked,
        // never a lost one. Both are fenced to this try, and pg-boss's own settling after the
        // handler finds the job no longer active and does nothing.
        const retryAt = new Date(Date.now() + retryDelayMs(attempt, retry, error.delayMs, random));
        await boss.fail(name, { id: job.id, retryCount: job.retryCount }, { message });
        // No data given: pg-boss keeps the job's payload (a null would replace it).
        await boss.update(name, undefined, { id: job.id, startAfter: retryAt });
        report({ name, id: job.id, attempt, outcome: 'retry', retryAt, error: message });
        return { id: job.id, status: 'failed', output: { message } };
      }
      report({ name, id: job.id, attempt, outcome: 'retry', error: message });
      return { id: job.id, status: 'failed', output: { message } };
    }
  }

  return {
    backend: 'postgres',

    async enqueue(name, payload, enqueueOptions = {}) {
      checkJobName(name);
      const definition = definitions.get(name);
      if (definition === undefined) throw new JobQueueError(`job ${name} is not defined on this queue`);
      encodePayload(name, payload);
      await ensureQueue(definition);
      const db: Db | undefined = enqueueOptions.db === undefined ? undefined : fromKysely(enqueueOptions.db);
      const id = await boss.send(name, { ...payload }, {
        // The short policy's unique index reads a missing key as '', so a job without a dedupe
        // key gets one of its own: keyless jobs never dedupe each other, as on SQLite.
        singletonKey: enqueueOptions.key === undefined ? `job:${randomUUID()}` : `key:${enqueueOptions.key}`,
        ...(enqueueOptions.runAt === undefined ? {} : { startAfter: enqueueOptions.runAt }),
        ...(db === undefined ? {} : { db }),
      });
      return id ?? undefined;
    },

    define<P>(definition: JobDefinition<P>) {
      addJobDefinition(definitions, definition);
    },

    async start() {
      if (started) return;
      started = true;
      await ensureStarted();
      for (const definition of definitions.values()) {
        await ensureQueue(definition);
        await boss.work(
          definition.name,
          {
            batchSize: 1,
            localConcurrency: definition.concurrency ?? 1,
            pollingIntervalSeconds: options.pollIntervalSeconds ?? 2,
            includeMetadata: true,
            perJobResults: true,
          },
          async (jobs: JobWithMetadata<unknown>[]) => Promise.all(jobs.map((job) => runJob(definition, job))),
        );
      }
    },

    async stop(stopOptions = {}) {
      if (!bossStarted) return;
      // graceful: workers stop fetching and the tries in flight may finish within the timeout.
      await boss.stop({ graceful: true, close: true, timeout: stopOptions.timeoutMs ?? 30_000 });
      bossStarted = false;
      started = false;
    },
  };
}
