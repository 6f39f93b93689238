import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBMISSION } from '../../desk-fixtures.js';
import {
  act,
  actionForm,
  browserTestsRun,
  clickAndLoad,
  fact,
  flashText,
  launchChromium,
  logIn,
  mainText,
  newPerson,
  openPage,
  screenshot,
  startBrowserDesk,
  TEAM,
  visit,
  type BrowserDesk,
  type PageWatch,
} from './desk-browser.js';

// The whole path of a report through the desk, as people do it in a browser: a reporter sends the
// form and follows the tracking link; a responder acknowledges, triages, accepts with a CVSS vector
// (the calculator's live score checked against FIRST's published values), fixes every supported
// line, schedules, pre-notifies and discloses, with the desk's clock moved between the steps; an
// observer and an admin look on. Screenshots of the key pages go to test-artifacts/desk/.

/** Scores as FIRST's own calculators (first.org/cvss/calculator/3.1 and 4.0) give them, not as our code computes them. */
const CRITICAL_V31 = { vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: '9.8', rating: 'critical' } as const;
const MEDIUM_V31 = { vector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N', score: '6.5', rating: 'medium' } as const;
const CRITICAL_V40 = { vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', score: '9.3', rating: 'critical' } as const;

const REPORT = {
  name: 'Grace Finder',
  email: 'grace@reporter.example',
  organisation: 'Finder Labs',
  creditName: 'Grace F. (Finder Labs)',
  title: 'Path traversal in the static file view',
  description: 'serve() joins the request path to document_root without normalising "..".',
  stepsToReproduce: '1. run the development server\n2. GET /static/..%2f..%2fsettings.py\n3. the settings file is returned',
  impact: 'An anonymous attacker reads any file the server process can read, including SECRET_KEY.',
  attackSurface: 'Sites that serve static files through the framework view (DEBUG or insecure mode).',
  relatedProjects: 'Other frameworks that copied the view: example-static.',
  affectedVersions: '5.2.1, 5.1.9, 4.2.22',
} as const;

const POC = { name: 'poc.py', mimeType: 'text/x-python', buffer: Buffer.from('import urllib.request\nprint(urllib.request.urlopen("http://127.0.0.1:8000/static/..%2f..%2fsettings.py").read())\n') };

/** The lines the report affects, and the fixes recorded for the supported ones (5.0 is past its end). */
const AFFECTED = ['main', '5.2', '5.1', '5.0', '4.2'] as const;
const FIXES = [
  { series: 'main', release: '', patch: 'https://git.example.org/framework/commit/1a2b3c4d' },
  { series: '5.2', release: '5.2.4', patch: 'https://git.example.org/framework/commit/5e6f7a8b' },
  { series: '5.1', release: '5.1.11', patch: 'https://git.example.org/framework/commit/9c0d1e2f' },
  { series: '4.2', release: '4.2.23', patch: 'https://git.example.org/framework/commit/3a4b5c6d' },
] as const;

describe.skipIf(!browserTestsRun('desk browser full path'))('the desk in Chromium: a report from the form to disclosure', () => {
  let web: BrowserDesk;
  let browser: Browser;
  const watches: PageWatch[] = [];
  const watched = async (options: Parameters<typeof newPerson>[1] = {}): Promise<Page> => {
    const { page, watch } = await openPage(await newPerson(browser, options));
    watches.push(watch);
    return page;
  };

  beforeAll(async () => {
    web = await startBrowserDesk({
      // An older report, received two weeks earlier and never acknowledged: overdue in the inbox.
      before: async (desk, clock) => {
        clock.set('2025-05-19T15:00:00Z');
        await desk.submitReport({ ...SUBMISSION, title: 'Older report: open redirect after log-in' });
        clock.set('2025-06-02T15:00:00Z');
      },
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser.close();
    await web.dispose();
  });

  it('takes a report through every step, and the reporter follows it to disclosure', async () => {
    const base = web.baseUrl;

    // 1. The reporter: policy page, report form (every field and one attachment), receipt.
    const reporter = await watched();
    await visit(reporter, `${base}/`);
    await clickAndLoad(reporter, reporter.getByRole('link', { name: 'the report form' }).first());
    expect(reporter.url()).toBe(`${base}/report`);
    await reporter.getByLabel('Your name or handle').fill(REPORT.name);
    await reporter.getByLabel('E-mail address').fill(REPORT.email);
    await reporter.getByLabel('Organisation').fill(REPORT.organisation);
    await reporter.getByLabel('By name').check();
    await reporter.getByLabel('Name to credit').fill(REPORT.creditName);
    await reporter.getByLabel('Short title').fill(REPORT.title);
    await reporter.getByLabel('Description').fill(REPORT.description);
    await reporter.getByLabel('Steps to reproduce').fill(REPORT.stepsToReproduce);
    await reporter.getByLabel('Impact').fill(REPORT.impact);
    await reporter.getByLabel('Attack surface').fill(REPORT.attackSurface);
    await reporter.getByLabel('Related projects').fill(REPORT.relatedProjects);
    await reporter.getByLabel('Versions you tested').fill(REPORT.affectedVersions);
    await reporter.getByLabel('Attachments').setInputFiles(POC);
    await screenshot(reporter, '01-report-form');
    const receipt = await clickAndLoad(reporter, reporter.getByRole('button', { name: 'Send the report' }));
    expect(receipt.status()).toBe(200);
    expect(await reporter.locator('h1').innerText()).toBe('Thank you: report #2 received');
    expect(await mainText(reporter)).toContain('and 1 attachment.');
    const link = reporter.locator('p.secret a');
    const trackingUrl = await link.getAttribute('href');
    expect(trackingUrl).toMatch(new RegExp(`^${base}/track/[A-Za-z0-9_-]{43}$`));
    expect(await link.innerText()).toBe(trackingUrl);
    await screenshot(reporter, '02-receipt');

    // The tracking link opens the reporter's own report; they write to the team.
    await clickAndLoad(reporter, link);
    expect(reporter.url()).toBe(trackingUrl);
    let tracking = await mainText(reporter);
    expect(tracking).toContain(`Report #2: ${REPORT.title}`);
    expect(await fact(reporter, 'Status')).toBe('received Received: the security team has not confirmed it yet.');
    expect(tracking).toContain(REPORT.description);
    expect(tracking).toContain(`credit you as ${REPORT.creditName}`);
    await reporter.getByLabel('Write to the security team').fill('I can also share a video of the exploit if that helps.');
    await clickAndLoad(reporter, reporter.getByRole('button', { name: 'Send', exact: true }));
    expect(await flashText(reporter)).toBe('Your message was sent to the security team.');
    expect(await mainText(reporter)).toContain('I can also share a video of the exploit');
    await screenshot(reporter, '03-tracking-received');

    // 2. The responder: the console asks for a log-in, then shows the inbox by urgency.
    const responder = await watched();
    await visit(responder, `${base}/team`);
    expect(responder.url()).toBe(`${base}/team/login?next=%2Fteam`);
    await logIn(responder, base, TEAM.responder);
    expect(responder.url()).toBe(`${base}/team`);
    const rows = responder.locator('main table tbody tr');
    expect(await rows.count()).toBe(2);
    // The older, overdue report first, marked in words; then the new one, its clock pending.
    expect(await rows.nth(0).getAttribute('class')).toBe('overdue');
    expect(await rows.nth(0).innerText()).toContain('Older report: open redirect after log-in');
    expect(await rows.nth(0).innerText()).toContain('OVERDUE');
    expect(await rows.nth(1).innerText()).toContain(REPORT.title);
    expect(await rows.nth(1).getAttribute('class')).toBeNull();
    expect(await mainText(responder)).toContain('2 reports, most urgent first; 1 overdue.');
    await screenshot(responder, '04-inbox');

    await clickAndLoad(responder, responder.getByRole('link', { name: REPORT.title }));
    expect(responder.url()).toBe(`${base}/team/reports/2`);
    let page = await mainText(responder);
    expect(page).toContain(`${REPORT.name} <${REPORT.email}>, ${REPORT.organisation}`);
    expect(page).toContain(REPORT.stepsToReproduce.split('\n')[1]);
    expect(page).toContain('I can also share a video of the exploit');
    // The attachment comes back as a download, byte for byte.
    const download = responder.waitForEvent('download');
    await responder.getByRole('link', { name: 'poc.py' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('poc.py');
    expect(await readFile(await file.path())).toEqual(POC.buffer);
    await screenshot(responder, '05-report-received');

    // Acknowledge: the reporter is e-mailed, and only the reporter.
    expect(await act(responder, 'acknowledge', { Note: 'Received; reproducing on 5.2.' }, 'Acknowledge')).toBe(
      'Report #2 is now acknowledged. The reporter was e-mailed.',
    );
    expect(web.sink.messages).toHaveLength(1);
    const mail = web.sink.messages[0]!;
    expect(mail.rcptTo).toEqual([REPORT.email]);
    expect(web.sink.header(mail, 'to')).toContain(REPORT.email);
    expect(mail.text).toContain(REPORT.title);
    expect(await act(responder, 'triage', { Note: 'Reproduced on main and 5.2.' }, 'Mark triaged')).toBe('Report #2 is now triaged.');

    // Accept, with the CVSS calculator: menus write the vector, a typed vector sets the menus,
    // and the score shows live, as FIRST computes it.
    const accept = actionForm(responder, 'accept');
    const score = responder.locator('#cvss-score');
    const vector = accept.getByLabel('CVSS vector');
    for (const [metric, value] of Object.entries({ 'Attack vector': 'N', 'Attack complexity': 'L', 'Privileges required': 'L', 'User interaction': 'N', Scope: 'U', Confidentiality: 'H', Integrity: 'N', Availability: 'N' })) {
      await accept.getByLabel(metric).selectOption(value);
    }
    expect(await vector.inputValue()).toBe(MEDIUM_V31.vector);
    await score.filter({ hasText: `base score ${MEDIUM_V31.score}` }).waitFor();
    expect(await score.innerText()).toBe(`CVSS 3.1 base score ${MEDIUM_V31.score} (${MEDIUM_V31.rating})`);

    await vector.fill('');
    await vector.pressSequentially(CRITICAL_V40.vector, { delay: 2 });
    await score.filter({ hasText: `base score ${CRITICAL_V40.score}` }).waitFor();
    expect(await score.innerText()).toBe(`CVSS 4.0 base score ${CRITICAL_V40.score} (${CRITICAL_V40.rating})`);

    // Typed a character at a time: incomplete on the way, then FIRST's 9.8.
    await vector.fill('');
    const withoutAvailability = CRITICAL_V31.vector.slice(0, CRITICAL_V31.vector.lastIndexOf('/'));
    await vector.pressSequentially(withoutAvailability, { delay: 2 });
    await score.filter({ hasText: 'not a complete' }).waitFor();
    expect(await score.innerText()).toBe('not a complete CVSS v3.1 or v4.0 base vector');
    await vector.pressSequentially('/A:H', { delay: 2 });
    await score.filter({ hasText: `base score ${CRITICAL_V31.score}` }).waitFor();
    expect(await score.innerText()).toBe(`CVSS 3.1 base score ${CRITICAL_V31.score} (${CRITICAL_V31.rating})`);
    // The typed vector moved the menus.
    expect(await accept.getByLabel('Privileges required').inputValue()).toBe('N');
    expect(await accept.getByLabel('Integrity').inputValue()).toBe('H');
    await screenshot(accept.locator('fieldset').filter({ hasText: 'CVSS calculator' }), '06-cvss-calculator');

    await accept.getByLabel('Severity').selectOption('high');
    await accept.getByLabel('CWE ids').fill('CWE-22');
    for (const line of AFFECTED) await accept.getByLabel(line, { exact: true }).check();
    await accept.getByLabel('Public summary').fill('Path traversal in the static file view');
    await accept.getByLabel('First affected version').fill('4.2');
    await accept.getByLabel('CVE id').fill('CVE-2025-48432');
    await accept.getByLabel('Note').fill('Confirmed: arbitrary file read.');
    await clickAndLoad(responder, accept.getByRole('button', { name: 'Accept' }));
    expect(await flashText(responder)).toBe('Report #2 is now accepted.');
    expect(await fact(responder, 'CVSS 3.1')).toBe(`${CRITICAL_V31.score} ${CRITICAL_V31.vector}`);
    expect(await fact(responder, 'Severity')).toBe('high');
    expect(await fact(responder, 'CWE')).toBe('CWE-22');
    expect(await fact(responder, 'Affected')).toBe('main, 4.2, 5.0, 5.1, 5.2');

    expect(await act(responder, 'start-fix', { Note: 'Patches in review.' }, 'Fix in progress')).toBe('Report #2 is now fix-in-progress.');
    const fixForm = responder.locator('form[action$="/fixes"]');
    for (const fix of FIXES) {
      await fixForm.getByLabel('Line').selectOption(fix.series);
      await fixForm.getByLabel('Release').fill(fix.release);
      await fixForm.getByLabel('Patch').fill(fix.patch);
      await clickAndLoad(responder, fixForm.getByRole('button', { name: 'Record the fix' }));
      expect(await flashText(responder)).toBe(`Fix of ${fix.series} recorded.`);
    }
    const matrix = responder.locator('h2:text-is("Backport matrix") + table');
    const matrixRows = await matrix.locator('tbody tr').allInnerTexts();
    for (const fix of FIXES) {
      const row = matrixRows.find((text) => text.startsWith(`${fix.series}\t`));
      expect(row, fix.series).toContain('fixed');
      expect(row, fix.series).toContain(fix.patch);
      if (fix.release !== '') expect(row, fix.series).toContain(fix.release);
    }
    // 5.0 ended before today: affected, but no fix is promised and none is needed to disclose.
    expect(matrixRows.find((text) => text.startsWith('5.0\t'))).toContain('unsupported');
    await screenshot(matrix, '07-backport-matrix');

    // Schedule: 20 June, 09:00 in the desk's zone (Chicago, CDT = UTC-5).
    expect(await act(responder, 'schedule-disclosure', { 'Embargo end': '2025-06-20T09:00', Note: 'Release day agreed with the reporter.' }, 'Schedule')).toBe(
      'Report #2 is now disclosure-scheduled.',
    );
    expect(await fact(responder, 'Disclosure')).toBe('2025-06-20 09:00 CDT');
    expect((await web.desk.store.getReport(2))?.disclosureAt).toBe('2025-06-20T14:00:00.000Z');
    // The documents exist now; the pre-announcement names the date and nothing of the flaw.
    await clickAndLoad(responder, responder.getByRole('link', { name: 'pre-announcement' }));
    const preAnnouncement = await responder.locator('body').innerText();
    expect(preAnnouncement).toContain('2025');
    expect(preAnnouncement).not.toContain('document_root');
    await visit(responder, `${base}/team/reports/2`);
    await screenshot(responder, '08-report-scheduled');

    // 3. An observer reads the report and finds no form that changes it.
    const observer = await watched();
    await visit(observer, `${base}/team/reports/2`);
    await logIn(observer, base, TEAM.observer);
    expect(observer.url()).toBe(`${base}/team/reports/2`);
    expect(await mainText(observer)).toContain(REPORT.title);
    expect(await observer.locator('form[action*="/actions/"], form[action$="/fixes"], form[action$="/messages"]').count()).toBe(0);

    // 4. The admin puts a distributor on the notification list.
    const admin = await watched();
    await visit(admin, `${base}/team/notify`);
    await logIn(admin, base, TEAM.admin);
    expect(admin.url()).toBe(`${base}/team/notify`);
    await admin.getByLabel('Organisation').fill('Debian');
    await admin.getByLabel('Group').selectOption('distributor');
    await admin.getByLabel('Private contact').fill('security@debian.example');
    await admin.getByLabel('Review on').fill('2026-06-01');
    await clickAndLoad(admin, admin.getByRole('button', { name: 'Add', exact: true }));
    expect(await flashText(admin)).toBe('Debian added to the notification list.');
    expect(await admin.locator('main table').first().innerText()).toContain('security@debian.example');
    await screenshot(admin, '09-notification-list');

    // 5. Ten days later (the log-in has expired meanwhile): pre-notify, before the lead time runs out.
    web.clock.set('2025-06-12T15:00:00Z');
    await visit(responder, `${base}/team/reports/2`);
    expect(responder.url()).toBe(`${base}/team/login?next=%2Fteam%2Freports%2F2`);
    await logIn(responder, base, TEAM.responder);
    expect(responder.url()).toBe(`${base}/team/reports/2`);
    expect(await act(responder, 'pre-notify', { Note: 'Notification list told.' }, 'Mark pre-notified')).toBe(
      'Report #2 is now pre-notified. Private notification sent to 1 of 1 list entry. ' +
        'Post the pre-announcement document yourself (no announce address is configured).',
    );
    // The list entry got its own private message, with the details.
    const notices = web.sink.messages.filter((message) => message.rcptTo.includes('security@debian.example'));
    expect(notices).toHaveLength(1);
    expect(notices[0]?.text).toContain(REPORT.impact);
    // Disclosing before the embargo ends is refused without an override.
    const early = await act(responder, 'disclose', { Note: 'Too early.' }, 'Disclose');
    expect(early).toContain('the embargo lasts until 2025-06-20T14:00:00.000Z');
    expect((await web.desk.store.getReport(2))?.state).toBe('pre-notified');

    // 6. Disclosure day, after 09:00 Chicago: disclose.
    web.clock.set('2025-06-20T14:05:00Z');
    await visit(responder, `${base}/team/reports/2`);
    await logIn(responder, base, TEAM.responder);
    await responder.getByLabel('Write to the reporter').fill('Fixed releases are out; thank you for the report.');
    await clickAndLoad(responder, responder.locator('form[action$="/messages"]').getByRole('button', { name: 'Send' }));
    expect(await act(responder, 'disclose', { Note: 'Releases published.' }, 'Disclose')).toBe('Report #2 is now disclosed.');
    expect(await fact(responder, 'State')).toBe('disclosed');
    page = await mainText(responder);
    for (const move of ['received → acknowledged', 'acknowledged → triaged', 'triaged → accepted', 'accepted → fix-in-progress', 'fix-in-progress → disclosure-scheduled', 'disclosure-scheduled → pre-notified', 'pre-notified → disclosed']) {
      expect(page).toContain(move);
    }
    expect(await responder.locator('form[action*="/actions/"]').count()).toBe(0);
    await screenshot(responder, '10-report-disclosed');

    // The inbox shows where both reports stand.
    await clickAndLoad(responder, responder.getByRole('link', { name: 'Inbox' }));
    expect(await responder.locator('main table tbody').innerText()).toContain('disclosed');

    // 7. The admin (logged out by time too) reads the audit log: every step, by whom.
    await visit(admin, `${base}/team/audit`);
    await logIn(admin, base, TEAM.admin);
    expect(admin.url()).toBe(`${base}/team/audit`);
    const audit = await mainText(admin);
    for (const action of ['user.add', 'report.create', 'report.read-embargoed', 'report.transition', 'report.fix', 'report.message', 'notify.add']) {
      expect(audit, action).toContain(action);
    }
    expect(audit).toContain('rita');
    await screenshot(admin, '11-audit-log');

    // 8. The reporter's tracking page shows the end: disclosed, the date, the team's message.
    await visit(reporter, trackingUrl ?? '');
    tracking = await mainText(reporter);
    expect(await fact(reporter, 'Status')).toBe('disclosed Disclosed: the fixes and the advisory are public.');
    expect(await fact(reporter, 'Disclosure')).toBe('2025-06-20 09:00 CDT');
    expect(tracking).toContain('Fixed releases are out; thank you for the report.');
    expect(tracking).toContain(`credit you as ${REPORT.creditName}`);
    // Closed: no more messages, no more credit changes.
    expect(await reporter.locator('form').count()).toBe(0);
    await screenshot(reporter, '12-tracking-disclosed');

    // Nothing misbehaved in any page: no dialog, no script error, no CSP violation.
    for (const watch of watches) {
      expect(watch.dialogs).toEqual([]);
      expect(watch.errors).toEqual([]);
      expect(watch.cspViolations).toEqual([]);
    }
  }, 120_000);
});
