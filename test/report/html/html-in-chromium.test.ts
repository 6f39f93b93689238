import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHART_LEVELS, renderHtml } from '../../../src/report/html/render-html.js';
import { repoRoot } from '../../helpers/shared-data.js';
import { buildScenarioReport } from '../scenario.js';

/** Debian's chromium package; CI installs it (.ci/run), so there it must be present. */
const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && !process.env['CI']) {
  console.warn(`html report browser check skipped: ${CHROMIUM} is missing (apt-get install chromium); it always runs in CI`);
}

describe.skipIf(!available && !process.env['CI'])('the HTML report in headless Chromium', () => {
  it('renders with no console errors or requests, one bar per non-zero level, and a screenshot', async () => {
    const report = await buildScenarioReport();
    const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-html-'));
    const file = path.join(work, 'report.html');
    writeFileSync(file, renderHtml(report));
    // A fresh profile per run: playwright takes it as the persistent context's folder.
    const context = await chromium.launchPersistentContext(path.join(work, 'profile'), {
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
    try {
      const page = await context.newPage();
      const consoleErrors: string[] = [];
      const requests: string[] = [];
      const failed: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      page.on('pageerror', (error) => consoleErrors.push(error.message));
      page.on('request', (request) => requests.push(request.url()));
      page.on('requestfailed', (request) => failed.push(`${request.url()}: ${request.failure()?.errorText ?? ''}`));
      const url = pathToFileURL(file).href;
      await page.goto(url, { waitUntil: 'load' });

      expect(consoleErrors).toEqual([]);
      expect(failed).toEqual([]);
      // The page itself is the only request: no network at view time.
      expect(requests).toEqual([url]);
      // Node-side locators only: the tests are type-checked without the DOM library.
      const bars = await page.locator('#severity-chart rect.bar').all();
      const levels = await Promise.all(bars.map((bar) => bar.getAttribute('data-level')));
      expect(levels).toEqual(CHART_LEVELS.filter((level) => report.summary.bySeverity[level] > 0));
      // The stylesheet applied (the CSP hash matches): the verdict badge has its colour.
      const badge = await page.evaluate<string>("getComputedStyle(document.querySelector('.verdict')).backgroundColor");
      expect(badge).not.toBe('rgba(0, 0, 0, 0)');
      const widths = await Promise.all(bars.map(async (bar) => (await bar.boundingBox())?.width ?? 0));
      for (const width of widths) expect(width).toBeGreaterThan(0);

      const out = path.join(repoRoot, 'test-results');
      mkdirSync(out, { recursive: true });
      await page.screenshot({ path: path.join(out, 'html-report.png'), fullPage: false });
    } finally {
      await context.close();
      rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);
});
