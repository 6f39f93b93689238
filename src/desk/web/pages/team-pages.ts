import type { DeskConfig } from '../../config/desk-config.js';
import type { InboxItem, JoinRequestItem } from '../../desk.js';
import { mostUrgentClock } from '../../sla/sla-clocks.js';
import { FIX_STATES, TRANSITIONS, type LifecycleActionKind } from '../../lifecycle.js';
import type { AttachmentInfo } from '../../store/desk-store.js';
import { NOTIFY_GROUPS, SEVERITY_LEVELS, type AuditEvent, type BackportRow, type DeskReport, type NotifyEntry, type SlaClock } from '../../types.js';
import { html, type SafeHtml } from '../../../web/html.js';
import { clockText, formatInstant, textBlock } from './format.js';
import { csrfField, renderPage, type PageContext } from './layout.js';

/** The console's log-in form. */
export function renderLoginPage(context: PageContext, form: { readonly csrfToken: string; readonly next?: string; readonly failed?: boolean }): string {
  const body = html`<h1>Security team log-in</h1>
${form.failed === true && html`<p class="flash error" role="alert">Wrong login or password.</p>`}
<form class="stack" method="post" action="/team/login">
${csrfField(form.csrfToken)}
${form.next !== undefined && html`<input type="hidden" name="next" value="${form.next}">`}
<label>Login <input type="text" name="login" autocomplete="username" required></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<p><button type="submit">Log in</button></p>
</form>`;
  return renderPage(context, { title: 'Log in', body });
}

/** The inbox, in the desk's urgency order; an overdue report is marked in words, not only colour. */
export function renderInbox(context: PageContext, inbox: { readonly items: readonly InboxItem[]; readonly timeZone: string }): string {
  const overdue = inbox.items.filter((item) => item.clocks.some((clock) => clock.status === 'overdue')).length;
  const body = html`<h1>Inbox</h1>
<p>${inbox.items.length} report${inbox.items.length === 1 ? '' : 's'}, most urgent first${overdue > 0 && html`; <strong class="status-overdue">${overdue} overdue</strong>`}.</p>
<table>
<thead><tr><th>#</th><th>Title</th><th>State</th><th>Severity</th><th>Received</th><th>Most urgent clock</th></tr></thead>
<tbody>
${inbox.items.map((item) => {
  const clock = mostUrgentClock(item.clocks);
  const isOverdue = item.clocks.some((candidate) => candidate.status === 'overdue');
  return html`<tr${isOverdue && html` class="overdue"`}>
<td>${item.report.id}</td>
<td><a href="/team/reports/${item.report.id}">${item.report.title}</a></td>
<td><span class="state">${item.report.state}</span></td>
<td>${item.report.severity ?? '-'}</td>
<td>${formatInstant(item.report.receivedAt, inbox.timeZone)}</td>
<td>${clock === undefined ? '-' : clockText(clock, inbox.timeZone)}</td>
</tr>`;
})}
</tbody>
</table>`;
  return renderPage(context, { title: 'Inbox', body });
}

/** Everything the report page shows. */
export interface ReportPageData {
  readonly report: DeskReport;
  readonly clocks: readonly SlaClock[];
  readonly attachments: readonly AttachmentInfo[];
  /** The backport matrix, once the report is accepted. */
  readonly backports?: readonly BackportRow[];
  /** Whether the viewer may act (responders and admins). */
  readonly canChange: boolean;
  readonly csrfToken: string;
  readonly config: DeskConfig;
  /** Names of the documents the desk writes. */
  readonly documentKinds: readonly string[];
  /** A CWE-mapped severity suggestion for the accept form. */
  readonly suggestedSeverity?: string;
}

