import { LockfileParseError } from '../../core/errors.js';
import type { DependencyFile } from '../types.js';
import { readBlockYaml } from './block-yaml.js';
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
 * `undefined` for a document with no content (comments only). A syntax error, or a document
 * beyond the input limits (nesting depth, aliases), is a LockfileParseError at its line.
 */
export async function parseYamlLock(file: DependencyFile, what: string, hint: string): Promise<YamlLock | undefined> {
  if (!/^[^#\s]/m.test(file.text)) return undefined;
  // The block YAML the package managers write is read in one pass, with its key lines; anything
  // else (and every error) goes through the general reader below.
  const block = readBlockYaml(file.text);
  if (block !== undefined) {
    return {
      data: block.data,
      keyLines: (section) => new Map(section === undefined ? block.topLines : (block.sectionLines.get(section) ?? [])),
    };
  }
  return await parseYamlLockInFull(file, what, hint);
}

/**
 * `parseYamlLock` with the general YAML reader alone (its fallback; the tests compare both).
 */
export async function parseYamlLockInFull(file: DependencyFile, what: string, hint: string): Promise<YamlLock | undefined> {
  // The `yaml` package is loaded only for a file the one-pass reader refuses (#15, item 5).
  const { readYaml } = await import('../../core/bounded-yaml.js');
  // A repeated key keeps the last value, as the package managers themselves read it.
  const read = readYaml(file.text, { schema: 'failsafe', uniqueKeys: false });
  if (!read.ok) {
    const line = read.offset === undefined ? undefined : read.lineCounter.linePos(read.offset).line;
    throw new LockfileParseError(`invalid YAML in ${what}: ${read.message}`, {
      location: { file: file.path, ...(line === undefined ? {} : { line }) },
      hint,
    });
  }
  const data = read.value;
  if (data === null || data === undefined || data === '') return undefined;
  const record = asRecord(data);
  if (!record) throw new LockfileParseError(`${what} is not a YAML mapping`, { location: { file: file.path, line: 1 }, hint });
  const lines = file.text.split('\n');
  return { data: record, keyLines: (section) => scanKeyLines(lines, section) };
}

const COMMENT_OR_BLANK = /^\s*(#.*)?\r?$/;

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/**
 * Lines of the keys of the top-level mapping (or of the block mapping under the top-level key
 * `section`), read from the text: the data itself carries no positions. Block style only, which is
 * how npm's package managers write lockfiles; a key is where it first appears.
 */
function scanKeyLines(lines: readonly string[], section?: string): Map<string, number> {
  const found = new Map<string, number>();
  let start = 0;
  let end = lines.length;
  let indent = 0;
  if (section !== undefined) {
    const header = lines.findIndex((line) => indentOf(line) === 0 && !COMMENT_OR_BLANK.test(line) && readKey(line) === section);
    if (header === -1) return found;
    start = header + 1;
    const next = lines.findIndex((line, index) => index >= start && !COMMENT_OR_BLANK.test(line) && indentOf(line) === 0);
    end = next === -1 ? lines.length : next;
    const firstChild = lines.slice(start, end).find((line) => !COMMENT_OR_BLANK.test(line));
    if (firstChild === undefined) return found;
    indent = indentOf(firstChild);
  }
  for (let index = start; index < end; index++) {
    const line = lines[index] as string;
    if (COMMENT_OR_BLANK.test(line) || indentOf(line) !== indent) continue;
    const key = readKey(line.slice(indent));
    if (key !== undefined && !found.has(key)) found.set(key, index + 1);
  }
  return found;
}

/** The key of a `key: value` line: double-quoted (JSON escapes), single-quoted or plain. */
function readKey(text: string): string | undefined {
  if (text.startsWith('"')) {
    const close = /^"(?:[^"\\]|\\.)*"/.exec(text);
    if (!close) return undefined;
    try {
      return JSON.parse(close[0]) as string;
    } catch {
      return undefined;
    }
  }
  if (text.startsWith("'")) {
    const close = /^'((?:[^']|'')*)'/.exec(text);
    return close?.[1]?.replace(/''/g, "'");
  }
  if (text.startsWith('- ') || text.startsWith('? ')) return undefined;
  const plain = /^(.*?):(?:\s|$)/.exec(text.replace(/\r$/, ''));
  return plain?.[1]?.trimEnd();
}
