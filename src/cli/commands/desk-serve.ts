import { randomBytes } from 'node:crypto';
import { ConfigError, UsageError } from '../../core/errors.js';
import { createDeskMailer, type DeskMailer, type SmtpSettings } from '../../desk/mail/mailer.js';
import { createDeskServer, parseTrustedProxies } from '../../desk/web/create-desk-server.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { openDesk } from './desk-open.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { systemClock } from '../../core/clock.js';
import type { DeskConfig } from '../../desk/config/desk-config.js';
import { DESK_CONFIG_FILE, parseDeskConfigText } from '../../desk/config/load-desk-config.js';
import { starterDeskConfig } from '../../desk/config/starter-desk-config.js';
import type { Desk } from '../../desk/desk.js';
import { addDeskUser, listDeskUsers } from '../../desk/web/users.js';
import { resolveStorePath } from '../store-path.js';
import type { ServedMonitor } from './monitor-serve.js';

/** The options of `vigil desk serve` that `vigil desk` parses. */
export interface DeskServeValues {
  /** `--config FILE`. */
  readonly config?: string;
  /** `--db URL|FILE`. */
  readonly db?: string;
  /** `--host ADDRESS` (default 127.0.0.1). */
  readonly host?: string;
  /** `--port N` (default $PORT, else 8080). */
  readonly port?: string;
  /** `--public-url URL`: where people reach the desk; https makes cookies Secure. */
  readonly 'public-url'?: string;
  /** `--trust-proxy HOPS|ADDRESSES`: the reverse proxies whose X-Forwarded-For and -Proto are believed. */
  readonly 'trust-proxy'?: string;
  /** `--monitor-db PATH|URL`: run the portfolio monitor on this database. */
  readonly 'monitor-db'?: string;
  /** `--advisory-db PATH`: the advisory store the monitor matches against. */
  readonly 'advisory-db'?: string;
}

/** What stops the server: SIGTERM or SIGINT by default; tests pass a signal of their own. */
export interface DeskServeControl {
  readonly stop?: AbortSignal;
}

/** SMTP settings from `smtp://user:pass@host:587` (STARTTLS required) or `smtps://...:465`. */
export function parseSmtpUrl(text: string): SmtpSettings {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError('VIGIL_DESK_SMTP_URL is not a URL', { hint: 'e.g. smtp://user:password@mail.example.org:587' });
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new ConfigError('VIGIL_DESK_SMTP_URL must start with smtp:// or smtps://');
  const secure = url.protocol === 'smtps:';
  const user = decodeURIComponent(url.username);
  const local = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  return {
    host: url.hostname,
    port: url.port === '' ? (secure ? 465 : 587) : Number(url.port),
    secure,
    ...(user === '' ? {} : { auth: { user, pass: decodeURIComponent(url.password) } }),
    // Reports and notifications are embargoed: never sent in clear to a remote server.
    ...(secure || local ? {} : { requireTLS: true }),
  };
}

/** The desk's mailer when VIGIL_DESK_SMTP_URL names an SMTP server, from the configured contacts. */
export function deskMailerFromEnvironment(config: DeskConfig, env: NodeJS.ProcessEnv): DeskMailer | undefined {
  const smtp = env['VIGIL_DESK_SMTP_URL'];
  if (smtp === undefined || smtp === '') return undefined;
  const contacts = config.project.contacts;
  return createDeskMailer({ transport: parseSmtpUrl(smtp), from: contacts.from, project: config.project.name, replyTo: contacts.security });
}

