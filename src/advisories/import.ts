import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../core/clock.js';
import { AdvisoryStoreError } from '../core/errors.js';
import { MAX_ADVISORY_ARCHIVE_BYTES, MAX_ADVISORY_RECORD_BYTES, tooLargeMessage } from '../core/input-limits.js';
import { readFileWithin } from '../core/read-bounded.js';
import type { OsvRecord } from './osv.js';
import { checkEcosystemSpelling } from './osv-ecosystems.js';
import {
  parseRecordBytes,
  recordFormatOf,
  RECORD_TOO_LARGE,
  type ParsedRecord,
  type RecordFormat,
  type RejectedRecord,
} from './parse-record.js';
import type { OnProgress } from './progress.js';
import { messageOf } from './store/sqlite-store.js';
import { baseEcosystemsOf, beginStoreWrite } from './store/store-writer.js';
import { countZipEntries, forEachZipEntry, openZipFile, type ZipFile } from './zip.js';

export interface ImportOptions {
  /** The store file; created when missing. */
  readonly storePath: string;
  /**
   * Record files (`.json`, `.yaml`, `.yml`), folders (searched recursively for those), and OSV
   * zip dumps (`all.zip`: one JSON record per entry).
   */
  readonly inputs: readonly string[];
  readonly clock: Clock;
  readonly onProgress?: OnProgress;
}

export interface ImportResult {
  /** Records whose id was not in the store. */
  readonly imported: number;
  /** Records that replaced a stored one with the same id (newer or equal `modified`, other content). */
  readonly replaced: number;
  /** Records identical to the stored one, or older than it (the stored one is kept). */
  readonly unchanged: number;
  /** Records (files, zip entries) that were not imported, and why. */
  readonly rejected: readonly RejectedRecord[];
  /** Valid records read per base ecosystem (`Debian` for `Debian:11`); a record counts once per ecosystem. */
  readonly byEcosystem: Readonly<Record<string, number>>;
  /** Files inside folder inputs that are not record files (`README.md`, ...), as paths. */
  readonly ignoredFiles: readonly string[];
  /**
   * Base ecosystems the imported records name that OSV does not list (a typo, or a name newer
   * than vigil's list), each once with its record count: imported, but no audited package will
   * ever match them, so the caller warns.
   */
  readonly unknownEcosystems: readonly UnknownEcosystem[];
}

export interface UnknownEcosystem {
  /** The base ecosystem as the records write it. */
  readonly ecosystem: string;
  /** Valid records read that name it. */
  readonly records: number;
}

interface RecordSource {
  readonly kind: 'record';
  readonly file: string;
  readonly format: RecordFormat;
}
type Source = RecordSource | { readonly kind: 'zip'; readonly file: string; readonly zip: ZipFile; readonly entries: number };

/** Record files read concurrently ahead of parsing them. */
const BATCH = 256;

async function readRecordFile(source: RecordSource): Promise<Uint8Array | ParsedRecord> {
  try {
    return (await readFileWithin(source.file, MAX_ADVISORY_RECORD_BYTES)) ?? { ok: false, reason: RECORD_TOO_LARGE };
  } catch (error) {
    return { ok: false, reason: `cannot read: ${messageOf(error)}` };
  }
}

/**
 * Imports OSV records into the store in one step: the store is changed all at once at the end,
 * or not at all (a crash or a thrown error leaves it as it was). A malformed record is rejected
 * with its file and a reason, and the others are still imported.
 * @throws AdvisoryStoreError when an input does not exist, or the store cannot be written.
 */
export async function importAdvisories(options: ImportOptions): Promise<ImportResult> {
  const rejected: RejectedRecord[] = [];
  const ignoredFiles: string[] = [];
  const sources = await collectSources(options.inputs, rejected, ignoredFiles);
  try {
    return await importSources(options, sources, rejected, ignoredFiles);
  } finally {
    for (const source of sources) if (source.kind === 'zip') source.zip.close();
  }
}

