// Whole-process benchmarks of the audit pipeline on the largest real lockfiles of the shared
// corpus, against a store holding every advisory of the shared data. Prints figures; asserts none.
//   npm run bench
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cli, formatRow, measure, repoRoot, sharedDir } from './measure.mjs';
import { spawn } from 'node:child_process';
import { modifiedIdCsv, realRecords, syntheticRecords, writeZip } from './osv-data.mjs';

/** `serveFolder` (osv-data.mjs) in a child process; resolves to `{url, close}`. */
function serveInChild(root) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', `
    const { serveFolder } = await import(${JSON.stringify(new URL('./osv-data.mjs', import.meta.url).href)});
    const server = await serveFolder(process.argv[1]);
    process.stdout.write(server.url + '\\n');`, root], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    child.stdout.once('data', (chunk) => resolve({ url: String(chunk).trim(), close: () => child.kill() }));
  });
}
import { mkdirSync, writeFileSync } from 'node:fs';

if (!existsSync(sharedDir)) {
  console.error(`bench: the shared data folder is missing (${sharedDir})`);
  process.exit(2);
}
const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-store-'));
const store = path.join(work, 'advisories.db');
const osv = (...parts) => path.join(sharedDir, 'osv', ...parts);
const corpus = (...parts) => path.join(sharedDir, 'corpus', ...parts);

console.log(`node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);

// 1. Import the whole PyPA snapshot into a fresh store (target: under 10 s).
const importRun = measure([cli, 'db', 'import', '--db', store, osv('pypi-pysec', 'vulns')], {
  runs: 3,
  before: () => rmSync(store, { force: true }),
});
const pysecFiles = spawnSync('find', [osv('pypi-pysec', 'vulns'), '-name', '*.yaml'], { encoding: 'utf8' }).stdout.trim().split('\n').length;
console.log(formatRow('db import: PyPA snapshot (fresh store)', importRun, `${pysecFiles} YAML records`));

// The audits run against everything the shared data holds.
rmSync(store, { force: true });
const filled = spawnSync(process.execPath, [cli, 'db', 'import', '--db', store, osv('pypi-pysec', 'vulns'), osv('ghsa-subset', 'advisories'), osv('go-vulndb'), osv('rustsec')], {
  encoding: 'utf8',
});
if (filled.status !== 0) throw new Error(filled.stderr);
// The shared data is a frozen 2023-2024 snapshot: allow its age (measured from its newest record).
const dataAge = ['--max-db-age', '36500d'];

// 2. Audit the largest lockfiles (target: under 300 ms and 150 MB for 1,000 packages).
const audits = [
  ['audit: nautobot poetry.lock', corpus('pypi', 'nautobot', 'poetry.lock')],
  ['audit: pydantic uv.lock', corpus('pypi', 'pydantic', 'uv.lock')],
  ['audit: insomnia package-lock.json (v3)', corpus('npm', 'insomnia', 'package-lock.json')],
  ['audit: cyberchef package-lock.json (v3)', corpus('npm', 'cyberchef', 'package-lock.json')],
  ['audit: jest yarn.lock (Berry)', corpus('npm', 'jest', 'yarn.lock')],
  ['audit: vue pnpm-lock.yaml (v9)', corpus('npm', 'vue-core-pnpm9', 'pnpm-lock.yaml')],
];
/** The floor of an audit of `file`: node's start plus reading and JSON.parse of the same file. */
const floorOf = (file) => measure(['-e', `JSON.parse(require('fs').readFileSync(${JSON.stringify(file)}, 'utf8'))`], { runs: 5 });
for (const [name, file] of audits) {
  const jsonOut = path.join(work, 'report.json');
  const floor = floorOf(file);
  // Run from a folder without vigil.yaml: the audit alone, under the default policy.
  const result = measure([cli, 'audit', ...dataAge, '--db', store, '--format', 'json', '-o', jsonOut, file], { runs: 5, cwd: work });
  const report = JSON.parse(readFileSync(jsonOut, 'utf8'));
  console.log(formatRow(name, result, `${report.summary.packages} packages, ${report.summary.findings} findings; floor ${floor.medianMs.toFixed(0)} ms, ratio ${(result.medianMs / floor.medianMs).toFixed(2)}`));
}

