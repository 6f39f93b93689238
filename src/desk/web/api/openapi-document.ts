import { z } from 'zod';
import { InternalError } from '../../../core/errors.js';
import type { ApiErrorStatus } from '../../../web/api/api-errors.js';
import type { ApiRoute, ResponseSpec } from './api-route.js';
import { API_SCHEMAS } from './api-schemas.js';

/** A JSON Schema (2020-12, OpenAPI 3.1's dialect) or a `$ref` to one of the components. */
export type JsonSchemaObject = Readonly<Record<string, unknown>>;

/** An OpenAPI 3.1 media type object: the schema of one content type. */
export interface OpenApiMediaType {
  /** The schema, usually a `$ref` to a component. */
  readonly schema: JsonSchemaObject;
}

/** An OpenAPI 3.1 response object. */
export interface OpenApiResponse {
  /** For people. */
  readonly description: string;
  /** Headers worth documenting (`WWW-Authenticate`). */
  readonly headers?: Readonly<Record<string, { readonly description: string; readonly schema: JsonSchemaObject }>>;
  /** Media type to schema; absent for an answer without a body. */
  readonly content?: Readonly<Record<string, OpenApiMediaType>>;
}

/** An OpenAPI 3.1 parameter object (path or query). */
export interface OpenApiParameter {
  /** The parameter's name. */
  readonly name: string;
  /** Where it is. */
  readonly in: 'path' | 'query';
  /** Always true for a path parameter. */
  readonly required: boolean;
  /** For people. */
  readonly description?: string;
  /** Its JSON Schema. */
  readonly schema: JsonSchemaObject;
}

/** An OpenAPI 3.1 operation object, with the roles a token needs as `x-vigil-roles`. */
export interface OpenApiOperation {
  /** Unique in the document. */
  readonly operationId: string;
  /** One line. */
  readonly summary: string;
  /** More, when there is more to say. */
  readonly description?: string;
  /** One tag per operation. */
  readonly tags: readonly string[];
  /** Path parameters and query parameters. */
  readonly parameters?: readonly OpenApiParameter[];
  /** The JSON body, for operations that take one. */
  readonly requestBody?: { readonly required: boolean; readonly content: Readonly<Record<string, OpenApiMediaType>> };
  /** Status code to response, success and errors. */
  readonly responses: Readonly<Record<string, OpenApiResponse>>;
  /** `[]` for a public route; else the document's default (a bearer token). */
  readonly security?: readonly Readonly<Record<string, readonly string[]>>[];
  /** The roles whose tokens may call the operation. */
  readonly 'x-vigil-roles'?: readonly string[];
}

/** The OpenAPI 3.1 document of the desk API. */
export interface OpenApiDocument {
  /** The OpenAPI version. */
  readonly openapi: '3.1.1';
  /** Title, API version and an introduction. */
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  /** OpenAPI 3.1's base dialect (JSON Schema 2020-12 with OpenAPI's vocabulary). */
  readonly jsonSchemaDialect: string;
  /** The prefix the API is mounted at. */
  readonly servers: readonly { readonly url: string }[];
  /** By default, a bearer token. */
  readonly security: readonly Readonly<Record<string, readonly string[]>>[];
  /** The operations' tags. */
  readonly tags: readonly { readonly name: string }[];
  /** Path (OpenAPI form, `/reports/{id}`) to lower-case method to operation. */
  readonly paths: Readonly<Record<string, Readonly<Record<string, OpenApiOperation>>>>;
  /** Named schemas (from `API_SCHEMAS`) and the bearer scheme. */
  readonly components: {
    readonly schemas: Readonly<Record<string, JsonSchemaObject>>;
    readonly securitySchemes: Readonly<Record<string, JsonSchemaObject>>;
  };
}

const SCHEMA_REF = '#/components/schemas/';
const BEARER = 'bearerAuth';

const ERROR_DESCRIPTIONS: Readonly<Record<ApiErrorStatus, string>> = {
  400: 'A malformed request: the error names the field.',
  401: 'No token, or an unknown or revoked one.',
  403: 'The token\'s role may not do this.',
  404: 'No such report, entry or request.',
  409: 'Someone else changed the record first; read it again and retry.',
  413: 'The body is too large.',
  415: 'The body is not JSON.',
  422: 'The desk refused: the message names the rule.',
  429: 'Too many requests from this address; Retry-After says how many seconds to wait.',
  500: 'A bug in vigil; the server log has the details.',
};