const CVSS31_METRICS = [
  { key: 'AV', name: 'Attack vector', values: [['N', 'Network'], ['A', 'Adjacent'], ['L', 'Local'], ['P', 'Physical']] },
  { key: 'AC', name: 'Attack complexity', values: [['L', 'Low'], ['H', 'High']] },
  { key: 'PR', name: 'Privileges required', values: [['N', 'None'], ['L', 'Low'], ['H', 'High']] },
  { key: 'UI', name: 'User interaction', values: [['N', 'None'], ['R', 'Required']] },
  { key: 'S', name: 'Scope', values: [['U', 'Unchanged'], ['C', 'Changed']] },
  { key: 'C', name: 'Confidentiality', values: [['N', 'None'], ['L', 'Low'], ['H', 'High']] },
  { key: 'I', name: 'Integrity', values: [['N', 'None'], ['L', 'Low'], ['H', 'High']] },
  { key: 'A', name: 'Availability', values: [['N', 'None'], ['L', 'Low'], ['H', 'High']] },
] as const;

/** The CVSS 3.1 base metric keys, in vector order (for composing a vector from the menus). */
export const CVSS31_METRIC_KEYS: readonly string[] = CVSS31_METRICS.map((metric) => metric.key);

function noteField(): SafeHtml {
  return html`<label>Note <span class="hint">why; kept in the history</span><input type="text" name="note" required></label>`;
}

function actionForm(id: number, kind: LifecycleActionKind, csrfToken: string, data: ReportPageData): SafeHtml {
  const action = `/team/reports/${id}/actions/${kind}`;
  const config = data.config;
  const zone = config.calendar.timeZone;
  switch (kind) {
    case 'acknowledge':
      return html`<form method="post" action="${action}" class="stack">${csrfField(csrfToken)}<h3>Acknowledge</h3>
<p class="hint">Confirms receipt${' '}(the reporter is e-mailed when mail is configured).</p>${noteField()}<p><button type="submit">Acknowledge</button></p></form>`;
    case 'triage':
      return html`<form method="post" action="${action}" class="stack">${csrfField(csrfToken)}<h3>Triage</h3>${noteField()}<p><button type="submit">Mark triaged</button></p></form>`;
    case 'accept': {
      const lines = [config.project.mainBranch, ...config.series.map((series) => series.name)];
      return html`<form method="post" action="${action}" class="stack">${csrfField(csrfToken)}<h3>Accept</h3>
<label>Severity <select name="severity" required>
${SEVERITY_LEVELS.map((level) => html`<option value="${level}"${data.suggestedSeverity === level && html` selected`}>${level}: ${config.severity.classes[level].join(', ')}</option>`)}
</select></label>
<fieldset><legend>CVSS calculator</legend>
<div class="cvss-metrics">
${CVSS31_METRICS.map(
  (metric) => html`<label>${metric.name} <select name="cvss${metric.key}" data-cvss-metric="${metric.key}"><option value="">-</option>
${metric.values.map(([value, label]) => html`<option value="${value}">${label}</option>`)}</select></label>`,
)}
</div>
<label>CVSS vector <span class="hint">v3.1 or v4.0; leave empty to build a v3.1 vector from the menus</span>
<input type="text" id="cvss-vector" name="cvssVector" placeholder="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"></label>
<p>Base score: <output class="cvss" id="cvss-score" for="cvss-vector">computed when you submit</output></p>
</fieldset>
<label>CWE ids <span class="hint">comma-separated, e.g. CWE-89, CWE-79</span><input type="text" name="cwes" required></label>
<fieldset><legend>Affected lines</legend>
${lines.map((line) => html`<label class="choice"><input type="checkbox" name="affectedSeries" value="${line}"> ${line}</label>`)}
</fieldset>
<label>Public summary <span class="hint">one line for the advisory</span><input type="text" name="summary" required></label>
<label>First affected version <span class="hint">optional</span><input type="text" name="introduced"></label>
<label>CVE id <span class="hint">optional</span><input type="text" name="cve"></label>
${noteField()}<p><button type="submit">Accept</button></p></form>`;
    }
    case 'reject':
      return html`<form method="post" action="${action}" class="stack">${csrfField(csrfToken)}<h3>Reject</h3>
<label>Reason for the reporter <span class="hint">detailed: at least 40 characters</span><textarea name="reason" rows="4" required></textarea></label>
${noteField()}<p><button type="submit">Reject</button></p></form>`;
    case 'start-fix':
      return html`<form method="post" action="${action}" class="stack">${csrfField(csrfToken)}<h3>Start the fix</h3>${noteField()}<p><button type="submit">Fix in progress</button></p></form>`;
    case 'schedule-disclosure':
      return html`<form method="post" action="${action}" class="stack">${csrfField(csrfToken)}<h3>Schedule the disclosure</h3>
<label>Embargo end <span class="hint">in ${zone}, or ISO 8601 with a zone</span><input type="datetime-local" name="at" required></label>
${noteField()}<p><button type="submit">Schedule</button></p></form>`;
    case 'pre-notify':
      return html`<form method="post" action="${action}" class="stack">${csrfField(csrfToken)}<h3>Pre-notify</h3>
<p class="hint">Records that the notification list was told (due ${config.prenotification.leadTime.text} before disclosure).</p>
<label>Override <span class="hint">only to notify later than the lead time: the reason</span><input type="text" name="override"></label>
${noteField()}<p><button type="submit">Mark pre-notified</button></p></form>`;
    case 'disclose':
      return html`<form method="post" action="${action}" class="stack">${csrfField(csrfToken)}<h3>Disclose</h3>
<label>Override <span class="hint">only to disclose before the embargo ends: the reason</span><input type="text" name="override"></label>
${noteField()}<p><button type="submit">Disclose</button></p></form>`;
  }
}

