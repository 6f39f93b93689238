// Runs a whole `node` process and measures its wall time and peak RSS.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..');
export const sharedDir = path.resolve(repoRoot, '..', 'shared');
export const cli = path.join(repoRoot, 'dist', 'cli', 'main.js');

/** Runs `node ...args` `runs` times; returns the median wall time (ms), peak RSS (MiB) and exit code. */
export function measure(args, { runs = 5, env = {}, cwd = repoRoot, before } = {}) {
  const temp = mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-'));
  const rssFile = path.join(temp, 'rss');
  const walls = [];
  let rss = 0;
  let status;
  for (let i = 0; i < runs; i++) {
    before?.();
    const start = process.hrtime.bigint();
    const child = spawnSync(process.execPath, ['--import', pathToFileURL(path.join(here, 'rss-reporter.mjs')).href, ...args], {
      cwd,
      env: { ...process.env, CI: 'true', VIGIL_BENCH_RSS_FILE: rssFile, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    });
    walls.push(Number(process.hrtime.bigint() - start) / 1e6);
    status = child.status;
    if (child.status !== 0 && child.status !== 1) {
      throw new Error(`benchmark command failed (${child.status}): ${child.stderr}`);
    }
    rss = Math.max(rss, Number(readFileSync(rssFile, 'utf8')) / 1024);
  }
  rmSync(temp, { recursive: true, force: true });
  walls.sort((a, b) => a - b);
  return { medianMs: walls[Math.floor(walls.length / 2)], minMs: walls[0], peakRssMiB: rss, status };
}

export function formatRow(name, result, extra = '') {
  return `${name.padEnd(48)} ${result.medianMs.toFixed(0).padStart(6)} ms median (min ${result.minMs.toFixed(0)})  ${result.peakRssMiB.toFixed(0).padStart(4)} MiB peak RSS${extra ? `  ${extra}` : ''}`;
}
