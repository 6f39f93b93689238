import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { LockfileParseError } from '../../core/errors.js';
import { formatByteSize, MAX_DEPENDENCY_FILE_BYTES } from '../../core/input-limits.js';
import { MAX_IMAGE_ENTRIES, MAX_IMAGE_KEPT_BYTES, MAX_IMAGE_PATH_LENGTH, MAX_IMAGE_UNPACKED_BYTES } from './limits.js';

/** What one layer changes, with only the wanted files' contents (https://github.com/opencontainers/image-spec/blob/main/layer.md). */
export interface LayerChanges {
  /** Every path the layer writes (whiteouts aside), and whether it is a folder. */
  readonly entries: Map<string, 'dir' | 'other'>;
  /** Contents of the wanted regular files. */
  readonly files: Map<string, Buffer>;
  /** Symbolic links: path -> target as written. */
  readonly links: Map<string, string>;
  /** Paths a `.wh.<name>` whiteout deletes from the layers below. */
  readonly whiteouts: string[];
  /** Folders whose content in the layers below an opaque whiteout (`.wh..wh..opq`) hides. */
  readonly opaque: string[];
  /** Wanted hard links whose target this layer did not keep: path -> target. */
  readonly unreadHardLinks: Map<string, string>;
  /** `sha256:<hex>` of the layer's bytes as stored (compressed or not), known once it is read. */
  storedDigest: string;
  /** Whether the stored bytes were gzip-compressed. */
  compressed: boolean;
}

/** Counts shared by every layer of one image, against the limits. */
export interface ReadBudget {
  /** The image as shown in messages. */
  readonly label: string;
  entries: number;
  unpackedBytes: number;
  keptBytes: number;
  /** Set once a limit is exceeded: the image as a whole is refused. */
  exceeded: boolean;
}

export function newBudget(label: string): ReadBudget {
  return { label, entries: 0, unpackedBytes: 0, keptBytes: 0, exceeded: false };
}

/** The error for an exceeded limit, marking the budget so no caller takes it for one bad blob. */
export function overLimit(budget: ReadBudget, message: string, hint?: string): LockfileParseError {
  budget.exceeded = true;
  return imageError(budget.label, message, hint);
}

/** Counts one more entry of the image against MAX_IMAGE_ENTRIES. */
export function countEntry(budget: ReadBudget): void {
  budget.entries += 1;
  if (budget.entries > MAX_IMAGE_ENTRIES) {
    throw overLimit(budget, `the image has more than ${MAX_IMAGE_ENTRIES.toLocaleString('en-US')} entries`, 'vigil reads images up to this many files');
  }
}

/** An input error about the image as a whole: one line naming it (exit 2). */
export function imageError(label: string, message: string, hint?: string): LockfileParseError {
  return new LockfileParseError(message, { location: { file: label }, ...(hint === undefined ? {} : { hint }) });
}

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

function startsWith(bytes: Buffer, magic: readonly number[]): boolean {
  return magic.every((byte, index) => bytes[index] === byte);
}

/**
 * The stream's bytes, gunzipped when they start with gzip's magic number (layers of OCI images
 * are `tar+gzip`, those of `docker save` plain tar): judged from the content, not the media type.
 * A zstd layer (`tar+zstd`) is refused: Node 20's zlib has no zstd.
 */
async function* layerBytes(source: AsyncIterable<Buffer>, budget: ReadBudget, what: string): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done === true) return;
  const head: Buffer = first.value;
  if (startsWith(head, ZSTD_MAGIC)) {
    throw imageError(budget.label, `${what} is compressed with zstd, which vigil cannot read`, 'convert the image to gzip layers, e.g. skopeo copy --dest-compress-format gzip, or export it with docker save');
  }
  async function* rest(): AsyncGenerator<Buffer> {
    yield head;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value;
  }
  if (!startsWith(head, GZIP_MAGIC)) {
    yield* rest();
    return;
  }
  const { Readable } = await import('node:stream');
  const gunzip = createGunzip();
  const piping = pipeline(Readable.from(rest()), gunzip).catch((error: unknown) => {
    gunzip.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk;
  } catch (error) {
    throw imageError(budget.label, `${what}: invalid gzip data (${error instanceof Error ? error.message : String(error)})`, 'the image is truncated or damaged; export it again');
  } finally {
    await piping;
  }
}

/**
 * Reads one layer's tar stream as it arrives (never to disk), keeping the content of the regular
 * files `wanted` accepts and the metadata of every entry. Size, entry and path bounds are checked
 * against the image's budget.
 */
