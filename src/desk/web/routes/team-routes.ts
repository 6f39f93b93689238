import { DateTime } from 'luxon';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { scoreCvss } from '../../../advisories/severity.js';
import { InternalError, UsageError, VigilError } from '../../../core/errors.js';
import { DESK_DOCUMENT_KINDS, type DeskDocumentKind } from '../../documents/render-document.js';
import { canChangeReports, suggestSeverity, type LifecycleAction, type LifecycleActionKind } from '../../lifecycle.js';
import { renderAcknowledgement } from '../../mail/acknowledgement.js';
import { describePreNotificationOutcome, sendPreNotifications } from '../../mail/send-pre-notifications.js';
import { renderJoinDecision } from '../../mail/join-decision.js';
import { reportClocks } from '../../sla/sla-clocks.js';
import { SEVERITY_LEVELS, type AuditEvent, type DeskReport, type ReportState, type ReportSummary, type SeverityLevel } from '../../types.js';
import type { DeskWebContext } from './route-context.js';
import { formFields, type FormFields } from '../form-fields.js';
import type { Flash, PageContext } from '../pages/layout.js';
import { renderErrorPage } from '../pages/public-pages.js';
import {
  CVSS31_METRIC_KEYS,
  renderAuditPage,
  renderInbox,
  renderLoginPage,
  renderNotifyPage,
  renderReportPage,
} from '../pages/team-pages.js';
import { LOGIN_MAX_AGE_MS } from '../session-data.js';
import { attachmentDisposition } from '../uploads.js';
import { authenticateDeskUser, findDeskUser, teamActor, type DeskUser } from '../users.js';
import { describeSeconds, retryAfterSeconds } from '../../../web/login-throttle.js';
import { auditFailedLogin } from '../login-audit.js';
import { sendHtml, sendNotFound, takeFlash } from './public-routes.js';

/** The logged-in member of each console request, set by the guard before any handler runs. */
const members = new WeakMap<FastifyRequest, DeskUser>();

function memberOf(request: FastifyRequest): DeskUser {
  const user = members.get(request);
  // The guard runs before every console handler; reaching this is a wiring bug.
  if (user === undefined) throw new InternalError('console route without a logged-in member');
  return user;
}

/** Where a log-in may lead back to: a console path, never another site. */
function safeNext(next: string | undefined): string | undefined {
  return next !== undefined && /^\/team(\/[A-Za-z0-9/_-]*)?$/.test(next) ? next : undefined;
}

function reportIdOf(text: string): number | undefined {
  return /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}

/** What the inbox would show of a report, for its SLA clocks. */
function summaryOf(report: DeskReport): ReportSummary {
  const enteredAt: Partial<Record<ReportState, string>> = {};
  for (const transition of report.transitions) enteredAt[transition.to] ??= transition.at;
  return {
    id: report.id,
    state: report.state,
    title: report.submission.title,
    receivedAt: report.receivedAt,
    ...(report.assessment === undefined ? {} : { severity: report.assessment.severity }),
    ...(report.disclosureAt === undefined ? {} : { disclosureAt: report.disclosureAt }),
    enteredAt: { ...enteredAt, received: report.receivedAt },
  };
}

/** A CVSS 3.1 vector from the calculator's menus, when every base metric is chosen. */
function vectorFromMenus(fields: FormFields): string | undefined {
  const parts = CVSS31_METRIC_KEYS.map((key) => fields.optional(`cvss${key}`));
  if (parts.some((part) => part === undefined)) return undefined;
  return `CVSS:3.1/${CVSS31_METRIC_KEYS.map((key, index) => `${key}:${parts[index] ?? ''}`).join('/')}`;
}

/** The embargo end from the form: a `datetime-local` value is read in the desk calendar's zone. */
function disclosureInstant(text: string, timeZone: string): string {
  const trimmed = text.trim();
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(trimmed)) {
    const local = DateTime.fromISO(trimmed, { zone: timeZone });
    if (local.isValid) return local.toUTC().toISO();
  }
  return trimmed;
}

