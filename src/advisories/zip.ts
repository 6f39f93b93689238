import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import zlib from 'node:zlib';
import { MAX_ADVISORY_RECORD_BYTES, tooLargeMessage } from '../core/input-limits.js';

/** One file of a zip archive, handed over as it is inflated. */
export interface ZipEntry {
  readonly name: string;
  /** The inflated bytes, or why they could not be read. */
  readonly data: Uint8Array | undefined;
  readonly error: string | undefined;
}

/** Random access to a zip archive's bytes: a file read piece by piece, or bytes in memory. */
export interface ZipSource {
  /** Size of the archive in bytes. */
  readonly size: number;
  /** `length` bytes from `offset` (fewer only past the end). */
  read(offset: number, length: number): Uint8Array;
}

/** A zip archive on disk, read a piece at a time: never held in memory whole. */
export interface ZipFile extends ZipSource {
  close(): void;
}

/** The bytes of an archive in memory as a `ZipSource`. */
export function zipSourceOf(bytes: Uint8Array): ZipSource {
  return { size: bytes.length, read: (offset, length) => bytes.subarray(offset, Math.min(offset + length, bytes.length)) };
}

/**
 * Opens the zip archive at `file` for reading.
 * @throws Error (a system error) when it cannot be opened.
 */
export function openZipFile(file: string): ZipFile {
  const fd = openSync(file, 'r');
  let size: number;
  try {
    size = fstatSync(fd).size;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return {
    size,
    read(offset, length) {
      const wanted = Math.max(0, Math.min(length, size - offset));
      const buffer = Buffer.allocUnsafe(wanted);
      let got = 0;
      while (got < wanted) {
        const read = readSync(fd, buffer, got, wanted - got, offset + got);
        if (read === 0) break;
        got += read;
      }
      return got === wanted ? buffer : buffer.subarray(0, got);
    },
    close() {
      closeSync(fd);
    },
  };
}

/** One file entry of the central directory. */
interface DirectoryEntry {
  readonly name: string;
  readonly method: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly originalSize: number;
  readonly localOffset: number;
}

// APPNOTE.TXT (https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT), sections 4.3.7
// (local file header), 4.3.12 (central directory header), 4.3.14-16 (zip64 end records), 4.5.3
// (zip64 extra field). OSV's npm dump has more entries than the 65,535 a plain zip can count.
const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_RECORD = 0x06054b50;
const ZIP64_END_RECORD = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const END_RECORD_SIZE = 22;
const MAX_COMMENT = 0xffff;
/** A central directory larger than this is not an advisory dump's (about 100 bytes per entry). */
const MAX_DIRECTORY_BYTES = 512 << 20;

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

/** Where the central directory is, from the end records. */
interface DirectoryPlace {
  readonly count: number;
  readonly offset: number;
  readonly size: number;
}

/**
 * Finds the central directory from the end of central directory record (and its zip64 forms).
 * @throws Error when the archive is not a zip, or its end records are damaged.
 */
function locateDirectory(zip: ZipSource): DirectoryPlace {
  if (zip.size < END_RECORD_SIZE) throw new Error('not a zip archive (too short for an end of central directory record)');
  const tailLength = Math.min(zip.size, END_RECORD_SIZE + MAX_COMMENT + 20);
  const tailStart = zip.size - tailLength;
  const tail = zip.read(tailStart, tailLength);
  const tailView = view(tail);
  let end = -1;
  for (let at = tail.length - END_RECORD_SIZE; at >= 0; at--) {
    if (tailView.getUint32(at, true) === END_RECORD) {
      end = at;
      break;
    }
  }
  if (end < 0) throw new Error('not a zip archive (no end of central directory record)');
  let count = tailView.getUint16(end + 10, true);
  let directorySize = tailView.getUint32(end + 12, true);
  let directoryOffset = tailView.getUint32(end + 16, true);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locator = end - 20;
    if (locator < 0 || tailView.getUint32(locator, true) !== ZIP64_LOCATOR) throw new Error('damaged zip64 archive (no zip64 end record locator)');
    const recordOffset = Number(tailView.getBigUint64(locator + 8, true));
    const record = view(zip.read(recordOffset, 56));
    if (record.byteLength < 56 || record.getUint32(0, true) !== ZIP64_END_RECORD) throw new Error('damaged zip64 archive (no zip64 end record)');
    count = Number(record.getBigUint64(32, true));
    directorySize = Number(record.getBigUint64(40, true));
    directoryOffset = Number(record.getBigUint64(48, true));
  }
  if (directorySize > MAX_DIRECTORY_BYTES || directoryOffset + directorySize > zip.size) {
    throw new Error(`damaged zip archive (central directory of ${directorySize} bytes at ${directoryOffset}, archive of ${zip.size})`);
  }
  return { count, offset: directoryOffset, size: directorySize };
}

