import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { DeskConfig } from '../../../src/desk/config/desk-config.js';
import { Desk } from '../../../src/desk/desk.js';
import type { DeskMailer } from '../../../src/desk/mail/mailer.js';
import type { ReportSubmission, Role } from '../../../src/desk/types.js';
import { createDeskServer, type DeskServerOptions } from '../../../src/desk/web/create-desk-server.js';
import { addDeskUser } from '../../../src/desk/web/users.js';
import type { DeskStoreBackend, DeskStoreDatabase } from '../../helpers/desk-store-backends.js';
import { movableClock } from '../../web/movable-clock.js';
import { djangoLikeConfig } from '../desk-fixtures.js';

export { movableClock } from '../../web/movable-clock.js';

/** The Django-like desk configuration with a security.txt. */
export function webConfig(): DeskConfig {
  const config = djangoLikeConfig();
  return {
    ...config,
    project: {
      ...config.project,
      securityTxt: {
        contact: ['mailto:security@example.org', 'https://example.org/security/'],
        expires: '2026-01-01T00:00:00Z',
        preferredLanguages: ['en', 'de'],
        encryption: 'https://example.org/pgp-key.txt',
      },
    },
    notificationList: { ...config.notificationList, criteria: ['A distribution shipping the project'] },
  };
}

/** Passwords of the test users (long enough for the desk's minimum). */
export const PASSWORD = 'correct horse battery staple';

/** A running desk web service on a fresh database, with one user per role. */
export interface WebDesk {
  readonly app: FastifyInstance;
  readonly desk: Desk;
  readonly database: DeskStoreDatabase;
  readonly clock: ReturnType<typeof movableClock>;
  dispose(): Promise<void>;
}

/** Starts the service (not listening: tests use `inject`) with users alan (admin), rita (responder), otto (observer). */
export async function startWebDesk(
  backend: DeskStoreBackend,
  options: Partial<Omit<DeskServerOptions, 'desk'>> & { readonly mailer?: DeskMailer; readonly config?: DeskConfig } = {},
): Promise<WebDesk> {
  const database = await backend.create();
  const clock = movableClock('2025-06-02T15:00:00Z');
  const desk = new Desk({ store: database.store, config: options.config ?? webConfig(), clock });
  const users: [string, Role][] = [
    ['alan', 'admin'],
    ['rita', 'responder'],
    ['otto', 'observer'],
  ];
  for (const [login, role] of users) {
    await addDeskUser(database.store, { login, role, password: PASSWORD }, clock, { kind: 'system', id: 'test' });
  }
  const app = await createDeskServer({ sessionSecret: 'a test secret of at least thirty-two characters', secureCookies: false, clock, ...options, desk });
  await app.ready();
  return {
    app,
    desk,
    database,
    clock,
    async dispose() {
      await app.close();
      await database.dispose();
    },
  };
}

/** A report whose every field carries a marker (and the reporter's own name). */
export function markedSubmission(marker: string): ReportSubmission {
  return {
    title: `${marker} title`,
    reporter: { name: `${marker} name`, email: 'marked@example.net', organisation: `${marker} org`, credit: { mode: 'named', name: `${marker} credit` } },
    description: `${marker} description`,
    stepsToReproduce: `${marker} steps`,
    impact: `${marker} impact`,
    attackSurface: `${marker} surface`,
    relatedProjects: `${marker} related`,
    affectedVersions: `${marker} versions`,
  };
}

/** The fields of the report form for a submission. */
export function reportFormFields(submission: ReportSubmission): Record<string, string> {
  return {
    title: submission.title,
    name: submission.reporter.name,
    email: submission.reporter.email,
    organisation: submission.reporter.organisation ?? '',
    creditMode: submission.reporter.credit.mode,
    creditName: submission.reporter.credit.name ?? '',
    description: submission.description,
    stepsToReproduce: submission.stepsToReproduce,
    impact: submission.impact,
    attackSurface: submission.attackSurface,
    relatedProjects: submission.relatedProjects,
    affectedVersions: submission.affectedVersions,
  };
}

