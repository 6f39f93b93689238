import { beforeAll, describe, expect, it } from 'vitest';
import { ecosystems } from '../../../src/ecosystems/ecosystems.js';
import type { RemediationPlan } from '../../../src/remediation/plan.js';
import { advisoryUrl, CHART_LEVELS, escapeHtml, renderHtml } from '../../../src/report/html/render-html.js';
import type { Report, ReportFinding } from '../../../src/report/report.js';
import { expectGolden } from '../golden.js';
import { SCENARIO_EXCEPTION_ID, buildScenarioWithPlan } from '../scenario.js';

let report: Report;
let plan: RemediationPlan;
let html: string;

beforeAll(async () => {
  ({ report, plan } = await buildScenarioWithPlan());
  html = renderHtml(report);
}, 120_000);

/** The package rows of the "what to do" section, in page order. */
function packageRows(page: string): { blocking: boolean; html: string }[] {
  return [...page.matchAll(/<tr class="package[^"]*" data-blocking="(true|false)">(.*?)<\/tr>/g)].map((match) => ({ blocking: match[1] === 'true', html: match[2] ?? '' }));
}

const instanceOf = (finding: ReportFinding): string => `${finding.package.location.file}\u0000${finding.package.name}\u0000${finding.package.version}`;

describe('renderHtml over the scenario (cyberchef + treeherder)', () => {
  it('matches the golden file (UPDATE_GOLDEN=1 rewrites it)', () => {
    expectGolden('scenario.html', html);
  });

  it('is self-contained: no script, no external resource, a CSP that allows only its own stylesheet', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\s(src|action|srcset)=/i);
    // The only references are links to advisory pages, on https, never loaded with the page.
    const hrefs = [...html.matchAll(/\shref="([^"]*)"/gi)].map((match) => match[1]);
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) expect(href).toMatch(/^https:\/\/(osv\.dev\/vulnerability|github\.com\/advisories|nvd\.nist\.gov\/vuln\/detail)\//);
    expect(html).not.toMatch(/<link|<iframe|<img|<object|<embed/i);
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
      if (head !== undefined) expect(html).toContain(`<h3><code class="tok">${escapeHtml(head)}</code>`);
    }
  });

  it('lists the exceptions with days to expiry', () => {
    for (const entry of report.policy.exceptions) expect(html).toContain(`<code class="tok">${entry.id}</code>`);
    const applied = report.policy.exceptions.find((entry) => entry.id === SCENARIO_EXCEPTION_ID);
    expect(html).toContain(`<td>${applied?.daysToExpiry}</td>`);
    expect(html).toMatch(/expired \d+ days ago/);
    // The reason is hostile-looking text in the scenario: shown, never interpreted.
    expect(html).toContain('&lt;b&gt;no&lt;/b&gt;');
  });

  it('escapes hostile advisory text', () => {
    const first = report.findings[0] as ReportFinding;
    const hostile: ReportFinding = { ...first, summary: '<img src=x onerror=alert(1)> & "quoted" \'single\'', package: { ...first.package, name: '<svg onload=x>' } };
    const out = renderHtml({ ...report, findings: [hostile], remediation: { versionSource: 'advisories', packages: [] } });
    expect(out).not.toContain('<img');
    expect(out).not.toContain('<svg onload');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &#34;quoted&#34; &#39;single&#39;');
  });

  it('lists each vulnerable package once, the packages with a blocking finding first', () => {
    const rows = packageRows(html);
    expect(rows).toHaveLength(new Set(report.findings.map(instanceOf)).size);
    const firstOther = rows.findIndex((row) => !row.blocking);
    expect(firstOther).toBeGreaterThan(0);
    expect(rows.slice(firstOther).every((row) => !row.blocking)).toBe(true);
    const blockingPackages = new Set(report.findings.filter((finding) => finding.decision.kind === 'blocking').map(instanceOf));
    expect(firstOther).toBe(blockingPackages.size);
    // Every finding's id is in exactly one row.
    for (const finding of report.findings) {
      const holding = rows.filter((row) => row.html.includes(`>${escapeHtml(finding.id)}</code></a> <small>`));
      expect(holding.length, finding.id).toBeGreaterThanOrEqual(1);
    }
  });

  it('gives a package with several advisories one target: the version the plan computes, which clears each of them', () => {
    // aiohttp 3.7.4.post0 in treeherder's requirements/common.txt has seven advisories of its own.
    const findings = report.findings.filter((finding) => finding.package.name === 'aiohttp' && finding.package.version === '3.7.4.post0');
    expect(findings.length).toBe(7);
    const rows = packageRows(html).filter((row) => row.html.includes('<code class="tok">aiohttp</code> <code class="tok">3.7.4.post0</code>'));
    expect(rows).toHaveLength(1);
    const planned = plan.remediations.find((entry) => entry.package.name === 'aiohttp' && entry.package.version === '3.7.4.post0');
    const target = planned?.fix.target;
    expect(target).toBeDefined();
    // Independently: no advisory's own smallest fix above 3.7.4.post0 is above the target, and the
    // target is one of those fixes (the largest of them, since a version past every fix clears all).
    const pep440 = ecosystems.PyPI.versions;
    const smallestFixes = findings.map((finding) => finding.fixed.filter((version) => pep440.compare(version, '3.7.4.post0') > 0).sort((a, b) => pep440.compare(a, b))[0] ?? '');
    const largest = [...smallestFixes].sort((a, b) => pep440.compare(a, b)).at(-1);
    expect(target).toBe(largest);
    const row = rows[0]?.html ?? '';
    expect([...row.matchAll(/<code class="tok target">([^<]*)<\/code>/g)].map((match) => match[1])).toEqual([target]);
    expect(row).toContain(`<code class="cmd">${escapeHtml(`pip install --upgrade 'aiohttp==${target ?? ''}'`)}</code>`);
    expect(row).toContain('<span class="upgrade">minor</span>');
    for (const finding of findings) expect(row).toMatch(new RegExp(`<a href="https://[^"]+/${finding.id}" rel="noopener noreferrer"><code class="tok">${finding.id}</code></a>`));
    expect((row.match(/<li class="advisory/g) ?? []).length).toBe(7);
  });

  it('tells an indirect npm package to add an override, then install', () => {
    const planned = plan.remediations.find((entry) => entry.package.name === 'axios');
    expect(planned?.package.direct).toBe(false);
    const row = packageRows(html).find((entry) => entry.html.includes('<code class="tok">axios</code>'))?.html ?? '';
    expect(row).toContain(`add to <code class="tok">npm/cyberchef/package.json</code>: <code class="cmd">${escapeHtml(`"overrides": { "axios": "${planned?.proposed ?? ''}" }`)}</code>`);
    expect(row).toContain('then <code class="cmd">npm install</code>');
  });

  it('without a plan still lists each package once and says where targets come from', () => {
    const plain: Report = { ...report };
    delete (plain as { remediation?: unknown }).remediation;
    expect(plain.remediation).toBeUndefined();
    const out = renderHtml(plain);
    expect(packageRows(out)).toHaveLength(new Set(report.findings.map(instanceOf)).size);
    expect(out).toContain('Targets are not planned in this report');
  });

  it('says so when there is nothing to chart', () => {
    const empty: Report = { ...report, findings: [], summary: { ...report.summary, findings: 0, bySeverity: { critical: 0, high: 0, medium: 0, low: 0, none: 0, unknown: 0 } } };
    const out = renderHtml(empty);
    expect(out).not.toContain('<svg');
    expect(out).toContain('No findings.');
  });
});

describe('advisoryUrl', () => {
  it.each([
    { name: 'GHSA to GitHub', id: 'GHSA-jh3w-4vvf-mjgr', want: 'https://github.com/advisories/GHSA-jh3w-4vvf-mjgr' },
    { name: 'CVE to NVD', id: 'CVE-2023-32681', want: 'https://nvd.nist.gov/vuln/detail/CVE-2023-32681' },
    { name: 'PYSEC to osv.dev', id: 'PYSEC-2023-74', want: 'https://osv.dev/vulnerability/PYSEC-2023-74' },
    { name: 'MAL to osv.dev', id: 'MAL-2024-1234', want: 'https://osv.dev/vulnerability/MAL-2024-1234' },
    { name: 'a colon is URL-encoded', id: 'DEBIAN-CVE-2024:1', want: 'https://osv.dev/vulnerability/DEBIAN-CVE-2024%3A1' },
    { name: 'a GHSA id with letters outside its alphabet is not GitHub’s', id: 'GHSA-aaaa-bbbb-cccc', want: 'https://osv.dev/vulnerability/GHSA-aaaa-bbbb-cccc' },
    { name: 'a javascript: URL is no id', id: 'javascript:alert(1)', want: undefined },
    { name: 'markup is no id', id: 'PYSEC-1"><script>', want: undefined },
    { name: 'a path is no id', id: 'PYSEC-../../x', want: undefined },
    { name: 'spaces are no id', id: 'CVE 2024 1', want: undefined },
  ])('$name', ({ id, want }) => {
    const url = advisoryUrl(id);
    if (url === undefined || want === undefined) expect(url).toBe(want);
    else {
      expect(url).toBe(want);
      expect(new URL(url).protocol).toBe('https:');
    }
  });

  it('never links an id it cannot place, and escapes it', () => {
    const first = report.findings[0] as ReportFinding;
    const out = renderHtml({ ...report, findings: [{ ...first, id: 'x"><b>', aliases: ['javascript:alert(1)'] }], remediation: { versionSource: 'advisories', packages: [] } });
    expect(out).toContain('<code class="tok">x&#34;&gt;&lt;b&gt;</code>');
    expect(out).not.toContain('href="javascript');
  });
});
