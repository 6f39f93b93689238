import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { parseTrustedProxies, type TrustedProxies } from '../../../src/desk/web/create-desk-server.js';
import { deskStoreBackends } from '../../helpers/desk-store-backends.js';
import { Browser, startWebDesk } from './web-fixtures.js';

describe('parseTrustedProxies', () => {
  it.each([
    { text: '1', want: 1 },
    { text: ' 2 ', want: 2 },
    { text: '127.0.0.1', want: ['127.0.0.1'] },
    { text: '10.0.0.0/8, 192.0.2.1', want: ['10.0.0.0/8', '192.0.2.1'] },
    { text: '::1,fd00::/8,loopback', want: ['::1', 'fd00::/8', 'loopback'] },
  ])('reads "$text"', ({ text, want }) => {
    expect(parseTrustedProxies(text)).toEqual(want);
  });

  it.each([
    { text: 'true', message: /trusting every proxy hop/ },
    { text: 'ALL', message: /trusting every proxy hop/ },
    { text: '*', message: /trusting every proxy hop/ },
    { text: '0', message: /a hop count is 1 to 20/ },
    { text: '21', message: /a hop count is 1 to 20/ },
    { text: '0.0.0.0/0', message: /is every address/ },
    { text: '::/0', message: /is every address/ },
    { text: '10.0.0.0/33', message: /invalid prefix length/ },
    { text: '10.0.0.1,', message: /an empty entry/ },
    { text: 'localhost', message: /is not an IP address/ },
  ])('refuses "$text"', ({ text, message }) => {
    expect(() => parseTrustedProxies(text)).toThrow(UsageError);
    expect(() => parseTrustedProxies(text)).toThrow(message);
  });
});

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
