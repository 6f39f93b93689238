// Load on the disclosure desk, against the desk server in a child process on 127.0.0.1
// (autocannon over loopback). Two workloads, each at 10 and then 50 connections, for a fixed time
// (60 s by default), on a fresh server each:
//   submit  POST /api/v1/reports through the JSON API with a responder token (what a reporter's
//           tool or a form relay sends); afterwards the reports in the store are counted and
//           matched with the 201 answers: nothing accepted may be lost, nothing refused stored.
//   track   GET /track/TOKEN, the reporter's tracking page, over 200 reports made beforehand.
// Prints per run: requests, p50/p99/max latency, requests per second, and the server's resident
// set size (RSS) at the start, at the end and at its peak (sampled every second), so a leak shows
// as an end well above the start. The rate limits are raised out of the way: this measures the
// desk, not the limiter. On SQLite always, and on PostgreSQL (a throwaway schema, dropped
// afterwards) when VIGIL_TEST_PG_URL or DATABASE_URL is set. Exits 1 when a report is lost.
//   npm run build && node bench/desk-load.mjs [--seconds N] [--connections 10,50] [--only submit|track] [--sqlite-only]
// Profile the server with VIGIL_BENCH_CPU_PROF=DIR (node --cpu-prof in the child).
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { repoRoot } from './measure.mjs';

const dist = (...parts) => pathToFileURL(path.join(repoRoot, 'dist', ...parts)).href;
const TRACKED_REPORTS = 200;
/** Far above any load the bench makes, per client address. */
const NO_LIMIT = { max: 100_000_000, timeWindowMs: 60_000 };

if (!existsSync(path.join(repoRoot, 'dist', 'desk', 'web', 'create-desk-server.js'))) {
  console.error('bench: dist/ has no desk web server; run npm run build first');
  process.exit(2);
}
const { openDeskStore } = await import(dist('desk', 'store', 'open-desk-store.js'));
const { Desk } = await import(dist('desk', 'desk.js'));
const { parseDeskConfigText } = await import(dist('desk', 'config', 'load-desk-config.js'));
const { starterDeskConfig } = await import(dist('desk', 'config', 'starter-desk-config.js'));

/** The starter configuration, as `vigil desk init` writes it today. */
const deskConfig = () => parseDeskConfigText(starterDeskConfig(new Date()), 'desk.yaml');
const systemClock = { now: () => new Date() };

if (process.argv[2] === '--serve') await serve();
else await main();

/** The child: the desk server on 127.0.0.1 over the store named in the environment, until told to stop. */
async function serve() {
  const { createDeskServer } = await import(dist('desk', 'web', 'create-desk-server.js'));
  const store = await openDeskStore(JSON.parse(process.env.VIGIL_BENCH_DESK_STORE ?? '{}'));
  const app = await createDeskServer({
    desk: new Desk({ store, config: deskConfig(), clock: systemClock }),
    sessionSecret: randomBytes(32).toString('base64url'),
    secureCookies: false,
    rateLimits: { global: NO_LIMIT, report: NO_LIMIT, publicPost: NO_LIMIT },
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
    if (message === 'rss') process.send({ rss: process.memoryUsage.rss() });
  });
  process.on('disconnect', () => void stop());
  process.send({ url });
}

