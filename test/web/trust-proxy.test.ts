import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { fastifyTrustProxy, parseTrustedProxies, type TrustedProxies } from '../../src/web/trust-proxy.js';
import { startWebServer } from './web-server-fixtures.js';

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

describe('the client address behind trusted proxies', () => {
  // X-Forwarded-For "client, proxy1" arriving from the socket peer 127.0.0.1: each setting names
  // who the client is (proxy-addr's reading: hops are trusted from the socket outwards).
  it.each<{ name: string; trust: TrustedProxies | undefined; want: string }>([
    { name: 'no proxy trusted', trust: undefined, want: '127.0.0.1' },
    { name: 'one hop', trust: 1, want: '203.0.113.9' },
    { name: 'two hops', trust: 2, want: '198.51.100.1' },
    { name: 'the proxy by address', trust: ['127.0.0.1'], want: '203.0.113.9' },
    { name: 'both proxies by address', trust: ['127.0.0.1', '203.0.113.0/24'], want: '198.51.100.1' },
  ])('$name: $want', async ({ trust, want }) => {
    const web = await startWebServer(trust === undefined ? {} : { trustProxy: trust });
    try {
      const answer = await web.app.inject({ method: 'GET', url: '/one/ip', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' } });
      expect(answer.body).toBe(want);
    } finally {
      await web.app.close();
    }
  });

  it.each<{ name: string; trust: unknown }>([
    { name: 'true', trust: true },
    { name: 'an empty list', trust: [] },
    { name: 'every address', trust: ['0.0.0.0/0'] },
    { name: 'a hop count of 0', trust: 0 },
    { name: 'a list with a number', trust: [1] },
  ])('refuses $name from a library caller', ({ trust }) => {
    expect(() => fastifyTrustProxy(trust as TrustedProxies)).toThrow(UsageError);
  });
});
