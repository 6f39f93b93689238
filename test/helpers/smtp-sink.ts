import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerError } from 'smtp-server';

/** One SMTP transaction the sink accepted: its envelope and the message as it came over the wire. */
export interface SinkMessage {
  /** MAIL FROM address (empty for the null sender). */
  readonly mailFrom: string;
  /** Every accepted RCPT TO address, in order. */
  readonly rcptTo: readonly string[];
  /** The message as received (CRLF line ends, dot-unstuffed). */
  readonly raw: string;
  /** Header fields by lower-case name, unfolded, encoded words decoded; one value per occurrence. */
  readonly headers: ReadonlyMap<string, readonly string[]>;
  /** The body, decoded from its transfer encoding (quoted-printable, base64 or 7/8bit), LF line ends. */
  readonly text: string;
}

/** A recipient the sink refused at RCPT TO. */
export interface SinkRejection {
  /** MAIL FROM of the transaction. */
  readonly mailFrom: string;
  /** The refused RCPT TO address. */
  readonly rcptTo: string;
}

/** How the sink answers. */
export interface SmtpSinkOptions {
  /** Addresses (case-insensitive) refused at RCPT TO with `550 5.1.1 mailbox unavailable`. */
  readonly rejectRecipients?: readonly string[];
}

/** A running sink: where it listens and what it received. */
export interface SmtpSink {
  /** `127.0.0.1`. */
  readonly host: string;
  /** The port the sink listens on (chosen by the system). */
  readonly port: number;
  /** Settings to hand to an SMTP client: plain SMTP, no TLS, no login. */
  readonly settings: { readonly host: string; readonly port: number; readonly secure: false };
  /** Accepted transactions, in order of arrival. */
  readonly messages: readonly SinkMessage[];
  /** Recipients refused at RCPT TO. */
  readonly rejections: readonly SinkRejection[];
  /** Client connections opened so far. */
  readonly connections: number;
  /** Forgets everything received so far. */
  clear(): void;
  /** The first value of a header of a message, or undefined. */
  header(message: SinkMessage, name: string): string | undefined;
  /** Stops listening; open connections are closed after one second at most. */
  stop(): Promise<void>;
}

/** Unfolds the header block and decodes RFC 2047 encoded words (B and Q, UTF-8 or ASCII). */
function parseHeaders(block: string): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  const unfolded = block.replace(/\r\n(?=[ \t])/g, '');
  for (const line of unfolded.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = decodeEncodedWords(line.slice(colon + 1).trim());
    headers.set(name, [...(headers.get(name) ?? []), value]);
  }
  return headers;
}

function decodeEncodedWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_match, _charset: string, encoding: string, data: string) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQuotedPrintable(data.replace(/_/g, ' ')),
    );
}

function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  const source = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    const hex = source.slice(i + 1, i + 3);
    if (char === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(char ?? '', 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function parseMessage(mailFrom: string, rcptTo: readonly string[], raw: string): SinkMessage {
  const split = raw.indexOf('\r\n\r\n');
  const headers = parseHeaders(split < 0 ? raw : raw.slice(0, split));
  const body = split < 0 ? '' : raw.slice(split + 4);
  const encoding = (headers.get('content-transfer-encoding')?.[0] ?? '7bit').toLowerCase();
  const decoded =
    encoding === 'quoted-printable'
      ? decodeQuotedPrintable(body)
      : encoding === 'base64'
        ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
        : body;
  return { mailFrom, rcptTo, raw, headers, text: decoded.replace(/\r\n/g, '\n') };
}

/**
 * Starts a real SMTP server on 127.0.0.1 (a free port) that accepts every message without login or
 * TLS and records each transaction's envelope and content, for tests of code that sends mail.
 */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const refused = new Set((options.rejectRecipients ?? []).map((address) => address.toLowerCase()));
  const messages: SinkMessage[] = [];
  const rejections: SinkRejection[] = [];
  let connections = 0;

  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 1_000,
    onConnect(_session, callback) {
      connections++;
      callback();
    },
    onRcptTo(address, session, callback) {
      if (refused.has(address.address.toLowerCase())) {
        rejections.push({ mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', rcptTo: address.address });
        const error: SMTPServerError = Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 });
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const rcptTo = session.envelope.rcptTo.map((address) => address.address);
        messages.push(parseMessage(mailFrom, rcptTo, Buffer.concat(chunks).toString('utf8')));
        callback();
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    host: '127.0.0.1',
    port,
    settings: { host: '127.0.0.1', port, secure: false },
    messages,
    rejections,
    get connections() {
      return connections;
    },
    clear() {
      messages.length = 0;
      rejections.length = 0;
      connections = 0;
    },
    header(message, name) {
      return message.headers.get(name.toLowerCase())?.[0];
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}
