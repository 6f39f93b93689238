import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySession from '@fastify/session';
import { isIP } from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { systemClock, type Clock } from '../../core/clock.js';
import { UsageError, VigilError } from '../../core/errors.js';
import { visibleText } from '../../core/visible-text.js';
import type { LoginThrottleSettings } from '../config/desk-config.js';
import type { Desk } from '../desk.js';
import type { DeskMailer } from '../mail/mailer.js';
import { deskApiPlugin } from './api/desk-api-plugin.js';
import { CVSS_JS } from './assets/cvss-js.js';
import { DESK_CSS } from './assets/desk-css.js';
import { csrfTokenOf } from './form-fields.js';
import { renderErrorPage } from './pages/public-pages.js';
import { registerPublicRoutes } from './routes/public-routes.js';
import { registerTeamRoutes } from './routes/team-routes.js';
import { checkSecurityTxtExpiry } from './security-txt.js';
import { SESSION_IDLE_MS } from './session-data.js';
import { DeskSessionStore } from './session-store.js';
import { DEFAULT_UPLOAD_LIMITS, type UploadLimits } from './uploads.js';

import { LoginThrottle } from '../../web/login-throttle.js';
import { DEFAULT_RATE_LIMITS, type DeskRateLimits, type DeskWebContext } from './routes/route-context.js';

export { DEFAULT_RATE_LIMITS, type DeskRateLimits, type DeskWebContext, type RateLimit } from './routes/route-context.js';

/**
 * The reverse proxies whose `X-Forwarded-For` entries are believed: how many proxy hops stand in
 * front of the desk (1: one proxy, whose own entry, the last, is the client), or the proxies'
 * addresses and CIDRs (`127.0.0.1`, `10.0.0.0/8`, or `loopback`, `linklocal`, `uniquelocal`).
 */
export type TrustedProxies = number | readonly string[];

const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
const MAX_PROXY_HOPS = 20;

/** A one-line reason why `entry` is not an address, a CIDR or a range name; undefined when it is one. */
function proxyEntryProblem(entry: string): string | undefined {
  if (PROXY_RANGE_NAMES.includes(entry)) return undefined;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return `"${entry}" is not an IP address, a CIDR or one of ${PROXY_RANGE_NAMES.join(', ')}`;
  if (prefix === undefined) return undefined;
  const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
  if (!(bits >= 0 && bits <= (family === 4 ? 32 : 128))) return `"${entry}" has an invalid prefix length`;
  // A prefix of 0 is every address: the client would choose its own address again.
  if (bits === 0) return `"${entry}" is every address`;
  return undefined;
}

/**
 * Reads `--trust-proxy`: a hop count (`1`) or a comma-separated list of proxy addresses and CIDRs.
 * Trusting every hop (`true`, `all`, `*`, `0.0.0.0/0`) is refused: then any client could name its
 * own address in `X-Forwarded-For` and escape the per-address limits.
 * @throws UsageError with a one-line reason.
 */
export function parseTrustedProxies(text: string): TrustedProxies {
  const trimmed = text.trim();
  const hint = 'give the proxies to trust: a hop count (--trust-proxy 1 for one proxy in front) or their addresses/CIDRs (--trust-proxy 127.0.0.1,10.0.0.0/8)';
  if (['true', 'all', '*', 'yes', 'on'].includes(trimmed.toLowerCase())) {
    throw new UsageError(`--trust-proxy ${visibleText(trimmed)}: trusting every proxy hop would let any client pick its own address`, { hint });
  }
  if (/^\d+$/.test(trimmed)) {
    const hops = Number(trimmed);
    if (hops < 1 || hops > MAX_PROXY_HOPS) throw new UsageError(`--trust-proxy ${trimmed}: a hop count is 1 to ${MAX_PROXY_HOPS}`, { hint });
    return hops;
  }
  const entries = trimmed.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const problem = entry === '' ? 'an empty entry' : proxyEntryProblem(entry);
    if (problem !== undefined) throw new UsageError(`--trust-proxy: ${visibleText(problem)}`, { hint });
  }
  return entries;
}

