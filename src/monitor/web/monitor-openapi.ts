import { z } from 'zod';
import { InternalError } from '../../core/errors.js';
import type { ApiErrorStatus } from '../../web/api/api-errors.js';
import { RIGHT_ROLES } from './monitor-access.js';
import type { MonitorApiRoute } from './monitor-api-routes.js';
import { MONITOR_API_SCHEMAS } from './monitor-api-schemas.js';

// The OpenAPI 3.1 document of the monitor API, in the desk API's form: schemas generated from
// the zod schemas the handlers parse with, `x-vigil-roles` on every operation that needs a token.

type Json = Readonly<Record<string, unknown>>;

const SCHEMA_REF = '#/components/schemas/';
const BEARER = 'bearerAuth';

const ERROR_DESCRIPTIONS: Readonly<Record<ApiErrorStatus, string>> = {
  400: 'A malformed request: the error names the field.',
  401: 'No token, or an unknown or revoked one.',
  403: "The token's role may not do this, or the token is limited to another project.",
  404: 'No such project, ref or finding.',
  409: 'Someone else changed the record first; read it again and retry.',
  413: 'The body is too large.',
  415: 'The body is not JSON.',
  422: 'Refused: a rule of the monitor, or the pushed files or policy could not be audited (the code is the kind: config, input, advisory-data, nothing-to-audit).',
  429: 'Too many requests from this address; Retry-After says how many seconds to wait.',
  500: 'A bug in vigil; the server log has the details.',
};

/** `/findings/:id` as OpenAPI writes it: `/findings/{id}`. */
export function openApiPathOf(fastifyPath: string): string {
  return fastifyPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

/** The document of `routes`, served at `serverUrl`. */
export function buildMonitorOpenApi(routes: readonly MonitorApiRoute[], serverUrl: string): Json {
  const paths: Record<string, Record<string, Json>> = {};
  const ids = new Set<string>();
  for (const route of routes) {
    if (ids.has(route.operationId)) throw new InternalError(`two monitor API routes have the operation id ${route.operationId}`);
    ids.add(route.operationId);
    const methods = (paths[openApiPathOf(route.path)] ??= {});
    methods[route.method.toLowerCase()] = operation(route);
  }
  const generated = z.toJSONSchema(MONITOR_API_SCHEMAS, { io: 'input', uri: (id) => `${SCHEMA_REF}${id}` });
  const schemas: Record<string, Json> = {};
  for (const [id, schema] of Object.entries(generated.schemas)) {
    schemas[id] = Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema' && key !== '$id'));
  }
  return {
    openapi: '3.1.1',
    info: {
      title: 'vigil portfolio monitor API',
      version: '1.0.0',
      description:
        'Pushes of tracked refs and the portfolio queries. Every operation but this document needs `Authorization: Bearer <token>`, a token made by ' +
        '`vigil desk token create NAME --role ROLE --scope monitor` (every project) or `--scope monitor:project:NAME` (one project); ' +
        '`x-vigil-roles` lists the roles allowed. Errors are `{ "error": { "code", "message" } }`.',
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    servers: [{ url: serverUrl }],
    security: [{ [BEARER]: [] }],
    tags: [{ name: 'monitor' }],
    paths,
    components: {
      schemas,
      securitySchemes: { [BEARER]: { type: 'http', scheme: 'bearer', description: '32 random bytes, base64url; the server keeps only their SHA-256.' } },
    },
  };
}

function operation(route: MonitorApiRoute): Json {
  const parameters = [...parametersOf(route, 'path'), ...parametersOf(route, 'query')];
  const needsToken = route.right !== 'public';
  const statuses = [...new Set<ApiErrorStatus>([...route.errors, ...(needsToken ? ([401, 403] as const) : []), 429])].sort((a, b) => a - b);
  const responses: Record<string, Json> = {
    [String(route.response.status)]: {
      description: route.response.description,
      ...(route.response.status === 204 ? {} : { content: { 'application/json': { schema: route.response.schema === undefined ? { type: 'object' } : registeredRef(route.response.schema, route) } } }),
    },
  };
  for (const status of statuses) {
    responses[String(status)] = {
      description: ERROR_DESCRIPTIONS[status],
      ...(status === 401 ? { headers: { 'WWW-Authenticate': { description: 'Bearer challenge (RFC 6750).', schema: { type: 'string' } } } } : {}),
      ...(status === 429 ? { headers: { 'Retry-After': { description: 'Seconds to wait (RFC 9110, section 10.2.3).', schema: { type: 'integer' } } } } : {}),
      content: { 'application/json': { schema: { $ref: `${SCHEMA_REF}ApiError` } } },
    };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description === undefined ? {} : { description: route.description }),
    tags: ['monitor'],
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(route.body === undefined ? {} : { requestBody: { required: true, content: { 'application/json': { schema: registeredRef(route.body, route) } } } }),
    responses,
    ...(route.right === 'public' ? { security: [] } : { 'x-vigil-roles': [...RIGHT_ROLES[route.right]] }),
  };
}

function parametersOf(route: MonitorApiRoute, where: 'path' | 'query'): Json[] {
  const schema = where === 'path' ? route.params : route.query;
  if (schema === undefined) return [];
  const json = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  const properties = (json['properties'] ?? {}) as Record<string, Record<string, unknown>>;
  const required = Array.isArray(json['required']) ? (json['required'] as string[]) : [];
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return { name, in: where, required: where === 'path' || required.includes(name), ...(typeof description === 'string' ? { description } : {}), schema: rest };
  });
}

function registeredRef(schema: z.ZodType, route: MonitorApiRoute): Json {
  const id = MONITOR_API_SCHEMAS.get(schema)?.id;
  if (id === undefined) throw new InternalError(`monitor API route ${route.operationId}: its schema is not registered`);
  return { $ref: `${SCHEMA_REF}${id}` };
}
