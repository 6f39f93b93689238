import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../core/errors.js';

/** Folders never searched: installed packages, VCS data, virtual environments, caches. */
const SKIPPED_DIRS = new Set([
  'node_modules',
  'bower_components',
  '.git',
  '.hg',
  '.svn',
  '.venv',
  'venv',
  '.tox',
  '.nox',
  '__pycache__',
  'site-packages',
  '.mypy_cache',
  '.pytest_cache',
  '.yarn',
  '.pnpm-store',
]);

export interface DiscoveredFile {
  readonly absolutePath: string;
  /** Whether the user named this file itself (then an unknown format is an error, not ignored). */
  readonly explicit: boolean;
}

/**
 * Every file below `paths` that a parser may read, judged by `isCandidate(absolutePath)`. Folders in
 * SKIPPED_DIRS and folders holding a `pyvenv.cfg` (virtualenvs under any name) are not entered;
 * symbolic links to folders are not followed, so a link cycle cannot loop.
 */
export async function discoverFiles(
  paths: readonly string[],
  isCandidate: (absolutePath: string) => boolean,
  isExcluded: (relativePath: string) => boolean = () => false,
): Promise<DiscoveredFile[]> {
  const found: DiscoveredFile[] = [];
  for (const given of paths) {
    const absolute = path.resolve(given);
    let stats;
    try {
      stats = await lstat(absolute);
    } catch {
      throw new UsageError(`no such file or directory: ${given}`);
    }
    if (stats.isDirectory()) await walk(absolute, isCandidate, (full) => isExcluded(path.relative(absolute, full).split(path.sep).join('/')), found);
    else found.push({ absolutePath: absolute, explicit: true });
  }
  // One file named twice, or named and found in a folder, is read once.
  const seen = new Set<string>();
  return found.filter((file) => (seen.has(file.absolutePath) ? false : (seen.add(file.absolutePath), true)));
}

async function walk(
  dir: string,
  isCandidate: (absolutePath: string) => boolean,
  isExcluded: (absolutePath: string) => boolean,
  found: DiscoveredFile[],
): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  if (entries.some((entry) => entry.isFile() && entry.name === 'pyvenv.cfg')) return;
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (isExcluded(full)) continue;
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) await walk(full, isCandidate, isExcluded, found);
    } else if (entry.isFile() && isCandidate(full)) {
      found.push({ absolutePath: full, explicit: false });
    }
  }
}
