import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Clock } from '../../../../src/core/clock.js';
import { Desk } from '../../../../src/desk/desk.js';
import type { Role } from '../../../../src/desk/types.js';
import { apiTokenStore, type ApiTokenStore } from '../../../../src/desk/web/api/api-token-store.js';
import { deskApiPlugin } from '../../../../src/desk/web/api/desk-api-plugin.js';
import type { OpenApiDocument, OpenApiOperation } from '../../../../src/desk/web/api/openapi-document.js';
import type { DeskStoreBackend, DeskStoreDatabase } from '../../../helpers/desk-store-backends.js';
import { djangoLikeConfig } from '../../desk-fixtures.js';

export const PREFIX = '/api/v1';

/** A clock the test moves by hand. */
export function movableClock(start: string): Clock & { set(iso: string): void } {
  let now = new Date(start);
  return { now: () => new Date(now), set: (iso) => (now = new Date(iso)) };
}

/** One answer of the API, as a test reads it. */
export interface ApiAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | number | undefined>>;
  /** The raw body. */
  readonly text: string;
  /** The body parsed as JSON, typed by the caller (like light-my-request's own `json<T>()`). */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller's view of a JSON body
  json<T>(): T;
}

/** What `call` sends. */
export interface CallOptions {
  /** Bearer token; none sends no Authorization header. */
  readonly token?: string;
  /** JSON body (an object) or raw text (with `headers['content-type']`). */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** The route is not in the OpenAPI document on purpose (an unknown path): skip the check. */
  readonly undocumented?: boolean;
}

/** The error body every refusal has. */
export interface ErrorAnswer {
  readonly error: { readonly code: string; readonly message: string; readonly field?: string; readonly hint?: string };
}

/** A desk on a fresh database, its API mounted on a Fastify app, and one token per role. */
export interface ApiTestApp {
  readonly database: DeskStoreDatabase;
  readonly desk: Desk;
  readonly clock: ReturnType<typeof movableClock>;
  readonly app: FastifyInstance;
  readonly tokens: ApiTokenStore;
  /** A token of each role, named after it (`admin-bot`, `responder-bot`, `observer-bot`). */
  readonly secrets: Readonly<Record<Role, string>>;
  /** The OpenAPI document the app serves. */
  readonly document: OpenApiDocument;
  /**
   * Calls the API (`path` below the prefix) and checks the answer against the OpenAPI document:
   * the operation lists the status, and a JSON body validates against the documented schema.
   */
  call(method: 'GET' | 'POST' | 'DELETE', path: string, options?: CallOptions): Promise<ApiAnswer>;
  close(): Promise<void>;
}

/** Starts a desk API test app on a backend. */
export async function startApiTestApp(backend: DeskStoreBackend): Promise<ApiTestApp> {
  const database = await backend.create();
  const clock = movableClock('2025-06-02T15:00:00Z');
  const desk = new Desk({ store: database.store, config: djangoLikeConfig(), clock });
  const tokens = apiTokenStore(database.store, clock);
  const system = { kind: 'system', id: 'system' } as const;
  const secrets: Record<Role, string> = {
    admin: (await tokens.create({ name: 'admin-bot', role: 'admin' }, system)).secret,
    responder: (await tokens.create({ name: 'responder-bot', role: 'responder' }, system)).secret,
    observer: (await tokens.create({ name: 'observer-bot', role: 'observer' }, system)).secret,
  };
  const app = Fastify();
  await app.register(deskApiPlugin, { desk, clock, prefix: PREFIX });
  await app.ready();
  const document = (await app.inject({ method: 'GET', url: `${PREFIX}/openapi.json` })).json<OpenApiDocument>();
  const validator = documentValidator(document);

  return {
    database,
    desk,
    clock,
    app,
    tokens,
    secrets,
    document,
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }), ...options.headers };
      const payload = options.body === undefined ? {} : { payload: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) };
      if (options.body !== undefined && typeof options.body !== 'string') headers['content-type'] ??= 'application/json';
      const response = await app.inject({ method, url: `${PREFIX}${path}`, headers, ...payload });
      const answer: ApiAnswer = {
        status: response.statusCode,
        headers: response.headers,
        text: response.body,
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- see ApiAnswer.json
        json: <T>() => JSON.parse(response.body) as T,
      };
      if (!options.undocumented) validator.check(method, path, answer);
      return answer;
    },
    async close() {
      await app.close();
      await database.dispose();
    },
  };
}

/** Checks answers against the document's responses, with its component schemas compiled by ajv (2020-12). */
export function documentValidator(document: OpenApiDocument): {
  check(method: string, path: string, answer: ApiAnswer): void;
  /** The compiled schema of a `$ref` or inline schema of the document. */
  compile(schema: Readonly<Record<string, unknown>>): ValidateFunction;
} {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats.default(ajv);
  // The components under one id, with their refs pointed at it.
  const refsRewritten = JSON.parse(JSON.stringify(document.components.schemas).replaceAll('"#/components/schemas/', '"urn:vigil:api#/$defs/')) as Record<string, unknown>;
  ajv.addSchema({ $id: 'urn:vigil:api', $defs: refsRewritten });
  const compiled = new Map<string, ValidateFunction>();
  const compile = (schema: Readonly<Record<string, unknown>>): ValidateFunction => {
    const key = JSON.stringify(schema);
    let validate = compiled.get(key);
    if (validate === undefined) {
      validate = ajv.compile(JSON.parse(key.replaceAll('"#/components/schemas/', '"urn:vigil:api#/$defs/')) as object);
      compiled.set(key, validate);
    }
    return validate;
  };
  return {
    compile,
    check(method, path, answer) {
      const operation = findOperation(document, method, path.split('?')[0] ?? path);
      if (operation === undefined) throw new Error(`${method} ${path} is not in the OpenAPI document`);
      const response = operation.responses[String(answer.status)];
      if (response === undefined) {
        throw new Error(`${method} ${path} answered ${answer.status}, which ${operation.operationId} does not document: ${answer.text}`);
      }
      if (response.content === undefined) {
        if (answer.text !== '') throw new Error(`${method} ${path} answered ${answer.status} with a body the document does not describe`);
        return;
      }
      const contentType = String(answer.headers['content-type'] ?? '');
      const mediaType = Object.keys(response.content).find((type) => type.split(';')[0] === contentType.split(';')[0]);
      if (mediaType === undefined) throw new Error(`${method} ${path} answered ${contentType}, not one of ${Object.keys(response.content).join(', ')}`);
      if (!mediaType.startsWith('application/json')) return;
      const validate = compile(response.content[mediaType]?.schema ?? {});
      if (!validate(answer.json<unknown>())) {
        throw new Error(`${method} ${path} ${answer.status}: the body does not match the document: ${ajv.errorsText(validate.errors)}\n${answer.text}`);
      }
    },
  };
}

/** The operation of the document that serves `method path` (a concrete path, below the prefix). */
export function findOperation(document: OpenApiDocument, method: string, path: string): OpenApiOperation | undefined {
  for (const [template, operations] of Object.entries(document.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (pattern.test(path)) {
      const operation = operations[method.toLowerCase()];
      if (operation !== undefined) return operation;
    }
  }
  return undefined;
}
