import type { DeskConfig } from '../../config/desk-config.js';
import type { ReporterView } from '../../desk.js';
import { REPORT_CONTENTS } from '../../documents/report-contents.js';
import { NOTIFY_GROUPS, SEVERITY_LEVELS, type SupportedLine } from '../../types.js';
import { html, type SafeHtml } from '../../../web/html.js';
import type { UploadLimits } from '../uploads.js';
import { formatInstant, STATE_TEXT, textBlock } from './format.js';
import { csrfField, renderPage, type PageContext } from './layout.js';

// The public side. None of these pages is given a report other than the visitor's own (the
// receipt and the tracking page get exactly one, found by the visitor's secret token), so no
// embargoed detail of another report can reach them.

const LEVEL_NAMES = { high: 'High', moderate: 'Moderate', low: 'Low' } as const;

/** The security policy: how to report, what the team promises, severities, supported versions. */
export function renderPolicyPage(context: PageContext, config: DeskConfig, supported: readonly SupportedLine[]): string {
  const sla = config.sla;
  const body = html`<h1>Security policy</h1>
<p>Please report security vulnerabilities in ${config.project.name} privately, through
<a href="/report">the report form</a> or by e-mail to
<a href="mailto:${config.project.contacts.security}">${config.project.contacts.security}</a>, never in a public
issue tracker, forum or mailing list.</p>

<h2>What we promise</h2>
<ul>
  <li>We acknowledge your report within <strong>${sla.acknowledge.text}</strong>.</li>
  <li>We triage it (reproduce it, decide whether it is a vulnerability and how severe) within <strong>${sla.triage.text}</strong>;
  if we do not accept it, we tell you why, in detail.</li>
  <li>We aim to release fixes for every supported release series within
  ${SEVERITY_LEVELS.map((level, index) => html`${index > 0 && (index === SEVERITY_LEVELS.length - 1 ? ' and ' : ', ')}<strong>${sla.fix[level].text}</strong> for a ${LEVEL_NAMES[level].toLowerCase()}-severity issue`)}.</li>
  <li>About <strong>${config.prenotification.leadTime.text}</strong> before disclosure we announce the date and the severity publicly,
  without details, and notify <a href="/join">vetted distributors and maintainers</a> privately.</li>
  <li>On disclosure day we release the fixes and publish an advisory that credits you, unless you ask not to be named.</li>
</ul>

<h2>Business days</h2>
<p>Times given in business days count ${config.calendar.weekend.length > 0 ? html`every day except ${config.calendar.weekend.join(' and ')}` : 'every day'}
and public holidays, in the ${config.calendar.timeZone} time zone.</p>

<h2>Severity levels</h2>
<table>
<thead><tr><th>Level</th><th>Typical classes</th></tr></thead>
<tbody>
${SEVERITY_LEVELS.map((level) => html`<tr><td>${LEVEL_NAMES[level]}</td><td>${config.severity.classes[level].join(', ')}</td></tr>`)}
</tbody>
</table>
<p>We also compute a CVSS base score (version 3.1 or 4.0) for every accepted report.</p>

<h2>Supported versions</h2>
<p>We fix vulnerabilities in these lines, and backport each fix to every one of them:</p>
<table>
<thead><tr><th>Line</th><th>Why it is supported</th></tr></thead>
<tbody>
${supported.map((line) => html`<tr><td>${line.name}</td><td>${line.reason}</td></tr>`)}
</tbody>
</table>
<p>Other release series receive no security fixes.</p>

<h2>How to report</h2>
<p>Use <a class="button" href="/report">the report form</a>. A good report tells us:</p>
${reportContentsList()}
<p>You get a private tracking link to follow the report and talk to the team.</p>
<p>Please keep the details confidential until the advisory is published.</p>`;
  return renderPage(context, { title: 'Security policy', body });
}

/** The values of the report form, kept when it is shown again after a refusal. */
export interface ReportFormValues {
  readonly title?: string;
  readonly name?: string;
  readonly email?: string;
  readonly organisation?: string;
  readonly creditMode?: string;
  readonly creditName?: string;
  readonly description?: string;
  readonly stepsToReproduce?: string;
  readonly impact?: string;
  readonly attackSurface?: string;
  readonly relatedProjects?: string;
  readonly affectedVersions?: string;
}

/** What marks a field that must be filled in: a word anyone sees (not colour alone), and `required` for the browser and assistive technology. */
function requiredMark(required: boolean | undefined): SafeHtml {
  return required === true ? html` <span class="required">(required)</span>` : html``;
}

