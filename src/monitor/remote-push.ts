import { VigilError, type VigilErrorCode } from '../core/errors.js';
import { visibleText } from '../core/visible-text.js';
import { readDependencyFile } from '../inventory/read-file.js';
import { buildInventory, type TypedFile } from '../inventory/build-inventory.js';
import path from 'node:path';

// A push to a monitor server: the same files a local push reads, found and read here as
// `vigil audit` finds them, sent to the server's JSON API (POST /api/v1/monitor/push), which
// audits them and stores the ref. Nothing here prints; the CLI does. No message names the token.

/** One file as the push body carries it (see the server's PushFile schema). */
export interface RemotePushFile {
  /** Relative to the project folder, `/` separators. */
  readonly name: string;
  readonly base64: string;
  /** The parser that read it here: the server reads it as the same format. */
  readonly format?: string;
  /** Read only because another file points at it. */
  readonly related?: true;
}

/** What a remote push sends. */
export interface RemotePushRequest {
  readonly project: string;
  readonly ref: string;
  readonly files: readonly RemotePushFile[];
  readonly policy?: string;
}

/** What the files of a push are, as for a local push. */
export interface RemotePushInput {
  readonly paths: readonly string[];
  /** The project folder: every file sent must be below it. */
  readonly root: string;
  readonly typedFiles?: readonly TypedFile[];
  readonly exclude?: readonly string[];
}

/** The server's answer to a push (see the server's PushAnswer schema). */
export interface RemotePushAnswer {
  readonly project: string;
  readonly ref: string;
  readonly failed: boolean;
  /** `vigil audit`'s exit status for the pushed inventory: 0 or 1. */
  readonly exitCode: number;
  readonly counts: { readonly packages: number; readonly findings: number; readonly blocking: number; readonly unevaluable: number };
  readonly changes: { readonly created: number; readonly reopened: number; readonly fixed: number };
  /** The vigil JSON report. */
  readonly report: Readonly<Record<string, unknown>>;
}

/** The largest answer read from a server (a report of many thousand packages fits). */
const MAX_ANSWER_BYTES = 256 * 1024 * 1024;

/** How long a push may take, end to end. */
const DEFAULT_TIMEOUT_MS = 300_000;

/**
 * The files to send: every dependency file the local push would read (found as `vigil audit`
 * finds them, each parsed here so a broken file fails before anything is sent) with the format
 * that read it, and the files they pointed at.
 * @throws the inventory's errors, as `vigil audit`; UsageError for a file outside `root`.
 */
export async function collectPushFiles(input: RemotePushInput): Promise<RemotePushFile[]> {
  const root = path.resolve(input.root);
  const inventory = await buildInventory({
    paths: input.paths,
    root,
    ...(input.typedFiles === undefined ? {} : { typedFiles: input.typedFiles }),
    ...(input.exclude === undefined ? {} : { exclude: input.exclude }),
  });
  const files: RemotePushFile[] = [];
  const seen = new Set<string>();
  const add = async (shown: string, extra: { format?: string; related?: true }): Promise<void> => {
    if (seen.has(shown)) return;
    seen.add(shown);
    const absolute = path.resolve(root, shown);
    const relative = path.relative(root, absolute);
    if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
      throw new VigilError('usage', `monitor push: ${visibleText(shown)} is outside the project folder ${visibleText(root)}`, {
        hint: 'run the push from the folder that holds every file it sends (the server stores paths relative to it)',
      });
    }
    const file = await readDependencyFile(root, absolute);
    files.push({ name: relative.split(path.sep).join('/'), base64: Buffer.from(file.text, 'utf8').toString('base64'), ...extra });
  };
  for (const source of inventory.sources) await add(source.path, { format: source.format });
  for (const source of inventory.sources) {
    for (const related of source.related) await add(related, { related: true });
  }
  return files;
}

/** The server as messages name it: scheme, host and port, never a user, password, path or query. */
export function serverName(server: URL): string {
  return server.origin;
}

/**
 * The monitor server's URL: http or https only, without credentials in it.
 * @throws VigilError (usage) for anything else.
 */
