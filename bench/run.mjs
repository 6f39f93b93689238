// Whole-process benchmarks of the audit pipeline on the largest real lockfiles of the shared
// corpus, against a store holding every advisory of the shared data. Prints figures; asserts none.
//   npm run bench
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cli, formatRow, measure, repoRoot, sharedDir } from './measure.mjs';

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
for (const [name, file] of audits) {
  const jsonOut = path.join(work, 'report.json');
  // Run from a folder without vigil.yaml: the audit alone, under the default policy.
  const result = measure([cli, 'audit', ...dataAge, '--db', store, '--format', 'json', '-o', jsonOut, file], { runs: 5, cwd: work });
  const report = JSON.parse(readFileSync(jsonOut, 'utf8'));
  console.log(formatRow(name, result, `${report.summary.packages} packages, ${report.summary.findings} findings`));
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
