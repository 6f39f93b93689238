// The monitor in real server processes (`vigil desk serve --monitor-db`), as issue 14 asks:
// refs of two projects pushed from the shared corpus (CyberChef's and Tock's package-lock.json),
// real GHSA records imported later into the advisory store the servers watch, and a webhook
// receiver on 127.0.0.1. The refs each record affects are derived by hand in
// test/monitor/monitor.test.ts (its table of versions and ranges):
//   GHSA-jchw-25xp-jwwc  Tock refs            GHSA-9c47-m6qq-7p4h  Tock refs
//   GHSA-cxjh-pqwp-8mfp  every ref            GHSA-c2qf-rxjj-qqgw  every ref
//   GHSA-rv95-896h-c2vc  CyberChef ref        GHSA-3h5v-q93c-6h6q  every ref
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAdvisoryStore } from '../../src/advisories/store/sqlite-store.js';
import { fixedClock } from '../../src/core/clock.js';
import { starterDeskConfig } from '../../src/desk/config/starter-desk-config.js';
import { pushRef, type PushInput } from '../../src/monitor/push.js';
import { openMonitorStore, type MonitorDb } from '../../src/monitor/store/open-monitor-store.js';
import { waitFor } from '../jobs/job-backends.js';
import { startWebhookReceiver, type Answer, type ReceivedRequest, type WebhookReceiver } from '../jobs/notify/webhook-receiver.js';
import { shared, sharedDir } from '../helpers/shared-data.js';
import { importRecordIds } from '../monitor/monitor-records.js';
import { cliPath } from './run-cli.js';

const SECRET = 'whsec_monitor_serve_0123456789';
const YEAR_MS = 365 * 86_400_000;
const pgUrl = process.env['VIGIL_TEST_PG_URL'] ?? '';
const clock = fixedClock('2024-07-01T00:00:00Z');

const REFS = { cyberchef: ['alpha@main'], tock: ['alpha@2.4-ltm', 'beta@v2.4.10'] } as const;
const EVERY = [...REFS.cyberchef, ...REFS.tock];
/** The refs each record reaches, by hand (see the header). */
const AFFECTS: Readonly<Record<string, readonly string[]>> = {
  'GHSA-jchw-25xp-jwwc': REFS.tock,
  'GHSA-cxjh-pqwp-8mfp': EVERY,
  'GHSA-rv95-896h-c2vc': REFS.cyberchef,
  'GHSA-9c47-m6qq-7p4h': REFS.tock,
  'GHSA-c2qf-rxjj-qqgw': EVERY,
  'GHSA-3h5v-q93c-6h6q': EVERY,
};
const FIRST = ['GHSA-jchw-25xp-jwwc', 'GHSA-cxjh-pqwp-8mfp', 'GHSA-rv95-896h-c2vc'];
const SECOND = ['GHSA-9c47-m6qq-7p4h', 'GHSA-c2qf-rxjj-qqgw', 'GHSA-3h5v-q93c-6h6q'];

function expectedPairs(ids: readonly string[]): string[] {
  return ids.flatMap((id) => (AFFECTS[id] ?? []).map((ref) => `${ref} ${id}`)).sort();
}

function pairOf(request: ReceivedRequest): string {
  const { notification } = JSON.parse(request.body) as { notification: { project: string; ref: string; advisory: { id: string } } };
  return `${notification.project}@${notification.ref} ${notification.advisory.id}`;
}

function lockInput(project: 'cyberchef' | 'tock'): PushInput {
  const dir = shared('corpus', 'npm', project);
  return { paths: [path.join(dir, 'package-lock.json')], root: dir };
}

