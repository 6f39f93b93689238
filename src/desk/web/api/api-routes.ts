import type { Role } from '../../types.js';
import { defineRoute, type ApiRoute } from './api-route.js';
import {
  BackportsResponseSchema,
  DeskReportSchema,
  FixRequestSchema,
  IdParamsSchema,
  InboxResponseSchema,
  JoinDecisionRequestSchema,
  JoinRequestSchema,
  JoinRequestsResponseSchema,
  MessageRequestSchema,
  NotifyEntryRequestSchema,
  NotifyEntryResponseSchema,
  NotifyListResponseSchema,
  OnDateQuerySchema,
  OpenApiDocumentSchema,
  OsvDocumentSchema,
  ReportDocumentParamsSchema,
  ReportMessageResponseSchema,
  ReportParamsSchema,
  SubmitReportRequestSchema,
  SubmittedReportSchema,
  SupportedResponseSchema,
  TransitionRequestSchema,
} from './api-schemas.js';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi-document.js';

/** Every role: reading is open to observers. */
const READERS: readonly Role[] = ['admin', 'responder', 'observer'];
/** Roles that change reports. */
const WRITERS: readonly Role[] = ['admin', 'responder'];
/** Managing the notification list, deciding join requests, exporting the audit log. */
const ADMINS: readonly Role[] = ['admin'];

const MARKDOWN = 'text/markdown; charset=utf-8';
const NDJSON = 'application/x-ndjson';

