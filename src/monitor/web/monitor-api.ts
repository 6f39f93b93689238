import type { FastifyInstance, FastifyRequest } from 'fastify';
import { VigilError, type VigilErrorCode } from '../../core/errors.js';
import type { Actor } from '../../desk/types.js';
import { buildReport } from '../../report/report.js';
import { ApiRequestError, errorReply, type ApiErrorReply } from '../../web/api/api-errors.js';
import { rateLimited } from '../../web/create-web-server.js';
import { pushRef } from '../push.js';
import { acknowledgeFinding, portfolioOverview, refFindings, refHistory, refsAffectedBy, refsWithPackage } from '../queries.js';
import { requireAccess, tokenPrincipal, visibleTo, type MonitorPrincipal } from './monitor-access.js';
import { parseRequestPart, type MonitorApiRoute } from './monitor-api-routes.js';
import {
  AffectedQuerySchema,
  DeletedSchema,
  FindingListSchema,
  FindingParamsSchema,
  HistorySchema,
  MAX_OTHER_BODY_BYTES,
  PackageQuerySchema,
  PackageRefsSchema,
  ProjectQuerySchema,
  PushAnswerSchema,
  PushRequestSchema,
  RefQuerySchema,
  StatusSchema,
  type PushAnswer,
} from './monitor-api-schemas.js';
import type { MonitorWebContext } from './monitor-web-context.js';
import { buildMonitorOpenApi } from './monitor-openapi.js';
import { deleteRefs, findingOwner } from './manage-refs.js';
import { writePushFiles } from './push-files.js';
import { monitorToolVersion } from './tool-version.js';

/** Where the API is mounted, beside the site. */
export const MONITOR_API_PREFIX = '/api/v1/monitor';

/** The realm of the bearer challenge (RFC 6750, section 3). */
const REALM = 'vigil monitor API';

/** Errors of the audit a push runs, answered 422 with the error's kind as the code (the CLI maps it to `vigil audit`'s exit status). */
const AUDIT_ERROR_CODES: readonly VigilErrorCode[] = ['config', 'input', 'advisory-data', 'nothing-to-audit'];

/** The desk's answer for an error, and for a push's audit errors 422 with the kind and the place (`poetry.lock:42: ...`). */
export function monitorErrorReply(error: unknown): ApiErrorReply {
  if (error instanceof VigilError && AUDIT_ERROR_CODES.includes(error.code)) {
    const where = error.location === undefined ? '' : `${error.location.file}${error.location.line === undefined ? '' : `:${error.location.line}`}: `;
    return { status: 422, body: { error: { code: error.code, message: `${where}${error.message}`, ...(error.hint === undefined ? {} : { hint: error.hint }) } } };
  }
  return errorReply(error);
}

function need(principal: MonitorPrincipal | undefined): MonitorPrincipal {
  // The plugin authenticates every route but the public one before it runs.
  if (principal === undefined) throw new ApiRequestError(401, 'unauthorized', 'this API needs a token');
  return principal;
}