function requiredAttributes(required: boolean | undefined): SafeHtml {
  return required === true ? html` required aria-required="true"` : html``;
}

function textField(name: keyof ReportFormValues, label: string, values: ReportFormValues, options: { hint?: string; type?: string; required?: boolean } = {}): SafeHtml {
  return html`<label>${label}${requiredMark(options.required)}${options.hint !== undefined && html` <span class="hint">${options.hint}</span>`}
<input type="${options.type ?? 'text'}" name="${name}" value="${values[name] ?? ''}"${requiredAttributes(options.required)}></label>`;
}

function areaField(name: keyof ReportFormValues, label: string, values: ReportFormValues, hint: string, required: boolean): SafeHtml {
  return html`<label>${label}${requiredMark(required)} <span class="hint">${hint}</span>
<textarea name="${name}" rows="6"${requiredAttributes(required)}>${values[name] ?? ''}</textarea></label>`;
}

/** The seed policies' list of what a good report contains (`REPORT_CONTENTS`). */
function reportContentsList(): SafeHtml {
  return html`<ul class="report-contents">
${REPORT_CONTENTS.map((item) => html`<li><strong>${item.what}</strong>: ${item.detail}</li>`)}
</ul>`;
}

/** The report form: the fields the seed policies ask for, the credit choice, attachments. */
export function renderReportForm(
  context: PageContext,
  form: { readonly csrfToken: string; readonly limits: UploadLimits; readonly values?: ReportFormValues; readonly status?: number },
): string {
  const values = form.values ?? {};
  const named = values.creditMode !== 'anonymous';
  const body = html`<h1>Report a vulnerability</h1>
<p>Only the ${context.project} security team reads what you send here. The title is seen by the whole team; everything
else stays under embargo until the advisory is published.</p>
<h2>What a good report contains</h2>
${reportContentsList()}
<p>Fields marked <span class="required">(required)</span> must be filled in; give the rest when you can.</p>
<form class="stack" method="post" action="/report" enctype="multipart/form-data">
${csrfField(form.csrfToken)}
<fieldset><legend>About you</legend>
${textField('name', 'Your name or handle', values, { required: true })}
${textField('email', 'E-mail address', values, { type: 'email', required: true, hint: 'we write to you here' })}
${textField('organisation', 'Organisation', values, { hint: 'optional' })}
</fieldset>
<fieldset><legend>How should the advisory credit you?</legend>
<label class="choice"><input type="radio" name="creditMode" value="named"${named && html` checked`}> By name</label>
${textField('creditName', 'Name to credit', values, { hint: 'optional; default: your name above' })}
<label class="choice"><input type="radio" name="creditMode" value="anonymous"${!named && html` checked`}> Do not name me</label>
</fieldset>
${textField('title', 'Short title', values, { required: true, hint: 'e.g. "SQL injection in the admin search"' })}
${areaField('description', 'Description', values, 'the flaw, in your words', true)}
${areaField('stepsToReproduce', 'Steps to reproduce', values, 'proof-of-concept scripts, requests, logs', true)}
${areaField('impact', 'Impact', values, 'what an attacker gains', true)}
${areaField('attackSurface', 'Attack surface', values, 'how the flaw is reached; configuration needed', false)}
${areaField('relatedProjects', 'Related projects', values, 'other projects that may share the flaw', false)}
${textField('affectedVersions', 'Versions you tested', values, { hint: 'e.g. 5.2.1, main at 1a2b3c' })}
<label>Attachments <span class="hint">up to ${form.limits.files} files of at most ${Math.floor(form.limits.fileSize / 1024 / 1024)} MiB each:
text, PNG, JPEG, PDF or ZIP (put anything else in a ZIP)</span>
<input type="file" name="attachments" multiple accept=".txt,.log,.md,.patch,.diff,.py,.sh,.json,.png,.jpg,.jpeg,.pdf,.zip,text/plain,image/png,image/jpeg,application/pdf,application/zip"></label>
<p><button type="submit">Send the report</button></p>
</form>`;
  return renderPage(context, { title: 'Report a vulnerability', body });
}

/** What the receipt says about what happens next: taken from the desk's actual configuration. */
export interface ReceiptFacts {
  readonly id: number;
  readonly trackingUrl: string;
  readonly attachments: number;
  /** Whether the desk has a mailer (`VIGIL_DESK_SMTP_URL`): without one it sends no e-mail at all. */
  readonly mailConfigured: boolean;
  /** The acknowledgement target, as configured (`3 business days`). */
  readonly acknowledgeWithin: string;
  /** The triage target, as configured. */
  readonly triageWithin: string;
}

