import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { importAdvisories } from '../../src/advisories/import.js';
import { openAdvisoryStore } from '../../src/advisories/store/sqlite-store.js';
import { fixedClock } from '../../src/core/clock.js';
import { fixture, repoRoot, shared } from '../helpers/shared-data.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-kill-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

// The child runs the TypeScript source through vite's module runner (vitest's own loader), then
// imports the whole PyPA snapshot, writing each progress count on its own line.
const CHILD = `
import { runnerImport } from 'vite';
const [storePath, input] = process.argv.slice(1);
const { module } = await runnerImport('./src/advisories/import.ts', { configFile: false, logLevel: 'silent' });
await module.importAdvisories({
  storePath,
  inputs: [input],
  clock: { now: () => new Date() },
  onProgress: (event) => process.stdout.write(event.done + '/' + event.total + '\\n'),
});
process.stdout.write('finished\\n');
`;

/** Runs the child until it reports `killAt` records done, then SIGKILLs it. */
function importAndKill(storePath: string, input: string, killAt: number): Promise<{ signal: string | null; lastDone: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, storePath, input], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lastDone = 0;
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'finished') reject(new Error('the import finished before it could be killed'));
        const done = Number(line.split('/')[0]);
        if (Number.isFinite(done)) lastDone = done;
      }
      if (lastDone >= killAt && child.exitCode === null) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal === null) reject(new Error(`child exited on its own: ${stderr}`));
      else resolve({ signal, lastDone });
    });
  });
}

it('a SIGKILL half-way through an import leaves the previous store usable and unchanged', async () => {
  const storePath = path.join(dir, 'advisories.db');
  await importAdvisories({ storePath, inputs: [fixture('advisories', 'mixed')], clock: fixedClock('2024-05-01T00:00:00Z') });
  const before = readFileSync(storePath);

  const { signal, lastDone } = await importAndKill(storePath, shared('osv', 'pypi-pysec', 'vulns'), 800);
  expect(signal).toBe('SIGKILL');
  expect(lastDone).toBeGreaterThanOrEqual(800);
  expect(lastDone).toBeLessThan(2600);

  expect(readFileSync(storePath).equals(before)).toBe(true);
  const db = new Database(storePath, { readonly: true });
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  db.close();
  const store = openAdvisoryStore(storePath);
  try {
    expect((await store.status()).records).toBe(4);
    const found = await store.advisoriesFor('PyPI', ['example-package-name', 'requests']);
    expect([...found.keys()]).toEqual(['example-package-name']);
  } finally {
    store.close();
  }

  // The killed writer's private copy is left behind; the next write removes it.
  const leftovers = (): string[] => readdirSync(dir).filter((name) => name.endsWith('.tmp'));
  expect(leftovers()).toHaveLength(1);
  await importAdvisories({ storePath, inputs: [fixture('advisories', 'mixed', 'valid-yaml-record.yaml')], clock: fixedClock('2024-05-02T00:00:00Z') });
  expect(leftovers()).toEqual([]);
});
