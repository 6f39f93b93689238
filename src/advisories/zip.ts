import { Inflate, Unzip, unzipSync, type AsyncFlateStreamHandler, type FlateError, type UnzipDecoder, type UnzipDecoderConstructor } from 'fflate';
import { MAX_ADVISORY_RECORD_BYTES, tooLargeMessage } from '../core/input-limits.js';

/** One file of a zip archive, handed over as it is inflated. */
export interface ZipEntry {
  readonly name: string;
  /** The inflated bytes, or why they could not be read. */
  readonly data: Uint8Array | undefined;
  readonly error: string | undefined;
}

// fflate's streaming reader recurses once per entry that starts within a pushed chunk: small
// chunks keep that to a few hundred frames however small the entries (a 1 MiB chunk of empty
// entries ran it off the stack).
const PUSH_CHUNK = 16 << 10;
// Deflate inflates up to about 1032 times its input: decoding a slice at a time keeps what one
// step can produce past the entry limit to about 16 MiB.
const INFLATE_SLICE = 16 << 10;

/**
 * Lists the file entries (not folders) of a zip archive from its central directory.
 * @throws Error when the archive is not a zip or is truncated.
 */
export function listZipEntries(zip: Uint8Array): string[] {
  return readZipDirectory(zip).map((entry) => entry.name);
}

/** The file entries of the central directory, with the inflated size each declares. */
function readZipDirectory(zip: Uint8Array): { name: string; originalSize: number }[] {
  const entries: { name: string; originalSize: number }[] = [];
  unzipSync(zip, {
    filter(file) {
      if (!file.name.endsWith('/')) entries.push({ name: file.name, originalSize: file.originalSize });
      return false;
    },
  });
  return entries;
}

/**
 * Calls `onEntry` for each file entry, inflating one entry at a time so a large dump (npm's
 * all.zip) is never held inflated as a whole. An entry larger than `maxEntryBytes` once inflated
 * (MAX_ADVISORY_RECORD_BYTES unless told) is handed over with an error instead of its bytes: one
 * that declares so is not inflated at all, one that declares less (a zip bomb lies) is stopped
 * as soon as its output passes the limit.
 * @throws Error when the archive is not a zip, or fewer entries than its central directory lists
 *   could be read.
 */
export function forEachZipEntry(zip: Uint8Array, onEntry: (entry: ZipEntry) => void, maxEntryBytes = MAX_ADVISORY_RECORD_BYTES): number {
  // The central directory is the authority on what the archive holds; the streaming reader below
  // walks local headers and would stop quietly at a damaged one.
  const directory = readZipDirectory(zip);
  const declared = new Map<string, number>();
  for (const { name, originalSize } of directory) declared.set(name, Math.max(originalSize, declared.get(name) ?? 0));
  let seen = 0;
  const unzip = new Unzip((file) => {
    if (file.name.endsWith('/')) return;
    const size = Math.max(declared.get(file.name) ?? 0, file.originalSize ?? 0);
    if (size > maxEntryBytes) {
      seen++;
      onEntry({ name: file.name, data: undefined, error: `declares ${size} bytes inflated, ${tooLargeMessage(maxEntryBytes, 'one entry')}` });
      return;
    }
    const chunks: Uint8Array[] = [];
    file.ondata = (error, data, final) => {
      if (error) {
        seen++;
        onEntry({ name: file.name, data: undefined, error: error.message });
        return;
      }
      chunks.push(data);
      if (final) {
        seen++;
        onEntry({ name: file.name, data: concat(chunks), error: undefined });
      }
    };
    file.start();
  });
  unzip.register(boundedDecoder(0, maxEntryBytes));
  unzip.register(boundedDecoder(8, maxEntryBytes));
  for (let offset = 0; offset < zip.length; offset += PUSH_CHUNK) {
    const end = Math.min(offset + PUSH_CHUNK, zip.length);
    unzip.push(zip.subarray(offset, end), end === zip.length);
  }
  if (zip.length === 0) unzip.push(new Uint8Array(0), true);
  if (seen !== directory.length) {
    throw new Error(`read ${seen} of the ${directory.length} entries the zip directory lists`);
  }
  return seen;
}

/**
 * A decoder for stored (0) or deflated (8) entries that hands on at most `limit` bytes: past that
 * it reports one error and decodes nothing more of the entry (the archive reader still skips its
 * compressed bytes to reach the next one).
 */
function boundedDecoder(compression: 0 | 8, limit: number): UnzipDecoderConstructor {
  return class BoundedDecoder implements UnzipDecoder {
    static readonly compression = compression;
    ondata: AsyncFlateStreamHandler = () => undefined;
    private readonly inflate = compression === 8 ? new Inflate((data, final) => { this.emit(data, final); }) : undefined;
    private produced = 0;
    private stopped = false;

    push(chunk: Uint8Array, final: boolean): void {
      let at = 0;
      do {
        const slice = chunk.subarray(at, at + INFLATE_SLICE);
        at += INFLATE_SLICE;
        const last = final && at >= chunk.length;
        if (this.inflate === undefined) {
          this.emit(new Uint8Array(slice), last);
          continue;
        }
        try {
          this.inflate.push(slice, last);
        } catch (error) {
          this.fail(error instanceof Error ? error.message : String(error));
        }
      } while (!this.stopped && at < chunk.length);
    }

    private emit(data: Uint8Array<ArrayBuffer>, final: boolean): void {
      if (this.stopped) return;
      this.produced += data.length;
      if (this.produced > limit) {
        this.fail(`inflates to ${tooLargeMessage(limit, 'one entry')}`);
        return;
      }
      this.ondata(null, data, final);
    }

    private fail(message: string): void {
      this.stopped = true;
      const error: FlateError = Object.assign(new Error(message), { code: 0 });
      this.ondata(error, new Uint8Array(0), true);
    }
  };
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1 && chunks[0] !== undefined) return chunks[0];
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
