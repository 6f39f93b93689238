import type { z } from 'zod';
import { DeskConflictError, DeskNotFoundError, DeskRuleError, UsageError, VigilError } from '../../core/errors.js';

/** Statuses the API answers with besides success. */
export const API_ERROR_STATUSES = [400, 401, 403, 404, 409, 413, 415, 422, 429, 500] as const;
export type ApiErrorStatus = (typeof API_ERROR_STATUSES)[number];

/** Where a bad value of a request was. */
export type RequestPart = 'path' | 'query' | 'body';

/** The body of every error answer: `{ error: { code, message } }`. */
export interface ApiErrorBody {
  /** What went wrong. */
  readonly error: {
    /** Stable and machine-readable (`invalid-request`, `unauthorized`, `refused`, ...). */
    readonly code: string;
    /** One line for people. */
    readonly message: string;
    /** For `invalid-request`: the offending field, `body.reporter.email`. */
    readonly field?: string;
    /** What to do about it, when vigil knows. */
    readonly hint?: string;
  };
}

/** An error answer with its status and any header it needs (`WWW-Authenticate`). */
export interface ApiErrorReply {
  /** The HTTP status. */
  readonly status: ApiErrorStatus;
  /** The JSON body. */
  readonly body: ApiErrorBody;
  /** Extra headers (`WWW-Authenticate` of a 401). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A request the API refuses before the desk sees it: no or a bad token, a role without the right, a bad field. */
export class ApiRequestError extends Error {
  /** The HTTP status. */
  readonly status: ApiErrorStatus;
  /** The `error.code` of the answer. */
  readonly code: string;
  /** The offending field, for a bad request. */
  readonly field: string | undefined;
  /** Headers of the answer. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: ApiErrorStatus,
    code: string,
    message: string,
    options: { readonly field?: string; readonly headers?: Readonly<Record<string, string>>; readonly cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiRequestError';
    this.status = status;
    this.code = code;
    this.field = options.field;
    this.headers = options.headers ?? {};
  }
}

/** A zod failure on one part of a request as a 400 naming the first offending field. */
export function invalidRequest(part: RequestPart, error: z.ZodError): ApiRequestError {
  const issue = error.issues[0];
  const field = [part, ...(issue?.path.map(String) ?? [])].join('.');
  return new ApiRequestError(400, 'invalid-request', `${field}: ${issue?.message ?? 'invalid'}`, { field, cause: error });
}

/** The part of a Fastify error the API reads: Fastify's own 4xx errors carry their status. */
interface HttpStatusError {
  readonly statusCode: number;
  readonly message: string;
}

function isHttpStatusError(error: unknown): error is HttpStatusError {
  return (
    error instanceof Error &&
    'statusCode' in error &&
    typeof error.statusCode === 'number' &&
    error.statusCode >= 400 &&
    error.statusCode < 500
  );
}

const FASTIFY_STATUSES: Readonly<Partial<Record<number, { status: ApiErrorStatus; code: string }>>> = {
  400: { status: 400, code: 'invalid-request' },
  413: { status: 413, code: 'payload-too-large' },
  415: { status: 415, code: 'unsupported-media-type' },
  // The rate limiter's refusal: it has set Retry-After on the reply already.
  429: { status: 429, code: 'rate-limited' },
};

/**
 * The answer for an error: vigil's errors by kind (a usage error is 400, a desk rule refusal 422,
 * a conflict 409, a missing record 404), the API's own refusals as they are, Fastify's 4xx errors
 * (bad JSON, wrong media type, body too large, too many requests) with their status, and anything
 * else a 500 that says nothing of the cause.
 */
export function errorReply(error: unknown): ApiErrorReply {
  if (error instanceof ApiRequestError) {
    return {
      status: error.status,
      body: { error: { code: error.code, message: error.message, ...(error.field === undefined ? {} : { field: error.field }) } },
      headers: error.headers,
    };
  }
  if (error instanceof VigilError) {
    const mapped = vigilStatus(error);
    if (mapped !== undefined) {
      return {
        status: mapped.status,
        body: { error: { code: mapped.code, message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) } },
      };
    }
  }
  if (isHttpStatusError(error)) {
    const mapped = FASTIFY_STATUSES[error.statusCode] ?? { status: 400, code: 'invalid-request' };
    const message = mapped.status === 415 ? 'the body must be JSON, sent as Content-Type: application/json' : error.message;
    return { status: mapped.status, body: { error: { code: mapped.code, message } } };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'internal error; the server log has the details' } } };
}

function vigilStatus(error: VigilError): { status: ApiErrorStatus; code: string } | undefined {
  // DeskConflictError first: it is a refusal too, but one a retry after a fresh read may pass.
  if (error instanceof DeskConflictError) return { status: 409, code: 'conflict' };
  if (error instanceof DeskRuleError) return { status: 422, code: 'refused' };
  if (error instanceof DeskNotFoundError) return { status: 404, code: 'not-found' };
  if (error instanceof UsageError) return { status: 400, code: 'invalid-request' };
  return undefined;
}
