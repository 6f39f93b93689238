import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHART_LEVELS, renderHtml } from '../../../src/report/html/render-html.js';
import type { Report } from '../../../src/report/report.js';
import { repoRoot } from '../../helpers/shared-data.js';
import { buildScenarioWithPlan } from '../scenario.js';

/** Debian's chromium package; CI installs it (.ci/run), so there it must be present. */
const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && !process.env['CI']) {
  console.warn(`html report browser check skipped: ${CHROMIUM} is missing (apt-get install chromium); it always runs in CI`);
}

/** Where a screenshot of the page is kept for a person to look at (outside the sources). */
const SCREENSHOTS = process.env['VIGIL_SCREENSHOT_DIR'] ?? path.join(repoRoot, 'test-results');

let report: Report;
let work: string;
let file: string;
let context: BrowserContext | undefined;

beforeAll(async () => {
  if (!available && !process.env['CI']) return;
  ({ report } = await buildScenarioWithPlan());
  work = mkdtempSync(path.join(os.tmpdir(), 'vigil-html-'));
  file = path.join(work, 'report.html');
  writeFileSync(file, renderHtml(report));
  // A fresh profile per run: playwright takes it as the persistent context's folder.
  context = await chromium.launchPersistentContext(path.join(work, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Opens the report at a viewport width; records console errors and every request. */
async function open(width: number): Promise<{ page: Page; errors: string[]; requests: string[]; failed: string[] }> {
  if (context === undefined) throw new Error('no browser context');
  const page = await context.newPage();
  await page.setViewportSize({ width, height: 900 });
  const errors: string[] = [];
  const requests: string[] = [];
  const failed: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('request', (request) => requests.push(request.url()));
  page.on('requestfailed', (request) => failed.push(`${request.url()}: ${request.failure()?.errorText ?? ''}`));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, errors, requests, failed };
}

/** A box's top edge and height, in CSS pixels, measured in the page (no DOM types needed here). */
interface Box {
  readonly top: number;
  readonly height: number;
  readonly text: string;
}

describe.skipIf(!available && !process.env['CI'])('the HTML report in headless Chromium', () => {
  it('renders with no console errors or requests, one bar per non-zero level, and a screenshot', async () => {
    const { page, errors, requests, failed } = await open(1280);
    expect(errors).toEqual([]);
    expect(failed).toEqual([]);
    // The page itself is the only request: no network at view time (links are not followed).
    expect(requests).toEqual([pathToFileURL(file).href]);
    // Node-side locators only: the tests are type-checked without the DOM library.
    const bars = await page.locator('#severity-chart rect.bar').all();
    const levels = await Promise.all(bars.map((bar) => bar.getAttribute('data-level')));
    expect(levels).toEqual(CHART_LEVELS.filter((level) => report.summary.bySeverity[level] > 0));
    // The stylesheet applied (the CSP hash matches): the verdict badge has its colour.
    const badge = await page.evaluate<string>("getComputedStyle(document.querySelector('.verdict')).backgroundColor");
    expect(badge).not.toBe('rgba(0, 0, 0, 0)');
    const widths = await Promise.all(bars.map(async (bar) => (await bar.boundingBox())?.width ?? 0));
    for (const width of widths) expect(width).toBeGreaterThan(0);

    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'html-report.png'), fullPage: false });
    await page.close();
  }, 60_000);

  it.each([1280, 360])('at %i px: blocking package rows above the others, one per vulnerable package, links to every id', async (width) => {
    const { page } = await open(width);
    const rows = await page.evaluate<{ top: number; blocking: string | null }[]>(
      "[...document.querySelectorAll('#packages tr.package')].map((row) => ({ top: row.getBoundingClientRect().top + window.scrollY, blocking: row.getAttribute('data-blocking') }))",
    );
    const vulnerable = new Set(report.findings.map((finding) => `${finding.package.location.file} ${finding.package.name} ${finding.package.version}`));
    expect(rows).toHaveLength(vulnerable.size);
    const blocking = rows.filter((row) => row.blocking === 'true');
    const others = rows.filter((row) => row.blocking === 'false');
    expect(blocking.length).toBe(new Set(report.findings.filter((f) => f.decision.kind === 'blocking').map((f) => `${f.package.location.file} ${f.package.name} ${f.package.version}`)).size);
    expect(blocking.length).toBeGreaterThan(0);
    expect(others.length).toBeGreaterThan(0);
    const lowestBlocking = Math.max(...blocking.map((row) => row.top));
    for (const row of others) expect(row.top).toBeGreaterThan(lowestBlocking);

    // Every id of every finding is a link, to an https page.
    const links = await page.evaluate<{ text: string; href: string }[]>(
      "[...document.querySelectorAll('#packages a')].map((a) => ({ text: a.textContent, href: a.href }))",
    );
    const linked = new Set(links.map((link) => link.text));
    for (const finding of report.findings) for (const id of [finding.id, ...finding.aliases]) expect(linked, id).toContain(id);
    for (const link of links) expect(link.href).toMatch(/^https:\/\/(osv\.dev\/vulnerability|github\.com\/advisories|nvd\.nist\.gov\/vuln\/detail)\/[A-Za-z0-9._%:-]+$/);
    await page.close();
  }, 60_000);

  it('at 360 px no id, version, purl or command is broken across lines', async () => {
    const { page } = await open(360);
    // One line of monospace text in this page, measured on a probe with the same style.
    const line = await page.evaluate<number>(
      "(() => { const probe = document.createElement('code'); probe.className = 'tok'; probe.textContent = 'x'; document.querySelector('#packages td').append(probe); const h = probe.getBoundingClientRect().height; probe.remove(); return h; })()",
    );
    expect(line).toBeGreaterThan(5);
    const boxes = await page.evaluate<Box[]>(
      "[...document.querySelectorAll('.tok, code.cmd')].map((el) => { const r = el.getBoundingClientRect(); return { top: r.top, height: r.height, text: el.textContent }; })",
    );
    expect(boxes.length).toBeGreaterThan(report.findings.length);
    // An element broken over two lines is at least two line heights tall; a command may scroll sideways.
    const broken = boxes.filter((box) => box.height > line * 1.5 + 8);
    expect(broken).toEqual([]);
    // The page itself does not scroll sideways: wide tables scroll inside their own box.
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);

    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.locator('#packages-blocking').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'html-report-360.png'), fullPage: false });
    await page.close();
  }, 60_000);
});