/** The actions allowed from a state, in lifecycle order. */
export function allowedActions(state: DeskReport['state']): LifecycleActionKind[] {
  return (Object.keys(TRANSITIONS) as LifecycleActionKind[]).filter((kind) =>
    (TRANSITIONS[kind].from as readonly string[]).includes(state),
  );
}

/** The report page: details, clocks, lifecycle forms, fixes, backports, documents, messages, history. */
export function renderReportPage(context: PageContext, data: ReportPageData): string {
  const { report, config, csrfToken } = data;
  const zone = config.calendar.timeZone;
  const s = report.submission;
  const a = report.assessment;
  const actions = data.canChange ? allowedActions(report.state) : [];
  const canFix = data.canChange && FIX_STATES.includes(report.state) && a !== undefined;
  const body = html`<h1>Report #${report.id}: ${s.title}</h1>
<dl class="facts">
<dt>State</dt><dd><span class="state">${report.state}</span></dd>
<dt>Received</dt><dd>${formatInstant(report.receivedAt, zone)}</dd>
${report.disclosureAt !== undefined && html`<dt>Disclosure</dt><dd>${formatInstant(report.disclosureAt, zone)}</dd>`}
<dt>Reporter</dt><dd>${s.reporter.name} &lt;${s.reporter.email}&gt;${s.reporter.organisation !== undefined && html`, ${s.reporter.organisation}`}</dd>
<dt>Credit</dt><dd>${s.reporter.credit.mode === 'named' ? s.reporter.credit.name ?? s.reporter.name : 'anonymous'}</dd>
</dl>
<h2>SLA</h2>
<ul>${data.clocks.map((clock) => html`<li>${clockText(clock, zone)}</li>`)}</ul>

${a !== undefined &&
html`<h2>Assessment</h2>
<dl class="facts">
<dt>Severity</dt><dd>${a.severity}</dd>
<dt>CVSS ${a.cvss.version}</dt><dd>${a.cvss.score.toFixed(1)} <code>${a.cvss.vector}</code></dd>
<dt>CWE</dt><dd>${a.cwes.join(', ')}</dd>
<dt>Affected</dt><dd>${a.affectedSeries.join(', ')}</dd>
<dt>Summary</dt><dd>${a.summary}</dd>
${a.cve !== undefined && html`<dt>CVE</dt><dd>${a.cve}</dd>`}
</dl>`}
${report.rejectionReason !== undefined && html`<h2>Rejection reason</h2>${textBlock(report.rejectionReason)}`}

<h2>Report</h2>
<h3>Description</h3>${textBlock(s.description)}
<h3>Steps to reproduce</h3>${textBlock(s.stepsToReproduce)}
<h3>Impact</h3>${textBlock(s.impact)}
<h3>Attack surface</h3>${textBlock(s.attackSurface)}
<h3>Related projects</h3>${textBlock(s.relatedProjects)}
<h3>Versions tested</h3>${textBlock(s.affectedVersions)}
<h3>Attachments</h3>
${data.attachments.length === 0
  ? html`<p class="muted">None.</p>`
  : html`<ul>${data.attachments.map(
      (file) => html`<li><a href="/team/reports/${report.id}/attachments/${file.id}">${file.filename}</a> <span class="muted">${file.contentType}, ${file.size} bytes, sha256 ${file.sha256.slice(0, 16)}…</span></li>`,
    )}</ul>`}

${actions.length > 0 && html`<h2>Actions</h2><div class="actions">${actions.map((kind) => actionForm(report.id, kind, csrfToken, data))}</div>`}

${data.backports !== undefined &&
html`<h2>Backport matrix</h2>
<table><thead><tr><th>Line</th><th>Status</th><th>Fixed in</th><th>Patch</th><th>Note</th></tr></thead>
<tbody>${data.backports.map(
  (row) => html`<tr><td>${row.series}</td><td>${row.status}</td><td>${row.fixedIn ?? ''}</td><td>${row.patch ?? ''}</td><td>${row.note}</td></tr>`,
)}</tbody></table>`}
${canFix &&
html`<form method="post" action="/team/reports/${report.id}/fixes" class="stack">${csrfField(csrfToken)}<h3>Record a fix</h3>
<label>Line <select name="series">${a.affectedSeries.map((series) => html`<option value="${series}">${series}</option>`)}</select></label>
<label>Release <span class="hint">e.g. 5.2.4; empty for the main branch</span><input type="text" name="fixedIn"></label>
<label>Patch <span class="hint">commit, URL or patch file</span><input type="text" name="patch" required></label>
<p><button type="submit">Record the fix</button></p></form>`}

${a !== undefined &&
html`<h2>Documents</h2><ul>${data.documentKinds.map((kind) => html`<li><a href="/team/reports/${report.id}/documents/${kind}">${kind}</a></li>`)}</ul>`}

<h2>Messages</h2>
<div class="messages">
${report.messages.length === 0 && html`<p class="muted">No messages yet.</p>`}
${report.messages.map(
  (message) => html`<div class="message ${message.author.kind}"><p class="muted">${message.author.kind === 'reporter' ? 'Reporter' : message.author.id}, ${formatInstant(message.at, zone)}</p>${textBlock(message.body)}</div>`,
)}
</div>
${data.canChange &&
html`<form method="post" action="/team/reports/${report.id}/messages" class="stack">${csrfField(csrfToken)}
<label>Write to the reporter <textarea name="body" rows="4" required></textarea></label><p><button type="submit">Send</button></p></form>`}

<h2>History</h2>
<table><thead><tr><th>When</th><th>Move</th><th>By</th><th>Note</th></tr></thead>
<tbody>${report.transitions.map(
  (t) => html`<tr><td>${formatInstant(t.at, zone)}</td><td>${t.from} → ${t.to}</td><td>${t.actor.id}</td><td>${t.note}${t.override !== undefined && html` <em>(override: ${t.override})</em>`}</td></tr>`,
)}</tbody></table>`;
  return renderPage(context, { title: `Report #${report.id}`, body, scripts: actions.includes('accept') ? ['/assets/cvss.js'] : [] });
}

