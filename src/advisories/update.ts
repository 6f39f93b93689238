import type { Clock } from '../core/clock.js';
import { AdvisoryStoreError } from '../core/errors.js';
import { MAX_ADVISORY_ARCHIVE_BYTES, tooLargeMessage } from '../core/input-limits.js';
import { parseRecordBytes, recordFormatOf, type RejectedRecord } from './parse-record.js';
import type { OnProgress } from './progress.js';
import { messageOf } from './store/sqlite-store.js';
import { DEFAULT_LOCK_TIMEOUT_MS, holdsStoreLock, lockStore, type StoreLock, type StoreLockOptions } from './store/store-lock.js';
import { beginStoreWrite, splitEcosystem } from './store/store-writer.js';
import { forEachZipEntry, listZipEntries } from './zip.js';

/** The public OSV bucket; each ecosystem's records are at `${mirror}/${ecosystem}/all.zip`. */
export const DEFAULT_OSV_MIRROR = 'https://osv-vulnerabilities.storage.googleapis.com';

/** What a failed download's message ends with: the ways to fill the store without OSV's bucket. */
export const DOWNLOAD_FAILED_HINT =
  'without network access, fill the store from OSV records you have with "vigil db import PATH" (folders, files or all.zip), ' +
  'or download from a reachable mirror with --mirror URL (or VIGIL_OSV_MIRROR); see "Offline use" in the README';

/** The ecosystems vigil audits, downloaded when none are configured. */
export const DEFAULT_UPDATE_ECOSYSTEMS: readonly string[] = ['PyPI', 'npm'];

/** A mirror that sends nothing (no answer, no next byte) for this long has hung: the download ends. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

/** The longest one download may take, however steadily it trickles in. */
export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

export interface UpdateOptions {
  /** The store file; created when missing. */
  readonly storePath: string;
  /** Base URL of an OSV mirror; `DEFAULT_OSV_MIRROR` when omitted. */
  readonly mirror?: string;
  /** OSV ecosystem names as the mirror spells its folders; `DEFAULT_UPDATE_ECOSYSTEMS` when omitted. */
  readonly ecosystems?: readonly string[];
  readonly clock: Clock;
  /** Injected in tests; `globalThis.fetch` otherwise. */
  readonly fetch?: typeof globalThis.fetch;
  readonly onProgress?: OnProgress;
  /**
   * Milliseconds without any answer or byte from the mirror (connecting, waiting for the
   * headers, between two chunks) after which a download fails; `DEFAULT_IDLE_TIMEOUT_MS`.
   */
  readonly idleTimeoutMs?: number;
  /** Milliseconds one download may take in all; `DEFAULT_DOWNLOAD_TIMEOUT_MS`. */
  readonly timeoutMs?: number;
  /**
   * How long to wait for another writer of the store once the downloads are done;
   * `DEFAULT_LOCK_TIMEOUT_MS`. Not used when the caller already holds the store's lock.
   */
  readonly lockTimeoutMs?: number;
  /** Told once when another writer holds the store's lock, before waiting for it. */
  readonly onLockWait?: StoreLockOptions['onWait'];
}

/** The limits of one download. */
interface DownloadLimits {
  readonly idleMs: number;
  readonly totalMs: number;
}

export interface EcosystemUpdate {
  readonly ecosystem: string;
  /** The URL downloaded, also recorded as the ecosystem's source. */
  readonly url: string;
  /** Size of the zip downloaded. */
  readonly bytes: number;
  /** Valid records stored for this ecosystem (withdrawn ones included). */
  readonly records: number;
}

export interface UpdateResult {
  readonly ecosystems: readonly EcosystemUpdate[];
  /** Entries of the dumps that are not valid OSV records (`URL!/ENTRY.json`), and why. */
  readonly rejected: readonly RejectedRecord[];
}

interface Download {
  readonly ecosystem: string;
  readonly url: string;
  readonly bytes: Uint8Array;
  readonly status: number;
}

/**
 * Downloads each ecosystem's OSV dump and replaces that ecosystem's records in the store, keeping
 * the other ecosystems' records. Every download is completed and checked before the store is
 * touched, and the new store is swapped in with one rename: any failure leaves it as it was.
 * @throws AdvisoryStoreError naming the URL and HTTP status when a download fails (network error,
 *   status other than 200, truncated body, not a zip, no byte for `idleTimeoutMs`, longer than
 *   `timeoutMs`), when another writer holds the store for longer than `lockTimeoutMs`, or when the
 *   store cannot be written.
 */