async function importSources(
  options: ImportOptions,
  sources: readonly Source[],
  rejected: RejectedRecord[],
  ignoredFiles: readonly string[],
): Promise<ImportResult> {
  const { storePath, inputs, clock, onProgress } = options;
  const total = sources.reduce((sum, source) => sum + (source.kind === 'zip' ? source.entries : 1), 0);

  const counts = { imported: 0, replaced: 0, unchanged: 0 };
  const byEcosystem: Record<string, number> = {};
  const writer = beginStoreWrite(storePath, clock.now().toISOString());
  try {
    let done = 0;
    const store = (record: OsvRecord): void => {
      counts[writer.upsert(record, 'newer-or-equal')]++;
      for (const ecosystem of baseEcosystemsOf(record)) byEcosystem[ecosystem] = (byEcosystem[ecosystem] ?? 0) + 1;
    };
    const batch: RecordSource[] = [];
    // Files are read a batch at a time, then parsed and stored in input order, so which of two
    // records with one id wins does not depend on timing.
    const flush = async (): Promise<void> => {
      const contents = await Promise.all(batch.map(readRecordFile));
      batch.forEach((source, index) => {
        const content = contents[index];
        const result = content instanceof Uint8Array ? parseRecordBytes(content, source.format) : content;
        if (result?.ok) store(result.record);
        else if (result) rejected.push({ file: source.file, reason: result.reason });
        onProgress?.({ phase: 'import', label: source.file, done: ++done, total });
      });
      batch.length = 0;
    };
    for (const source of sources) {
      if (source.kind === 'record') {
        batch.push(source);
        if (batch.length === BATCH) await flush();
        continue;
      }
      await flush();
      importZip(source, (entry, bytes, error) => {
        const file = `${source.file}!/${entry}`;
        const format = recordFormatOf(entry);
        if (error !== undefined) rejected.push({ file, reason: `cannot inflate zip entry: ${error}` });
        else if (format !== 'json') rejected.push({ file, reason: 'not a .json entry (an OSV dump holds one JSON record per entry)' });
        else {
          const parsed = parseRecordBytes(bytes ?? new Uint8Array(0), format);
          if (parsed.ok) store(parsed.record);
          else rejected.push({ file, reason: parsed.reason });
        }
        onProgress?.({ phase: 'import', label: file, done: ++done, total });
      }, rejected);
      // Let the caller's event loop (a progress display, a signal handler) run between dumps.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await flush();
    const at = clock.now().toISOString();
    const sourceLabel = inputs.join(', ');
    for (const ecosystem of Object.keys(byEcosystem)) writer.setMeta(ecosystem, at, sourceLabel);
    writer.commit();
  } catch (error) {
    writer.abort();
    throw error;
  }
  const unknownEcosystems = Object.entries(byEcosystem)
    .filter(([ecosystem]) => checkEcosystemSpelling(ecosystem).kind === 'unknown')
    .map(([ecosystem, records]) => ({ ecosystem, records }));
  return { ...counts, rejected, byEcosystem, ignoredFiles, unknownEcosystems };
}

function importZip(
  source: Extract<Source, { kind: 'zip' }>,
  onEntry: (name: string, bytes: Uint8Array | undefined, error: string | undefined) => void,
  rejected: RejectedRecord[],
): void {
  try {
    forEachZipEntry(source.zip, (entry) => {
      onEntry(entry.name, entry.data, entry.error);
    });
  } catch (error) {
    rejected.push({ file: source.file, reason: `damaged zip archive: ${messageOf(error)}` });
  }
}

async function collectSources(
  inputs: readonly string[],
  rejected: RejectedRecord[],
  ignoredFiles: string[],
): Promise<Source[]> {
  const sources: Source[] = [];
  for (const input of inputs) {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(input)).isDirectory();
    } catch (cause) {
      throw new AdvisoryStoreError(`${input}: cannot read advisory input: ${messageOf(cause)}`, { cause });
    }
    if (isDirectory) {
      for (const file of await listFiles(input)) {
        const format = recordFormatOf(file);
        if (format === undefined) ignoredFiles.push(file);
        else sources.push({ kind: 'record', file, format });
      }
      continue;
    }
    const format = recordFormatOf(input);
    if (format !== undefined) {
      sources.push({ kind: 'record', file: input, format });
    } else if (input.toLowerCase().endsWith('.zip')) {
      let zip: ZipFile;
      try {
        zip = openZipFile(input);
      } catch (error) {
        rejected.push({ file: input, reason: `cannot read: ${messageOf(error)}` });
        continue;
      }
      if (zip.size > MAX_ADVISORY_ARCHIVE_BYTES) {
        zip.close();
        rejected.push({ file: input, reason: `the archive is ${tooLargeMessage(MAX_ADVISORY_ARCHIVE_BYTES, 'an advisory archive')}` });
        continue;
      }
      try {
        sources.push({ kind: 'zip', file: input, zip, entries: countZipEntries(zip) });
      } catch (error) {
        zip.close();
        rejected.push({ file: input, reason: `not a readable zip archive: ${messageOf(error)}` });
      }
    } else {
      rejected.push({ file: input, reason: 'not an advisory file: expected .json, .yaml, .yml or .zip' });
    }
  }
  return sources;
}

/** Files below a folder, recursively, in a stable order. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else if (entry.isFile()) out.push(full);
    else if (entry.isSymbolicLink()) {
      const target = await stat(full).catch(() => undefined);
      if (target?.isDirectory()) out.push(...(await listFiles(full)));
      else out.push(full);
    }
  }
  return out;
}

