import { DateTime } from 'luxon';
import { UsageError } from '../../core/errors.js';
import type { DeskConfig } from '../config/desk-config.js';
import { addSlaDuration } from '../sla/business-time.js';
import type { DeskReport, ReporterIdentity, ReportSubmission } from '../types.js';
import { describeWhen, signature, wrap } from './mail-text.js';

/** What the acknowledgement needs of a report: its number, arrival, title and reporter. No embargoed detail. */
export interface AcknowledgedReport {
  /** The report number. */
  readonly id: DeskReport['id'];
  /** When the desk received it (ISO 8601 UTC); the triage clock starts here. */
  readonly receivedAt: DeskReport['receivedAt'];
  /** The title and the reporter's name and credit choice. */
  readonly submission: Pick<ReportSubmission, 'title'> & { readonly reporter: Pick<ReporterIdentity, 'name' | 'credit'> };
}

/**
 * The desk's acknowledgement to a reporter, as plain text: thanks, the report number, what happens
 * next with the configured SLA targets (the triage due date computed on the desk's business
 * calendar), the embargo, the credit, and how to follow the report: the secret tracking link when
 * given (`http(s)://...`), else the security address to write to. It repeats the title but no other
 * part of the report.
 * @throws UsageError for a tracking link that is not an http(s) URL or an invalid reception time.
 */
export function renderAcknowledgement(report: AcknowledgedReport, config: DeskConfig, trackingUrl?: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (trackingUrl !== undefined && !/^https?:\/\/[^\s\u0000-\u001f\u007f]+$/.test(trackingUrl)) {
    throw new UsageError(`tracking link "${trackingUrl.slice(0, 80)}" is not an http(s) URL`);
  }
  const project = config.project.name;
  const security = config.project.contacts.security;
  const zone = config.calendar.timeZone;
  const received = new Date(report.receivedAt);
  if (Number.isNaN(received.getTime())) throw new UsageError(`report ${report.id} has no valid reception time "${report.receivedAt}"`);
  const triage = config.sla.triage;
  const triageDue = addSlaDuration(received, triage, config.calendar);
  const businessNote = triage.unit === 'business-days' || triage.unit === 'business-hours' ? `, not counting weekends and holidays (${zone})` : '';
  const fix = config.sla.fix;
  const reporter = report.submission.reporter;
  const credit =
    reporter.credit.mode === 'named'
      ? `The advisory will credit you as "${reporter.credit.name ?? reporter.name}".`
      : 'The advisory will not name you, as you asked.';

  const lines = [
    `Hello ${reporter.name},`,
    '',
    ...wrap(
      `Thank you for reporting a security issue in ${project}. We received your report on ${describeWhen(DateTime.fromJSDate(received), zone)}.`,
    ),
    '',
    `  Report: #${report.id}`,
    `  Title:  ${report.submission.title.replace(/\s+/g, ' ').trim()}`,
    '',
    'What happens next',
    '',
    ...wrap(
      `Triage. The security team checks the report, reproduces the issue and decides whether it is a vulnerability in ${project} and how severe it is. ` +
        `You will hear from us by ${describeWhen(DateTime.fromJSDate(triageDue), zone)}: ${triage.text} after we received the report${businessNote}. ` +
        'If we do not accept the report, we tell you why, in detail.',
      '1. ',
      '   ',
    ),
    ...wrap(
      `Fix. Once we accept the report, we aim to release fixed versions of every supported release series within ${fix.high.text} for a high-severity issue, ` +
        `${fix.moderate.text} for a moderate one and ${fix.low.text} for a low one. We keep you informed and may ask you to check the fix.`,
      '2. ',
      '   ',
    ),
    ...wrap(
      `Disclosure. We tell you the disclosure date before anyone else. About ${config.prenotification.leadTime.text} before it, we announce the date and the severity ` +
        'publicly, without any detail, and privately notify vetted distributors so that fixed packages are ready on the day. ' +
        `On that day we release the fixes and publish an advisory. ${credit}`,
      '3. ',
      '   ',
    ),
    '',
    ...wrap('Until the advisory is published, please keep the details of the issue confidential.'),
    '',
    'Follow your report',
    '',
    ...(trackingUrl === undefined
      ? wrap(`Write to ${security} and quote report #${report.id} to add information, ask a question or change how you want to be credited.`)
      : [
          ...wrap('See where your report stands, write to the team and choose how you are credited at:'),
          '',
          `  ${trackingUrl}`,
          '',
          ...wrap(
            'This link is your private key to the report: anyone who has it can read the report and write to us as you. ' +
              `Do not share it or post it anywhere public. If you lose it, write to ${security} and quote report #${report.id}.`,
          ),
        ]),
    '',
    ...signature(config),
  ];
  return `${lines.join('\n')}\n`;
}
