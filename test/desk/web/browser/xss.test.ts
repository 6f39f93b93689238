import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESK_DOCUMENT_KINDS } from '../../../../src/desk/documents/render-document.js';
import {
  act,
  actionForm,
  browserTestsRun,
  clickAndLoad,
  flashText,
  launchChromium,
  logIn,
  newPerson,
  openPage,
  screenshot,
  startBrowserDesk,
  TEAM,
  visit,
  type BrowserDesk,
  type PageWatch,
} from './desk-browser.js';

// Markup in what outsiders write (every report field, the attachment's name, messages, the credit
// name, join requests) and in what the team writes (notes, summary, patch references) must reach
// every page as text. The pages are first visited with the Content-Security-Policy bypassed, so
// that escaping alone is tested: an unescaped payload would open a dialog there. Then the same
// pages are visited with the policy in force, which must report no violation.

const SCRIPT = '<script>alert(1)</script>';
const ATTRIBUTE = '"onerror=alert(1) x="';
const IMAGE = '<img src=x onerror=alert(1)>';
const PAYLOAD = `${SCRIPT} ${ATTRIBUTE} ${IMAGE} '><svg onload=alert(1)>`;

/** A payload tagged with where it was put, so that each field is found on the pages. */
const marked = (where: string): string => `${where}: ${PAYLOAD}`;

const FIELDS = {
  name: marked('name'),
  organisation: marked('organisation'),
  creditName: marked('credit'),
  title: marked('title'),
  description: marked('description'),
  stepsToReproduce: marked('steps'),
  impact: marked('impact'),
  attackSurface: marked('surface'),
  relatedProjects: marked('related'),
  affectedVersions: marked('versions'),
} as const;
/** The form's labels of the fields above. */
const LABELS: Readonly<Record<keyof typeof FIELDS, string>> = {
  name: 'Your name or handle',
  organisation: 'Organisation',
  creditName: 'Name to credit',
  title: 'Short title',
  description: 'Description',
  stepsToReproduce: 'Steps to reproduce',
  impact: 'Impact',
  attackSurface: 'Attack surface',
  relatedProjects: 'Related projects',
  affectedVersions: 'Versions you tested',
};
/** An e-mail address must be one; it still carries a quote. */
const EMAIL = "o'xss+alert@reporter.example";
/** A URL has no spaces; this one still carries markup. */
const JOIN_URL = 'https://distro.example/"onerror=alert(1)x="<img/src=x/onerror=alert(1)>';

/**
 * Checks that a page shows what it was given as text and ran nothing of it: no dialog, no script
 * error, no element or event-handler attribute that only an injection could have made, and each
 * expected text visible in the page.
 */
async function expectInert(page: Page, watch: PageWatch, texts: readonly string[], where: string): Promise<void> {
  expect(watch.dialogs, where).toEqual([]);
  expect(watch.errors, where).toEqual([]);
  expect(await page.locator('[onerror], [onload], [onmouseover], img, svg, iframe, object, embed').count(), where).toBe(0);
  expect(await page.locator('script:not([src])').count(), where).toBe(0);
  for (const script of await page.locator('script[src]').all()) expect(await script.getAttribute('src'), where).toBe('/assets/cvss.js');
  const shown = await page.locator('body').innerText();
  for (const text of texts) expect(shown, `${where} shows ${text.slice(0, 20)}`).toContain(text);
}

