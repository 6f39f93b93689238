// The portfolio monitor on PostgreSQL (#14): many refs of about 300 packages each, built from the
// shared corpus lockfiles (CyberChef, Tock, Insomnia: package-lock.json) under renamed projects,
// then three measurements:
//   push      one 1,400-package inventory (CyberChef's lockfile) pushed to a new ref, and again
//   common    an advisory on a package every ref has: import, rematch, and the refs it affects listed
//   update    a 3,000-record update (150 records on packages the refs hold, 2,850 on packages none
//             holds, as in a real daily update) re-matched
// Prints each figure beside its target (issue #14) and the process's peak RSS. Needs VIGIL_TEST_PG_URL or DATABASE_URL (a
// throwaway schema, dropped afterwards).
//   npm run build && node bench/monitor.mjs [--refs N] [--concurrency N] [--batch N] [--vacuum]
// --batch: refs per rematch transaction (rematch's batchSize; its default, 1,000, when not given).
// --vacuum: VACUUM ANALYZE the monitor's tables once the portfolio is built, as autovacuum does on
// a server left at its defaults (without it, a server with autovacuum off reads a table never
// vacuumed nor analysed: no index-only scans, and row estimates of an empty table).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { repoRoot, sharedDir } from './measure.mjs';

const dist = (...parts) => pathToFileURL(path.join(repoRoot, 'dist', ...parts)).href;
if (!existsSync(path.join(repoRoot, 'dist', 'monitor', 'index.js'))) {
  console.error('bench: dist/ has no monitor; run npm run build first');
  process.exit(2);
}
const url = process.env.VIGIL_TEST_PG_URL || process.env.DATABASE_URL;
if (!url) {
  console.error('bench: set VIGIL_TEST_PG_URL (or DATABASE_URL) to a PostgreSQL database');
  process.exit(2);
}
const { values } = parseArgs({
  options: { refs: { type: 'string', default: '1000' }, concurrency: { type: 'string', default: '4' }, batch: { type: 'string' }, vacuum: { type: 'boolean', default: false } },
});
const REFS = Number(values.refs);
const CONCURRENCY = Number(values.concurrency);
const PER_REF = 300;
for (const [name, value] of [['refs', REFS], ['concurrency', CONCURRENCY], ['batch', Number(values.batch ?? 1)]]) {
  if (!Number.isSafeInteger(value) || value < 1) {
    console.error(`bench: --${name} must be a positive integer`);
    process.exit(2);
  }
}
const BATCH = values.batch === undefined ? {} : { batchSize: Number(values.batch) };

const { openMonitorStore, pushRef, rematch, refsAffectedBy } = await import(dist('monitor', 'index.js'));
const { importAdvisories } = await import(dist('advisories', 'import.js'));
const { openAdvisoryStore } = await import(dist('advisories', 'store', 'sqlite-store.js'));
const { buildInventory } = await import(dist('inventory', 'build-inventory.js'));
const { fixedClock } = await import(dist('core', 'clock.js'));

const clock = fixedClock('2024-12-01T00:00:00Z');
const temp = mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-monitor-'));
const storePath = path.join(temp, 'advisories.db');
const schema = `vigil_bench_monitor_${randomBytes(5).toString('hex')}`;
let peakRss = 0;
// The peak of each phase too (sampled every 50 ms), to see which one sets the process's peak.
let phasePeak = 0;
const phasePeaks = [];
const sampleRss = () => {
  const rss = process.memoryUsage().rss;
  peakRss = Math.max(peakRss, rss);
  phasePeak = Math.max(phasePeak, rss);
};
const sampler = setInterval(sampleRss, 50);
const endPhase = (name) => {
  sampleRss();
  phasePeaks.push(`${name} ${(phasePeak / 2 ** 20).toFixed(0)}`);
  phasePeak = 0;
};
const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;

function record(id, name, fixed = '999.0.0') {
  return {
    schema_version: '1.6.0',
    id,
    modified: '2024-06-30T00:00:00Z',
    published: '2024-06-30T00:00:00Z',
    summary: `bench record ${id}`,
    affected: [{ package: { ecosystem: 'npm', name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] }],
  };
}

async function importRecords(records) {
  const folder = mkdtempSync(path.join(temp, 'records-'));
  for (const rec of records) writeFileSync(path.join(folder, `${rec.id}.json`), JSON.stringify(rec));
  const result = await importAdvisories({ storePath, inputs: [folder], clock });
  if (result.rejected.length > 0) throw new Error(`bench: ${result.rejected.length} records rejected`);
}