export async function readLayer(source: AsyncIterable<Buffer>, wanted: (relativePath: string) => boolean, budget: ReadBudget, what: string): Promise<LayerChanges> {
  const { extract } = await import('tar-stream');
  const changes: LayerChanges = { entries: new Map(), files: new Map(), links: new Map(), whiteouts: [], opaque: [], unreadHardLinks: new Map(), storedDigest: '', compressed: false };
  // The digest of the stored bytes, so the layer can be checked against the manifest's.
  const hash = createHash('sha256');
  const hashed = async function* (): AsyncGenerator<Buffer> {
    let first = true;
    for await (const chunk of source) {
      if (first) changes.compressed = startsWith(chunk, GZIP_MAGIC);
      first = false;
      hash.update(chunk);
      yield chunk;
    }
  };
  const tar = extract();
  const { Readable } = await import('node:stream');
  const counted = async function* (): AsyncGenerator<Buffer> {
    for await (const chunk of layerBytes(hashed(), budget, what)) {
      budget.unpackedBytes += chunk.length;
      if (budget.unpackedBytes > MAX_IMAGE_UNPACKED_BYTES) {
        throw overLimit(budget, `the image's layers hold more than ${formatByteSize(MAX_IMAGE_UNPACKED_BYTES)} once decompressed`, 'vigil reads images up to this size; a layer that inflates beyond it is damaged or hostile');
      }
      yield chunk;
    }
  };
  const input: Readable = Readable.from(counted());
  let failure: unknown;
  const piping = pipeline(input, tar).catch((error: unknown) => {
    failure ??= error;
  });
  try {
    for await (const entry of tar) {
      const header = entry.header;
      countEntry(budget);
      if (header.name.length > MAX_IMAGE_PATH_LENGTH) {
        throw overLimit(budget, `${what} has a path longer than ${MAX_IMAGE_PATH_LENGTH} bytes`);
      }
      const relativePath = entryPath(header.name);
      const slash = relativePath.lastIndexOf('/');
      const base = relativePath.slice(slash + 1);
      const parent = slash < 0 ? '' : relativePath.slice(0, slash);
      if (relativePath === '') {
        entry.resume();
        continue;
      }
      if (base === '.wh..wh..opq') changes.opaque.push(parent);
      else if (base.startsWith('.wh.')) changes.whiteouts.push(parent === '' ? base.slice(4) : `${parent}/${base.slice(4)}`);
      else if (header.type === 'directory') changes.entries.set(relativePath, 'dir');
      else {
        changes.entries.set(relativePath, 'other');
        if (header.type === 'symlink') changes.links.set(relativePath, header.linkname);
        else if (header.type === 'link' && wanted(relativePath)) {
          const target = entryPath(header.linkname);
          const kept = changes.files.get(target);
          if (kept === undefined) changes.unreadHardLinks.set(relativePath, target);
          else changes.files.set(relativePath, kept);
        } else if ((header.type === 'file' || header.type === 'contiguous-file') && wanted(relativePath)) {
          changes.files.set(relativePath, await keep(entry as AsyncIterable<Buffer>, header.size, budget, relativePath));
          continue;
        }
      }
      entry.resume();
    }
  } catch (error) {
    tar.destroy();
    await piping;
    if (error instanceof LockfileParseError) throw error;
    failure = error;
  }
  await piping;
  if (failure !== undefined) {
    if (failure instanceof LockfileParseError) throw failure;
    throw imageError(budget.label, `${what} is not a readable tar archive (${failure instanceof Error ? failure.message : 'unknown error'})`, 'the image is truncated or damaged; export it again');
  }
  changes.storedDigest = `sha256:${hash.digest('hex')}`;
  return changes;
}

async function keep(entry: AsyncIterable<Buffer>, size: number, budget: ReadBudget, relativePath: string): Promise<Buffer> {
  if (size > MAX_DEPENDENCY_FILE_BYTES) {
    throw overLimit(budget, `/${relativePath} is larger than the ${formatByteSize(MAX_DEPENDENCY_FILE_BYTES)} limit for a dependency file`);
  }
  budget.keptBytes += size;
  if (budget.keptBytes > MAX_IMAGE_KEPT_BYTES) {
    throw overLimit(budget, `the files to read in the image hold more than ${formatByteSize(MAX_IMAGE_KEPT_BYTES)}`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of entry) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A tar entry's name as a tree path: no leading `./` or `/`, no trailing `/`; `..` dropped as it climbs. */
export function entryPath(name: string): string {
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}
