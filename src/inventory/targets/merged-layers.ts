import type { LayerChanges } from './layers.js';
import { resolveInside, TreePathError, type EntryKind, type FileTree, type LinkLookup, type ListOptions } from './file-tree.js';

/** One layer of an image, bottom first, with its digest. */
export interface ImageLayer {
  readonly digest: string;
  readonly changes: LayerChanges;
}

interface Placed<T> {
  readonly value: T;
  readonly layer: string;
}

/** What a layer does to a path kept from the layers below it. */
type Effect = 'none' | 'hides' | 'may-hide';

/** Whether the layer itself writes the path, as a file, link or other entry vigil keeps exactly. */
function writesExactly(changes: LayerChanges, relativePath: string): boolean {
  return changes.files.has(relativePath) || changes.links.has(relativePath) || changes.unreadHardLinks.has(relativePath) || changes.wantedOthers.has(relativePath);
}

/**
 * A layer hides a lower path when it whites it out or one of its folders (`.wh.`), makes a folder
 * above it opaque, writes the path itself, or writes something other than a folder in place of a
 * folder above it. Entries known only by hash (see LayerChanges) can only say "may hide".
 */
function effectOn(changes: LayerChanges, relativePath: string): Effect {
  if (changes.opaque.has('') || changes.whiteouts.has(relativePath) || writesExactly(changes, relativePath)) return 'hides';
  let effect: Effect = changes.folders.mayHold(relativePath) || changes.others.mayHold(relativePath) ? 'may-hide' : 'none';
  for (let slash = relativePath.indexOf('/'); slash >= 0; slash = relativePath.indexOf('/', slash + 1)) {
    const ancestor = relativePath.slice(0, slash);
    if (changes.whiteouts.has(ancestor) || changes.opaque.has(ancestor)) return 'hides';
    if (changes.wantedOthers.get(ancestor) === 'dir') continue;
    if (writesExactly(changes, ancestor)) return 'hides';
    if (changes.others.mayHold(ancestor)) effect = 'may-hide';
  }
  return effect;
}

/**
 * The image's file system as a running container sees it, for the files kept: layers applied
 * bottom first (https://github.com/opencontainers/image-spec/blob/main/layer.md#applying-changesets).
 * A layer's opaque whiteouts and `.wh.` whiteouts apply to the layers below it only, before its own
 * entries; an entry replaces whatever a lower layer had at its path, and a file or link also hides
 * a lower folder of that name with all it held. Each file remembers the layer it came from.
 * Memory is that of the kept paths: a layer's other entries are known by hash only, so a lower
 * path one of them may hide is marked doubtful, and reading through it is refused (it fails
 * closed: a skipped entry) rather than guessed.
 */
export function mergeLayers(label: string, layers: readonly ImageLayer[]): FileTree {
  const files = new Map<string, Placed<Buffer>>();
  const links = new Map<string, Placed<string>>();
  const hardLinks = new Map<string, Placed<string>>();
  const all = [files, links, hardLinks] as const;
  /** Kept paths a layer above may have replaced: path -> that layer's digest. */
  const doubtful = new Map<string, string>();
  for (const { digest, changes } of layers) {
    for (const map of all) {
      for (const key of [...map.keys()]) {
        const effect = effectOn(changes, key);
        if (effect === 'hides') {
          map.delete(key);
          doubtful.delete(key);
        } else if (effect === 'may-hide') doubtful.set(key, digest);
      }
    }
    for (const [key, bytes] of changes.files) files.set(key, { value: bytes, layer: digest });
    for (const [key, target] of changes.links) links.set(key, { value: target, layer: digest });
    for (const [key, target] of changes.unreadHardLinks) hardLinks.set(key, { value: target, layer: digest });
    for (const map of [changes.files, changes.links, changes.unreadHardLinks]) for (const key of map.keys()) doubtful.delete(key);
  }
  const folders = new Set<string>(['']);
  for (const map of all) for (const key of map.keys()) for (let slash = key.indexOf('/'); slash >= 0; slash = key.indexOf('/', slash + 1)) folders.add(key.slice(0, slash));
  const lookup: LinkLookup = {
    kindOf(relativePath) {
      const over = doubtful.get(relativePath);
      if (over !== undefined) {
        return Promise.reject(new TreePathError(relativePath, `layer ${over} may replace /${relativePath} on the way, and vigil keeps only a hash of what that layer writes there`));
      }
      return Promise.resolve<EntryKind>(links.has(relativePath) ? 'symlink' : files.has(relativePath) || hardLinks.has(relativePath) ? 'file' : folders.has(relativePath) ? 'dir' : 'missing');
    },
    linkTarget: (relativePath) => Promise.resolve(links.get(relativePath)?.value ?? ''),
  };
  return {
    label,
    isImage: true,
    list(options: ListOptions) {
      const listed = [...files.keys(), ...links.keys(), ...hardLinks.keys()].filter((key) => options.wanted(key) && enteredAll(key, options));
      return Promise.resolve([...new Set(listed)].sort());
    },
    async read(relativePath) {
      const resolved = await resolveInside(relativePath, lookup, 'the image');
      if (resolved === undefined) return undefined;
      const hardLink = hardLinks.get(resolved);
      if (hardLink !== undefined) throw new TreePathError(relativePath, `a hard link to /${hardLink.value}, a file vigil did not keep`);
      const file = files.get(resolved);
      if (file === undefined) return undefined;
      return { path: relativePath, bytes: file.value, layer: file.layer };
    },
  };
}

/** Whether every folder above the path is one the listing enters. */
function enteredAll(relativePath: string, options: ListOptions): boolean {
  for (let slash = relativePath.indexOf('/'); slash >= 0; slash = relativePath.indexOf('/', slash + 1)) {
    if (!options.enter(relativePath.slice(0, slash), [])) return false;
  }
  return true;
}
