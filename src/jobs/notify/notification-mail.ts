import { visibleText } from '../../core/visible-text.js';
import type { DeskMailer } from '../../desk/mail/mailer.js';
import type { Notification } from './notification.js';

/** Where one e-mail target's notifications go. */
export interface EmailTarget {
  readonly kind: 'email';
  /** The configuration's name for it; part of each delivery's key. */
  readonly id: string;
  /** The one recipient address the configuration names. */
  readonly to: string;
  /**
   * Digest mode: the notifications of each period (minutes, counted from the Unix epoch in UTC)
   * go in one mail at its end, instead of one mail each.
   */
  readonly digest?: { readonly periodMinutes: number };
}

/** What sends notification mails: one plain-text message to one recipient. */
export interface NotificationMailer {
  /** @throws UsageError for an address or subject the mailer refuses; MailDeliveryError when not delivered. */
  send(to: string, subject: string, body: string): Promise<void>;
}

/**
 * The desk's mailer as a notification mailer: one message, one recipient in To and the envelope,
 * marked as automatic (RFC 3834), the project name in the subject, controls shown visibly.
 */
export function deskNotificationMailer(mailer: DeskMailer): NotificationMailer {
  return {
    async send(to, subject, body) {
      // The desk's one-recipient automatic mail is its private notification (one entry here).
      const [result] = await mailer.sendPrivateNotifications(
        [{ id: 0, organisation: '', group: 'other', contact: to, approvedBy: 'vigil monitor', approvedOn: '', reviewOn: '' }],
        subject,
        body,
      );
      if (result?.status === 'failed') throw result.error;
    },
  };
}

/** One line of text from data: controls, line breaks and bidi characters written visibly. */
const line = (text: string): string => visibleText(text);

function describe(notification: Notification): string[] {
  const { advisory, package: pkg } = notification;
  const ids = [advisory.id, ...advisory.aliases].map(line).join(', ');
  return [
    `${line(notification.project)} ${line(notification.ref)}: ${line(pkg.name)} ${line(pkg.version)}${pkg.ecosystem === undefined ? '' : ` (${line(pkg.ecosystem)})`}`,
    `  advisory: ${ids}`,
    `  severity: ${line(notification.severity)}`,
    `  fixed in: ${notification.fixed.length === 0 ? 'no fixed version yet' : notification.fixed.map(line).join(', ')}`,
    `  first seen: ${line(notification.firstSeen)}`,
    ...(notification.link === undefined ? [] : [`  ${line(notification.link)}`]),
  ];
}

/** The subject and body of the mail for one notification. */
export function renderNotificationMail(notification: Notification): { subject: string; body: string } {
  return {
    subject: `${line(notification.advisory.id)} (${line(notification.severity)}) affects ${line(notification.project)} ${line(notification.ref)}`,
    body: [
      'A new vulnerability affects a tracked release:',
      '',
      ...describe(notification),
      '',
      `Notification id: ${line(notification.id)}`,
      '',
    ].join('\n'),
  };
}

/** The subject and body of a digest: the period's notifications grouped by project and ref. */
export function renderDigestMail(notifications: readonly Notification[], period: { from: Date; to: Date }): { subject: string; body: string } {
  const sorted = [...notifications].sort(
    (a, b) => a.project.localeCompare(b.project) || a.ref.localeCompare(b.ref) || a.firstSeen.localeCompare(b.firstSeen) || a.id.localeCompare(b.id),
  );
  const lines: string[] = [`${sorted.length} new ${sorted.length === 1 ? 'vulnerability' : 'vulnerabilities'} from ${period.from.toISOString()} to ${period.to.toISOString()}:`, ''];
  let group = '';
  for (const notification of sorted) {
    const heading = `${line(notification.project)} ${line(notification.ref)}`;
    if (heading !== group) {
      if (group !== '') lines.push('');
      lines.push(`== ${heading}`);
      group = heading;
    }
    const [, ...details] = describe(notification);
    lines.push(`- ${line(notification.package.name)} ${line(notification.package.version)}`, ...details.map((detail) => `  ${detail}`));
  }
  lines.push('');
  const projects = new Set(sorted.map((notification) => notification.project)).size;
  return { subject: `Digest: ${sorted.length} new ${sorted.length === 1 ? 'vulnerability' : 'vulnerabilities'} in ${projects} ${projects === 1 ? 'project' : 'projects'}`, body: lines.join('\n') };
}
