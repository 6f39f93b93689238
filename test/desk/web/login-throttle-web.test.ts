import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LoginThrottleSettings } from '../../../src/desk/config/desk-config.js';
import { deskStoreBackends } from '../../helpers/desk-store-backends.js';
import { Browser, PASSWORD, startWebDesk, type WebDesk } from './web-fixtures.js';

// The console's log-in throttle through the real routes, on each store: the clock is the test's.

/** 3 free failures per account, then 10 s, 20 s, 40 s ... up to 1 minute; 5 free per address, then 10 s up to 20 s. */
const SETTINGS: LoginThrottleSettings = {
  account: { freeFailures: 3, baseDelayMs: 10_000, maxDelayMs: 60_000, forgetAfterMs: 3_600_000 },
  address: { freeFailures: 5, baseDelayMs: 10_000, maxDelayMs: 20_000, forgetAfterMs: 900_000 },
  knownPairMs: 30 * 86_400_000,
  maxEntries: 10_000,
};

describe.each(deskStoreBackends())('console log-in throttling on $name', (backend) => {
  let web: WebDesk;

  beforeEach(async () => {
    web = await startWebDesk(backend, { trustProxy: 1, loginThrottle: SETTINGS });
  });
  afterEach(async () => {
    await web.dispose();
  });

  /** A browser behind the trusted proxy, its X-Forwarded-For chosen per request by the attacker. */
  async function attempt(forwardedFor: string, login: string, password: string) {
    const browser = new Browser(web.app, { headers: { 'x-forwarded-for': forwardedFor } });
    return browser.submit('/team/login', '/team/login', { login, password });
  }

  it('rotating X-Forwarded-For still meets the account limit: 429 with Retry-After, the password unchecked', async () => {
    const statuses: number[] = [];
    for (let n = 1; n <= 4; n++) statuses.push((await attempt(`198.51.100.${n}`, 'rita', `wrong guess ${n}`)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401]);
    // The fourth failure is one beyond the free three: 10 s.
    const held = await attempt('198.51.100.5', 'rita', PASSWORD);
    expect(held.statusCode).toBe(429);
    expect(held.headers['retry-after']).toBe('10');
    expect(held.body).toContain('Too many failed log-ins for this account. Wait 10 seconds');
    web.clock.set('2025-06-02T15:00:04Z');
    expect((await attempt('198.51.100.6', 'rita', PASSWORD)).headers['retry-after']).toBe('6');
    // Once the wait is over the right password gets in.
    web.clock.set('2025-06-02T15:00:10Z');
    const owner = await attempt('198.51.100.7', 'rita', PASSWORD);
    expect(owner.statusCode).toBe(303);
    expect(owner.headers.location).toBe('/team');
  });

  it('an attacker behind an office NAT does not keep a colleague out', async () => {
    const nat = '203.0.113.50';
    // Six wrong passwords over three accounts from the office address: one beyond its five free.
    for (const login of ['alan', 'alan', 'otto', 'otto', 'nobody', 'nobody']) {
      expect((await attempt(nat, login, 'a wrong password')).statusCode).toBe(401);
    }
    // The guesser's next try from there waits...
    const guesser = await attempt(nat, 'otto', 'another wrong password');
    expect(guesser.statusCode).toBe(429);
    expect(guesser.body).toContain('Too many failed log-ins for your address');
    // ... while rita, who has not failed from that address, logs in at once.
    expect((await attempt(nat, 'rita', PASSWORD)).statusCode).toBe(303);
  });

  it('writes each failed log-in to the audit log, with the address and the counts', async () => {
    await attempt('198.51.100.20', 'Rita', 'wrong one');
    await attempt('198.51.100.21', 'no such user', 'wrong two');
    await attempt('198.51.100.22', 'rita', PASSWORD);
    const failed = (await web.desk.store.readAudit()).filter((event) => event.action === 'login.failed');
    expect(failed.map((event) => ({ subject: event.subject, detail: event.detail, actor: event.actor }))).toEqual([
      { subject: 'user:rita', detail: { address: '198.51.100.20', accountFailures: 1, addressFailures: 1 }, actor: { kind: 'system', id: 'console-login' } },
      {
        subject: 'user:(not a valid login)',
        detail: { address: '198.51.100.21', accountFailures: 1, addressFailures: 1 },
        actor: { kind: 'system', id: 'console-login' },
      },
    ]);
    // A throttled attempt is answered without a password check, and adds no row.
    for (let n = 0; n < 4; n++) await attempt('198.51.100.23', 'otto', `wrong ${n}`);
    const before = (await web.desk.store.readAudit()).length;
    expect((await attempt('198.51.100.24', 'otto', 'wrong again')).statusCode).toBe(429);
    expect((await web.desk.store.readAudit()).length).toBe(before);
    const last = (await web.desk.store.readAudit()).filter((event) => event.action === 'login.failed').at(-1);
    // Four failures, three free: the next waits 10 s.
    expect(last?.detail).toEqual({ address: '198.51.100.23', accountFailures: 4, addressFailures: 4, nextWaitSeconds: 10 });
  });
});