export function parseServerUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new VigilError('usage', 'monitor push: --server is not a URL', { hint: 'e.g. --server https://desk.example.org' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new VigilError('usage', `monitor push: --server must be an http or https URL, not ${visibleText(url.protocol.slice(0, 20))}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new VigilError('usage', 'monitor push: --server must not carry a user or password', { hint: 'give the token with --token or $VIGIL_MONITOR_TOKEN' });
  }
  return url;
}

/** Options of `sendPush`. */
export interface SendPushOptions {
  readonly server: URL;
  readonly token: string;
  readonly request: RemotePushRequest;
  /** Default 5 minutes. */
  readonly timeoutMs?: number;
}

/**
 * Sends a push and returns the server's answer.
 * @throws VigilError: `advisory-data` (exit 3) when the server cannot be reached, times out,
 *   is rate-limiting or fails (5xx) or answers something that is no push answer; the kind the
 *   server names for an audit error (config, input, advisory-data, nothing-to-audit); `config`
 *   for a refused token (401), `refused` for a forbidden push (403) or a refusal, `usage` for a
 *   request it calls malformed.
 */
export async function sendPush(options: SendPushOptions): Promise<RemotePushAnswer> {
  const name = serverName(options.server);
  const base = options.server.href.endsWith('/') ? options.server.href : `${options.server.href}/`;
  const url = new URL('api/v1/monitor/push', base);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${options.token}` },
      body: JSON.stringify(options.request),
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (error) {
    throw new VigilError('advisory-data', `monitor push: cannot reach the monitor server ${name}: ${connectionProblem(error)}`, { cause: error });
  }
  const text = await readBounded(response, name);
  const body = parseJson(text);
  if (response.ok) {
    if (!isPushAnswer(body)) throw new VigilError('advisory-data', `monitor push: the monitor server ${name} answered something that is not a push answer`);
    return body;
  }
  throw answerError(response, body, name);
}

function connectionProblem(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'no answer in time';
  const cause = error instanceof Error ? (error.cause as NodeJS.ErrnoException | undefined) : undefined;
  const code = cause?.code;
  if (typeof code === 'string') return code;
  return 'the connection failed';
}

async function readBounded(response: Response, name: string): Promise<string> {
  const reader = (response.body as ReadableStream<Uint8Array> | null)?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_ANSWER_BYTES) {
        await reader.cancel();
        throw new VigilError('advisory-data', `monitor push: the answer of the monitor server ${name} is larger than ${MAX_ANSWER_BYTES / (1024 * 1024)} MiB`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof VigilError) throw error;
    throw new VigilError('advisory-data', `monitor push: the monitor server ${name} broke off its answer: ${connectionProblem(error)}`, { cause: error });
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPushAnswer(value: unknown): value is RemotePushAnswer {
  return (
    isRecord(value) &&
    typeof value['failed'] === 'boolean' &&
    (value['exitCode'] === 0 || value['exitCode'] === 1) &&
    isRecord(value['counts']) &&
    isRecord(value['changes']) &&
    isRecord(value['report']) &&
    typeof value['report']['schemaVersion'] === 'string' &&
    Array.isArray(value['report']['findings'])
  );
}

/** Kinds of error the server may name for a push's audit, passed on as they are. */
const AUDIT_KINDS: readonly VigilErrorCode[] = ['config', 'input', 'advisory-data', 'nothing-to-audit'];

function answerError(response: Response, body: unknown, name: string): VigilError {
  const error = isRecord(body) && isRecord(body['error']) ? body['error'] : {};
  const code = typeof error['code'] === 'string' ? error['code'] : '';
  // The server's words are input: shown visibly and cut short.
  const said = typeof error['message'] === 'string' ? visibleText(error['message'].slice(0, 500)) : `HTTP ${response.status}`;
  const hint = typeof error['hint'] === 'string' ? { hint: visibleText(error['hint'].slice(0, 500)) } : {};
  const prefix = `monitor push: the monitor server ${name}`;
  const kind = AUDIT_KINDS.find((candidate) => candidate === code);
  if (response.status === 422 && kind !== undefined) return new VigilError(kind, `${prefix} could not audit the push: ${said}`, hint);
  switch (response.status) {
    case 400:
    case 413:
    case 415:
      return new VigilError('usage', `${prefix} refused the request: ${said}`, hint);
    case 401:
      return new VigilError('config', `${prefix} refused the token: ${said}`, { hint: 'check --token or $VIGIL_MONITOR_TOKEN (vigil desk token list on the server)' });
    case 403:
      return new VigilError('refused', `${prefix} refused the push: ${said}`, hint);
    case 404:
      return new VigilError('advisory-data', `${prefix} has no monitor API (HTTP 404)`, { hint: 'is the monitor mounted on that server?' });
    case 422:
      return new VigilError('refused', `${prefix} refused the push: ${said}`, hint);
    case 429:
      return new VigilError('advisory-data', `${prefix} is rate-limiting (retry after ${visibleText(response.headers.get('retry-after') ?? '?')} seconds)`);
    default:
      return new VigilError('advisory-data', `${prefix} failed (HTTP ${response.status}): ${said}`);
  }
}
