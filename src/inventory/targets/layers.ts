import { createHash } from 'node:crypto';
import { formatByteSize } from '../../core/input-limits.js';
import { IMAGE_LIMITS, type ImageLimits } from './limits.js';
import { newPathIndex, type PathIndex } from './path-index.js';
import { inflate, isGzip, tarError, walkTar, type TarEntry, type TarError, type TarPlace } from './read-tar.js';

/**
 * What one layer changes (https://github.com/opencontainers/image-spec/blob/main/layer.md), kept
 * as small as the inventory allows: the wanted files with their content, every symbolic link
 * (any of them may be on the way to a wanted file), the whiteouts, and of every other entry only
 * an 8-byte hash of its path (enough to tell that it may hide something of a lower layer).
 */
export interface LayerChanges {
  /** Contents of the wanted regular files. */
  readonly files: Map<string, Buffer>;
  /** Symbolic links: path -> target as written. */
  readonly links: Map<string, string>;
  /** Wanted hard links whose target this layer did not keep: path -> target. */
  readonly unreadHardLinks: Map<string, string>;
  /** Other entries at wanted paths (a folder, a device...), and whether a folder. */
  readonly wantedOthers: Map<string, 'dir' | 'other'>;
  /** Every other folder the layer writes, hashed. */
  readonly folders: PathIndex;
  /** Every other entry that is no folder (the files vigil does not read, hard links, devices), hashed. */
  readonly others: PathIndex;
  /** Paths a `.wh.<name>` whiteout deletes from the layers below. */
  readonly whiteouts: Set<string>;
  /** Folders whose content in the layers below an opaque whiteout (`.wh..wh..opq`) hides. */
  readonly opaque: Set<string>;
  /** `sha256:<hex>` of the layer's bytes as stored (compressed or not), known once it is read. */
  storedDigest: string;
  /** Whether the stored bytes were gzip-compressed. */
  compressed: boolean;
}

/** Counts shared by every layer of one image, against the limits. */
export interface ReadBudget {
  /** The image as shown in messages. */
  readonly label: string;
  readonly limits: ImageLimits;
  entries: number;
  unpackedBytes: number;
  keptBytes: number;
  /** Set once a limit is exceeded: the image as a whole is refused. */
  exceeded: boolean;
}

export function newBudget(label: string, limits: ImageLimits = IMAGE_LIMITS): ReadBudget {
  return { label, limits, entries: 0, unpackedBytes: 0, keptBytes: 0, exceeded: false };
}

/** The error for an exceeded limit, marking the budget so no caller takes it for one bad blob. */
export function overLimit(budget: ReadBudget, place: TarPlace, problem: string, hint?: string): TarError {
  budget.exceeded = true;
  return tarError(place, problem, hint);
}

/** Counts one more entry of the image against the entry limit (MAX_IMAGE_ENTRIES). */
export function countEntry(budget: ReadBudget, place: TarPlace): void {
  budget.entries += 1;
  if (budget.entries > budget.limits.entries) {
    throw overLimit(budget, place, `brings the image past ${budget.limits.entries.toLocaleString('en-US')} entries, the limit`, 'vigil reads images up to this many files');
  }
}

/** Counts bytes kept in memory (files to parse, manifests, links, whiteouts) against MAX_IMAGE_KEPT_BYTES. */
export function countKept(budget: ReadBudget, place: TarPlace, bytes: number): void {
  budget.keptBytes += bytes;
  if (budget.keptBytes > budget.limits.keptBytes) {
    throw overLimit(budget, place, `brings what vigil keeps of the image (files to parse, manifests, links, whiteouts) past ${formatByteSize(budget.limits.keptBytes)}, the limit`);
  }
}

function newChanges(): LayerChanges {
  return {
    files: new Map(),
    links: new Map(),
    unreadHardLinks: new Map(),
    wantedOthers: new Map(),
    folders: newPathIndex(),
    others: newPathIndex(),
    whiteouts: new Set(),
    opaque: new Set(),
    storedDigest: '',
    compressed: false,
  };
}

/**
 * Reads one layer's tar stream as it arrives (never to disk), keeping what LayerChanges says.
 * Size, entry and path bounds are checked against the image's budget; every failure is a
 * TarError naming the image and the layer (`place`).
 */
