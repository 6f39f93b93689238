import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Desk } from '../../../src/desk/desk.js';
import { deskWebContext, deskWebService, redactUrl } from '../../../src/desk/web/create-desk-server.js';
import { renderErrorPage } from '../../../src/desk/web/pages/public-pages.js';
import { SESSION_IDLE_MS } from '../../../src/desk/web/session-data.js';
import { DeskSessionStore } from '../../../src/desk/web/session-store.js';
import { addDeskUser } from '../../../src/desk/web/users.js';
import { createWebServer, type WebService } from '../../../src/web/create-web-server.js';
import { deskStoreBackends, type DeskStoreDatabase } from '../../helpers/desk-store-backends.js';
import { Browser, movableClock, PASSWORD, webConfig } from './web-fixtures.js';

/** A second service beside the desk, as the monitor will be: it reads the shared session. */
const peek: WebService = {
  name: 'peek',
  mountSite: (site) => {
    site.get('/peek/login', (request, reply) => reply.send(request.session.login ?? 'nobody'));
    site.post('/peek/post', (_request, reply) => reply.send('posted'));
  },
};

describe.each(deskStoreBackends())('the desk beside another service in one server ($name)', (backend) => {
  let database: DeskStoreDatabase;
  let app: FastifyInstance;

  beforeEach(async () => {
    database = await backend.create();
    const clock = movableClock('2025-06-02T15:00:00Z');
    const desk = new Desk({ store: database.store, config: webConfig(), clock });
    await addDeskUser(database.store, { login: 'rita', role: 'responder', password: PASSWORD }, clock, { kind: 'system', id: 'test' });
    const context = deskWebContext({ desk, clock });
    app = await createWebServer({
      services: [deskWebService(context), peek],
      sessionSecret: 'a test secret of at least thirty-two characters',
      sessionStore: new DeskSessionStore(database.store, { clock }),
      cookieName: 'vigil-desk',
      sessionIdleMs: SESSION_IDLE_MS,
      secureCookies: false,
      redactUrl,
      globalRateLimit: context.rateLimits.global,
      multipartLimits: context.uploadLimits,
      renderErrorPage: (error) => renderErrorPage({ project: desk.config.project.name }, error),
    });
    await app.ready();
  });
  afterEach(async () => {
    await app.close();
    await database.dispose();
  });

  it("sees the desk console's log-in in the other service, and the other service's forms need the session's CSRF token", async () => {
    const browser = new Browser(app);
    expect((await browser.get('/peek/login')).body).toBe('nobody');
    expect((await browser.logIn('rita')).statusCode).toBe(303);
    expect((await browser.get('/peek/login')).body).toBe('rita');
    expect((await browser.get('/team')).statusCode).toBe(200);
    expect((await browser.post('/peek/post', {})).statusCode).toBe(403);
    const token = await browser.csrf('/team');
    expect((await browser.post('/peek/post', { _csrf: token })).body).toBe('posted');
    // The desk's own pages and API are all there.
    expect((await app.inject({ method: 'GET', url: '/.well-known/security.txt' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/v1/reports' })).statusCode).toBe(401);
  });
});