/** The lifecycle action a form asks for. */
function actionOf(kind: LifecycleActionKind, fields: FormFields, timeZone: string): LifecycleAction {
  switch (kind) {
    case 'accept': {
      const severity = fields.text('severity');
      if (!(SEVERITY_LEVELS as readonly string[]).includes(severity)) throw new UsageError(`severity must be one of ${SEVERITY_LEVELS.join(', ')}`);
      // One-line fields of the public advisory.
      const introduced = fields.line('introduced', 'the first affected version').trim() || undefined;
      const cve = fields.line('cve', 'the CVE id').trim() || undefined;
      return {
        kind,
        assessment: {
          severity: severity as SeverityLevel,
          cvssVector: fields.optional('cvssVector') ?? vectorFromMenus(fields) ?? '',
          cwes: fields.text('cwes').split(/[\s,]+/).filter((cwe) => cwe !== '').map((cwe) => cwe.toUpperCase()),
          affectedSeries: fields.list('affectedSeries'),
          summary: fields.line('summary', 'the public summary'),
          ...(introduced === undefined ? {} : { introduced }),
          ...(cve === undefined ? {} : { cve }),
        },
      };
    }
    case 'reject':
      return { kind, reason: fields.text('reason') };
    case 'schedule-disclosure':
      return { kind, at: disclosureInstant(fields.text('at'), timeZone) };
    case 'pre-notify':
    case 'disclose': {
      const override = fields.optional('override');
      return { kind, ...(override === undefined ? {} : { override }) };
    }
    case 'acknowledge':
    case 'triage':
    case 'start-fix':
      return { kind };
  }
}

function isActionKind(text: string): text is LifecycleActionKind {
  return ['acknowledge', 'triage', 'accept', 'reject', 'start-fix', 'schedule-disclosure', 'pre-notify', 'disclose'].includes(text);
}

/**
 * The team console under `/team`: log-in and log-out, then (behind the guard) the inbox, report
 * pages with their actions, attachments, documents, the CVSS score endpoint, the notification list
 * and join requests, and the audit log.
 */
