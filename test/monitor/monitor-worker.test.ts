// The monitor's background work end to end in one process, on SQLite and PostgreSQL: refs of two
// projects pushed from real lockfiles (CyberChef's and Tock's), real GHSA records imported later,
// and a webhook receiver on 127.0.0.1 that checks each signature by hand. The expected refs per
// advisory are those derived by hand in monitor.test.ts (its table of versions and ranges).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAdvisoryStore } from '../../src/advisories/store/sqlite-store.js';
import { fixedClock, type Clock } from '../../src/core/clock.js';
import { buildInventory } from '../../src/inventory/build-inventory.js';
import type { JobQueue } from '../../src/jobs/job-queue.js';
import { createPgBossJobQueue } from '../../src/jobs/pg-boss-job-queue.js';
import { createSqliteJobQueue } from '../../src/jobs/sqlite-job-queue.js';
import { startMonitorWorker, type MonitorWorker } from '../../src/monitor/monitor-worker.js';
import { pushRef, type PushInput } from '../../src/monitor/push.js';
import { refFindings } from '../../src/monitor/queries.js';
import type { MonitorDb } from '../../src/monitor/store/open-monitor-store.js';
import { waitFor } from '../jobs/job-backends.js';
import { startWebhookReceiver, type WebhookReceiver } from '../jobs/notify/webhook-receiver.js';
import { shared, sharedDir } from '../helpers/shared-data.js';
import { importRecordIds } from './monitor-records.js';
import { monitorBackends, type MonitorTestDatabase } from './monitor-backends.js';

const LATER = ['GHSA-jchw-25xp-jwwc', 'GHSA-cxjh-pqwp-8mfp', 'GHSA-rv95-896h-c2vc', 'GHSA-9c47-m6qq-7p4h', 'GHSA-c2qf-rxjj-qqgw', 'GHSA-3h5v-q93c-6h6q'];
const TOCK = ['GHSA-3h5v-q93c-6h6q', 'GHSA-9c47-m6qq-7p4h', 'GHSA-c2qf-rxjj-qqgw', 'GHSA-cxjh-pqwp-8mfp', 'GHSA-jchw-25xp-jwwc'];
const CYBERCHEF = ['GHSA-3h5v-q93c-6h6q', 'GHSA-c2qf-rxjj-qqgw', 'GHSA-cxjh-pqwp-8mfp', 'GHSA-rv95-896h-c2vc'];
const SECRET = 'whsec_monitor_0123456789';
const clock: Clock = fixedClock('2024-07-01T00:00:00Z');
const YEAR_MS = 365 * 86_400_000;

function lockInput(project: 'cyberchef' | 'tock'): PushInput {
  const dir = shared('corpus', 'npm', project);
  return { paths: [path.join(dir, 'package-lock.json')], root: dir };
}

/** (project@ref advisory) of each webhook body received. */
function receivedPairs(receiver: WebhookReceiver): string[] {
  return receiver.requests
    .map((request) => JSON.parse(request.body) as { type: string; notification: { project: string; ref: string; advisory: { id: string } } })
    .map(({ type, notification }) => `${type} ${notification.project}@${notification.ref} ${notification.advisory.id}`)
    .sort();
}

