// vigil monitor as a user runs it (the built CLI): a push, an advisory imported later, rematch,
// affected and status, and the usage errors. CyberChef's lockfile has express 4.17.3;
// GHSA-rv95-896h-c2vc (CVE-2024-29041, CVSS 6.1: medium) affects express < 4.19.2.
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, shared, sharedDir } from '../helpers/shared-data.js';
import { hasStackTrace, runCli } from '../e2e/run-cli.js';

const RECORDS = path.join(repoRoot, 'test/data/osv/ghsa-npm');

describe.skipIf(!existsSync(sharedDir))('vigil monitor', () => {
  let dir: string;
  let store: string;
  let monitorDb: string;
  let lock: string;
  const common = (): string[] => ['--db', store, '--monitor-db', monitorDb];

  async function importRecord(id: string): Promise<void> {
    const folder = mkdtempSync(path.join(dir, 'records-'));
    copyFileSync(path.join(RECORDS, `${id}.json`), path.join(folder, `${id}.json`));
    const run = await runCli(['db', 'import', '--db', store, folder]);
    expect(run.code, run.stderr).toBe(0);
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-monitor-cli-'));
    store = path.join(dir, 'advisories.db');
    monitorDb = path.join(dir, 'monitor.db');
    lock = path.join(shared('corpus', 'npm', 'cyberchef'), 'package-lock.json');
    writeFileSync(path.join(dir, 'vigil.yaml'), 'fail_on: medium\n');
    await importRecord('GHSA-78xj-cgh5-2h22');
  }, 60_000);
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('push, an advisory imported later, rematch, affected, status, and a push that now fails', async () => {
    // Run from the project's folder, as CI does: paths are stored relative to it.
    const push = ['monitor', 'push', '--project', 'alpha', '--ref', 'main', ...common(), '--offline', '--max-db-age', '36500d', '-q', '--policy', path.join(dir, 'vigil.yaml'), 'package-lock.json'];
    const first = await runCli(push, { cwd: path.dirname(lock) });
    expect(first.code, first.stderr).toBe(0);

    await importRecord('GHSA-rv95-896h-c2vc');
    const rematch = await runCli(['monitor', 'rematch', ...common(), '--json', '--max-db-age', '36500d']);
    expect(rematch.code, rematch.stderr).toBe(0);
    expect(JSON.parse(rematch.stdout)).toMatchObject({ refs: 1, changes: { created: 1, outbox: 1 } });
    // Under the default 7 days the 2024 records are stale: the rematch still runs (nothing has
    // changed since), then fails closed with exit 3 and names the data's date.
    const stale = await runCli(['monitor', 'rematch', ...common()]);
    expect(stale.code, stale.stderr).toBe(3);
    expect(stale.stdout).toMatch(/^rematch: 0 changed and 0 removed records/);
    expect(stale.stderr).toMatch(/npm advisory data is .* old \(newest record modified 2024-/);

    const holders = await runCli(['monitor', 'affected', '--package', 'npm:express@4.17.3', ...common()]);
    expect(holders.code, holders.stderr).toBe(0);
    expect(holders.stdout).toBe('alpha@main  express@4.17.3  package-lock.json\n');
    const otherVersion = await runCli(['monitor', 'affected', '--package', 'npm:express@4.19.2', ...common()]);
    expect(otherVersion.stdout).toBe('no monitored ref holds npm:express@4.19.2\n');

    const affected = await runCli(['monitor', 'affected', 'CVE-2024-29041', ...common()]);
    expect(affected.code).toBe(0);
    expect(affected.stdout).toMatch(/^alpha@main {2}GHSA-rv95-896h-c2vc {2}new {2}medium {2}express@4\.17\.3 \(package-lock\.json\)/m);
    const none = await runCli(['monitor', 'affected', 'CVE-1999-0001', ...common()]);
    expect(none.stdout).toBe('no monitored ref is affected by CVE-1999-0001\n');

    const status = await runCli(['monitor', 'status', ...common()]);
    expect(status.stdout).toContain('alpha@main');
    expect(status.stdout).toContain('1 medium');

    // The ref's vigil.yaml fails on medium: the push now blocks, as vigil audit would (exit 1).
    const again = await runCli(push, { cwd: path.dirname(lock) });
    expect(again.code, again.stderr).toBe(1);
  }, 120_000);

  it.each([
    { name: 'a push without --project', args: ['monitor', 'push', '--ref', 'main'], message: 'vigil: monitor push: --project NAME and --ref REF are required' },
    { name: 'a remote push with a local-only option', args: ['monitor', 'push', '--project', 'a', '--ref', 'b', '--server', 'https://example.invalid', '--token', 't'], message: 'vigil: monitor push: --monitor-db is for a local push' },
    { name: 'a token without a server', args: ['monitor', 'push', '--project', 'a', '--ref', 'b', '--token', 't'], message: 'vigil: monitor push: --token needs --server URL' },
    { name: 'a project name with an escape sequence', args: ['monitor', 'push', '--project', 'a\u001b[31mred', '--ref', 'main', '--offline'], message: 'vigil: invalid project name "a\\u001b[31mred"' },
    { name: 'an unknown subcommand', args: ['monitor', 'scan'], message: 'vigil: monitor: unknown command "scan"' },
    { name: 'a package query without its ecosystem', args: ['monitor', 'affected', '--package', 'express@4.17.3'], message: 'vigil: monitor affected: --package "express@4.17.3" is not ECOSYSTEM:NAME[@VERSION]' },
  ])('$name is a one-line usage error (exit 2)', async ({ args, message }) => {
    const run = await runCli([...args, ...common()], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]?.startsWith(message), run.stderr).toBe(true);
    expect(run.stderr).not.toContain('\u001b');
    expect(hasStackTrace(run.stderr)).toBe(false);
  });
});
