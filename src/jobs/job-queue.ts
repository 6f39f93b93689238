import type { CompiledQuery, QueryResult } from 'kysely';
import { VigilError, type VigilErrorOptions } from '../core/errors.js';

/**
 * What runs SQL for an enqueue: a `Kysely` instance or a `Transaction` of the caller's. Passing the
 * caller's transaction makes the job part of it: the job exists if and only if the data it refers
 * to was committed.
 */
export interface SqlExecutor {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
}

/** How often a job is tried and how long the queue waits between tries. */
export interface RetryPolicy {
  /** Tries in all, the first included (>= 1). */
  readonly maxAttempts: number;
  /** The wait after the first failed try, in milliseconds; it doubles with each further one. */
  readonly baseDelayMs: number;
  /** The longest wait between two tries, in milliseconds. */
  readonly maxDelayMs: number;
}

/** What a queue does with the jobs of one name. */
export interface JobDefinition<P> {
  /** The queue name: lower-case letters, digits, `-` and `.`. */
  readonly name: string;
  /** Runs one job. Returning settles it as done; throwing retries it (see `RetryJobError`, `FatalJobError`). */
  readonly handler: (job: JobRun<P>) => Promise<void>;
  /** Retries of a throwing handler. */
  readonly retry: RetryPolicy;
  /**
   * How long one try may take before the queue takes the job as lost (its worker died or hung)
   * and gives it to another try, in milliseconds. A live worker renews its hold on the job while
   * the handler runs, so this bounds how late a killed worker's job is picked up again.
   */
  readonly leaseMs: number;
  /** Jobs of this name run at once in one process (default 1). */
  readonly concurrency?: number;
}

/** One try of a job, as its handler sees it. */
export interface JobRun<P> {
  /** The queue's id of the job (the same on every try). */
  readonly id: string;
  readonly name: string;
  readonly payload: P;
  /** This try's number, 1 for the first. */
  readonly attempt: number;
  /** The policy's `maxAttempts`: when `attempt` equals it, a failure is final. */
  readonly maxAttempts: number;
}

/** Options of one enqueue. */
export interface EnqueueOptions {
  /**
   * A dedupe key: while a job of this name and key waits to run, another enqueue with the same
   * key adds nothing and returns `undefined`.
   */
  readonly key?: string;
  /** Not before this time (default: at once). */
  readonly runAt?: Date;
  /** The caller's transaction (or database) to write the job in; default the queue's own connection. */
  readonly db?: SqlExecutor;
}

/** The job queue: SQLite in-process (`createSqliteJobQueue`) or pg-boss on PostgreSQL (`createPgBossJobQueue`). */
export interface JobQueue {
  /** `sqlite` or `postgres`. */
  readonly backend: 'sqlite' | 'postgres';
  /**
   * Adds a job. The payload must be a JSON object (it is stored as JSON).
   * @returns the job's id, or `undefined` when a job with the same dedupe key was waiting already.
   */
  enqueue(name: string, payload: Readonly<Record<string, unknown>>, options?: EnqueueOptions): Promise<string | undefined>;
  /** Registers the handler and policy of a job name; before `start()`. */
  define<P>(definition: JobDefinition<P>): void;
  /** Starts working the defined names (polling for due jobs) until `stop()`. */
  start(): Promise<void>;
  /**
   * Stops taking jobs and waits for the tries in flight to settle, at most `timeoutMs` (default
   * 30 s); a try still running then is left to its lease, and tried again by the next worker.
   */
  stop(options?: { readonly timeoutMs?: number }): Promise<void>;
}

/**
 * Thrown by a handler: the try failed and the next one must not start before `delayMs` (a
 * receiver's `Retry-After`), or later when the policy's backoff is longer.
 */
export class RetryJobError extends VigilError {
  readonly delayMs: number;

  constructor(message: string, delayMs: number, options: VigilErrorOptions = {}) {
    super('internal', message, options);
    this.delayMs = delayMs;
  }
}

/** Thrown by a handler: the job cannot succeed (a refused request, a bad payload); it fails without more tries. */
export class FatalJobError extends VigilError {
  constructor(message: string, options: VigilErrorOptions = {}) {
    super('internal', message, options);
  }
}

/** A job name or payload the queue refuses. */
export class JobQueueError extends VigilError {
  constructor(message: string, options: VigilErrorOptions = {}) {
    super('internal', message, options);
  }
}

const JOB_NAME = /^[a-z0-9][a-z0-9.-]{0,99}$/;

/** Checks a job name (it is a pg-boss queue name and part of SQL rows, so kept small and plain). */
export function checkJobName(name: string): string {
  if (!JOB_NAME.test(name)) throw new JobQueueError(`invalid job name "${name.slice(0, 100)}"`);
  return name;
}

/** Checks a retry policy, so that a typo cannot make a queue retry forever or never wait. */
export function checkRetryPolicy(policy: RetryPolicy, name: string): RetryPolicy {
  const { maxAttempts, baseDelayMs, maxDelayMs } = policy;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) {
    throw new JobQueueError(`job ${name}: maxAttempts must be an integer from 1 to 100, not ${maxAttempts}`);
  }
  if (!(baseDelayMs >= 0) || !(maxDelayMs >= baseDelayMs)) {
    throw new JobQueueError(`job ${name}: retry delays must satisfy 0 <= baseDelayMs <= maxDelayMs`);
  }
  return policy;
}

/** The largest payload a job takes, as JSON: jobs name rows, they do not carry documents. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

/** The payload as JSON, refused when it is not a plain object or is too large. */
export function encodePayload(name: string, payload: Readonly<Record<string, unknown>>): string {
  if (typeof payload !== 'object' || Array.isArray(payload)) throw new JobQueueError(`job ${name}: the payload must be a JSON object`);
  const text = JSON.stringify(payload);
  if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) throw new JobQueueError(`job ${name}: the payload is larger than ${MAX_PAYLOAD_BYTES} bytes`);
  return text;
}

/** Checks a job definition and adds it to a queue's definitions (each name once). */
export function addJobDefinition<P>(definitions: Map<string, JobDefinition<unknown>>, definition: JobDefinition<P>): void {
  checkJobName(definition.name);
  checkRetryPolicy(definition.retry, definition.name);
  if (!(definition.leaseMs >= 1_000)) throw new JobQueueError(`job ${definition.name}: leaseMs must be at least 1000`);
  if (definitions.has(definition.name)) throw new JobQueueError(`job ${definition.name} is defined twice`);
  definitions.set(definition.name, definition as JobDefinition<unknown>);
}
