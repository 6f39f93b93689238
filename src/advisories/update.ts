import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Clock } from '../core/clock.js';
import { AdvisoryStoreError } from '../core/errors.js';
import { MAX_ADVISORY_ARCHIVE_BYTES, MAX_ADVISORY_RECORD_BYTES, tooLargeMessage } from '../core/input-limits.js';
import type { OsvRecord } from './osv.js';
import { parseRecordBytes, recordFormatOf, type RejectedRecord } from './parse-record.js';
import type { OnProgress } from './progress.js';
import { messageOf, openStoreDatabase } from './store/sqlite-store.js';
import { DEFAULT_LOCK_TIMEOUT_MS, holdsStoreLock, lockStore, type StoreLock, type StoreLockOptions } from './store/store-lock.js';
import { beginStoreUpdate, beginStoreWrite, normalizeTimestamp, splitEcosystem, type StoreWriter } from './store/store-writer.js';
import { countZipEntries, forEachZipEntry, openZipFile } from './zip.js';

/**
 * The public OSV bucket. Its layout (https://google.github.io/osv.dev/data/#data-dumps): per
 * ecosystem folder `all.zip` (every record), `<ID>.json` (one record) and `modified_id.csv`
 * (`<iso modified date>,<id>` per record, "sorted in reverse chronological order"); a folder is
 * the ecosystem without any `:suffix` (`Debian` holds `Debian:12`).
 */
export const DEFAULT_OSV_MIRROR = 'https://osv-vulnerabilities.storage.googleapis.com';

/** What a failed download's message ends with: the ways to fill the store without OSV's bucket. */
export const DOWNLOAD_FAILED_HINT =
  'without network access, fill the store from OSV records you have with "vigil db import PATH" (folders, files or all.zip), ' +
  'or download from a reachable mirror with --mirror URL (or VIGIL_OSV_MIRROR); see "Offline use" in the README';

/** The ecosystems downloaded into a new store when none are asked for. */
export const DEFAULT_UPDATE_ECOSYSTEMS: readonly string[] = ['PyPI', 'npm'];

/**
 * More changed records than this since the last update, and the whole dump is downloaded instead
 * of one file per record.
 */
export const DEFAULT_MAX_INCREMENTAL_RECORDS = 2000;

/** A change list larger than this is refused (npm's, the largest, is a few MiB). */
export const MAX_CHANGE_LIST_BYTES = 256 << 20;

/** Record files fetched at once during an incremental update. */
const RECORD_FETCHES = 8;

/** A mirror that sends nothing (no answer, no next byte) for this long has hung: the download ends. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

/** The longest one download may take, however steadily it trickles in. */
export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

export interface UpdateOptions {
  /** The store file; created when missing. */
  readonly storePath: string;
  /** Base URL of an OSV mirror; `DEFAULT_OSV_MIRROR` when omitted. */
  readonly mirror?: string;
  /**
   * OSV ecosystem strings (`PyPI`, `npm`, `Debian:12`, `Ubuntu:22.04:LTS`): each is fetched from
   * the mirror's folder of its base ecosystem, once however many releases name it. When omitted:
   * the ecosystems the store already holds from a mirror, else `DEFAULT_UPDATE_ECOSYSTEMS`.
   */
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
  /** Download every dump whole, even where the change list would do. */
  readonly full?: boolean;
  /** See `DEFAULT_MAX_INCREMENTAL_RECORDS`. */
  readonly maxIncrementalRecords?: number;
}

/** The limits of one download. */
interface DownloadLimits {
  readonly idleMs: number;
  readonly totalMs: number;
}

/**
 * How an ecosystem was brought up to date:
 * - `full`: its whole dump (`all.zip`) replaced its records;
 * - `incremental`: only the records its change list (`modified_id.csv`) names as changed since
 *   the last update were fetched, one file each;
 * - `unchanged`: the change list names nothing new (or the mirror answered 304 Not Modified).
 */
export type UpdateMode = 'full' | 'incremental' | 'unchanged';

export interface EcosystemUpdate {
  /** The mirror folder: the base ecosystem (`Debian` for `Debian:12`). */
  readonly ecosystem: string;
  /** The dump's URL, recorded as the ecosystem's source. */
  readonly url: string;
  readonly mode: UpdateMode;
  /** Bytes downloaded for this ecosystem (the dump, or the change list and the records). */
  readonly bytes: number;
  /** Valid records stored for this ecosystem by this update (withdrawn ones included). */
  readonly records: number;
}