export async function updateAdvisories(options: UpdateOptions): Promise<UpdateResult> {
  const { storePath, clock, onProgress } = options;
  const fetchFn = options.fetch ?? globalThis.fetch;
  const mirror = (options.mirror ?? DEFAULT_OSV_MIRROR).replace(/\/+$/, '');
  const ecosystems = options.ecosystems ?? DEFAULT_UPDATE_ECOSYSTEMS;

  const limits: DownloadLimits = {
    idleMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    totalMs: options.timeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS,
  };

  const downloads: Download[] = [];
  for (const ecosystem of ecosystems) {
    const url = `${mirror}/${encodeURIComponent(ecosystem)}/all.zip`;
    try {
      downloads.push({ ecosystem, url, ...(await download(fetchFn, url, onProgress, limits)) });
    } catch (error) {
      // Every failed download says what to do without the network, not only what went wrong.
      if (error instanceof AdvisoryStoreError && error.hint === undefined) {
        throw new AdvisoryStoreError(error.message, { hint: DOWNLOAD_FAILED_HINT, cause: error.cause ?? error });
      }
      throw error;
    }
  }

  // The lock is taken only now: another writer need not wait for our downloads.
  let lock: StoreLock | undefined;
  if (!holdsStoreLock(storePath)) {
    lock = await lockStore(storePath, {
      timeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
      ...(options.onLockWait === undefined ? {} : { onWait: options.onLockWait }),
    });
  }
  try {
    return writeDownloads(storePath, downloads, clock, onProgress);
  } finally {
    lock?.release();
  }
}

function writeDownloads(storePath: string, downloads: readonly Download[], clock: Clock, onProgress: OnProgress | undefined): UpdateResult {
  const results: EcosystemUpdate[] = [];
  const rejected: RejectedRecord[] = [];
  const at = clock.now().toISOString();
  const writer = beginStoreWrite(storePath, at);
  try {
    for (const { ecosystem, url, bytes, status } of downloads) {
      const base = splitEcosystem(ecosystem).base;
      writer.deleteEcosystem(base);
      let records = 0;
      let done = 0;
      try {
        forEachZipEntry(bytes, (entry) => {
          const file = `${url}!/${entry.name}`;
          if (entry.error !== undefined) {
            rejected.push({ file, reason: `cannot inflate zip entry: ${entry.error}` });
          } else if (recordFormatOf(entry.name) !== 'json') {
            rejected.push({ file, reason: 'not a .json entry (an OSV dump holds one JSON record per entry)' });
          } else {
            const parsed = parseRecordBytes(entry.data ?? new Uint8Array(0), 'json');
            if (parsed.ok) {
              writer.upsert(parsed.record, 'always');
              records++;
            } else {
              rejected.push({ file, reason: parsed.reason });
            }
          }
          onProgress?.({ phase: 'import', label: ecosystem, done: ++done });
        });
      } catch (error) {
        // The store's own errors (disk full while writing the copy) are not the archive's.
        if (error instanceof AdvisoryStoreError) throw error;
        throw new AdvisoryStoreError(`${url}: corrupt zip archive (HTTP ${status}): ${messageOf(error)}`, {
          cause: error,
        });
      }
      writer.setMeta(base, at, url);
      results.push({ ecosystem, url, bytes: bytes.length, records });
    }
    writer.commit();
  } catch (error) {
    writer.abort();
    throw error;
  }
  return { ecosystems: results, rejected };
}

async function download(
  fetchFn: typeof globalThis.fetch,
  url: string,
  onProgress: OnProgress | undefined,
  limits: DownloadLimits,
): Promise<{ bytes: Uint8Array; status: number }> {
  // Both limits abort the request: undici then closes the connection. A fetch that ignores the
  // signal (an injected one) is raced against it, so no download can hang.
  const controller = new AbortController();
  let expired: string | undefined;
  const expire = (why: string) => () => {
    expired = why;
    controller.abort(new Error(why));
  };
  const overall = setTimeout(expire(`the download took longer than ${formatMs(limits.totalMs)}`), limits.totalMs);
  let idle = setTimeout(expire(`no answer within ${formatMs(limits.idleMs)}`), limits.idleMs);
  const stillAlive = (): void => {
    clearTimeout(idle);
    idle = setTimeout(expire(`no data for ${formatMs(limits.idleMs)}`), limits.idleMs);
  };
  try {
    return await receive(fetchFn, url, onProgress, controller.signal, stillAlive, () => expired);
  } finally {
    clearTimeout(overall);
    clearTimeout(idle);
  }
}