/** The central directory is read this much at a time: a dump's directory grows with its records. */
const DIRECTORY_WINDOW = 1 << 20;
/** The largest central directory header: fixed part, name, extra field and comment of 64 KiB each. */
const MAX_HEADER = 46 + 3 * 0xffff;

/**
 * Calls `onEntry` for each file entry of the central directory (folders left out), in the
 * directory's order, holding only a window of the directory at a time.
 * @throws Error when the archive is not a zip, or its directory is truncated or inconsistent.
 */
function walkDirectory(zip: ZipSource, onEntry: (entry: DirectoryEntry) => void): void {
  const { count, offset, size } = locateDirectory(zip);
  let directory = new Uint8Array(0);
  let dir = view(directory);
  /** Offset in the archive of `directory[0]`. */
  let base = offset;
  let at = 0;
  /** Makes `length` bytes from `at` readable (fewer only at the end of the directory). */
  const ensure = (length: number): void => {
    if (at + length <= directory.length || base + directory.length >= offset + size) return;
    const keep = directory.subarray(at);
    const more = zip.read(base + directory.length, Math.min(Math.max(DIRECTORY_WINDOW, length), offset + size - base - directory.length));
    const next = new Uint8Array(keep.length + more.length);
    next.set(keep, 0);
    next.set(more, keep.length);
    base += at;
    at = 0;
    directory = next;
    dir = view(directory);
  };
  for (let index = 0; index < count; index++) {
    ensure(MAX_HEADER);
    if (at + 46 > directory.length || dir.getUint32(at, true) !== CENTRAL_HEADER) {
      throw new Error(`damaged zip archive (central directory entry ${index + 1} of ${count} unreadable)`);
    }
    const flags = dir.getUint16(at + 8, true);
    const method = dir.getUint16(at + 10, true);
    const crc = dir.getUint32(at + 16, true);
    let compressedSize = dir.getUint32(at + 20, true);
    let originalSize = dir.getUint32(at + 24, true);
    const nameLength = dir.getUint16(at + 28, true);
    const extraLength = dir.getUint16(at + 30, true);
    const commentLength = dir.getUint16(at + 32, true);
    let localOffset = dir.getUint32(at + 42, true);
    const nameBytes = directory.subarray(at + 46, at + 46 + nameLength);
    // Bit 11: the name is UTF-8; CP437 otherwise, which is ASCII for every OSV id.
    const name = (flags & 0x800) !== 0 ? utf8.decode(nameBytes) : latin1.decode(nameBytes);
    let extra = at + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd && extraEnd <= directory.length) {
      const id = dir.getUint16(extra, true);
      const fieldSize = dir.getUint16(extra + 2, true);
      if (id === 0x0001) {
        let field = extra + 4;
        const take = (): number => {
          const value = Number(dir.getBigUint64(field, true));
          field += 8;
          return value;
        };
        if (originalSize === 0xffffffff) originalSize = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (localOffset === 0xffffffff) localOffset = take();
      }
      extra += 4 + fieldSize;
    }
    at = extraEnd + commentLength;
    if (at > directory.length) throw new Error(`damaged zip archive (central directory entry ${index + 1} of ${count} truncated)`);
    if (!name.endsWith('/')) onEntry({ name, method, crc, compressedSize, originalSize, localOffset });
  }
}

/**
 * The number of file entries (not folders) of a zip archive, from its central directory, checked
 * whole without holding it.
 * @throws Error when the archive is not a zip or is truncated.
 */
export function countZipEntries(zip: Uint8Array | ZipSource): number {
  let count = 0;
  walkDirectory(asSource(zip), () => count++);
  return count;
}