/** `/reports/:id` as OpenAPI writes it: `/reports/{id}`. */
export function openApiPath(fastifyPath: string): string {
  return fastifyPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

/**
 * The OpenAPI 3.1 document of `routes`, served below `prefix`. Every schema in it is generated
 * from the zod schemas the handlers parse with (`API_SCHEMAS`), in JSON Schema 2020-12, which is
 * OpenAPI 3.1's own dialect.
 */
export function buildOpenApiDocument(routes: readonly ApiRoute[], prefix = '/api/v1'): OpenApiDocument {
  const paths: Record<string, Record<string, OpenApiOperation>> = {};
  const operationIds = new Set<string>();
  for (const route of routes) {
    if (operationIds.has(route.operationId)) throw new InternalError(`two API routes have the operation id ${route.operationId}`);
    operationIds.add(route.operationId);
    const path = openApiPath(route.path);
    const methods = (paths[path] ??= {});
    const method = route.method.toLowerCase();
    if (method in methods) throw new InternalError(`two API routes are ${route.method} ${route.path}`);
    methods[method] = operation(route);
  }
  return {
    openapi: '3.1.1',
    info: {
      title: 'vigil disclosure desk API',
      version: '1.0.0',
      description:
        'Automation access to the disclosure desk. Every operation but this document needs `Authorization: Bearer <token>`, ' +
        'a token made by `vigil desk token create NAME --role ROLE`; `x-vigil-roles` lists the roles allowed. ' +
        'Errors are `{ "error": { "code", "message" } }`.',
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    servers: [{ url: prefix }],
    security: [{ [BEARER]: [] }],
    tags: [...new Set(routes.map((route) => route.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        [BEARER]: { type: 'http', scheme: 'bearer', description: '32 random bytes, base64url; the desk keeps only their SHA-256.' },
      },
    },
  };
}

function operation(route: ApiRoute): OpenApiOperation {
  const parameters = [...parametersOf(route, 'path'), ...parametersOf(route, 'query')];
  const needsToken = route.access !== 'public';
  // Every route is rate-limited per client address, so every route may answer 429.
  const errorStatuses = [...new Set<ApiErrorStatus>([...route.errors, ...(needsToken ? [401, 403] as const : []), 429])].sort((a, b) => a - b);
  const responses: Record<string, OpenApiResponse> = { [String(route.response.status)]: successResponse(route, route.response) };
  for (const status of errorStatuses) {
    responses[String(status)] = {
      description: ERROR_DESCRIPTIONS[status],
      ...(status === 401
        ? { headers: { 'WWW-Authenticate': { description: 'Bearer challenge (RFC 6750).', schema: { type: 'string' } } } }
        : {}),
      ...(status === 429 ? { headers: { 'Retry-After': { description: 'Seconds to wait (RFC 9110, section 10.2.3).', schema: { type: 'integer' } } } } : {}),
      content: { 'application/json': { schema: schemaRef(API_ERROR_SCHEMA_ID) } },
    };
  }
  const roles = route.access === 'public' ? undefined : [...route.access];
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description === undefined ? {} : { description: route.description }),
    tags: [route.tag],
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(route.body === undefined
      ? {}
      : { requestBody: { required: true, content: { 'application/json': { schema: registeredRef(route.body, route, 'body') } } } }),
    responses,
    ...(roles === undefined ? { security: [] } : { 'x-vigil-roles': roles }),
  };
}

const API_ERROR_SCHEMA_ID = 'ApiError';

function successResponse(route: ApiRoute, response: ResponseSpec): OpenApiResponse {
  switch (response.kind) {
    case 'json':
      return { description: response.description, content: { 'application/json': { schema: registeredRef(response.schema, route, 'response') } } };
    case 'text': {
      const content: Record<string, OpenApiMediaType> = {};
      for (const [type, schema] of Object.entries(response.content)) {
        content[type] = { schema: schema === undefined ? { type: 'string' } : registeredRef(schema, route, 'response') };
      }
      return { description: response.description, content };
    }
    case 'empty':
      return { description: response.description };
  }
}

function parametersOf(route: ApiRoute, where: 'path' | 'query'): OpenApiParameter[] {
  const schema = where === 'path' ? route.params : route.query;
  const names = where === 'path' ? [...route.path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1] ?? '') : [];
  if (schema === undefined) {
    if (names.length > 0) throw new InternalError(`API route ${route.operationId} has path parameters but no schema for them`);
    return [];
  }
  const json = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  const properties = isRecord(json['properties']) ? json['properties'] : {};
  const required = Array.isArray(json['required']) ? json['required'] : [];
  const declared = Object.keys(properties);
  if (where === 'path' && (declared.length !== names.length || names.some((name) => !declared.includes(name)))) {
    throw new InternalError(`API route ${route.operationId}: the path parameters (${names.join(', ')}) and their schema (${declared.join(', ')}) differ`);
  }
  return Object.entries(properties).map(([name, value]) => {
    const property = isRecord(value) ? value : {};
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || required.includes(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

function registeredRef(schema: z.ZodType, route: ApiRoute, part: string): JsonSchemaObject {
  const id = API_SCHEMAS.get(schema)?.id;
  if (id === undefined) throw new InternalError(`API route ${route.operationId}: its ${part} schema is not registered in API_SCHEMAS`);
  return schemaRef(id);
}

function schemaRef(id: string): JsonSchemaObject {
  return { $ref: `${SCHEMA_REF}${id}` };
}

/** Every named schema, as components; the `$schema` and `$id` zod writes are the document's business. */
function componentSchemas(): Record<string, JsonSchemaObject> {
  const generated = z.toJSONSchema(API_SCHEMAS, { io: 'input', uri: (id) => `${SCHEMA_REF}${id}` });
  const schemas: Record<string, JsonSchemaObject> = {};
  for (const [id, schema] of Object.entries(generated.schemas)) {
    schemas[id] = Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema' && key !== '$id'));
  }
  return schemas;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
