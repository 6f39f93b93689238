import { lstat, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { describeSystemError, LockfileParseError } from '../../core/errors.js';
import { MAX_DEPENDENCY_FILE_BYTES, tooLargeMessage } from '../../core/input-limits.js';
import { readFileWithin } from '../../core/read-bounded.js';
import { resolveInside, TreePathError, type EntryKind, type FileTree, type LinkLookup, type ListOptions } from './file-tree.js';

/**
 * A real folder as a file tree. Symbolic links are resolved by vigil, name by name, inside the
 * folder: an unpacked root filesystem is full of absolute links (`/etc/os-release ->
 * ../usr/lib/os-release`, `/lib -> usr/lib`) that the operating system would resolve against the
 * host's own root.
 */
export function directoryTree(root: string, label: string): FileTree {
  const absolute = (relativePath: string): string => path.join(root, ...relativePath.split('/').filter(Boolean));
  const lookup: LinkLookup = {
    async kindOf(relativePath) {
      try {
        const stats = await lstat(absolute(relativePath));
        return stats.isSymbolicLink() ? 'symlink' : stats.isDirectory() ? 'dir' : stats.isFile() ? 'file' : 'other';
      } catch {
        return 'missing' satisfies EntryKind;
      }
    },
    linkTarget: (relativePath) => readlink(absolute(relativePath)),
  };
  return {
    label,
    isImage: false,
    async list(options: ListOptions) {
      const found: string[] = [];
      await walk(root, '', options, found, label);
      return found;
    },
    async read(relativePath) {
      const resolved = await resolveInside(relativePath, lookup, 'the folder');
      if (resolved === undefined) return undefined;
      if ((await lookup.kindOf(resolved)) !== 'file') return undefined;
      let bytes: Buffer | undefined;
      try {
        bytes = await readFileWithin(absolute(resolved), MAX_DEPENDENCY_FILE_BYTES);
      } catch (error) {
        throw new TreePathError(relativePath, `cannot read the file: ${describeSystemError(error)}`);
      }
      if (bytes === undefined) throw new TreePathError(relativePath, `the file is ${tooLargeMessage(MAX_DEPENDENCY_FILE_BYTES, 'a dependency file')}`);
      return { path: relativePath, bytes };
    },
  };
}

async function walk(dir: string, relative: string, options: ListOptions, found: string[], label: string): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    // A folder vigil cannot search could hold packages: the audit stops rather than pass it over.
    throw new LockfileParseError(`cannot search the folder: ${describeSystemError(error)}`, {
      location: { file: relative === '' ? label : `${label}/${relative}` },
      hint: 'run vigil as a user that can read the whole tree, or leave the folder out with --exclude',
    });
  }
  if (relative !== '' && !options.enter(relative, entries.map((entry) => entry.name))) return;
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const childPath = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) await walk(path.join(dir, entry.name), childPath, options, found, label);
    else if ((entry.isFile() || entry.isSymbolicLink()) && options.wanted(childPath)) found.push(childPath);
  }
}
