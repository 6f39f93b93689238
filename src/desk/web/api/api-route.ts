import type { z } from 'zod';
import type { Desk } from '../../desk.js';
import type { Actor, Role } from '../../types.js';
import { invalidRequest, type ApiErrorStatus, type RequestPart } from '../../../web/api/api-errors.js';

/** HTTP methods the API uses. */
export type ApiMethod = 'GET' | 'POST' | 'DELETE';

/** Who may call a route: anyone (`public`), or a token with one of the roles. */
export type RouteAccess = 'public' | readonly Role[];

/** A JSON answer described by a zod schema of `API_SCHEMAS`. */
export interface JsonResponseSpec<S extends z.ZodType = z.ZodType> {
  /** A JSON body. */
  readonly kind: 'json';
  /** 200, or 201 for a creation. */
  readonly status: 200 | 201;
  /** For the OpenAPI document. */
  readonly description: string;
  /** The body's schema; registered in `API_SCHEMAS`, so that the document can name it. */
  readonly schema: S;
}

/** A text answer (Markdown, JSON lines, a JSON document the desk rendered) in one of several types. */
export interface TextResponseSpec {
  /** A text body of one of the `content` types. */
  readonly kind: 'text';
  /** Always 200. */
  readonly status: 200;
  /** For the OpenAPI document. */
  readonly description: string;
  /** Media types the answer may have, each with the schema of its content when it is JSON. */
  readonly content: Readonly<Record<string, z.ZodType | undefined>>;
}

/** An answer without a body. */
export interface EmptyResponseSpec {
  /** No body. */
  readonly kind: 'empty';
  /** Always 204. */
  readonly status: 204;
  /** For the OpenAPI document. */
  readonly description: string;
}

/** What a route answers when it succeeds. */
export type ResponseSpec = JsonResponseSpec | TextResponseSpec | EmptyResponseSpec;

/** The body of a text answer and its media type (one of the route's `content` types). */
export interface TextBody {
  /** The `Content-Type` of the answer. */
  readonly contentType: string;
  /** The text. */
  readonly body: string;
}

/** Deeply readonly, so that the desk's readonly data satisfies a schema's (mutable) output type. */
export type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** What a handler returns for a response spec. */
export type HandlerOutput<R extends ResponseSpec> =
  R extends JsonResponseSpec<infer S> ? DeepReadonly<z.output<S>> : R extends TextResponseSpec ? TextBody : undefined;

/** What a handler gets: the desk, the caller, and the request parts parsed by the route's schemas. */
export interface RouteContext<P, Q, B, A extends RouteAccess> {
  /** The desk the API serves. */
  readonly desk: Desk;
  /** The token's actor; none on a public route. */
  readonly actor: A extends 'public' ? undefined : Actor;
  /** Where the API is mounted (`/api/v1`), for the OpenAPI document's server URL. */
  readonly prefix: string;
  /** Path parameters, parsed. */
  readonly params: P;
  /** Query string, parsed. */
  readonly query: Q;
  /** JSON body, parsed. */
  readonly body: B;
}

/** A route as written in the route table, with the types its schemas give. */
export interface RouteDefinition<
  P extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  B extends z.ZodType | undefined,
  R extends ResponseSpec,
  A extends RouteAccess,
> {
  /** Unique, for the OpenAPI document and client generators. */
  readonly operationId: string;
  /** The HTTP method. */
  readonly method: ApiMethod;
  /** Fastify form, below the prefix: `/reports/:id`. */
  readonly path: string;
  /** One line for the OpenAPI document. */
  readonly summary: string;
  /** More for the OpenAPI document. */
  readonly description?: string;
  /** OpenAPI tag. */
  readonly tag: string;
  /** Who may call it. */
  readonly access: A;
  /** Path parameters. */
  readonly params?: P;
  /** Query string. */
  readonly query?: Q;
  /** JSON request body. */
  readonly body?: B;
  /** What it answers when it succeeds. */
  readonly response: R;
  /** Error statuses the route answers with, besides 401/403 (added for every route that needs a token). */
  readonly errors: readonly ApiErrorStatus[];
  /** Does the work; the plugin has checked the token and the role. */
  readonly handle: (context: RouteContext<Parsed<P>, Parsed<Q>, Parsed<B>, A>) => Promise<HandlerOutput<R>>;
}

type Parsed<S extends z.ZodType | undefined> = S extends z.ZodType ? z.output<S> : undefined;

/** What the plugin hands a route: the raw request parts and the caller. */
export interface RouteInput {
  /** The desk the API serves. */
  readonly desk: Desk;
  /** The token's actor; undefined on a public route. */
  readonly actor: Actor | undefined;
  /** Where the API is mounted. */
  readonly prefix: string;
  /** Fastify's `request.params`. */
  readonly params: unknown;
  /** Fastify's `request.query`. */
  readonly query: unknown;
  /** Fastify's `request.body`. */
  readonly body: unknown;
}

/** A route of the table with its types erased, as the plugin and the OpenAPI builder use it. */
export interface ApiRoute {
  /** Unique, for the OpenAPI document. */
  readonly operationId: string;
  /** The HTTP method. */
  readonly method: ApiMethod;
  /** Fastify form, below the prefix: `/reports/:id`. */
  readonly path: string;
  /** One line for the OpenAPI document. */
  readonly summary: string;
  /** More for the OpenAPI document. */
  readonly description?: string;
  /** OpenAPI tag. */
  readonly tag: string;
  /** Who may call it. */
  readonly access: RouteAccess;
  /** Schema of the path parameters. */
  readonly params?: z.ZodType;
  /** Schema of the query string. */
  readonly query?: z.ZodType;
  /** Schema of the JSON body. */
  readonly body?: z.ZodType;
  /** What it answers when it succeeds. */
  readonly response: ResponseSpec;
  /** Error statuses besides 401/403. */
  readonly errors: readonly ApiErrorStatus[];
  /** Parses the request parts (a bad one is a 400 naming the field) and runs the handler. */
  run(input: RouteInput): Promise<unknown>;
}

/** Checks a route's handler against its schemas and erases the types for the route table. */
export function defineRoute<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  const R extends ResponseSpec = ResponseSpec,
  const A extends RouteAccess = RouteAccess,
>(definition: RouteDefinition<P, Q, B, R, A>): ApiRoute {
  const { handle, ...described } = definition;
  return {
    ...described,
    async run(input) {
      const params = parsePart('path', definition.params, input.params);
      const query = parsePart('query', definition.query, input.query);
      const body = parsePart('body', definition.body, input.body);
      if (definition.access !== 'public' && input.actor === undefined) {
        throw new TypeError(`route ${definition.operationId} needs an actor`);
      }
      // The checks above give exactly the context type the handler was checked against.
      const context = { desk: input.desk, actor: input.actor, prefix: input.prefix, params, query, body } as RouteContext<Parsed<P>, Parsed<Q>, Parsed<B>, A>;
      return handle(context);
    },
  };
}

function parsePart(part: RequestPart, schema: z.ZodType | undefined, value: unknown): unknown {
  if (schema === undefined) return undefined;
  // Fastify hands an absent query string or body over as undefined or an empty object alike.
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw invalidRequest(part, parsed.error);
  return parsed.data;
}
