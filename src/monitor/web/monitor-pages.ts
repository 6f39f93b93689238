import { visibleText } from '../../core/visible-text.js';
import { csrfField, renderPage, type PageContext } from '../../desk/web/pages/layout.js';
import { html, type HtmlValue, type SafeHtml } from '../../web/html.js';
import type { RefEvent, RefOverview } from '../queries.js';
import type { MonitorFinding } from '../types.js';

// The monitor's console pages, in the desk's frame and stylesheet. Every name and text in them
// came from a push or an advisory record: each is passed through visibleText (control and bidi
// characters shown, not obeyed) and then escaped by the html tag.

const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

/** Input text as shown: controls made visible, then escaped by the html tag. */
function shown(text: string): string {
  return visibleText(text);
}

/** The ref page's address. */
export function refPageUrl(project: string, ref: string): string {
  return `/team/monitor/ref?${new URLSearchParams({ project, ref }).toString()}`;
}

function subnav(): SafeHtml {
  return html`<p><a href="/team/monitor">Portfolio</a> · <a href="/team/monitor/affected">Affected by an advisory</a></p>`;
}

/** Projects x refs x severities, with overdue findings and expiring exceptions. */
export function renderPortfolioPage(context: PageContext, refs: readonly RefOverview[]): string {
  const other = (ref: RefOverview): number => Object.entries(ref.open).filter(([level]) => !(SEVERITIES as readonly string[]).includes(level)).reduce((sum, [, n]) => sum + n, 0);
  const body = html`<h1>Portfolio</h1>${subnav()}
<p>${refs.length} tracked ref${refs.length === 1 ? '' : 's'}.</p>
<table>
<thead><tr><th>Project</th><th>Ref</th>${SEVERITIES.map((level) => html`<th>${level}</th>`)}<th>other</th><th>Excepted</th><th>Overdue</th><th>Unevaluable</th><th>Expiring exceptions</th><th>Pushed</th><th>Packages</th></tr></thead>
<tbody>
${refs.map(
  (ref) => html`<tr${ref.overdue > 0 && html` class="overdue"`}>
<td>${shown(ref.project)}</td>
<td><a href="${refPageUrl(ref.project, ref.ref)}">${shown(ref.ref)}</a></td>
${SEVERITIES.map((level) => html`<td>${ref.open[level] ?? 0}</td>`)}
<td>${other(ref)}</td>
<td>${ref.excepted}</td>
<td>${ref.overdue > 0 ? html`<strong class="status-overdue">${ref.overdue} overdue</strong>` : '0'}</td>
<td>${ref.unevaluable}</td>
<td>${ref.expiringExceptions.length === 0 ? '-' : ref.expiringExceptions.map((entry) => html`${shown(entry.id)} (${entry.daysLeft < 0 ? 'expired' : `${entry.daysLeft} days left`}) `)}</td>
<td>${ref.pushedAt}</td>
<td>${ref.packages}</td>
</tr>`,
)}
</tbody>
</table>`;
  return renderPage(context, { title: 'Portfolio', body });
}

function findingsTable(findings: readonly MonitorFinding[], actions: (finding: MonitorFinding) => HtmlValue, withRef: boolean): SafeHtml {
  return html`<table>
<thead><tr>${withRef && html`<th>Project</th><th>Ref</th>`}<th>Advisory</th><th>Also known as</th><th>State</th><th>Severity</th><th>Packages</th><th>Fixed in</th><th>First seen</th><th>Due</th><th></th></tr></thead>
<tbody>
${findings.map(
  (finding) => html`<tr>
${withRef && html`<td>${shown(finding.project)}</td><td><a href="${refPageUrl(finding.project, finding.ref)}">${shown(finding.ref)}</a></td>`}
<td>${shown(finding.advisory)}</td>
<td>${shown(finding.ids.filter((id) => id !== finding.advisory).join(', '))}</td>
<td><span class="state">${finding.state}</span></td>
<td>${shown(finding.severity)}</td>
<td>${shown(finding.packages.map((pkg) => `${pkg.name}@${pkg.version} (${pkg.file})`).join(', '))}</td>
<td>${shown(finding.fixed.join(', ') || '-')}</td>
<td>${finding.firstSeen}</td>
<td>${finding.due ?? '-'}</td>
<td>${actions(finding)}</td>
</tr>`,
)}
</tbody>
</table>`;
}

/** Everything the ref page shows. */
export interface RefPageData {
  readonly project: string;
  readonly ref: string;
  readonly findings: readonly MonitorFinding[];
  readonly history: readonly RefEvent[];
  /** Responders and admins get an Acknowledge button on new findings. */
  readonly canAcknowledge: boolean;
  readonly csrfToken: string;
}

function eventText(event: RefEvent): string {
  if (event.kind === 'state') return `${event.advisory ?? '?'}: ${event.from ?? '?'} -> ${event.to ?? '?'}`;
  const detail = event.detail;
  const number = (key: string): string => (typeof detail[key] === 'number' ? String(detail[key]) : '?');
  return `push: ${number('packages')} packages, ${number('findings')} findings${detail['failed'] === true ? ', gate failed' : ''}`;
}

/** A ref's findings (open first) and its history with who did what. */
export function renderRefPage(context: PageContext, data: RefPageData): string {
  const acknowledge = (finding: MonitorFinding): HtmlValue =>
    data.canAcknowledge &&
    finding.state === 'new' &&
    html`<form method="post" action="/team/monitor/findings/${finding.id}/acknowledge">${csrfField(data.csrfToken)}<button type="submit">Acknowledge</button></form>`;
  const body = html`<h1>${shown(data.project)} @ ${shown(data.ref)}</h1>${subnav()}
<h2>Findings</h2>
${data.findings.length === 0 ? html`<p>No findings.</p>` : findingsTable(data.findings, acknowledge, false)}
<h2>History</h2>
<table>
<thead><tr><th>When</th><th>What</th><th>Who</th></tr></thead>
<tbody>
${data.history.map((event) => html`<tr><td>${event.at}</td><td>${shown(eventText(event))}</td><td>${shown(event.actor)}</td></tr>`)}
</tbody>
</table>`;
  return renderPage(context, { title: `${shown(data.project)} @ ${shown(data.ref)}`, body });
}

/** The "affected by" search: a form, and the open findings of the advisory asked for. */
export function renderAffectedPage(context: PageContext, query: string | undefined, findings: readonly MonitorFinding[] | undefined): string {
  const body = html`<h1>Affected by an advisory</h1>${subnav()}
<form method="get" action="/team/monitor/affected" class="stack">
<label>Advisory id <span class="hint">any of its ids or aliases: GHSA-..., CVE-..., PYSEC-...</span><input type="text" name="id" maxlength="200" value="${query === undefined ? '' : shown(query)}" required></label>
<p><button type="submit">Search</button></p>
</form>
${query !== undefined &&
findings !== undefined &&
(findings.length === 0
  ? html`<p>No monitored ref is affected by ${shown(query)}.</p>`
  : html`<p>${findings.length} open finding${findings.length === 1 ? '' : 's'} for ${shown(query)}.</p>${findingsTable(findings, () => undefined, true)}`)}`;
  return renderPage(context, { title: 'Affected by an advisory', body });
}
