import { LockfileParseError, lineColumnAt } from '../core/errors.js';
import { tooDeepMessage } from '../core/input-limits.js';
import { findDeepJsonNesting, locateJsonError } from '../core/json-scan.js';
import type { DependencyFile } from './types.js';

/**
 * Parses a JSON dependency file; a syntax error is a LockfileParseError at the line and column of
 * the first bad character, found by our own scan (V8's messages carry no position for some errors).
 * So is an array or object nested deeper than MAX_NESTING_DEPTH: JSON.parse takes any depth, the
 * code that walks the value (zod, JSON.stringify) would overflow the stack.
 */
export function parseJsonFile(
  file: Pick<DependencyFile, 'path' | 'text'>,
  what: string,
  hint = 'the file is truncated or was edited by hand; regenerate it with the package manager',
): unknown {
  let value: unknown;
  try {
    value = JSON.parse(file.text) as unknown;
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
  const deep = findDeepJsonNesting(file.text);
  if (deep !== undefined) {
    throw new LockfileParseError(`${what}: arrays and objects ${tooDeepMessage()}`, {
      location: { file: file.path, ...lineColumnAt(file.text, deep) },
      hint: 'no package manager writes such a file; regenerate it with the tool that wrote it',
    });
  }
  return value;
}