/** The monitor API's routes over a context. */
export function monitorApiRoutes(context: MonitorWebContext): MonitorApiRoute[] {
  const { monitor, clock } = context;
  const routes: MonitorApiRoute[] = [
    {
      operationId: 'push',
      method: 'POST',
      path: '/push',
      summary: "Replace a ref's inventory and policy, and get its findings",
      description:
        'The files vigil audit reads (lockfiles, manifests they point at, a CycloneDX SBOM), as text or base64, and the vigil.yaml of the ref. ' +
        'The answer is the report vigil audit would print and the exit status it would give.',
      right: 'push',
      body: PushRequestSchema,
      bodyLimit: context.maxPushBytes,
      rateLimit: context.pushRateLimit,
      response: { status: 200, description: 'The audit of the pushed inventory under its policy.', schema: PushAnswerSchema },
      errors: [400, 413, 415, 422],
      async run(input) {
        const principal = need(input.principal);
        const body = parseRequestPart('body', PushRequestSchema, input.body);
        requireAccess(principal, 'push', body.project);
        const written = await writePushFiles(body.files);
        try {
          const outcome = await pushRef({
            monitor,
            project: body.project,
            ref: body.ref,
            input: written.input,
            ...(body.policy === undefined ? {} : { policyText: body.policy }),
            openStore: context.openStore,
            clock,
            notify: context.notifyOnPush,
            actor: principal.actor,
          });
          const report = buildReport(outcome.result, outcome.gate, outcome.policy, monitorToolVersion());
          const answer: PushAnswer = {
            project: body.project,
            ref: body.ref,
            failed: outcome.failed,
            exitCode: outcome.failed ? 1 : 0,
            counts: {
              packages: report.summary.packages,
              findings: report.summary.findings,
              blocking: report.summary.blocking,
              unevaluable: report.summary.unevaluable,
            },
            changes: outcome.changes,
            // The server's store path is none of the pusher's business.
            report: { ...report, database: { ...report.database, path: 'monitor server' } },
          };
          return answer;
        } finally {
          await written.dispose();
        }
      },
    },
    {
      operationId: 'portfolioStatus',
      method: 'GET',
      path: '/status',
      summary: 'Every ref: open findings per severity, excepted, overdue, unevaluable, expiring exceptions',
      right: 'read',
      response: { status: 200, description: 'The refs the token may see, by project and ref.', schema: StatusSchema },
      errors: [],
      async run(input) {
        const principal = need(input.principal);
        requireAccess(principal, 'read');
        return { refs: visibleTo(principal, await portfolioOverview(monitor, clock)) };
      },
    },
    {
      operationId: 'affectedBy',
      method: 'GET',
      path: '/affected',
      summary: 'The open findings of an advisory, by any of its ids or aliases',
      right: 'read',
      query: AffectedQuerySchema,
      response: { status: 200, description: 'Open findings of the refs the token may see.', schema: FindingListSchema },
      errors: [400],
      async run(input) {
        const principal = need(input.principal);
        requireAccess(principal, 'read');
        const query = parseRequestPart('query', AffectedQuerySchema, input.query);
        return { findings: visibleTo(principal, await refsAffectedBy(monitor, query.id)) };
      },
    },
    {
      operationId: 'refsWithPackage',
      method: 'GET',
      path: '/packages',
      summary: 'The refs holding a package, at a version when given',
      right: 'read',
      query: PackageQuerySchema,
      response: { status: 200, description: 'Refs the token may see.', schema: PackageRefsSchema },
      errors: [400],
      async run(input) {
        const principal = need(input.principal);
        requireAccess(principal, 'read');
        const query = parseRequestPart('query', PackageQuerySchema, input.query);
        return { refs: visibleTo(principal, await refsWithPackage(monitor, query.ecosystem, query.name, query.version)) };
      },
    },
    {
      operationId: 'refFindings',
      method: 'GET',
      path: '/refs/findings',
      summary: 'The findings of a ref, open ones first',
      right: 'read',
      query: RefQuerySchema,
      response: { status: 200, description: 'Every finding of the ref, closed ones too.', schema: FindingListSchema },
      errors: [400, 404],
      async run(input) {
        const principal = need(input.principal);
        const query = parseRequestPart('query', RefQuerySchema, input.query);
        requireAccess(principal, 'read', query.project);
        return { findings: await refFindings(monitor, query.project, query.ref) };
      },
    },
    {
      operationId: 'refHistory',
      method: 'GET',
      path: '/refs/history',
      summary: "A ref's pushes and finding state changes, with who did them, oldest first",
      right: 'read',
      query: RefQuerySchema,
      response: { status: 200, description: 'The history of the ref.', schema: HistorySchema },
      errors: [400, 404],
      async run(input) {
        const principal = need(input.principal);
        const query = parseRequestPart('query', RefQuerySchema, input.query);
        requireAccess(principal, 'read', query.project);
        return { events: await refHistory(monitor, query.project, query.ref) };
      },
    },
    {
      operationId: 'acknowledgeFinding',
      method: 'POST',
      path: '/findings/:id/acknowledge',
      summary: 'Mark a new finding acknowledged (someone is on it)',
      right: 'acknowledge',
      params: FindingParamsSchema,
      response: { status: 204, description: 'Acknowledged (or it was already).' },
      errors: [400, 404, 422],
      async run(input) {
        const principal = need(input.principal);
        requireAccess(principal, 'acknowledge');
        const params = parseRequestPart('path', FindingParamsSchema, input.params);
        const owner = await findingOwner(monitor, params.id);
        // A token held to another project is told nothing more of the finding than a 403.
        requireAccess(principal, 'acknowledge', owner.project);
        await acknowledgeFinding(monitor, params.id, clock, principal.actor);
        return undefined;
      },
    },
    {
      operationId: 'deleteRef',
      method: 'DELETE',
      path: '/refs',
      summary: 'Delete a ref with its inventory, findings and history',
      description: 'Written to the desk audit log (action monitor.delete), since the ref history goes with the ref.',
      right: 'manage',
      query: RefQuerySchema,
      response: { status: 200, description: 'What was deleted.', schema: DeletedSchema },
      errors: [400, 404],
      async run(input) {
        const principal = need(input.principal);
        const query = parseRequestPart('query', RefQuerySchema, input.query);
        requireAccess(principal, 'manage', query.project);
        return deleteLogged(context, principal, query.project, query.ref);
      },
    },
    {
      operationId: 'deleteProject',
      method: 'DELETE',
      path: '/projects',
      summary: 'Delete a project with all its refs',
      description: 'Written to the desk audit log (action monitor.delete).',
      right: 'manage',
      query: ProjectQuerySchema,
      response: { status: 200, description: 'What was deleted.', schema: DeletedSchema },
      errors: [400, 404],
      async run(input) {
        const principal = need(input.principal);
        const query = parseRequestPart('query', ProjectQuerySchema, input.query);
        requireAccess(principal, 'manage', query.project);
        return deleteLogged(context, principal, query.project, undefined);
      },
    },
  ];
  return routes;
}

