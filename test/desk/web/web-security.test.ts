import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiTokenStore } from '../../../src/desk/web/api/api-token-store.js';
import { deskStoreBackends } from '../../helpers/desk-store-backends.js';
import { SUBMISSION } from '../desk-fixtures.js';
import { Browser, markedSubmission, reportFormFields, startWebDesk, trackingPathIn, type WebDesk } from './web-fixtures.js';

// Each test names the protection it proves; each fails when that protection is taken out.

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

async function submitThroughForm(browser: Browser, fields: Record<string, string>, files: Parameters<Browser['postMultipart']>[2] = []) {
  const token = await browser.csrf('/report');
  return browser.postMultipart('/report', { ...fields, _csrf: token }, files);
}

describe.each(deskStoreBackends())('desk web security on $name', (backend) => {
  let web: WebDesk;

  beforeEach(async () => {
    web = await startWebDesk(backend);
  });
  afterEach(async () => {
    await web.dispose();
  });

  it('a tracking token opens only its own report; a made-up or malformed token is 404', async () => {
    const reporterA = new Browser(web.app, { remoteAddress: '10.0.0.1' });
    const reporterB = new Browser(web.app, { remoteAddress: '10.0.0.2' });
    const receiptA = await submitThroughForm(reporterA, reportFormFields(markedSubmission('ALPHA-7f3a')));
    const receiptB = await submitThroughForm(reporterB, reportFormFields(markedSubmission('BRAVO-91c2')));
    const pathA = trackingPathIn(receiptA.body);
    const pathB = trackingPathIn(receiptB.body);

    const pageA = await reporterA.get(pathA);
    expect(pageA.statusCode).toBe(200);
    expect(pageA.body).toContain('ALPHA-7f3a description');
    expect(pageA.body).not.toContain('BRAVO-91c2');
    const pageB = await reporterB.get(pathB);
    expect(pageB.body).toContain('BRAVO-91c2 description');
    expect(pageB.body).not.toContain('ALPHA-7f3a');

    for (const path of ['/track/' + 'A'.repeat(43), `${pathA.slice(0, -1)}${pathA.endsWith('A') ? 'B' : 'A'}`, '/track/short', '/track/1']) {
      const page = await reporterA.get(path);
      expect(page.statusCode, path).toBe(404);
      expect(page.body).not.toContain('ALPHA-7f3a');
    }
    // Writing through a made-up token reaches no report.
    const token = await reporterA.csrf(pathA);
    const forged = await reporterA.post(`/track/${'A'.repeat(43)}/messages`, { body: 'hello', _csrf: token });
    expect(forged.statusCode).toBe(404);
    expect((await web.desk.store.getReport(1))?.messages).toEqual([]);
    expect((await web.desk.store.getReport(2))?.messages).toEqual([]);
  });

  it('an observer cannot change anything: every console post is 403 and the report is unchanged', async () => {
    const { report } = await web.desk.submitReport(SUBMISSION);
    const observer = new Browser(web.app);
    expect((await observer.logIn('otto')).statusCode).toBe(303);
    const page = await observer.get(`/team/reports/${report.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain(`/actions/acknowledge`);
    const token = await observer.csrf(`/team/reports/${report.id}`);
    const posts: [string, Record<string, string>][] = [
      [`/team/reports/${report.id}/actions/acknowledge`, { note: 'observer tries' }],
      [`/team/reports/${report.id}/messages`, { body: 'observer writes' }],
      [`/team/reports/${report.id}/fixes`, { series: 'main', patch: 'abc' }],
      ['/team/notify', { organisation: 'Org', group: 'distributor', contact: 'sec@org.example', reviewOn: '2026-01-01' }],
    ];
    for (const [url, fields] of posts) {
      const refused = await observer.post(url, { ...fields, _csrf: token });
      expect(refused.statusCode, url).toBe(403);
    }
    const after = await web.desk.store.getReport(report.id);
    expect(after?.state).toBe('received');
    expect(after?.messages).toEqual([]);
    expect(await web.desk.store.listNotifyEntries()).toEqual([]);

    // The same post from a responder goes through: the refusal was the role, not the request.
    const responder = new Browser(web.app);
    await responder.logIn('rita');
    const accepted = await responder.submit(`/team/reports/${report.id}`, `/team/reports/${report.id}/actions/acknowledge`, { note: 'on it' });
    expect(accepted.statusCode).toBe(303);
    expect((await web.desk.store.getReport(report.id))?.state).toBe('acknowledged');
  });

  it('a post without a valid CSRF token is refused, and nothing happens', async () => {
    const { report } = await web.desk.submitReport(SUBMISSION);
    const responder = new Browser(web.app);
    await responder.logIn('rita');
    const acknowledge = `/team/reports/${report.id}/actions/acknowledge`;
    expect((await responder.post(acknowledge, { note: 'no token' })).statusCode).toBe(403);
    expect((await responder.post(acknowledge, { note: 'bad token', _csrf: 'not-a-token' })).statusCode).toBe(403);
    // A token from another session is no good either.
    const other = new Browser(web.app);
    const foreign = await other.csrf('/report');
    expect((await responder.post(acknowledge, { note: 'foreign token', _csrf: foreign })).statusCode).toBe(403);
    expect((await web.desk.store.getReport(report.id))?.state).toBe('received');

    // Public forms too: a report, a join request, a log-in.
    const stranger = new Browser(web.app);
    const noToken = await stranger.postMultipart('/report', reportFormFields(markedSubmission('NOCSRF')));
    expect(noToken.statusCode).toBe(403);
    expect((await stranger.post('/join', { organisation: 'X', group: 'other', contact: 'a@b.example', justification: 'x'.repeat(30), url: 'https://x.example' })).statusCode).toBe(403);
    expect((await stranger.post('/team/login', { login: 'rita', password: 'correct horse battery staple' })).statusCode).toBe(403);
    expect(await web.desk.store.countReports()).toBe(1);
    expect(await web.desk.store.listJoinRequests()).toEqual([]);
  });

  it('log-ins are throttled per account with growing delays (5 free failures, then 1 s), never locked out', async () => {
    const attacker = new Browser(web.app, { remoteAddress: '10.9.9.9' });
    const token = await attacker.csrf('/team/login');
    for (let attempt = 1; attempt <= 6; attempt++) {
      const wrong = await attacker.post('/team/login', { login: 'rita', password: `guess number ${attempt}`, _csrf: token });
      expect(wrong.statusCode, `attempt ${attempt}`).toBe(401);
    }
    // From another address too: the account waits, and no password is checked meanwhile.
    const colleague = new Browser(web.app, { remoteAddress: '10.9.9.10' });
    const held = await colleague.logIn('rita');
    expect(held.statusCode).toBe(429);
    expect(held.headers['retry-after']).toBe('1');
    expect(await colleague.get('/team')).toMatchObject({ statusCode: 303 });
    web.clock.set('2025-06-02T15:00:01Z');
    expect((await colleague.logIn('rita')).statusCode).toBe(303);
  });

  it('embargoed details appear on no public page', async () => {
    const marker = 'EMBARGO-c0ffee';
    // Two reports with the marker in every field: one through the desk, one through the form (with a file).
    await web.desk.submitReport(markedSubmission(marker));
    const insider = new Browser(web.app, { remoteAddress: '10.1.1.1' });
    const markedReceipt = await submitThroughForm(insider, reportFormFields(markedSubmission(marker)), [
      { field: 'attachments', filename: `${marker}.png`, type: 'image/png', data: PNG },
    ]);
    expect(markedReceipt.statusCode).toBe(200);
    // A team member works on it, so that assessment and messages exist too.
    const responder = new Browser(web.app);
    await responder.logIn('rita');
    await responder.submit('/team/reports/1', '/team/reports/1/messages', { body: `${marker} team message` });

    const visitor = new Browser(web.app, { remoteAddress: '10.2.2.2' });
    const receipt = await submitThroughForm(visitor, reportFormFields({ ...SUBMISSION, title: 'Unrelated report' }));
    const pages = {
      'security.txt': await visitor.get('/.well-known/security.txt'),
      policy: await visitor.get('/'),
      'report form': await visitor.get('/report'),
      receipt,
      'tracking page of another report': await visitor.get(trackingPathIn(receipt.body)),
      'join form': await visitor.get('/join'),
      'log-in page': await visitor.get('/team/login'),
      '404 page': await visitor.get(`/nothing/${marker}`),
      'console without log-in': await visitor.get('/team/reports/1'),
      'attachment without log-in': await visitor.get('/team/reports/2/attachments/1'),
    };
    for (const [name, page] of Object.entries(pages)) {
      expect(page.body, name).not.toContain(marker);
      expect(page.body, name).not.toContain('c0ffee');
    }
    expect(pages['security.txt'].statusCode).toBe(200);
    expect(pages['404 page'].statusCode).toBe(404);
    expect(pages['console without log-in'].statusCode).toBe(303);
    expect(pages['attachment without log-in'].statusCode).toBe(303);
  });

  it('refuses an oversized upload, too many files and a wrongly typed upload, storing nothing', async () => {
    const reporter = new Browser(web.app);
    const fields = reportFormFields(markedSubmission('UPLOAD'));
    const oversized = await submitThroughForm(reporter, fields, [
      { field: 'attachments', filename: 'big.txt', type: 'text/plain', data: Buffer.alloc(5 * 1024 * 1024 + 1, 0x61) },
    ]);
    expect(oversized.statusCode).toBe(413);
    const tooMany = await submitThroughForm(
      reporter,
      fields,
      Array.from({ length: 6 }, (_, index) => ({ field: 'attachments', filename: `f${index}.txt`, type: 'text/plain', data: Buffer.from('x') })),
    );
    expect(tooMany.statusCode).toBe(413);
    const disguised = await submitThroughForm(reporter, fields, [
      { field: 'attachments', filename: 'cat.png', type: 'image/png', data: Buffer.from('<html><body><script>alert(1)</script></body></html>') },
    ]);
    expect(disguised.statusCode).toBe(400);
    expect(disguised.body).toContain('says it is image/png but its content is text/plain');
    // The form comes back filled in, so the reporter loses nothing but the file.
    expect(disguised.body).toContain('UPLOAD description');
    expect(await web.desk.store.countReports()).toBe(0);

    // A real PNG goes through, and only the team gets it back, as a download.
    const accepted = await submitThroughForm(reporter, fields, [{ field: 'attachments', filename: 'shot.png', type: 'image/png', data: PNG }]);
    expect(accepted.statusCode).toBe(200);
    const team = new Browser(web.app);
    await team.logIn('otto');
    const file = await team.get('/team/reports/1/attachments/1');
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/png');
    expect(file.headers['content-disposition']).toMatch(/^attachment; filename="shot.png"/);
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(file.rawPayload.equals(PNG)).toBe(true);
  });

  it('never writes a tracking token to the request log', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logged = await startWebDesk(backend, { logger: { stream } });
    try {
      const reporter = new Browser(logged.app);
      const receipt = await submitThroughForm(reporter, reportFormFields(SUBMISSION));
      const path = trackingPathIn(receipt.body);
      const token = path.slice('/track/'.length);
      await reporter.get(path);
      await reporter.submit(path, `${path}/messages`, { body: 'more details' });
      const log = lines.join('');
      expect(log).toContain('/track/[redacted]');
      expect(log).not.toContain(token);
    } finally {
      await logged.dispose();
    }
  });
});

describe.each(deskStoreBackends())('the JSON API beside the site on $name', (backend) => {
  it('answers bearer tokens under /api/v1 with no session, cookie or CSRF token, and refuses form posts there', async () => {
    const web = await startWebDesk(backend);
    try {
      const { secret } = await apiTokenStore(web.desk.store).create({ name: 'ci', role: 'responder' }, { kind: 'system', id: 'test' });
      const created = await web.app.inject({
        method: 'POST',
        url: '/api/v1/reports',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        payload: JSON.stringify(SUBMISSION),
      });
      expect(created.statusCode).toBe(201);
      expect(created.cookies).toEqual([]);
      expect(created.headers['content-security-policy']).toContain("default-src 'self'");
      const listed = await web.app.inject({ method: 'GET', url: '/api/v1/reports', headers: { authorization: `Bearer ${secret}` } });
      expect(listed.statusCode).toBe(200);
      // A browser form cannot reach the API: it parses JSON only.
      const form = await new Browser(web.app, { headers: { authorization: `Bearer ${secret}` } }).post('/api/v1/reports', { title: 'x' });
      expect(form.statusCode).toBe(415);
      expect(await web.desk.store.countReports()).toBe(1);
    } finally {
      await web.dispose();
    }
  });
});

describe.each(deskStoreBackends())('desk web sessions and headers on $name', (backend) => {
  it('gives HttpOnly, SameSite session cookies, not Secure without TLS, kept hashed in the database', async () => {
    const web = await startWebDesk(backend, { secureCookies: false });
    try {
      const browser = new Browser(web.app);
      const login = await browser.logIn('rita');
      const cookie = login.cookies.find((candidate) => candidate.name === 'vigil-desk');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
      expect(cookie?.secure).toBeUndefined();
      // The cookie is `<id>.<signature>`: the database holds only a hash of the id.
      const id = decodeURIComponent(cookie?.value ?? '').split('.')[0] ?? '';
      const rows = await web.database.queryRaw('SELECT id_hash, data FROM sessions');
      expect(rows.length).toBeGreaterThan(0);
      expect(JSON.stringify(rows)).not.toContain(id);
      expect(rows.map((row) => String(row['data'])).join('\n')).toContain('"login":"rita"');
    } finally {
      await web.dispose();
    }
  });

  it('marks cookies Secure (and __Host-) behind TLS, with HSTS', async () => {
    const web = await startWebDesk(backend, { secureCookies: true, trustProxy: 1 });
    try {
      const browser = new Browser(web.app, { headers: { 'x-forwarded-proto': 'https' } });
      const login = await browser.logIn('rita');
      expect(login.statusCode).toBe(303);
      const cookie = login.cookies.find((candidate) => candidate.name === '__Host-vigil-desk');
      expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
      expect(login.headers['strict-transport-security']).toMatch(/max-age=31536000/);
      expect((await browser.get('/team')).statusCode).toBe(200);
    } finally {
      await web.dispose();
    }
  });

  it('ends a session at log-out and after the longest log-in time', async () => {
    const web = await startWebDesk(backend);
    try {
      const browser = new Browser(web.app);
      await browser.logIn('rita');
      const stolen = new Map(browser.cookies);
      expect((await browser.get('/team')).statusCode).toBe(200);
      await browser.submit('/team', '/team/logout', {});
      const replay = new Browser(web.app);
      for (const [name, value] of stolen) replay.cookies.set(name, value);
      expect((await replay.get('/team')).statusCode).toBe(303);

      await browser.logIn('rita');
      expect((await browser.get('/team')).statusCode).toBe(200);
      web.clock.set('2025-06-03T15:00:01Z');
      const expired = await browser.get('/team');
      expect(expired.statusCode).toBe(303);
      expect(expired.headers.location).toBe('/team/login?next=%2Fteam');
    } finally {
      await web.dispose();
    }
  });

  it('sends a CSP without unsafe-inline, and pages carry no inline script or style', async () => {
    const web = await startWebDesk(backend);
    try {
      await web.desk.submitReport(SUBMISSION);
      const browser = new Browser(web.app);
      await browser.logIn('rita');
      for (const url of ['/', '/report', '/join', '/team/login', '/team', '/team/reports/1', '/team/notify', '/nothing']) {
        const page = await browser.get(url);
        const csp = page.headers['content-security-policy'];
        expect(csp, url).toContain("default-src 'self'");
        expect(csp, url).toContain("script-src 'self'");
        expect(csp, url).toContain("style-src 'self'");
        expect(csp, url).toContain("frame-ancestors 'none'");
        expect(csp, url).toContain("form-action 'self'");
        expect(csp, url).not.toContain('unsafe-inline');
        expect(csp, url).not.toContain('unsafe-eval');
        expect(page.body, url).not.toMatch(/<script(?![^>]*\bsrc=)/);
        expect(page.body, url).not.toMatch(/\sstyle=|<style/);
        expect(page.body, url).not.toMatch(/\son[a-z]+=/);
        expect(page.headers['referrer-policy'], url).toBe('no-referrer');
        expect(page.headers['x-frame-options'], url).toBe('DENY');
        expect(page.headers['cache-control'], url).toBe('no-store');
      }
    } finally {
      await web.dispose();
    }
  });
});
