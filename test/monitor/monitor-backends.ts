// The databases the monitor tests run on: SQLite always, PostgreSQL too when VIGIL_TEST_PG_URL is
// set (as the desk's tests), each a fresh file or a throwaway schema so test files run in parallel.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openMonitorStore, type MonitorDb, type OpenMonitorStoreOptions } from '../../src/monitor/store/open-monitor-store.js';

export interface MonitorBackend {
  readonly name: MonitorDb['dialect'];
  create(): Promise<MonitorTestDatabase>;
}

export interface MonitorTestDatabase {
  readonly monitor: MonitorDb;
  readonly options: OpenMonitorStoreOptions;
  /** Another connection (pool) on the same database, as a second process would have; closed with it. */
  reopen(): Promise<MonitorDb>;
  dispose(): Promise<void>;
}

const pgUrl = process.env.VIGIL_TEST_PG_URL;

export function monitorBackends(): MonitorBackend[] {
  const backends: MonitorBackend[] = [{ name: 'sqlite', create: createSqlite }];
  if (pgUrl !== undefined && pgUrl !== '') {
    const url = pgUrl;
    backends.push({ name: 'postgres', create: () => createPostgres(url) });
  }
  return backends;
}

async function tracked(options: OpenMonitorStoreOptions, cleanup: () => Promise<void>): Promise<MonitorTestDatabase> {
  const opened: MonitorDb[] = [];
  const open = async (): Promise<MonitorDb> => {
    const monitor = await openMonitorStore(options);
    opened.push(monitor);
    return monitor;
  };
  const monitor = await open();
  return {
    monitor,
    options,
    reopen: open,
    async dispose() {
      for (const db of opened) await db.close();
      await cleanup();
    },
  };
}

async function createSqlite(): Promise<MonitorTestDatabase> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-monitor-'));
  return tracked({ location: path.join(dir, 'monitor.db') }, () => {
    rmSync(dir, { recursive: true, force: true });
    return Promise.resolve();
  });
}

async function createPostgres(url: string): Promise<MonitorTestDatabase> {
  const schema = `vigil_monitor_test_${randomBytes(6).toString('hex')}`;
  return tracked({ location: url, schema }, async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await client.end();
    }
  });
}