export async function readLayer(source: AsyncIterable<Buffer>, wanted: (relativePath: string) => boolean, budget: ReadBudget, place: TarPlace): Promise<LayerChanges> {
  const changes = newChanges();
  // The digest of the stored bytes, so the layer can be checked against the manifest's.
  const hash = createHash('sha256');
  const hashed = async function* (): AsyncGenerator<Buffer> {
    let first = true;
    for await (const chunk of source) {
      if (first) changes.compressed = isGzip(chunk);
      first = false;
      hash.update(chunk);
      yield chunk;
    }
  };
  const counted = async function* (): AsyncGenerator<Buffer> {
    for await (const chunk of inflate(hashed(), place)) {
      budget.unpackedBytes += chunk.length;
      if (budget.unpackedBytes > budget.limits.unpackedBytes) {
        throw overLimit(budget, place, `brings the image's layers past ${formatByteSize(budget.limits.unpackedBytes)} once decompressed, the limit`, 'vigil reads images up to this size; a layer that inflates beyond it is damaged or hostile');
      }
      yield chunk;
    }
  };
  await walkTar(counted(), place, async (entry) => {
    countEntry(budget, place);
    await applyEntry(entry, changes, wanted, budget, place);
  });
  changes.storedDigest = `sha256:${hash.digest('hex')}`;
  return changes;
}

/** Forgets what the layer said of the path before: a later entry of the same layer replaces it. */
function forget(changes: LayerChanges, relativePath: string): void {
  changes.files.delete(relativePath);
  changes.links.delete(relativePath);
  changes.unreadHardLinks.delete(relativePath);
  changes.wantedOthers.delete(relativePath);
}

async function applyEntry(entry: TarEntry, changes: LayerChanges, wanted: (relativePath: string) => boolean, budget: ReadBudget, place: TarPlace): Promise<void> {
  const header = entry.header;
  // tar-stream's types say string; it gives null for an entry without one.
  const linkname = (header.linkname as string | null | undefined) ?? '';
  if (header.name.length > budget.limits.pathLength || linkname.length > budget.limits.pathLength) {
    throw overLimit(budget, place, `has a path longer than ${budget.limits.pathLength} bytes (PATH_MAX), the limit`);
  }
  const relativePath = entryPath(header.name);
  if (relativePath === '') {
    entry.resume();
    return;
  }
  const slash = relativePath.lastIndexOf('/');
  const base = relativePath.slice(slash + 1);
  const parent = slash < 0 ? '' : relativePath.slice(0, slash);
  if (base === '.wh..wh..opq') {
    countKept(budget, place, parent.length);
    changes.opaque.add(parent);
  } else if (base.startsWith('.wh.')) {
    const deleted = parent === '' ? base.slice(4) : `${parent}/${base.slice(4)}`;
    countKept(budget, place, deleted.length);
    changes.whiteouts.add(deleted);
  } else {
    forget(changes, relativePath);
    const isWanted = wanted(relativePath);
    if (header.type === 'symlink') {
      countKept(budget, place, relativePath.length + linkname.length);
      changes.links.set(relativePath, linkname);
    } else if (header.type === 'link' && isWanted) {
      const target = entryPath(linkname);
      const kept = changes.files.get(target);
      countKept(budget, place, relativePath.length + target.length);
      if (kept === undefined) changes.unreadHardLinks.set(relativePath, target);
      else changes.files.set(relativePath, kept);
    } else if ((header.type === 'file' || header.type === 'contiguous-file') && isWanted) {
      changes.files.set(relativePath, await keep(entry, header.size, budget, place, relativePath));
      return;
    } else if (isWanted) {
      changes.wantedOthers.set(relativePath, header.type === 'directory' ? 'dir' : 'other');
    } else if (header.type === 'directory') {
      changes.folders.add(relativePath);
    } else {
      changes.others.add(relativePath);
    }
  }
  entry.resume();
}

async function keep(entry: TarEntry, size: number, budget: ReadBudget, place: TarPlace, relativePath: string): Promise<Buffer> {
  if (size > budget.limits.fileBytes) {
    throw overLimit(budget, place, `holds /${relativePath}, larger than the ${formatByteSize(budget.limits.fileBytes)} limit for a dependency file`);
  }
  countKept(budget, place, size);
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
