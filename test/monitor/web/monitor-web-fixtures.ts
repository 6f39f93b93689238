// A desk and a monitor on one web server on 127.0.0.1, as `vigil desk serve` mounts them: the
// desk's users (alan admin, rita responder, otto observer), monitor tokens of each kind, and an
// advisory store holding the GHSA records monitor.test.ts reads by hand.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { importAdvisories } from '../../../src/advisories/import.js';
import { openAdvisoryStore } from '../../../src/advisories/store/sqlite-store.js';
import { fixedClock, type Clock } from '../../../src/core/clock.js';
import { Desk } from '../../../src/desk/desk.js';
import type { Role } from '../../../src/desk/types.js';
import { deskWebContext, deskWebService } from '../../../src/desk/web/create-desk-server.js';
import { renderErrorPage } from '../../../src/desk/web/pages/public-pages.js';
import { DeskSessionStore } from '../../../src/desk/web/session-store.js';
import { addDeskUser } from '../../../src/desk/web/users.js';
import type { MonitorDb } from '../../../src/monitor/store/open-monitor-store.js';
import { MONITOR_CONSOLE_LINK } from '../../../src/monitor/web/monitor-console.js';
import { monitorTokenStore, monitorWebService, type MonitorWebOptions } from '../../../src/monitor/web/monitor-web-service.js';
import { createWebServer, type RateLimit } from '../../../src/web/create-web-server.js';
import { repoRoot } from '../../helpers/shared-data.js';
import { deskStoreBackends, type DeskStoreDatabase } from '../../helpers/desk-store-backends.js';
import { djangoLikeConfig } from '../../desk/desk-fixtures.js';
import { monitorBackends, type MonitorTestDatabase } from '../monitor-backends.js';

export const PASSWORD = 'correct horse battery staple';

/** The records of monitor.test.ts, with their ranges read there by hand. */
export const RECORDS = ['GHSA-78xj-cgh5-2h22', 'GHSA-jchw-25xp-jwwc', 'GHSA-cxjh-pqwp-8mfp', 'GHSA-rv95-896h-c2vc', 'GHSA-9c47-m6qq-7p4h', 'GHSA-c2qf-rxjj-qqgw', 'GHSA-3h5v-q93c-6h6q'];

/** CyberChef's lockfile hits these (see the table in test/monitor/monitor.test.ts). */
export const CYBERCHEF_IDS = ['GHSA-3h5v-q93c-6h6q', 'GHSA-c2qf-rxjj-qqgw', 'GHSA-cxjh-pqwp-8mfp', 'GHSA-rv95-896h-c2vc'];
/** Tock's lockfile hits these. */
export const TOCK_IDS = ['GHSA-3h5v-q93c-6h6q', 'GHSA-9c47-m6qq-7p4h', 'GHSA-c2qf-rxjj-qqgw', 'GHSA-cxjh-pqwp-8mfp', 'GHSA-jchw-25xp-jwwc'];

/** Policies: the shared data is from 2024, so its age is allowed; no record is critical, several are medium or high. */
export const PASSING_POLICY = 'fail_on: critical\nmax_db_age: 36500d\n';
export const FAILING_POLICY = 'fail_on: medium\nmax_db_age: 36500d\n';

/** The tokens made for the tests: name, role, scope. */
export const TOKENS = {
  alphaCi: ['ci-alpha', 'responder', 'monitor:project:alpha'],
  observer: ['watch', 'observer', 'monitor'],
  responder: ['triage', 'responder', 'monitor'],
  admin: ['boss', 'admin', 'monitor'],
} as const satisfies Record<string, readonly [string, Role, string]>;

export interface MonitorServer {
  readonly app: FastifyInstance;
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly desk: Desk;
  readonly monitor: MonitorDb;
  readonly clock: Clock;
  /** Bearer secrets by `TOKENS` key. */
  readonly secrets: Readonly<Record<keyof typeof TOKENS, string>>;
  /** A desk token (scope desk, admin). */
  readonly deskSecret: string;
  dispose(): Promise<void>;
}

/** The backends on which desk and monitor run together: SQLite always, PostgreSQL with VIGIL_TEST_PG_URL. */
export function serverBackends(): { name: string; index: number }[] {
  return monitorBackends().map((backend, index) => ({ name: backend.name, index }));
}

