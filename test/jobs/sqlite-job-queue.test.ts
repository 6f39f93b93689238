import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { FatalJobError, RetryJobError, type RetryPolicy } from '../../src/jobs/job-queue.js';
import { createSqliteJobQueue, type JobSettledEvent } from '../../src/jobs/sqlite-job-queue.js';
import { createSqliteJobDatabase, manualClock, type JobDatabase } from './job-backends.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 10_000 };

async function setUp(handler: (attempt: number) => Promise<void>) {
  const database: JobDatabase = await createSqliteJobDatabase();
  cleanups.push(() => database.dispose());
  const clock = manualClock();
  const events: JobSettledEvent[] = [];
  const queue = await createSqliteJobQueue({ db: database.db, clock, random: () => 0, onSettled: (event) => events.push(event) });
  const attempts: number[] = [];
  queue.define<{ n: number }>({
    name: 'test.job',
    retry: RETRY,
    leaseMs: 5_000,
    async handler(job) {
      attempts.push(job.attempt);
      await handler(job.attempt);
    },
  });
  return { database, clock, queue, events, attempts };
}

describe('the SQLite job queue', () => {
  it.each([
    { name: 'a job that succeeds runs once', fails: 0, outcomes: ['completed'] },
    { name: 'a failing job is retried after 500 ms, then 1 s (1 s base, doubling, equal jitter at 0)', fails: 2, outcomes: ['retry', 'retry', 'completed'] },
    { name: 'a job that keeps failing is failed after its last try', fails: 9, outcomes: ['retry', 'retry', 'failed'] },
  ])('$name', async ({ fails, outcomes }) => {
    const { clock, queue, events, attempts } = await setUp((attempt) => (attempt <= fails ? Promise.reject(new Error(`try ${attempt}`)) : Promise.resolve()));
    await queue.enqueue('test.job', { n: 1 });
    const start = clock.now().getTime();
    const ranAt: number[] = [];
    for (let step = 0; step < 40 && events.at(-1)?.outcome !== 'completed' && events.at(-1)?.outcome !== 'failed'; step++) {
      if ((await queue.runDue()) > 0) ranAt.push(clock.now().getTime() - start);
      clock.advance(100);
    }
    expect(events.map((event) => event.outcome)).toEqual(outcomes);
    expect(attempts).toEqual(outcomes.map((_, index) => index + 1));
    expect(ranAt).toEqual([0, 500, 1_500].slice(0, outcomes.length));
  });

  it('a RetryJobError longer than the backoff sets the next try; a FatalJobError ends the job', async () => {
    const { clock, queue, events } = await setUp((attempt) => Promise.reject(attempt === 1 ? new RetryJobError('busy', 4_000) : new FatalJobError('refused')));
    await queue.enqueue('test.job', { n: 1 });
    await queue.runDue();
    clock.advance(3_999);
    expect(await queue.runDue()).toBe(0);
    clock.advance(1);
    expect(await queue.runDue()).toBe(1);
    expect(events.map((event) => [event.outcome, event.error])).toEqual([
      ['retry', 'busy'],
      ['failed', 'refused'],
    ]);
  });

  it('a dedupe key keeps one waiting job; once it ran, the key is free again', async () => {
    const { queue } = await setUp(() => Promise.resolve());
    const first = await queue.enqueue('test.job', { n: 1 }, { key: 'k' });
    expect(first).toBeDefined();
    expect(await queue.enqueue('test.job', { n: 2 }, { key: 'k' })).toBeUndefined();
    expect(await queue.enqueue('test.job', { n: 3 }, { key: 'other' })).toBeDefined();
    expect(await queue.runDue()).toBe(2);
    expect(await queue.enqueue('test.job', { n: 4 }, { key: 'k' })).toBeDefined();
  });

  it('a job enqueued in a transaction exists only if the transaction commits', async () => {
    const { database, queue, attempts } = await setUp(() => Promise.resolve());
    await expect(
      database.transact(async (trx) => {
        await queue.enqueue('test.job', { n: 1 }, { db: trx });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await queue.runDue()).toBe(0);
    await database.transact(async (trx) => queue.enqueue('test.job', { n: 2 }, { db: trx }));
    expect(await queue.runDue()).toBe(1);
    expect(attempts).toEqual([1]);
  });

  it('a try whose lease ran out (its worker died) is taken again as the next try', async () => {
    const { database, clock, queue, attempts } = await setUp(() => Promise.resolve());
    await queue.enqueue('test.job', { n: 1 });
    // What a worker that died mid-try leaves behind: the job active under a lease of its own.
    await sql`UPDATE vigil_jobs SET state = 'active', attempt = 1, lease_owner = 'dead', lease_until = ${new Date(clock.now().getTime() + 5_000).toISOString()}`.execute(database.db);
    expect(await queue.runDue()).toBe(0);
    clock.advance(5_000);
    expect(await queue.runDue()).toBe(1);
    expect(attempts).toEqual([2]);
  });

  it.each([
    { name: 'an invalid job name', run: (q: Awaited<ReturnType<typeof setUp>>['queue']) => q.enqueue('Bad Name', {}), error: 'invalid job name "Bad Name"' },
    { name: 'a payload that is not an object', run: (q: Awaited<ReturnType<typeof setUp>>['queue']) => q.enqueue('test.job', [] as unknown as Record<string, unknown>), error: 'the payload must be a JSON object' },
    { name: 'a payload over 64 KiB', run: (q: Awaited<ReturnType<typeof setUp>>['queue']) => q.enqueue('test.job', { text: 'x'.repeat(70_000) }), error: 'larger than 65536 bytes' },
  ])('refuses $name', async ({ run, error }) => {
    const { queue } = await setUp(() => Promise.resolve());
    await expect(run(queue)).rejects.toThrow(error);
  });
});