/**
 * The receipt, shown once in answer to the submission: the secret tracking link, and what happens
 * next as this desk is configured (no promise of an e-mail from a desk that sends none). The link
 * is not stored anywhere readable (only its hash) and this page is never cached.
 */
export function renderReceipt(context: PageContext, receipt: ReceiptFacts): string {
  const body = html`<h1>Thank you: report #${receipt.id} received</h1>
<p>The security team has your report${receipt.attachments > 0 && html` and ${receipt.attachments} attachment${receipt.attachments === 1 ? '' : 's'}`}.</p>
<h2>Your private tracking link</h2>
<p class="secret"><a href="${receipt.trackingUrl}">${receipt.trackingUrl}</a></p>
<p><strong>Save this link now: it is shown only once.</strong> It is the key to your report: with it you see where the
report stands, write to the team and choose how you are credited. Anyone who has it can do the same, so do not share
it or post it anywhere. If you lose it, write to the security address and quote report #${receipt.id}.</p>
<h2>What happens next</h2>
<ol>
<li>The team acknowledges the report within <strong>${receipt.acknowledgeWithin}</strong>.
${receipt.mailConfigured
  ? html`You then get an e-mail at the address you gave, and the tracking page shows the report as acknowledged.`
  : html`This desk sends no e-mail: the acknowledgement, and every answer from the team, appear on your tracking page only, so
check it there.`}</li>
<li>The team triages it (reproduces it, decides whether it is a vulnerability and how severe) within
<strong>${receipt.triageWithin}</strong>; if it is not accepted, the tracking page says why.</li>
<li>Messages from the team, and your answers, are on the tracking page${receipt.mailConfigured ? '; the desk does not e-mail them' : ''}.</li>
</ol>`;
  return renderPage(context, { title: `Report #${receipt.id} received`, body });
}

/** The reporter's tracking page: status, their own report, the message thread, the credit choice. */
export function renderTrackingPage(
  context: PageContext,
  page: { readonly view: ReporterView; readonly token: string; readonly csrfToken: string; readonly timeZone: string },
): string {
  const { view, token, timeZone } = page;
  const base = `/track/${encodeURIComponent(token)}`;
  const credit = view.submission.reporter.credit;
  const named = credit.mode === 'named';
  const closed = view.state === 'rejected' || view.state === 'disclosed';
  const body = html`<h1>Report #${view.id}: ${view.title}</h1>
<dl class="facts">
<dt>Status</dt><dd><span class="state">${view.state}</span> ${STATE_TEXT[view.state]}</dd>
<dt>Received</dt><dd>${formatInstant(view.receivedAt, timeZone)}</dd>
${view.disclosureAt !== undefined && html`<dt>Disclosure</dt><dd>${formatInstant(view.disclosureAt, timeZone)}</dd>`}
</dl>
${view.rejectionReason !== undefined && html`<h2>Why the report was not accepted</h2>${textBlock(view.rejectionReason)}`}

<h2>Messages</h2>
<div class="messages">
${view.messages.length === 0 ? html`<p class="muted">No messages yet.</p>` : ''}
${view.messages.map(
  (message) => html`<div class="message ${message.author.kind === 'reporter' ? 'reporter' : 'team'}">
<p class="muted">${message.author.kind === 'reporter' ? 'You' : 'Security team'}, ${formatInstant(message.at, timeZone)}</p>
${textBlock(message.body)}</div>`,
)}
</div>
${!closed &&
html`<form class="stack" method="post" action="${base}/messages">
${csrfField(page.csrfToken)}
<label>Write to the security team${requiredMark(true)} <textarea name="body" rows="5"${requiredAttributes(true)}></textarea></label>
<p><button type="submit">Send</button></p>
</form>`}

<h2>Credit</h2>
<p>The advisory will ${named ? html`credit you as <strong>${credit.name ?? view.submission.reporter.name}</strong>` : 'not name you'}.</p>
${view.state !== 'disclosed' &&
html`<form class="stack" method="post" action="${base}/credit">
${csrfField(page.csrfToken)}
<fieldset><legend>Change how you are credited</legend>
<label class="choice"><input type="radio" name="creditMode" value="named"${named && html` checked`}> By name</label>
<label>Name to credit <input type="text" name="creditName" value="${credit.name ?? ''}"></label>
<label class="choice"><input type="radio" name="creditMode" value="anonymous"${!named && html` checked`}> Do not name me</label>
</fieldset>
<p><button type="submit">Save</button></p>
</form>`}

<h2>What you sent</h2>
<dl class="facts">
<dt>Name</dt><dd>${view.submission.reporter.name}</dd>
<dt>E-mail</dt><dd>${view.submission.reporter.email}</dd>
${view.submission.reporter.organisation !== undefined && html`<dt>Organisation</dt><dd>${view.submission.reporter.organisation}</dd>`}
<dt>Versions tested</dt><dd>${view.submission.affectedVersions}</dd>
</dl>
<h3>Description</h3>${textBlock(view.submission.description)}
<h3>Steps to reproduce</h3>${textBlock(view.submission.stepsToReproduce)}
<h3>Impact</h3>${textBlock(view.submission.impact)}
<h3>Attack surface</h3>${textBlock(view.submission.attackSurface)}
<h3>Related projects</h3>${textBlock(view.submission.relatedProjects)}`;
  return renderPage(context, { title: `Report #${view.id}`, body });
}

