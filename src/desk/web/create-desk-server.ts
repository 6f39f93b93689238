import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { systemClock, type Clock } from '../../core/clock.js';
import { createWebServer, type WebLoggerOptions, type WebService } from '../../web/create-web-server.js';
import { sendErrorPage as sendWebErrorPage } from '../../web/error-page.js';
import { LoginThrottle, type LoginThrottleSettings } from '../../web/login-throttle.js';
import type { TrustedProxies } from '../../web/trust-proxy.js';
import type { Desk } from '../desk.js';
import type { DeskMailer } from '../mail/mailer.js';
import { deskApiPlugin } from './api/desk-api-plugin.js';
import { CVSS_JS } from './assets/cvss-js.js';
import { DESK_CSS } from './assets/desk-css.js';
import { renderErrorPage } from './pages/public-pages.js';
import { registerPublicRoutes } from './routes/public-routes.js';
import { registerTeamRoutes } from './routes/team-routes.js';
import { DEFAULT_RATE_LIMITS, type DeskRateLimits, type DeskWebContext } from './routes/route-context.js';
import { checkSecurityTxtExpiry } from './security-txt.js';
import { SESSION_IDLE_MS } from './session-data.js';
import { DeskSessionStore } from './session-store.js';
import { DEFAULT_UPLOAD_LIMITS, type UploadLimits } from './uploads.js';

export { DEFAULT_RATE_LIMITS, type DeskRateLimits, type DeskWebContext, type RateLimit } from './routes/route-context.js';
export { parseTrustedProxies, type TrustedProxies } from '../../web/trust-proxy.js';

/** Where the server logs: pino options Fastify accepts, reduced to what the desk needs. */
export type DeskLoggerOptions = WebLoggerOptions;

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
  /** More services on the same server, mounted after the desk's (the portfolio monitor). */
  readonly services?: readonly WebService[];
}

/** `/track/<token>` with the token replaced: tracking tokens are secrets and never reach a log. */
export function redactUrl(url: string): string {
  return url.replace(/\/track\/[^/?#]+/g, '/track/[redacted]');
}

/** The sentence of the desk's 5xx pages. */
const DESK_FAULT_MESSAGE = 'The desk could not do this. The error was logged.';

/**
 * The HTML error page for any error. Only faults of the desk (5xx) are logged as errors; a
 * client's bad request is one line at info level, so that nobody can fill the error log.
 */
export function sendErrorPage(request: FastifyRequest, reply: FastifyReply, error: FastifyError | Error, project: string): FastifyReply {
  return sendWebErrorPage(request, reply, error, (described) => renderErrorPage({ project }, described), DESK_FAULT_MESSAGE);
}

/**
 * The desk as a service of the web server: the public side (security.txt, policy, report form,
 * tracking pages, join requests) and the team console in the site context, its stylesheet and
 * script, and the JSON API under `/api/v1` beside the site. Mount it next to other services with
 * `createWebServer({ services: [deskWebService(context), ...] })`.
 */
export function deskWebService(context: DeskWebContext): WebService {
  const { desk, clock } = context;
  return {
    name: 'desk',
    mountSite: async (site) => {
      registerPublicRoutes(site, context);
      await site.register((team) => registerTeamRoutes(team, context), { prefix: '/team' });
    },
    mountBeside: async (app) => {
      app.get('/assets/desk.css', (_request, reply) =>
        reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(DESK_CSS),
      );
      app.get('/assets/cvss.js', (_request, reply) =>
        reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(CVSS_JS),
      );
      // The JSON API (src/desk/web/api/): a sibling of the site, so no session, cookie or form
      // parser reaches it; it authenticates with bearer tokens and parses JSON only.
      await app.register(deskApiPlugin, { desk, prefix: '/api/v1', clock });
    },
  };
}

/** The desk's web context from the server options, with the defaults applied. */
export function deskWebContext(options: Pick<DeskServerOptions, 'desk' | 'mailer' | 'uploadLimits' | 'rateLimits' | 'loginThrottle' | 'publicUrl' | 'clock'>): DeskWebContext {
  const clock = options.clock ?? systemClock;
  return {
    desk: options.desk,
    mailer: options.mailer,
    uploadLimits: { ...DEFAULT_UPLOAD_LIMITS, ...options.uploadLimits },
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...options.rateLimits },
    loginThrottle: new LoginThrottle(options.loginThrottle ?? options.desk.config.loginThrottle, clock),
    publicUrl: options.publicUrl?.replace(/\/+$/, ''),
    clock,
  };
}

/**
 * The desk's web service on its own server (see `createWebServer` for what the server sets up:
 * security headers, rate limits, cookies, sessions kept in the desk database, CSRF protection,
 * forms and uploads). Not listening yet: call `listen`. Closing it stops its timers; the store is
 * the caller's.
 * @throws ConfigError when the configured security.txt has expired.
 */
export async function createDeskServer(options: DeskServerOptions): Promise<FastifyInstance> {
  const context = { ...deskWebContext(options), consoleLinks: (options.services ?? []).flatMap((service) => service.consoleLink ?? []) };
  const { desk, clock } = context;
  const config = desk.config;
  const project = config.project.name;
  const txt = config.project.securityTxt;
  const warnings = txt === undefined ? ['no project.security_txt in the desk configuration: /.well-known/security.txt answers 404'] : checkSecurityTxtExpiry(txt, clock.now());
  const app = await createWebServer({
    services: [deskWebService(context), ...(options.services ?? [])],
    sessionSecret: options.sessionSecret,
    sessionStore: new DeskSessionStore(desk.store, { clock, fallbackMaxAgeMs: SESSION_IDLE_MS }),
    cookieName: 'vigil-desk',
    sessionIdleMs: SESSION_IDLE_MS,
    secureCookies: options.secureCookies,
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    redactUrl,
    globalRateLimit: context.rateLimits.global,
    multipartLimits: { fileSize: context.uploadLimits.fileSize, files: context.uploadLimits.files },
    renderErrorPage: (described) => renderErrorPage({ project }, described),
    faultMessage: DESK_FAULT_MESSAGE,
  });
  for (const warning of warnings) app.log.warn(warning);
  return app;
}
