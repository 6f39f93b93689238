import { existsSync } from 'node:fs';
import { ConfigError } from '../../core/errors.js';
import { systemClock, type Clock } from '../../core/clock.js';
import type { MonitorSettings } from '../../desk/config/desk-config.js';
import type { DeskMailer } from '../../desk/mail/mailer.js';
import type { NotificationRoute } from '../../jobs/notify/notifier.js';
import type { MonitorWorker } from '../../monitor/monitor-worker.js';
import type { MonitorDb } from '../../monitor/store/open-monitor-store.js';
import type { Desk } from '../../desk/desk.js';
import type { WebService } from '../../web/create-web-server.js';
import type { CliIo } from '../io.js';

/** The monitor as `vigil desk serve --monitor-db` runs it: its database, background worker and web service. */
export interface ServedMonitor {
  readonly monitor: MonitorDb;
  readonly worker: MonitorWorker;
  /** The JSON API and console pages, to mount beside the desk's. */
  readonly service: WebService;
  /** Stops the worker, then closes the database. */
  stop(): Promise<void>;
}

/** Options of {@link startServedMonitor}. */
export interface ServedMonitorOptions {
  /** A SQLite file or a postgres:// URL. */
  readonly location: string;
  /** The advisory store matched against. */
  readonly storePath: string;
  readonly settings: MonitorSettings;
  /** The desk it runs beside: its users log in to the console, its database keeps the tokens. */
  readonly desk: Desk;
  readonly mailer?: DeskMailer;
  readonly publicUrl?: string;
  readonly clock?: Clock;
}

/**
 * The notification routes of desk.yaml with their keys read from the environment. A webhook
 * whose variable is unset or short is a configuration error at start, never a route that sends
 * unsigned or not at all; an e-mail route without the desk's mail settings likewise.
 */
export function notificationRoutes(settings: MonitorSettings, env: NodeJS.ProcessEnv, hasMailer: boolean): NotificationRoute[] {
  return settings.notify.map((target): NotificationRoute => {
    const filter = { ...(target.projects === undefined ? {} : { projects: target.projects }), minSeverity: target.minSeverity };
    if (target.kind === 'webhook') {
      const secret = env[target.secretEnv] ?? '';
      if (secret.length < 16) {
        throw new ConfigError(`monitor notification target ${target.name}: $${target.secretEnv} ${secret === '' ? 'is not set' : 'has fewer than 16 characters'}`, {
          hint: 'set it to the HMAC key the receiver checks signatures with (16 characters or more)',
        });
      }
      return { target: { kind: 'webhook', id: target.name, url: target.url, secret, ...(target.timeoutMs === undefined ? {} : { timeoutMs: target.timeoutMs }) }, ...filter };
    }
    if (!hasMailer) {
      throw new ConfigError(`monitor notification target ${target.name}: e-mail needs the desk's mail settings`, { hint: 'set VIGIL_DESK_SMTP_URL' });
    }
    return { target: { kind: 'email', id: target.name, to: target.to, ...(target.digestMinutes === undefined ? {} : { digest: { periodMinutes: target.digestMinutes } }) }, ...filter };
  });
}

/**
 * Opens the monitor database, its job queue (the SQLite file itself, or pg-boss's schema on the
 * PostgreSQL database) and starts the worker. Every process of a server does this; on PostgreSQL
 * they share the jobs, so each notification is sent once.
 */
export async function startServedMonitor(options: ServedMonitorOptions, io: CliIo): Promise<ServedMonitor> {
  const clock = options.clock ?? systemClock;
  const routes = notificationRoutes(options.settings, io.env, options.mailer !== undefined);
  if (!existsSync(options.storePath)) {
    io.log(`vigil monitor: no advisory store at ${options.storePath} yet; re-matching starts when "vigil db update" or "vigil db import" creates it`);
  }
  const { openMonitorStore } = await import('../../monitor/store/open-monitor-store.js');
  const monitor = await openMonitorStore({ location: options.location });
  try {
    const { openJobQueue } = await import('../../jobs/open-job-queue.js');
    const queue =
      monitor.dialect === 'sqlite'
        ? await openJobQueue({ backend: 'sqlite', db: monitor.db })
        : await openJobQueue({
            backend: 'postgres',
            connectionString: options.location,
            // A dead process's try is failed by the supervisor's next pass after its heartbeat stops.
            superviseIntervalSeconds: Math.max(1, Math.min(60, Math.round(options.settings.takeoverMs / 2000))),
            onError: (error) => {
              io.log(`vigil monitor: job queue: ${error.message}`);
            },
          });
    const { startMonitorWorker } = await import('../../monitor/monitor-worker.js');
    const { deskNotificationMailer } = await import('../../jobs/notify/notification-mail.js');
    const worker = await startMonitorWorker({
      monitor,
      storePath: options.storePath,
      queue,
      routes,
      ...(options.mailer === undefined ? {} : { mailer: deskNotificationMailer(options.mailer) }),
      checkEveryMs: options.settings.rematchEveryMs,
      maxDbAgeMs: options.settings.maxDbAgeMs,
      takeoverMs: options.settings.takeoverMs,
      ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
      clock,
      log: { info: (line) => { io.log(`vigil ${line}`); }, warn: (line) => { io.log(`vigil ${line.replace(/^monitor: /, 'monitor: warning: ')}`); } },
    });
    const { monitorWebService } = await import('../../monitor/web/monitor-web-service.js');
    const { openAdvisoryStore } = await import('../../advisories/store/sqlite-store.js');
    const service = monitorWebService({
      monitor,
      desk: options.desk,
      // Pushes match against the store the server watches; a server never downloads one itself.
      openStore: () => Promise.resolve(openAdvisoryStore(options.storePath, { clock })),
      clock,
      ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
    });
    io.log(
      `vigil monitor: on ${monitor.where}, matching against ${options.storePath}, checked every ${Math.round(options.settings.rematchEveryMs / 1000)} s; ` +
        (routes.length === 0 ? 'no notification targets (monitor.notify in desk.yaml)' : `notifying ${routes.map((route) => route.target.id).join(', ')}`),
    );
    return {
      monitor,
      worker,
      service,
      async stop() {
        try {
          await worker.stop();
        } finally {
          await monitor.close();
        }
      },
    };
  } catch (error) {
    await monitor.close();
    throw error;
  }
}
