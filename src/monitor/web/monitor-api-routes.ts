import type { z } from 'zod';
import type { ApiErrorStatus } from '../../web/api/api-errors.js';
import type { RateLimit } from '../../web/create-web-server.js';
import { invalidRequest, type RequestPart } from '../../web/api/api-errors.js';
import type { MonitorPrincipal, MonitorRight } from './monitor-access.js';

/** HTTP methods the monitor API uses. */
export type MonitorApiMethod = 'GET' | 'POST' | 'DELETE';

/** What a handler gets: the caller and the request parts parsed by the route's schemas. */
export interface MonitorRouteInput {
  /** The caller; undefined on the public route (the OpenAPI document). */
  readonly principal: MonitorPrincipal | undefined;
  readonly params: unknown;
  readonly query: unknown;
  readonly body: unknown;
}

/** One route of the monitor API, as the plugin and the OpenAPI document read it. */
export interface MonitorApiRoute {
  /** Unique, for the OpenAPI document. */
  readonly operationId: string;
  readonly method: MonitorApiMethod;
  /** Fastify form, below the prefix: `/findings/:id/acknowledge`. */
  readonly path: string;
  /** One line for the OpenAPI document. */
  readonly summary: string;
  /** More for the OpenAPI document. */
  readonly description?: string;
  /** The right a token needs (its role), or `public`. */
  readonly right: MonitorRight | 'public';
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  /** The largest body, bytes (the plugin's default otherwise). */
  readonly bodyLimit?: number;
  /** A stricter rate limit than the server's global one. */
  readonly rateLimit?: RateLimit;
  /** The answer: a JSON body of a registered schema, or none (204). */
  readonly response: { readonly status: 200 | 204; readonly description: string; readonly schema?: z.ZodType };
  /** Error statuses besides 401/403/429. */
  readonly errors: readonly ApiErrorStatus[];
  /** Does the work; the plugin has checked the token and its role. */
  run(input: MonitorRouteInput): Promise<unknown>;
}

/** Parses one part of a request with its schema; a bad value is a 400 naming the field. */
export function parseRequestPart<S extends z.ZodType>(part: RequestPart, schema: S, value: unknown): z.output<S> {
  // Fastify hands an absent query string or body over as undefined or an empty object alike.
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw invalidRequest(part, parsed.error);
  return parsed.data;
}