/** Starts the server child on a store; resolves with its URL, an RSS probe and a stop function. */
function startServer(storeOptions, profileName) {
  const profileDir = process.env.VIGIL_BENCH_CPU_PROF;
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], {
    env: { ...process.env, VIGIL_BENCH_DESK_STORE: JSON.stringify(storeOptions) },
    execArgv: profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${profileName}.cpuprofile`] : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const rss = () =>
    new Promise((resolve) => {
      const onMessage = (message) => {
        if (typeof message?.rss !== 'number') return;
        child.off('message', onMessage);
        resolve(message.rss);
      };
      child.on('message', onMessage);
      child.send('rss');
    });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the desk server exited (${code}) before listening`)));
    child.once('message', ({ url }) =>
      resolve({
        url,
        rss,
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
  return {
    title: `Load report ${n}: SQL injection in the admin search`,
    reporter: { name: `Load Reporter ${n}`, email: `reporter${n}@example.net`, credit: { mode: 'named' } },
    description: 'The changelist search builds a raw WHERE clause from the q parameter.',
    stepsToReproduce: '1. log in as staff\n2. GET /admin/app/model/?q=%27%20OR%201=1--',
    impact: 'A staff user reads any table.',
    attackSurface: 'Admin site, staff accounts only.',
    relatedProjects: '',
    affectedVersions: '5.2.1',
  };
}

/** What the store holds before the runs: an API token for the submissions, tracking tokens for the reads. */
async function prepare(storeOptions) {
  const { apiTokenStore } = await import(dist('desk', 'web', 'api', 'api-token-store.js'));
  const store = await openDeskStore(storeOptions);
  try {
    const { secret } = await apiTokenStore(store).create({ name: 'desk-load-bench', role: 'responder' }, { kind: 'system', id: 'bench' });
    const desk = new Desk({ store, config: deskConfig(), clock: systemClock });
    const trackingTokens = [];
    for (let n = 0; n < TRACKED_REPORTS; n++) trackingTokens.push((await desk.submitReport(submission(`tracked-${n}`))).trackingToken);
    return { apiToken: secret, trackingTokens };
  } finally {
    await store.close();
  }
}

/** Samples the server's RSS every second while `work` runs. */
async function sampleRss(server, work) {
  const samples = [await server.rss()];
  let running = true;
  const sampler = (async () => {
    while (running) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      if (running) samples.push(await server.rss());
    }
  })();
  try {
    return { result: await work(), samples };
  } finally {
    running = false;
    await sampler;
    samples.push(await server.rss());
  }
}

/** One run: a fresh server, `connections` clients for `seconds`, then the checks. */
async function runLoad({ storeName, storeOptions, workload, connections, seconds, prepared }) {
  const check = await openDeskStore(storeOptions);
  const before = await check.countReports();
  await check.close();

  const server = await startServer(storeOptions, `${storeName}-${workload}-${connections}`);
  const accepted = new Set();
  const statuses = new Map();
  let measured;
  try {
    const apiHeaders = { authorization: `Bearer ${prepared.apiToken}`, 'content-type': 'application/json' };
    // A few requests first, so that start-up work (JIT, first connections) is not in the figures.
    for (let i = 0; i < 5; i++) {
      const warm = await fetch(`${server.url}/track/${prepared.trackingTokens[i]}`);
      if (warm.status !== 200) throw new Error(`warm-up GET /track: ${warm.status}`);
      await warm.arrayBuffer();
    }
    let sent = 0;
    const count = (status) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
    const request =
      workload === 'submit'
        ? {
            method: 'POST',
            path: '/api/v1/reports',
            headers: apiHeaders,
            setupRequest: (req) => ({ ...req, body: JSON.stringify(submission(`${storeName}-${connections}-${++sent}`)) }),
            onResponse: (status, body) => {
              count(status);
              if (status === 201) accepted.add(JSON.parse(body).id);
            },
          }
        : {
            method: 'GET',
            setupRequest: (req) => ({ ...req, path: `/track/${prepared.trackingTokens[sent++ % prepared.trackingTokens.length]}` }),
            onResponse: (status) => count(status),
          };
    measured = await sampleRss(server, () =>
      autocannon({ url: server.url, connections, duration: seconds, pipelining: 1, timeout: 30, requests: [request] }),
    );
  } finally {
    await server.stop();
  }

  let stored = 0;
  let lost = 0;
  if (workload === 'submit') {
    const after = await openDeskStore(storeOptions);
    try {
      stored = (await after.countReports()) - before;
      for (const id of accepted) if ((await after.getReport(id)) === undefined) lost++;
    } finally {
      await after.close();
    }
  }
  const { result, samples } = measured;
  const requests = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
  const ok = workload === 'submit' ? accepted.size : (statuses.get(200) ?? 0);
  return {
    name: `${storeName} ${workload} ${connections}c`,
    requests,
    ok,
    lost,
    // autocannon stops at the deadline without waiting for the answers in flight: up to one per
    // connection may be stored without its 201 having been seen.
    inFlight: workload === 'submit' ? stored - (accepted.size - lost) : 0,
    connections,
    errors: result.errors + result.timeouts,
    statuses: [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' '),
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    perSecond: requests / seconds,
    rssStart: samples[0] / 2 ** 20,
    rssEnd: samples.at(-1) / 2 ** 20,
    rssPeak: Math.max(...samples) / 2 ** 20,
  };
}

function formatLoad(row) {
  const ms = (value) => String(value).padStart(5);
  return (
    `desk load: ${row.name.padEnd(22)} ${String(row.requests).padStart(6)} requests ${String(row.ok).padStart(6)} ok ` +
    `${String(row.errors).padStart(3)} errors  p50 ${ms(row.p50)} ms  p99 ${ms(row.p99)} ms  max ${ms(row.max)} ms  ` +
    `${row.perSecond.toFixed(0).padStart(5)} req/s  RSS ${row.rssStart.toFixed(0)} -> ${row.rssEnd.toFixed(0)} MiB ` +
    `(peak ${row.rssPeak.toFixed(0)})  (${row.statuses}${row.inFlight > 0 ? `, ${row.inFlight} in flight at the stop` : ''})`
  );
}

async function runStore(storeName, storeOptions, settings, rows) {
  const prepared = await prepare(storeOptions);
  for (const workload of settings.workloads) {
    for (const connections of settings.connections) {
      rows.push(await runLoad({ storeName, storeOptions, workload, connections, seconds: settings.seconds, prepared }));
      console.log(formatLoad(rows.at(-1)));
    }
  }
}

async function main() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      seconds: { type: 'string', default: '60' },
      connections: { type: 'string', default: '10,50' },
      only: { type: 'string' },
      'sqlite-only': { type: 'boolean', default: false },
    },
  });
  const settings = {
    seconds: Number(values.seconds),
    connections: values.connections.split(',').map(Number),
    workloads: values.only === undefined ? ['submit', 'track'] : [values.only],
  };
  if (!(settings.seconds > 0) || settings.connections.some((n) => !(n > 0)) || settings.workloads.some((w) => w !== 'submit' && w !== 'track')) {
    console.error('bench: --seconds N, --connections N[,N...] and --only submit|track');
    process.exit(2);
  }
  console.log(`node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load average ${os.loadavg().map((n) => n.toFixed(1)).join(' ')}`);
  console.log(`${settings.seconds} s per run over 127.0.0.1; the server in a child process, a fresh one per run`);
  const rows = [];

  const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-desk-load-'));
  try {
    await runStore('sqlite', { sqlitePath: path.join(work, 'desk.db') }, settings, rows);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const pgUrl = process.env.VIGIL_TEST_PG_URL || process.env.DATABASE_URL;
  if (pgUrl && !values['sqlite-only']) {
    const schema = `vigil_bench_${randomBytes(6).toString('hex')}`;
    try {
      await runStore('postgres', { url: pgUrl, schema }, settings, rows);
    } finally {
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  } else if (!pgUrl) {
    console.log('desk load: postgres skipped (set VIGIL_TEST_PG_URL or DATABASE_URL to a postgres:// URL)');
  }
  console.log(`load average after: ${os.loadavg().map((n) => n.toFixed(1)).join(' ')}`);

  const bad = rows.filter((row) => row.lost !== 0 || row.inFlight < 0 || row.inFlight > row.connections);
  for (const row of bad) {
    console.error(`desk load: ${row.name}: ${row.lost} accepted reports missing, ${row.inFlight} stored without a 201 seen (at most ${row.connections} may be in flight at the stop)`);
  }
  process.exitCode = bad.length > 0 ? 1 : 0;
}
