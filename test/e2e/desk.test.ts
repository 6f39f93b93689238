import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBMISSION } from '../desk/desk-fixtures.js';
import { cliPath, hasStackTrace, runCli } from './run-cli.js';

const MARKER = 'QX-EMBARGOED-DETAIL';

describe('vigil desk on the command line', () => {
  let dir: string;
  const desk = (...args: string[]) => runCli(['desk', ...args], { cwd: dir, env: { VIGIL_DESK_USER: 'rita' } });

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-desk-cli-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries a report from intake to a scheduled, pre-notified disclosure, with documents and the audit log', async () => {
    expect((await desk('init')).code).toBe(0);
    expect((await desk('init')).code).toBe(2);

    writeFileSync(
      path.join(dir, 'report.json'),
      JSON.stringify({ ...SUBMISSION, description: `${MARKER} raw WHERE clause`, stepsToReproduce: `${MARKER} steps` }),
    );
    const added = await desk('report', 'add', '--file', 'report.json', '--json');
    expect(added.code).toBe(0);
    const { id, trackingToken } = JSON.parse(added.stdout) as { id: number; trackingToken: string };
    expect(trackingToken.length).toBeGreaterThan(40);

    const list = await desk('report', 'list');
    expect(list.stdout).toContain(`#${id}`);
    expect(list.stdout).toMatch(/acknowledge pending/);
    expect(list.stdout).not.toContain(MARKER);

    const steps: string[][] = [
      ['acknowledge', '--note', 'thanks'],
      ['triage', '--note', 'reproduced'],
      [
        'accept',
        '--note',
        'confirmed',
        '--severity',
        'high',
        '--cvss',
        'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N',
        '--cwe',
        'CWE-89',
        '--series',
        'main',
        '--series',
        '5.2',
        '--summary',
        'SQL injection in the admin search',
      ],
      ['start-fix', '--note', 'patching'],
    ];
    for (const step of steps) {
      const run = await desk('report', 'transition', String(id), ...step);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    }
    expect((await desk('report', 'fix', String(id), '--series', '5.2', '--release', '5.2.99', '--patch', 'https://example.org/commit/1')).code).toBe(0);
    expect((await desk('report', 'fix', String(id), '--series', 'main', '--patch', 'abc123')).code).toBe(0);

    // Ten days ahead: the 7-day lead time still allows pre-notification now.
    const disclosureAt = new Date(Date.now() + 10 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    expect((await desk('report', 'transition', String(id), 'schedule-disclosure', '--at', disclosureAt, '--note', 'release day')).code).toBe(0);
    expect((await desk('report', 'transition', String(id), 'pre-notify', '--note', 'list told')).code).toBe(0);

    const early = await desk('report', 'transition', String(id), 'disclose', '--note', 'too soon');
    expect(early.code).toBe(5);
    expect(early.stderr).toMatch(/^vigil: the embargo lasts until/m);
    expect(hasStackTrace(early.stderr)).toBe(false);

    const pre = await desk('document', String(id), 'pre-announcement');
    expect(pre.code).toBe(0);
    expect(pre.stdout).toContain('High');
    expect(pre.stdout).not.toContain(MARKER);
    expect(pre.stdout).not.toContain('CWE-89');

    const advisory = await desk('advisory', String(id));
    expect(advisory.code).toBe(0);
    const record = JSON.parse(advisory.stdout) as { id: string; affected: { ranges: { events: Record<string, string>[] }[] }[] };
    expect(record.id).toMatch(new RegExp(`^x_EXAMPLE-SA-\\d{4}-${id}$`));
    expect(record.affected[0]?.ranges[0]?.events).toContainEqual({ fixed: '5.2.99' });

    const exported = await desk('export', '-o', 'audit.jsonl');
    expect(exported.code).toBe(0);
    const events = (await readFile(path.join(dir, 'audit.jsonl'), 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as { action: string });
    // create, 6 transitions, 2 fixes (reads and document reads come on top).
    expect(events.filter((event) => event.action === 'report.transition')).toHaveLength(6);
    expect(events.filter((event) => event.action === 'report.fix')).toHaveLength(2);
    expect(events.filter((event) => event.action === 'report.read-embargoed').length).toBeGreaterThanOrEqual(2);
  });

  it.each([
    { name: 'an unknown report', args: ['report', 'show', '999'], code: 6, stderr: /^vigil: no report 999$/m },
    { name: 'a refused transition', args: ['report', 'transition', '1', 'triage', '--note', 'x'], code: 5, stderr: /allowed only from acknowledged/ },
    { name: 'an unknown action', args: ['report', 'transition', '1', 'approve'], code: 2, stderr: /unknown action "approve"/ },
    { name: 'a bad date', args: ['supported', '--on', '2026-13-01'], code: 2, stderr: /not a date/ },
  ])('$name exits $code with one line', async ({ args, code, stderr }) => {
    const run = await desk(...args);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(stderr);
    expect(hasStackTrace(run.stderr)).toBe(false);
  });

  it('a broken configuration is named with its line, and the store is not touched', async () => {
    const broken = mkdtempSync(path.join(tmpdir(), 'vigil-desk-broken-'));
    try {
      writeFileSync(path.join(broken, 'desk.yaml'), 'project:\n  name: x\n  pakage: {}\n');
      const run = await runCli(['desk', 'report', 'list'], { cwd: broken });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^vigil: .*desk\.yaml:3:3: unknown key "pakage" in project \(did you mean "package"\?\)$/m);
      expect(hasStackTrace(run.stderr)).toBe(false);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });

  it('supported versions today follow the starter series', async () => {
    const run = await desk('supported', '--on', '2025-06-15', '--json');
    const body = JSON.parse(run.stdout) as { supported: { name: string }[] };
    expect(body.supported.map((line) => line.name)).toEqual(['main', '5.2', '5.1', '4.2']);
  });
});

describe('vigil desk serve with no configuration', () => {
  it('starts on SQLite with the starter configuration and a first admin, and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-desk-serve-'));
    try {
      const child = spawn(process.execPath, [cliPath, 'desk', 'serve', '--port', '0'], {
        cwd: dir,
        env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', CI: 'true', VIGIL_DESK_LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      let address: string | undefined;
      for (let wait = 0; wait < 200 && address === undefined; wait++) {
        address = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
        if (address === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(stderr).toMatch(/no desk\.yaml here; serving with the starter configuration/);
      expect(stderr).toMatch(/created "admin" with password [A-Za-z0-9_-]{24} \(shown once/);
      const txt = await fetch(`${address ?? ''}/.well-known/security.txt`);
      expect(await txt.text()).toMatch(/^Contact: mailto:security@example\.org$/m);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toMatch(/SIGTERM: finishing requests in flight and stopping/);

      // The next start finds the admin and creates no other.
      const users = await runCli(['desk', 'user', 'list', '--json'], { cwd: dir });
      expect((JSON.parse(users.stdout) as { users: { login: string }[] }).users.map((user) => user.login)).toEqual(['admin']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
