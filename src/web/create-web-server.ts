import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySession from '@fastify/session';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import { csrfTokenOf } from './csrf.js';
import { DEFAULT_FAULT_MESSAGE, readingBody, sendErrorPage, type ErrorPageRenderer } from './error-page.js';
import { DEFAULT_SESSION_IDLE_MS, type PurgeableSessionStore } from './session-store.js';
import { fastifyTrustProxy, type TrustedProxies } from './trust-proxy.js';

/** A rate limit: at most `max` requests per client address in `timeWindowMs`. */
export interface RateLimit {
  /** Requests allowed in the window. */
  readonly max: number;
  /** The window, milliseconds. */
  readonly timeWindowMs: number;
}

/** Route options that give a route its own rate limit (a 429 with `Retry-After` beyond it). */
export function rateLimited(limit: RateLimit): { config: { rateLimit: { max: number; timeWindow: number } } } {
  return { config: { rateLimit: { max: limit.max, timeWindow: limit.timeWindowMs } } };
}

/**
 * A service of the server: the desk, later the monitor. The server sets up what every service
 * shares (security headers, the global rate limit, the error pages, one session cookie and store,
 * CSRF checks) and then lets each service mount its routes, in the order given:
 *
 * - `mountSite(site)`: HTML pages and forms, in the site context: sessions (so one log-in is seen
 *   by every service), a CSRF check before every POST handler, urlencoded and multipart parsing.
 *   Register plugins with a prefix (`site.register(plugin, { prefix: '/team' })`) to scope hooks.
 * - `mountBeside(app)`: what must not see sessions, cookies or form parsers, beside the site: a
 *   JSON API with bearer tokens (its own plugin with a prefix, parsers and error handler), or
 *   static assets.
 *
 * The global rate limit applies to both; a route takes a stricter one with `rateLimited(limit)`.
 */
export interface WebService {
  /** The service's name, for log lines (`desk`). */
  readonly name: string;
  /** Registers pages and forms in the session/CSRF context. */
  mountSite?(site: FastifyInstance): Promise<void> | void;
  /** Registers routes outside the session/CSRF context. */
  mountBeside?(app: FastifyInstance): Promise<void> | void;
  /** Its entry in the team console's navigation, when it has console pages (`Monitor`, `/team/monitor`). */
  readonly consoleLink?: ConsoleLink;
}

/** A link in the team console's navigation. */
export interface ConsoleLink {
  readonly label: string;
  /** A path on this server. */
  readonly href: string;
}

/** Where the server logs: pino options Fastify accepts, reduced to what the services need. */
export interface WebLoggerOptions {
  /** Pino level (default `info`). */
  readonly level?: string;
  /** Where log lines go (default stdout). */
  readonly stream?: NodeJS.WritableStream;
}

/** Limits of a multipart form (uploads). */
export interface MultipartLimits {
  /** Largest file, bytes. */
  readonly fileSize: number;
  /** Most files in one form. */
  readonly files: number;
  /** Most non-file fields (default 40). */
  readonly fields?: number;
  /** Most parts, fields and files together (default 60). */
  readonly parts?: number;
  /** Largest field value, bytes (default 1 MiB). */
  readonly fieldSize?: number;
}

/** Options of {@link createWebServer}. */
export interface WebServerOptions {
  /** The services, mounted in this order. */
  readonly services: readonly WebService[];
  /**
   * Signs session cookies: at least 32 characters. Several (newest first) rotate a secret: cookies
   * signed with an older one are still read.
   */
  readonly sessionSecret: string | readonly string[];
  /** Where sessions are kept (shared by every process of the server). */
  readonly sessionStore: PurgeableSessionStore;
  /** The session cookie's name; `__Host-` is put before it with `secureCookies`. */
  readonly cookieName: string;
  /** How long a session lives without use (default 8 hours); the cookie is renewed on every response. */
  readonly sessionIdleMs?: number;
  /** Marks cookies `Secure` and sends HSTS and upgrade-insecure-requests: set it behind TLS. */
  readonly secureCookies: boolean;
  /** The reverse proxies whose `X-Forwarded-*` headers are believed (see `parseTrustedProxies`); none by default. */
  readonly trustProxy?: TrustedProxies;
  /** Request logging; off by default. */
  readonly logger?: boolean | WebLoggerOptions;
  /** The request URL as logged: a service's secrets in paths are replaced here. */
  readonly redactUrl?: (url: string) => string;
  /** Every route without a stricter limit, per client address. */
  readonly globalRateLimit: RateLimit;
  /** Multipart limits of the site's forms. */
  readonly multipartLimits: MultipartLimits;
  /** Draws an error page (404s, refused requests, faults). */
  readonly renderErrorPage: ErrorPageRenderer;
  /** The sentence of a 5xx page (default: "The server could not do this. The error was logged."). */
  readonly faultMessage?: string;
  /** How often expired sessions are deleted, milliseconds (default 15 minutes; also once when ready). */
  readonly sessionPurgeIntervalMs?: number;
}