describe.skipIf(!existsSync(sharedDir)).each(monitorBackends())('the monitor worker on $name', (backend) => {
  let database: MonitorTestDatabase;
  let monitor: MonitorDb;
  let dir: string;
  let storePath: string;
  let receiver: WebhookReceiver;
  let worker: MonitorWorker | undefined;
  let bossSchema: string | undefined;
  const logged: string[] = [];

  const push = (project: string, ref: string, input: PushInput) =>
    pushRef({ monitor, project, ref, input, openStore: () => Promise.resolve(openAdvisoryStore(storePath, { clock })), clock, maxDbAgeMs: YEAR_MS });

  const importRecords = (ids: readonly string[]): Promise<void> => importRecordIds(storePath, dir, ids, clock);

  async function openQueue(): Promise<JobQueue> {
    if (monitor.dialect === 'sqlite') return createSqliteJobQueue({ db: monitor.db, pollIntervalMs: 50 });
    bossSchema = `vigil_jobs_test_${randomBytes(6).toString('hex')}`;
    return createPgBossJobQueue({ connectionString: database.options.location, schema: bossSchema, pollIntervalSeconds: 0.5, superviseIntervalSeconds: 1 });
  }

  const ledgerSize = async (): Promise<number> => (await monitor.db.selectFrom('monitor_ledger').select('record_id').execute()).length;

  beforeAll(async () => {
    database = await backend.create();
    monitor = database.monitor;
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-monitor-worker-'));
    storePath = path.join(dir, 'advisories.db');
    await importRecords(['GHSA-78xj-cgh5-2h22']);
    receiver = await startWebhookReceiver(SECRET);
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await receiver.close();
    await database.dispose();
    if (bossSchema !== undefined) {
      const client = new pg.Client({ connectionString: database.options.location });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${bossSchema}" CASCADE`);
      await client.end();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('a later advisory reaches the webhook once per affected (ref, alias group); a repeat import sends nothing; a fixing push fixes', async () => {
    await push('alpha', 'main', lockInput('cyberchef'));
    await push('alpha', '2.4-ltm', lockInput('tock'));
    await push('beta', 'v2.4.10', lockInput('tock'));
    worker = await startMonitorWorker({
      monitor,
      storePath,
      queue: await openQueue(),
      routes: [{ target: { kind: 'webhook', id: 'team-hook', url: receiver.url, secret: SECRET }, minSeverity: 'low' }],
      checkEveryMs: 100,
      maxDbAgeMs: YEAR_MS,
      publicUrl: 'https://desk.example.org/',
      clock,
      log: { info: (line) => logged.push(line), warn: (line) => logged.push(`warn: ${line}`) },
    });
    // The first run takes the store as it is: its one record (ip) hits no ref, nothing is sent.
    await waitFor(async () => (await ledgerSize()) === 1, 30_000, 'the first rematch');

    await importRecords(LATER);
    const want = [
      ...CYBERCHEF.map((id) => `alpha@main ${id}`),
      ...TOCK.map((id) => `alpha@2.4-ltm ${id}`),
      ...TOCK.map((id) => `beta@v2.4.10 ${id}`),
    ].sort();
    await waitFor(() => receiver.requests.length >= want.length, 45_000, 'a webhook per new finding');
    await waitFor(async () => (await worker!.notifier.summary()).pending === 0, 30_000, 'every delivery settled');
    expect(receivedPairs(receiver)).toEqual(want.map((pair) => `finding.new ${pair}`));
    expect(receiver.distinct().size).toBe(want.length);
    expect(receiver.requests.every((request) => request.signatureValid)).toBe(true);
    expect(await worker.notifier.summary()).toEqual({ pending: 0, delivered: want.length, failed: 0 });
    // Each notification links to its ref's console page, names percent-encoded.
    const ltm = receiver.requests.map((request) => (JSON.parse(request.body) as { notification: { ref: string; link?: string } }).notification).find((n) => n.ref === '2.4-ltm');
    expect(ltm?.link).toBe('https://desk.example.org/team/monitor/ref?project=alpha&ref=2.4-ltm');

    // The same records again: the store file changes, a rematch runs, and finds nothing new.
    await importRecords(LATER);
    const before = receiver.requests.length;
    await worker.requestRematch();
    await new Promise((resolve) => setTimeout(resolve, monitor.dialect === 'sqlite' ? 1_000 : 3_000));
    expect(receiver.requests.length).toBe(before);

    // Tock's follow-redirects upgraded to 1.15.6 on the LTM line: its two advisories are fixed there.
    const tockDir = shared('corpus', 'npm', 'tock');
    const inventory = await buildInventory({ paths: [path.join(tockDir, 'package-lock.json')], root: tockDir });
    const upgraded = { ...inventory, packages: inventory.packages.map((pkg) => (pkg.name === 'follow-redirects' ? { ...pkg, version: '1.15.6' } : pkg)) };
    await push('alpha', '2.4-ltm', { inventory: upgraded });
    const fixed = (await refFindings(monitor, 'alpha', '2.4-ltm')).filter((finding) => finding.state === 'fixed').map((finding) => finding.advisory);
    expect(fixed.sort()).toEqual(['GHSA-cxjh-pqwp-8mfp', 'GHSA-jchw-25xp-jwwc']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.requests.length).toBe(before);
    expect(logged.some((line) => line.startsWith('warn:'))).toBe(false);
  }, 120_000);
});

describe('the monitor worker without a readable advisory store', () => {
  it('says that the rematch failed, with the try, instead of staying silent', async () => {
    const [sqlite] = monitorBackends();
    if (sqlite === undefined) throw new Error('SQLite is always a backend');
    const database = await sqlite.create();
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-monitor-worker-nostore-'));
    const logged: string[] = [];
    const worker = await startMonitorWorker({
      monitor: database.monitor,
      storePath: path.join(dir, 'missing.db'),
      queue: await createSqliteJobQueue({ db: database.monitor.db, pollIntervalMs: 50 }),
      routes: [],
      checkEveryMs: 100,
      maxDbAgeMs: YEAR_MS,
      clock,
      log: { info: (line) => logged.push(line), warn: (line) => logged.push(`warn: ${line}`) },
    });
    try {
      await waitFor(() => logged.some((line) => line.startsWith('warn: monitor: rematch failed (try 1 of 10): ')), 20_000, 'the failure in the log');
    } finally {
      await worker.stop();
      await database.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