// 2b. Synthetic stores built from the real records (ids and package names renamed per round):
// a full import of each size from an all.zip, then the cyberchef audit against it, and a no-op
// incremental update against a mirror in OSV's layout served on 127.0.0.1.
const real = realRecords();
const cyberchef = corpus('npm', 'cyberchef', 'package-lock.json');
const cyberchefFloor = floorOf(cyberchef);
// VIGIL_BENCH_SIZES=25000 runs one size; an empty value skips the synthetic stores.
for (const size of (process.env.VIGIL_BENCH_SIZES ?? '25000,100000,300000').split(',').filter((text) => text.trim() !== '').map(Number)) {
  const mirrorDir = path.join(work, `mirror-${size}`);
  mkdirSync(path.join(mirrorDir, 'PyPI'), { recursive: true });
  const records = [...syntheticRecords(real, size)];
  writeZip(path.join(mirrorDir, 'PyPI', 'all.zip'), records.map((record) => [`${record.id}.json`, Buffer.from(JSON.stringify(record))]));
  writeFileSync(path.join(mirrorDir, 'PyPI', 'modified_id.csv'), modifiedIdCsv(records));
  const big = path.join(work, `store-${size}.db`);
  const imported = measure([cli, 'db', 'import', '--db', big, path.join(mirrorDir, 'PyPI', 'all.zip')], { runs: 1, before: () => rmSync(big, { force: true }) });
  console.log(formatRow(`db import: ${size} records (all.zip)`, imported, `${Math.round(size / (imported.medianMs / 1000))} records/s wall, ${((imported.peakRssMiB * 2 ** 20) / size).toFixed(0)} bytes of peak RSS per record`));
  const audited = measure([cli, 'audit', ...dataAge, '--db', big, '--format', 'json', '-o', path.join(work, 'big.json'), cyberchef], { runs: 5, cwd: work });
  console.log(formatRow(`audit: cyberchef, ${size}-record store`, audited, `floor ${cyberchefFloor.medianMs.toFixed(0)} ms, ratio ${(audited.medianMs / cyberchefFloor.medianMs).toFixed(2)}`));
  // The mirror runs in its own process: the measured commands are run synchronously.
  const server = await serveInChild(mirrorDir);
  try {
    const store = path.join(work, `mirror-store-${size}.db`);
    const first = spawnSync(process.execPath, [cli, 'db', 'update', '--db', store, '--mirror', server.url, '--ecosystem', 'PyPI'], { encoding: 'utf8' });
    if (first.status !== 0) throw new Error(first.stderr);
    const noop = measure([cli, 'db', 'update', '--db', store, '--mirror', server.url, '--ecosystem', 'PyPI'], { runs: 3 });
    console.log(formatRow(`db update: no-op, ${size}-record store`, noop, 'change list only (304)'));
    rmSync(store, { force: true });
  } finally {
    server.close();
  }
  rmSync(big, { force: true });
  rmSync(mirrorDir, { recursive: true, force: true });
}

// The same audit with a policy file to read and validate (vigil's own vigil.yaml).
const withPolicy = measure([cli, 'audit', ...dataAge, '--db', store, '--policy', path.join(repoRoot, 'vigil.yaml'), '-q', '-o', path.join(work, 'out.txt'), corpus('npm', 'cyberchef', 'package-lock.json')], {
  runs: 5,
  cwd: work,
});
console.log(formatRow('audit: cyberchef package-lock.json + vigil.yaml', withPolicy));

// 3. Remediation planning on the largest lockfiles (offline: targets from the advisories).
for (const [name, file] of [
  ['plan: insomnia package-lock.json (v3)', corpus('npm', 'insomnia', 'package-lock.json')],
  ['plan: nautobot poetry.lock', corpus('pypi', 'nautobot', 'poetry.lock')],
]) {
  const result = measure([cli, 'plan', ...dataAge, '--offline', '--db', store, '--format', 'json', '-o', path.join(work, 'plan.json'), file], {
    runs: 5,
    cwd: work,
  });
  console.log(formatRow(name, result));
}

// 4. Node's own start-up, for scale.
console.log(formatRow('node -e 0 (start-up alone)', measure(['-e', '0'], { runs: 5 })));
rmSync(work, { recursive: true, force: true });
