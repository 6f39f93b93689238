import { LockfileParseError, lineColumnAt } from '../core/errors.js';
import { locateJsonError } from '../core/json-scan.js';
import type { DependencyFile } from './types.js';

/**
 * Parses a JSON dependency file; a syntax error is a LockfileParseError at the line and column of
 * the first bad character, found by our own scan (V8's messages carry no position for some errors).
 */
export function parseJsonFile(
  file: Pick<DependencyFile, 'path' | 'text'>,
  what: string,
  hint = 'the file is truncated or was edited by hand; regenerate it with the package manager',
): unknown {
  try {
    return JSON.parse(file.text) as unknown;
  } catch (error) {
    const { offset, message } = locateJsonError(file.text);
    // Input that simply ends is pointed at its last written character, not past the final newline.
    const written = file.text.trimEnd().length;
    const { line, column } = lineColumnAt(file.text, offset >= written ? Math.max(0, written - 1) : offset);
    throw new LockfileParseError(`invalid JSON in ${what}: ${message}`, {
      location: { file: file.path, line, column },
      hint,
      cause: error,
    });
  }
}
