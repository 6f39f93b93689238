import { Unzip, UnzipInflate, unzipSync } from 'fflate';

/** One file of a zip archive, handed over as it is inflated. */
export interface ZipEntry {
  readonly name: string;
  /** The inflated bytes, or why they could not be read. */
  readonly data: Uint8Array | undefined;
  readonly error: string | undefined;
}

const PUSH_CHUNK = 1 << 20;

/**
 * Lists the file entries (not folders) of a zip archive from its central directory.
 * @throws Error when the archive is not a zip or is truncated.
 */
export function listZipEntries(zip: Uint8Array): string[] {
  const names: string[] = [];
  unzipSync(zip, {
    filter(file) {
      if (!file.name.endsWith('/')) names.push(file.name);
      return false;
    },
  });
  return names;
}

/**
 * Calls `onEntry` for each file entry, inflating one entry at a time so a large dump (npm's
 * all.zip) is never held inflated as a whole.
 * @throws Error when the archive is not a zip, or fewer entries than its central directory lists
 *   could be read.
 */
export function forEachZipEntry(zip: Uint8Array, onEntry: (entry: ZipEntry) => void): number {
  // The central directory is the authority on what the archive holds; the streaming reader below
  // walks local headers and would stop quietly at a damaged one.
  const expected = listZipEntries(zip).length;
  let seen = 0;
  const unzip = new Unzip((file) => {
    if (file.name.endsWith('/')) return;
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
  unzip.register(UnzipInflate);
  for (let offset = 0; offset < zip.length; offset += PUSH_CHUNK) {
    const end = Math.min(offset + PUSH_CHUNK, zip.length);
    unzip.push(zip.subarray(offset, end), end === zip.length);
  }
  if (zip.length === 0) unzip.push(new Uint8Array(0), true);
  if (seen !== expected) {
    throw new Error(`read ${seen} of the ${expected} entries the zip directory lists`);
  }
  return seen;
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
