import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySession from '@fastify/session';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { systemClock, type Clock } from '../../core/clock.js';
import { VigilError } from '../../core/errors.js';
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

/** A rate limit: at most `max` requests per client address in `timeWindowMs`. */
export interface RateLimit {
  readonly max: number;
  readonly timeWindowMs: number;
}

/** The rate limits of the desk, per client address. */
export interface DeskRateLimits {
  /** Every route without a stricter limit. */
  readonly global: RateLimit;
  /** Log-in attempts, successful or not. */
  readonly login: RateLimit;
  /** Report submissions. */
  readonly report: RateLimit;
  /** Other public form posts: join requests, reporters' messages and credit changes. */
  readonly publicPost: RateLimit;
}

/** Modest defaults: a person never meets them, a script guessing passwords or flooding the inbox soon does. */
export const DEFAULT_RATE_LIMITS: DeskRateLimits = {
  global: { max: 300, timeWindowMs: 60_000 },
  login: { max: 10, timeWindowMs: 15 * 60_000 },
  report: { max: 10, timeWindowMs: 60 * 60_000 },
  publicPost: { max: 30, timeWindowMs: 60 * 60_000 },
};

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
  /** Trust `X-Forwarded-*` from a reverse proxy (client address for rate limits, https detection). */
  readonly trustProxy?: boolean;
  /** Request logging (tracking tokens are redacted); off by default. */
  readonly logger?: boolean | DeskLoggerOptions;
  /** Attachment limits (default 5 files of 5 MiB). */
  readonly uploadLimits?: Partial<UploadLimits>;
  /** Rate limits (defaults: `DEFAULT_RATE_LIMITS`). */
  readonly rateLimits?: Partial<DeskRateLimits>;
  /** The public base URL (`https://desk.example.org`), for tracking links and security.txt; else taken from the request. */
  readonly publicUrl?: string;
  /** The clock for session expiry and the security.txt check (default: the system clock). */
  readonly clock?: Clock;
}

/** Everything the route modules share. */
export interface DeskWebContext {
  readonly desk: Desk;
  readonly mailer: DeskMailer | undefined;
  readonly uploadLimits: UploadLimits;
  readonly rateLimits: DeskRateLimits;
  readonly publicUrl: string | undefined;
  readonly clock: Clock;
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

/** Status, title and sentence of the error page for an error. */
function describeError(error: FastifyError | VigilError | Error): { status: number; title: string; message: string } {
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
  const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
  if (code === 'FST_CSRF_MISSING_SECRET' || code === 'FST_CSRF_INVALID_TOKEN') {
    return { status: 403, title: 'Form expired', message: 'This form has expired or did not come from this site. Go back, reload the page and send it again.' };
  }
  if (status === 429) return { status, title: 'Too many requests', message: 'Too many requests from your address. Please wait and try again later.' };
  if (status === 413 || code === 'FST_REQ_FILE_TOO_LARGE' || code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
    return { status: 413, title: 'Too large', message: 'The upload is too large or has too many files. Nothing was stored.' };
  }
  if (status >= 400 && status < 500) return { status, title: 'Bad request', message: 'The request could not be read.' };
  return { status: 500, title: 'Something went wrong', message: 'The desk could not do this. The error was logged.' };
}

/** The HTML error page for any error; unexpected ones are logged. */
export function sendErrorPage(request: FastifyRequest, reply: FastifyReply, error: FastifyError | Error, project: string): FastifyReply {
  const described = describeError(error);
  if (described.status >= 500) request.log.error({ err: error }, 'request failed');
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
    publicUrl: options.publicUrl?.replace(/\/+$/, ''),
    clock,
  };

  const app = Fastify({
    logger: loggerOptions(options.logger),
    trustProxy: options.trustProxy ?? false,
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
    await site.register(fastifyMultipart, {
      // Fields and files are read before the CSRF check, within these limits.
      attachFieldsToBody: true,
      throwFileSizeLimit: true,
      limits: { fileSize: context.uploadLimits.fileSize, files: context.uploadLimits.files, fields: 40, parts: 60, fieldSize: 1024 * 1024 },
    });
    // Every form post carries the token of its session; without it nothing runs.
    site.addHook('preHandler', (request, reply, done) => {
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