const monitor = await openMonitorStore({ location: url, schema });
try {
  await importRecords([record('BENCH-BASE-1', 'vigil-bench-nothing')]);
  await importAdvisories({ storePath, inputs: [path.join(repoRoot, 'test', 'data', 'osv', 'ghsa-npm')], clock });
  const openStore = () => Promise.resolve(openAdvisoryStore(storePath, { clock }));
  const push = (project, ref, inventory) => pushRef({ monitor, project, ref, input: { inventory }, openStore, clock, maxDbAgeMs: 3650 * 86_400_000 });

  const inventories = [];
  for (const name of ['cyberchef', 'tock', 'insomnia']) {
    const dir = path.join(sharedDir, 'corpus', 'npm', name);
    inventories.push(await buildInventory({ paths: [path.join(dir, 'package-lock.json')], root: dir }));
  }
  const pool = inventories.flatMap((inventory) => inventory.packages);
  const common = pool.find((pkg) => pkg.name === 'ms');
  const poolNames = [...new Set(pool.map((pkg) => pkg.name))];
  console.log(`corpus: ${pool.length} packages (${poolNames.length} names) from 3 lockfiles; ${REFS} refs of ${PER_REF} packages`);

  // The portfolio: ref i takes a window of the pool (renamed project), always with `ms`.
  let next = 0;
  const setupStart = process.hrtime.bigint();
  async function worker() {
    for (;;) {
      const index = next++;
      if (index >= REFS) return;
      const start = (index * 37) % (pool.length - PER_REF);
      const packages = [common, ...pool.slice(start, start + PER_REF - 1).filter((pkg) => pkg !== common)];
      await push(`project-${String(index % 500).padStart(3, '0')}`, `release-${index}`, { root: '', sources: [], packages, skipped: [] });
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const setupMs = ms(setupStart);
  endPhase('setup');
  console.log(`setup: ${REFS} pushes in ${(setupMs / 1000).toFixed(1)} s (${(setupMs / REFS).toFixed(1)} ms each at concurrency ${CONCURRENCY})`);
  let start = process.hrtime.bigint();
  if (values.vacuum) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`SET search_path TO "${schema}"`);
      await client.query('VACUUM ANALYZE monitor_packages, monitor_refs, monitor_findings, monitor_finding_ids, monitor_events, monitor_outbox, monitor_unevaluable');
    } finally {
      await client.end();
    }
    console.log(`vacuum analyze of the monitor tables: ${(ms(start) / 1000).toFixed(1)} s`);
    start = process.hrtime.bigint();
  }
  const first = await rematch({ monitor, storePath, clock, ...BATCH });
  endPhase('first rematch');
  console.log(`first rematch (the store's ${first.changedRecords} records into the ledger): ${ms(start).toFixed(0)} ms`);

  const big = inventories[0];
  const pushTimes = [];
  for (let run = 0; run < 5; run++) {
    start = process.hrtime.bigint();
    await push('bench-big', 'main', big);
    pushTimes.push(ms(start));
  }
  console.log(`push of ${big.packages.length} packages: first ${pushTimes[0].toFixed(0)} ms, again ${pushTimes.slice(1).map((t) => t.toFixed(0)).join(', ')} ms (target < 300 ms)`);

  endPhase('push');
  await importRecords([record('BENCH-COMMON-1', 'ms')]);
  start = process.hrtime.bigint();
  const commonOutcome = await rematch({ monitor, storePath, clock, ...BATCH });
  const matchedMs = ms(start);
  endPhase('common');
  const listed = await refsAffectedBy(monitor, 'BENCH-COMMON-1');
  console.log(
    `common advisory (ms, in every ref): rematch ${matchedMs.toFixed(0)} ms for ${commonOutcome.refs} refs (${commonOutcome.changes.created} findings, ${commonOutcome.changes.outbox} outbox rows); listed ${listed.length} refs in ${(ms(start) - matchedMs).toFixed(0)} ms; total ${ms(start).toFixed(0)} ms (target < 1000 ms)`,
  );

  const update = [];
  for (let n = 0; n < 150; n++) update.push(record(`BENCH-HIT-${n}`, poolNames[(n * 13) % poolNames.length]));
  for (let n = 0; n < 2850; n++) update.push(record(`BENCH-MISS-${n}`, `vigil-bench-absent-${n}`));
  await importRecords(update);
  start = process.hrtime.bigint();
  const updateOutcome = await rematch({ monitor, storePath, clock, ...BATCH });
  endPhase('update');
  console.log(
    `update of ${updateOutcome.changedRecords} records: rematch ${(ms(start) / 1000).toFixed(1)} s (target < 60 s), ${updateOutcome.lookups} names looked up, ${updateOutcome.refs} refs matched, ${updateOutcome.changes.created} findings created`,
  );
  start = process.hrtime.bigint();
  const noop = await rematch({ monitor, storePath, clock, ...BATCH });
  console.log(`rematch with no change: ${ms(start).toFixed(0)} ms (${noop.changedRecords} records)`);
  console.log(`peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB (bounded: rematch batches of at most 1,000 refs and 10,000 scoped package keys, two at once); per phase: ${phasePeaks.join(', ')} MiB`);
} finally {
  clearInterval(sampler);
  await monitor.close();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
  rmSync(temp, { recursive: true, force: true });
}
