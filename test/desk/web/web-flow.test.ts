import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDeskMailer, type DeskMailer } from '../../../src/desk/mail/mailer.js';
import { deskStoreBackends } from '../../helpers/desk-store-backends.js';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.js';
import { SUBMISSION } from '../desk-fixtures.js';
import { Browser, reportFormFields, startWebDesk, trackingPathIn, type WebDesk } from './web-fixtures.js';

function flashIn(page: string): string | undefined {
  return /<p class="flash [a-z]+" role="[a-z]+">([^<]*)<\/p>/.exec(page)?.[1];
}

describe.each(deskStoreBackends())('the desk web service on $name', (backend) => {
  let sink: SmtpSink;
  let mailer: DeskMailer;
  let web: WebDesk;

  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.stop();
  });
  beforeEach(async () => {
    sink.clear();
    mailer = createDeskMailer({ transport: sink.settings, from: 'Example Security <security@example.org>', project: 'Example Framework' });
    web = await startWebDesk(backend, { mailer });
  });
  afterEach(async () => {
    mailer.close();
    await web.dispose();
  });

  it('carries a report from the form to disclosure, with the reporter following and mail sent', async () => {
    // The reporter sends a report with a proof of concept.
    const reporter = new Browser(web.app, { remoteAddress: '192.0.2.10' });
    const receipt = await reporter.postMultipart('/report', { ...reportFormFields(SUBMISSION), _csrf: await reporter.csrf('/report') }, [
      { field: 'attachments', filename: 'poc.py', type: 'text/x-python', data: Buffer.from('import requests\n') },
    ]);
    expect(receipt.statusCode).toBe(200);
    expect(receipt.headers['cache-control']).toBe('no-store');
    expect(receipt.body).toContain('report #1 received');
    expect(receipt.body).toContain('1 attachment');
    const tracking = trackingPathIn(receipt.body);
    expect((await reporter.get(tracking)).body).toContain('<span class="state">received</span>');

    // The team sees it in the inbox and acknowledges it: the reporter gets the acknowledgement.
    const rita = new Browser(web.app);
    const login = await rita.logIn('rita');
    expect(login.headers.location).toBe('/team');
    const inbox = await rita.get('/team');
    expect(inbox.body).toContain('SQL injection in the admin changelist');
    expect(inbox.body).toContain('acknowledge: <span class="status-pending">pending</span>');
    const report = '/team/reports/1';
    const acknowledged = await rita.submit(report, `${report}/actions/acknowledge`, { note: 'thanks, looking' });
    expect(acknowledged.headers.location).toBe(report);
    expect(flashIn((await rita.get(report)).body)).toBe('Report #1 is now acknowledged. The reporter was e-mailed.');
    expect(sink.messages).toHaveLength(1);
    expect(sink.messages[0]?.rcptTo).toEqual(['ada@example.net']);
    expect(sink.messages[0]?.text).toContain('Report: #1');
    expect(sink.messages[0]?.text).not.toContain('raw WHERE clause');

    // The attachment is there for the team, as a download.
    const page = await rita.get(report);
    expect(page.body).toContain('href="/team/reports/1/attachments/1">poc.py</a>');
    expect((await rita.get('/team/reports/1/attachments/1')).body).toBe('import requests\n');

    // The reporter and the team talk; the reporter changes the credit.
    await reporter.submit(tracking, `${tracking}/messages`, { body: 'It also works on 5.1.' });
    const credited = await reporter.submit(tracking, `${tracking}/credit`, { creditMode: 'anonymous', creditName: '' });
    expect(credited.headers.location).toBe(tracking);
    expect(flashIn((await reporter.get(tracking)).body)).toBe('You will not be named.');
    await rita.submit(report, `${report}/messages`, { body: 'Confirmed on 5.1 as well.' });
    const followed = await reporter.get(tracking);
    expect(followed.body).toContain('Confirmed on 5.1 as well.');
    expect(followed.body).toContain('Security team,');
    expect(followed.body).not.toContain('rita');
    expect((await rita.get(report)).body).toContain('It also works on 5.1.');

    // Triage and acceptance with the calculator's menus (no vector typed: scored on submit).
    await rita.submit(report, `${report}/actions/triage`, { note: 'reproduced' });
    const cvss = await rita.get('/team/cvss?vector=' + encodeURIComponent('CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N'));
    expect(JSON.parse(cvss.body)).toMatchObject({ valid: true, version: '3.1', score: 6.5, rating: 'medium' });
    expect(JSON.parse((await rita.get('/team/cvss?vector=CVSS:3.1/AV:N')).body)).toMatchObject({ valid: false });
    const accept = await rita.submit(report, `${report}/actions/accept`, {
      severity: 'high',
      cvssVector: '',
      cvssAV: 'N',
      cvssAC: 'L',
      cvssPR: 'L',
      cvssUI: 'N',
      cvssS: 'U',
      cvssC: 'H',
      cvssI: 'N',
      cvssA: 'N',
      cwes: 'cwe-89',
      affectedSeries: ['main', '5.2', '5.1', '4.2'],
      summary: 'SQL injection in the admin changelist search',
      note: 'confirmed',
    });
    expect(accept.statusCode).toBe(303);
    const accepted = await web.desk.store.getReport(1);
    expect(accepted?.assessment?.cvss).toEqual({ version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N', score: 6.5 });
    expect(accepted?.assessment?.cwes).toEqual(['CWE-89']);
    expect(accepted?.submission.reporter.credit).toEqual({ mode: 'anonymous' });

    // Fixes, then the backport matrix.
    await rita.submit(report, `${report}/actions/start-fix`, { note: 'patches in the private fork' });
    for (const [series, fixedIn, patch] of [
      ['main', '', 'a1b2c3'],
      ['5.2', '5.2.4', 'b2'],
      ['5.1', '5.1.11', 'c3'],
      ['4.2', '4.2.23', 'd4'],
    ] as const) {
      const fixed = await rita.submit(report, `${report}/fixes`, { series, fixedIn, patch });
      expect(fixed.statusCode).toBe(303);
    }
    const withFixes = await rita.get(report);
    expect(withFixes.body).toContain('<td>5.2</td><td>fixed</td><td>5.2.4</td>');

    // An early disclosure is refused with the rule's words on the page.
    await rita.submit(report, `${report}/actions/schedule-disclosure`, { at: '2025-07-01T09:00', note: 'release day' });
    expect((await web.desk.store.getReport(1))?.disclosureAt).toBe('2025-07-01T14:00:00.000Z');
    const osv = await rita.get('/team/reports/1/documents/osv');
    expect(osv.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(osv.body)).toMatchObject({ affected: [{ package: { ecosystem: 'PyPI', name: 'django' } }] });
    expect((await rita.get('/team/reports/1/documents/pre-announcement')).body).not.toContain('WHERE clause');
    // Days pass: a log-in lasts a day at most.
    web.clock.set('2025-06-20T14:00:00Z');
    expect((await rita.get(report)).statusCode).toBe(303);
    await rita.logIn('rita');
    await rita.submit(report, `${report}/actions/pre-notify`, { note: 'list told' });
    const early = await rita.submit(report, `${report}/actions/disclose`, { note: 'too soon' });
    expect(early.statusCode).toBe(303);
    expect(flashIn((await rita.get(report)).body)).toMatch(/^the embargo lasts until 2025-07-01T14:00:00.000Z/);
    web.clock.set('2025-07-01T14:05:00Z');
    await rita.logIn('rita');
    await rita.submit(report, `${report}/actions/disclose`, { note: 'released' });
    const disclosed = await web.desk.store.getReport(1);
    expect(disclosed?.transitions.map((transition) => transition.to)).toEqual([
      'acknowledged',
      'triaged',
      'accepted',
      'fix-in-progress',
      'disclosure-scheduled',
      'pre-notified',
      'disclosed',
    ]);
    expect((await reporter.get(tracking)).body).toContain('<span class="state">disclosed</span>');
  });

  it('explains a rejection to the reporter', async () => {
    const { trackingToken } = await web.desk.submitReport(SUBMISSION);
    const rita = new Browser(web.app);
    await rita.logIn('rita');
    await rita.submit('/team/reports/1', '/team/reports/1/actions/acknowledge', { note: 'ok' });
    await rita.submit('/team/reports/1', '/team/reports/1/actions/triage', { note: 'looked' });
    const short = await rita.submit('/team/reports/1', '/team/reports/1/actions/reject', { reason: 'not a bug', note: 'no' });
    expect(short.statusCode).toBe(303);
    expect(flashIn((await rita.get('/team/reports/1')).body)).toMatch(/a rejection needs a detailed reason/);
    const reason = 'Staff users are trusted to run raw SQL by design; see the admin documentation.';
    await rita.submit('/team/reports/1', '/team/reports/1/actions/reject', { reason, note: 'by design' });
    const page = await new Browser(web.app).get(`/track/${trackingToken}`);
    expect(page.body).toContain('Why the report was not accepted');
    expect(page.body).toContain(reason);
  });

  it('takes join requests and mails the admin decision; only admins decide and read the audit log', async () => {
    const visitor = new Browser(web.app);
    const form = await visitor.get('/join');
    expect(form.body).toContain('A distribution shipping the project');
    const publicList = await visitor.submit('/join', '/join', {
      organisation: 'Distro',
      group: 'distributor',
      contact: 'oss-security@lists.example.org',
      justification: 'We ship the framework in our main archive.',
      url: 'https://distro.example/packages/framework',
    });
    expect(publicList.statusCode).toBe(400);
    expect(publicList.body).toContain('is a public mailing list');
    const sent = await visitor.submit('/join', '/join', {
      organisation: 'Distro',
      group: 'distributor',
      contact: 'security@distro.example',
      justification: 'We ship the framework in our main archive.',
      url: 'https://distro.example/packages/framework',
    });
    expect(sent.statusCode).toBe(200);
    expect(sent.body).toContain('Request received');

    const rita = new Browser(web.app);
    await rita.logIn('rita');
    const asResponder = await rita.get('/team/notify');
    expect(asResponder.body).toContain('Distro');
    expect(asResponder.body).not.toContain('/decide');
    expect((await rita.submit('/team/notify', '/team/join-requests/1/decide', { outcome: 'approved', reason: 'fine' })).statusCode).toBe(403);
    expect((await rita.get('/team/audit')).statusCode).toBe(403);

    const alan = new Browser(web.app);
    await alan.logIn('alan');
    const decided = await alan.submit('/team/notify', '/team/join-requests/1/decide', { outcome: 'approved', reason: 'Known distributor.' });
    expect(decided.statusCode).toBe(303);
    const list = await alan.get('/team/notify');
    expect(flashIn(list.body)).toBe('Request approved; the requester was e-mailed.');
    expect(list.body).toContain('<td>security@distro.example</td>');
    expect(sink.messages.map((message) => message.rcptTo)).toEqual([['security@distro.example']]);
    expect(sink.messages[0]?.text).toContain('was approved');

    const audit = await alan.get('/team/audit');
    expect(audit.statusCode).toBe(200);
    expect(audit.body).toContain('join.decide');
    const exported = await alan.get('/team/audit/export');
    expect(exported.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(exported.headers['content-disposition']).toMatch(/^attachment; filename="desk-audit-2025-06-02.jsonl"/);
    const actions = exported.body.trim().split('\n').map((line) => (JSON.parse(line) as { action: string }).action);
    expect(actions).toContain('user.add');
    expect(actions).toContain('join.request');
    expect(actions).toContain('join.decide');
  });

  it('sends people who are not logged in to the log-in page, and back where they were going', async () => {
    await web.desk.submitReport(SUBMISSION);
    const browser = new Browser(web.app);
    const away = await browser.get('/team/reports/1');
    expect(away.headers.location).toBe('/team/login?next=%2Fteam%2Freports%2F1');
    const form = await browser.get(away.headers.location as string);
    expect(form.body).toContain('name="next" value="/team/reports/1"');
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    const back = await browser.post('/team/login', { _csrf: token, next: '/team/reports/1', login: 'rita', password: 'correct horse battery staple' });
    expect(back.headers.location).toBe('/team/reports/1');
    // Never to another site.
    const elsewhere = await new Browser(web.app).submit('/team/login', '/team/login', { next: '//evil.example/team', login: 'rita', password: 'correct horse battery staple' });
    expect(elsewhere.headers.location).toBe('/team');
    const wrong = await new Browser(web.app).submit('/team/login', '/team/login', { login: 'nobody', password: 'correct horse battery staple' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('Wrong login or password.');
  });

  it('serves security.txt and the policy page from the configuration', async () => {
    const browser = new Browser(web.app);
    const txt = await browser.get('/.well-known/security.txt');
    expect(txt.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(txt.body).toBe(
      [
        'Contact: mailto:security@example.org',
        'Contact: https://example.org/security/',
        'Expires: 2026-01-01T00:00:00.000Z',
        'Encryption: https://example.org/pgp-key.txt',
        'Preferred-Languages: en, de',
        '',
      ].join('\n'),
    );
    const policy = await browser.get('/');
    for (const text of ['3 business days', '10 business days', '30 days', 'SQL injection', 'cross-site scripting (XSS)', 'long-term support', '<td>4.2</td>']) {
      expect(policy.body).toContain(text);
    }
    // Fetching the policy page made no session.
    expect(browser.cookies.size).toBe(0);
  });
});
