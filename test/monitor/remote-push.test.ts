// `vigil monitor push --server URL` as CI runs it (the built CLI) against a desk and monitor
// server started here on 127.0.0.1: the report is the one vigil audit prints for the same files
// and policy, the exit status the server's verdict (0, 1), a refused token or project a usage or
// refusal status (2, 5), and an unreachable server exit 3 with one line naming it, never the token.
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../e2e/run-cli.js';
import { repoRoot, shared, sharedDir } from '../helpers/shared-data.js';
import { CYBERCHEF_IDS, FAILING_POLICY, PASSING_POLICY, RECORDS, callApi, startMonitorServer, type MonitorServer } from './web/monitor-web-fixtures.js';

/** A port nothing listens on: one the system gave out and took back. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => {
        resolve(port);
      });
    });
  });
}

/** The finding lines of a table report: those naming an advisory. */
function findingLines(table: string): string[] {
  return table.split('\n').filter((line) => /GHSA-/.test(line)).map((line) => line.trimEnd());
}

describe.skipIf(!existsSync(sharedDir))('vigil monitor push --server', () => {
  let server: MonitorServer;
  let dir: string;
  let lockDir: string;
  let passing: string;
  let failing: string;
  const push = (args: readonly string[], token: string | undefined, policy = passing) =>
    runCli(['monitor', 'push', '--server', server.url, '--project', 'alpha', '--policy', policy, ...args, 'package-lock.json'], {
      cwd: lockDir,
      env: token === undefined ? {} : { VIGIL_MONITOR_TOKEN: token },
    });

  beforeAll(async () => {
    server = await startMonitorServer(0);
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-remote-push-'));
    lockDir = shared('corpus', 'npm', 'cyberchef');
    passing = path.join(dir, 'passing.yaml');
    failing = path.join(dir, 'failing.yaml');
    writeFileSync(passing, PASSING_POLICY);
    writeFileSync(failing, FAILING_POLICY);
  }, 60_000);
  afterAll(async () => {
    await server.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the report vigil audit prints for the same files and exits 0 when the gate passes', async () => {
    const remote = await push(['--ref', 'ci'], server.secrets.alphaCi);
    expect(remote.code, remote.stderr).toBe(0);
    const ids = new Set(findingLines(remote.stdout).map((line) => /GHSA-[a-z0-9-]+/.exec(line)?.[0]));
    expect([...ids].sort()).toEqual(CYBERCHEF_IDS);
    expect(remote.stderr).toMatch(new RegExp(`monitor: alpha@ci pushed to ${server.url.replaceAll('.', '\\.')}: \\d+ packages stored; 4 new, 0 reopened, 0 fixed findings`));

    // vigil audit over the same lockfile, policy and records, on a store of its own.
    const store = path.join(dir, 'advisories.db');
    const records = mkdtempSync(path.join(dir, 'records-'));
    for (const id of RECORDS) copyFileSync(path.join(repoRoot, 'test/data/osv/ghsa-npm', `${id}.json`), path.join(records, `${id}.json`));
    expect((await runCli(['db', 'import', '--db', store, records])).code).toBe(0);
    const local = await runCli(['audit', '--db', store, '--offline', '--policy', passing, 'package-lock.json'], { cwd: lockDir });
    expect(local.code, local.stderr).toBe(0);
    expect(findingLines(remote.stdout)).toEqual(findingLines(local.stdout));

    const history = (await callApi(server, 'GET', '/refs/history?project=alpha&ref=ci', { token: server.secrets.observer })).body as { events: { kind: string; actor: string }[] };
    expect(history.events.filter((event) => event.kind === 'push').map((event) => event.actor)).toEqual(['token:ci-alpha']);
  }, 120_000);

  it('prints the JSON report with -f json, and exits 1 when the ref policy fails the gate', async () => {
    const json = await push(['--ref', 'ci', '-f', 'json', '--token', server.secrets.alphaCi], undefined);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as { findings: { id: string }[]; summary: { blocking: number } };
    expect([...new Set(report.findings.map((finding) => finding.id))].sort()).toEqual(CYBERCHEF_IDS);

    const failed = await push(['--ref', 'ci', '-q'], server.secrets.alphaCi, failing);
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stderr).toMatch(/blocking/);
  }, 60_000);

  it.each([
    { name: 'another project than the token', args: ['--ref', 'ci', '--project', 'beta'], token: 'alphaCi', exit: 5, message: /refused the push: token "ci-alpha" is limited to project "alpha"/ },
    { name: 'an observer token', args: ['--ref', 'ci'], token: 'observer', exit: 5, message: /has the role observer/ },
    { name: 'an unknown token', args: ['--ref', 'ci'], token: 'unknown', exit: 2, message: /refused the token/ },
    { name: 'no token', args: ['--ref', 'ci'], token: undefined, exit: 2, message: /--server needs a token/ },
  ] as const)('exits $exit for $name, naming no token', async ({ args, token, exit, message }) => {
    const secret = token === undefined ? undefined : token === 'unknown' ? 'A'.repeat(43) : server.secrets[token];
    // --project given twice: the last one counts, as for every option of the CLI.
    const run = await push(args, secret);
    expect(run.code, run.stderr).toBe(exit);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
    for (const value of Object.values(server.secrets)) expect(run.stderr).not.toContain(value);
    expect(hasStackTrace(run.stderr)).toBe(false);
  });

  it('exits 3 with one line naming the server when nothing answers there', async () => {
    const port = await closedPort();
    const run = await runCli(['monitor', 'push', '--server', `http://127.0.0.1:${port}/`, '--project', 'alpha', '--ref', 'ci', '--policy', passing, 'package-lock.json'], {
      cwd: lockDir,
      env: { VIGIL_MONITOR_TOKEN: server.secrets.alphaCi },
    });
    expect(run.code).toBe(3);
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toBe(`vigil: monitor push: cannot reach the monitor server http://127.0.0.1:${port}: ECONNREFUSED`);
    expect(run.stderr).not.toContain(server.secrets.alphaCi);
    expect(hasStackTrace(run.stderr)).toBe(false);
  });

  it.each([
    { name: 'a URL of another scheme', server: 'ftp://127.0.0.1/', message: /--server must be an http or https URL, not ftp:/ },
    { name: 'a URL with a password', server: 'http://ci:secret@127.0.0.1/', message: /must not carry a user or password/ },
    { name: 'no URL', server: 'localhost:8080', message: /--server (is not a URL|must be an http or https URL)/ },
  ])('exits 2 for $name', async ({ server: url, message }) => {
    const run = await runCli(['monitor', 'push', '--server', url, '--project', 'alpha', '--ref', 'ci', 'package-lock.json'], { cwd: lockDir, env: { VIGIL_MONITOR_TOKEN: 'x' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toContain('secret');
  });

  it('refuses the local-only options and --server beside other commands', async () => {
    const local = await runCli(['monitor', 'push', '--server', server.url, '--monitor-db', path.join(dir, 'm.db'), '--project', 'alpha', '--ref', 'ci'], { cwd: lockDir });
    expect(local.code).toBe(2);
    expect(local.stderr).toMatch(/--monitor-db is for a local push/);
    const status = await runCli(['monitor', 'status', '--server', server.url]);
    expect(status.code).toBe(2);
    expect(status.stderr).toMatch(/--server and --token are for push/);
  });
});