/** A file for a multipart post. */
export interface FormFile {
  readonly field: string;
  readonly filename: string;
  readonly type: string;
  readonly data: Uint8Array;
}

/**
 * A client that keeps cookies between requests, like a browser, and reads CSRF tokens out of the
 * forms it is served.
 */
export class Browser {
  readonly cookies = new Map<string, string>();
  readonly #app: FastifyInstance;
  readonly #remoteAddress: string;
  readonly #headers: Record<string, string>;

  constructor(app: FastifyInstance, options: { remoteAddress?: string; headers?: Record<string, string> } = {}) {
    this.#app = app;
    this.#remoteAddress = options.remoteAddress ?? '127.0.0.1';
    this.#headers = options.headers ?? {};
  }

  #cookieHeader(): Record<string, string> {
    if (this.cookies.size === 0) return {};
    return { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') };
  }

  #keep(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies as { name: string; value: string; expires?: Date; maxAge?: number }[]) {
      const gone = cookie.value === '' || (cookie.expires !== undefined && cookie.expires.getTime() < Date.now()) || cookie.maxAge === 0;
      if (gone) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return response;
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.#keep(
      await this.#app.inject({ method: 'GET', url, remoteAddress: this.#remoteAddress, headers: { ...this.#headers, ...this.#cookieHeader() } }),
    );
  }

  /** Posts an urlencoded form as it is (add `_csrf` yourself, or use `submit`). */
  async post(url: string, fields: Record<string, string | readonly string[]>): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) {
      for (const one of typeof value === 'string' ? [value] : value) body.append(name, one);
    }
    return this.#keep(
      await this.#app.inject({
        method: 'POST',
        url,
        remoteAddress: this.#remoteAddress,
        headers: { ...this.#headers, ...this.#cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
        payload: body.toString(),
      }),
    );
  }

  /** Posts a multipart form with files. */
  async postMultipart(url: string, fields: Record<string, string>, files: readonly FormFile[] = []): Promise<LightMyRequestResponse> {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    for (const file of files) form.append(file.field, new Blob([file.data], { type: file.type }), file.filename);
    const encoded = new Request('http://127.0.0.1/', { method: 'POST', body: form });
    const payload = Buffer.from(await encoded.arrayBuffer());
    return this.#keep(
      await this.#app.inject({
        method: 'POST',
        url,
        remoteAddress: this.#remoteAddress,
        headers: { ...this.#headers, ...this.#cookieHeader(), 'content-type': encoded.headers.get('content-type') ?? '' },
        payload,
      }),
    );
  }

  /** The CSRF token of the first form on a page. */
  async csrf(url: string): Promise<string> {
    const page = await this.get(url);
    const token = csrfTokenIn(page.body);
    if (token === undefined) throw new Error(`no CSRF token on ${url} (${page.statusCode})`);
    return token;
  }

  /** Fetches `formPage` for its token, then posts `fields` with it to `url`. */
  async submit(formPage: string, url: string, fields: Record<string, string | readonly string[]>): Promise<LightMyRequestResponse> {
    const token = await this.csrf(formPage);
    return this.post(url, { ...fields, _csrf: token });
  }

  /** Logs in through the form; the response of the log-in post. */
  async logIn(login: string, password = PASSWORD): Promise<LightMyRequestResponse> {
    return this.submit('/team/login', '/team/login', { login, password });
  }
}

/** The first CSRF token in a page. */
export function csrfTokenIn(page: string): string | undefined {
  return /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
}

/** The tracking link on a receipt page. */
export function trackingPathIn(page: string): string {
  const match = /href="https?:\/\/[^/"]+(\/track\/[A-Za-z0-9_-]{43})"/.exec(page);
  if (!match?.[1]) throw new Error('no tracking link on the page');
  return match[1];
}
