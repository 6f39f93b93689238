import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeskConflictError, DeskNotFoundError, InternalError, UsageError } from '../../../src/core/errors.js';
import { deskApiTokenRecords } from '../../../src/desk/store/api-token-records.js';
import type { DeskStore } from '../../../src/desk/store/desk-store.js';
import { DESK_MIGRATIONS, deskMigrationProvider } from '../../../src/desk/store/migrations.js';
import { DESK_APPLICATION_ID, openDeskStore } from '../../../src/desk/store/open-desk-store.js';
import type { Actor } from '../../../src/desk/types.js';
import { apiTokenActor, apiTokenStore, hashApiToken, type ApiTokenStore } from '../../../src/desk/web/api/api-token-store.js';
import { createApiTokenStore, projectScope, type ApiTokenStore as ServiceTokenStore } from '../../../src/web/api/api-token-store.js';
import { deskStoreBackends, type DeskStoreDatabase } from '../../helpers/desk-store-backends.js';
import { movableClock } from '../movable-clock.js';

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
    expect(token).toEqual({ id: token.id, name: 'ci-release', role: 'responder', scope: 'desk', createdAt: '2025-06-02T15:00:00.000Z', createdBy: 'alan' });
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

  describe('scopes', () => {
    // A second service over the same table, as the monitor will have: its own roles, its own scopes.
    let monitor: ServiceTokenStore<'push', Actor>;
    beforeEach(() => {
      monitor = createApiTokenStore(deskApiTokenRecords(database.store), { service: 'monitor', roles: ['push'], clock });
    });

    it('gives a desk token the scope desk, in the row too', async () => {
      const { token } = await tokens.create({ name: 'ci', role: 'admin' }, ALAN);
      expect(token.scope).toBe('desk');
      expect((await database.queryRaw('SELECT scope FROM api_tokens'))[0]?.['scope']).toBe('desk');
    });

    it('keeps a project push token of another service out of the desk: not listed, verified or revoked there', async () => {
      const desk = await tokens.create({ name: 'ci', role: 'admin' }, ALAN);
      const push = await monitor.create({ name: 'push-web', role: 'push', scope: projectScope('monitor', 'web') }, ALAN);
      expect(push.token.scope).toBe('monitor:project:web');
      clock.set('2025-06-03T10:00:00Z');
      expect(await tokens.verify(push.secret)).toBeUndefined();
      expect(await monitor.verify(desk.secret)).toBeUndefined();
      // The refused token's last use is not recorded: it authenticated nothing.
      const rows = await database.queryRaw('SELECT name, last_used_at FROM api_tokens ORDER BY id');
      expect(rows.map((row) => [row['name'], row['last_used_at']])).toEqual([
        ['ci', null],
        ['push-web', null],
      ]);
      expect((await tokens.list()).map((token) => token.name)).toEqual(['ci']);
      expect((await monitor.list()).map((token) => token.name)).toEqual(['push-web']);
      await expect(tokens.revoke(push.token.id, ALAN)).rejects.toThrow(DeskNotFoundError);
      expect((await monitor.verify(push.secret))?.lastUsedAt).toBe('2025-06-03T10:00:00.000Z');
    });

    it('names a narrower scope in the audit line; a whole-service token keeps the line it had', async () => {
      const push = await monitor.create({ name: 'push-web', role: 'push', scope: 'monitor:project:web' }, ALAN);
      const whole = await monitor.create({ name: 'push-all', role: 'push' }, ALAN);
      const log = await database.store.readAudit();
      expect(log.map((event) => [event.subject, event.detail])).toEqual([
        [`api-token:${push.token.id}`, { name: 'push-web', role: 'push', scope: 'monitor:project:web' }],
        [`api-token:${whole.token.id}`, { name: 'push-all', role: 'push' }],
      ]);
    });

    it('shares one name space of active names between the services', async () => {
      await tokens.create({ name: 'ci', role: 'admin' }, ALAN);
      await expect(monitor.create({ name: 'ci', role: 'push', scope: 'monitor:project:web' }, ALAN)).rejects.toThrow(DeskConflictError);
    });

    it.each([
      { scope: 'monitor:project:web', why: "another service's scope" },
      { scope: 'monitor', why: 'another service' },
      { scope: 'desk:', why: 'an empty rest' },
      { scope: 'desk:project:', why: 'an empty project name' },
      { scope: 'Desk', why: 'an upper-case service' },
      { scope: 'desk:project:a b', why: 'a space in the name' },
      { scope: 'desk:project:web:extra', why: 'a fourth part' },
      { scope: `desk:project:${'a'.repeat(129)}`, why: 'a name of 129 characters' },
    ])('refuses the scope "$scope" for a desk token ($why), storing nothing', async ({ scope }) => {
      await expect(tokens.create({ name: 'ci', role: 'admin', scope }, ALAN)).rejects.toThrow(UsageError);
      expect(await database.queryRaw('SELECT id FROM api_tokens')).toEqual([]);
    });

    it('fails closed on a stored scope that is no scope of the service', async () => {
      const { token, secret } = await tokens.create({ name: 'ci', role: 'admin' }, ALAN);
      // A row tampered with (or written by a newer vigil) that still matches the desk's prefix.
      await database.queryRaw(`UPDATE api_tokens SET scope = 'desk:' WHERE id = ${token.id}`);
      await expect(tokens.verify(secret)).rejects.toThrow(InternalError);
      await expect(tokens.list()).rejects.toThrow(InternalError);
    });
  });
});

