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

function isAtOrBelow(candidate: string, folder: string): boolean {
  return folder === '' || candidate === folder || candidate.startsWith(`${folder}/`);
}

/**
 * The image's file system as a running container sees it, for the files kept: layers applied
 * bottom first (https://github.com/opencontainers/image-spec/blob/main/layer.md#applying-changesets).
 * A layer's opaque whiteouts and `.wh.` whiteouts apply to the layers below it only, before its own
 * entries; an entry replaces whatever a lower layer had at its path, and a file or link also hides
 * a lower folder of that name with all it held. Each file remembers the layer it came from.
 */
export function mergeLayers(label: string, layers: readonly ImageLayer[]): FileTree {
  const files = new Map<string, Placed<Buffer>>();
  const links = new Map<string, Placed<string>>();
  const hardLinks = new Map<string, Placed<string>>();
  const all = [files, links, hardLinks] as const;
  for (const { digest, changes } of layers) {
    for (const map of all) {
      for (const key of [...map.keys()]) {
        const hidden =
          changes.opaque.some((folder) => key.startsWith(folder === '' ? '' : `${folder}/`)) ||
          changes.whiteouts.some((deleted) => isAtOrBelow(key, deleted)) ||
          changes.entries.has(key) ||
          ancestorsOf(key).some((ancestor) => changes.entries.get(ancestor) === 'other');
        if (hidden) map.delete(key);
      }
    }
    for (const [key, bytes] of changes.files) files.set(key, { value: bytes, layer: digest });
    for (const [key, target] of changes.links) links.set(key, { value: target, layer: digest });
    for (const [key, target] of changes.unreadHardLinks) hardLinks.set(key, { value: target, layer: digest });
  }
  const folders = new Set<string>();
  for (const map of all) for (const key of map.keys()) for (const ancestor of ancestorsOf(key)) folders.add(ancestor);
  const lookup: LinkLookup = {
    kindOf: (relativePath) =>
      Promise.resolve<EntryKind>(
        links.has(relativePath) ? 'symlink' : files.has(relativePath) || hardLinks.has(relativePath) ? 'file' : folders.has(relativePath) || relativePath === '' ? 'dir' : 'missing',
      ),
    linkTarget: (relativePath) => Promise.resolve(links.get(relativePath)?.value ?? ''),
  };
  return {
    label,
    isImage: true,
    list(options: ListOptions) {
      const listed = [...files.keys(), ...links.keys(), ...hardLinks.keys()].filter(
        (key) => options.wanted(key) && ancestorsOf(key).every((ancestor) => ancestor === '' || options.enter(ancestor, [])),
      );
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

/** `a/b/c` -> [``, `a`, `a/b`]. */
function ancestorsOf(relativePath: string): string[] {
  const names = relativePath.split('/');
  const out: string[] = [''];
  for (let index = 1; index < names.length; index++) out.push(names.slice(0, index).join('/'));
  return out;
}
