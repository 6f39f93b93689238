import { describeDisclosureTime } from '../documents/disclosure-time.js';
import type { Desk } from '../desk.js';
import type { Actor } from '../types.js';
import type { DeskMailer, NotificationResult } from './mailer.js';

/** What the pre-notification mail run did: one result per list entry, and the public notice. */
export interface PreNotificationOutcome {
  readonly notifications: readonly NotificationResult[];
  /**
   * The public pre-announcement: `sent` to the configured announce address, `failed` with the
   * reason, or `not-mailed` when `project.contacts.announce` is a web page or absent (the team
   * posts it there itself).
   */
  readonly announcement: { readonly status: 'sent' | 'failed' | 'not-mailed'; readonly to?: string; readonly error?: string };
}

/**
 * Mails a pre-notified report's private notification to every entry of the notification list, one
 * message each, and the public pre-announcement to the announce address when that is an e-mail
 * address. Run after the `pre-notify` transition is stored: a failed recipient is reported and
 * logged for a resend by hand, the transition stands. Every read is logged by the desk as usual;
 * the run itself is one audit line naming every recipient and its outcome.
 */
export async function sendPreNotifications(desk: Desk, mailer: DeskMailer, reportId: number, actor: Actor): Promise<PreNotificationOutcome> {
  const report = await desk.readReport(reportId, actor, 'pre-notification mail');
  const project = desk.config.project;
  const when = report.disclosureAt === undefined ? 'the coming security release' : describeDisclosureTime(report.disclosureAt, desk.config.calendar.timeZone).utc;
  const privateText = await desk.document(reportId, 'private-notification', actor);
  const publicText = await desk.document(reportId, 'pre-announcement', actor);
  const entries = await desk.notifyEntries(actor);
  // Subjects travel unencrypted and are shown in inboxes: no detail of the flaw, only the date.
  const notifications = await mailer.sendPrivateNotifications(entries, `Embargoed security notice: release on ${when}`, privateText);

  let announcement: PreNotificationOutcome['announcement'] = { status: 'not-mailed' };
  const announce = project.contacts.announce;
  if (announce !== undefined && /^[^\s@]+@[^\s@]+$/.test(announce)) {
    try {
      await mailer.sendPreAnnouncement(announce, `Security release on ${when}`, publicText);
      announcement = { status: 'sent', to: announce };
    } catch (error) {
      announcement = { status: 'failed', to: announce, error: error instanceof Error ? error.message : String(error) };
    }
  }

  await desk.logEvent(actor, 'report.pre-notification-mail', `report:${reportId}`, {
    sent: notifications.filter((result) => result.status === 'accepted').map((result) => result.entry.contact),
    failed: notifications.filter((result) => result.status === 'failed').map((result) => result.entry.contact),
    announcement: announcement.status,
  });
  return { notifications, announcement };
}

/** One sentence for people about a mail run. */
export function describePreNotificationOutcome(outcome: PreNotificationOutcome): string {
  const sent = outcome.notifications.filter((result) => result.status === 'accepted').length;
  const failed = outcome.notifications.filter((result) => result.status === 'failed').map((result) => result.entry.contact);
  const parts = [`Private notification sent to ${sent} of ${outcome.notifications.length} list entr${outcome.notifications.length === 1 ? 'y' : 'ies'}.`];
  if (failed.length > 0) parts.push(`Not delivered to ${failed.join(', ')}: send it by hand.`);
  if (outcome.announcement.status === 'sent') parts.push(`Pre-announcement sent to ${outcome.announcement.to ?? ''}.`);
  else if (outcome.announcement.status === 'failed') parts.push(`Pre-announcement to ${outcome.announcement.to ?? ''} failed (${outcome.announcement.error ?? ''}).`);
  else parts.push('Post the pre-announcement document yourself (no announce address is configured).');
  return parts.join(' ');
}