describe('projectScope', () => {
  it.each([
    { service: 'monitor', project: 'web', want: 'monitor:project:web' },
    { service: 'monitor', project: 'Django_4.2-lts', want: 'monitor:project:Django_4.2-lts' },
  ])('scopes $project of $service', ({ service, project, want }) => {
    expect(projectScope(service, project)).toBe(want);
  });

  it.each([
    { service: 'monitor', project: '' },
    { service: 'monitor', project: '-web' },
    { service: 'monitor', project: 'a:b' },
    { service: 'monitor', project: 'web\u202e' },
    { service: 'Monitor', project: 'web' },
    { service: 'monitor', project: 'x'.repeat(129) },
  ])('refuses "$project" of "$service"', ({ service, project }) => {
    expect(() => projectScope(service, project)).toThrow(UsageError);
  });
});

describe('API tokens made before scopes (migration 0007-api-token-scope)', () => {
  it('open the desk as before: an existing token reads and verifies with the scope desk', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-tokens-old-'));
    try {
      const file = path.join(dir, 'desk.db');
      const raw = new Database(file);
      raw.pragma(`application_id = ${DESK_APPLICATION_ID}`);
      const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: raw }) });
      const migrator = new Migrator({
        db,
        provider: deskMigrationProvider('sqlite', DESK_MIGRATIONS.filter((migration) => migration.name < '0007')),
        migrationTableName: 'desk_migration',
        migrationLockTableName: 'desk_migration_lock',
      });
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const secret = 'A'.repeat(43);
      raw
        .prepare('INSERT INTO api_tokens (name, role, token_hash, created_at, created_by) VALUES (?, ?, ?, ?, ?)')
        .run('old-ci', 'responder', hashApiToken(secret), '2025-01-01T00:00:00.000Z', 'alan');
      await db.destroy();

      const store = await openDeskStore({ sqlitePath: file });
      try {
        const verified = await apiTokenStore(store, movableClock('2025-06-02T15:00:00Z')).verify(secret);
        expect(verified).toEqual({
          id: verified?.id,
          name: 'old-ci',
          role: 'responder',
          scope: 'desk',
          createdAt: '2025-01-01T00:00:00.000Z',
          createdBy: 'alan',
          lastUsedAt: '2025-06-02T15:00:00.000Z',
        });
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('API tokens on a store that is not a desk database', () => {
  it('are refused at once, not on the first request', () => {
    // A store that merely looks like one (a test double, a wrapper) has no tables to keep tokens in.
    const lookalike = { dialect: 'sqlite' } as unknown as DeskStore;
    expect(() => apiTokenStore(lookalike)).toThrow(InternalError);
  });
});
