import type { JobQueue } from './job-queue.js';
import type { PgBossJobQueueOptions } from './pg-boss-job-queue.js';
import type { SqliteJobQueueOptions } from './sqlite-job-queue.js';

/** Where the jobs are kept: the SQLite database itself, or pg-boss's schema on PostgreSQL. */
export type OpenJobQueueOptions =
  | ({ readonly backend: 'sqlite' } & SqliteJobQueueOptions)
  | ({ readonly backend: 'postgres' } & PgBossJobQueueOptions);

/**
 * Opens the job queue of the service's database. Each backend is imported on first use, so that
 * nothing of pg-boss (or of the queue) is loaded by commands that run no background work.
 */
export async function openJobQueue(options: OpenJobQueueOptions): Promise<JobQueue> {
  if (options.backend === 'sqlite') {
    const { createSqliteJobQueue } = await import('./sqlite-job-queue.js');
    return createSqliteJobQueue(options);
  }
  const { createPgBossJobQueue } = await import('./pg-boss-job-queue.js');
  return createPgBossJobQueue(options);
}
