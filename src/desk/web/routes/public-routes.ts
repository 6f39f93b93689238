import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VigilError } from '../../../core/errors.js';
import type { NewAttachment } from '../../desk.js';
import { rateLimited, type DeskWebContext } from './route-context.js';
import { formFields, type FormFields } from '../form-fields.js';
import type { Flash, PageContext } from '../pages/layout.js';
import {
  renderErrorPage,
  renderJoinForm,
  renderJoinThanks,
  renderPolicyPage,
  renderReceipt,
  renderReportForm,
  renderTrackingPage,
  type JoinFormValues,
  type ReportFormValues,
} from '../pages/public-pages.js';
import { renderSecurityTxt } from '../security-txt.js';
import '../session-data.js';
import { checkUpload } from '../uploads.js';

/** A tracking token as the desk makes them: 32 random bytes, base64url. */
const TRACKING_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The flash message of the session, removed as it is read. */
export function takeFlash(request: FastifyRequest): Flash | undefined {
  const flash = request.session.flash;
  if (flash !== undefined) request.session.flash = undefined;
  return flash;
}

/** Sends a page of HTML. */
export function sendHtml(reply: FastifyReply, page: string, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page);
}

/** The 404 page; it says nothing of what was asked for. */
export function sendNotFound(reply: FastifyReply, project: string): FastifyReply {
  return sendHtml(reply, renderErrorPage({ project }, { title: 'Not found', message: 'There is no page here.' }), 404);
}

function reportValues(fields: FormFields): Required<ReportFormValues> {
  return {
    title: fields.text('title'),
    name: fields.text('name'),
    email: fields.text('email'),
    organisation: fields.text('organisation'),
    creditMode: fields.text('creditMode'),
    creditName: fields.text('creditName'),
    description: fields.text('description'),
    stepsToReproduce: fields.text('stepsToReproduce'),
    impact: fields.text('impact'),
    attackSurface: fields.text('attackSurface'),
    relatedProjects: fields.text('relatedProjects'),
    affectedVersions: fields.text('affectedVersions'),
  };
}

/** The form as the desk's submission schema wants it (the desk checks it). */
function submissionOf(values: Required<ReportFormValues>): unknown {
  const organisation = values.organisation.trim();
  const creditName = values.creditName.trim();
  return {
    title: values.title,
    reporter: {
      name: values.name,
      email: values.email.trim(),
      ...(organisation === '' ? {} : { organisation }),
      credit: { mode: values.creditMode || 'named', ...(creditName === '' ? {} : { name: creditName }) },
    },
    description: values.description,
    stepsToReproduce: values.stepsToReproduce,
    impact: values.impact,
    attackSurface: values.attackSurface,
    relatedProjects: values.relatedProjects,
    affectedVersions: values.affectedVersions,
  };
}

/** A refusal the visitor can fix (bad input, a rule), as opposed to a fault of the desk. */
function isRefusal(error: unknown): error is VigilError {
  return error instanceof VigilError && (error.code === 'usage' || error.code === 'refused');
}

