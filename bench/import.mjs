// Imports the whole PyPA advisory snapshot into a fresh temporary store, in a child process, and
// prints wall time and peak RSS. Runs over the built library: `npm run build && node bench/import.mjs [DIR]`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const input = path.resolve(process.argv[2] ?? path.join(repoRoot, '..', 'shared', 'osv', 'pypi-pysec', 'vulns'));
const library = path.join(repoRoot, 'dist', 'advisories', 'import.js');
if (!existsSync(library)) throw new Error('dist/ is missing: run "npm run build" first');
if (!existsSync(input)) throw new Error(`advisory snapshot missing: ${input}`);

const child = `
const { importAdvisories } = await import(${JSON.stringify(pathToFileURL(library).href)});
const [storePath, input] = process.argv.slice(1);
const started = performance.now();
const result = await importAdvisories({ storePath, inputs: [input], clock: { now: () => new Date() } });
const seconds = (performance.now() - started) / 1000;
process.stdout.write(JSON.stringify({
  seconds,
  maxRssKiB: process.resourceUsage().maxRSS,
  cpuSeconds: (process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1e6,
  imported: result.imported,
  rejected: result.rejected.length,
  ignoredFiles: result.ignoredFiles.length,
  byEcosystem: result.byEcosystem,
}));
`;

const dir = mkdtempSync(path.join(tmpdir(), 'vigil-bench-'));
try {
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', child, path.join(dir, 'advisories.db'), input], {
    encoding: 'utf8',
  });
  const wall = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`import failed:\n${run.stderr}`);
  const figures = JSON.parse(run.stdout);
  console.log(`import of ${figures.imported} records (${figures.rejected} rejected, ${figures.ignoredFiles} other files)`);
  console.log(`  import call   ${figures.seconds.toFixed(2)} s`);
  console.log(`  process wall  ${wall.toFixed(2)} s (node start-up and module loading included)`);
  console.log(`  CPU (user+sys) ${figures.cpuSeconds.toFixed(2)} s (whole child process)`);
  console.log(`  peak RSS      ${(figures.maxRssKiB / 1024).toFixed(0)} MiB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