export interface UpdateResult {
  readonly ecosystems: readonly EcosystemUpdate[];
  /** Entries of the dumps that are not valid OSV records (`URL!/ENTRY.json`), and why. */
  readonly rejected: readonly RejectedRecord[];
}

/** What the store remembers of an ecosystem's last update from a mirror. */
interface MirrorState {
  readonly source: string;
  readonly listEtag: string | undefined;
  readonly listNewest: string | undefined;
}

type Plan =
  | {
      readonly kind: 'full';
      readonly ecosystem: string;
      readonly url: string;
      readonly file: string;
      readonly bytes: number;
      readonly status: number;
    }
  | {
      readonly kind: 'incremental' | 'unchanged';
      readonly ecosystem: string;
      readonly url: string;
      readonly bytes: number;
      readonly records: readonly OsvRecord[];
      readonly rejected: readonly RejectedRecord[];
      readonly listEtag: string | undefined;
      readonly listNewest: string;
    };

/** The mirror folder of an OSV ecosystem string: the base ecosystem. */
export function mirrorFolderOf(ecosystem: string): string {
  return splitEcosystem(ecosystem).base;
}

/**
 * Brings each ecosystem up to date from an OSV mirror, keeping the other ecosystems' records.
 * An ecosystem the store holds from this mirror's dump is updated from its change list when that
 * is there and names at most `maxIncrementalRecords` changed records; otherwise (a new store, an
 * ecosystem imported from files, no list, too many changes, `full`) its whole dump replaces its
 * records. The dump is streamed to a temporary file and read from there entry by entry. Every
 * download is completed and checked before the store is touched, and the store is changed in one
 * step: any failure leaves it as it was.
 * @throws AdvisoryStoreError naming the URL and HTTP status when a download fails (network error,
 *   status other than 200, truncated body, not a zip, no byte for `idleTimeoutMs`, longer than
 *   `timeoutMs`), when another writer holds the store for longer than `lockTimeoutMs`, or when the
 *   store cannot be read or written.
 */