function waitForStop(control: DeskServeControl): Promise<string> {
  return new Promise((resolve) => {
    if (control.stop !== undefined) {
      if (control.stop.aborted) resolve('stop');
      control.stop.addEventListener('abort', () => {
        resolve('stop');
      });
      return;
    }
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

/**
 * `vigil desk serve`: the desk's web service on HOST:PORT until SIGTERM or SIGINT, then a graceful
 * stop (requests in flight finish, the server closes, then the store and the mail transport).
 * Settings beyond the flags come from the environment: `VIGIL_DESK_SESSION_SECRET` (32+
 * characters; else a random one, and sessions end with the process), `VIGIL_DESK_SMTP_URL` (else
 * no mail is sent), `DATABASE_URL` (else SQLite), `VIGIL_DESK_LOG_LEVEL` (pino level, default info).
 */
export async function runDeskServe(values: DeskServeValues, io: CliIo, control: DeskServeControl = {}): Promise<number> {
  const host = values.host ?? '127.0.0.1';
  const portText = values.port ?? io.env['PORT'] ?? '8080';
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65_535) throw new UsageError(`desk serve: invalid port "${portText}"`);
  const port = Number(portText);
  const publicUrl = values['public-url'] ?? io.env['VIGIL_DESK_PUBLIC_URL'];
  if (publicUrl !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(publicUrl)) {
    throw new UsageError(`desk serve: --public-url "${publicUrl}" is not an http(s) URL`);
  }
  const trustText = values['trust-proxy'];
  const trustProxy = trustText === undefined ? undefined : parseTrustedProxies(trustText);
  const secureCookies = publicUrl?.startsWith('https://') ?? false;
  const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';
  if (!loopback && !secureCookies) {
    io.log('vigil desk: warning: listening beyond this machine without TLS; put it behind an https proxy and pass --public-url https://...');
  }

  let sessionSecret = io.env['VIGIL_DESK_SESSION_SECRET'];
  if (sessionSecret !== undefined && sessionSecret.length < 32) throw new ConfigError('VIGIL_DESK_SESSION_SECRET must have at least 32 characters');
  if (sessionSecret === undefined) {
    sessionSecret = randomBytes(32).toString('base64url');
    io.log('vigil desk: no VIGIL_DESK_SESSION_SECRET; using a random one, so log-ins end when the server stops');
  }

  const desk = await openDesk(values, io, zeroConfiguration(values, io));
  await ensureFirstAdmin(desk, io);
  let mailer: DeskMailer | undefined;
  let served: ServedMonitor | undefined;
  try {
    mailer = deskMailerFromEnvironment(desk.config, io.env);
    if (mailer === undefined) io.log('vigil desk: no VIGIL_DESK_SMTP_URL; the desk sends no mail');
    const monitorLocation = values['monitor-db'] ?? io.env['VIGIL_MONITOR_DB'];
    if (monitorLocation !== undefined && monitorLocation !== '') {
      const { startServedMonitor } = await import('./monitor-serve.js');
      served = await startServedMonitor(
        {
          location: monitorLocation,
          storePath: resolveStorePath(values['advisory-db'], io.env),
          settings: desk.config.monitor,
          desk,
          ...(mailer === undefined ? {} : { mailer }),
          ...(publicUrl === undefined ? {} : { publicUrl }),
        },
        io,
      );
    }
    const app = await createDeskServer({
      desk,
      ...(mailer === undefined ? {} : { mailer }),
      sessionSecret,
      secureCookies,
      ...(trustProxy === undefined ? {} : { trustProxy }),
      // One JSON line per request on stdout (tracking tokens redacted); `silent` for none.
      logger: { level: io.env['VIGIL_DESK_LOG_LEVEL'] ?? 'info' },
      ...(publicUrl === undefined ? {} : { publicUrl }),
      ...(served === undefined ? {} : { services: [served.service] }),
    });
    try {
      const address = await app.listen({ host, port });
      io.log(`vigil desk: listening on ${address}${publicUrl === undefined ? '' : ` (public URL ${publicUrl})`}`);
      const reason = await waitForStop(control);
      io.log(`vigil desk: ${reason}: finishing requests in flight and stopping`);
    } finally {
      await app.close();
    }
  } finally {
    await served?.stop();
    mailer?.close();
    await desk.store.close();
  }
  return EXIT.ok;
}

/**
 * Without --config and without a desk.yaml here, the desk runs on the starter configuration so
 * that one command starts it; `vigil desk init` writes that file to edit.
 */
function zeroConfiguration(values: DeskServeValues, io: CliIo): DeskConfig | undefined {
  if (values.config !== undefined || existsSync(path.resolve(DESK_CONFIG_FILE))) return undefined;
  io.log(`vigil desk: no ${DESK_CONFIG_FILE} here; serving with the starter configuration (run "vigil desk init" to write it and edit it)`);
  return parseDeskConfigText(starterDeskConfig(new Date()), `${DESK_CONFIG_FILE} (starter)`);
}

/**
 * A desk with no console user gets an admin with a random password, shown once on stderr, so a
 * first start needs no other command. Later starts never do this again.
 */
async function ensureFirstAdmin(desk: Desk, io: CliIo): Promise<void> {
  if ((await listDeskUsers(desk.store)).length > 0) return;
  const password = randomBytes(18).toString('base64url');
  await addDeskUser(desk.store, { login: 'admin', password, role: 'admin' }, systemClock, { kind: 'system', id: 'system' });
  io.log(`vigil desk: no console users yet; created "admin" with password ${password} (shown once; add people with "vigil desk user add")`);
}
