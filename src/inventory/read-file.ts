import path from 'node:path';
import { LockfileParseError } from '../core/errors.js';
import { MAX_DEPENDENCY_FILE_BYTES, tooLargeMessage } from '../core/input-limits.js';
import { readFileWithin } from '../core/read-bounded.js';
import type { DependencyFile, ParseContext } from '../ecosystems/types.js';

/** Display form of a path: relative to `root` when below it, `/` separators. */
export function displayPath(root: string, absolutePath: string): string {
  const relative = path.relative(root, absolutePath);
  const shown = relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? absolutePath : relative;
  return shown.split(path.sep).join('/');
}

/**
 * Reads a dependency file from disk; an unreadable file, or one larger than
 * MAX_DEPENDENCY_FILE_BYTES, is a LockfileParseError naming it.
 */
export async function readDependencyFile(root: string, absolutePath: string): Promise<DependencyFile> {
  const shown = displayPath(root, absolutePath);
  let bytes: Buffer | undefined;
  try {
    bytes = await readFileWithin(absolutePath, MAX_DEPENDENCY_FILE_BYTES);
  } catch (error) {
    throw new LockfileParseError(`cannot read file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      location: { file: shown },
      cause: error,
    });
  }
  if (bytes === undefined) {
    throw new LockfileParseError(`the file is ${tooLargeMessage(MAX_DEPENDENCY_FILE_BYTES, 'a dependency file')}`, {
      location: { file: shown },
      hint: 'vigil reads lockfiles, manifests and SBOMs up to this size; a file this large is not one a package manager wrote',
    });
  }
  let text = bytes.toString('utf8');
  // A BOM would break JSON.parse and line-based parsers alike.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { absolutePath, path: shown, text };
}

/** A ParseContext reading files relative to `file`, recording which ones it read. */
export function fileParseContext(root: string, file: DependencyFile): ParseContext & { readonly read: string[] } {
  const read: string[] = [];
  return {
    read,
    async readRelated(relativePath) {
      const target = path.resolve(path.dirname(file.absolutePath), relativePath);
      try {
        const related = await readDependencyFile(root, target);
        read.push(related.path);
        return related;
      } catch (error) {
        if (error instanceof LockfileParseError && (error.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
          return undefined;
        }
        throw error;
      }
    },
  };
}