function loggerOptions(logger: WebServerOptions['logger'], redactUrl: (url: string) => string): false | Record<string, unknown> {
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

/**
 * The server every vigil web service runs in, on Fastify with its official plugins for security
 * headers, rate limits, cookies, sessions, CSRF protection, forms and uploads; the services mount
 * their routes (see {@link WebService}). Not listening yet: call `listen`. Closing it stops its
 * timers; the session store's storage is the caller's.
 * @throws UsageError for a `trustProxy` that would trust every hop.
 */
export async function createWebServer(options: WebServerOptions): Promise<FastifyInstance> {
  const render = options.renderErrorPage;
  const faultMessage = options.faultMessage ?? DEFAULT_FAULT_MESSAGE;
  const sessionIdleMs = options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS;
  const app = Fastify({
    logger: loggerOptions(options.logger, options.redactUrl ?? ((url) => url)),
    trustProxy: fastifyTrustProxy(options.trustProxy),
    // A 43-character token and numeric ids fit; nothing longer is a valid parameter.
    routerOptions: { maxParamLength: 200 },
  });

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
    // Links may carry a secret in the path (the desk's tracking links): never send it on in a Referer.
    referrerPolicy: { policy: 'no-referrer' },
    hsts: options.secureCookies ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });

  await app.register(fastifyRateLimit, {
    global: true,
    max: options.globalRateLimit.max,
    timeWindow: options.globalRateLimit.timeWindowMs,
  });

  // Pages hold confidential details and CSRF tokens: no browser or proxy keeps them unless a
  // route says otherwise (static assets).
  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.setErrorHandler((error: FastifyError, request, reply) => sendErrorPage(request, reply, error, render, faultMessage));
  // Rate-limited too, so that probing for pages (or tokens) is slowed like everything else.
  app.setNotFoundHandler({ preHandler: app.rateLimit() }, (_request, reply) =>
    reply.code(404).type('text/html; charset=utf-8').send(render({ title: 'Not found', message: 'There is no page here.' })),
  );

  const sessionStore = options.sessionStore;
  const limits = options.multipartLimits;
  // The HTML site in a context of its own: sessions, CSRF checks and form parsing apply to its
  // routes and not to the JSON APIs beside it (which authenticate with tokens).
  await app.register(async (site) => {
    await site.register(fastifyCookie);
    await site.register(fastifySession, {
      secret: typeof options.sessionSecret === 'string' ? options.sessionSecret : [...options.sessionSecret],
      // The __Host- prefix makes browsers refuse the cookie unless it is Secure, host-only and for
      // path /, so a sibling subdomain cannot plant a session cookie (only possible over TLS).
      cookieName: options.secureCookies ? `__Host-${options.cookieName}` : options.cookieName,
      cookie: { httpOnly: true, sameSite: 'lax', secure: options.secureCookies, path: '/', maxAge: sessionIdleMs },
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
      limits: {
        fileSize: limits.fileSize,
        files: limits.files,
        fields: limits.fields ?? 40,
        parts: limits.parts ?? 60,
        fieldSize: limits.fieldSize ?? 1024 * 1024,
      },
    });
    // Every form post carries the token of its session; without it nothing runs.
    site.addHook('preHandler', (request, reply, done) => {
      readingBody.delete(request);
      if (request.method === 'POST') site.csrfProtection(request, reply, done);
      else done();
    });
    site.setErrorHandler((error: FastifyError, request, reply) => sendErrorPage(request, reply, error, render, faultMessage));
    for (const service of options.services) await service.mountSite?.(site);
  });

  for (const service of options.services) await service.mountBeside?.(app);

  const purge = (): void => {
    sessionStore.purgeExpired().catch((error: unknown) => {
      app.log.warn({ err: error }, 'expired sessions not purged');
    });
  };
  const timer = setInterval(purge, options.sessionPurgeIntervalMs ?? 15 * 60_000);
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
