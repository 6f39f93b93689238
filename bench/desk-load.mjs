// Load on the disclosure desk: 200 concurrent report submissions over loopback (autocannon, one
// connection per request) through the JSON API (POST /api/v1/reports with a responder token),
// against the desk server in a child process on 127.0.0.1. Then the reports in the store are
// counted and matched with the 201 answers: nothing accepted may be lost, nothing refused stored.
// On SQLite always, and on PostgreSQL (a throwaway schema, dropped afterwards) when
// VIGIL_TEST_PG_URL or DATABASE_URL is set. Prints figures; exits 1 when a report is lost.
//   npm run build && node bench/desk-load.mjs
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { repoRoot } from './measure.mjs';

const SUBMISSIONS = 200;
const dist = (...parts) => pathToFileURL(path.join(repoRoot, 'dist', ...parts)).href;

if (!existsSync(path.join(repoRoot, 'dist', 'desk', 'web', 'create-desk-server.js'))) {
  console.error('bench: dist/ has no desk web server; run npm run build first');
  process.exit(2);
}
const { openDeskStore } = await import(dist('desk', 'store', 'open-desk-store.js'));

if (process.argv[2] === '--serve') await serve();
else await main();

/** The child: the desk server on 127.0.0.1 over the store named in the environment, until told to stop. */
async function serve() {
  const { Desk } = await import(dist('desk', 'desk.js'));
  const { createDeskServer } = await import(dist('desk', 'web', 'create-desk-server.js'));
  const { parseDeskConfigText } = await import(dist('desk', 'config', 'load-desk-config.js'));
  const { starterDeskConfig } = await import(dist('desk', 'config', 'starter-desk-config.js'));
  // The starter configuration, as `vigil desk init` writes it today.
  const config = parseDeskConfigText(starterDeskConfig(new Date()), 'desk.yaml');
  const store = await openDeskStore(JSON.parse(process.env.VIGIL_BENCH_DESK_STORE ?? '{}'));
  const app = await createDeskServer({
    desk: new Desk({ store, config, clock: { now: () => new Date() } }),
    sessionSecret: randomBytes(32).toString('base64url'),
    secureCookies: false,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.on('message', (message) => {
    if (message === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  process.send({ url });
}

/** Starts the server child on a store; resolves with its URL and a stop function. */
function startServer(storeOptions) {
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], {
    env: { ...process.env, VIGIL_BENCH_DESK_STORE: JSON.stringify(storeOptions) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the desk server exited (${code}) before listening`)));
    child.once('message', ({ url }) =>
      resolve({
        url,
        stop: async () => {
          child.send('stop');
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(timer);
        },
      }),
    );
  });
}

/** A report as a reporter's tool would forward it; every one with its own title. */
function submission(n) {
  return JSON.stringify({
    title: `Load report ${n}: SQL injection in the admin search`,
    reporter: { name: `Load Reporter ${n}`, email: `reporter${n}@example.net`, credit: { mode: 'named' } },
    description: 'The changelist search builds a raw WHERE clause from the q parameter.',
    stepsToReproduce: '1. log in as staff\n2. GET /admin/app/model/?q=%27%20OR%201=1--',
    impact: 'A staff user reads any table.',
    attackSurface: 'Admin site, staff accounts only.',
    relatedProjects: '',
    affectedVersions: '5.2.1',
  });
}

/** Runs the load on one store; the figures. */
async function runLoad(name, storeOptions) {
  // The token the automation uses, made as `vigil desk token create` makes it.
  const { apiTokenStore } = await import(dist('desk', 'web', 'api', 'api-token-store.js'));
  const setup = await openDeskStore(storeOptions);
  const before = await setup.countReports();
  const { secret } = await apiTokenStore(setup).create({ name: 'desk-load-bench', role: 'responder' }, { kind: 'system', id: 'bench' });
  await setup.close();

  const server = await startServer(storeOptions);
  const accepted = new Set();
  const statuses = new Map();
  let result;
  try {
    const headers = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' };
    // A few reads first, so that start-up work (JIT, first connections) is not in the figures.
    for (let i = 0; i < 5; i++) {
      const warm = await fetch(`${server.url}/api/v1/reports`, { headers });
      if (warm.status !== 200) throw new Error(`warm-up GET /api/v1/reports: ${warm.status} ${await warm.text()}`);
    }
    let sent = 0;
    result = await autocannon({
      url: server.url,
      connections: SUBMISSIONS,
      amount: SUBMISSIONS,
      pipelining: 1,
      timeout: 60,
      requests: [
        {
          method: 'POST',
          path: '/api/v1/reports',
          headers,
          setupRequest: (request) => {
            request.body = submission(++sent);
            return request;
          },
          onResponse: (status, body) => {
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            if (status === 201) accepted.add(JSON.parse(body).id);
          },
        },
      ],
    });
  } finally {
    await server.stop();
  }

  const check = await openDeskStore(storeOptions);
  let stored;
  let missing = 0;
  try {
    stored = (await check.countReports()) - before;
    for (const id of accepted) if ((await check.getReport(id)) === undefined) missing++;
  } finally {
    await check.close();
  }
  const seconds = (result.finish.getTime() - result.start.getTime()) / 1000;
  return {
    name,
    sent: result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'] + result.errors,
    accepted: accepted.size,
    stored,
    lost: missing,
    extra: stored - (accepted.size - missing),
    errors: result.errors + result.timeouts,
    statuses: [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`).join(' '),
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    perSecond: (result['2xx'] + result.non2xx) / seconds,
  };
}

function formatLoad(row) {
  return (
    `desk load: ${row.name.padEnd(10)} ${String(row.sent).padStart(4)} sent ${String(row.accepted).padStart(4)} accepted ` +
    `${String(row.stored).padStart(4)} stored ${String(row.lost).padStart(2)} lost ${String(row.errors).padStart(2)} errors  ` +
    `p50 ${String(row.p50).padStart(5)} ms  p99 ${String(row.p99).padStart(5)} ms  max ${String(row.max).padStart(5)} ms  ` +
    `${row.perSecond.toFixed(0).padStart(5)} req/s  (${row.statuses})`
  );
}

async function main() {
  console.log(`node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);
  console.log(`${SUBMISSIONS} concurrent POST /api/v1/reports over 127.0.0.1, one connection each; the server in a child process`);
  const rows = [];

  const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-desk-load-'));
  try {
    rows.push(await runLoad('sqlite', { sqlitePath: path.join(work, 'desk.db') }));
    console.log(formatLoad(rows.at(-1)));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const pgUrl = process.env.VIGIL_TEST_PG_URL || process.env.DATABASE_URL;
  if (pgUrl) {
    const schema = `vigil_bench_${randomBytes(6).toString('hex')}`;
    try {
      rows.push(await runLoad('postgres', { url: pgUrl, schema }));
      console.log(formatLoad(rows.at(-1)));
    } finally {
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  } else {
    console.log('desk load: postgres   skipped (set VIGIL_TEST_PG_URL or DATABASE_URL to a postgres:// URL)');
  }

  const bad = rows.filter((row) => row.lost !== 0 || row.extra !== 0);
  for (const row of bad) console.error(`desk load: ${row.name}: ${row.lost} accepted reports missing, ${row.extra} stored without a 201`);
  process.exitCode = bad.length > 0 ? 1 : 0;
}
