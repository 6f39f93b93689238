// The databases the job tests run on: a SQLite file always, a throwaway PostgreSQL schema too when
// VIGIL_TEST_PG_URL is set (e.g. postgres://postgres@127.0.0.1:5432/test).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Clock } from '../../src/core/clock.js';

/** A clock the test moves by hand. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
}

export function manualClock(iso = '2026-01-05T10:00:00.000Z'): ManualClock {
  let at = new Date(iso).getTime();
  return {
    now: () => new Date(at),
    advance(ms) {
      at += ms;
    },
  };
}

/** One fresh database for a test. */
export interface JobDatabase {
  readonly dialect: 'sqlite' | 'postgres';
  readonly db: Kysely<unknown>;
  /** SQLite: the file. */
  readonly sqlitePath?: string;
  /** PostgreSQL: the URL, the schema of the test's own tables and the schema for pg-boss. */
  readonly pg?: { readonly url: string; readonly schema: string; readonly bossSchema: string };
  /** Runs `work` in one transaction. */
  transact<T>(work: (trx: Kysely<unknown>) => Promise<T>): Promise<T>;
  dispose(): Promise<void>;
}

export const pgUrl = process.env.VIGIL_TEST_PG_URL ?? '';

export function openSqliteDatabase(file: string): Kysely<unknown> {
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  return new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
}

export function openPostgresDatabase(url: string, schema: string): Kysely<unknown> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined);
  return new Kysely<unknown>({
    dialect: new PostgresDialect({
      pool,
      onCreateConnection: async (connection) => {
        await connection.executeQuery(CompiledQuery.raw(`SET search_path TO "${schema}"`));
      },
    }),
  });
}

export function createSqliteJobDatabase(): Promise<JobDatabase> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-jobs-'));
  const sqlitePath = path.join(dir, 'jobs.db');
  const db = openSqliteDatabase(sqlitePath);
  return Promise.resolve({
    dialect: 'sqlite',
    db,
    sqlitePath,
    transact: (work) => db.transaction().execute(work),
    async dispose() {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

export async function createPostgresJobDatabase(url: string): Promise<JobDatabase> {
  const schema = `vigil_jobs_test_${randomBytes(6).toString('hex')}`;
  const bossSchema = `${schema}_boss`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  await admin.end();
  const db = openPostgresDatabase(url, schema);
  return {
    dialect: 'postgres',
    db,
    pg: { url, schema, bossSchema },
    transact: (work) => db.transaction().execute(work),
    async dispose() {
      await db.destroy();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.query(`DROP SCHEMA IF EXISTS "${bossSchema}" CASCADE`);
      await client.end();
    },
  };
}

/** The backends to run on: SQLite, and PostgreSQL when VIGIL_TEST_PG_URL is set. */
export function jobBackends(): { name: 'sqlite' | 'postgres'; create: () => Promise<JobDatabase> }[] {
  const backends: { name: 'sqlite' | 'postgres'; create: () => Promise<JobDatabase> }[] = [{ name: 'sqlite', create: createSqliteJobDatabase }];
  if (pgUrl !== '') backends.push({ name: 'postgres', create: () => createPostgresJobDatabase(pgUrl) });
  return backends;
}

/** Waits until `check` holds, polling every 100 ms, at most `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 30_000, what = 'the condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
