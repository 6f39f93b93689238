import type { ConsoleLink } from '../../../web/create-web-server.js';
import type { Clock } from '../../../core/clock.js';
import type { Desk } from '../../desk.js';
import type { DeskMailer } from '../../mail/mailer.js';
import type { RateLimit } from '../../../web/create-web-server.js';
import type { LoginThrottle } from '../../../web/login-throttle.js';
import type { UploadLimits } from '../uploads.js';

// What the route modules share, apart from the server that registers them: the routes import this
// module and the server imports the routes, never the other way round.

export { rateLimited, type RateLimit } from '../../../web/create-web-server.js';

/** The rate limits of the desk, per client address (console log-ins have their throttle instead). */
export interface DeskRateLimits {
  /** Every route without a stricter limit. */
  readonly global: RateLimit;
  /** Report submissions. */
  readonly report: RateLimit;
  /** Other public form posts: join requests, reporters' messages and credit changes. */
  readonly publicPost: RateLimit;
}

/** Modest defaults: a person never meets them, a script flooding the inbox soon does. */
export const DEFAULT_RATE_LIMITS: DeskRateLimits = {
  global: { max: 300, timeWindowMs: 60_000 },
  report: { max: 10, timeWindowMs: 60 * 60_000 },
  publicPost: { max: 30, timeWindowMs: 60 * 60_000 },
};

/** Everything the route modules share. */
export interface DeskWebContext {
  /** The desk service the pages act through. */
  readonly desk: Desk;
  /** Sends mail; undefined when no mailer is configured. */
  readonly mailer: DeskMailer | undefined;
  /** Attachment limits. */
  readonly uploadLimits: UploadLimits;
  /** Per-address rate limits. */
  readonly rateLimits: DeskRateLimits;
  /** Console log-in throttling per account and per address. */
  readonly loginThrottle: LoginThrottle;
  /** The public base URL without a trailing slash, when configured. */
  readonly publicUrl: string | undefined;
  /** The clock of sessions, throttling and security.txt checks. */
  readonly clock: Clock;
  /** The console pages of the other services on the server, linked from the console's navigation. */
  readonly consoleLinks?: readonly ConsoleLink[];
}