/** The desk's JSON API, below `/api/v1`: the plugin registers these and the OpenAPI document describes them. */
export const API_ROUTES: readonly ApiRoute[] = [
  defineRoute({
    operationId: 'listReports',
    method: 'GET',
    path: '/reports',
    tag: 'reports',
    summary: 'The inbox: every report with its SLA clocks, most urgent first',
    description: 'No embargoed detail: titles, states, severity levels and clocks only.',
    access: READERS,
    response: { kind: 'json', status: 200, description: 'The inbox.', schema: InboxResponseSchema },
    errors: [],
    handle: async ({ desk, actor }) => ({ items: await desk.inbox(actor) }),
  }),
  defineRoute({
    operationId: 'submitReport',
    method: 'POST',
    path: '/reports',
    tag: 'reports',
    summary: 'Submit a report (e.g. forwarded from another intake)',
    description: 'Answers with the reporter\'s tracking token, which is stored only as a hash and never shown again.',
    access: WRITERS,
    body: SubmitReportRequestSchema,
    response: { kind: 'json', status: 201, description: 'The report was stored.', schema: SubmittedReportSchema },
    errors: [400, 413, 415],
    handle: async ({ desk, actor, body }) => {
      const { report, trackingToken } = await desk.submitReport(body, actor);
      return { id: report.id, state: report.state, trackingToken };
    },
  }),
  defineRoute({
    operationId: 'getReport',
    method: 'GET',
    path: '/reports/:id',
    tag: 'reports',
    summary: 'A report with its embargoed details',
    description: 'While the embargo lasts, the desk writes every read to the audit log.',
    access: READERS,
    params: ReportParamsSchema,
    response: { kind: 'json', status: 200, description: 'The report.', schema: DeskReportSchema },
    errors: [400, 404],
    handle: async ({ desk, actor, params }) => desk.readReport(params.id, actor, 'api'),
  }),
  defineRoute({
    operationId: 'transitionReport',
    method: 'POST',
    path: '/reports/:id/transitions',
    tag: 'reports',
    summary: 'Apply a lifecycle action (acknowledge, triage, accept, reject, start-fix, schedule-disclosure, pre-notify, disclose)',
    description: 'The desk checks every rule of the lifecycle; a refusal is a 422 naming the rule, a report moved by someone else meanwhile a 409.',
    access: WRITERS,
    params: ReportParamsSchema,
    body: TransitionRequestSchema,
    response: { kind: 'json', status: 200, description: 'The report as it now stands.', schema: DeskReportSchema },
    errors: [400, 404, 409, 413, 415, 422],
    handle: async ({ desk, actor, params, body }) => desk.act(params.id, body.action, actor, body.note),
  }),
  defineRoute({
    operationId: 'recordFix',
    method: 'POST',
    path: '/reports/:id/fixes',
    tag: 'reports',
    summary: 'Record the fix of one affected series',
    access: WRITERS,
    params: ReportParamsSchema,
    body: FixRequestSchema,
    response: { kind: 'json', status: 200, description: 'The report as it now stands.', schema: DeskReportSchema },
    errors: [400, 404, 413, 415, 422],
    handle: async ({ desk, actor, params, body }) => desk.recordFix(params.id, body, actor),
  }),
  defineRoute({
    operationId: 'addMessage',
    method: 'POST',
    path: '/reports/:id/messages',
    tag: 'reports',
    summary: 'Write to the reporter; the message is kept on the report',
    access: WRITERS,
    params: ReportParamsSchema,
    body: MessageRequestSchema,
    response: { kind: 'json', status: 201, description: 'The message as kept.', schema: ReportMessageResponseSchema },
    errors: [400, 404, 413, 415, 422],
    handle: async ({ desk, actor, params, body }) => desk.addTeamMessage(params.id, body.body, actor),
  }),
  defineRoute({
    operationId: 'getBackports',
    method: 'GET',
    path: '/reports/:id/backports',
    tag: 'reports',
    summary: 'The backport matrix of a report: each series not affected, affected, fixed, or past end of support',
    description: 'Only an accepted report has one (422 before).',
    access: READERS,
    params: ReportParamsSchema,
    query: OnDateQuerySchema,
    response: { kind: 'json', status: 200, description: 'The matrix, newest series first.', schema: BackportsResponseSchema },
    errors: [400, 404, 422],
    handle: async ({ desk, actor, params, query }) => {
      const on = query.on ?? desk.today();
      return { on, items: await desk.backports(params.id, actor, on) };
    },
  }),
  defineRoute({
    operationId: 'getDocument',
    method: 'GET',
    path: '/reports/:id/documents/:kind',
    tag: 'reports',
    summary: 'A document generated from a report',
    description:
      'osv: the OSV advisory record (JSON); advisory, announcement, pre-announcement, private-notification, checklist: Markdown. ' +
      'Reading one is logged like any embargoed read; a document whose facts are not recorded yet is a 422.',
    access: READERS,
    params: ReportDocumentParamsSchema,
    response: {
      kind: 'text',
      status: 200,
      description: 'The document.',
      content: { 'application/json': OsvDocumentSchema, [MARKDOWN]: undefined },
    },
    errors: [400, 404, 422],
    handle: async ({ desk, actor, params }) => ({
      contentType: params.kind === 'osv' ? 'application/json' : MARKDOWN,
      body: await desk.document(params.id, params.kind, actor),
    }),
  }),
  defineRoute({
    operationId: 'getSupported',
    method: 'GET',
    path: '/supported',
    tag: 'releases',
    summary: 'The lines supported on a date: the main branch, the two latest series, LTS series until their end',
    access: READERS,
    query: OnDateQuerySchema,
    response: { kind: 'json', status: 200, description: 'The supported lines.', schema: SupportedResponseSchema },
    errors: [400],
    handle: ({ desk, query }) => {
      const on = query.on ?? desk.today();
      return Promise.resolve({ on, items: desk.supported(on) });
    },
  }),
  defineRoute({
    operationId: 'listNotifyEntries',
    method: 'GET',
    path: '/notify-list',
    tag: 'notification list',
    summary: 'The vetted pre-notification list',
    access: READERS,
    response: { kind: 'json', status: 200, description: 'The entries.', schema: NotifyListResponseSchema },
    errors: [],
    handle: async ({ desk, actor }) => ({ items: await desk.notifyEntries(actor) }),
  }),
  defineRoute({
    operationId: 'addNotifyEntry',
    method: 'POST',
    path: '/notify-list',
    tag: 'notification list',
    summary: 'Add a vetted entry to the pre-notification list',
    description: 'The contact must be a private security address: a public mailing list is refused (422).',
    access: ADMINS,
    body: NotifyEntryRequestSchema,
    response: { kind: 'json', status: 201, description: 'The entry as stored.', schema: NotifyEntryResponseSchema },
    errors: [400, 413, 415, 422],
    handle: async ({ desk, actor, body }) => desk.addNotifyEntry(body, actor),
  }),
  defineRoute({
    operationId: 'removeNotifyEntry',
    method: 'DELETE',
    path: '/notify-list/:id',
    tag: 'notification list',
    summary: 'Remove an entry from the pre-notification list',
    access: ADMINS,
    params: IdParamsSchema,
    response: { kind: 'empty', status: 204, description: 'The entry is gone.' },
    errors: [400, 404],
    handle: async ({ desk, actor, params }) => {
      await desk.removeNotifyEntry(params.id, actor);
      return undefined;
    },
  }),
  defineRoute({
    operationId: 'listJoinRequests',
    method: 'GET',
    path: '/join-requests',
    tag: 'notification list',
    summary: 'Requests to join the list with their decision clocks, most urgent first',
    access: READERS,
    response: { kind: 'json', status: 200, description: 'The requests.', schema: JoinRequestsResponseSchema },
    errors: [],
    handle: async ({ desk, actor }) => ({ items: await desk.joinRequests(actor) }),
  }),
  defineRoute({
    operationId: 'decideJoinRequest',
    method: 'POST',
    path: '/join-requests/:id/decision',
    tag: 'notification list',
    summary: 'Approve (adding the entry to the list) or decline a join request, with a reason',
    access: ADMINS,
    params: IdParamsSchema,
    body: JoinDecisionRequestSchema,
    response: { kind: 'json', status: 200, description: 'The request with its decision.', schema: JoinRequestSchema },
    errors: [400, 404, 409, 413, 415, 422],
    handle: async ({ desk, actor, params, body }) => desk.decideJoinRequest(params.id, body.outcome, body.reason, actor),
  }),
  defineRoute({
    operationId: 'exportAudit',
    method: 'GET',
    path: '/audit',
    tag: 'audit',
    summary: 'The audit log as JSON lines, oldest first',
    description: 'Every change and every read of embargoed details; the export itself is logged.',
    access: ADMINS,
    response: { kind: 'text', status: 200, description: 'One JSON event per line.', content: { [NDJSON]: undefined } },
    errors: [],
    handle: async ({ desk, actor }) => ({ contentType: NDJSON, body: await desk.exportAudit(actor) }),
  }),
  defineRoute({
    operationId: 'getOpenApiDocument',
    method: 'GET',
    path: '/openapi.json',
    tag: 'meta',
    summary: 'This OpenAPI 3.1 document',
    access: 'public',
    response: { kind: 'json', status: 200, description: 'The document.', schema: OpenApiDocumentSchema },
    errors: [],
    handle: ({ prefix }) => Promise.resolve(openApiDocument(prefix)),
  }),
];

const documents = new Map<string, OpenApiDocument>();

/** The OpenAPI document of `API_ROUTES` mounted at `prefix`, built once per prefix. */
export function openApiDocument(prefix: string): OpenApiDocument {
  let document = documents.get(prefix);
  if (document === undefined) {
    document = buildOpenApiDocument(API_ROUTES, prefix);
    documents.set(prefix, document);
  }
  return document;
}