/** The values of the join form, kept when it is shown again after a refusal. */
export interface JoinFormValues {
  readonly organisation?: string;
  readonly group?: string;
  readonly contact?: string;
  readonly keyId?: string;
  readonly justification?: string;
  readonly url?: string;
}

const GROUP_LABELS = { distributor: 'Operating-system distribution', 'package-maintainer': 'Package maintainer', other: 'Other' } as const;

/** The request to join the pre-notification list, with the list's criteria. */
export function renderJoinForm(context: PageContext, config: DeskConfig, form: { readonly csrfToken: string; readonly values?: JoinFormValues }): string {
  const values = form.values ?? {};
  const body = html`<h1>Join the security pre-notification list</h1>
<p>About ${config.prenotification.leadTime.text} before a security release, the ${config.project.name} security team privately
tells vetted distributors and package maintainers what is coming, so that fixed packages are ready on disclosure day.
The team decides on each request within ${config.notificationList.decisionWithin.text}.</p>
${config.notificationList.criteria.length > 0 &&
html`<h2>Who can join</h2><ul>${config.notificationList.criteria.map((criterion) => html`<li>${criterion}</li>`)}</ul>`}
<form class="stack" method="post" action="/join">
${csrfField(form.csrfToken)}
<p>Fields marked <span class="required">(required)</span> must be filled in.</p>
<label>Organisation${requiredMark(true)} <input type="text" name="organisation" value="${values.organisation ?? ''}"${requiredAttributes(true)}></label>
<label>Group <select name="group">
${NOTIFY_GROUPS.map((group) => html`<option value="${group}"${values.group === group && html` selected`}>${GROUP_LABELS[group]}</option>`)}
</select></label>
<label>Security contact${requiredMark(true)} <span class="hint">a private, monitored address; never a public mailing list</span>
<input type="email" name="contact" value="${values.contact ?? ''}"${requiredAttributes(true)}></label>
<label>OpenPGP key fingerprint <span class="hint">optional; notifications are then encrypted to it</span>
<input type="text" name="keyId" value="${values.keyId ?? ''}"></label>
<label>How you meet the criteria${requiredMark(true)} <textarea name="justification" rows="5"${requiredAttributes(true)}>${values.justification ?? ''}</textarea></label>
<label>A public page showing your role${requiredMark(true)} <span class="hint">e.g. your distribution's package page</span>
<input type="url" name="url" value="${values.url ?? ''}"${requiredAttributes(true)}></label>
<p><button type="submit">Send the request</button></p>
</form>`;
  return renderPage(context, { title: 'Join the notification list', body });
}

/** After a join request. */
export function renderJoinThanks(context: PageContext, config: DeskConfig): string {
  const body = html`<h1>Request received</h1>
<p>Thank you. The security team decides within ${config.notificationList.decisionWithin.text} and answers at the contact
address you gave.</p>`;
  return renderPage(context, { title: 'Request received', body });
}

/** Any error page: a status, a title and one sentence; never the request's own data. */
export function renderErrorPage(context: PageContext, error: { readonly title: string; readonly message: string }): string {
  const body = html`<h1>${error.title}</h1><p>${error.message}</p><p><a href="/">Security policy</a></p>`;
  return renderPage(context, { title: error.title, body });
}
