import { createHmac, timingSafeEqual } from 'node:crypto';
import { visibleText } from '../../core/visible-text.js';
import type { Notification } from './notification.js';

// A webhook request, as a receiver sees it:
//
//   POST <the configured URL>
//   Content-Type: application/json
//   User-Agent: vigil-webhook/1
//   Vigil-Notification-Id: <notification id>      the same on every try: drop a repeat by it
//   Vigil-Delivery-Attempt: <1, 2, ...>
//   Vigil-Signature: t=<unix seconds>,v1=<hex>
//
//   {"type":"finding.new","notification":{...}}
//
// `v1` is HMAC-SHA256, keyed with the target's secret (its UTF-8 bytes), over the bytes
// `<t>.<body>`: the timestamp as decimal digits, a full stop, then the raw request body. A
// receiver recomputes it over the body exactly as received, compares in constant time, and
// refuses a `t` far from its own clock (five minutes, say) so that a captured request cannot be
// replayed later; the scheme is Stripe's (https://docs.stripe.com/webhooks#verify-manually), and
// GitHub's `X-Hub-Signature-256` is the same HMAC without the timestamp. Further `v1=` entries may
// follow while a secret is being rotated; a receiver accepts the request when any one matches.

/** Where one webhook goes and how it is signed. */
export interface WebhookTarget {
  readonly kind: 'webhook';
  /** The configuration's name for it; part of each delivery's key. */
  readonly id: string;
  /** An `http:` or `https:` URL without credentials; only what the configuration names is ever called. */
  readonly url: string;
  /** The HMAC key shared with the receiver. */
  readonly secret: string;
  /** Milliseconds to wait for the receiver's answer (default 10 s). */
  readonly timeoutMs?: number;
}

/** The header names, lower case. */
export const WEBHOOK_HEADERS = {
  signature: 'vigil-signature',
  notificationId: 'vigil-notification-id',
  attempt: 'vigil-delivery-attempt',
} as const;

/** The JSON body of a webhook for one notification. */
export function webhookBody(notification: Notification): string {
  return JSON.stringify({ type: 'finding.new', notification });
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 over "<t>.<body>">`. */
export function signWebhook(secret: string, body: string, at: Date): string {
  const timestamp = Math.floor(at.getTime() / 1000);
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/**
 * Checks a `Vigil-Signature` header as a receiver should: a well-formed header, a timestamp
 * within `toleranceSeconds` of `now`, and one `v1` that matches in constant time.
 */
export function verifyWebhookSignature(secret: string, header: string, body: string, now: Date, toleranceSeconds = 300): boolean {
  if (header.length > 1024) return false;
  let timestamp: number | undefined;
  const macs: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.split('=', 2);
    if (key === 't' && value !== undefined && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value !== undefined && /^[0-9a-f]{64}$/.test(value)) macs.push(value);
  }
  if (timestamp === undefined || macs.length === 0) return false;
  if (Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest();
  return macs.some((mac) => timingSafeEqual(Buffer.from(mac, 'hex'), expected));
}

/** The outcome of one try. */
export type WebhookAttemptResult =
  | { readonly outcome: 'delivered'; readonly status: number }
  /** Worth trying again: no answer, a 5xx, 408, 425 or 429; `retryAfterMs` from the receiver's Retry-After. */
  | { readonly outcome: 'retry'; readonly status?: number; readonly retryAfterMs?: number; readonly reason: string }
  /** Trying again will not help: a redirect or another 4xx. */
  | { readonly outcome: 'refused'; readonly status: number; readonly reason: string };

/** The longest Retry-After honoured; a longer one is waited for this long, then tried. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/**
 * Milliseconds a `Retry-After` header asks to wait: delay-seconds or an HTTP date
 * (https://www.rfc-editor.org/rfc/rfc9110#field.retry-after), at most `MAX_RETRY_AFTER_MS`;
 * `undefined` when absent or not readable.
 */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (text.length > 64) return undefined;
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - now.getTime();
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

const RETRYABLE_4XX = new Set([408, 425, 429]);

/** Sends one try of a notification to a webhook target. Never throws for what the network or receiver does. */
export async function postWebhook(target: WebhookTarget, notification: Notification, attempt: number, now: Date): Promise<WebhookAttemptResult> {
  const body = webhookBody(notification);
  let response: Response;
  try {
    response = await fetch(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'vigil-webhook/1',
        [WEBHOOK_HEADERS.notificationId]: notification.id,
        [WEBHOOK_HEADERS.attempt]: String(attempt),
        [WEBHOOK_HEADERS.signature]: signWebhook(target.secret, body, now),
      },
      body,
      // A redirect is not followed: only the configured address is ever called.
      redirect: 'manual',
      signal: AbortSignal.timeout(target.timeoutMs ?? 10_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    const code = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
    const reason = error instanceof Error && error.name === 'TimeoutError' ? 'no answer in time' : `no connection${code}`;
    return { outcome: 'retry', reason: visibleText(reason) };
  }
  // The answer's body is not read: nothing in it changes what is done, and it could be large.
  await response.body?.cancel().catch(() => undefined);
  const status = response.status;
  if (status >= 200 && status < 300) return { outcome: 'delivered', status };
  if (status >= 500 || RETRYABLE_4XX.has(status)) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now);
    return { outcome: 'retry', status, reason: `HTTP ${status}`, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  return { outcome: 'refused', status, reason: status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}` };
}

/** Checks a webhook target's URL: http or https, no credentials, one line. */
export function checkWebhookUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'must be an http or https URL';
  if (parsed.username !== '' || parsed.password !== '') return 'must not carry credentials (the request is signed instead)';
  return undefined;
}
