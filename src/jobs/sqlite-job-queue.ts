import { randomUUID } from 'node:crypto';
import { CompiledQuery, sql } from 'kysely';
import { systemClock, type Clock } from '../core/clock.js';
import { visibleText } from '../core/visible-text.js';
import { backoffDelayMs, retryDelayMs } from './backoff.js';
import {
  addJobDefinition,
  checkJobName,
  encodePayload,
  FatalJobError,
  RetryJobError,
  type EnqueueOptions,
  type JobDefinition,
  type JobQueue,
  type SqlExecutor,
} from './job-queue.js';
import { queryBuilder } from './query-builder.js';

// With SQLite one process does the background work, in-process, from a table in the same
// database, so that a job is written in the same transaction as the data it refers to. No queue
// library runs on SQLite, and the work is small: a polling worker with leases.
//
// A try holds its job by a lease (`lease_until`) that the worker renews while the handler runs.
// A worker that dies leaves the lease to run out; the next poll (of this process after a restart,
// or of another) takes the job again as a new try. So a job runs at least once; a handler whose
// effect must not repeat records it and checks first (see the webhook delivery's state row).

/** `vigil_jobs`: one row per job. States follow pg-boss's: created, retry, active, completed, failed. */
export interface JobsTable {
  id: number;
  name: string;
  /** JSON object. */
  payload: string;
  dedupe_key: string | null;
  state: string;
  /** Tries started so far. */
  attempt: number;
  /** ISO 8601 UTC: not before. */
  run_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  last_error: string | null;
  created_at: string;
  finished_at: string | null;
}

/** The queue's tables, for `Kysely<JobsDatabase>`. */
export interface JobsDatabase {
  vigil_jobs: JobsTable;
}

/** Options of {@link createSqliteJobQueue}. */
export interface SqliteJobQueueOptions {
  /** The database (a `Kysely` over better-sqlite3): the queue's table is created in it if missing. */
  readonly db: SqlExecutor;
  /** The time jobs are due and leases end by (default the system clock); tests move it by hand. */
  readonly clock?: Clock;
  /** Milliseconds between polls for due jobs while started (default 1 s). */
  readonly pollIntervalMs?: number;
  /** A number in [0, 1) for the backoff's jitter (default `Math.random`). */
  readonly random?: () => number;
  /** Told of each settled try, for logs and counters; must not throw. */
  readonly onSettled?: (event: JobSettledEvent) => void;
}

/** How a try ended. */
export interface JobSettledEvent {
  readonly name: string;
  readonly id: string;
  readonly attempt: number;
  /** `completed`, `retry` (another try at `retryAt`) or `failed` (no more tries). */
  readonly outcome: 'completed' | 'retry' | 'failed';
  readonly retryAt?: Date;
  /** The error, one line, control characters shown visibly. */
  readonly error?: string;
}

/** The SQLite job queue, with `runDue()` for tests that drive it with their own clock. */
export interface SqliteJobQueue extends JobQueue {
  /**
   * Claims every due job of the defined names (up to each one's concurrency, repeatedly until none
   * is due) and runs them; resolves when they have settled. What a poll does, without the timer.
   * @returns the number of tries run.
   */
  runDue(): Promise<number>;
}

