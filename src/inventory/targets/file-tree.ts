// A file tree is what a target looks like to discovery and to `readRelated`: a real folder (a
// root filesystem, a virtualenv, a node_modules tree) or the merged layers of a container image.
// Paths are relative to the tree's root, `/` separators, never starting with `/`.

/** A file read from a tree. */
export interface TreeFile {
  /** The path the file was asked for (a symbolic link's own path when it was one). */
  readonly path: string;
  readonly bytes: Buffer;
  /** Digest of the image layer that holds the file (`sha256:...`); absent outside images. */
  readonly layer?: string;
}

/** Why a path could not be read, as a skipped entry or a message says it. */
export class TreePathError extends Error {
  constructor(
    /** The path asked for. */
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'TreePathError';
  }
}

/** What a tree may leave out of a listing. */
export interface ListOptions {
  /** Whether a file at this path is wanted (a parser claims it). */
  readonly wanted: (relativePath: string) => boolean;
  /** Whether to search the folder at this path (not called for the root). */
  readonly enter: (relativePath: string, names: readonly string[]) => boolean;
}

export interface FileTree {
  /** The target as given on the command line, for messages. */
  readonly label: string;
  /** Whether the tree is an image (its paths are shown with a leading `/` and a layer). */
  readonly isImage: boolean;
  /**
   * Every wanted regular file, and symbolic link (not followed while listing), below the root,
   * sorted; folders reached through symbolic links are not searched, so a link cycle cannot loop.
   */
  list(options: ListOptions): Promise<readonly string[]>;
  /**
   * The file at the path, symbolic links resolved inside the tree; `undefined` when nothing is
   * there. A link that climbs above the root, a cycle or too long a chain, a file larger than
   * the limit: TreePathError.
   */
  read(relativePath: string): Promise<TreeFile | undefined>;
}

/** Linux's own limit on links followed while resolving one path (MAXSYMLINKS, path_resolution(7)). */
export const MAX_SYMLINKS = 40;

/** The kind of entry at a path, without following a link there. */
export type EntryKind = 'file' | 'dir' | 'symlink' | 'other' | 'missing';

/** What resolving needs to know of a tree. */
export interface LinkLookup {
  kindOf(relativePath: string): Promise<EntryKind>;
  /** The target of the symbolic link at the path, as written. */
  linkTarget(relativePath: string): Promise<string>;
}

/** Splits a path into its names, dropping empty ones and `.`. */
export function pathNames(relativePath: string): string[] {
  return relativePath.split('/').filter((name) => name !== '' && name !== '.');
}

/** `a/b/../c` -> `a/c`; `undefined` when `..` climbs above the root. */
export function normalizeInside(relativePath: string): string | undefined {
  const out: string[] = [];
  for (const name of pathNames(relativePath)) {
    if (name === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(name);
  }
  return out.join('/');
}

/**
 * Resolves every symbolic link on the path, inside the tree: an absolute target starts again at
 * the tree's root (as it does for a process inside the container), never at the host's. A `..`
 * that would climb above the root is refused rather than clamped, so a link written to leave the
 * image (`../../secret.txt`) is named as such. `undefined` when a name on the way is missing.
 */
export async function resolveInside(
  relativePath: string,
  lookup: LinkLookup,
  within: string,
  maxLinks = MAX_SYMLINKS,
): Promise<string | undefined> {
  const resolved: string[] = [];
  const pending = pathNames(relativePath);
  let links = 0;
  for (let name = pending.shift(); name !== undefined; name = pending.shift()) {
    if (name === '..') {
      if (resolved.length === 0) throw new TreePathError(relativePath, `a symbolic link on the way points outside ${within}`);
      resolved.pop();
      continue;
    }
    const candidate = [...resolved, name].join('/');
    const kind = await lookup.kindOf(candidate);
    if (kind === 'missing') return undefined;
    if (kind === 'symlink') {
      links += 1;
      if (links > maxLinks) throw new TreePathError(relativePath, `more than ${maxLinks} symbolic links on the way (a cycle)`);
      const target = await lookup.linkTarget(candidate);
      if (target.startsWith('/')) resolved.length = 0;
      pending.unshift(...pathNames(target));
      continue;
    }
    if (kind !== 'dir' && pending.length > 0) return undefined;
    resolved.push(name);
  }
  return resolved.join('/');
}