/**
 * Fastify's `trustProxy` for the desk's setting, checked again for callers of the library. A hop
 * count becomes a function trusting the nearest `n` hops, as Express and proxy-addr read a number
 * (Fastify 5 takes a bare number as "trust nothing"): the socket's peer is hop 0.
 */
function fastifyTrustProxy(trust: TrustedProxies | undefined): false | string[] | ((address: string, hop: number) => boolean) {
  if (trust === undefined) return false;
  if (typeof trust === 'number') {
    if (!Number.isInteger(trust) || trust < 1 || trust > MAX_PROXY_HOPS) throw new UsageError(`trustProxy: a hop count is 1 to ${MAX_PROXY_HOPS}`);
    return (_address, hop) => hop < trust;
  }
  const list: unknown = trust;
  if (!Array.isArray(list) || list.length === 0) throw new UsageError("trustProxy: give a hop count or the proxies' addresses, never every hop");
  const entries: string[] = [];
  for (const entry of list as readonly unknown[]) {
    const problem = typeof entry === 'string' ? proxyEntryProblem(entry) : 'an entry is not a string';
    if (problem !== undefined || typeof entry !== 'string') throw new UsageError(`trustProxy: ${visibleText(problem ?? 'an entry is not a string')}`);
    entries.push(entry);
  }
  return entries;
}

/** Where the server logs: pino options Fastify accepts, reduced to what the desk needs. */
export interface DeskLoggerOptions {
  /** Pino level (default `info`). */
  readonly level?: string;
  /** Where log lines go (default stdout). */
  readonly stream?: NodeJS.WritableStream;
}

/** Options of {@link createDeskServer}. */
export interface DeskServerOptions {
  /** The desk service the pages act through. */
  readonly desk: Desk;
  /** Sends the acknowledgement and join decisions; without it the desk sends no mail. */
  readonly mailer?: DeskMailer;
  /**
   * Signs session cookies: at least 32 characters. Several (newest first) rotate a secret: cookies
   * signed with an older one are still read.
   */
  readonly sessionSecret: string | readonly string[];
  /** Marks cookies `Secure` and sends HSTS and upgrade-insecure-requests: set it behind TLS. */
  readonly secureCookies: boolean;
  /**
   * The reverse proxies whose `X-Forwarded-*` headers are believed (client address for rate limits
   * and log-in throttling, https detection): a hop count or addresses and CIDRs, never every hop
   * (see {@link parseTrustedProxies}). None by default.
   */
  readonly trustProxy?: TrustedProxies;
  /** Request logging (tracking tokens are redacted); off by default. */
  readonly logger?: boolean | DeskLoggerOptions;
  /** Attachment limits (default 5 files of 5 MiB). */
  readonly uploadLimits?: Partial<UploadLimits>;
  /** Rate limits (defaults: `DEFAULT_RATE_LIMITS`). */
  readonly rateLimits?: Partial<DeskRateLimits>;
  /** Console log-in throttling (default: the desk configuration's `login_throttle`). */
  readonly loginThrottle?: LoginThrottleSettings;
  /** The public base URL (`https://desk.example.org`), for tracking links and security.txt; else taken from the request. */
  readonly publicUrl?: string;
  /** The clock for session expiry and the security.txt check (default: the system clock). */
  readonly clock?: Clock;
}

