// A notification worker in a process of its own, for the tests that kill one or run two. Loaded
// through vite's module runner by notify-processes.test.ts; prints "ready" once it works.
import { createPgBossJobQueue } from '../../../src/jobs/pg-boss-job-queue.js';
import { createNotifier } from '../../../src/jobs/notify/notifier.js';
import { createSqliteJobQueue } from '../../../src/jobs/sqlite-job-queue.js';
import { openPostgresDatabase, openSqliteDatabase } from '../job-backends.js';
import { FAST_RETRY, SECRET } from './notify-fixtures.js';

/** What the parent passes, as JSON in argv. */
export interface ChildConfig {
  readonly dialect: 'sqlite' | 'postgres';
  readonly sqlitePath?: string;
  readonly pg?: { readonly url: string; readonly schema: string; readonly bossSchema: string };
  readonly url: string;
}

export async function runWorker(config: ChildConfig): Promise<void> {
  const db = config.dialect === 'sqlite' ? openSqliteDatabase(config.sqlitePath ?? '') : openPostgresDatabase(config.pg?.url ?? '', config.pg?.schema ?? '');
  const queue =
    config.dialect === 'sqlite'
      ? await createSqliteJobQueue({ db, pollIntervalMs: 100 })
      : await createPgBossJobQueue({ connectionString: config.pg?.url ?? '', schema: config.pg?.bossSchema ?? '', pollIntervalSeconds: 0.5, superviseIntervalSeconds: 1 });
  await createNotifier({
    queue,
    db,
    transact: (work) => db.transaction().execute(work),
    dialect: config.dialect,
    routes: [{ target: { kind: 'webhook', id: 'team-hook', url: config.url, secret: SECRET, timeoutMs: 30_000 }, minSeverity: 'low' }],
    retry: FAST_RETRY,
    leaseMs: 10_000,
  });
  await queue.start();
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    void queue.stop({ timeoutMs: 5_000 }).then(() => db.destroy()).then(() => process.exit(0));
  });
}

// Started at the module's evaluation, inside vite's runner: the queue's own import() of pg-boss
// must run before the runner closes.
const childConfig = process.env.VIGIL_NOTIFY_CHILD;
if (childConfig !== undefined) await runWorker(JSON.parse(childConfig) as ChildConfig);
