import { createHash } from 'node:crypto';
import type { GateDecision } from '../../policy/types.js';
import type { Report, ReportFinding } from '../report.js';

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
body { margin: 2rem auto; max-width: 72rem; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .25rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .5rem; }
.meta { color: #59636e; margin-top: 0; }
.verdict { display: inline-block; padding: .35rem .8rem; border-radius: .4rem; font-weight: 700; color: #fff; }
.verdict.passed { background: #1a7f37; } .verdict.failed { background: #cf222e; }
dl.counts { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: .5rem; }
dl.counts div { border: 1px solid #d0d7de; border-radius: .4rem; padding: .5rem .75rem; }
dl.counts dt { color: #59636e; font-size: .85rem; } dl.counts dd { margin: 0; font-size: 1.4rem; font-weight: 600; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { border: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85em; overflow-wrap: anywhere; }
.decision-blocking { color: #cf222e; font-weight: 600; } .decision-allowed-by-exception { color: #9a6700; }
.expired { color: #cf222e; font-weight: 600; }
svg text { font-size: 12px; fill: #1f2328; }
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
    `<p class="meta">vigil ${escapeHtml(report.tool.version)} · audited ${escapeHtml(report.generatedAt)} · advisory data updated ${escapeHtml(report.database.updatedAt ?? 'unknown')}</p>`,
    '</header>',
    renderSummary(report),
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
    `<p>Lockfiles: ${report.sources.map((source) => `<code>${escapeHtml(source.path)}</code>`).join(', ')}</p>`,
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

/**
 * Findings under the direct dependency that brings them in (the first step of each path; a
 * finding reached through several direct dependencies is listed under each). A direct package
 * is its own group; a format without edges puts its findings under "path unknown".
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
  const sorted = [...groups.values()].sort((a, b) => a.file.localeCompare(b.file) || a.direct.localeCompare(b.direct));
  const parts = ['<section id="findings">', '<h2>Findings by direct dependency</h2>'];
  if (sorted.length === 0) parts.push('<p>No findings.</p>');
  for (const group of sorted) {
    const blocking = group.findings.filter((finding) => finding.decision.kind === 'blocking').length;
    parts.push(
      `<h3>${group.direct === '' ? 'Dependency path unknown' : `<code>${escapeHtml(group.direct)}</code>`} <small>in <code>${escapeHtml(group.file)}</code>: ${group.findings.length} finding${group.findings.length === 1 ? '' : 's'}, ${blocking} blocking</small></h3>`,
      '<table>',
      '<thead><tr><th>Advisory</th><th>Package</th><th>Severity</th><th>Decision</th><th>Fixed in</th><th>Summary</th></tr></thead>',
      '<tbody>',
      ...group.findings.map(renderFindingRow),
      '</tbody>',
      '</table>',
    );
  }
  parts.push('</section>');
  return parts.join('\n');
}

function renderFindingRow(finding: ReportFinding): string {
  const { decision, severity } = finding;
  const ids = [finding.id, ...finding.aliases].map((id) => `<code>${escapeHtml(id)}</code>`).join('<br>');
  const score = severity.score === undefined ? '' : ` ${severity.score.toFixed(1)}`;
  const due = decision.kind === 'blocking' && decision.due !== undefined ? `<br>${decision.overdue === true ? 'overdue since' : 'due'} ${escapeHtml(decision.due.slice(0, 10))}` : '';
  return [
    '<tr>',
    `<td>${ids}</td>`,
    `<td><code>${escapeHtml(finding.package.name)} ${escapeHtml(finding.package.version)}</code><br><small>line ${finding.package.location.line}</small></td>`,
    `<td>${escapeHtml(severity.level)}${score}</td>`,
    `<td class="decision-${decision.kind}" title="${escapeHtml(decision.reason)}">${DECISION_LABEL[decision.kind]}${due}</td>`,
    `<td>${finding.fixed.length > 0 ? finding.fixed.map((version) => `<code>${escapeHtml(version)}</code>`).join(', ') : 'none yet'}</td>`,
    `<td>${escapeHtml(finding.summary)}</td>`,
    '</tr>',
  ].join('');
}

function renderExceptions(report: Report): string {
  const { exceptions } = report.policy;
  if (exceptions.length === 0) return '';
  return [
    '<section id="exceptions">',
    '<h2>Exceptions</h2>',
    '<table>',
    '<thead><tr><th>Id</th><th>Package</th><th>Status</th><th>Findings</th><th>Expires</th><th>Days to expiry</th><th>Reason</th><th>Approved by</th><th>Issue</th></tr></thead>',
    '<tbody>',
    ...exceptions.map((entry) =>
      [
        '<tr>',
        `<td><code>${escapeHtml(entry.id)}</code></td>`,
        `<td>${entry.package === null ? 'any' : `<code>${escapeHtml(entry.package)}</code>`}</td>`,
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
        `<li><strong>${problem.severity}</strong> <code>${problem.code}</code>: ${escapeHtml(problem.message)}${problem.location ? ` <small>(<code>${escapeHtml(problem.location.file)}:${problem.location.line}</code>)</small>` : ''}</li>`,
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
        `<li><code>${escapeHtml(entry.location.file)}:${entry.location.line}</code>${entry.name ? ` <code>${escapeHtml(entry.name)}${entry.version ? ` ${escapeHtml(entry.version)}` : ''}</code>` : ''}: ${escapeHtml(entry.reason)}</li>`,
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
