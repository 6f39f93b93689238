import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../../../src/jobs/notify/notifier.js';
import { createSqliteJobQueue } from '../../../src/jobs/sqlite-job-queue.js';
import { createPgBossJobQueue } from '../../../src/jobs/pg-boss-job-queue.js';
import type { JobQueue } from '../../../src/jobs/job-queue.js';
import { repoRoot } from '../../helpers/shared-data.js';
import { jobBackends, pgUrl, createPostgresJobDatabase, waitFor, type JobDatabase } from '../job-backends.js';
import { FAST_RETRY, memoryOutbox, notification, SECRET } from './notify-fixtures.js';
import type { ChildConfig } from './notify-worker-child.js';
import { startWebhookReceiver, type Answer, type ReceivedRequest } from './webhook-receiver.js';

// Worker processes of their own (the TypeScript source through vite's module runner, as vitest
// loads it), killed with SIGKILL or run two at once on one database.
const CHILD = `
import { runnerImport } from 'vite';
await runnerImport('./test/jobs/notify/notify-worker-child.ts', { configFile: false, logLevel: 'silent' });
`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts a worker process and resolves once it works. */
function startWorker(config: ChildConfig, onSpawn?: (child: ChildProcess) => void): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, VIGIL_NOTIFY_CHILD: JSON.stringify(config) },
    });
    // Known at once: the worker may take the job before it says it is ready.
    onSpawn?.(child);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.on('exit', (code, signal) => {
      reject(new Error(`worker exited (${code ?? signal ?? '?'}) before it was ready: ${stderr}`));
    });
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGKILL');
        await exited;
      }
    });
  });
}

/** A queue and notifier in this process on the test database (for dispatching, and as the second worker). */
async function localNotifier(database: JobDatabase, url: string, clockOffsetMs = 0) {
  const queue: JobQueue =
    database.dialect === 'sqlite'
      ? await createSqliteJobQueue({ db: database.db, pollIntervalMs: 100, clock: { now: () => new Date(Date.now() + clockOffsetMs) } })
      : await createPgBossJobQueue({ connectionString: database.pg!.url, schema: database.pg!.bossSchema, pollIntervalSeconds: 0.5, superviseIntervalSeconds: 1 });
  const notifier = await createNotifier({
    queue,
    db: database.db,
    transact: (work) => database.transact(work),
    dialect: database.dialect,
    routes: [{ target: { kind: 'webhook', id: 'team-hook', url, secret: SECRET, timeoutMs: 30_000 }, minSeverity: 'low' }],
    retry: FAST_RETRY,
    leaseMs: 10_000,
  });
  cleanups.push(() => queue.stop({ timeoutMs: 5_000 }));
  return { queue, notifier };
}

function childConfig(database: JobDatabase, url: string): ChildConfig {
  return { dialect: database.dialect, url, ...(database.sqlitePath === undefined ? {} : { sqlitePath: database.sqlitePath }), ...(database.pg === undefined ? {} : { pg: database.pg }) };
}

describe.each(jobBackends())('a worker killed mid-delivery on $name', ({ create }) => {
  it('loses nothing: the next worker sends it again with the same id, and a receiver that drops repeats sees it once', { timeout: 150_000 }, async () => {
    const database = await create();
    cleanups.push(() => database.dispose());
    let worker: ChildProcess | undefined;
    const receiver = await startWebhookReceiver(
      SECRET,
      // The first request is held unanswered, and its worker killed while it waits.
      (_request: ReceivedRequest, index: number): Answer => (index === 0 ? { status: 200, hold: true } : { status: 200 }),
      (request) => {
        if (request.attempt === 1) worker?.kill('SIGKILL');
      },
    );
    cleanups.push(() => receiver.close());
    // Dispatched here, worked there: the job is in the database before the worker starts.
    const dispatcher = await localNotifier(database, receiver.url);
    expect(await dispatcher.notifier.dispatch(memoryOutbox([notification(1)]))).toEqual({ notifications: 1, queued: 1 });
    let killed: Promise<NodeJS.Signals | null> | undefined;
    await startWorker(childConfig(database, receiver.url), (child) => {
      worker = child;
      killed = new Promise((resolve) => child.once('exit', (_code, signal) => { resolve(signal); }));
    }).catch(() => undefined);
    expect(await killed).toBe('SIGKILL');
    expect(receiver.requests).toHaveLength(1);
    expect((await dispatcher.notifier.deliveries())[0]?.state).toBe('pending');
    await dispatcher.queue.stop();

    // The next worker: on SQLite this process, its clock past the dead try's lease (10 s); on
    // PostgreSQL a pg-boss worker here, whose supervisor fails the try when its heartbeat stops.
    const next = await localNotifier(database, receiver.url, database.dialect === 'sqlite' ? 11_000 : 0);
    await next.queue.start();
    await waitFor(async () => (await next.notifier.summary()).delivered === 1, 120_000, 'the delivery by the next worker');
    expect(receiver.requests.map((request) => [request.notificationId, request.attempt, request.signatureValid])).toEqual([
      ['outbox-1', 1, true],
      ['outbox-1', 2, true],
    ]);
    expect(receiver.distinct()).toEqual(new Set(['outbox-1']));
    expect(await next.notifier.summary()).toEqual({ pending: 0, delivered: 1, failed: 0 });
  });
});

describe.runIf(pgUrl !== '')('two worker processes on one PostgreSQL database', () => {
  it('deliver each notification once', async () => {
    const database = await createPostgresJobDatabase(pgUrl);
    cleanups.push(() => database.dispose());
    const receiver = await startWebhookReceiver(SECRET);
    cleanups.push(() => receiver.close());
    const dispatcher = await localNotifier(database, receiver.url);
    const rows = Array.from({ length: 30 }, (_, index) => notification(index + 1));
    // The schema and queues exist before the two start, so they race for jobs, not for DDL.
    await dispatcher.notifier.dispatch(memoryOutbox(rows.slice(0, 1)));
    await Promise.all([startWorker(childConfig(database, receiver.url)), startWorker(childConfig(database, receiver.url))]);
    expect(await dispatcher.notifier.dispatch(memoryOutbox(rows.slice(1)))).toEqual({ notifications: 29, queued: 29 });
    await waitFor(async () => (await dispatcher.notifier.summary()).delivered === 30, 60_000, 'all 30 deliveries');
    // Settled: nothing more arrives.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(receiver.requests).toHaveLength(30);
    expect(receiver.distinct().size).toBe(30);
    expect(receiver.requests.every((request) => request.attempt === 1 && request.signatureValid)).toBe(true);
  });
});
