// A newcomer's first run: no store, no reachable OSV bucket. The download asks only for what the
// audited files need, and its failure says what to do offline. A mirror on 127.0.0.1 records the
// requests; nothing else is reached.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/shared-data.js';
import { hasStackTrace, runCli } from './run-cli.js';

let server: Server;
let mirror: string;
const requested: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    requested.push(request.url ?? '');
    response.writeHead(503, { 'content-type': 'text/plain' }).end('maintenance');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => { resolve(); })));

function npmProject(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-first-run-'));
  const lock = { name: 'app', lockfileVersion: 3, packages: { '': { name: 'app', dependencies: { ms: '^2.1.3' } }, 'node_modules/ms': { version: '2.1.3' } } };
  writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(lock));
  return dir;
}

describe('the first run without a store', () => {
  it('downloads only the audited ecosystems, and a failure ends with what to do offline (exit 3)', async () => {
    requested.length = 0;
    const dir = npmProject();
    const run = await runCli(['audit', '--db', path.join(dir, 'store', 'advisories.db'), '--mirror', mirror, 'package-lock.json'], { cwd: dir });
    expect(run.code).toBe(3);
    expect(requested).toEqual(['/npm/all.zip']);
    expect(run.stderr).toMatch(/^vigil: no advisory store yet; downloading npm from http:\/\/127\.0\.0\.1:\d+$/m);
    expect(run.stderr).toMatch(/npm\/all\.zip: download failed: HTTP 503/);
    expect(run.stderr).toMatch(/^ {2}hint: .*"vigil db import PATH".*--mirror URL.*"Offline use" in the README$/m);
    expect(hasStackTrace(run.stderr)).toBe(false);
  });

  it('db update fails the same way, with the same hint', async () => {
    const dir = npmProject();
    const run = await runCli(['db', 'update', '--db', path.join(dir, 'advisories.db'), '--mirror', mirror, '--ecosystem', 'PyPI']);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^ {2}hint: .*"vigil db import PATH"/m);
  });

  it('db import says where it wrote the store and how new its data is', async () => {
    const store = path.join(mkdtempSync(path.join(os.tmpdir(), 'vigil-first-import-')), 'advisories.db');
    const run = await runCli(['db', 'import', '--db', store, path.join(repoRoot, 'test', 'data', 'osv', 'pypi-legacy-versions')]);
    expect(run.code, run.stderr).toBe(0);
    // The three records' `modified` dates, read off the files: 2021-07-05, 2021-08-27, 2021-07-15 (kept to the millisecond).
    expect(run.stdout).toContain(`store ${store}: 3 records; newest record modified 2021-08-27T03:22:10.050Z (PyPI 2021-08-27T03:22:10.050Z)`);
  });
});