/** A `vigil desk serve --monitor-db` process and what it printed. */
interface Server {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:PORT`. */
  readonly base: string;
  output(): string;
  readonly exited: Promise<number | null>;
}

interface Setup {
  readonly dir: string;
  readonly storePath: string;
  /** The desk's and the monitor's database (a file for SQLite, a URL for PostgreSQL). */
  readonly deskDb: string;
  readonly monitorDb: string;
  readonly receiver: WebhookReceiver;
  answer: (request: ReceivedRequest, index: number) => Answer;
  cleanup(): Promise<void>;
}

function importRecords(setup: Setup, ids: readonly string[]): Promise<void> {
  return importRecordIds(setup.storePath, setup.dir, ids, clock);
}

async function prepare(kind: 'sqlite' | 'postgres'): Promise<Setup> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-monitor-serve-'));
  let database: string | undefined;
  let url: string | undefined;
  if (kind === 'postgres') {
    database = `vigil_monitor_e2e_${randomBytes(5).toString('hex')}`;
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    await client.query(`CREATE DATABASE "${database}"`);
    await client.end();
    const parsed = new URL(pgUrl);
    parsed.pathname = `/${database}`;
    url = parsed.toString();
  }
  const storePath = path.join(dir, 'advisories.db');
  const holder: { answer: Setup['answer'] } = { answer: () => ({ status: 200 }) };
  const receiver = await startWebhookReceiver(SECRET, (request, index) => holder.answer(request, index));
  // The starter desk.yaml with the monitor's settings: a check of the store every 200 ms, a dead
  // process's jobs taken over after 10 s (the shortest pg-boss allows).
  writeFileSync(
    path.join(dir, 'desk.yaml'),
    `${starterDeskConfig(new Date())}\nmonitor:\n  rematch_every: 1s\n  max_db_age: 36500d\n  takeover_after: 10s\n  notify:\n` +
      `    - { name: team-hook, webhook: "${receiver.url}", secret_env: VIGIL_TEST_HOOK_KEY, min_severity: low }\n`,
  );
  const setup: Setup = {
    dir,
    storePath,
    deskDb: url ?? path.join(dir, 'desk.db'),
    monitorDb: url ?? path.join(dir, 'monitor.db'),
    receiver,
    get answer() {
      return holder.answer;
    },
    set answer(value) {
      holder.answer = value;
    },
    async cleanup() {
      await receiver.close();
      if (database !== undefined) {
        const client = new pg.Client({ connectionString: pgUrl });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
        await client.end();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  // The store's first record (ip) hits no ref; the refs are pushed before any server runs.
  await importRecords(setup, ['GHSA-78xj-cgh5-2h22']);
  const monitor: MonitorDb = await openMonitorStore({ location: setup.monitorDb });
  try {
    const push = (project: string, ref: string, input: PushInput) =>
      pushRef({ monitor, project, ref, input, openStore: () => Promise.resolve(openAdvisoryStore(storePath, { clock })), clock, maxDbAgeMs: YEAR_MS });
    await push('alpha', 'main', lockInput('cyberchef'));
    await push('alpha', '2.4-ltm', lockInput('tock'));
    await push('beta', 'v2.4.10', lockInput('tock'));
  } finally {
    await monitor.close();
  }
  return setup;
}

async function startServer(setup: Setup): Promise<Server> {
  const child = spawn(process.execPath, [cliPath, 'desk', 'serve', '--port', '0', '--db', setup.deskDb, '--monitor-db', setup.monitorDb, '--advisory-db', setup.storePath], {
    cwd: setup.dir,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '',
      CI: 'true',
      VIGIL_DESK_LOG_LEVEL: 'warn',
      VIGIL_DESK_SESSION_SECRET: 'a-session-secret-of-at-least-32-characters',
      VIGIL_TEST_HOOK_KEY: SECRET,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await waitFor(() => /listening on http:\/\/127\.0\.0\.1:\d+/.test(output) || child.exitCode !== null, 30_000, 'the server to listen');
  expect(output).toMatch(/vigil monitor: on .*notifying team-hook/);
  const base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? '';
  return { child, base, output: () => output, exited };
}

async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM');
  await server.exited;
}

describe.skipIf(!existsSync(sharedDir) || !existsSync(cliPath))('vigil desk serve --monitor-db', () => {
  it('on SQLite: one process re-matches a later import and notifies each new (ref, alias group) once', async () => {
    const setup = await prepare('sqlite');
    const server = await startServer(setup);
    try {
      // The monitor's API and console are mounted beside the desk's: the document is public, a
      // status without a token is refused, the console sends a visitor to the log-in page.
      const openapi = await fetch(`${server.base}/api/v1/monitor/openapi.json`);
      expect(openapi.status).toBe(200);
      expect(((await openapi.json()) as { openapi: string }).openapi).toMatch(/^3\./);
      expect((await fetch(`${server.base}/api/v1/monitor/status`)).status).toBe(401);
      const console = await fetch(`${server.base}/team/monitor`, { redirect: 'manual' });
      expect([302, 303]).toContain(console.status);
      expect(console.headers.get('location')).toMatch(/\/team\/login/);
      await importRecords(setup, [...FIRST, ...SECOND]);
      const want = expectedPairs([...FIRST, ...SECOND]);
      await waitFor(() => setup.receiver.requests.length >= want.length, 60_000, 'a webhook per new finding');
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(setup.receiver.requests.map(pairOf).sort()).toEqual(want);
      expect(setup.receiver.requests.every((request) => request.signatureValid)).toBe(true);
    } finally {
      await stopServer(server);
      await setup.cleanup();
    }
    expect(server.output()).not.toMatch(/\n\s+at /);
  }, 120_000);

  describe.skipIf(pgUrl === '')('on one PostgreSQL database', () => {
    let setup: Setup;
    const servers: Server[] = [];
    beforeAll(async () => {
      setup = await prepare('postgres');
    }, 120_000);
    afterAll(async () => {
      for (const server of servers) await stopServer(server);
      await setup.cleanup();
    });

    it('two server processes send each notification once', async () => {
      servers.push(await startServer(setup), await startServer(setup));
      await importRecords(setup, FIRST);
      const want = expectedPairs(FIRST);
      await waitFor(() => setup.receiver.requests.length >= want.length, 60_000, 'a webhook per new finding');
      // Time for a double to arrive, had both processes matched or delivered the same finding.
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      expect(setup.receiver.requests.map(pairOf).sort()).toEqual(want);
      expect(setup.receiver.distinct().size).toBe(want.length);
    }, 120_000);

    it('a process killed with SIGKILL mid-delivery loses nothing, and its repeat carries the same id', async () => {
      // One process left; the receiver holds the next request open, and that process is killed.
      const [first, second] = servers.splice(0, 2);
      if (first === undefined || second === undefined) throw new Error('the first test starts two servers');
      await stopServer(second);
      const before = setup.receiver.requests.length;
      let held: ReceivedRequest | undefined;
      setup.answer = (request, index) => {
        if (index === before) {
          held = request;
          return { status: 200, hold: true };
        }
        return { status: 200 };
      };
      await importRecords(setup, SECOND);
      await waitFor(() => held !== undefined, 60_000, 'the held request');
      first.child.kill('SIGKILL');
      await first.exited;
      servers.push(await startServer(setup));

      const want = expectedPairs(SECOND);
      const phase = (): ReceivedRequest[] => setup.receiver.requests.slice(before);
      // The held request counts as received but was never answered: its delivery is done only
      // when the next server, after the takeover time, sends it again.
      const heldRepeats = (): number => phase().filter((request) => request.notificationId === held?.notificationId).length;
      await waitFor(() => new Set(phase().map(pairOf)).size >= want.length && heldRepeats() >= 2, 90_000, 'every notification after the kill');
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const received = phase();
      // Nothing lost: each new finding arrived, under one id each.
      expect([...new Set(received.map(pairOf))].sort()).toEqual(want);
      const idsByPair = new Map<string, Set<string>>();
      for (const request of received) idsByPair.set(pairOf(request), (idsByPair.get(pairOf(request)) ?? new Set<string>()).add(request.notificationId));
      for (const ids of idsByPair.values()) expect(ids.size).toBe(1);
      // Nothing doubled for a receiver that drops repeats by id: the only repeats are tries the
      // killed process had in flight (the held one among them), sent again with the same id.
      expect(received.length - want.length).toBeLessThanOrEqual(4);
    }, 180_000);
  });
});