export async function registerTeamRoutes(team: FastifyInstance, context: DeskWebContext): Promise<void> {
  const { desk } = context;
  const config = desk.config;
  const project = config.project.name;
  const zone = config.calendar.timeZone;

  team.get<{ Querystring: { next?: string } }>('/login', (request, reply) => {
    const next = safeNext(request.query.next);
    const flash = takeFlash(request);
    return sendHtml(
      reply,
      renderLoginPage({ project, ...(flash === undefined ? {} : { flash }) }, { csrfToken: reply.generateCsrf(), ...(next === undefined ? {} : { next }) }),
    );
  });

  team.post('/login', async (request, reply) => {
    const fields = formFields(request.body);
    const next = safeNext(fields.optional('next'));
    const login = fields.text('login');
    const loginPage = (flash: Flash | undefined, failed: boolean): string =>
      renderLoginPage(
        { project, ...(flash === undefined ? {} : { flash }) },
        { csrfToken: reply.generateCsrf(), failed, ...(next === undefined ? {} : { next }) },
      );
    const throttle = context.loginThrottle;
    const decision = throttle.check(login, request.ip);
    if (!decision.allowed) {
      // The password is not checked while the account or the address waits: a guess then tells nothing.
      const seconds = retryAfterSeconds(decision.retryAfterMs);
      request.log.info({ scope: decision.scope, retryAfter: seconds }, 'console log-in throttled');
      const who = decision.scope === 'account' ? 'this account' : 'your address';
      const text = `Too many failed log-ins for ${who}. Wait ${describeSeconds(seconds)} and try again.`;
      return sendHtml(reply.header('retry-after', String(seconds)), loginPage({ kind: 'error', text }, false), 429);
    }
    const user = await authenticateDeskUser(desk.store, login, fields.text('password'));
    if (user === undefined) {
      const outcome = throttle.recordFailure(login, request.ip);
      request.log.info({ accountFailures: outcome.accountFailures, addressFailures: outcome.addressFailures }, 'console log-in failed');
      await auditFailedLogin(desk.store, login, request.ip, outcome, context.clock);
      return sendHtml(reply, loginPage(undefined, true), 401);
    }
    throttle.recordSuccess(login, request.ip);
    // A new session id at log-in: an id planted before it (session fixation) is worth nothing after.
    await request.session.regenerate();
    request.session.login = user.login;
    request.session.loginAt = context.clock.now().getTime();
    return reply.redirect(next ?? '/team', 303);
  });

  team.post('/logout', async (request, reply) => {
    await request.session.destroy();
    return reply.redirect('/team/login', 303);
  });

  await team.register((guarded, _options, done) => {
    // The guard: a logged-in, still existing member (their role read afresh on every request), and
    // observers refused every state-changing post before any handler runs.
    guarded.addHook('preHandler', async (request, reply) => {
      const login = request.session.login;
      const loginAt = request.session.loginAt ?? 0;
      const user = login === undefined ? undefined : await findDeskUser(desk.store, login);
      if (user === undefined || context.clock.now().getTime() - loginAt > LOGIN_MAX_AGE_MS) {
        if (login !== undefined) await request.session.destroy();
        if (request.method === 'GET') {
          const path = request.url.split('?')[0] ?? '/team';
          return reply.redirect(`/team/login?next=${encodeURIComponent(path)}`, 303);
        }
        return sendHtml(reply, renderErrorPage({ project }, { title: 'Logged out', message: 'Your session has ended. Log in again.' }), 401);
      }
      if (request.method === 'POST' && !canChangeReports(teamActor(user))) {
        return sendHtml(
          reply,
          renderErrorPage({ project }, { title: 'Not allowed', message: `${user.login} is an observer: observers read, they do not change anything.` }),
          403,
        );
      }
      members.set(request, user);
    });

    const page = (request: FastifyRequest, reply: FastifyReply): PageContext & { csrfToken: string } => {
      const user = memberOf(request);
      const flash = takeFlash(request);
      return { project, user, csrfToken: reply.generateCsrf(), consoleLinks: context.consoleLinks ?? [], ...(flash === undefined ? {} : { flash }) };
    };
    const forbidden = (reply: FastifyReply, message: string): FastifyReply =>
      sendHtml(reply, renderErrorPage({ project }, { title: 'Not allowed', message }), 403);

    /** Runs a change; its outcome, or a refusal, becomes the message on the page it came from. */
    const change = async (request: FastifyRequest, reply: FastifyReply, back: string, work: () => Promise<string | Flash>): Promise<FastifyReply> => {
      try {
        const outcome = await work();
        request.session.flash = typeof outcome === 'string' ? { kind: 'notice', text: outcome } : outcome;
      } catch (error) {
        if (!(error instanceof VigilError) || error.code === 'internal' || error.code === 'config') throw error;
        if (error.code === 'not-found') return sendNotFound(reply, project);
        request.session.flash = { kind: 'error', text: error.message };
      }
      return reply.redirect(back, 303);
    };

    guarded.get('/', async (request, reply) => {
      const items = await desk.inbox(teamActor(memberOf(request)));
      return sendHtml(reply, renderInbox(page(request, reply), { items, timeZone: zone }));
    });

    guarded.get<{ Querystring: { vector?: string } }>('/cvss', (request, reply) => {
      const vector = (request.query.vector ?? '').slice(0, 300);
      const score = scoreCvss(vector);
      const body =
        score !== undefined && (score.version === '3.1' || score.version === '4.0')
          ? { valid: true, version: score.version, score: score.score, rating: score.level, vector: score.vector }
          : { valid: false, problem: 'not a complete CVSS v3.1 or v4.0 base vector' };
      return reply.type('application/json; charset=utf-8').send(body);
    });

    guarded.get<{ Params: { id: string } }>('/reports/:id', async (request, reply) => {
      const id = reportIdOf(request.params.id);
      if (id === undefined) return sendNotFound(reply, project);
      const user = memberOf(request);
      const actor = teamActor(user);
      let report: DeskReport;
      try {
        report = await desk.readReport(id, actor);
      } catch (error) {
        if (error instanceof VigilError && error.code === 'not-found') return sendNotFound(reply, project);
        throw error;
      }
      const attachments = await desk.attachments(id, actor);
      const backports = report.assessment === undefined ? undefined : await desk.backports(id, actor);
      const suggested = report.assessment === undefined ? undefined : suggestSeverity(report.assessment.cwes, config);
      return sendHtml(
        reply,
        renderReportPage(page(request, reply), {
          report,
          clocks: reportClocks(summaryOf(report), config, context.clock.now()),
          attachments,
          ...(backports === undefined ? {} : { backports }),
          canChange: canChangeReports(actor),
          csrfToken: reply.generateCsrf(),
          config,
          documentKinds: DESK_DOCUMENT_KINDS,
          ...(suggested === undefined ? {} : { suggestedSeverity: suggested }),
        }),
      );
    });

    guarded.post<{ Params: { id: string; kind: string } }>('/reports/:id/actions/:kind', async (request, reply) => {
      const id = reportIdOf(request.params.id);
      const kind = request.params.kind;
      if (id === undefined || !isActionKind(kind)) return sendNotFound(reply, project);
      const fields = formFields(request.body);
      return change(request, reply, `/team/reports/${id}`, async () => {
        const report = await desk.act(id, actionOf(kind, fields, zone), teamActor(memberOf(request)), fields.text('note'));
        const moved = `Report #${id} is now ${report.state}.`;
        if (kind === 'acknowledge') return sendAcknowledgementMail(request, report, moved);
        if (kind === 'pre-notify') return sendPreNotificationMail(request, report, moved);
        return moved;
      });
    });

    /** The acknowledgement to the reporter, once the transition is stored; a mail failure is reported, the transition stands. */
    const sendAcknowledgementMail = async (request: FastifyRequest, report: DeskReport, moved: string): Promise<Flash> => {
      if (context.mailer === undefined) return { kind: 'notice', text: `${moved} No mail is configured: tell the reporter yourself.` };
      const reporter = report.submission.reporter;
      try {
        await context.mailer.sendAcknowledgement(
          { name: reporter.name, email: reporter.email },
          { id: report.id, title: report.submission.title },
          renderAcknowledgement(report, config),
        );
        return { kind: 'notice', text: `${moved} The reporter was e-mailed.` };
      } catch (error) {
        request.log.warn({ err: error }, 'acknowledgement mail not sent');
        return { kind: 'error', text: `${moved} But the e-mail to the reporter was not sent: ${error instanceof Error ? error.message : String(error)}` };
      }
    };

    /** The private notifications and the public pre-announcement, once pre-notification is stored. */
    const sendPreNotificationMail = async (request: FastifyRequest, report: DeskReport, moved: string): Promise<Flash> => {
      if (context.mailer === undefined) {
        return { kind: 'notice', text: `${moved} No mail is configured: send the private notification to each list entry yourself.` };
      }
      try {
        const outcome = await sendPreNotifications(desk, context.mailer, report.id, teamActor(memberOf(request)));
        const failed = outcome.notifications.some((result) => result.status === 'failed') || outcome.announcement.status === 'failed';
        return { kind: failed ? 'error' : 'notice', text: `${moved} ${describePreNotificationOutcome(outcome)}` };
      } catch (error) {
        request.log.warn({ err: error }, 'pre-notification mail not sent');
        return { kind: 'error', text: `${moved} But the notifications were not sent: ${error instanceof Error ? error.message : String(error)}` };
      }
    };

    guarded.post<{ Params: { id: string } }>('/reports/:id/fixes', async (request, reply) => {
      const id = reportIdOf(request.params.id);
      if (id === undefined) return sendNotFound(reply, project);
      const fields = formFields(request.body);
      const fixedIn = fields.optional('fixedIn');
      return change(request, reply, `/team/reports/${id}`, async () => {
        await desk.recordFix(id, { series: fields.text('series'), patch: fields.text('patch'), ...(fixedIn === undefined ? {} : { fixedIn }) }, teamActor(memberOf(request)));
        return `Fix of ${fields.text('series')} recorded.`;
      });
    });

    guarded.post<{ Params: { id: string } }>('/reports/:id/messages', async (request, reply) => {
      const id = reportIdOf(request.params.id);
      if (id === undefined) return sendNotFound(reply, project);
      const body = formFields(request.body).text('body');
      return change(request, reply, `/team/reports/${id}`, async () => {
        await desk.addTeamMessage(id, body, teamActor(memberOf(request)));
        return 'Message kept on the report; the reporter sees it on their tracking page.';
      });
    });

    guarded.get<{ Params: { id: string; attachment: string } }>('/reports/:id/attachments/:attachment', async (request, reply) => {
      const id = reportIdOf(request.params.id);
      const attachmentId = reportIdOf(request.params.attachment);
      if (id === undefined || attachmentId === undefined) return sendNotFound(reply, project);
      let file;
      try {
        file = await desk.readAttachment(id, attachmentId, teamActor(memberOf(request)));
      } catch (error) {
        if (error instanceof VigilError && error.code === 'not-found') return sendNotFound(reply, project);
        throw error;
      }
      // Always a download, never rendered: a reporter's file must not run in the console's origin.
      return reply
        .type(file.contentType === 'text/plain' ? 'text/plain; charset=utf-8' : file.contentType)
        .header('content-disposition', attachmentDisposition(file.filename))
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .send(Buffer.from(file.data));
    });

    guarded.get<{ Params: { id: string; kind: string } }>('/reports/:id/documents/:kind', async (request, reply) => {
      const id = reportIdOf(request.params.id);
      const kind = request.params.kind;
      if (id === undefined || !(DESK_DOCUMENT_KINDS as readonly string[]).includes(kind)) return sendNotFound(reply, project);
      let text: string;
      try {
        text = await desk.document(id, kind as DeskDocumentKind, teamActor(memberOf(request)));
      } catch (error) {
        if (!(error instanceof VigilError) || (error.code !== 'refused' && error.code !== 'not-found')) throw error;
        if (error.code === 'not-found') return sendNotFound(reply, project);
        request.session.flash = { kind: 'error', text: error.message };
        return reply.redirect(`/team/reports/${id}`, 303);
      }
      return reply
        .type(kind === 'osv' ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .send(text);
    });

    guarded.get('/notify', async (request, reply) => {
      const actor = teamActor(memberOf(request));
      const [entries, requests] = await Promise.all([desk.notifyEntries(actor), desk.joinRequests(actor)]);
      return sendHtml(
        reply,
        renderNotifyPage(page(request, reply), { entries, requests, isAdmin: actor.role === 'admin', csrfToken: reply.generateCsrf(), timeZone: zone }),
      );
    });

    guarded.post('/notify', async (request, reply) => {
      const user = memberOf(request);
      if (user.role !== 'admin') return forbidden(reply, 'Only a desk admin changes the notification list.');
      const fields = formFields(request.body);
      const keyId = fields.optional('keyId');
      return change(request, reply, '/team/notify', async () => {
        const entry = await desk.addNotifyEntry(
          {
            organisation: fields.text('organisation'),
            group: fields.text('group'),
            contact: fields.text('contact'),
            ...(keyId === undefined ? {} : { keyId }),
            reviewOn: fields.text('reviewOn'),
          },
          teamActor(user),
        );
        return `${entry.organisation} added to the notification list.`;
      });
    });

    guarded.post<{ Params: { id: string } }>('/notify/:id/remove', async (request, reply) => {
      const user = memberOf(request);
      if (user.role !== 'admin') return forbidden(reply, 'Only a desk admin changes the notification list.');
      const id = reportIdOf(request.params.id);
      if (id === undefined) return sendNotFound(reply, project);
      return change(request, reply, '/team/notify', async () => {
        await desk.removeNotifyEntry(id, teamActor(user));
        return 'Entry removed.';
      });
    });

    guarded.post<{ Params: { id: string } }>('/join-requests/:id/decide', async (request, reply) => {
      const user = memberOf(request);
      if (user.role !== 'admin') return forbidden(reply, 'Only a desk admin decides join requests.');
      const id = reportIdOf(request.params.id);
      if (id === undefined) return sendNotFound(reply, project);
      const fields = formFields(request.body);
      const outcome = fields.text('outcome');
      return change(request, reply, '/team/notify', async () => {
        if (outcome !== 'approved' && outcome !== 'declined') throw new UsageError('choose approve or decline');
        const decided = await desk.decideJoinRequest(id, outcome, fields.text('reason'), teamActor(user));
        if (context.mailer === undefined) return `Request ${outcome}. No mail is configured: tell the requester yourself.`;
        try {
          await context.mailer.sendJoinDecision(decided, renderJoinDecision(decided, config));
          return `Request ${outcome}; the requester was e-mailed.`;
        } catch (error) {
          request.log.warn({ err: error }, 'join decision mail not sent');
          const reason = error instanceof Error ? error.message : String(error);
          return { kind: 'error', text: `Request ${outcome}, but the e-mail to ${decided.contact} was not sent: ${reason}` };
        }
      });
    });

    guarded.get('/audit', async (request, reply) => {
      const user = memberOf(request);
      if (user.role !== 'admin') return forbidden(reply, 'Only a desk admin reads the audit log.');
      // Read through the export, so that looking at the log is itself logged.
      const lines = (await desk.exportAudit(teamActor(user))).split('\n').filter((line) => line !== '');
      const events = lines.map((line) => JSON.parse(line) as AuditEvent);
      return sendHtml(reply, renderAuditPage(page(request, reply), { events, timeZone: zone, shown: 500 }));
    });

    guarded.get('/audit/export', async (request, reply) => {
      const user = memberOf(request);
      if (user.role !== 'admin') return forbidden(reply, 'Only a desk admin exports the audit log.');
      const text = await desk.exportAudit(teamActor(user));
      return reply
        .type('application/x-ndjson; charset=utf-8')
        .header('content-disposition', attachmentDisposition(`desk-audit-${context.clock.now().toISOString().slice(0, 10)}.jsonl`))
        .send(text);
    });
    done();
  });
}
