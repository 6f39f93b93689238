import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { systemClock, type Clock } from '../../../core/clock.js';
import type { Desk } from '../../desk.js';
import type { Actor } from '../../types.js';
import { ApiRequestError, errorReply } from '../../../web/api/api-errors.js';
import type { ApiRoute, TextBody } from './api-route.js';
import { API_ROUTES } from './api-routes.js';
import { apiTokenActor, apiTokenStore, DESK_TOKEN_SCOPE, type ApiTokenStore } from './api-token-store.js';

/** Options of `deskApiPlugin`. */
export interface DeskApiOptions {
  /** The desk the API serves; its store must come from `openDeskStore` (the tokens live there too). */
  readonly desk: Desk;
  /** Clock for the tokens' last use; the system clock by default. */
  readonly clock?: Clock;
}

/** The realm of the bearer challenge (RFC 6750, section 3). */
const REALM = 'vigil desk API';

/**
 * The desk's JSON API for automation, to be registered with a prefix:
 * `app.register(deskApiPlugin, { desk, prefix: '/api/v1' })`. Every route but `/openapi.json`
 * needs `Authorization: Bearer <token>` (see `vigil desk token`), and a role the route allows.
 * Bodies are JSON only; errors are `{ error: { code, message } }`; nothing is cached. It uses no
 * session and no cookie, so the console's CSRF protection must leave the prefix alone.
 */
export const deskApiPlugin: FastifyPluginAsync<DeskApiOptions> = (app, options) => {
  const { desk } = options;
  const tokens = apiTokenStore(desk.store, options.clock ?? systemClock);
  const actors = new WeakMap<FastifyRequest, Actor>();
  const prefix = app.prefix;

  // JSON only, in this plugin's scope: the console's form and multipart parsers do not reach the
  // API, so no browser form can post to it.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  app.addHook('onRequest', async (_request, reply) => {
    // Answers carry embargoed details: no cache may keep them.
    reply.header('cache-control', 'no-store');
  });

  app.setErrorHandler(async (error, request, reply) => {
    const answer = errorReply(error);
    if (answer.status >= 500) request.log.error({ err: error }, 'desk API request failed');
    return reply.code(answer.status).headers(answer.headers ?? {}).send(answer.body);
  });

  app.setNotFoundHandler(async (request, reply) =>
    reply.code(404).send({ error: { code: 'not-found', message: `no API route ${request.method} ${request.url.split('?')[0] ?? ''}` } }),
  );

  for (const route of API_ROUTES) {
    app.route({
      method: route.method,
      url: route.path,
      // Only what the OpenAPI document describes: no implicit HEAD twin of each GET.
      exposeHeadRoute: false,
      onRequest: async (request) => {
        const actor = await authenticate(route, request, tokens);
        if (actor !== undefined) actors.set(request, actor);
      },
      handler: async (request, reply) => {
        const result = await route.run({
          desk,
          actor: actors.get(request),
          prefix,
          params: request.params,
          query: request.query,
          body: request.body,
        });
        return send(route, reply, result);
      },
    });
  }
  return Promise.resolve();
};

async function authenticate(route: ApiRoute, request: FastifyRequest, tokens: ApiTokenStore): Promise<Actor | undefined> {
  if (route.access === 'public') return undefined;
  const header = request.headers.authorization;
  if (header === undefined || header.trim() === '') {
    throw unauthorized('this API needs a token: send "Authorization: Bearer <token>" (vigil desk token create)', undefined);
  }
  const match = /^Bearer +(\S+)$/i.exec(header.trim());
  if (match?.[1] === undefined) throw unauthorized('the Authorization header is not "Bearer <token>"', 'invalid_request');
  const token = await tokens.verify(match[1]);
  // Unknown and revoked tokens get the same answer: it must not tell which names exist.
  if (token === undefined) throw unauthorized('unknown or revoked token', 'invalid_token');
  // A token limited to a part of the desk opens no route of the whole API (none is issued yet).
  if (token.scope !== DESK_TOKEN_SCOPE) {
    throw new ApiRequestError(403, 'forbidden', `token "${token.name}" is limited to ${token.scope}; ${route.method} ${route.path} needs a ${DESK_TOKEN_SCOPE} token`);
  }
  if (!route.access.includes(token.role)) {
    throw new ApiRequestError(
      403,
      'forbidden',
      `token "${token.name}" has the role ${token.role}; ${route.method} ${route.path} needs ${route.access.join(' or ')}`,
    );
  }
  return apiTokenActor(token);
}

function unauthorized(message: string, reason: 'invalid_request' | 'invalid_token' | undefined): ApiRequestError {
  const challenge = `Bearer realm="${REALM}"${reason === undefined ? '' : `, error="${reason}"`}`;
  return new ApiRequestError(401, 'unauthorized', message, { headers: { 'www-authenticate': challenge } });
}

async function send(route: ApiRoute, reply: FastifyReply, result: unknown): Promise<FastifyReply> {
  switch (route.response.kind) {
    case 'json':
      return reply.code(route.response.status).type('application/json; charset=utf-8').send(result);
    case 'text': {
      if (!isTextBody(result)) throw new TypeError(`route ${route.operationId} returned no text body`);
      return reply.code(route.response.status).type(result.contentType).send(result.body);
    }
    case 'empty':
      return reply.code(route.response.status).send();
  }
}

function isTextBody(value: unknown): value is TextBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    'contentType' in value &&
    typeof value.contentType === 'string' &&
    'body' in value &&
    typeof value.body === 'string'
  );
}
