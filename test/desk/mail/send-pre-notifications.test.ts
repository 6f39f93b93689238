import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDeskConfigText } from '../../../src/desk/config/load-desk-config.js';
import { Desk } from '../../../src/desk/desk.js';
import { createDeskMailer, type DeskMailer } from '../../../src/desk/mail/mailer.js';
import { describePreNotificationOutcome, sendPreNotifications } from '../../../src/desk/mail/send-pre-notifications.js';
import { deskStoreBackends, type DeskStoreDatabase } from '../../helpers/desk-store-backends.js';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.js';
import { ADMIN, DJANGO_LIKE_CONFIG_YAML, RESPONDER, SUBMISSION } from '../desk-fixtures.js';

const MARKER = 'ZQ-FLAW-DETAIL';
const [sqlite] = deskStoreBackends();

describe('pre-notification mail', () => {
  let database: DeskStoreDatabase;
  let sink: SmtpSink;
  let mailer: DeskMailer;
  let now = new Date('2025-06-02T15:00:00Z');

  const deskWith = (announce: string | undefined): Desk => {
    const yaml = DJANGO_LIKE_CONFIG_YAML.replace(
      'contacts: { security: security@example.org }',
      `contacts: { security: security@example.org${announce === undefined ? '' : `, announce: "${announce}"`} }`,
    );
    return new Desk({ store: database.store, config: parseDeskConfigText(yaml, 'desk.yaml'), clock: { now: () => new Date(now) } });
  };

  beforeEach(async () => {
    database = await sqlite!.create();
    sink = await startSmtpSink({ rejectRecipients: ['security@broken.example'] });
    mailer = createDeskMailer({ transport: sink.settings, from: 'security@example.org', project: 'Example Framework' });
    now = new Date('2025-06-02T15:00:00Z');
  });
  afterEach(async () => {
    mailer.close();
    await sink.stop();
    await database.dispose();
  });

  async function preNotifiedReport(desk: Desk): Promise<number> {
    const { report } = await desk.submitReport({ ...SUBMISSION, description: `${MARKER} in the changelist` });
    for (const entry of [
      { organisation: 'Debian', contact: 'team@security.debian.org' },
      { organisation: 'Fedora', contact: 'security@fedoraproject.org' },
      { organisation: 'Broken', contact: 'security@broken.example' },
    ]) {
      await desk.addNotifyEntry({ ...entry, group: 'distributor', reviewOn: '2026-06-01' }, ADMIN);
    }
    await desk.act(report.id, { kind: 'acknowledge' }, RESPONDER, 'n');
    await desk.act(report.id, { kind: 'triage' }, RESPONDER, 'n');
    await desk.act(
      report.id,
      {
        kind: 'accept',
        assessment: {
          severity: 'high',
          cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N',
          cwes: ['CWE-89'],
          affectedSeries: ['5.2'],
          summary: 'SQL injection',
        },
      },
      RESPONDER,
      'n',
    );
    await desk.act(report.id, { kind: 'start-fix' }, RESPONDER, 'n');
    await desk.recordFix(report.id, { series: '5.2', fixedIn: '5.2.4', patch: 'abc' }, RESPONDER);
    await desk.act(report.id, { kind: 'schedule-disclosure', at: '2025-07-01T14:00:00Z' }, RESPONDER, 'n');
    await desk.act(report.id, { kind: 'pre-notify' }, RESPONDER, 'n');
    return report.id;
  }

  it('sends one private message per list entry with the details, and the public notice without them', async () => {
    const desk = deskWith('announce@example.org');
    const id = await preNotifiedReport(desk);
    const outcome = await sendPreNotifications(desk, mailer, id, RESPONDER);

    expect(outcome.notifications.map((result) => [result.entry.contact, result.status])).toEqual([
      ['team@security.debian.org', 'accepted'],
      ['security@fedoraproject.org', 'accepted'],
      ['security@broken.example', 'failed'],
    ]);
    const privateMessages = sink.messages.filter((message) => message.text.includes(MARKER));
    expect(privateMessages.map((message) => message.rcptTo)).toEqual([['team@security.debian.org'], ['security@fedoraproject.org']]);
    for (const message of privateMessages) {
      expect(sink.header(message, 'cc')).toBeUndefined();
      expect(sink.header(message, 'subject')).not.toContain(MARKER);
    }
    const [publicNotice] = sink.messages.filter((message) => message.rcptTo.includes('announce@example.org'));
    expect(publicNotice?.text).toContain('High');
    expect(publicNotice?.text).not.toContain(MARKER);
    expect(outcome.announcement).toEqual({ status: 'sent', to: 'announce@example.org' });
    expect(describePreNotificationOutcome(outcome)).toMatch(/sent to 2 of 3 list entries\. Not delivered to security@broken\.example/);

    const [logged] = (await database.store.readAudit()).filter((event) => event.action === 'report.pre-notification-mail');
    expect(logged?.detail).toEqual({
      sent: ['team@security.debian.org', 'security@fedoraproject.org'],
      failed: ['security@broken.example'],
      announcement: 'sent',
    });
  });

  it('leaves a web-page announce address to the team', async () => {
    const desk = deskWith('https://example.org/weblog/');
    const id = await preNotifiedReport(desk);
    const outcome = await sendPreNotifications(desk, mailer, id, RESPONDER);
    expect(outcome.announcement.status).toBe('not-mailed');
    expect(sink.messages.every((message) => message.text.includes(MARKER))).toBe(true);
  });
});
