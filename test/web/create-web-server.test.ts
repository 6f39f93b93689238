import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWebServer, type TestWebServer } from './web-server-fixtures.js';

/** `name=value` of the session cookie a response set. */
function sessionCookie(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((candidate) => candidate.name.endsWith('vigil-test'));
  if (cookie === undefined) throw new Error(`no session cookie in ${JSON.stringify(response.headers['set-cookie'])}`);
  return `${cookie.name}=${cookie.value}`;
}

/** A session with its CSRF token, from service one's form. */
async function openForm(web: TestWebServer): Promise<{ cookie: string; token: string }> {
  const form = await web.app.inject({ method: 'GET', url: '/one/form' });
  expect(form.statusCode).toBe(200);
  return { cookie: sessionCookie(form), token: form.body };
}

describe('a server of two services', () => {
  let web: TestWebServer;
  beforeEach(async () => {
    web = await startWebServer();
  });
  afterEach(async () => {
    await web.app.close();
  });

  it("shares one session: a log-in through one service is seen by the other; rows are keyed by the id's hash", async () => {
    const { cookie, token } = await openForm(web);
    const login = await web.app.inject({ method: 'POST', url: '/one/login', headers: { cookie }, payload: { _csrf: token } });
    expect(login.statusCode, login.body).toBe(200);
    expect((await web.app.inject({ method: 'GET', url: '/two/whoami', headers: { cookie } })).body).toBe('alan');
    expect((await web.app.inject({ method: 'GET', url: '/two/whoami' })).body).toBe('nobody');
    // The cookie is `<id>.<signature>`; the table never holds the id.
    const id = decodeURIComponent(cookie.split('=')[1] ?? '').replace(/\.[^.]*$/, '');
    expect(id.length).toBeGreaterThan(20);
    expect([...web.sessions.rows.keys()].every((key) => /^[0-9a-f]{64}$/.test(key))).toBe(true);
    expect(JSON.stringify([...web.sessions.rows])).not.toContain(id);
  });

  it.each([
    { name: 'no token', url: '/two/change', token: false },
    { name: 'no token (the other service)', url: '/one/login', token: false },
  ])('refuses a form post with $name (403, nothing run)', async ({ url }) => {
    const { cookie } = await openForm(web);
    const answer = await web.app.inject({ method: 'POST', url, headers: { cookie }, payload: { field: 'x' } });
    expect(answer.statusCode).toBe(403);
    expect(answer.body).toContain('Form expired');
    expect((await web.app.inject({ method: 'GET', url: '/two/whoami', headers: { cookie } })).body).toBe('nobody');
  });

  it("takes one session's token in the other service's form, as a field or the x-csrf-token header", async () => {
    const { cookie, token } = await openForm(web);
    expect((await web.app.inject({ method: 'POST', url: '/two/change', headers: { cookie }, payload: { _csrf: token } })).body).toBe('changed');
    expect((await web.app.inject({ method: 'POST', url: '/two/change', headers: { cookie, 'x-csrf-token': token }, payload: {} })).body).toBe('changed');
    // A token of another session is no token.
    const other = await openForm(web);
    expect((await web.app.inject({ method: 'POST', url: '/two/change', headers: { cookie }, payload: { _csrf: other.token } })).statusCode).toBe(403);
  });

  it('keeps sessions, cookies, CSRF and form parsers away from an API beside the site', async () => {
    const { cookie } = await openForm(web);
    const json = await web.app.inject({ method: 'POST', url: '/api/two/echo', headers: { cookie, 'content-type': 'application/json' }, payload: '{"a":1}' });
    expect(json.statusCode, json.body).toBe(200);
    expect(json.json()).toEqual({ sawCookie: true, hasSession: false, body: { a: 1 } });
    expect(json.headers['set-cookie']).toBeUndefined();
    // No urlencoded parser there: a browser form cannot post to the API.
    const form = await web.app.inject({ method: 'POST', url: '/api/two/echo', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=1' });
    expect(form.statusCode).toBe(415);
  });

  it('sends the security headers and no-store on every page, no HSTS without TLS', async () => {
    const answer = await web.app.inject({ method: 'GET', url: '/two/whoami' });
    expect(answer.headers['content-security-policy']).toContain("default-src 'self'");
    expect(answer.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(answer.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(answer.headers['x-frame-options']).toBe('DENY');
    expect(answer.headers['referrer-policy']).toBe('no-referrer');
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['strict-transport-security']).toBeUndefined();
  });

  it('answers a fault with 500 and the fault sentence, logged as an error; the detail never reaches the page', async () => {
    const answer = await web.app.inject({ method: 'GET', url: '/one/boom' });
    expect(answer.statusCode).toBe(500);
    expect(answer.body).toContain('The server could not do this. The error was logged.');
    expect(answer.body).not.toContain('internal detail');
    expect(answer.body).not.toContain('/srv/secret');
    const errors = web.logLines().filter((line) => line['level'] === 50);
    expect(errors).toHaveLength(1);
    expect(JSON.stringify(errors[0])).toContain('internal detail');
  });

  it("answers a client's mistake with 4xx and a short escaped reason, logged at info without a stack", async () => {
    const answer = await web.app.inject({ method: 'GET', url: '/one/refuse' });
    expect(answer.statusCode).toBe(400);
    expect(answer.body).toContain('the field &quot;name&quot; is &lt;empty&gt;');
    const lines = web.logLines();
    expect(lines.filter((line) => Number(line['level']) >= 40)).toEqual([]);
    const refused = lines.filter((line) => line['msg'] === 'request refused');
    expect(refused).toHaveLength(1);
    expect(JSON.stringify(refused[0])).not.toContain('stack');
    const missing = await web.app.inject({ method: 'GET', url: '/nowhere' });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('There is no page here.');
  });

  it('refuses a malformed multipart body with 400, not a fault', async () => {
    const { cookie, token } = await openForm(web);
    const answer = await web.app.inject({
      method: 'POST',
      url: '/two/change',
      headers: { cookie, 'x-csrf-token': token, 'content-type': 'multipart/form-data; boundary=xyz' },
      payload: '--xyz\r\nthis is not a part',
    });
    expect(answer.statusCode).toBe(400);
    expect(web.logLines().filter((line) => line['level'] === 50)).toEqual([]);
  });

  it("counts a route's own rate limit before the CSRF check: 429 with Retry-After", async () => {
    const first = await web.app.inject({ method: 'POST', url: '/one/limited', payload: {} });
    expect(first.statusCode).toBe(403);
    const second = await web.app.inject({ method: 'POST', url: '/one/limited', payload: {} });
    expect(second.statusCode).toBe(429);
    expect(Number(second.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(second.body).toContain('Too many requests');
  });
});

describe('a server behind TLS', () => {
  it('names the cookie __Host-, marks it Secure and sends HSTS', async () => {
    // A Secure cookie is set only on https, here as a trusted proxy in front says.
    const web = await startWebServer({ secureCookies: true, trustProxy: ['127.0.0.1'] });
    try {
      const form = await web.app.inject({ method: 'GET', url: '/one/form', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-proto': 'https' } });
      const cookie = form.cookies.find((candidate) => candidate.name === '__Host-vigil-test');
      expect(cookie?.secure).toBe(true);
      expect(cookie?.httpOnly).toBe(true);
      expect(cookie?.path).toBe('/');
      expect(form.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expect(form.headers['content-security-policy']).toContain('upgrade-insecure-requests');
    } finally {
      await web.app.close();
    }
  });
});

describe('the global rate limit', () => {
  it('answers 429 with Retry-After beyond it, on every service', async () => {
    const web = await startWebServer({ globalRateLimit: { max: 3, timeWindowMs: 60_000 } });
    try {
      const statuses: number[] = [];
      for (const url of ['/one/ip', '/two/whoami', '/one/ip', '/two/whoami']) statuses.push((await web.app.inject({ method: 'GET', url })).statusCode);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const limited = await web.app.inject({ method: 'POST', url: '/api/two/echo', headers: { 'content-type': 'application/json' }, payload: '{}' });
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    } finally {
      await web.app.close();
    }
  });
});
