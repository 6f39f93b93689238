import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPath, hasStackTrace, runCli } from './run-cli.js';

// The attack of issue 17 against the built CLI: the desk behind `--trust-proxy 1`, a client that
// writes a new X-Forwarded-For on every wrong log-in. Before, every proxy hop was trusted and each
// guess got a fresh rate-limit key (14 of 14 answered 401); now the account's delay holds.

const ENV = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', CI: 'true', VIGIL_DESK_LOG_LEVEL: 'warn' };

/** The session cookie and CSRF token of a fresh log-in form. */
async function loginForm(base: string, forwardedFor: string): Promise<{ cookie: string; csrf: string }> {
  const page = await fetch(`${base}/team/login`, { headers: { 'x-forwarded-for': forwardedFor } });
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  return { cookie, csrf };
}

describe('vigil desk serve --trust-proxy', () => {
  it.each([
    { value: 'true', message: /--trust-proxy true: trusting every proxy hop would let any client pick its own address/ },
    { value: 'all', message: /trusting every proxy hop/ },
    { value: '0.0.0.0/0', message: /"0\.0\.0\.0\/0" is every address/ },
    { value: 'proxy.example', message: /"proxy\.example" is not an IP address, a CIDR or one of loopback, linklocal, uniquelocal/ },
  ])('refuses --trust-proxy $value (exit 2, one line and a hint)', async ({ value, message }) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-desk-proxy-'));
    try {
      const run = await runCli(['desk', 'serve', '--port', '0', '--trust-proxy', value], { cwd: dir, env: ENV });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toMatch(/hint: give the proxies to trust: a hop count/);
      expect(hasStackTrace(run.stderr)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('behind --trust-proxy 1, wrong log-ins with a new X-Forwarded-For each still get 429 with Retry-After', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-desk-proxy-'));
    try {
      expect((await runCli(['desk', 'init'], { cwd: dir, env: ENV })).code).toBe(0);
      // A minute's delay after three failures, so that a slow machine cannot outwait it mid-test.
      appendFileSync(path.join(dir, 'desk.yaml'), '\nlogin_throttle:\n  per_account: { free_failures: 3, first_delay: 1 minute }\n');
      const child = spawn(process.execPath, [cliPath, 'desk', 'serve', '--port', '0', '--trust-proxy', '1'], { cwd: dir, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      try {
        let base: string | undefined;
        for (let wait = 0; wait < 300 && base === undefined; wait++) {
          base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
          if (base === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(base, output).toBeDefined();
        const password = /created "admin" with password (\S+) /.exec(output)?.[1] ?? '';
        const answers: { status: number; retryAfter: string | null }[] = [];
        for (let n = 1; n <= 14; n++) {
          const forwardedFor = `198.51.100.${n}`;
          const { cookie, csrf } = await loginForm(base ?? '', forwardedFor);
          const answer = await fetch(`${base ?? ''}/team/login`, {
            method: 'POST',
            redirect: 'manual',
            headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forwardedFor },
            body: new URLSearchParams({ _csrf: csrf, login: 'admin', password: `wrong guess ${n}` }).toString(),
          });
          answers.push({ status: answer.status, retryAfter: answer.headers.get('retry-after') });
        }
        // Three free failures, the fourth starts a minute's wait: the ten after it are 429.
        expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 401, ...Array<number>(10).fill(429)]);
        for (const answer of answers.slice(4)) {
          expect(Number(answer.retryAfter)).toBeGreaterThan(0);
          expect(Number(answer.retryAfter)).toBeLessThanOrEqual(60);
        }
        // The right password waits too (it is not even checked), from yet another address.
        const { cookie, csrf } = await loginForm(base ?? '', '198.51.100.99');
        const owner = await fetch(`${base ?? ''}/team/login`, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '198.51.100.99' },
          body: new URLSearchParams({ _csrf: csrf, login: 'admin', password }).toString(),
        });
        expect(owner.status).toBe(429);
        // Failed log-ins are in the audit log, each with the address the proxy named.
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
        const exported = await runCli(['desk', 'export'], { cwd: dir, env: ENV });
        const failed = exported.stdout
          .split('\n')
          .filter((line) => line.includes('"login.failed"'))
          .map((line) => (JSON.parse(line) as { detail: { address: string } }).detail.address);
        expect(failed).toEqual(['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4']);
        expect(output).not.toMatch(/"level":50/);
      } finally {
        child.kill('SIGTERM');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