/** Deletes refs and writes the desk audit line: the monitor's own history of them is gone with them. */
async function deleteLogged(context: MonitorWebContext, principal: MonitorPrincipal, project: string, ref: string | undefined): Promise<{ refs: readonly string[] }> {
  const deleted = await deleteRefs(context.monitor, project, ref);
  const actor: Actor = { kind: 'team', id: principal.actor.replace(/^user:/, ''), role: principal.role };
  await context.desk.store.appendAudit({
    at: context.clock.now().toISOString(),
    actor,
    action: 'monitor.delete',
    subject: ref === undefined ? `monitor-project:${project}` : `monitor-ref:${project}@${ref}`,
    detail: { refs: [...deleted.refs] },
  });
  return { refs: deleted.refs };
}

/** The OpenAPI document's route. */
function documentRoute(routes: readonly MonitorApiRoute[], serverUrl: string): MonitorApiRoute {
  let document: unknown;
  const route: MonitorApiRoute = {
    operationId: 'openApiDocument',
    method: 'GET',
    path: '/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document',
    right: 'public',
    response: { status: 200, description: 'The OpenAPI document.' },
    errors: [],
    run() {
      document ??= buildMonitorOpenApi([...routes, route], serverUrl);
      return Promise.resolve(document);
    },
  };
  return route;
}

/**
 * The monitor's JSON API, registered beside the site with its prefix (`MONITOR_API_PREFIX`):
 * bearer tokens of the monitor's scopes, JSON bodies only, bounded, errors as the desk API's
 * `{ error: { code, message } }`, nothing cached.
 */
export async function registerMonitorApi(app: FastifyInstance, context: MonitorWebContext): Promise<void> {
  await app.register(
    (api, _options, done) => {
      const principals = new WeakMap<FastifyRequest, MonitorPrincipal>();
      api.removeAllContentTypeParsers();
      api.addContentTypeParser('application/json', { parseAs: 'string' }, api.getDefaultJsonParser('error', 'error'));
      api.addHook('onRequest', async (_request, reply) => {
        reply.header('cache-control', 'no-store');
      });
      api.setErrorHandler(async (error, request, reply) => {
        const answer = monitorErrorReply(error);
        if (answer.status >= 500) request.log.error({ err: error }, 'monitor API request failed');
        return reply.code(answer.status).headers(answer.headers ?? {}).send(answer.body);
      });
      api.setNotFoundHandler(async (request, reply) =>
        reply.code(404).send({ error: { code: 'not-found', message: `no API route ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)}` } }),
      );
      const routes = monitorApiRoutes(context);
      const serverUrl = `${context.publicUrl ?? ''}${MONITOR_API_PREFIX}`;
      for (const route of [...routes, documentRoute(routes, serverUrl)]) {
        api.route({
          method: route.method,
          url: route.path,
          exposeHeadRoute: false,
          bodyLimit: route.bodyLimit ?? MAX_OTHER_BODY_BYTES,
          ...(route.rateLimit === undefined ? {} : rateLimited(route.rateLimit)),
          onRequest: async (request) => {
            if (route.right === 'public') return;
            const principal = await authenticate(request, context);
            // The role first, for every route; the handlers check the project.
            requireAccess(principal, route.right);
            principals.set(request, principal);
          },
          handler: async (request, reply) => {
            const result = await route.run({ principal: principals.get(request), params: request.params, query: request.query, body: request.body });
            if (route.response.status === 204) return reply.code(204).send();
            return reply.code(200).type('application/json; charset=utf-8').send(result);
          },
        });
      }
      done();
    },
    { prefix: MONITOR_API_PREFIX },
  );
}

async function authenticate(request: FastifyRequest, context: MonitorWebContext): Promise<MonitorPrincipal> {
  const header = request.headers.authorization;
  if (header === undefined || header.trim() === '') {
    throw unauthorized('this API needs a token: send "Authorization: Bearer <token>" (vigil desk token create NAME --role ROLE --scope monitor:project:NAME)', undefined);
  }
  const match = /^Bearer +(\S+)$/i.exec(header.trim());
  if (match?.[1] === undefined) throw unauthorized('the Authorization header is not "Bearer <token>"', 'invalid_request');
  const token = await context.tokens.verify(match[1]);
  // Unknown, revoked and other services' tokens get the same answer: it must not tell which exist.
  if (token === undefined) throw unauthorized('unknown or revoked token', 'invalid_token');
  return tokenPrincipal(token);
}

function unauthorized(message: string, reason: 'invalid_request' | 'invalid_token' | undefined): ApiRequestError {
  const challenge = `Bearer realm="${REALM}"${reason === undefined ? '' : `, error="${reason}"`}`;
  return new ApiRequestError(401, 'unauthorized', message, { headers: { 'www-authenticate': challenge } });
}
