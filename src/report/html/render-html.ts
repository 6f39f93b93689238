import { createHash } from 'node:crypto';
import type { GateDecision } from '../../policy/types.js';
import type { AuditedImage, SourceLocation } from '../../core/types.js';
import { visibleText } from '../../core/visible-text.js';
import { imageName } from '../image-identity.js';
import { fileAndLine, isInImage, shortDigest } from '../installed-location.js';
import type { Report, ReportFinding, ReportPackage, ReportRemediation } from '../report.js';

/** Severity levels as the chart shows them, most severe first. */
export const CHART_LEVELS = ['critical', 'high', 'medium', 'low', 'none', 'unknown'] as const;

const DECISION_LABEL: Readonly<Record<GateDecision['kind'], string>> = {
  blocking: 'blocking',
  'allowed-by-exception': 'allowed by exception',
  'below-threshold': 'below threshold',
  'ignored-scope': 'ignored scope',
  'not-affected': 'not affected (VEX)',
};

const CSS = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; }
body { margin: 2rem auto; max-width: 76rem; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .25rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .5rem; }
.meta { color: #59636e; margin-top: 0; }
.verdict { display: inline-block; padding: .35rem .8rem; border-radius: .4rem; font-weight: 700; color: #fff; }
.verdict.passed { background: #1a7f37; } .verdict.failed { background: #cf222e; }
dl.counts { display: grid; grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr)); gap: .5rem; }
dl.counts div { border: 1px solid #d0d7de; border-radius: .4rem; padding: .5rem .75rem; }
dl.counts dt { color: #59636e; font-size: .85rem; } dl.counts dd { margin: 0; font-size: 1.4rem; font-weight: 600; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { border: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85em; }
.tok { white-space: nowrap; }
code.tok { display: inline-block; max-width: 100%; overflow-x: auto; vertical-align: bottom; }
svg#severity-chart { max-width: 100%; height: auto; }
.cmd { display: inline-block; max-width: 100%; overflow-x: auto; white-space: nowrap; vertical-align: top; background: #f6f8fa; border: 1px solid #d0d7de; border-radius: .3rem; padding: .1rem .35rem; }
ul.ids { list-style: none; margin: 0; padding: 0; } ul.ids li { margin: 0 0 .2rem; }
a { color: #0969da; }
tr.blocking > td:first-child { border-left: 4px solid #cf222e; }
.decision-blocking { color: #cf222e; font-weight: 600; } .decision-allowed-by-exception { color: #9a6700; }
.held { color: #9a6700; } .no-fix { color: #cf222e; } .malicious { color: #8b0000; }
tr.malicious > td { background: #fff0f0; }
.expired { color: #cf222e; font-weight: 600; }
svg text { font-size: 12px; fill: #1f2328; }
@media (max-width: 48rem) {
  table.packages thead { display: none; }
  table.packages, table.packages tbody, table.packages tr, table.packages td { display: block; width: auto; }
  table.packages tr { border: 1px solid #d0d7de; border-radius: .4rem; margin-bottom: .75rem; }
  table.packages td { border: none; border-top: 1px solid #eaeef2; overflow-x: auto; }
  table.packages td:first-child { border-top: none; }
  table.packages td::before { content: attr(data-label); display: block; font-size: .75rem; color: #59636e; }
}
`;

/** Bar colours per level (SVG attributes: no inline style, so the CSP needs no 'unsafe-inline'). */
const BAR_COLOR: Readonly<Record<(typeof CHART_LEVELS)[number], string>> = {
  critical: '#8b0000',
  high: '#cf222e',
  medium: '#d4a72c',
  low: '#2f81f7',
  none: '#8c959f',
  unknown: '#6e40c9',
};

/**
 * `--format html`: one self-contained page (no script, no external resource; a CSP that allows
 * only the page's own stylesheet, by hash, so nothing is fetched at view time). All report text
 * is escaped: advisory summaries and policy reasons are untrusted input.
 */
export function renderHtml(report: Report): string {
  const styleHash = createHash('sha256').update(CSS).digest('base64');
  const csp = `default-src 'none'; style-src 'sha256-${styleHash}'; base-uri 'none'; form-action 'none'`;
  const { summary } = report;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>vigil audit: ${summary.passed ? 'passed' : 'failed'}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<header>',
    '<h1>Dependency security report</h1>',
    ...(report.images ?? []).map(renderImageLine),
    `<p class="meta">vigil <span class="tok">${escapeHtml(report.tool.version)}</span> · audited <span class="tok">${escapeHtml(report.generatedAt)}</span> · advisory data updated <span class="tok">${escapeHtml(report.database.updatedAt ?? 'unknown')}</span></p>`,
    '</header>',
    renderSummary(report),
    renderPackages(report),
    renderChart(report),
    renderFindings(report),
    renderExceptions(report),
    renderProblems(report),
    renderSkipped(report),
    '</body>',
    '</html>',
    '',
  ]
    .filter((part) => part !== '')
    .join('\n')
    .concat('\n');
}

/** The audited image, as it names itself (its strings come from the image: controls made visible, escaped). */
function renderImageLine(image: AuditedImage): string {
  const name = imageName(image);
  const digest = image.digest === undefined ? 'no digest recorded' : `${image.digestOf === 'config' ? 'image id' : 'manifest'} <span class="tok">${escapeHtml(visibleText(image.digest))}</span>`;
  return `<p class="meta image">image <span class="tok">${escapeHtml(visibleText(name ?? 'with no name'))}</span> · ${digest} · ${image.layers.length} layer${image.layers.length === 1 ? '' : 's'}</p>`;
}

function renderSummary(report: Report): string {
  const { summary } = report;
  const counts: [string, number][] = [
    ['Lockfiles', summary.sources],
    ['Packages', summary.packages],
    ['Findings', summary.findings],
    ['Vulnerable packages', summary.vulnerablePackages],
    ['Blocking', summary.blocking],
    ['Unevaluable', summary.unevaluable],
    ['Allowed by exception', summary.allowedByException],
    ['Below threshold', summary.belowThreshold],
    ['Ignored scope', summary.ignoredScope],
    ...(summary.notAffected > 0 ? [['Not affected (VEX)', summary.notAffected] as [string, number]] : []),
    ['Policy errors', summary.policyErrors],
    ['Skipped entries', summary.skipped],
  ];
  const why = summary.passed
    ? `No finding at or above ${report.policy.failOn} blocks, and the policy has no errors.`
    : `${summary.blocking} blocking finding${summary.blocking === 1 ? '' : 's'} and ${summary.policyErrors} policy error${summary.policyErrors === 1 ? '' : 's'} (fail_on ${report.policy.failOn}).`;
  return [
    '<section id="summary">',
    '<h2>Summary</h2>',
    `<p><span class="verdict ${summary.passed ? 'passed' : 'failed'}">${summary.passed ? 'PASSED' : 'FAILED'}</span> ${escapeHtml(why)}</p>`,
    '<dl class="counts">',
    ...counts.map(([label, value]) => `<div><dt>${label}</dt><dd>${value}</dd></div>`),
    '</dl>',
    `<p>Lockfiles: ${report.sources.map((source) => `<code class="tok">${escapeHtml(source.path)}</code>`).join(', ')}</p>`,
    '</section>',
  ].join('\n');
}

/** Horizontal bars, one per severity level with findings; scaled to the largest count. */
function renderChart(report: Report): string {
  const levels = CHART_LEVELS.filter((level) => report.summary.bySeverity[level] > 0);
  const largest = Math.max(1, ...levels.map((level) => report.summary.bySeverity[level]));
  const rowHeight = 28;
  const labelWidth = 80;
  const barSpace = 400;
  const height = Math.max(1, levels.length) * rowHeight + 8;
  const rows = levels.map((level, index) => {
    const count = report.summary.bySeverity[level];
    const width = Math.max(2, Math.round((count / largest) * barSpace));
    const y = 4 + index * rowHeight;
    return [
      `<text x="0" y="${y + 17}">${level}</text>`,
      `<rect class="bar" data-level="${level}" x="${labelWidth}" y="${y}" width="${width}" height="${rowHeight - 8}" fill="${BAR_COLOR[level]}"><title>${level}: ${count}</title></rect>`,
      `<text x="${labelWidth + width + 6}" y="${y + 17}">${count}</text>`,
    ].join('');
  });
  return [
    '<section id="severity">',
    '<h2>Findings by severity</h2>',
    levels.length === 0
      ? '<p>No findings.</p>'
      : `<svg id="severity-chart" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="findings by severity" width="${labelWidth + barSpace + 60}" height="${height}" viewBox="0 0 ${labelWidth + barSpace + 60} ${height}">\n${rows.join('\n')}\n</svg>`,
    '</section>',
  ].join('\n');
}

/** Severity levels, most severe first (`unknown` blocks like `high` by default, so it sorts there). */
const LEVEL_RANK: Readonly<Record<ReportFinding['severity']['level'], number>> = { critical: 0, high: 1, unknown: 2, medium: 3, low: 4, none: 5 };

/** Upgrade classes in words; a class without an entry is shown as it is named. */
const UPGRADE_LABEL: Readonly<Partial<Record<string, string>>> = {
  'none-available': 'none available',
  'security-update': 'security update',
};

/** One vulnerable package (one file, name and version): its findings and, with a plan, its remediation. */
interface PackageRow {
  readonly file: string;
  readonly name: string;
  readonly version: string;
  readonly purl: string;
  /** Where it is: file and line, and for a file in an image the layer that holds it. */
  readonly location: SourceLocation;
  readonly distro: ReportPackage['distro'];
  readonly findings: ReportFinding[];
  readonly remediation: ReportRemediation | undefined;
}

function isBlocking(finding: ReportFinding): boolean {
  return finding.decision.kind === 'blocking';
}

function isMalicious(finding: ReportFinding): boolean {
  return finding.malicious === true;
}

/** Malicious packages first, then blocking findings, then by severity (score, then level), then id. */
function compareFindings(a: ReportFinding, b: ReportFinding): number {
  return (
    Number(isMalicious(b)) - Number(isMalicious(a)) ||
    Number(isBlocking(b)) - Number(isBlocking(a)) ||
    LEVEL_RANK[a.severity.level] - LEVEL_RANK[b.severity.level] ||
    (b.severity.score ?? -1) - (a.severity.score ?? -1) ||
    a.id.localeCompare(b.id)
  );
}

/**
 * One row per vulnerable package. With a plan, each remediation takes the findings it names (same
 * file and version, id among its ids), exactly as the planner grouped them; a finding no remediation
 * names (a report built without a plan) gets a row by file, name and version.
 */
function packageRows(report: Report): PackageRow[] {
  const rows: PackageRow[] = [];
  const claimed = new Set<ReportFinding>();
  for (const remediation of report.remediation?.packages ?? []) {
    const ids = new Set(remediation.ids);
    const findings = report.findings.filter(
      (finding) =>
        !claimed.has(finding) &&
        ids.has(finding.id) &&
        finding.package.location.file === remediation.package.location.file &&
        finding.package.version === remediation.package.version &&
        finding.package.ecosystem === remediation.package.ecosystem,
    );
    for (const finding of findings) claimed.add(finding);
    const { package: pkg } = remediation;
    const distro = findings.find((finding) => finding.package.distro !== undefined)?.package.distro;
    rows.push({ file: pkg.location.file, name: pkg.name, version: pkg.version, purl: pkg.purl, location: pkg.location, distro, findings, remediation });
  }
  const unplanned = new Map<string, PackageRow>();
  for (const finding of report.findings) {
    if (claimed.has(finding)) continue;
    const pkg = finding.package;
    const key = `${pkg.location.file}\u0000${pkg.ecosystem}\u0000${pkg.name}\u0000${pkg.version}`;
    const row = unplanned.get(key) ?? {
      file: pkg.location.file,
      name: pkg.name,
      version: pkg.version,
      purl: pkg.purl,
      location: pkg.location,
      distro: pkg.distro,
      findings: [],
      remediation: undefined,
    };
    row.findings.push(finding);
    unplanned.set(key, row);
  }
  rows.push(...unplanned.values());
  for (const row of rows) row.findings.sort(compareFindings);
  const worst = (row: PackageRow): number => Math.min(...row.findings.map((finding) => LEVEL_RANK[finding.severity.level]));
  return rows.sort(
    (a, b) =>
      Number(b.findings.some(isMalicious)) - Number(a.findings.some(isMalicious)) ||
      Number(b.findings.some(isBlocking)) - Number(a.findings.some(isBlocking)) ||
      worst(a) - worst(b) ||
      a.file.localeCompare(b.file) ||
      a.name.localeCompare(b.name) ||
      a.version.localeCompare(b.version),
  );
}

/**
 * What to do, per vulnerable package: the packages with a blocking finding first, each with the
 * single version that clears all its advisories, the upgrade class, the command, and its advisories.
 */
function renderPackages(report: Report): string {
  const rows = packageRows(report);
  const blocking = rows.filter((row) => row.findings.some(isBlocking));
  const others = rows.filter((row) => !row.findings.some(isBlocking));
  const source =
    report.remediation === undefined
      ? 'Targets are not planned in this report: <code class="tok">vigil audit --format html</code> and <code class="tok">vigil plan</code> plan them.'
      : `Target: the smallest version that clears every advisory of the package in the advisory store (${report.remediation.versionSource === 'advisories' ? "from the advisories' fixed versions, no registry consulted" : 'from the registry’s published versions'}), and whether the maintenance policy allows that upgrade.`;
  const parts = ['<section id="packages">', '<h2>What to do, per package</h2>', `<p>${source}</p>`];
  if (rows.length === 0) parts.push('<p>No vulnerable package.</p>');
  for (const [title, id, list] of [
    ['Blocking', 'packages-blocking', blocking],
    ['Not blocking', 'packages-other', others],
  ] as const) {
    if (list.length === 0) continue;
    parts.push(
      `<h3 id="${id}">${title}: ${list.length} package${list.length === 1 ? '' : 's'}</h3>`,
      '<div class="scroll">',
      `<table class="packages">`,
      '<thead><tr><th>Package</th><th>Status</th><th>Target</th><th>Upgrade</th><th>Command</th><th>Advisories</th></tr></thead>',
      '<tbody>',
      ...list.map(renderPackageRow),
      '</tbody>',
      '</table>',
      '</div>',
    );
  }
  parts.push('</section>');
  return parts.join('\n');
}

function renderPackageRow(row: PackageRow): string {
  const blocking = row.findings.some(isBlocking);
  const malicious = row.findings.some(isMalicious);
  const { remediation } = row;
  if (malicious) {
    return [
      `<tr class="package blocking malicious" data-blocking="true" data-malicious="true">`,
      renderPackageCell(row),
      `<td data-label="Status"><strong class="malicious">malicious package</strong><br>${renderStatus(row.findings)}</td>`,
      '<td data-label="Target"><strong class="malicious">remove it</strong></td>',
      '<td data-label="Upgrade">none: no version of a malicious package is a fix, and no exception allows it</td>',
      `<td data-label="Command">${remediation?.command === null || remediation?.command === undefined ? 'remove the dependency that brings it in' : `<code class="cmd">${escapeHtml(remediation.command)}</code>`}<br><small>then check the machines that installed it</small></td>`,
      `<td data-label="Advisories"><ul class="ids">${row.findings.map(renderAdvisoryItem).join('')}</ul></td>`,
      '</tr>',
    ].join('');
  }
  return [
    `<tr class="package${blocking ? ' blocking' : ''}" data-blocking="${blocking}">`,
    renderPackageCell(row),
    `<td data-label="Status">${renderStatus(row.findings)}</td>`,
    `<td data-label="Target">${renderTarget(remediation)}</td>`,
    `<td data-label="Upgrade">${renderUpgrade(remediation)}</td>`,
    `<td data-label="Command">${renderCommand(remediation)}</td>`,
    `<td data-label="Advisories"><ul class="ids">${row.findings.map(renderAdvisoryItem).join('')}</ul></td>`,
    '</tr>',
  ].join('');
}

/**
 * The package, where it is (file:line; in an image the path in the image and the layer that brought
 * it, short digest shown, whole digest on hover), its source package for a distribution package, and its purl.
 */
function renderPackageCell(row: PackageRow): string {
  const source =
    row.distro !== undefined && (row.distro.sourceName !== row.name || row.distro.sourceVersion !== row.version)
      ? `<br><small>source package <code class="tok">${escapeHtml(row.distro.sourceName)}</code> <code class="tok">${escapeHtml(row.distro.sourceVersion)}</code> (${escapeHtml(row.distro.release)})</small>`
      : '';
  return `<td data-label="Package"><code class="tok">${escapeHtml(row.name)}</code> <code class="tok">${escapeHtml(row.version)}</code>${source}<br><small>${renderPlace(row.location)} <code class="tok">${escapeHtml(row.purl)}</code></small></td>`;
}

/** `file:line`; for a file in an image, its path in the image and the layer (short digest, whole on hover). */
function renderPlace(location: SourceLocation): string {
  const place = `<code class="tok">${escapeHtml(fileAndLine(location))}</code>`;
  if (!isInImage(location)) return place;
  return `${place} <span class="layer" title="${escapeHtml(location.layer)}">layer <code class="tok">${escapeHtml(shortDigest(location.layer))}</code></span>`;
}

/** Findings per decision, the blocking count first, and the earliest due date of a blocking one. */
function renderStatus(findings: readonly ReportFinding[]): string {
  const counts = new Map<ReportFinding['decision']['kind'], number>();
  for (const finding of findings) counts.set(finding.decision.kind, (counts.get(finding.decision.kind) ?? 0) + 1);
  const parts = [...counts]
    .sort(([a], [b]) => Number(b === 'blocking') - Number(a === 'blocking'))
    .map(([kind, count]) => `<span class="decision-${kind}">${count} ${DECISION_LABEL[kind]}</span>`);
  const dues = findings
    .map((finding) => finding.decision)
    .filter((decision) => decision.kind === 'blocking' && decision.due !== undefined)
    .sort((a, b) => ((a.kind === 'blocking' && a.due) || '').localeCompare((b.kind === 'blocking' && b.due) || ''));
  const first = dues[0];
  if (first?.kind === 'blocking' && first.due !== undefined) {
    parts.push(`<span class="${first.overdue === true ? 'expired' : ''}">${first.overdue === true ? 'overdue since' : 'due'} <span class="tok">${escapeHtml(first.due.slice(0, 10))}</span></span>`);
  }
  return parts.join('<br>');
}

function renderTarget(remediation: ReportRemediation | undefined): string {
  if (remediation === undefined) return 'not planned';
  if (remediation.target === null) return '<span class="no-fix">no fixed version known</span>';
  return `<code class="tok target">${escapeHtml(remediation.target)}</code>`;
}

function renderUpgrade(remediation: ReportRemediation | undefined): string {
  if (remediation === undefined) return '';
  const upgrade = `<span class="upgrade">${escapeHtml(UPGRADE_LABEL[remediation.upgrade] ?? remediation.upgrade)}</span>`;
  if (remediation.decision === 'allowed') return upgrade;
  const held =
    remediation.decision === 'held'
      ? `<br><span class="held" title="${escapeHtml(remediation.reason ?? '')}">held by the maintenance policy</span>`
      : '';
  const proposed =
    remediation.proposed !== null && remediation.proposed !== remediation.target
      ? `<br>allowed now: <code class="tok">${escapeHtml(remediation.proposed)}</code> (clears only some)`
      : '';
  return `${upgrade}${held}${proposed}${remediation.reason === null ? '' : `<br><small>${escapeHtml(remediation.reason)}</small>`}`;
}

function renderCommand(remediation: ReportRemediation | undefined): string {
  if (remediation === undefined) return '';
  const parts: string[] = [];
  if (remediation.edit !== null) {
    parts.push(`add to <code class="tok">${escapeHtml(remediation.edit.file)}</code>: <code class="cmd">${escapeHtml(remediation.edit.text)}</code>`);
  }
  if (remediation.command !== null) parts.push(`${remediation.edit === null ? '' : 'then '}<code class="cmd">${escapeHtml(remediation.command)}</code>`);
  if (parts.length === 0) return remediation.proposed === null ? 'none' : 'update the file’s source';
  return parts.join('<br>');
}

/** An advisory id, linked to its page when the id has a known form, with its aliases and severity. */
function renderAdvisoryItem(finding: ReportFinding): string {
  const aliases = finding.aliases.length === 0 ? '' : ` <small>${finding.aliases.map(renderAdvisoryId).join(' ')}</small>`;
  const score = finding.severity.score === undefined ? '' : ` ${finding.severity.score.toFixed(1)}`;
  return `<li class="advisory${isBlocking(finding) ? ' blocking' : ''}">${renderAdvisoryId(finding.id)} <small>${escapeHtml(finding.severity.level)}${score}</small>${aliases}${renderDistroClass(finding)}</li>`;
}

/** The distribution's own classification of a flaw (Debian urgency or Ubuntu priority, no-dsa, unfixed). */
function renderDistroClass(finding: ReportFinding): string {
  const { distro } = finding;
  if (distro === undefined) return '';
  const parts = [
    ...(distro.urgency === undefined ? [] : [`urgency ${escapeHtml(distro.urgency)}`]),
    ...(distro.noDsa === undefined ? [] : [`no-dsa: ${escapeHtml(distro.noDsa)}`]),
    ...(distro.unfixed ? ['unfixed in the release'] : []),
  ];
  return parts.length === 0 ? '' : ` <small class="distro">${parts.join(' · ')}</small>`;
}

/**
 * The advisory's page for an id: GitHub's for GHSA ids, NVD's for CVE ids, osv.dev's for every other
 * OSV-style id (`PREFIX-...`, e.g. PYSEC, MAL, RUSTSEC). Ids come from input, so only these forms
 * get a link (always https, the id URL-encoded); anything else is shown as text.
 */
export function advisoryUrl(id: string): string | undefined {
  if (/^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/.test(id)) return `https://github.com/advisories/${id}`;
  if (/^CVE-\d{4}-\d{4,}$/.test(id)) return `https://nvd.nist.gov/vuln/detail/${id}`;
  if (/^[A-Za-z][A-Za-z0-9]{0,15}-[A-Za-z0-9._:-]{1,100}$/.test(id)) return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
  return undefined;
}

function renderAdvisoryId(id: string): string {
  const url = advisoryUrl(id);
  const text = `<code class="tok">${escapeHtml(id)}</code>`;
  return url === undefined ? text : `<a href="${escapeHtml(url)}" rel="noopener noreferrer">${text}</a>`;
}

/**
 * Findings under the direct dependency that brings them in (the first step of each path; a
 * finding reached through several direct dependencies is listed under each). A direct package
 * is its own group; a format without edges puts its findings under "path unknown". Groups with a
 * blocking finding come first, and in each group the blocking findings.
 */
function renderFindings(report: Report): string {
  const groups = new Map<string, { file: string; direct: string; findings: ReportFinding[] }>();
  for (const finding of report.findings) {
    const firsts = [...new Set(finding.paths.map((path) => path[0]).filter((step): step is string => step !== undefined))];
    const heads = firsts.length > 0 ? firsts : [finding.package.direct === true ? `${finding.package.name}@${finding.package.version}` : ''];
    for (const head of heads) {
      const key = `${finding.package.location.file}\u0000${head}`;
      const group = groups.get(key) ?? { file: finding.package.location.file, direct: head, findings: [] };
      group.findings.push(finding);
      groups.set(key, group);
    }
  }
  for (const group of groups.values()) group.findings.sort(compareFindings);
  const sorted = [...groups.values()].sort(
    (a, b) => Number(b.findings.some(isBlocking)) - Number(a.findings.some(isBlocking)) || a.file.localeCompare(b.file) || a.direct.localeCompare(b.direct),
  );
  const parts = ['<section id="findings">', '<h2>Findings by direct dependency</h2>'];
  if (sorted.length === 0) parts.push('<p>No findings.</p>');
  for (const group of sorted) {
    const blocking = group.findings.filter(isBlocking).length;
    parts.push(
      `<h3>${group.direct === '' ? 'Dependency path unknown' : `<code class="tok">${escapeHtml(group.direct)}</code>`} <small>in <code class="tok">${escapeHtml(group.file)}</code>: ${group.findings.length} finding${group.findings.length === 1 ? '' : 's'}, ${blocking} blocking</small></h3>`,
      '<div class="scroll">',
      '<table class="findings">',
      '<thead><tr><th>Advisory</th><th>Package</th><th>Severity</th><th>Decision</th><th>Fixed in</th><th>Summary</th></tr></thead>',
      '<tbody>',
      ...group.findings.map(renderFindingRow),
      '</tbody>',
      '</table>',
      '</div>',
    );
  }
  parts.push('</section>');
  return parts.join('\n');
}

function renderFindingRow(finding: ReportFinding): string {
  const { decision, severity } = finding;
  const ids = [finding.id, ...finding.aliases].map(renderAdvisoryId).join('<br>');
  const score = severity.score === undefined ? '' : ` ${severity.score.toFixed(1)}`;
  const due = decision.kind === 'blocking' && decision.due !== undefined ? `<br>${decision.overdue === true ? 'overdue since' : 'due'} <span class="tok">${escapeHtml(decision.due.slice(0, 10))}</span>` : '';
  return [
    `<tr class="finding${isBlocking(finding) ? ' blocking' : ''}">`,
    `<td>${ids}</td>`,
    `<td><code class="tok">${escapeHtml(finding.package.name)}</code> <code class="tok">${escapeHtml(finding.package.version)}</code><br><small>${renderFindingPlace(finding.package.location)}</small></td>`,
    `<td>${escapeHtml(severity.level)}${score}</td>`,
    `<td class="decision-${decision.kind}" title="${escapeHtml(decision.reason)}">${DECISION_LABEL[decision.kind]}${due}</td>`,
    `<td>${finding.fixed.length > 0 ? finding.fixed.map((version) => `<code class="tok">${escapeHtml(version)}</code>`).join(', ') : 'none yet'}</td>`,
    `<td>${escapeHtml(finding.summary)}</td>`,
    '</tr>',
  ].join('');
}

/** Within a group of one file: the line, and for a file in an image the layer too. */
function renderFindingPlace(location: SourceLocation): string {
  const line = location.line === undefined ? '' : `line ${location.line}`;
  if (!isInImage(location)) return line;
  return `${line}${line === '' ? '' : ' '}<span class="layer" title="${escapeHtml(location.layer)}">layer <code class="tok">${escapeHtml(shortDigest(location.layer))}</code></span>`;
}

function renderExceptions(report: Report): string {
  const { exceptions } = report.policy;
  if (exceptions.length === 0) return '';
  return [
    '<section id="exceptions">',
    '<h2>Exceptions</h2>',
    '<div class="scroll">',
    '<table>',
    '<thead><tr><th>Id</th><th>Package</th><th>Status</th><th>Findings</th><th>Expires</th><th>Days to expiry</th><th>Reason</th><th>Approved by</th><th>Issue</th></tr></thead>',
    '<tbody>',
    ...exceptions.map((entry) =>
      [
        '<tr>',
        `<td>${renderAdvisoryId(entry.id)}</td>`,
        `<td>${entry.package === null ? 'any' : `<code class="tok">${escapeHtml(entry.package)}</code>`}</td>`,
        `<td${entry.status === 'expired' ? ' class="expired"' : ''}>${entry.status}</td>`,
        `<td>${entry.matched}</td>`,
        `<td>${escapeHtml(entry.expiresOn)}</td>`,
        `<td${entry.daysToExpiry < 0 ? ' class="expired"' : ''}>${entry.daysToExpiry < 0 ? `expired ${-entry.daysToExpiry} day${entry.daysToExpiry === -1 ? '' : 's'} ago` : String(entry.daysToExpiry)}</td>`,
        `<td>${escapeHtml(entry.reason)}</td>`,
        `<td>${escapeHtml(entry.approvedBy)}</td>`,
        `<td>${escapeHtml(entry.issue)}</td>`,
        '</tr>',
      ].join(''),
    ),
    '</tbody>',
    '</table>',
    '</div>',
    '</section>',
  ].join('\n');
}

function renderProblems(report: Report): string {
  const { problems } = report.policy;
  if (problems.length === 0) return '';
  return [
    '<section id="policy-problems">',
    '<h2>Policy problems</h2>',
    '<ul>',
    ...problems.map(
      (problem) =>
        `<li><strong>${problem.severity}</strong> <code class="tok">${problem.code}</code>: ${escapeHtml(problem.message)}${problem.location ? ` <small>(<code class="tok">${escapeHtml(problem.location.file)}:${problem.location.line}</code>)</small>` : ''}</li>`,
    ),
    '</ul>',
    '</section>',
  ].join('\n');
}

function renderSkipped(report: Report): string {
  if (report.skipped.length === 0) return '';
  return [
    '<section id="skipped">',
    '<h2>Not audited</h2>',
    '<ul>',
    ...report.skipped.map(
      (entry) =>
        `<li>${renderPlace(entry.location)}${entry.name ? ` <code class="tok">${escapeHtml(entry.name)}${entry.version ? ` ${escapeHtml(entry.version)}` : ''}</code>` : ''}: ${escapeHtml(entry.reason)}</li>`,
    ),
    '</ul>',
    '</section>',
  ].join('\n');
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };

/** Escapes text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}
