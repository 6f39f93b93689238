import { systemClock } from '../../core/clock.js';
import type { RateLimit, WebService } from '../../web/create-web-server.js';
import { registerMonitorApi } from './monitor-api.js';
import { DEFAULT_MAX_PUSH_BYTES } from './monitor-api-schemas.js';
import { MONITOR_CONSOLE_LINK, registerMonitorConsole } from './monitor-console.js';
import type { MonitorWebContext, MonitorWebOptions } from './monitor-web-context.js';
import { monitorTokenStore } from './monitor-tokens.js';

export type { MonitorWebOptions } from './monitor-web-context.js';
export { MONITOR_API_PREFIX } from './monitor-api.js';
export { MONITOR_CONSOLE_PREFIX } from './monitor-console.js';
export { monitorTokenStore, MONITOR_TOKEN_SERVICE, type MonitorTokenStore } from './monitor-tokens.js';

/** Pushes per client address by default: far above what CI sends, well below what fills a machine with audits. */
export const DEFAULT_PUSH_RATE_LIMIT: RateLimit = { max: 60, timeWindowMs: 60_000 };

/** The options with their defaults. */
export function monitorWebContext(options: MonitorWebOptions): MonitorWebContext {
  const clock = options.clock ?? systemClock;
  return {
    monitor: options.monitor,
    desk: options.desk,
    openStore: options.openStore,
    clock,
    publicUrl: options.publicUrl?.replace(/\/+$/, ''),
    tokens: options.tokens ?? monitorTokenStore(options.desk.store, clock),
    maxPushBytes: options.maxPushBytes ?? DEFAULT_MAX_PUSH_BYTES,
    notifyOnPush: options.notifyOnPush ?? false,
    pushRateLimit: options.pushRateLimit ?? DEFAULT_PUSH_RATE_LIMIT,
  };
}

/**
 * The portfolio monitor as a service of the web server, beside the desk (whose log-in, sessions,
 * users and database it uses): console pages under `/team/monitor` in the site context and the
 * JSON API under `/api/v1/monitor` beside it. Mount it after the desk:
 * `createWebServer({ services: [deskWebService(deskContext), monitorWebService({ monitor, desk, openStore })], ... })`.
 */
export function monitorWebService(options: MonitorWebOptions): WebService {
  const context = monitorWebContext(options);
  return {
    name: 'monitor',
    consoleLink: MONITOR_CONSOLE_LINK,
    mountSite: (site) => registerMonitorConsole(site, context),
    mountBeside: (app) => registerMonitorApi(app, context),
  };
}
