// `vigil desk token ...` through runDeskToken, on an SQLite file as the CLI opens it (the CLI
// reaches PostgreSQL through DATABASE_URL's own schema; the store tests cover PostgreSQL).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDeskToken, type DeskTokenValues } from '../../../../src/cli/commands/desk-token.js';
import type { CliIo } from '../../../../src/cli/io.js';
import { DeskConflictError, DeskNotFoundError, UsageError } from '../../../../src/core/errors.js';
import { openDeskStore } from '../../../../src/desk/store/open-desk-store.js';
import { apiTokenStore } from '../../../../src/desk/web/api/api-token-store.js';

interface Captured {
  readonly io: CliIo;
  stdout(): string;
  stderr(): string;
}

function captureIo(env: NodeJS.ProcessEnv = {}): Captured {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  return {
    // The commands only write to the streams; a PassThrough does that like a terminal.
    io: {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stderr: stderr as unknown as NodeJS.WriteStream,
      env,
      log: (line) => (err += `${line}\n`),
    },
    stdout: () => out,
    stderr: () => err,
  };
}

describe('vigil desk token', () => {
  let dir: string;
  let values: DeskTokenValues;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-desk-token-'));
    values = { db: path.join(dir, 'desk.db'), as: 'alan' };
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(args: string[], extra: DeskTokenValues = {}): Promise<Captured & { code: number }> {
    const captured = captureIo();
    const code = await runDeskToken(args, { ...values, ...extra }, captured.io);
    return { ...captured, code };
  }

  it('creates a token, printing it alone on stdout, lists it and revokes it', async () => {
    const created = await run(['create', 'ci-release'], { role: 'responder' });
    expect(created.code).toBe(0);
    const secret = created.stdout().trim();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.stderr()).toMatch(/created API token 1 "ci-release" \(responder\); it is shown once/);

    const store = await openDeskStore({ sqlitePath: values.db ?? '' });
    try {
      expect((await apiTokenStore(store).verify(secret))?.role).toBe('responder');
      expect((await store.readAudit())[0]).toMatchObject({ action: 'api-token.create', actor: { kind: 'team', id: 'alan', role: 'admin' } });
    } finally {
      await store.close();
    }

    const listed = await run(['list']);
    expect(listed.stdout()).toMatch(/^ID +NAME +SCOPE +ROLE +CREATED +LAST USED +STATUS\n1 +ci-release +desk +responder +\S+ +\S+ +active\n$/);
    expect(listed.stdout()).not.toContain(secret);

    const revoked = await run(['revoke', '1']);
    expect(revoked.stdout()).toBe('revoked API token 1 "ci-release"\n');
    const json = await run(['list'], { json: true });
    const list = JSON.parse(json.stdout()) as { tokens: { id: number; revokedAt?: string }[] };
    expect(list.tokens).toHaveLength(1);
    expect(list.tokens[0]?.revokedAt).toEqual(expect.any(String));
  });

  it('prints the new token with its record as JSON', async () => {
    const created = await run(['create', 'ci'], { role: 'observer', json: true });
    const parsed = JSON.parse(created.stdout()) as { id: number; name: string; role: string; token: string };
    expect(parsed).toMatchObject({ id: 1, name: 'ci', role: 'observer', token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as string });
  });

  it.each([
    { name: 'no command', args: [], values: {}, error: /name a command/ },
    { name: 'an unknown command', args: ['rotate'], values: {}, error: /unknown command "rotate"/ },
    { name: 'create without a name', args: ['create'], values: { role: 'admin' }, error: /NAME is required/ },
    { name: 'create without a role', args: ['create', 'ci'], values: {}, error: /--role is required/ },
    { name: 'create with an unknown role', args: ['create', 'ci'], values: { role: 'root' }, error: /unknown role "root"/ },
    { name: 'create with a bad name', args: ['create', 'c i'], values: { role: 'admin' }, error: /invalid token name/ },
    { name: 'revoke without an id', args: ['revoke'], values: {}, error: /ID is required/ },
    { name: 'revoke with a name for an id', args: ['revoke', 'ci'], values: {}, error: /"ci" is not a token id/ },
    { name: '--role with list', args: ['list'], values: { role: 'admin' }, error: /--role is for token create/ },
    { name: 'an extra argument', args: ['list', 'all'], values: {}, error: /unexpected argument "all"/ },
  ])('refuses $name as a usage error', async ({ args, values: extra, error }) => {
    const attempt = run(args, extra);
    await expect(attempt).rejects.toThrow(UsageError);
    await expect(attempt).rejects.toThrow(error);
  });

  it('makes monitor tokens with --scope, lists every scope, and revokes them', async () => {
    await run(['create', 'desk-ci'], { role: 'responder' });
    const project = await run(['add', 'ci-web'], { role: 'responder', scope: 'monitor:project:web' });
    expect(project.stderr()).toMatch(/created API token 2 "ci-web" \(responder, scope monitor:project:web\)/);
    const monitor = await run(['create', 'watch'], { role: 'observer', scope: 'monitor' });
    const store = await openDeskStore({ sqlitePath: values.db ?? '' });
    try {
      const { monitorTokenStore } = await import('../../../../src/monitor/web/monitor-tokens.js');
      // Each service sees its own tokens only: a monitor token opens nothing of the desk API.
      expect((await monitorTokenStore(store).verify(project.stdout().trim()))?.scope).toBe('monitor:project:web');
      expect((await monitorTokenStore(store).verify(monitor.stdout().trim()))?.scope).toBe('monitor');
      expect(await apiTokenStore(store).verify(project.stdout().trim())).toBeUndefined();
    } finally {
      await store.close();
    }
    const listed = await run(['list']);
    const rows = listed.stdout().trim().split('\n').map((line) => line.split(/ {2,}/).slice(0, 4).join(' '));
    expect(rows).toEqual(['ID NAME SCOPE ROLE', '1 desk-ci desk responder', '2 ci-web monitor:project:web responder', '3 watch monitor observer']);
    expect((await run(['revoke', '2'])).stdout()).toBe('revoked API token 2 "ci-web"\n');
    await expect(run(['revoke', '9'])).rejects.toThrow(DeskNotFoundError);
  });

  it.each([
    { name: 'another service', scope: 'mail' },
    { name: 'a project of the desk', scope: 'desk:project:web' },
    { name: 'another kind of monitor scope', scope: 'monitor:team:web' },
    { name: 'a project name with a slash', scope: 'monitor:project:a/b' },
    { name: 'control characters', scope: 'monitor:project:\u001b[31m' },
  ])('refuses --scope with $name', async ({ scope }) => {
    const attempt = run(['create', 'ci'], { role: 'admin', scope });
    await expect(attempt).rejects.toThrow(UsageError);
    await expect(attempt).rejects.toThrow(/invalid --scope/);
    // A control character is written visibly in the message, never sent to the terminal.
    await expect(attempt).rejects.not.toThrow('\u001b');
  });

  it('refuses --scope beside list and revoke', async () => {
    await expect(run(['list'], { scope: 'monitor' })).rejects.toThrow(/--scope is for token create/);
  });

  it('refuses a second active token of one name, and an unknown or revoked id', async () => {
    await run(['create', 'ci'], { role: 'admin' });
    await expect(run(['create', 'ci'], { role: 'admin' })).rejects.toThrow(DeskConflictError);
    await expect(run(['revoke', '7'])).rejects.toThrow(DeskNotFoundError);
    await run(['revoke', '1']);
    await expect(run(['revoke', '1'])).rejects.toThrow(DeskConflictError);
  });

  it('opens $DATABASE_URL when there is no --db, as vigil desk does', async () => {
    const captured = captureIo({ DATABASE_URL: 'mysql://127.0.0.1/desk' });
    await expect(runDeskToken(['list'], {}, captured.io)).rejects.toThrow(/not a PostgreSQL URL/);
  });
});