async function receive(
  fetchFn: typeof globalThis.fetch,
  url: string,
  onProgress: OnProgress | undefined,
  signal: AbortSignal,
  stillAlive: () => void,
  expired: () => string | undefined,
): Promise<{ bytes: Uint8Array; status: number }> {
  let response: Response;
  try {
    response = await abortable(fetchFn(url, { signal }), signal);
  } catch (cause) {
    if (cause instanceof AdvisoryStoreError) throw cause;
    const why = expired();
    if (why !== undefined) throw new AdvisoryStoreError(`${url}: download timed out (no HTTP status): ${why}`, { cause });
    throw new AdvisoryStoreError(`${url}: download failed (no HTTP status): ${networkMessage(cause)}`, { cause });
  }
  stillAlive();
  const { status } = response;
  if (status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    const text = response.statusText === '' ? '' : ` ${response.statusText}`;
    throw new AdvisoryStoreError(`${url}: download failed: HTTP ${status}${text}`);
  }
  const header = response.headers.get('content-length');
  const total = header === null || !/^\d+$/.test(header) ? undefined : Number(header);
  // A dump announced or sent larger than any real one is refused before it fills memory.
  if (total !== undefined && total > MAX_ADVISORY_ARCHIVE_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    throw new AdvisoryStoreError(`${url}: the dump is ${tooLargeMessage(MAX_ADVISORY_ARCHIVE_BYTES, 'an advisory archive')} (Content-Length ${total})`);
  }
  const chunks: Uint8Array[] = [];
  let done = 0;
  const progress = (): void => {
    onProgress?.(total === undefined ? { phase: 'download', label: url, done } : { phase: 'download', label: url, done, total });
  };
  progress();
  try {
    if (response.body === null) throw new Error('empty response body');
    const reader = response.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    try {
      for (;;) {
        const { done: finished, value } = await abortable(reader.read(), signal);
        if (finished) break;
        stillAlive();
        chunks.push(value);
        done += value.length;
        if (done > MAX_ADVISORY_ARCHIVE_BYTES) {
          await reader.cancel().catch(() => undefined);
          throw new AdvisoryStoreError(`${url}: the dump is ${tooLargeMessage(MAX_ADVISORY_ARCHIVE_BYTES, 'an advisory archive')}`);
        }
        progress();
      }
    } catch (error) {
      await reader.cancel().catch(() => undefined);
      throw error;
    }
  } catch (cause) {
    const why = expired();
    if (why !== undefined) {
      throw new AdvisoryStoreError(`${url}: download timed out after ${done} bytes (HTTP ${status}): ${why}`, { cause });
    }
    throw new AdvisoryStoreError(
      `${url}: download interrupted after ${done} bytes (HTTP ${status}): ${networkMessage(cause)}`,
      { cause },
    );
  }
  if (total !== undefined && done !== total) {
    throw new AdvisoryStoreError(`${url}: download truncated: ${done} of ${total} bytes (HTTP ${status})`);
  }
  const bytes = Buffer.concat(chunks);
  try {
    listZipEntries(bytes);
  } catch (cause) {
    throw new AdvisoryStoreError(`${url}: corrupt zip archive (HTTP ${status}, ${bytes.length} bytes): ${messageOf(cause)}`, {
      cause,
    });
  }
  return { bytes, status };
}

/** `promise`, or its rejection as soon as `signal` aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => {
      reject(signal.reason as Error);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([promise, aborted]).finally(() => {
    signal.removeEventListener('abort', onAbort);
  });
}

/** `30s`, `1.5s`, `10m` for a limit in milliseconds. */
function formatMs(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

// undici reports "fetch failed" and hides the reason (ECONNREFUSED, ENOTFOUND) in `cause`.
function networkMessage(error: unknown): string {
  const message = messageOf(error);
  if (error instanceof Error && error.cause !== undefined) return `${message}: ${messageOf(error.cause)}`;
  return message;
}
