import { describe, expect, it } from 'vitest';
import type { TrustedProxies } from '../../../src/web/trust-proxy.js';
import { deskStoreBackends } from '../../helpers/desk-store-backends.js';
import { Browser, startWebDesk } from './web-fixtures.js';

describe.each(deskStoreBackends().slice(0, 1))('the client address behind trusted proxies ($name)', (backend) => {
  // X-Forwarded-For "client, proxy1" arriving from the socket peer 127.0.0.1: each setting names
  // who the client is (proxy-addr's reading: hops are trusted from the socket outwards).
  it.each<{ name: string; trust: TrustedProxies | undefined; want: string }>([
    { name: 'no proxy trusted', trust: undefined, want: '127.0.0.1' },
    { name: 'one hop', trust: 1, want: '203.0.113.9' },
    { name: 'two hops', trust: 2, want: '198.51.100.1' },
    { name: 'the proxy by address', trust: ['127.0.0.1'], want: '203.0.113.9' },
    { name: 'both proxies by address', trust: ['127.0.0.1', '203.0.113.0/24'], want: '198.51.100.1' },
  ])('$name: $want', async ({ trust, want }) => {
    const web = await startWebDesk(backend, trust === undefined ? {} : { trustProxy: trust });
    try {
      // The address a failed log-in is audited with is the one the desk took for the client's.
      const browser = new Browser(web.app, { remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' } });
      expect((await browser.logIn('rita', 'not the password')).statusCode).toBe(401);
      const failed = (await web.desk.store.readAudit()).filter((event) => event.action === 'login.failed');
      expect(failed.map((event) => event.detail['address'])).toEqual([want]);
    } finally {
      await web.dispose();
    }
  });

  it('refuses trustProxy true from a library caller', async () => {
    await expect(startWebDesk(backend, { trustProxy: true as unknown as TrustedProxies })).rejects.toThrow(/never every hop/);
  });
});
