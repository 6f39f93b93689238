import nodemailer from 'nodemailer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, DeskRuleError, UsageError } from '../../../src/core/errors.js';
import { MailDeliveryError } from '../../../src/desk/mail/mail-errors.js';
import { createDeskMailer, type DeskMailer } from '../../../src/desk/mail/mailer.js';
import type { JoinRequest, NotifyEntry } from '../../../src/desk/types.js';
import { startSmtpSink, type SinkMessage, type SmtpSink } from '../../helpers/smtp-sink.js';

const PROJECT = 'Example Framework';
const FROM = 'security@example.org';
const BODY = 'Embargoed until Tuesday 10 June 2025, 14:00 UTC.\nMARKER-7f3a: the full description.\n';

function entry(id: number, organisation: string, contact: string): NotifyEntry {
  return { id, organisation, group: 'distributor', contact, approvedBy: 'alan', approvedOn: '2025-01-02', reviewOn: '2026-01-02' };
}

const ENTRIES: readonly NotifyEntry[] = [
  entry(1, 'Debian', 'security@debian.example'),
  entry(2, 'Fedora', 'secalert@fedora.example'),
  entry(3, 'Alpine', 'security@alpine.example'),
];

const DECIDED: JoinRequest = {
  id: 4,
  organisation: 'Gentoo',
  group: 'distributor',
  contact: 'security@gentoo.example',
  justification: 'We ship the framework to our users in the main repository.',
  url: 'https://packages.gentoo.example/framework',
  requestedAt: '2025-05-01T08:00:00.000Z',
  decision: { outcome: 'approved', reason: 'Ships the package.', by: 'alan', at: '2025-05-10T09:00:00.000Z' },
};

/** Every address in a header value (`"Debian" <security@debian.example>` -> the address). */
function addressesIn(value: string | undefined): string[] {
  return [...(value ?? '').matchAll(/[^\s<>",;:]+@[^\s<>",;:]+/g)].map((match) => match[0]);
}

function expectOneRecipient(sink: SmtpSink, message: SinkMessage, address: string): void {
  expect(message.rcptTo).toEqual([address]);
  expect(message.headers.get('to')).toHaveLength(1);
  expect(addressesIn(sink.header(message, 'to'))).toEqual([address]);
  expect(message.headers.has('cc')).toBe(false);
  expect(message.headers.has('bcc')).toBe(false);
}

