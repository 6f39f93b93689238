import type { Session } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeskConflictError, UsageError } from '../../../src/core/errors.js';
import { DeskSessionStore } from '../../../src/desk/web/session-store.js';
import { addDeskUser, authenticateDeskUser, findDeskUser, listDeskUsers } from '../../../src/desk/web/users.js';
import { deskStoreBackends, type DeskStoreDatabase } from '../../helpers/desk-store-backends.js';
import { movableClock } from './web-fixtures.js';

const BY = { kind: 'system', id: 'test' } as const;

const HOUR = 3_600_000;

/**
 * A session whose cookie lives `maxAgeMs`; its `expires` is set from the real clock as
 * @fastify/session does, so the store must count the expiry on its own (injected) clock.
 */
function session(data: Record<string, unknown>, maxAgeMs: number): Session {
  return { cookie: { originalMaxAge: maxAgeMs, expires: new Date(Date.now() + maxAgeMs) }, ...data };
}

function call<T>(run: (callback: (error: unknown, value?: T) => void) => void): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    run((error, value) => {
      if (error) reject(error instanceof Error ? error : new Error('session store failed', { cause: error }));
      else resolve(value);
    });
  });
}

describe.each(deskStoreBackends())('console users and sessions on $name', (backend) => {
  let database: DeskStoreDatabase;
  const clock = movableClock('2025-06-02T15:00:00Z');

  beforeEach(async () => {
    database = await backend.create();
    clock.set('2025-06-02T15:00:00Z');
  });
  afterEach(async () => {
    await database.dispose();
  });

  it('adds users with hashed passwords and an audit line, and authenticates only the right password', async () => {
    const added = await addDeskUser(database.store, { login: 'Rita', role: 'responder', password: 'a long enough password' }, clock, BY);
    expect(added).toMatchObject({ login: 'rita', role: 'responder', createdAt: '2025-06-02T15:00:00.000Z' });
    expect(await findDeskUser(database.store, 'rita')).toEqual(added);
    expect(await listDeskUsers(database.store)).toEqual([added]);
    expect(await authenticateDeskUser(database.store, ' RITA ', 'a long enough password')).toEqual(added);
    expect(await authenticateDeskUser(database.store, 'rita', 'a long enough passwort')).toBeUndefined();
    expect(await authenticateDeskUser(database.store, 'nobody', 'a long enough password')).toBeUndefined();
    const [row] = await database.queryRaw('SELECT password_hash FROM users');
    expect(String(row?.['password_hash'])).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(String(row?.['password_hash'])).not.toContain('a long enough password');
    const audit = await database.store.readAudit();
    expect(audit.map((event) => [event.action, event.subject, event.detail])).toEqual([['user.add', 'user:rita', { role: 'responder' }]]);
  });

  it.each([
    { name: 'a login with a space', user: { login: 'ri ta', role: 'admin', password: 'a long enough password' } },
    { name: 'an unknown role', user: { login: 'rita', role: 'root', password: 'a long enough password' } },
    { name: 'a short password', user: { login: 'rita', role: 'admin', password: 'short' } },
  ])('refuses $name', async ({ user }) => {
    await expect(addDeskUser(database.store, user, clock, BY)).rejects.toThrow(UsageError);
    expect(await listDeskUsers(database.store)).toEqual([]);
  });

  it('refuses a second user with the same login', async () => {
    await addDeskUser(database.store, { login: 'rita', role: 'admin', password: 'a long enough password' }, clock, BY);
    await expect(addDeskUser(database.store, { login: 'rita', role: 'observer', password: 'another long password' }, clock, BY)).rejects.toThrow(DeskConflictError);
  });

  it('gives a user whose stored role is unknown no more than an observer', async () => {
    await addDeskUser(database.store, { login: 'rita', role: 'admin', password: 'a long enough password' }, clock, BY);
    await database.queryRaw("UPDATE users SET role = 'superuser'");
    expect((await findDeskUser(database.store, 'rita'))?.role).toBe('observer');
  });

  it('keeps sessions under a hash of their id, hands back none expired, and purges them', async () => {
    const store = new DeskSessionStore(database.store, { clock });
    await call((done) => {
      store.set('session-one', session({ login: 'rita' }, 8 * HOUR), done);
    });
    await call((done) => {
      store.set('session-two', session({ login: 'alan' }, HOUR), done);
    });
    // Saving again replaces the row.
    await call((done) => {
      store.set('session-one', session({ login: 'rita', flash: { kind: 'notice', text: 'hi' } }, 8 * HOUR), done);
    });
    const rows = await database.queryRaw('SELECT id_hash, expires_at FROM sessions ORDER BY expires_at');
    expect(rows.map((row) => row['expires_at'])).toEqual(['2025-06-02T16:00:00.000Z', '2025-06-02T23:00:00.000Z']);
    expect(JSON.stringify(rows)).not.toContain('session-one');
    expect(await call<Session | null>((done) => { store.get('session-one', done); })).toMatchObject({ login: 'rita', flash: { text: 'hi' } });

    clock.set('2025-06-02T17:00:00Z');
    expect(await call<Session | null>((done) => { store.get('session-two', done); })).toBeNull();
    expect(await store.purgeExpired()).toBe(1);
    await call((done) => {
      store.destroy('session-one', done);
    });
    expect(await call<Session | null>((done) => { store.get('session-one', done); })).toBeNull();
    expect(await database.queryRaw('SELECT id_hash FROM sessions')).toEqual([]);
  });
});
