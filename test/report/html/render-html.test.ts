import { beforeAll, describe, expect, it } from 'vitest';
import { CHART_LEVELS, escapeHtml, renderHtml } from '../../../src/report/html/render-html.js';
import type { Report, ReportFinding } from '../../../src/report/report.js';
import { expectGolden } from '../golden.js';
import { SCENARIO_EXCEPTION_ID, buildScenarioReport } from '../scenario.js';

let report: Report;
let html: string;

beforeAll(async () => {
  report = await buildScenarioReport();
  html = renderHtml(report);
});

describe('renderHtml over the scenario (cyberchef + treeherder)', () => {
  it('matches the golden file (UPDATE_GOLDEN=1 rewrites it)', () => {
    expectGolden('scenario.html', html);
  });

  it('is self-contained: no script, no external resource, a CSP that allows only its own stylesheet', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\s(src|href|action|srcset)=/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;sha256-[A-Za-z0-9+/=]+&#39;/);
  });

  it('shows the verdict and one bar per non-zero severity level', () => {
    expect(html).toContain(report.summary.passed ? '>PASSED<' : '>FAILED<');
    const bars = [...html.matchAll(/<rect class="bar" data-level="([a-z]+)"/g)].map((match) => match[1]);
    expect(bars).toEqual(CHART_LEVELS.filter((level) => report.summary.bySeverity[level] > 0));
  });

  it('groups findings under their direct dependency', () => {
    for (const finding of report.findings) {
      const head = finding.paths[0]?.[0];
      if (head !== undefined) expect(html).toContain(`<h3><code>${escapeHtml(head)}</code>`);
    }
  });

  it('lists the exceptions with days to expiry', () => {
    for (const entry of report.policy.exceptions) expect(html).toContain(`<code>${entry.id}</code>`);
    const applied = report.policy.exceptions.find((entry) => entry.id === SCENARIO_EXCEPTION_ID);
    expect(html).toContain(`<td>${applied?.daysToExpiry}</td>`);
    expect(html).toMatch(/expired \d+ days ago/);
    // The reason is hostile-looking text in the scenario: shown, never interpreted.
    expect(html).toContain('&lt;b&gt;no&lt;/b&gt;');
  });

  it('escapes hostile advisory text', () => {
    const first = report.findings[0] as ReportFinding;
    const hostile: ReportFinding = { ...first, summary: '<img src=x onerror=alert(1)> & "quoted" \'single\'', package: { ...first.package, name: '<svg onload=x>' } };
    const out = renderHtml({ ...report, findings: [hostile] });
    expect(out).not.toContain('<img');
    expect(out).not.toContain('<svg onload');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &#34;quoted&#34; &#39;single&#39;');
  });

  it('says so when there is nothing to chart', () => {
    const empty: Report = { ...report, findings: [], summary: { ...report.summary, findings: 0, bySeverity: { critical: 0, high: 0, medium: 0, low: 0, none: 0, unknown: 0 } } };
    const out = renderHtml(empty);
    expect(out).not.toContain('<svg');
    expect(out).toContain('No findings.');
  });
});
