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
    expect(listed.stdout()).toMatch(/^ID +NAME +ROLE +CREATED +LAST USED +STATUS\n1 +ci-release +responder +\S+ +\S+ +active\n$/);
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
