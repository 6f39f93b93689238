import { randomUUID } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import nodemailer, { type SendMailOptions, type SentMessageInfo, type Transporter } from 'nodemailer';
import { ConfigError, DeskRuleError, UsageError } from '../../core/errors.js';
import { visibleText } from '../../core/visible-text.js';
import type { JoinRequest, NotifyEntry } from '../types.js';
import { MailDeliveryError } from './mail-errors.js';
import { checkHeaderText, checkMailAddress, foldHeaderText, parseSender, type MailAddress } from './mail-headers.js';

/** Where the desk's SMTP server is and how to log in to it. */
export interface SmtpSettings {
  /** Host name or address of the SMTP server. */
  readonly host: string;
  /** Port: 587 (submission, STARTTLS), 465 (implicit TLS) or 25. */
  readonly port: number;
  /** Implicit TLS from the first byte (port 465). Default false. */
  readonly secure?: boolean;
  /** Credentials, when the server wants a login. */
  readonly auth?: { readonly user: string; readonly pass: string };
  /** Fail unless the server upgrades the connection with STARTTLS. */
  readonly requireTLS?: boolean;
  /** TLS options (CA, server name, minimum version) for implicit TLS or STARTTLS. */
  readonly tls?: ConnectionOptions;
  /** Milliseconds to wait for the connection (default 30 s). */
  readonly connectionTimeout?: number;
  /** Milliseconds of silence after which the connection is given up (default 60 s). */
  readonly socketTimeout?: number;
}

/** Options of {@link createDeskMailer}. */
export interface DeskMailerOptions {
  /** SMTP settings (the mailer opens and closes its own transport) or a nodemailer transporter (kept open). */
  readonly transport: SmtpSettings | Transporter;
  /** The sender: `security@example.org` or `Example Security <security@example.org>` (`project.contacts.from`). */
  readonly from: string;
  /**
   * The project name that every subject carries (`project.name`). When absent, the domain of the
   * sender address stands in for it.
   */
  readonly project?: string;
  /** Where replies go, when not to the sender (`project.contacts.security`). */
  readonly replyTo?: string;
}

/** A message the server accepted. */
export interface SentMail {
  /** The one recipient. */
  readonly to: string;
  /** The Message-ID header, with its angle brackets. */
  readonly messageId: string;
  /** The server's final reply (`250 OK: queued as ...`). */
  readonly response: string;
}

/** The outcome of one private notification: accepted by the server, or failed with the reason. */
export type NotificationResult =
  | { readonly entry: NotifyEntry; readonly status: 'accepted'; readonly mail: SentMail }
  | { readonly entry: NotifyEntry; readonly status: 'failed'; readonly error: UsageError | MailDeliveryError };

/**
 * The desk's outgoing mail. Every message is plain text with a Message-ID and exactly one
 * recipient, in the To header and in the envelope; there is never a Cc or Bcc. Subjects carry the
 * project name. Subjects and addresses with a line break are refused (`UsageError`) before anything
 * is sent. Bodies are rendered elsewhere and sent as given.
 */
export interface DeskMailer {
  /**
   * Sends the acknowledgement of a report to its reporter (and nobody else). The reporter's name
   * and the report title are folded onto one line for the headers.
   * @throws UsageError for an invalid address or empty body; MailDeliveryError when not delivered.
   */
  sendAcknowledgement(
    to: { readonly name: string; readonly email: string },
    report: { readonly id: number; readonly title: string },
    body: string,
  ): Promise<SentMail>;
  /**
   * Sends the public pre-announcement (date, time, severity; no detail) to the announce list.
   * It carries no `Auto-Submitted` header: list servers may hold automatic posts.
   * @throws UsageError for an invalid address or subject; MailDeliveryError when not delivered.
   */
  sendPreAnnouncement(to: string, subject: string, body: string): Promise<SentMail>;
  /**
   * Sends the private notification to every entry of the list, one message per entry with only
   * that entry's contact in To and in the envelope. A failure (an invalid contact, a recipient the
   * server refuses, a dropped connection) is recorded for that entry and the others are still
   * sent. Results are in the order of `entries`.
   * @throws UsageError for an invalid subject or an empty body, before anything is sent.
   */
  sendPrivateNotifications(entries: readonly NotifyEntry[], subject: string, body: string): Promise<NotificationResult[]>;
  /**
   * Sends the team's decision on a request to join the notification list to the requesting contact.
   * @throws DeskRuleError when the request is not decided yet; UsageError; MailDeliveryError.
   */
  sendJoinDecision(request: JoinRequest, body: string): Promise<SentMail>;
  /** Closes the SMTP transport the mailer opened (a transporter passed in is left open). */
  close(): void;
}

