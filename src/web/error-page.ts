import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { VigilError } from '../core/errors.js';
import { visibleText } from '../core/visible-text.js';

/** What an error page says: its status, title and one sentence. */
export interface DescribedError {
  /** The HTTP status. */
  readonly status: number;
  /** The page title. */
  readonly title: string;
  /** One sentence for the visitor; never a stack trace or an internal message. */
  readonly message: string;
}

/** Renders the HTML of an error page (the service that hosts the server draws it in its layout). */
export type ErrorPageRenderer = (error: { readonly title: string; readonly message: string }) => string;

/** The sentence of a fault of the server (5xx) when the host gives none. */
export const DEFAULT_FAULT_MESSAGE = 'The server could not do this. The error was logged.';

/** Requests of the site whose body was being read (multipart is read in a preValidation hook). */
export const readingBody = new WeakSet<FastifyRequest>();

/**
 * Status, title and sentence of the error page for an error: 4xx for the client's faults with a
 * short reason, 500 with `faultMessage` for anything else.
 */
export function describeError(error: FastifyError | VigilError | Error, request: FastifyRequest, faultMessage: string = DEFAULT_FAULT_MESSAGE): DescribedError {
  const fault: DescribedError = { status: 500, title: 'Something went wrong', message: faultMessage };
  if (error instanceof VigilError) {
    switch (error.code) {
      case 'not-found':
        return { status: 404, title: 'Not found', message: error.message };
      case 'refused':
        return { status: 409, title: 'Refused', message: error.message };
      case 'usage':
        return { status: 400, title: 'Please check the form', message: error.message };
      default:
        return fault;
    }
  }
  const code = 'code' in error ? error.code : undefined;
  const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : undefined;
  if (code === 'FST_CSRF_MISSING_SECRET' || code === 'FST_CSRF_INVALID_TOKEN') {
    return { status: 403, title: 'Form expired', message: 'This form has expired or did not come from this site. Go back, reload the page and send it again.' };
  }
  if (status === 429) return { status, title: 'Too many requests', message: 'Too many requests from your address. Please wait and try again later.' };
  if (status === 413 || code === 'FST_REQ_FILE_TOO_LARGE' || code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
    return { status: 413, title: 'Too large', message: 'The upload is too large or has too many files. Nothing was stored.' };
  }
  if (status !== undefined && status >= 400 && status < 500) return { status, title: 'Bad request', message: 'The request could not be read.' };
  // The multipart reader (busboy) throws plain errors for a body without a boundary, without the
  // closing one, or of garbage: the client's fault, not the server's.
  if (status === undefined && readingBody.has(request)) {
    return { status: 400, title: 'Bad request', message: 'The form could not be read (a malformed multipart body). Nothing was stored.' };
  }
  return fault;
}

/**
 * The HTML error page for any error. Only faults of the server (5xx) are logged as errors; a
 * client's bad request is one line at info level, so that nobody can fill the error log.
 */
export function sendErrorPage(
  request: FastifyRequest,
  reply: FastifyReply,
  error: FastifyError | Error,
  render: ErrorPageRenderer,
  faultMessage: string = DEFAULT_FAULT_MESSAGE,
): FastifyReply {
  const described = describeError(error, request, faultMessage);
  if (described.status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ statusCode: described.status, reason: visibleText(error.message).slice(0, 200) }, 'request refused');
  return reply.code(described.status).type('text/html; charset=utf-8').send(render(described));
}
