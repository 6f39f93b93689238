import { DateTime } from 'luxon';
import type { ReportState, SlaClock } from '../../types.js';
import { html, type SafeHtml } from '../../../web/html.js';

/** An instant as people read it in the desk's zone: `2025-06-02 10:00 CDT`. */
export function formatInstant(iso: string, timeZone: string): string {
  const at = DateTime.fromISO(iso, { zone: 'utc' });
  return at.isValid ? at.setZone(timeZone).toFormat('yyyy-MM-dd HH:mm ZZZZ') : iso;
}

/** What each state means, in words a reporter understands. */
export const STATE_TEXT: Readonly<Record<ReportState, string>> = {
  received: 'Received: the security team has not confirmed it yet.',
  acknowledged: 'Acknowledged: the security team confirmed receipt and will triage it.',
  triaged: 'Triaged: the team has examined the report and is deciding on it.',
  accepted: 'Accepted: the team confirmed a vulnerability and is preparing fixes.',
  rejected: 'Not accepted: see the reason below.',
  'fix-in-progress': 'Fix in progress: patches are being prepared for the supported releases.',
  'disclosure-scheduled': 'Disclosure scheduled: fixed releases and the advisory come out on the date below.',
  'pre-notified': 'Pre-notified: vetted distributors have been told privately; disclosure follows on the date below.',
  disclosed: 'Disclosed: the fixes and the advisory are public.',
};

/** An SLA clock in one line, its status as a word (never colour alone). */
export function clockText(clock: SlaClock, timeZone: string): SafeHtml {
  const status = clock.status === 'overdue' ? 'OVERDUE' : clock.status === 'due-soon' ? 'due soon' : clock.status;
  const when = clock.doneAt === undefined ? `due ${formatInstant(clock.dueAt, timeZone)}` : `done ${formatInstant(clock.doneAt, timeZone)}`;
  return html`${clock.name}: <span class="status-${clock.status}">${status}</span> <span class="muted">(${when}; target ${clock.target})</span>`;
}

/** Multi-line text from a person, shown as it was written (escaped, whitespace kept). */
export function textBlock(text: string): SafeHtml {
  return text.trim() === '' ? html`<p class="muted">(none given)</p>` : html`<div class="pre">${text}</div>`;
}