/** The notification list and the join requests; admins get the forms that change them. */
export function renderNotifyPage(
  context: PageContext,
  page: {
    readonly entries: readonly NotifyEntry[];
    readonly requests: readonly JoinRequestItem[];
    readonly isAdmin: boolean;
    readonly csrfToken: string;
    readonly timeZone: string;
  },
): string {
  const { isAdmin, csrfToken, timeZone } = page;
  const pending = page.requests.filter((item) => item.request.decision === undefined);
  const decided = page.requests.filter((item) => item.request.decision !== undefined);
  const body = html`<h1>Notification list</h1>
<table><thead><tr><th>Organisation</th><th>Group</th><th>Contact</th><th>Key</th><th>Approved</th><th>Review on</th>${isAdmin && html`<th></th>`}</tr></thead>
<tbody>${page.entries.map(
  (entry) => html`<tr><td>${entry.organisation}</td><td>${entry.group}</td><td>${entry.contact}</td><td>${entry.keyId ?? ''}</td>
<td>${entry.approvedOn} by ${entry.approvedBy}</td><td>${entry.reviewOn}</td>
${isAdmin && html`<td><form class="inline" method="post" action="/team/notify/${entry.id}/remove">${csrfField(csrfToken)}<button class="secondary" type="submit">Remove</button></form></td>`}</tr>`,
)}</tbody></table>
${isAdmin &&
html`<form class="stack" method="post" action="/team/notify">${csrfField(csrfToken)}<h3>Add an entry</h3>
<label>Organisation <input type="text" name="organisation" required></label>
<label>Group <select name="group">${NOTIFY_GROUPS.map((group) => html`<option value="${group}">${group}</option>`)}</select></label>
<label>Private contact <input type="email" name="contact" required></label>
<label>Key fingerprint <span class="hint">optional</span><input type="text" name="keyId"></label>
<label>Review on <input type="date" name="reviewOn" required></label>
<p><button type="submit">Add</button></p></form>`}

<h2>Requests to join</h2>
${pending.length === 0 && html`<p class="muted">No pending requests.</p>`}
${pending.map(
  (item) => html`<div class="message"><h3>${item.request.organisation} <span class="muted">(${item.request.group})</span></h3>
<p>${clockText(item.clock, timeZone)}</p>
<dl class="facts"><dt>Contact</dt><dd>${item.request.contact}</dd><dt>Key</dt><dd>${item.request.keyId ?? '-'}</dd>
<dt>Page</dt><dd>${item.request.url}</dd><dt>Requested</dt><dd>${formatInstant(item.request.requestedAt, timeZone)}</dd></dl>
${textBlock(item.request.justification)}
${isAdmin &&
html`<form class="stack" method="post" action="/team/join-requests/${item.request.id}/decide">${csrfField(csrfToken)}
<label>Reason <span class="hint">sent to the requester</span><textarea name="reason" rows="3" required></textarea></label>
<p><button type="submit" name="outcome" value="approved">Approve</button> <button class="secondary" type="submit" name="outcome" value="declined">Decline</button></p></form>`}</div>`,
)}
${decided.length > 0 &&
html`<h3>Decided</h3><table><thead><tr><th>Organisation</th><th>Outcome</th><th>By</th><th>When</th><th>Reason</th></tr></thead><tbody>
${decided.map((item) => {
  const decision = item.request.decision;
  return decision === undefined
    ? ''
    : html`<tr><td>${item.request.organisation}</td><td>${decision.outcome}</td><td>${decision.by}</td><td>${formatInstant(decision.at, timeZone)}</td><td>${decision.reason}</td></tr>`;
})}</tbody></table>`}`;
  return renderPage(context, { title: 'Notification list', body });
}

/** The audit log (admins), newest first, with the export link. */
export function renderAuditPage(context: PageContext, page: { readonly events: readonly AuditEvent[]; readonly timeZone: string; readonly shown: number }): string {
  const newest = [...page.events].reverse().slice(0, page.shown);
  const body = html`<h1>Audit log</h1>
<p>${page.events.length} events; the newest ${newest.length} below. <a href="/team/audit/export">Export everything as JSON lines</a>.</p>
<table><thead><tr><th>#</th><th>When</th><th>Who</th><th>Action</th><th>Subject</th><th>Detail</th></tr></thead>
<tbody>${newest.map(
  (event) => html`<tr><td>${event.id}</td><td>${formatInstant(event.at, page.timeZone)}</td><td>${event.actor.kind === 'team' ? event.actor.id : event.actor.kind}</td>
<td>${event.action}</td><td>${event.subject}</td><td><code>${JSON.stringify(event.detail)}</code></td></tr>`,
)}</tbody></table>`;
  return renderPage(context, { title: 'Audit log', body });
}