describe('desk mailer over a real SMTP server', () => {
  let sink: SmtpSink;
  let mailer: DeskMailer;

  beforeEach(async () => {
    sink = await startSmtpSink({ rejectRecipients: ['secalert@fedora.example'] });
    mailer = createDeskMailer({ transport: sink.settings, from: FROM, project: PROJECT });
  });

  afterEach(async () => {
    mailer.close();
    await sink.stop();
  });

  it('sends three notifications as three transactions, each to its entry alone', async () => {
    const three = ENTRIES.map((each) => (each.id === 2 ? entry(2, 'Fedora', 'security@fedora.example') : each));
    const results = await mailer.sendPrivateNotifications(three, 'Embargoed security notice', BODY);

    expect(results.map((result) => [result.entry.id, result.status])).toEqual([
      [1, 'accepted'],
      [2, 'accepted'],
      [3, 'accepted'],
    ]);
    expect(sink.connections).toBe(3);
    expect(sink.messages.map((message) => message.rcptTo)).toEqual(three.map((each) => [each.contact]));
    sink.messages.forEach((message, index) => {
      expectOneRecipient(sink, message, three[index]!.contact);
      expect(message.mailFrom).toBe(FROM);
      expect(message.text).toBe(BODY);
      expect(sink.header(message, 'subject')).toBe(`[${PROJECT}] Embargoed security notice`);
      expect(sink.header(message, 'content-type')).toMatch(/^text\/plain/);
      expect(sink.header(message, 'auto-submitted')).toBe('auto-generated');
      const result = results[index]!;
      expect(result.status === 'accepted' && result.mail.messageId).toBe(sink.header(message, 'message-id'));
    });
    const ids = sink.messages.map((message) => sink.header(message, 'message-id'));
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^<[0-9a-f-]{36}@example\.org>$/);
  });

  it('reports a recipient the server refuses and still sends to the others', async () => {
    const results = await mailer.sendPrivateNotifications(ENTRIES, 'Embargoed security notice', BODY);

    expect(results.map((result) => result.status)).toEqual(['accepted', 'failed', 'accepted']);
    const failed = results[1]!;
    if (failed.status !== 'failed') throw new Error('unreachable');
    expect(failed.error).toBeInstanceOf(MailDeliveryError);
    expect(failed.error).toMatchObject({ recipient: 'secalert@fedora.example', responseCode: 550 });
    expect(sink.rejections.map((rejection) => rejection.rcptTo)).toEqual(['secalert@fedora.example']);
    expect(sink.messages.map((message) => message.rcptTo)).toEqual([['security@debian.example'], ['security@alpine.example']]);
  });

  it('records a connection failure for every entry instead of throwing', async () => {
    const closed = await startSmtpSink();
    const port = closed.port;
    await closed.stop();
    const broken = createDeskMailer({ transport: { host: '127.0.0.1', port }, from: FROM, project: PROJECT });
    const results = await broken.sendPrivateNotifications(ENTRIES, 'Embargoed security notice', BODY);
    broken.close();

    expect(results.map((result) => result.status)).toEqual(['failed', 'failed', 'failed']);
    for (const result of results) {
      expect(result.status === 'failed' && result.error).toBeInstanceOf(MailDeliveryError);
    }
  });

  it('sends the acknowledgement to the reporter only', async () => {
    const sent = await mailer.sendAcknowledgement(
      { name: 'Ada Reporter', email: 'ada@example.net' },
      { id: 7, title: 'SQL injection in the admin changelist' },
      'Thank you. MARKER-ack\n',
    );

    expect(sink.messages).toHaveLength(1);
    const message = sink.messages[0]!;
    expectOneRecipient(sink, message, 'ada@example.net');
    expect(sink.header(message, 'to')).toBe('Ada Reporter <ada@example.net>');
    expect(sink.header(message, 'subject')).toBe(`[${PROJECT}] Report #7 received: SQL injection in the admin changelist`);
    expect(sink.header(message, 'auto-submitted')).toBe('auto-generated');
    expect(sink.header(message, 'x-auto-response-suppress')).toBe('All');
    expect(sink.header(message, 'message-id')).toBe(sent.messageId);
    expect(message.text).toContain('MARKER-ack');
    expect(sent.to).toBe('ada@example.net');
  });

  it('folds a reporter-written title and name onto one line instead of adding headers', async () => {
    await mailer.sendAcknowledgement(
      { name: 'Eve\r\nBcc: spy@evil.example', email: 'eve@example.net' },
      { id: 8, title: 'XSS\r\nBcc: spy@evil.example\r\nX-Injected: yes' },
      'Thank you.\n',
    );

    const message = sink.messages[0]!;
    expect(message.rcptTo).toEqual(['eve@example.net']);
    expect(message.headers.has('bcc')).toBe(false);
    expect(message.headers.has('x-injected')).toBe(false);
    expect(sink.header(message, 'subject')).toBe(`[${PROJECT}] Report #8 received: XSS Bcc: spy@evil.example X-Injected: yes`);
  });

  it('shows bidi controls and escape sequences a reporter wrote as text, in the name, subject and body', async () => {
    // U+202E (right-to-left override) would show "evil.example" reversed; ESC could recolour a terminal mail reader.
    await mailer.sendAcknowledgement(
      { name: 'Ada \u202eelpmaxe\u202c', email: 'ada@example.net' },
      { id: 9, title: 'XSS in \u2066admin\u2069' },
      'Hello Ada \u202eelpmaxe,\n\tTitle:\u001b[31m red\nBye.\n',
    );

    const message = sink.messages[0]!;
    const seen = [sink.header(message, 'to') ?? '', sink.header(message, 'subject') ?? '', message.text];
    // eslint-disable-next-line no-control-regex -- the escape character is what must not arrive
    for (const text of seen) expect(text).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u001b]/u);
    expect(sink.header(message, 'subject')).toBe(`[${PROJECT}] Report #9 received: XSS in \\u{2066}admin\\u{2069}`);
    // A quoted display name, whose backslashes are escaped in their turn (RFC 5322, 3.2.4).
    expect(sink.header(message, 'to')).toBe('"Ada \\\\u{202e}elpmaxe\\\\u{202c}" <ada@example.net>');
    // Line breaks and the tab stay what they are.
    expect(message.text).toBe('Hello Ada \\u{202e}elpmaxe,\n\tTitle:\\x1b[31m red\nBye.\n');
  });

  it('sends the pre-announcement to the list, without Auto-Submitted', async () => {
    await mailer.sendPreAnnouncement('announce@lists.example.org', 'Example Framework security release on 10 June: high severity', 'Date and severity only.\n');

    const message = sink.messages[0]!;
    expectOneRecipient(sink, message, 'announce@lists.example.org');
    // The project name is already there: no prefix.
    expect(sink.header(message, 'subject')).toBe('Example Framework security release on 10 June: high severity');
    expect(message.headers.has('auto-submitted')).toBe(false);
    expect(sink.header(message, 'x-auto-response-suppress')).toBe('All');
  });

  it('sends a join decision to the requesting contact', async () => {
    await mailer.sendJoinDecision(DECIDED, 'Approved.\n');

    const message = sink.messages[0]!;
    expectOneRecipient(sink, message, 'security@gentoo.example');
    expect(sink.header(message, 'subject')).toBe(`[${PROJECT}] Your request to join the security pre-notification list: approved`);
    expect(sink.header(message, 'auto-submitted')).toBe('auto-generated');
  });

  it('refuses to send the decision of an undecided request', async () => {
    const undecided: JoinRequest = { ...DECIDED, decision: undefined };
    await expect(mailer.sendJoinDecision(undecided, 'x\n')).rejects.toBeInstanceOf(DeskRuleError);
    expect(sink.connections).toBe(0);
  });

  type Refusal = { name: string; send: (mailer: DeskMailer) => Promise<unknown> };
  const refusals: Refusal[] = [
    { name: 'CR/LF in a notification subject', send: (m) => m.sendPrivateNotifications(ENTRIES, 'Notice\r\nBcc: spy@evil.example', BODY) },
    { name: 'a bare LF in a notification subject', send: (m) => m.sendPrivateNotifications(ENTRIES, 'Notice\nBcc: spy@evil.example', BODY) },
    { name: 'a bare CR in a pre-announcement subject', send: (m) => m.sendPreAnnouncement('announce@example.org', 'Release\rBcc: spy@evil.example', 'x') },
    { name: 'CR/LF in the list address', send: (m) => m.sendPreAnnouncement('announce@example.org\r\nBcc: spy@evil.example', 'Release', 'x') },
    { name: 'two addresses for the list', send: (m) => m.sendPreAnnouncement('announce@example.org, spy@evil.example', 'Release', 'x') },
    {
      name: 'CR/LF in the reporter address',
      send: (m) => m.sendAcknowledgement({ name: 'Ada', email: 'ada@example.net\r\nBcc: spy@evil.example' }, { id: 1, title: 't' }, 'x'),
    },
    { name: 'an empty body', send: (m) => m.sendPrivateNotifications(ENTRIES, 'Notice', '  \n') },
  ];

  it.each(refusals)('refuses $name before anything is sent', async ({ send }) => {
    await expect(send(mailer)).rejects.toBeInstanceOf(UsageError);
    expect(sink.connections).toBe(0);
    expect(sink.messages).toHaveLength(0);
  });

  it('fails only the entry whose contact holds a line break', async () => {
    const injected = [ENTRIES[0]!, entry(9, 'Mallory', 'ok@mallory.example\r\nBcc: spy@evil.example'), ENTRIES[2]!];
    const results = await mailer.sendPrivateNotifications(injected, 'Notice', BODY);

    expect(results.map((result) => result.status)).toEqual(['accepted', 'failed', 'accepted']);
    expect(results[1]!.status === 'failed' && results[1]!.error).toBeInstanceOf(UsageError);
    expect(sink.messages.flatMap((message) => message.rcptTo)).toEqual(['security@debian.example', 'security@alpine.example']);
  });

  it('uses a display-name sender and a given transporter, which close() leaves open', async () => {
    const transporter = nodemailer.createTransport(sink.settings);
    const given = createDeskMailer({
      transport: transporter,
      from: 'Example Security <security@example.org>',
      replyTo: 'team@example.org',
    });
    await given.sendPreAnnouncement('announce@example.org', 'Release', 'x\n');
    given.close();
    await transporter.sendMail({ from: FROM, to: 'probe@example.org', subject: 'still open', text: 'x' });
    transporter.close();

    const message = sink.messages[0]!;
    expect(message.mailFrom).toBe('security@example.org');
    expect(sink.header(message, 'from')).toBe('Example Security <security@example.org>');
    expect(sink.header(message, 'reply-to')).toBe('team@example.org');
    // Without a project name, the sender's domain stands in for it.
    expect(sink.header(message, 'subject')).toBe('[example.org] Release');
    expect(sink.messages).toHaveLength(2);
  });

  it.each(['security@example.org\r\nBcc: spy@evil.example', 'not an address', 'a@example.org, b@example.org'])(
    'refuses the sender %j',
    (from) => {
      expect(() => createDeskMailer({ transport: sink.settings, from })).toThrow(ConfigError);
    },
  );
});