export async function updateAdvisories(options: UpdateOptions): Promise<UpdateResult> {
  const { storePath, clock, onProgress } = options;
  const fetchFn = options.fetch ?? globalThis.fetch;
  const mirror = (options.mirror ?? DEFAULT_OSV_MIRROR).replace(/\/+$/, '');
  const limits: DownloadLimits = {
    idleMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    totalMs: options.timeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS,
  };
  const known = readKnownState(storePath);
  const asked = options.ecosystems ?? (known.fromMirror.length > 0 ? known.fromMirror : DEFAULT_UPDATE_ECOSYSTEMS);
  const folders = [...new Set(asked.map(mirrorFolderOf))];
  const temp = mkdtempSync(path.join(os.tmpdir(), 'vigil-update-'));
  try {
    const plans: Plan[] = [];
    for (const ecosystem of folders) {
      try {
        plans.push(await planEcosystem({ ecosystem, mirror, fetchFn, onProgress, limits, temp, known, options }));
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
      return writePlans(storePath, plans, clock, onProgress);
    } finally {
      lock?.release();
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

interface KnownState {
  /** Per mirror folder, what the last update from a mirror left. */
  readonly mirrors: ReadonlyMap<string, MirrorState>;
  /** Ecosystems whose records came from a mirror's dump: what a plain `db update` refreshes. */
  readonly fromMirror: readonly string[];
  /** Stored `modified` of a record id, `undefined` when the store does not hold it. */
  readonly modifiedOf: (ids: readonly string[]) => ReadonlyMap<string, string>;
}

/** What an existing store says about its mirrors; nothing for a store not there yet. */
function readKnownState(storePath: string): KnownState {
  if (!existsSync(storePath)) return { mirrors: new Map(), fromMirror: [], modifiedOf: () => new Map() };
  const db = openStoreDatabase(storePath);
  try {
    const rows = db
      .prepare('SELECT ecosystem, source, list_etag AS listEtag, list_newest AS listNewest FROM ecosystem_meta ORDER BY ecosystem')
      .all() as { ecosystem: string; source: string; listEtag: string | null; listNewest: string | null }[];
    const mirrors = new Map<string, MirrorState>();
    for (const row of rows) {
      mirrors.set(row.ecosystem, { source: row.source, listEtag: row.listEtag ?? undefined, listNewest: row.listNewest ?? undefined });
    }
    const fromMirror = rows.filter((row) => row.listNewest !== null).map((row) => row.ecosystem);
    return {
      mirrors,
      fromMirror,
      modifiedOf: (ids) => {
        const reader = openStoreDatabase(storePath);
        try {
          const find = reader.prepare('SELECT modified FROM records WHERE id = ?').pluck();
          const found = new Map<string, string>();
          for (const id of ids) {
            const modified = find.get(id) as string | undefined;
            if (modified !== undefined) found.set(id, modified);
          }
          return found;
        } finally {
          reader.close();
        }
      },
    };
  } finally {
    db.close();
  }
}

interface PlanContext {
  readonly ecosystem: string;
  readonly mirror: string;
  readonly fetchFn: typeof globalThis.fetch;
  readonly onProgress: OnProgress | undefined;
  readonly limits: DownloadLimits;
  readonly temp: string;
  readonly known: KnownState;
  readonly options: UpdateOptions;
}

async function planEcosystem(context: PlanContext): Promise<Plan> {
  const { ecosystem, mirror, known, options } = context;
  const folderUrl = `${mirror}/${encodeURIComponent(ecosystem)}`;
  const zipUrl = `${folderUrl}/all.zip`;
  const state = known.mirrors.get(ecosystem);
  // Only data that came whole from this very mirror's dump can be brought up to date piecemeal:
  // records imported from files may be any subset.
  if (options.full !== true && state?.listNewest !== undefined && state.source === zipUrl) {
    const incremental = await planIncremental(context, `${folderUrl}/modified_id.csv`, state.listNewest, state.listEtag);
    if (incremental !== undefined) return { ...incremental, url: zipUrl };
  }
  const file = path.join(context.temp, `${ecosystem.replace(/[^A-Za-z0-9.-]/g, '_')}.zip`);
  const { bytes, status } = await download(context, zipUrl, { kind: 'file', file });
  return { kind: 'full', ecosystem, url: zipUrl, file, bytes, status };
}

/**
 * The records changed since `listNewest` according to the change list, fetched one file each;
 * `undefined` when the whole dump is needed instead (no list, too many changes, a listed record
 * missing).
 */
async function planIncremental(
  context: PlanContext,
  listUrl: string,
  listNewest: string,
  listEtag: string | undefined,
): Promise<Omit<Extract<Plan, { kind: 'incremental' | 'unchanged' }>, 'url'> | undefined> {
  const { ecosystem, mirror, known, options } = context;
  const list = await download(context, listUrl, { kind: 'memory', limit: MAX_CHANGE_LIST_BYTES, etag: listEtag, optional: true });
  if (list.status === 404) return undefined;
  if (list.status === 304) {
    return { kind: 'unchanged', ecosystem, bytes: 0, records: [], rejected: [], listEtag, listNewest };
  }
  const rows = parseChangeList(list.text ?? '');
  if (rows === undefined) return undefined;
  let newest = listNewest;
  const candidates: { id: string; modified: string }[] = [];
  for (const row of rows) {
    if (row.modified > newest) newest = row.modified;
    // Equal times are looked at too: a record written in the same second as the newest one seen
    // may have been listed after the last update read the list.
    if (row.modified >= listNewest) candidates.push(row);
  }
  const stored = known.modifiedOf(candidates.map((row) => row.id));
  const changed = candidates.filter((row) => {
    const modified = stored.get(row.id);
    return modified === undefined || modified < row.modified;
  });
  if (changed.length > (options.maxIncrementalRecords ?? DEFAULT_MAX_INCREMENTAL_RECORDS)) return undefined;
  const records: OsvRecord[] = [];
  const rejected: RejectedRecord[] = [];
  let bytes = list.bytes;
  const outcome = { missing: false };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < changed.length && !outcome.missing) {
      const row = changed[next++] as { id: string };
      const url = `${mirror}/${encodeURIComponent(ecosystem)}/${encodeURIComponent(row.id)}.json`;
      const got = await download(context, url, { kind: 'memory', limit: MAX_ADVISORY_RECORD_BYTES, optional: true });
      if (got.status === 404) {
        outcome.missing = true;
        return;
      }
      bytes += got.bytes;
      const parsed = parseRecordBytes(got.data ?? new Uint8Array(0), 'json');
      if (parsed.ok) records.push(parsed.record);
      else rejected.push({ file: url, reason: parsed.reason });
    }
  };
  await Promise.all(Array.from({ length: Math.min(RECORD_FETCHES, changed.length) }, worker));
  // A listed record the mirror does not have: the list and the files disagree; take the dump.
  if (outcome.missing) return undefined;
  // Stored in the list's order (newest first), whatever order the fetches ended in.
  const order = new Map(changed.map((row, index) => [row.id, index]));
  records.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  return {
    kind: changed.length === 0 ? 'unchanged' : 'incremental',
    ecosystem,
    bytes,
    records,
    rejected,
    listEtag: list.etag,
    listNewest: newest,
  };
}

/**
 * The rows of a `modified_id.csv` (`<iso modified date>,<id>`), times normalised as the store
 * writes them; `undefined` when a line is not such a row (a list we cannot read is not trusted:
 * the dump is downloaded instead).
 */
export function parseChangeList(text: string): { id: string; modified: string }[] | undefined {
  const rows: { id: string; modified: string }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    const comma = line.indexOf(',');
    const modified = line.slice(0, comma);
    const id = line.slice(comma + 1);
    if (comma <= 0 || id === '' || /[/\\,\s]/.test(id) || Number.isNaN(Date.parse(modified))) return undefined;
    rows.push({ id, modified: normalizeTimestamp(modified) });
  }
  return rows;
}

function writePlans(storePath: string, plans: readonly Plan[], clock: Clock, onProgress: OnProgress | undefined): UpdateResult {
  const results: EcosystemUpdate[] = [];
  const rejected: RejectedRecord[] = [];
  const at = clock.now().toISOString();
  // A whole dump is written into a private copy swapped in by one rename; changes from the lists
  // alone are written in place, in one SQLite transaction (its journal undoes a torn one).
  const writer = plans.some((plan) => plan.kind === 'full') || !existsSync(storePath) ? beginStoreWrite(storePath, at) : beginStoreUpdate(storePath, at);
  try {
    for (const plan of plans) {
      if (plan.kind === 'full') {
        const { records, newest } = writeDump(writer, plan, rejected, onProgress);
        writer.setMeta(plan.ecosystem, at, plan.url);
        writer.setListState(plan.ecosystem, at, undefined, newest);
        results.push({ ecosystem: plan.ecosystem, url: plan.url, mode: 'full', bytes: plan.bytes, records });
        continue;
      }
      let done = 0;
      for (const record of plan.records) {
        writer.upsert(record, 'always');
        onProgress?.({ phase: 'import', label: plan.ecosystem, done: ++done, total: plan.records.length });
      }
      rejected.push(...plan.rejected);
      if (plan.records.length > 0) writer.setMeta(plan.ecosystem, at, plan.url);
      writer.setListState(plan.ecosystem, at, plan.listEtag, plan.listNewest);
      results.push({ ecosystem: plan.ecosystem, url: plan.url, mode: plan.kind, bytes: plan.bytes, records: plan.records.length });
    }
    writer.commit();
  } catch (error) {
    writer.abort();
    throw error;
  }
  return { ecosystems: results, rejected };
}

/** Replaces an ecosystem's records with its dump's; returns how many and the newest `modified`. */
function writeDump(
  writer: StoreWriter,
  plan: Extract<Plan, { kind: 'full' }>,
  rejected: RejectedRecord[],
  onProgress: OnProgress | undefined,
): { records: number; newest: string | undefined } {
  const { ecosystem, url, status } = plan;
  writer.deleteEcosystem(ecosystem);
  let records = 0;
  let done = 0;
  let newest: string | undefined;
  const zip = openZipFile(plan.file);
  try {
    forEachZipEntry(zip, (entry) => {
      const file = `${url}!/${entry.name}`;
      if (entry.error !== undefined) {
        rejected.push({ file, reason: `cannot inflate zip entry: ${entry.error}` });
      } else if (recordFormatOf(entry.name) !== 'json') {
        rejected.push({ file, reason: 'not a .json entry (an OSV dump holds one JSON record per entry)' });
      } else {
        const parsed = parseRecordBytes(entry.data ?? new Uint8Array(0), 'json');
        if (parsed.ok) {
          writer.upsert(parsed.record, 'always');
          const modified = normalizeTimestamp(parsed.record.modified);
          if (newest === undefined || modified > newest) newest = modified;
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
    throw new AdvisoryStoreError(`${url}: corrupt zip archive (HTTP ${status}): ${messageOf(error)}`, { cause: error });
  } finally {
    zip.close();
  }
  return { records, newest };
}

/** Where a download's bytes go: a file (a dump), or memory within a bound (a list, a record). */
type Sink =
  | { readonly kind: 'file'; readonly file: string }
  | { readonly kind: 'memory'; readonly limit: number; readonly etag?: string | undefined; readonly optional?: boolean };

interface Received {
  readonly status: number;
  readonly bytes: number;
  readonly etag: string | undefined;
  readonly data?: Uint8Array;
  readonly text?: string;
}

async function download(context: Pick<PlanContext, 'fetchFn' | 'onProgress' | 'limits'>, url: string, sink: Sink): Promise<Received> {
  const { fetchFn, onProgress, limits } = context;
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
    return await receive(fetchFn, url, sink, sink.kind === 'file' ? onProgress : undefined, controller.signal, stillAlive, () => expired);
  } finally {
    clearTimeout(overall);
    clearTimeout(idle);
  }
}

async function receive(
  fetchFn: typeof globalThis.fetch,
  url: string,
  sink: Sink,
  onProgress: OnProgress | undefined,
  signal: AbortSignal,
  stillAlive: () => void,
  expired: () => string | undefined,
): Promise<Received> {
  const conditional = sink.kind === 'memory' && sink.etag !== undefined ? { headers: { 'if-none-match': sink.etag } } : {};
  let response: Response;
  try {
    response = await abortable(fetchFn(url, { signal, ...conditional }), signal);
  } catch (cause) {
    if (cause instanceof AdvisoryStoreError) throw cause;
    const why = expired();
    if (why !== undefined) throw new AdvisoryStoreError(`${url}: download timed out (no HTTP status): ${why}`, { cause });
    throw new AdvisoryStoreError(`${url}: download failed (no HTTP status): ${networkMessage(cause)}`, { cause });
  }
  stillAlive();
  const { status } = response;
  const etag = response.headers.get('etag') ?? undefined;
  const optional = sink.kind === 'memory' && sink.optional === true;
  if ((status === 304 && conditional.headers !== undefined) || (status === 404 && optional)) {
    await response.body?.cancel().catch(() => undefined);
    return { status, bytes: 0, etag };
  }
  if (status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    const text = response.statusText === '' ? '' : ` ${response.statusText}`;
    throw new AdvisoryStoreError(`${url}: download failed: HTTP ${status}${text}`);
  }
  const limit = sink.kind === 'file' ? MAX_ADVISORY_ARCHIVE_BYTES : sink.limit;
  const what = sink.kind === 'file' ? 'the dump is' : 'the file is';
  const sizeLimit = (): string => tooLargeMessage(limit, sink.kind === 'file' ? 'an advisory archive' : 'this download');
  const header = response.headers.get('content-length');
  const total = header === null || !/^\d+$/.test(header) ? undefined : Number(header);
  // A dump announced or sent larger than any real one is refused before it fills the disk.
  if (total !== undefined && total > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw new AdvisoryStoreError(`${url}: ${what} ${sizeLimit()} (Content-Length ${total})`);
  }
  const chunks: Uint8Array[] = [];
  const fd = sink.kind === 'file' ? openSync(sink.file, 'w') : undefined;
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
        done += value.length;
        if (done > limit) {
          await reader.cancel().catch(() => undefined);
          throw new AdvisoryStoreError(`${url}: ${what} ${sizeLimit()}`);
        }
        if (fd === undefined) chunks.push(value);
        else writeSync(fd, value);
        progress();
      }
    } catch (error) {
      await reader.cancel().catch(() => undefined);
      throw error;
    }
  } catch (cause) {
    if (cause instanceof AdvisoryStoreError) throw cause;
    const why = expired();
    if (why !== undefined) {
      throw new AdvisoryStoreError(`${url}: download timed out after ${done} bytes (HTTP ${status}): ${why}`, { cause });
    }
    throw new AdvisoryStoreError(`${url}: download interrupted after ${done} bytes (HTTP ${status}): ${networkMessage(cause)}`, { cause });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (total !== undefined && done !== total) {
    throw new AdvisoryStoreError(`${url}: download truncated: ${done} of ${total} bytes (HTTP ${status})`);
  }
  if (sink.kind === 'file') {
    const zip = openZipFile(sink.file);
    try {
      countZipEntries(zip);
    } catch (cause) {
      throw new AdvisoryStoreError(`${url}: corrupt zip archive (HTTP ${status}, ${done} bytes): ${messageOf(cause)}`, { cause });
    } finally {
      zip.close();
    }
    return { status, bytes: done, etag };
  }
  const data = Buffer.concat(chunks);
  return { status, bytes: done, etag, data, text: data.toString('utf8') };
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
