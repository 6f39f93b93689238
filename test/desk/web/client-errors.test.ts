import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { SUBMISSION } from '../desk-fixtures.js';
import { deskStoreBackends } from '../../helpers/desk-store-backends.js';
import { Browser, reportFormFields, startWebDesk, type WebDesk } from './web-fixtures.js';

// Honest status codes: a client's mistake is a 4xx with a short message and an info-level log
// line; throttling is 429 with Retry-After everywhere; one-line fields stay one line.

/** Pino's levels (https://getpino.io/#/docs/api?id=levels). */
const ERROR_LEVEL = 50;
const INFO_LEVEL = 30;

interface LogLine {
  readonly level: number;
  readonly msg?: string;
}

function logCapture(): { stream: Writable; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n')) if (text.trim() !== '') lines.push(JSON.parse(text) as LogLine);
      done();
    },
  });
  return { stream, lines };
}

describe.each(deskStoreBackends())('client errors on $name', (backend) => {
  let web: WebDesk | undefined;
  afterEach(async () => {
    await web?.dispose();
    web = undefined;
  });

  it.each([
    {
      name: 'no closing boundary',
      contentType: 'multipart/form-data; boundary=XYZ',
      body: (csrf: string) => `--XYZ\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--XYZ\r\nContent-Disposition: form-data; name="title"\r\n\r\nno end`,
    },
    { name: 'no boundary', contentType: 'multipart/form-data', body: () => '--XYZ\r\n\r\nsomething' },
    { name: 'garbage', contentType: 'multipart/form-data; boundary=XYZ', body: () => '\u0000\u0001 not multipart at all' },
  ])('a malformed multipart body ($name) is a 400 with a short message, logged at info level', async ({ contentType, body }) => {
    const log = logCapture();
    web = await startWebDesk(backend, { logger: { level: 'info', stream: log.stream } });
    const browser = new Browser(web.app);
    const csrf = await browser.csrf('/report');
    const cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const answer = await web.app.inject({ method: 'POST', url: '/report', headers: { 'content-type': contentType, cookie }, payload: body(csrf) });
    expect(answer.statusCode).toBe(400);
    expect(answer.body).toContain('The form could not be read (a malformed multipart body). Nothing was stored.');
    expect(log.lines.filter((line) => line.level >= ERROR_LEVEL)).toEqual([]);
    expect(log.lines).toContainEqual(expect.objectContaining({ level: INFO_LEVEL, msg: 'request refused' }));
    expect(await web.desk.store.countReports()).toBe(0);
  });

  it('the global rate limit answers 429 with Retry-After on pages and in the JSON API', async () => {
    web = await startWebDesk(backend, { rateLimits: { global: { max: 2, timeWindowMs: 60_000 } } });
    const visitor = new Browser(web.app, { remoteAddress: '192.0.2.77' });
    await visitor.get('/');
    await visitor.get('/');
    const page = await visitor.get('/');
    expect(page.statusCode).toBe(429);
    expect(page.headers['retry-after']).toBe('60');
    expect(page.headers['content-type']).toMatch(/^text\/html/);

    const api = (remoteAddress: string) => web?.app.inject({ method: 'GET', url: '/api/v1/openapi.json', remoteAddress });
    await api('192.0.2.78');
    await api('192.0.2.78');
    const limited = await api('192.0.2.78');
    expect(limited?.statusCode).toBe(429);
    expect(limited?.headers['retry-after']).toBe('60');
    expect(limited?.json()).toMatchObject({ error: { code: 'rate-limited' } });
  });

  it('single-line report fields refuse line breaks and bidi controls; the form says which', async () => {
    web = await startWebDesk(backend);
    const cases = [
      { field: 'name', value: 'Ada\r\nBcc: everyone@example.net', want: 'reporter.name: must be one line of text, without line breaks, control or bidi characters (found U+000D)' },
      { field: 'title', value: 'Harmless \u202egnp.exe', want: 'title: must be one line of text, without line breaks, control or bidi characters (found U+202E)' },
      { field: 'organisation', value: 'Org\u0007', want: 'reporter.organisation: must be one line of text' },
      { field: 'creditName', value: 'A\u2066B', want: 'reporter.credit.name: must be one line of text' },
    ];
    for (const { field, value, want } of cases) {
      const browser = new Browser(web.app);
      const token = await browser.csrf('/report');
      const answer = await browser.postMultipart('/report', { ...reportFormFields(SUBMISSION), [field]: value, _csrf: token });
      expect(answer.statusCode, field).toBe(400);
      expect(answer.body, field).toContain(want);
    }
    expect(await web.desk.store.countReports()).toBe(0);
  });

  it('a join request with a line break in a single-line field is refused', async () => {
    web = await startWebDesk(backend);
    const browser = new Browser(web.app);
    const answer = await browser.submit('/join', '/join', {
      organisation: 'Example Linux\nApproved: yes',
      group: 'distributor',
      contact: 'security@example-linux.example',
      justification: 'We ship the project to our users in the main archive.',
      url: 'https://example-linux.example/security',
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.body).toContain('the organisation must be one line of text');
    expect(await web.desk.store.listJoinRequests()).toEqual([]);
  });

  it('bidi controls in multi-line text are shown visibly on the team pages', async () => {
    web = await startWebDesk(backend);
    await web.desk.submitReport({ ...SUBMISSION, description: 'See file \u202etxt.exe and \u2067isolated\u2069 text.' });
    const team = new Browser(web.app);
    await team.logIn('rita');
    const page = await team.get('/team/reports/1');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('See file \\u{202e}txt.exe and \\u{2067}isolated\\u{2069} text.');
    expect(page.body).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/u);
  });
});
