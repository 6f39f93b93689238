import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { UsageError } from '../../src/core/errors.js';
import { createWebServer, rateLimited, type WebServerOptions, type WebService } from '../../src/web/create-web-server.js';
import { escapeHtml } from '../../src/web/html.js';
import { RecordsSessionStore, type SessionRecords } from '../../src/web/session-store.js';
import { movableClock } from './movable-clock.js';

declare module 'fastify' {
  interface Session {
    /** Who logged in through the test service `one`. */
    testUser?: string;
  }
}

/** Session rows in memory, keyed as the store hands them over (the hash of the session id). */
export function memorySessionRecords(): SessionRecords & { readonly rows: Map<string, { data: string; expiresAt: string }> } {
  const rows = new Map<string, { data: string; expiresAt: string }>();
  return {
    rows,
    save: (idHash, data, expiresAt) => {
      rows.set(idHash, { data, expiresAt });
      return Promise.resolve();
    },
    load: (idHash, now) => {
      const row = rows.get(idHash);
      return Promise.resolve(row !== undefined && row.expiresAt > now ? row.data : undefined);
    },
    delete: (idHash) => {
      rows.delete(idHash);
      return Promise.resolve();
    },
    deleteExpired: (now) => {
      let deleted = 0;
      for (const [key, row] of rows) {
        if (row.expiresAt <= now) {
          rows.delete(key);
          deleted += 1;
        }
      }
      return Promise.resolve(deleted);
    },
  };
}

/** Service `one`: a log-in form, the client address, a fault and a refusal. */
const one: WebService = {
  name: 'one',
  mountSite: (site) => {
    site.get('/one/form', (_request, reply) => reply.type('text/plain').send(reply.generateCsrf()));
    site.post('/one/login', (request, reply) => {
      request.session.testUser = 'alan';
      return reply.send('logged in');
    });
    site.post('/one/limited', rateLimited({ max: 1, timeWindowMs: 60_000 }), (_request, reply) => reply.send('limited'));
    site.get('/one/ip', (request, reply) => reply.send(request.ip));
    site.get('/one/boom', () => {
      throw new Error('internal detail <b>at /srv/secret</b>');
    });
    site.get('/one/refuse', () => {
      throw new UsageError('the field "name" is <empty>');
    });
  },
};

/** Service `two`: reads the session `one` set, posts a form, and has a JSON API beside the site. */
const two: WebService = {
  name: 'two',
  mountSite: async (site) => {
    await site.register(
      (scope, _options, done) => {
        scope.get('/whoami', (request, reply) => reply.send(request.session.testUser ?? 'nobody'));
        scope.post('/change', (_request, reply) => reply.send('changed'));
        done();
      },
      { prefix: '/two' },
    );
  },
  mountBeside: async (app) => {
    await app.register(
      (api, _options, done) => {
        api.post('/echo', (request, reply) => reply.send({ sawCookie: request.headers.cookie !== undefined, hasSession: 'session' in request, body: request.body }));
        done();
      },
      { prefix: '/api/two' },
    );
  },
};

/** A server with the services `one` and `two`, its session rows and its log lines. */
export interface TestWebServer {
  readonly app: FastifyInstance;
  readonly sessions: ReturnType<typeof memorySessionRecords>;
  readonly clock: ReturnType<typeof movableClock>;
  /** The log lines so far, parsed. */
  logLines(): Record<string, unknown>[];
}

/** Starts (without listening) a server of the services `one` and `two`. */
export async function startWebServer(options: Partial<WebServerOptions> = {}): Promise<TestWebServer> {
  const sessions = memorySessionRecords();
  const clock = movableClock('2025-06-02T15:00:00Z');
  let log = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      log += chunk.toString('utf8');
      callback();
    },
  });
  const app = await createWebServer({
    services: [one, two],
    sessionSecret: 'a test secret of at least thirty-two characters',
    sessionStore: new RecordsSessionStore(sessions, { clock }),
    cookieName: 'vigil-test',
    secureCookies: false,
    logger: { level: 'info', stream },
    globalRateLimit: { max: 100, timeWindowMs: 60_000 },
    multipartLimits: { fileSize: 1024, files: 1 },
    renderErrorPage: (error) => `<title>${escapeHtml(error.title)}</title><p>${escapeHtml(error.message)}</p>`,
    ...options,
  });
  await app.ready();
  return {
    app,
    sessions,
    clock,
    logLines: () =>
      log
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
