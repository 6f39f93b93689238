import type { Browser } from 'playwright-core';
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
} from './desk-browser.js';

// The core flows work without JavaScript: the page scripts are an enhancement only.

/** The smallest valid PNG signature and header chunk start: detected as image/png by its content. */
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

describe.skipIf(!browserTestsRun('desk browser checks without JavaScript'))('the desk in Chromium with JavaScript disabled', () => {
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

  it('takes a report with an attachment through the form and shows the tracking page', async () => {
    const context = await newPerson(browser, { javaScriptEnabled: false });
    const { page, watch } = await openPage(context);
    await visit(page, `${web.baseUrl}/report`);
    await page.getByLabel('Your name or handle').fill('Noscript Nora');
    await page.getByLabel('E-mail address').fill('nora@reporter.example');
    await page.getByLabel('Do not name me').check();
    await page.getByLabel('Short title').fill('Session fixation in the log-in view');
    await page.getByLabel('Description').fill('The session id is kept across log-in.');
    await page.getByLabel('Steps to reproduce').fill('Set the cookie, log in, reuse it.');
    await page.getByLabel('Impact').fill('Account takeover.');
    await page.getByLabel('Attachments').setInputFiles({ name: 'screenshot.png', mimeType: 'image/png', buffer: PNG });
    const receipt = await clickAndLoad(page, page.getByRole('button', { name: 'Send the report' }));
    expect(receipt.status()).toBe(200);
    expect(await page.locator('h1').innerText()).toMatch(/^Thank you: report #\d+ received$/);
    expect(await mainText(page)).toContain('and 1 attachment.');
    await clickAndLoad(page, page.locator('p.secret a'));
    expect(page.url()).toMatch(/\/track\/[A-Za-z0-9_-]{43}$/);
    expect(await fact(page, 'Status')).toBe('received Received: the security team has not confirmed it yet.');
    expect(await mainText(page)).toContain('The advisory will not name you.');
    await page.getByLabel('Write to the security team').fill('Sent from a browser without JavaScript.');
    await clickAndLoad(page, page.getByRole('button', { name: 'Send', exact: true }));
    expect(await flashText(page)).toBe('Your message was sent to the security team.');
    await screenshot(page, 'nojs-tracking');

    const id = Number(/#(\d+)/.exec(await page.locator('h1').innerText())?.[1]);
    const stored = await web.desk.store.getReport(id);
    expect(stored?.submission.reporter.credit).toEqual({ mode: 'anonymous' });
    expect(stored?.messages.map((message) => message.body)).toEqual(['Sent from a browser without JavaScript.']);
    expect(watch.errors).toEqual([]);
    await context.close();
  });

  it('lets a responder accept with the CVSS menus alone: the server composes and scores the vector', async () => {
    const { report } = await web.desk.submitReport({ ...SUBMISSION, title: 'Open redirect in the log-in view' });
    const context = await newPerson(browser, { javaScriptEnabled: false });
    const { page } = await openPage(context);
    await visit(page, `${web.baseUrl}/team/login`);
    await logIn(page, web.baseUrl, TEAM.responder);
    await clickAndLoad(page, page.getByRole('link', { name: 'Open redirect in the log-in view' }));
    expect(page.url()).toBe(`${web.baseUrl}/team/reports/${report.id}`);
    expect(await act(page, 'acknowledge', { Note: 'Received.' }, 'Acknowledge')).toBe(`Report #${report.id} is now acknowledged. The reporter was e-mailed.`);
    expect(await act(page, 'triage', { Note: 'Reproduced.' }, 'Mark triaged')).toBe(`Report #${report.id} is now triaged.`);
    const accept = actionForm(page, 'accept');
    // No script ran: the live score keeps its placeholder.
    expect(await page.locator('#cvss-score').innerText()).toBe('computed when you submit');
    for (const [metric, value] of Object.entries({ 'Attack vector': 'N', 'Attack complexity': 'H', 'Privileges required': 'N', 'User interaction': 'R', Scope: 'U', Confidentiality: 'H', Integrity: 'H', Availability: 'N' })) {
      await accept.getByLabel(metric).selectOption(value);
    }
    expect(await accept.getByLabel('CVSS vector').inputValue()).toBe('');
    await accept.getByLabel('Severity').selectOption('high');
    await accept.getByLabel('CWE ids').fill('CWE-601');
    await accept.getByLabel('main', { exact: true }).check();
    await accept.getByLabel('Public summary').fill('Open redirect in the log-in view');
    await accept.getByLabel('Note').fill('Confirmed.');
    await clickAndLoad(page, accept.getByRole('button', { name: 'Accept' }));
    expect(await flashText(page)).toBe(`Report #${report.id} is now accepted.`);
    // FIRST's calculator gives 6.8 for AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:N.
    expect(await fact(page, 'CVSS 3.1')).toBe('6.8 CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:N');
    await screenshot(page, 'nojs-report-accepted');
    await context.close();
  });
});