describe.skipIf(!browserTestsRun('desk browser XSS checks'))('report fields render inert in Chromium', () => {
  let web: BrowserDesk;
  let browser: Browser;

  beforeAll(async () => {
    web = await startBrowserDesk();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser.close();
    await web.dispose();
  });

  const person = async (options: { bypassCSP: boolean }): Promise<{ context: BrowserContext; page: Page; watch: PageWatch }> => {
    const context = await newPerson(browser, options);
    return { context, ...(await openPage(context)) };
  };

  it('catches a script that does run (the check itself works)', async () => {
    const { context, page, watch } = await person({ bypassCSP: true });
    await page.setContent(`<p>${IMAGE}</p>`);
    await page.waitForTimeout(200);
    expect(watch.dialogs).toEqual(['alert: 1 (on about:blank)']);
    await context.close();
  });

  it('shows <script> and "onerror= payloads in every field as text on every page, with or without the CSP', async () => {
    const base = web.baseUrl;

    // 1. The reporter fills every field with payloads and attaches an HTML file disguised as a
    //    PNG under a markup name: the form comes back refused, filled in, the name as text.
    const reporter = await person({ bypassCSP: true });
    await visit(reporter.page, `${base}/report`);
    for (const [field, value] of Object.entries(FIELDS) as [keyof typeof FIELDS, string][]) {
      await reporter.page.getByLabel(LABELS[field]).fill(value);
    }
    await reporter.page.getByLabel('E-mail address').fill(EMAIL);
    await reporter.page.getByLabel('Attachments').setInputFiles({ name: `${IMAGE}.png`, mimeType: 'image/png', buffer: Buffer.from(`<html>${SCRIPT}</html>`) });
    const refused = await clickAndLoad(reporter.page, reporter.page.getByRole('button', { name: 'Send the report' }));
    expect(refused.status()).toBe(400);
    expect(await flashText(reporter.page)).toBe(`attachment "${IMAGE}.png" says it is image/png but its content is text/plain`);
    await expectInert(reporter.page, reporter.watch, [`${IMAGE}.png`], 'refused report form');
    for (const [field, value] of Object.entries(FIELDS) as [keyof typeof FIELDS, string][]) {
      expect(await reporter.page.getByLabel(LABELS[field]).inputValue(), field).toBe(value);
    }
    expect(await reporter.page.getByLabel('E-mail address').inputValue()).toBe(EMAIL);
    await screenshot(reporter.page, 'xss-01-refused-form');

    // With a text file (its name still markup) the report goes through.
    await reporter.page.getByLabel('Attachments').setInputFiles({ name: `${IMAGE}.txt`, mimeType: 'text/plain', buffer: Buffer.from(PAYLOAD) });
    expect((await clickAndLoad(reporter.page, reporter.page.getByRole('button', { name: 'Send the report' }))).status()).toBe(200);
    await expectInert(reporter.page, reporter.watch, ['report #1 received'], 'receipt');
    await clickAndLoad(reporter.page, reporter.page.locator('p.secret a'));
    const trackingUrl = reporter.page.url();
    expect(trackingUrl).toMatch(/\/track\/[A-Za-z0-9_-]{43}$/);

    // 2. The tracking page; a message and a credit name with payloads, echoed in the flash too.
    await reporter.page.getByLabel('Write to the security team').fill(marked('reporter message'));
    await clickAndLoad(reporter.page, reporter.page.getByRole('button', { name: 'Send', exact: true }));
    await reporter.page.getByLabel('Name to credit').fill(marked('new credit'));
    await clickAndLoad(reporter.page, reporter.page.getByRole('button', { name: 'Save' }));
    expect(await flashText(reporter.page)).toBe(`You will be credited as "${marked('new credit')}".`);
    const trackingTexts = [...Object.values(FIELDS).filter((value) => value !== FIELDS.creditName), marked('reporter message'), marked('new credit'), EMAIL];
    await expectInert(reporter.page, reporter.watch, trackingTexts, 'tracking page');
    await screenshot(reporter.page, 'xss-02-tracking');

    // 3. A request to join the notification list, with payloads in every free field.
    await visit(reporter.page, `${base}/join`);
    await reporter.page.getByLabel('Organisation').fill(marked('join organisation'));
    await reporter.page.getByLabel('Group').selectOption('other');
    await reporter.page.getByLabel('Security contact').fill('security@distro.example');
    await reporter.page.getByLabel('OpenPGP key fingerprint').fill(marked('key'));
    await reporter.page.getByLabel('How you meet the criteria').fill(marked('justification'));
    await reporter.page.getByLabel('A public page').fill(JOIN_URL);
    expect((await clickAndLoad(reporter.page, reporter.page.getByRole('button', { name: 'Send the request' }))).status()).toBe(200);
    await expectInert(reporter.page, reporter.watch, ['Request received'], 'join thanks');

    // 4. A responder: inbox, report page, every action with payloads in notes and fields.
    const responder = await person({ bypassCSP: true });
    await visit(responder.page, `${base}/team/login`);
    await logIn(responder.page, base, TEAM.responder);
    await expectInert(responder.page, responder.watch, [FIELDS.title], 'inbox');
    await clickAndLoad(responder.page, responder.page.getByRole('link', { name: FIELDS.title }));
    const reportUrl = responder.page.url();
    expect(reportUrl).toBe(`${base}/team/reports/1`);
    await expectInert(responder.page, responder.watch, [...trackingTexts, `${IMAGE}.txt`], 'report page (received)');
    await act(responder.page, 'acknowledge', { Note: marked('acknowledge note') }, 'Acknowledge');
    await act(responder.page, 'triage', { Note: marked('triage note') }, 'Mark triaged');
    // The accept form loads the CVSS script: it must put the page's text nowhere as markup either.
    await expectInert(responder.page, responder.watch, [marked('acknowledge note'), marked('triage note')], 'report page (triaged, with the CVSS script)');
    const accept = actionForm(responder.page, 'accept');
    await accept.getByLabel('Severity').selectOption('moderate');
    await accept.getByLabel('CVSS vector').fill('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N');
    await responder.page.locator('#cvss-score').filter({ hasText: 'base score 6.1' }).waitFor();
    await accept.getByLabel('CWE ids').fill('CWE-79');
    await accept.getByLabel('main', { exact: true }).check();
    await accept.getByLabel('5.2', { exact: true }).check();
    await accept.getByLabel('Public summary').fill(marked('summary'));
    await accept.getByLabel('Note').fill(marked('accept note'));
    await clickAndLoad(responder.page, accept.getByRole('button', { name: 'Accept' }));
    expect(await flashText(responder.page)).toBe('Report #1 is now accepted.');
    await act(responder.page, 'start-fix', { Note: marked('start-fix note') }, 'Fix in progress');
    const fixForm = responder.page.locator('form[action$="/fixes"]');
    for (const [series, release] of [['main', ''], ['5.2', '5.2.9']] as const) {
      await fixForm.getByLabel('Line').selectOption(series);
      await fixForm.getByLabel('Release').fill(release);
      await fixForm.getByLabel('Patch').fill(marked(`patch ${series}`));
      await clickAndLoad(responder.page, fixForm.getByRole('button', { name: 'Record the fix' }));
      expect(await flashText(responder.page)).toBe(`Fix of ${series} recorded.`);
    }
    await act(responder.page, 'schedule-disclosure', { 'Embargo end': '2025-06-30T09:00', Note: marked('schedule note') }, 'Schedule');
    await responder.page.getByLabel('Write to the reporter').fill(marked('team message'));
    await clickAndLoad(responder.page, responder.page.locator('form[action$="/messages"]').getByRole('button', { name: 'Send' }));
    const reportTexts = [
      ...trackingTexts,
      `${IMAGE}.txt`,
      marked('summary'),
      ...['acknowledge', 'triage', 'accept', 'start-fix', 'schedule'].map((kind) => marked(`${kind} note`)),
      marked('patch main'),
      marked('patch 5.2'),
      marked('team message'),
    ];
    await expectInert(responder.page, responder.watch, reportTexts, 'report page (scheduled)');
    await screenshot(responder.page, 'xss-03-report-page');

    // The documents: plain text, shown as text; the payloads are in them in some form, except in
    // the public pre-announcement, which carries no detail at all.
    for (const kind of DESK_DOCUMENT_KINDS) {
      await visit(responder.page, `${reportUrl}/documents/${kind}`);
      const isPublic = kind === 'pre-announcement';
      await expectInert(responder.page, responder.watch, isPublic ? [] : ['alert(1)'], `document ${kind}`);
      if (isPublic) expect(await responder.page.locator('body').innerText()).not.toContain('alert(1)');
    }

    // The tracking page now has the team's message too.
    await visit(reporter.page, trackingUrl);
    await expectInert(reporter.page, reporter.watch, [...trackingTexts, marked('team message')], 'tracking page (scheduled)');

    // 5. The admin: the notification list (an entry and a decision with payloads), the audit log.
    const admin = await person({ bypassCSP: true });
    await visit(admin.page, `${base}/team/notify`);
    await logIn(admin.page, base, TEAM.admin);
    await expectInert(admin.page, admin.watch, [marked('join organisation'), marked('key'), marked('justification'), JOIN_URL], 'notify page (pending request)');
    await admin.page.getByLabel('Organisation').fill(marked('entry'));
    await admin.page.getByLabel('Group').selectOption('package-maintainer');
    await admin.page.getByLabel('Private contact').fill('psirt@vendor.example');
    await admin.page.getByLabel('Key fingerprint').fill(marked('entry key'));
    await admin.page.getByLabel('Review on').fill('2026-06-01');
    await clickAndLoad(admin.page, admin.page.getByRole('button', { name: 'Add', exact: true }));
    expect(await flashText(admin.page)).toBe(`${marked('entry')} added to the notification list.`);
    await admin.page.getByLabel('Reason').fill(marked('decision reason'));
    await clickAndLoad(admin.page, admin.page.getByRole('button', { name: 'Approve' }));
    expect(await flashText(admin.page)).toBe('Request approved; the requester was e-mailed.');
    await expectInert(admin.page, admin.watch, [marked('entry'), marked('entry key'), marked('join organisation'), marked('decision reason')], 'notify page (decided)');
    await screenshot(admin.page, 'xss-04-notify-list');
    await visit(admin.page, `${base}/team/audit`);
    // Audit details are JSON (quotes escaped), so the markup parts are looked for on their own.
    await expectInert(admin.page, admin.watch, [`entry: ${SCRIPT}`, `join organisation: ${SCRIPT}`, IMAGE, 'report.fix'], 'audit log');
    await screenshot(admin.page, 'xss-05-audit-log');

    // The payloads were stored as sent: the pages escaped them, nothing cleaned them on the way in.
    const stored = await web.desk.store.getReport(1);
    expect(stored?.submission.description).toBe(FIELDS.description);
    expect(stored?.assessment?.summary).toBe(marked('summary'));

    // 6. The same pages with the CSP in force: nothing runs and nothing is refused.
    for (const [login, urls] of [
      [undefined, [trackingUrl]],
      [TEAM.responder, [`${base}/team`, reportUrl]],
      [TEAM.admin, [`${base}/team/notify`, `${base}/team/audit`]],
    ] as const) {
      const visitor = await person({ bypassCSP: false });
      if (login !== undefined) {
        await visit(visitor.page, `${base}/team/login`);
        await logIn(visitor.page, base, login);
      }
      for (const url of urls) {
        await visit(visitor.page, url);
        await expectInert(visitor.page, visitor.watch, ['alert(1)'], `${url} with the CSP`);
      }
      expect(visitor.watch.cspViolations).toEqual([]);
      await visitor.context.close();
    }
    for (const { watch } of [reporter, responder, admin]) expect(watch.cspViolations).toEqual([]);
  }, 120_000);
});