/** `/track/<token>` with the token replaced: tracking tokens are secrets and never reach a log. */
export function redactUrl(url: string): string {
  return url.replace(/\/track\/[^/?#]+/g, '/track/[redacted]');
}

function loggerOptions(logger: DeskServerOptions['logger']): false | Record<string, unknown> {
  if (logger === undefined || logger === false) return false;
  const custom = typeof logger === 'object' ? logger : {};
  return {
    level: custom.level ?? 'info',
    ...(custom.stream === undefined ? {} : { stream: custom.stream }),
    serializers: {
      req: (request: FastifyRequest) => ({ method: request.method, url: redactUrl(request.url), remoteAddress: request.ip }),
    },
  };
}

/** Requests of the site whose body was being read (multipart is read in a preValidation hook). */
const readingBody = new WeakSet<FastifyRequest>();

/** Status, title and sentence of the error page for an error. */
function describeError(error: FastifyError | VigilError | Error, request: FastifyRequest): { status: number; title: string; message: string } {
  if (error instanceof VigilError) {
    switch (error.code) {
      case 'not-found':
        return { status: 404, title: 'Not found', message: error.message };
      case 'refused':
        return { status: 409, title: 'Refused', message: error.message };
      case 'usage':
        return { status: 400, title: 'Please check the form', message: error.message };
      default:
        return { status: 500, title: 'Something went wrong', message: 'The desk could not do this. The error was logged.' };
    }
  }
  const code = 'code' in error ? error.code : undefined;
  const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : undefined;
  if (code === 'FST_CSRF_MISSING_SECRET' || code === 'FST_CSRF_INVALID_TOKEN') {
    return { status: 403, title: 'Form expired', message: 'This form has expired or did not come from this site. Go back, reload the page and send it again.' };
  }
  if (status === 429) return { status, title: 'Too many requests', message: 'Too many requests from your address. Please wait and try again later.' };
  if (status === 413 || code === 'FST_REQ_FILE_TOO_LARGE' || code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
    return { status: 413, title: 'Too large', message: 'The upload is too large or has too many files. Nothing was stored.' };
  }
  if (status !== undefined && status >= 400 && status < 500) return { status, title: 'Bad request', message: 'The request could not be read.' };
  // The multipart reader (busboy) throws plain errors for a body without a boundary, without the
  // closing one, or of garbage: the client's fault, not the desk's.
  if (status === undefined && readingBody.has(request)) {
    return { status: 400, title: 'Bad request', message: 'The form could not be read (a malformed multipart body). Nothing was stored.' };
  }
  return { status: 500, title: 'Something went wrong', message: 'The desk could not do this. The error was logged.' };
}

/**
 * The HTML error page for any error. Only faults of the desk (5xx) are logged as errors; a
 * client's bad request is one line at info level, so that nobody can fill the error log.
 */
export function sendErrorPage(request: FastifyRequest, reply: FastifyReply, error: FastifyError | Error, project: string): FastifyReply {
  const described = describeError(error, request);
  if (described.status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ statusCode: described.status, reason: visibleText(error.message).slice(0, 200) }, 'request refused');
  return reply.code(described.status).type('text/html; charset=utf-8').send(renderErrorPage({ project }, described));
}

/**
 * The desk's web service: the public side (security.txt, policy, report form, tracking pages,
 * join requests) and the team console, on Fastify with its official plugins for security
 * headers, rate limits, cookies, sessions (kept in the desk database), CSRF protection, forms and
 * uploads. Not listening yet: call `listen`. Closing it stops its timers; the store is the caller's.
 * @throws ConfigError when the configured security.txt has expired.
 */
export async function createDeskServer(options: DeskServerOptions): Promise<FastifyInstance> {
  const clock = options.clock ?? systemClock;
  const { desk } = options;
  const config = desk.config;
  const project = config.project.name;
  const txt = config.project.securityTxt;
  const warnings = txt === undefined ? ['no project.security_txt in the desk configuration: /.well-known/security.txt answers 404'] : checkSecurityTxtExpiry(txt, clock.now());
  const context: DeskWebContext = {
    desk,
    mailer: options.mailer,
    uploadLimits: { ...DEFAULT_UPLOAD_LIMITS, ...options.uploadLimits },
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...options.rateLimits },
    loginThrottle: new LoginThrottle(options.loginThrottle ?? config.loginThrottle, clock),
    publicUrl: options.publicUrl?.replace(/\/+$/, ''),
    clock,
  };

  const app = Fastify({
    logger: loggerOptions(options.logger),
    trustProxy: fastifyTrustProxy(options.trustProxy),
    // A tracking token (43 characters) and report ids fit; nothing longer is a valid parameter.
    routerOptions: { maxParamLength: 200 },
  });
  for (const warning of warnings) app.log.warn(warning);

  await app.register(fastifyHelmet, {
    // Written out whole, not merged with helmet's defaults, which allow inline styles.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(options.secureCookies ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    frameguard: { action: 'deny' },
    // Tracking links carry their secret in the path: never send it on in a Referer.
    referrerPolicy: { policy: 'no-referrer' },
    hsts: options.secureCookies ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });

  await app.register(fastifyRateLimit, {
    global: true,
    max: context.rateLimits.global.max,
    timeWindow: context.rateLimits.global.timeWindowMs,
  });

  // Pages hold embargoed details and CSRF tokens: no browser or proxy keeps them.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.setErrorHandler((error: FastifyError, request, reply) => sendErrorPage(request, reply, error, project));
  // Rate-limited too, so that probing for pages (or tokens) is slowed like everything else.
  app.setNotFoundHandler({ preHandler: app.rateLimit() }, (_request, reply) =>
    reply
      .code(404)
      .type('text/html; charset=utf-8')
      .send(renderErrorPage({ project }, { title: 'Not found', message: 'There is no page here.' })),
  );

  app.get('/assets/desk.css', (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(DESK_CSS),
  );
  app.get('/assets/cvss.js', (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(CVSS_JS),
  );

  const sessionStore = new DeskSessionStore(desk.store, { clock, fallbackMaxAgeMs: SESSION_IDLE_MS });
  // The HTML site in a context of its own: sessions, CSRF checks and form parsing apply to its
  // routes and not to the JSON API beside it (which authenticates with tokens).
  await app.register(async (site) => {
    await site.register(fastifyCookie);
    await site.register(fastifySession, {
      secret: typeof options.sessionSecret === 'string' ? options.sessionSecret : [...options.sessionSecret],
      // The __Host- prefix makes browsers refuse the cookie unless it is Secure, host-only and for
      // path /, so a sibling subdomain cannot plant a session cookie (only possible over TLS).
      cookieName: options.secureCookies ? '__Host-vigil-desk' : 'vigil-desk',
      cookie: { httpOnly: true, sameSite: 'lax', secure: options.secureCookies, path: '/', maxAge: SESSION_IDLE_MS },
      rolling: true,
      // Visitors who never see a form get no session row.
      saveUninitialized: false,
      store: sessionStore,
    });
    await site.register(fastifyCsrf, { sessionPlugin: '@fastify/session', getToken: csrfTokenOf });
    await site.register(fastifyFormbody);
    // Added before the multipart plugin's own preValidation hook, so it runs first: an error
    // thrown from here to the handlers is one of reading the body.
    site.addHook('preValidation', (request, _reply, done) => {
      readingBody.add(request);
      done();
    });
    await site.register(fastifyMultipart, {
      // Fields and files are read before the CSRF check, within these limits.
      attachFieldsToBody: true,
      throwFileSizeLimit: true,
      limits: { fileSize: context.uploadLimits.fileSize, files: context.uploadLimits.files, fields: 40, parts: 60, fieldSize: 1024 * 1024 },
    });
    // Every form post carries the token of its session; without it nothing runs.
    site.addHook('preHandler', (request, reply, done) => {
      readingBody.delete(request);
      if (request.method === 'POST') site.csrfProtection(request, reply, done);
      else done();
    });
    site.setErrorHandler((error: FastifyError, request, reply) => sendErrorPage(request, reply, error, project));
    registerPublicRoutes(site, context);
    await site.register((team) => registerTeamRoutes(team, context), { prefix: '/team' });
  });

  // The JSON API (src/desk/web/api/): a sibling of the site, so no session, cookie or form parser
  // reaches it; it authenticates with bearer tokens and parses JSON only.
  await app.register(deskApiPlugin, { desk, prefix: '/api/v1', clock });

  const purge = (): void => {
    sessionStore.purgeExpired().catch((error: unknown) => {
      app.log.warn({ err: error }, 'expired sessions not purged');
    });
  };
  const timer = setInterval(purge, 15 * 60_000);
  timer.unref();
  app.addHook('onReady', (done) => {
    purge();
    done();
  });
  app.addHook('onClose', (_instance, done) => {
    clearInterval(timer);
    done();
  });
  return app;
}