/** The public side: security.txt, the policy page, the report form and receipt, tracking pages, join requests. */
export function registerPublicRoutes(site: FastifyInstance, context: DeskWebContext): void {
  const { desk } = context;
  const config = desk.config;
  const project = config.project.name;
  const pageContext = (request: FastifyRequest): PageContext => {
    const flash = takeFlash(request);
    return { project, ...(flash === undefined ? {} : { flash }) };
  };
  const baseUrl = (request: FastifyRequest): string => context.publicUrl ?? `${request.protocol}://${request.host}`;

  site.get('/.well-known/security.txt', (request, reply) => {
    const txt = config.project.securityTxt;
    if (txt === undefined) return sendNotFound(reply, project);
    if (new Date(txt.expires).getTime() <= context.clock.now().getTime()) request.log.warn('security.txt has expired; update project.security_txt.expires');
    return reply
      .type('text/plain; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send(renderSecurityTxt(txt, context.publicUrl === undefined ? {} : { publicUrl: context.publicUrl }));
  });

  site.get('/', (request, reply) => sendHtml(reply, renderPolicyPage(pageContext(request), config, desk.supported())));

  site.get('/report', (request, reply) =>
    sendHtml(reply, renderReportForm(pageContext(request), { csrfToken: reply.generateCsrf(), limits: context.uploadLimits })),
  );

  site.post('/report', rateLimited(context.rateLimits.report), async (request, reply) => {
    const fields = formFields(request.body);
    let receipt: string;
    try {
      const attachments: NewAttachment[] = (await fields.files('attachments')).map((file) => checkUpload(file, context.uploadLimits));
      const { report, trackingToken } = await desk.submitReport(submissionOf(reportValues(fields)), undefined, attachments);
      // The only time the token is shown: the answer to the post itself, never cached, never logged.
      receipt = renderReceipt(
        { project },
        {
          id: report.id,
          trackingUrl: `${baseUrl(request)}/track/${trackingToken}`,
          attachments: attachments.length,
          mailConfigured: context.mailer !== undefined,
          acknowledgeWithin: config.sla.acknowledge.text,
          triageWithin: config.sla.triage.text,
        },
      );
    } catch (error) {
      if (!isRefusal(error)) throw error;
      const form = renderReportForm(
        { project, flash: { kind: 'error', text: error.message } },
        { csrfToken: reply.generateCsrf(), limits: context.uploadLimits, values: reportValues(fields) },
      );
      return sendHtml(reply, form, 400);
    }
    return sendHtml(reply, receipt);
  });

  site.get<{ Params: { token: string } }>('/track/:token', async (request, reply) => {
    const token = request.params.token;
    if (!TRACKING_TOKEN.test(token)) return sendNotFound(reply, project);
    const view = await desk.reporterView(token);
    if (view === undefined) return sendNotFound(reply, project);
    return sendHtml(
      reply,
      renderTrackingPage(pageContext(request), { view, token, csrfToken: reply.generateCsrf(), timeZone: config.calendar.timeZone }),
    );
  });

  site.post<{ Params: { token: string } }>('/track/:token/messages', rateLimited(context.rateLimits.publicPost), async (request, reply) => {
    const token = request.params.token;
    if (!TRACKING_TOKEN.test(token)) return sendNotFound(reply, project);
    try {
      await desk.addReporterMessage(token, formFields(request.body).text('body'));
      request.session.flash = { kind: 'notice', text: 'Your message was sent to the security team.' };
    } catch (error) {
      if (error instanceof VigilError && error.code === 'not-found') return sendNotFound(reply, project);
      if (!isRefusal(error)) throw error;
      request.session.flash = { kind: 'error', text: error.message };
    }
    return reply.redirect(`/track/${token}`, 303);
  });

  site.post<{ Params: { token: string } }>('/track/:token/credit', rateLimited(context.rateLimits.publicPost), async (request, reply) => {
    const token = request.params.token;
    if (!TRACKING_TOKEN.test(token)) return sendNotFound(reply, project);
    const fields = formFields(request.body);
    const mode = fields.text('creditMode');
    try {
      if (mode !== 'named' && mode !== 'anonymous') {
        request.session.flash = { kind: 'error', text: 'Choose whether to be named or not.' };
      } else {
        const name = fields.line('creditName', 'the credit name').trim() || undefined;
        const chosen = await desk.chooseCredit(token, { mode, ...(name === undefined ? {} : { name }) });
        request.session.flash = { kind: 'notice', text: chosen.mode === 'named' ? `You will be credited as "${chosen.name ?? ''}".` : 'You will not be named.' };
      }
    } catch (error) {
      if (error instanceof VigilError && error.code === 'not-found') return sendNotFound(reply, project);
      if (!isRefusal(error)) throw error;
      request.session.flash = { kind: 'error', text: error.message };
    }
    return reply.redirect(`/track/${token}`, 303);
  });

  site.get('/join', (request, reply) => sendHtml(reply, renderJoinForm(pageContext(request), config, { csrfToken: reply.generateCsrf() })));

  site.post('/join', rateLimited(context.rateLimits.publicPost), async (request, reply) => {
    const fields = formFields(request.body);
    const values: JoinFormValues = {
      organisation: fields.text('organisation'),
      group: fields.text('group'),
      contact: fields.text('contact'),
      keyId: fields.text('keyId'),
      justification: fields.text('justification'),
      url: fields.text('url'),
    };
    try {
      // Single-line fields reach the team's pages and the decision mail: one line each.
      const keyId = fields.line('keyId', 'the key id').trim();
      await desk.requestToJoin({
        organisation: fields.line('organisation', 'the organisation'),
        group: fields.line('group', 'the group'),
        contact: fields.line('contact', 'the contact address'),
        ...(keyId === '' ? {} : { keyId }),
        justification: fields.text('justification'),
        url: fields.line('url', 'the URL'),
      });
    } catch (error) {
      if (!isRefusal(error)) throw error;
      return sendHtml(reply, renderJoinForm({ project, flash: { kind: 'error', text: error.message } }, config, { csrfToken: reply.generateCsrf(), values }), 400);
    }
    return sendHtml(reply, renderJoinThanks({ project }, config));
  });
}