/**
 * Lists the file entries (not folders) of a zip archive from its central directory.
 * @throws Error when the archive is not a zip or is truncated.
 */
export function listZipEntries(zip: Uint8Array | ZipSource): string[] {
  const names: string[] = [];
  walkDirectory(asSource(zip), (entry) => names.push(entry.name));
  return names;
}

function asSource(zip: Uint8Array | ZipSource): ZipSource {
  return zip instanceof Uint8Array ? zipSourceOf(zip) : zip;
}

/** Deflate output per input byte can reach about 1032; stored blocks add 5 bytes per 64 KiB. */
const STORED_OVERHEAD = 1.001;

/**
 * Calls `onEntry` for each file entry, inflating one entry at a time (Node's zlib) so a large
 * dump (npm's all.zip) is never held inflated, nor read, as a whole. An entry larger than
 * `maxEntryBytes` once inflated (MAX_ADVISORY_RECORD_BYTES unless told) is handed over with an
 * error instead of its bytes: one that declares so is not inflated at all, one that declares
 * less (a zip bomb lies) is stopped as soon as its output passes the limit. An entry whose bytes
 * do not match its CRC-32 is an error too (a damaged download).
 * @throws Error when the archive is not a zip, or its central directory or a local header is damaged.
 */
export function forEachZipEntry(
  zip: Uint8Array | ZipSource,
  onEntry: (entry: ZipEntry) => void,
  maxEntryBytes = MAX_ADVISORY_RECORD_BYTES,
): number {
  const source = asSource(zip);
  // The central directory is the authority on what the archive holds: it is checked whole before
  // the first entry is handed over, then walked again, so it is never held whole (a dump of
  // 300,000 records has a directory of about 20 MB, and its entries as objects several times that).
  walkDirectory(source, () => undefined);
  let seen = 0;
  walkDirectory(source, (entry) => {
    seen++;
    onEntry(readEntry(source, entry, maxEntryBytes));
  });
  return seen;
}

function readEntry(source: ZipSource, entry: DirectoryEntry, limit: number): ZipEntry {
  const { name } = entry;
  const fail = (error: string): ZipEntry => ({ name, data: undefined, error });
  if (entry.originalSize > limit) return fail(`declares ${entry.originalSize} bytes inflated, ${tooLargeMessage(limit, 'one entry')}`);
  if (entry.method !== 0 && entry.method !== 8) return fail(`unsupported compression method ${entry.method}`);
  // A compressed size that no entry within the limit can have is refused before it is read.
  if (entry.compressedSize > limit * STORED_OVERHEAD + 1024) {
    return fail(`declares ${entry.compressedSize} bytes compressed, ${tooLargeMessage(limit, 'one entry')}`);
  }
  const header = source.read(entry.localOffset, 30);
  if (header.length < 30 || view(header).getUint32(0, true) !== LOCAL_HEADER) {
    throw new Error(`damaged zip archive (no local header for ${name} at ${entry.localOffset})`);
  }
  const dataStart = entry.localOffset + 30 + view(header).getUint16(26, true) + view(header).getUint16(28, true);
  const compressed = source.read(dataStart, entry.compressedSize);
  if (compressed.length < entry.compressedSize) throw new Error(`damaged zip archive (${name} is truncated)`);
  let data: Uint8Array;
  if (entry.method === 0) {
    if (compressed.length > limit) return fail(`inflates to ${tooLargeMessage(limit, 'one entry')}`);
    data = compressed;
  } else {
    try {
      data = zlib.inflateRawSync(compressed, { maxOutputLength: limit + 1 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) return fail(`inflates to ${tooLargeMessage(limit, 'one entry')}`);
      return fail(error instanceof Error ? error.message : String(error));
    }
    if (data.length > limit) return fail(`inflates to ${tooLargeMessage(limit, 'one entry')}`);
  }
  if (data.length !== entry.originalSize) return fail(`inflates to ${data.length} bytes, the zip directory declares ${entry.originalSize}`);
  if (CRC32 !== undefined && CRC32(data) !== entry.crc) return fail('damaged entry (CRC-32 mismatch)');
  return { name, data, error: undefined };
}

// zlib.crc32 is in Node 20.15 and later; without it the check is left to the inflate itself.
const CRC32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
