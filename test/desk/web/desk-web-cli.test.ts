// `vigil desk user` and `vigil desk serve` through their command functions, on an SQLite file as
// the CLI opens it, the server listening for real on 127.0.0.1.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSmtpUrl, runDeskServe } from '../../../src/cli/commands/desk-serve.js';
import { runDeskUser } from '../../../src/cli/commands/desk-user.js';
import type { CliIo } from '../../../src/cli/io.js';
import { ConfigError, DeskConflictError, UsageError } from '../../../src/core/errors.js';
import { starterDeskConfig } from '../../../src/desk/config/starter-desk-config.js';

function captureIo(env: NodeJS.ProcessEnv = {}): { io: CliIo; stdout(): string; log: string[] } {
  const stdout = new PassThrough();
  let out = '';
  stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const log: string[] = [];
  return {
    io: { stdout: stdout as unknown as NodeJS.WriteStream, stderr: new PassThrough() as unknown as NodeJS.WriteStream, env, log: (line) => log.push(line) },
    stdout: () => out,
    log,
  };
}

describe('vigil desk user and serve', () => {
  let dir: string;
  let db: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-desk-web-'));
    db = path.join(dir, 'desk.db');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds users with the password from the environment or stdin, never from the command line, and lists them', async () => {
    const first = captureIo({ VIGIL_DESK_PASSWORD: 'a long enough password' });
    expect(await runDeskUser(['add', 'alice'], { db, role: 'admin', as: 'ops' }, first.io)).toBe(0);
    expect(first.stdout()).toBe('added alice (admin)\n');
    const second = captureIo();
    expect(await runDeskUser(['add', 'bob'], { db, role: 'observer' }, second.io, () => Promise.resolve('another long password'))).toBe(0);
    const listed = captureIo();
    await runDeskUser(['list'], { db, json: true }, listed.io);
    const users = (JSON.parse(listed.stdout()) as { users: { login: string; role: string }[] }).users;
    expect(users.map((user) => [user.login, user.role])).toEqual([
      ['alice', 'admin'],
      ['bob', 'observer'],
    ]);
    await expect(runDeskUser(['add', 'alice'], { db, role: 'admin' }, first.io)).rejects.toThrow(DeskConflictError);
  });

  it.each([
    { name: 'no role', args: ['add', 'carol'], values: {}, message: /--role must be one of/ },
    { name: 'an unknown role', args: ['add', 'carol'], values: { role: 'root' }, message: /--role must be one of/ },
    { name: 'no login', args: ['add'], values: { role: 'admin' }, message: /expected one LOGIN/ },
    { name: 'a short password', args: ['add', 'carol'], values: { role: 'admin' }, message: /at least 12 characters/ },
    { name: 'an unknown command', args: ['remove', 'carol'], values: {}, message: /unknown command "remove"/ },
  ])('refuses $name', async ({ args, values, message }) => {
    const run = runDeskUser(args, { db, ...values }, captureIo({ VIGIL_DESK_PASSWORD: 'short' }).io);
    await expect(run).rejects.toThrow(UsageError);
    await expect(runDeskUser(args, { db, ...values }, captureIo({ VIGIL_DESK_PASSWORD: 'short' }).io)).rejects.toThrow(message);
  });

  it('serves on 127.0.0.1 until stopped, then closes the server and the store', async () => {
    const expires = new Date(Date.now() + 180 * 24 * 3600 * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const config = path.join(dir, 'desk.yaml');
    writeFileSync(config, starterDeskConfig(new Date()).replace(/expires: .*/, `expires: ${expires}`));
    const captured = captureIo({ VIGIL_DESK_SESSION_SECRET: 'x'.repeat(40), VIGIL_DESK_LOG_LEVEL: 'silent' });
    const stop = new AbortController();
    const serving = runDeskServe({ config, db, host: '127.0.0.1', port: '0' }, captured.io, { stop: stop.signal });
    let address: string | undefined;
    for (let wait = 0; wait < 100 && address === undefined; wait++) {
      address = captured.log.map((line) => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1]).find((found) => found !== undefined);
      if (address === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(address).toBeDefined();
    const txt = await fetch(`${address ?? ''}/.well-known/security.txt`);
    expect(txt.status).toBe(200);
    expect(await txt.text()).toContain('Contact: mailto:security@example.org');
    const policy = await fetch(`${address ?? ''}/`);
    expect(policy.headers.get('content-security-policy')).toContain("default-src 'self'");
    stop.abort();
    expect(await serving).toBe(0);
    expect(captured.log.some((line) => line.includes('no VIGIL_DESK_SMTP_URL'))).toBe(true);
    await expect(fetch(`${address ?? ''}/`)).rejects.toThrow();
    // The store is closed: the database file can be opened again by the next command.
    const listed = captureIo();
    expect(await runDeskUser(['list'], { db }, listed.io)).toBe(0);
  });

  it('refuses to start with an expired security.txt, a bad port or a short session secret', async () => {
    const config = path.join(dir, 'desk.yaml');
    writeFileSync(config, starterDeskConfig(new Date()).replace(/expires: .*/, 'expires: 2020-01-01T00:00:00Z'));
    await expect(runDeskServe({ config, db, port: '0' }, captureIo({ VIGIL_DESK_SESSION_SECRET: 'x'.repeat(40) }).io)).rejects.toThrow(/security.txt expired/);
    await expect(runDeskServe({ config, db, port: '99999' }, captureIo().io)).rejects.toThrow(UsageError);
    await expect(runDeskServe({ config, db, port: '0' }, captureIo({ VIGIL_DESK_SESSION_SECRET: 'short' }).io)).rejects.toThrow(ConfigError);
  });

  it('reads SMTP settings from a URL, requiring TLS for a remote server', () => {
    expect(parseSmtpUrl('smtp://desk%40example.org:p%40ss@mail.example.org')).toEqual({
      host: 'mail.example.org',
      port: 587,
      secure: false,
      auth: { user: 'desk@example.org', pass: 'p@ss' },
      requireTLS: true,
    });
    expect(parseSmtpUrl('smtps://mail.example.org')).toEqual({ host: 'mail.example.org', port: 465, secure: true });
    expect(parseSmtpUrl('smtp://127.0.0.1:2525')).toEqual({ host: '127.0.0.1', port: 2525, secure: false });
    expect(() => parseSmtpUrl('http://mail.example.org')).toThrow(ConfigError);
  });
});