const CREATE_STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS vigil_jobs (
    id integer PRIMARY KEY AUTOINCREMENT,
    name text NOT NULL,
    payload text NOT NULL,
    dedupe_key text,
    state text NOT NULL,
    attempt integer NOT NULL DEFAULT 0,
    run_at text NOT NULL,
    lease_owner text,
    lease_until text,
    last_error text,
    created_at text NOT NULL,
    finished_at text
  )`,
  // The dedupe key: one created (never tried) job per name and key, like pg-boss's `short` policy.
  `CREATE UNIQUE INDEX IF NOT EXISTS vigil_jobs_one_created_per_key ON vigil_jobs (name, dedupe_key) WHERE state = 'created' AND dedupe_key IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS vigil_jobs_due ON vigil_jobs (name, state, run_at)`,
];

const MAX_ERROR_LENGTH = 1000;

/** The first line of an error's message, control characters shown, bounded. */
export function describeJobError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return visibleText((message.split('\n')[0] ?? '').slice(0, MAX_ERROR_LENGTH));
}

/** Creates the queue's table if missing and returns the queue (not started). */
export async function createSqliteJobQueue(options: SqliteJobQueueOptions): Promise<SqliteJobQueue> {
  const { db } = options;
  for (const statement of CREATE_STATEMENTS) await db.executeQuery(CompiledQuery.raw(statement));
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const builder = queryBuilder<JobsDatabase>('sqlite');
  const owner = randomUUID();
  const definitions = new Map<string, JobDefinition<unknown>>();
  const running = new Map<string, Set<Promise<void>>>();
  let timer: NodeJS.Timeout | undefined;
  let started = false;
  let stopping = false;
  let polling: Promise<number> | undefined;

  const iso = (offsetMs = 0): string => new Date(clock.now().getTime() + offsetMs).toISOString();

  async function claim(definition: JobDefinition<unknown>, limit: number): Promise<{ id: number; payload: string; attempt: number }[]> {
    const now = iso();
    // One statement, so atomic in SQLite: jobs due, and jobs whose try's lease ran out (the
    // worker died or hung), oldest first.
    const due = builder
      .selectFrom('vigil_jobs')
      .select('id')
      .where('name', '=', definition.name)
      .where((eb) =>
        eb.or([
          eb.and([eb('state', 'in', ['created', 'retry']), eb('run_at', '<=', now)]),
          eb.and([eb('state', '=', 'active'), eb('lease_until', '<=', now)]),
        ]),
      )
      .orderBy('run_at')
      .orderBy('id')
      .limit(limit);
    const query = builder
      .updateTable('vigil_jobs')
      .set({ state: 'active', attempt: sql<number>`attempt + 1`, lease_owner: owner, lease_until: iso(definition.leaseMs) })
      .where('id', 'in', due)
      .returning(['id', 'payload', 'attempt'])
      .compile();
    const result = await db.executeQuery(query);
    return result.rows;
  }

  /** Settles a try, fenced to it: a try whose lease was taken over settles nothing. */
  async function settle(
    id: number,
    attempt: number,
    values: { state: string; run_at?: string; last_error?: string | null; finished_at?: string | null },
  ): Promise<boolean> {
    const query = builder
      .updateTable('vigil_jobs')
      .set({ ...values, lease_owner: null, lease_until: null })
      .where('id', '=', id)
      .where('attempt', '=', attempt)
      .where('lease_owner', '=', owner)
      .where('state', '=', 'active')
      .compile();
    const result = await db.executeQuery(query);
    return Number(result.numAffectedRows ?? 0n) === 1;
  }

  async function renew(id: number, attempt: number, leaseMs: number): Promise<void> {
    const query = builder
      .updateTable('vigil_jobs')
      .set({ lease_until: iso(leaseMs) })
      .where('id', '=', id)
      .where('attempt', '=', attempt)
      .where('lease_owner', '=', owner)
      .where('state', '=', 'active')
      .compile();
    await db.executeQuery(query);
  }

  function report(event: JobSettledEvent): void {
    try {
      options.onSettled?.(event);
    } catch {
      // A listener's failure is not the job's.
    }
  }

  async function runOne(definition: JobDefinition<unknown>, row: { id: number; payload: string; attempt: number }): Promise<void> {
    const { name, retry } = definition;
    const id = String(row.id);
    const attempt = row.attempt;
    const fail = async (message: string): Promise<void> => {
      if (await settle(row.id, attempt, { state: 'failed', last_error: message, finished_at: iso() })) {
        report({ name, id, attempt, outcome: 'failed', error: message });
      }
    };
    if (attempt > retry.maxAttempts) {
      // Its last try's lease ran out: that worker died or hung during it.
      await fail(`no try left: the worker of try ${attempt - 1} stopped before it settled`);
      return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(row.payload);
    } catch {
      await fail('the stored payload is not JSON');
      return;
    }
    const heartbeat = setInterval(() => {
      renew(row.id, attempt, definition.leaseMs).catch(() => undefined);
    }, Math.max(Math.floor(definition.leaseMs / 3), 10));
    heartbeat.unref();
    try {
      await definition.handler({ id, name, payload, attempt, maxAttempts: retry.maxAttempts });
      clearInterval(heartbeat);
      if (await settle(row.id, attempt, { state: 'completed', last_error: null, finished_at: iso() })) report({ name, id, attempt, outcome: 'completed' });
    } catch (error) {
      clearInterval(heartbeat);
      const message = describeJobError(error);
      if (error instanceof FatalJobError || attempt >= retry.maxAttempts) {
        await fail(message);
        return;
      }
      const delay = error instanceof RetryJobError ? retryDelayMs(attempt, retry, error.delayMs, random) : backoffDelayMs(attempt, retry, random);
      const retryAt = iso(delay);
      if (await settle(row.id, attempt, { state: 'retry', run_at: retryAt, last_error: message })) {
        report({ name, id, attempt, outcome: 'retry', retryAt: new Date(retryAt), error: message });
      }
    }
  }

  async function runDueOnce(): Promise<number> {
    let count = 0;
    for (const definition of definitions.values()) {
      const inFlight = running.get(definition.name) ?? new Set<Promise<void>>();
      running.set(definition.name, inFlight);
      const free = (definition.concurrency ?? 1) - inFlight.size;
      if (free <= 0 || stopping) continue;
      const rows = await claim(definition, free);
      for (const row of rows) {
        count++;
        const run = runOne(definition, row).finally(() => inFlight.delete(run));
        inFlight.add(run);
      }
    }
    return count;
  }

  async function waitForRunning(): Promise<void> {
    await Promise.all([...running.values()].flatMap((set) => [...set]));
  }

  function schedule(): void {
    if (!started || stopping) return;
    timer = setTimeout(() => {
      polling = runDueOnce()
        .catch(() => 0)
        .finally(schedule);
    }, pollIntervalMs);
  }

  return {
    backend: 'sqlite',

    async enqueue(name, payload, enqueueOptions: EnqueueOptions = {}) {
      checkJobName(name);
      const text = encodePayload(name, payload);
      const query = builder
        .insertInto('vigil_jobs')
        .values({
          name,
          payload: text,
          dedupe_key: enqueueOptions.key ?? null,
          state: 'created',
          attempt: 0,
          run_at: (enqueueOptions.runAt ?? clock.now()).toISOString(),
          created_at: iso(),
        } as JobsTable)
        .onConflict((conflict) => conflict.doNothing())
        .returning('id')
        .compile();
      const result = await (enqueueOptions.db ?? db).executeQuery(query);
      const id = result.rows[0]?.id;
      return id === undefined ? undefined : String(id);
    },

    define<P>(definition: JobDefinition<P>) {
      addJobDefinition(definitions, definition);
    },

    async start() {
      if (started) return;
      started = true;
      stopping = false;
      polling = runDueOnce().catch(() => 0);
      await polling;
      schedule();
    },

    async stop(stopOptions = {}) {
      stopping = true;
      if (timer !== undefined) clearTimeout(timer);
      const settled = Promise.all([polling, waitForRunning()]).then(() => undefined);
      let limit: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        limit = setTimeout(resolve, stopOptions.timeoutMs ?? 30_000);
        limit.unref();
      });
      await Promise.race([settled, timeout]);
      if (limit !== undefined) clearTimeout(limit);
      started = false;
    },

    async runDue() {
      let total = 0;
      for (;;) {
        const count = await runDueOnce();
        await waitForRunning();
        total += count;
        if (count === 0) return total;
      }
    },
  };
}