// RFC 3834 section 5: messages sent by a process, not by a person, say so, and auto-responders
// must not answer them; `X-Auto-Response-Suppress` is Microsoft Exchange's equivalent
// (https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxcmail/ced68690-498a-4567-9d14-5c01f974d8b1).
const AUTOMATIC_HEADERS = { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' } as const;
// A public list post is still an announcement by people: marked against out-of-office replies only.
const LIST_POST_HEADERS = { 'X-Auto-Response-Suppress': 'All' } as const;

interface Outgoing {
  readonly to: MailAddress;
  readonly subject: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

function isTransporter(transport: SmtpSettings | Transporter): transport is Transporter {
  return 'sendMail' in transport && typeof transport.sendMail === 'function';
}

function checkBody(body: string): string {
  if (body.trim() === '') throw new UsageError('the message body is empty');
  return body;
}

function errorDetails(error: unknown): { message: string; responseCode?: number } {
  if (!(error instanceof Error)) return { message: String(error) };
  const responseCode = 'responseCode' in error && typeof error.responseCode === 'number' ? error.responseCode : undefined;
  return { message: error.message, ...(responseCode === undefined ? {} : { responseCode }) };
}

/** Creates the desk's mailer over SMTP settings or an existing nodemailer transporter. */
export function createDeskMailer(options: DeskMailerOptions): DeskMailer {
  let from: MailAddress;
  let replyTo: string | undefined;
  let project: string;
  try {
    from = parseSender(options.from, 'sender');
    replyTo = options.replyTo === undefined ? undefined : checkMailAddress(options.replyTo, 'reply-to address');
    project = checkHeaderText(options.project ?? from.address.slice(from.address.lastIndexOf('@') + 1), 'project name');
  } catch (error) {
    throw new ConfigError(`desk mail: ${(error as Error).message}`, { cause: error });
  }
  const domain = from.address.slice(from.address.lastIndexOf('@') + 1);
  const owned = !isTransporter(options.transport);
  const transporter: Transporter = isTransporter(options.transport)
    ? options.transport
    : nodemailer.createTransport({
        host: options.transport.host,
        port: options.transport.port,
        secure: options.transport.secure ?? false,
        ...(options.transport.auth ? { auth: { user: options.transport.auth.user, pass: options.transport.auth.pass } } : {}),
        ...(options.transport.requireTLS === undefined ? {} : { requireTLS: options.transport.requireTLS }),
        ...(options.transport.tls ? { tls: options.transport.tls } : {}),
        connectionTimeout: options.transport.connectionTimeout ?? 30_000,
        greetingTimeout: options.transport.connectionTimeout ?? 30_000,
        socketTimeout: options.transport.socketTimeout ?? 60_000,
      });

  function withProject(subject: string): string {
    return subject.toLowerCase().includes(project.toLowerCase()) ? subject : `[${project}] ${subject}`;
  }

  async function send(message: Outgoing): Promise<SentMail> {
    const messageId = `<${randomUUID()}@${domain}>`;
    const mail: SendMailOptions = {
      from: { name: from.name, address: from.address },
      to: { name: visibleText(message.to.name), address: message.to.address },
      ...(replyTo === undefined ? {} : { replyTo }),
      // Reporters write names, titles and texts: a bidi override or an escape sequence in them is
      // shown as what it is (`\u{202e}`), never obeyed by the reader's mail program.
      subject: visibleText(message.subject),
      text: visibleMailText(message.body),
      messageId,
      headers: { ...message.headers },
      // The envelope is set, not derived from the headers, so it holds exactly this one recipient.
      envelope: { from: from.address, to: [message.to.address] },
      // Bodies are ours or our renderers'; nothing is fetched or read from disk for them.
      disableFileAccess: true,
      disableUrlAccess: true,
    };
    let info: SentMessageInfo;
    try {
      info = await transporter.sendMail(mail);
    } catch (error) {
      const details = errorDetails(error);
      throw new MailDeliveryError(message.to.address, `mail to ${message.to.address} was not delivered: ${details.message}`, {
        cause: error,
        ...(details.responseCode === undefined ? {} : { responseCode: details.responseCode }),
      });
    }
    if ((info.rejected ?? []).length > 0) {
      throw new MailDeliveryError(message.to.address, `mail to ${message.to.address} was refused: ${info.response ?? 'no reply'}`);
    }
    return { to: message.to.address, messageId: info.messageId || messageId, response: info.response ?? '' };
  }

  return {
    async sendAcknowledgement(to, report, body) {
      const address = checkMailAddress(to.email, 'reporter address');
      const title = foldHeaderText(report.title, 120);
      return send({
        to: { name: foldHeaderText(to.name, 120), address },
        subject: withProject(`Report #${report.id} received${title === '' ? '' : `: ${title}`}`),
        body: checkBody(body),
        headers: AUTOMATIC_HEADERS,
      });
    },

    async sendPreAnnouncement(to, subject, body) {
      const message = {
        to: { name: '', address: checkMailAddress(to, 'announce list address') },
        subject: withProject(checkHeaderText(subject, 'subject')),
        body: checkBody(body),
        headers: LIST_POST_HEADERS,
      };
      return send(message);
    },

    async sendPrivateNotifications(entries, subject, body) {
      const checkedSubject = withProject(checkHeaderText(subject, 'subject'));
      const checkedBody = checkBody(body);
      const results: NotificationResult[] = [];
      // One after the other, one connection each: a slow or refusing recipient delays the rest but
      // never merges them into one message or one envelope.
      for (const entry of entries) {
        let address: string;
        try {
          address = checkMailAddress(entry.contact, `contact of ${entry.organisation}`);
        } catch (error) {
          results.push({ entry, status: 'failed', error: error as UsageError });
          continue;
        }
        try {
          const mail = await send({
            to: { name: foldHeaderText(entry.organisation, 120), address },
            subject: checkedSubject,
            body: checkedBody,
            headers: AUTOMATIC_HEADERS,
          });
          results.push({ entry, status: 'accepted', mail });
        } catch (error) {
          if (!(error instanceof MailDeliveryError)) throw error;
          results.push({ entry, status: 'failed', error });
        }
      }
      return results;
    },

    async sendJoinDecision(request, body) {
      if (!request.decision) throw new DeskRuleError(`join request ${request.id} is not decided yet`);
      const address = checkMailAddress(request.contact, 'requester address');
      return send({
        to: { name: foldHeaderText(request.organisation, 120), address },
        subject: withProject(`Your request to join the security pre-notification list: ${request.decision.outcome}`),
        body: checkBody(body),
        headers: AUTOMATIC_HEADERS,
      });
    },

    close() {
      if (owned) transporter.close();
    },
  };
}

/** A mail body with every control and bidi character written visibly, but its line breaks and tabs kept. */
export function visibleMailText(body: string): string {
  return body
    .split('\n')
    .map((line) => line.split('\t').map(visibleText).join('\t'))
    .join('\n');
}
