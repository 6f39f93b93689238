import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InternalError, VigilError } from '../../core/errors.js';
import { LOGIN_MAX_AGE_MS } from '../../desk/web/session-data.js';
import type { PageContext } from '../../desk/web/pages/layout.js';
import { renderErrorPage } from '../../desk/web/pages/public-pages.js';
import { sendHtml, takeFlash } from '../../desk/web/routes/public-routes.js';
import { findDeskUser, type DeskUser } from '../../desk/web/users.js';
import { acknowledgeFinding, portfolioOverview, refFindings, refHistory, refsAffectedBy } from '../queries.js';
import { mayDo, userPrincipal } from './monitor-access.js';
import type { MonitorWebContext } from './monitor-web-context.js';
import { findingOwner } from './manage-refs.js';
import { refPageUrl, renderAffectedPage, renderPortfolioPage, renderRefPage } from './monitor-pages.js';

/** Where the console pages are, below the desk's `/team`. */
export const MONITOR_CONSOLE_PREFIX = '/team/monitor';

/** The monitor's entry in the console's navigation. */
export const MONITOR_CONSOLE_LINK = { label: 'Monitor', href: MONITOR_CONSOLE_PREFIX } as const;

/** A single query parameter: a repeated one (`?ref=a&ref=b`) is no value at all. */
function single(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= 200 ? value : undefined;
}

/**
 * The monitor's console pages for logged-in desk users (the desk's log-in, session and role,
 * read afresh on every request): the portfolio, a ref's findings and history, the "affected by"
 * search, and the Acknowledge button (responders and admins; CSRF-checked by the site).
 */
export async function registerMonitorConsole(site: FastifyInstance, context: MonitorWebContext): Promise<void> {
  const { desk, monitor, clock } = context;
  const project = desk.config.project.name;
  const users = new WeakMap<FastifyRequest, DeskUser>();
  const userOf = (request: FastifyRequest): DeskUser => {
    const user = users.get(request);
    if (user === undefined) throw new InternalError('monitor console route without a logged-in user');
    return user;
  };
  const page = (request: FastifyRequest, reply: FastifyReply): PageContext & { csrfToken: string } => {
    const flash = takeFlash(request);
    return { project, user: userOf(request), csrfToken: reply.generateCsrf(), consoleLinks: [MONITOR_CONSOLE_LINK], ...(flash === undefined ? {} : { flash }) };
  };
  const notFound = (reply: FastifyReply): FastifyReply => sendHtml(reply, renderErrorPage({ project }, { title: 'Not found', message: 'There is no such monitored ref.' }), 404);

  await site.register(
    (pages, _options, done) => {
      // The desk console's guard, for these pages: a logged-in, still existing user within the
      // log-in's maximum age, else back to the desk's log-in form.
      pages.addHook('preHandler', async (request, reply) => {
        const login = request.session.login;
        const loginAt = request.session.loginAt ?? 0;
        const user = login === undefined ? undefined : await findDeskUser(desk.store, login);
        if (user === undefined || clock.now().getTime() - loginAt > LOGIN_MAX_AGE_MS) {
          if (login !== undefined) await request.session.destroy();
          if (request.method === 'GET') {
            const path = request.url.split('?')[0] ?? MONITOR_CONSOLE_PREFIX;
            return reply.redirect(`/team/login?next=${encodeURIComponent(path)}`, 303);
          }
          return sendHtml(reply, renderErrorPage({ project }, { title: 'Logged out', message: 'Your session has ended. Log in again.' }), 401);
        }
        users.set(request, user);
      });

      pages.get('/', async (request, reply) => sendHtml(reply, renderPortfolioPage(page(request, reply), await portfolioOverview(monitor, clock))));

      pages.get<{ Querystring: Record<string, unknown> }>('/ref', async (request, reply) => {
        const projectName = single(request.query['project']);
        const ref = single(request.query['ref']);
        if (projectName === undefined || ref === undefined) return notFound(reply);
        let found;
        try {
          found = await Promise.all([refFindings(monitor, projectName, ref), refHistory(monitor, projectName, ref)]);
        } catch (error) {
          if (error instanceof VigilError && error.code === 'not-found') return notFound(reply);
          throw error;
        }
        const [findings, history] = found;
        const context = page(request, reply);
        const canAcknowledge = mayDo(userPrincipal(userOf(request)), 'acknowledge');
        return sendHtml(reply, renderRefPage(context, { project: projectName, ref, findings, history, canAcknowledge, csrfToken: context.csrfToken }));
      });

      pages.get<{ Querystring: Record<string, unknown> }>('/affected', async (request, reply) => {
        const raw = request.query['id'];
        const id = single(raw)?.trim();
        if (id === undefined || id === '') return sendHtml(reply, renderAffectedPage(page(request, reply), undefined, undefined));
        return sendHtml(reply, renderAffectedPage(page(request, reply), id, await refsAffectedBy(monitor, id)));
      });

      pages.post<{ Params: { id: string } }>('/findings/:id/acknowledge', async (request, reply) => {
        const principal = userPrincipal(userOf(request));
        if (!mayDo(principal, 'acknowledge')) {
          return sendHtml(reply, renderErrorPage({ project }, { title: 'Not allowed', message: `${principal.label} is an observer: observers read, they do not change anything.` }), 403);
        }
        const id = /^\d{1,9}$/.test(request.params.id) ? Number(request.params.id) : undefined;
        if (id === undefined) return notFound(reply);
        let owner;
        try {
          owner = await findingOwner(monitor, id);
          await acknowledgeFinding(monitor, id, clock, principal.actor);
          request.session.flash = { kind: 'notice', text: `Finding ${id} acknowledged.` };
        } catch (error) {
          if (!(error instanceof VigilError) || owner === undefined) {
            if (error instanceof VigilError && error.code === 'not-found') return notFound(reply);
            throw error;
          }
          request.session.flash = { kind: 'error', text: error.message };
        }
        return reply.redirect(refPageUrl(owner.project, owner.ref), 303);
      });
      done();
    },
    { prefix: MONITOR_CONSOLE_PREFIX },
  );
}
