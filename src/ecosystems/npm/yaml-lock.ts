import { isMap, isScalar, parseDocument, type YAMLMap } from 'yaml';
import { LockfileParseError } from '../../core/errors.js';
import { lineOfOffset } from '../package.js';
import type { DependencyFile } from '../types.js';
import { asRecord, type JsonRecord } from './manifest.js';

/** A YAML lockfile read as data, with the line of each key of its top-level mappings. */
export interface YamlLock {
  /** The document as plain data; every scalar a string. */
  readonly data: JsonRecord;
  /** Line of each key of the top-level mapping, and of the mapping under `section` when asked. */
  keyLines(section?: string): Map<string, number>;
}

/**
 * Parses a YAML lockfile with the failsafe schema, which keeps every scalar a string: unquoted
 * `version: 1.10` or `lockfileVersion: 5.10` must not become the numbers 1.1 and 5.1.
 * `undefined` for a document with no content (comments only).
 */
export function parseYamlLock(file: DependencyFile, what: string, hint: string): YamlLock | undefined {
  const document = parseDocument(file.text, { schema: 'failsafe', uniqueKeys: false });
  const [firstError] = document.errors;
  if (firstError) {
    throw new LockfileParseError(`invalid YAML in ${what}: ${firstError.message.split('\n')[0] ?? ''}`, {
      location: { file: file.path, line: firstError.linePos?.[0].line },
      hint,
      cause: firstError,
    });
  }
  const contents = document.contents;
  if (contents === null) return undefined;
  if (!isMap(contents)) throw new LockfileParseError(`${what} is not a YAML mapping`, { location: { file: file.path, line: 1 }, hint });
  const lineOf = lineOfOffset(file.text);
  return {
    data: asRecord(document.toJS()) ?? {},
    keyLines(section) {
      const map = section === undefined ? contents : contents.get(section, true);
      return isMap(map) ? linesOfKeys(map, lineOf) : new Map<string, number>();
    },
  };
}

function linesOfKeys(map: YAMLMap, lineOf: (offset: number) => number): Map<string, number> {
  const lines = new Map<string, number>();
  for (const item of map.items) {
    const key = item.key;
    if (isScalar(key) && key.range) lines.set(String(key.value), lineOf(key.range[0]));
  }
  return lines;
}