/** Starts the server (listening on 127.0.0.1, a free port) on the backend's desk and monitor databases. */
export async function startMonitorServer(
  backendIndex: number,
  options: { readonly globalRateLimit?: RateLimit; readonly monitor?: Partial<Omit<MonitorWebOptions, 'monitor' | 'desk'>> } = {},
): Promise<MonitorServer> {
  const monitorBackend = monitorBackends()[backendIndex];
  const deskBackend = deskStoreBackends().find((backend) => backend.name === monitorBackend?.name);
  if (monitorBackend === undefined || deskBackend === undefined) throw new Error(`no backend ${backendIndex}`);
  const clock = fixedClock('2024-07-01T00:00:00Z');
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-monitor-web-'));
  const storePath = path.join(dir, 'advisories.db');
  const folder = path.join(dir, 'records');
  mkdirSync(folder);
  for (const id of RECORDS) copyFileSync(path.join(repoRoot, 'test/data/osv/ghsa-npm', `${id}.json`), path.join(folder, `${id}.json`));
  await importAdvisories({ storePath, inputs: [folder], clock });

  const deskDatabase: DeskStoreDatabase = await deskBackend.create();
  const monitorDatabase: MonitorTestDatabase = await monitorBackend.create();
  const desk = new Desk({ store: deskDatabase.store, config: djangoLikeConfig(), clock });
  for (const [login, role] of [['alan', 'admin'], ['rita', 'responder'], ['otto', 'observer']] as const) {
    await addDeskUser(deskDatabase.store, { login, role, password: PASSWORD }, clock, { kind: 'system', id: 'test' });
  }
  const tokens = monitorTokenStore(deskDatabase.store, clock);
  const creator = { kind: 'team', id: 'alan', role: 'admin' } as const;
  const secrets: Partial<Record<keyof typeof TOKENS, string>> = {};
  for (const [key, [name, role, scope]] of Object.entries(TOKENS) as [keyof typeof TOKENS, (typeof TOKENS)[keyof typeof TOKENS]][]) {
    secrets[key] = (await tokens.create({ name, role, scope }, creator)).secret;
  }
  const { apiTokenStore } = await import('../../../src/desk/web/api/api-token-store.js');
  const deskSecret = (await apiTokenStore(deskDatabase.store, clock).create({ name: 'desk-admin', role: 'admin' }, creator)).secret;

  // As createDeskServer does for the services beside the desk: their console links in its navigation.
  const deskContext = { ...deskWebContext({ desk, clock }), consoleLinks: [MONITOR_CONSOLE_LINK] };
  const app = await createWebServer({
    services: [
      deskWebService(deskContext),
      monitorWebService({
        monitor: monitorDatabase.monitor,
        desk,
        openStore: () => Promise.resolve(openAdvisoryStore(storePath, { clock })),
        clock,
        ...options.monitor,
      }),
    ],
    sessionSecret: 'a test secret of at least thirty-two characters',
    sessionStore: new DeskSessionStore(desk.store, { clock }),
    cookieName: 'vigil-desk',
    secureCookies: false,
    globalRateLimit: options.globalRateLimit ?? { max: 10_000, timeWindowMs: 60_000 },
    multipartLimits: { fileSize: 1024 * 1024, files: 2 },
    renderErrorPage: (described) => renderErrorPage({ project: desk.config.project.name }, described),
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    url: address,
    desk,
    monitor: monitorDatabase.monitor,
    clock,
    secrets: secrets as Record<keyof typeof TOKENS, string>,
    deskSecret,
    async dispose() {
      await app.close();
      await monitorDatabase.dispose();
      await deskDatabase.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A JSON call over HTTP, as any client makes it. */
export async function callApi(
  server: MonitorServer,
  method: string,
  pathAndQuery: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: unknown; text: string }> {
  const headers: Record<string, string> = { ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }), ...options.headers };
  if (options.body !== undefined && typeof options.body !== 'string') headers['content-type'] ??= 'application/json';
  const response = await fetch(`${server.url}/api/v1/monitor${pathAndQuery}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body, text };
}
