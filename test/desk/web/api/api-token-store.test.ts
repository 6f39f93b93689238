import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeskConflictError, DeskNotFoundError, InternalError, UsageError } from '../../../../src/core/errors.js';
import type { DeskStore } from '../../../../src/desk/store/desk-store.js';
import type { Actor } from '../../../../src/desk/types.js';
import { apiTokenActor, apiTokenStore, hashApiToken, type ApiTokenStore } from '../../../../src/desk/web/api/api-token-store.js';
import { deskStoreBackends, type DeskStoreDatabase } from '../../../helpers/desk-store-backends.js';
import { movableClock } from './api-test-app.js';

const ALAN: Actor = { kind: 'team', id: 'alan', role: 'admin' };

describe.each(deskStoreBackends())('API tokens on $name', (backend) => {
  let database: DeskStoreDatabase;
  let clock: ReturnType<typeof movableClock>;
  let tokens: ApiTokenStore;

  beforeEach(async () => {
    database = await backend.create();
    clock = movableClock('2025-06-02T15:00:00Z');
    tokens = apiTokenStore(database.store, clock);
  });
  afterEach(async () => {
    await database.dispose();
  });

  it('creates a random token, shown once and stored only as its SHA-256', async () => {
    const { token, secret } = await tokens.create({ name: 'ci-release', role: 'responder' }, ALAN);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(token).toEqual({ id: token.id, name: 'ci-release', role: 'responder', createdAt: '2025-06-02T15:00:00.000Z', createdBy: 'alan' });
    const rows = await database.queryRaw('SELECT * FROM api_tokens');
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(rows[0]?.['token_hash']).toBe(hashApiToken(secret));
    const other = await tokens.create({ name: 'ci-other', role: 'observer' }, ALAN);
    expect(other.secret).not.toBe(secret);
  });

  it('verifies a token, recording its last use, until it is revoked', async () => {
    const { token, secret } = await tokens.create({ name: 'ci', role: 'observer' }, ALAN);
    clock.set('2025-06-05T08:00:00Z');
    expect(await tokens.verify(secret)).toEqual({ ...token, lastUsedAt: '2025-06-05T08:00:00.000Z' });
    expect(apiTokenActor(token)).toEqual({ kind: 'team', id: 'token:ci', role: 'observer' });
    clock.set('2025-06-06T08:00:00Z');
    const revoked = await tokens.revoke(token.id, ALAN);
    expect(revoked.revokedAt).toBe('2025-06-06T08:00:00.000Z');
    expect(await tokens.verify(secret)).toBeUndefined();
    expect(await tokens.list()).toEqual([revoked]);
  });

  it.each([
    { name: 'an empty string', secret: '' },
    { name: 'a hash of a real token', secret: 'HASH' },
    { name: 'a token of the right shape never issued', secret: 'x'.repeat(43) },
    { name: 'a longer string', secret: 'SECRETextra' },
  ])('verifies nothing for $name', async ({ secret }) => {
    const created = await tokens.create({ name: 'ci', role: 'admin' }, ALAN);
    const attempt = secret.replace('HASH', hashApiToken(created.secret)).replace('SECRET', created.secret);
    expect(await tokens.verify(attempt)).toBeUndefined();
  });

  it('keeps one active token per name; a revoked name may be used again', async () => {
    const first = await tokens.create({ name: 'ci', role: 'admin' }, ALAN);
    await expect(tokens.create({ name: 'ci', role: 'observer' }, ALAN)).rejects.toThrow(DeskConflictError);
    await tokens.revoke(first.token.id, ALAN);
    const second = await tokens.create({ name: 'ci', role: 'observer' }, ALAN);
    expect(second.token.id).not.toBe(first.token.id);
    expect((await tokens.list()).map((token) => [token.name, token.role, token.revokedAt === undefined])).toEqual([
      ['ci', 'admin', false],
      ['ci', 'observer', true],
    ]);
  });

  it('refuses a bad name or role, an unknown id and a second revocation', async () => {
    await expect(tokens.create({ name: 'has space', role: 'admin' }, ALAN)).rejects.toThrow(UsageError);
    await expect(tokens.create({ name: '', role: 'admin' }, ALAN)).rejects.toThrow(UsageError);
    await expect(tokens.create({ name: 'ci', role: 'root' }, ALAN)).rejects.toThrow(/invalid role "root"/);
    await expect(tokens.revoke(99, ALAN)).rejects.toThrow(DeskNotFoundError);
    const { token } = await tokens.create({ name: 'ci', role: 'admin' }, ALAN);
    await tokens.revoke(token.id, ALAN);
    await expect(tokens.revoke(token.id, ALAN)).rejects.toThrow(DeskConflictError);
    expect(await tokens.list()).toHaveLength(1);
  });

  it('writes creation and revocation to the audit log, never the token', async () => {
    const { token, secret } = await tokens.create({ name: 'ci', role: 'responder' }, ALAN);
    await tokens.revoke(token.id, ALAN);
    const log = await database.store.readAudit();
    expect(log.map((event) => [event.action, event.subject, event.actor.id, event.detail])).toEqual([
      ['api-token.create', `api-token:${token.id}`, 'alan', { name: 'ci', role: 'responder' }],
      ['api-token.revoke', `api-token:${token.id}`, 'alan', { name: 'ci' }],
    ]);
    expect(JSON.stringify(log)).not.toContain(secret);
  });

  it('keeps tokens across a restart of the store', async () => {
    const { secret } = await tokens.create({ name: 'ci', role: 'admin' }, ALAN);
    const reopened = apiTokenStore(await database.reopen(), clock);
    expect((await reopened.verify(secret))?.name).toBe('ci');
  });
});

describe('API tokens on a store that is not a desk database', () => {
  it('are refused at once, not on the first request', () => {
    // A store that merely looks like one (a test double, a wrapper) has no tables to keep tokens in.
    const lookalike = { dialect: 'sqlite' } as unknown as DeskStore;
    expect(() => apiTokenStore(lookalike)).toThrow(InternalError);
  });
});
