import { parse, TomlError, type TomlTable } from 'smol-toml';
import { LockfileParseError } from '../../core/errors.js';
import { nestsDeeperThan, tooDeepMessage } from '../../core/input-limits.js';
import { lineOfOffset } from '../package.js';
import type { DependencyFile } from '../types.js';

/** A TOML table as smol-toml returns it. */
export type Table = TomlTable;

const TOML_HINT = 'the file is not valid TOML (https://toml.io); regenerate it with the tool that wrote it';
const DEPTH_HINT = 'no packaging tool writes a file nested this deep; regenerate it with the tool that wrote it';

/**
 * Parses a TOML file; a syntax error becomes a one-line `LockfileParseError` at the line and
 * column smol-toml reports. So does nesting deeper than MAX_NESTING_DEPTH, measured after parsing
 * (smol-toml bounds inline arrays and tables to its own limit, not tables made deep by dotted
 * keys, `a.b.c... = 1`).
 */
export function parseTomlFile(file: DependencyFile): Table {
  const table = parseTomlText(file);
  if (nestsDeeperThan(table)) {
    throw new LockfileParseError(`TOML arrays and tables ${tooDeepMessage()}`, { location: { file: file.path }, hint: DEPTH_HINT });
  }
  return table;
}

function parseTomlText(file: DependencyFile): Table {
  try {
    // smol-toml stops at its own depth limit (1000 levels of inline arrays and tables) with a
    // line; anything deeper than ours is measured after parsing.
    return parse(file.text);
  } catch (error) {
    if (error instanceof TomlError) {
      // smol-toml's message is several lines (a code excerpt follows the first); keep the first.
      const first = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document:\s*/, '');
      const tooDeep = first.includes('excessively nested');
      throw new LockfileParseError(tooDeep ? `TOML arrays and tables ${tooDeepMessage()}` : `invalid TOML: ${first}`, {
        location: { file: file.path, line: error.line, column: error.column },
        hint: tooDeep ? DEPTH_HINT : TOML_HINT,
        cause: error,
      });
    }
    throw error;
  }
}

/** Whether a TOML value is a table (not an array, date or primitive). */
export function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** The value as a table, or `undefined`. */
export function tableAt(value: unknown): Table | undefined {
  return isTable(value) ? value : undefined;
}

/** The value as an array, or an empty one. */
export function arrayAt(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

/** The value as a string, or `undefined`. */
export function stringAt(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The tables of an array, skipping anything else. */
export function tablesAt(value: unknown): readonly Table[] {
  return arrayAt(value).filter(isTable);
}

/**
 * 1-based lines of the `[[name]]` headers of an array of tables, in file order, ignoring text
 * inside multi-line strings (a `description = """..."""` may quote anything).
 */
export function findArrayTableLines(text: string, name: string): readonly number[] {
  const header = new RegExp(`^\\s*\\[\\[\\s*${name.replace(/[.]/g, '\\.')}\\s*\\]\\]\\s*(#.*)?$`);
  const lines: number[] = [];
  let openQuote: string | undefined;
  text.split('\n').forEach((line, index) => {
    if (openQuote === undefined && header.test(line)) lines.push(index + 1);
    for (const match of line.matchAll(/"""|'''/g)) {
      if (openQuote === undefined) openQuote = match[0];
      else if (openQuote === match[0]) openQuote = undefined;
    }
  });
  return lines;
}

/**
 * Line of each entry of an array of tables: the `[[name]]` header lines, or for the inline form
 * (`packages = [{ ... }, ...]`) the line of each entry's `{`. `undefined` when neither count agrees
 * with the parsed entries: no line is better than a wrong one.
 */
export function locateEntries(text: string, arrayName: string, count: number): (number | undefined)[] {
  const headers = findArrayTableLines(text, arrayName);
  if (headers.length === count) return [...headers];
  const inline = findInlineArrayEntryLines(text, arrayName);
  if (inline.length === count) return [...inline];
  return Array.from({ length: count }, () => undefined);
}

/** Lines of the `{` of each inline table directly inside a top-level `key = [ ... ]` array. */
export function findInlineArrayEntryLines(text: string, key: string): readonly number[] {
  const opening = new RegExp(`^\\s*${key}\\s*=\\s*\\[`, 'm').exec(text);
  if (!opening) return [];
  const lineAt = lineOfOffset(text);
  const lines: number[] = [];
  let depth = 0;
  for (let i = opening.index + opening[0].length; i < text.length; i++) {
    const char = text[i];
    if (char === '"' || char === "'") {
      // Basic strings honour backslash escapes; literal strings do not.
      for (i++; i < text.length && text[i] !== char; i++) if (char === '"' && text[i] === '\\') i++;
    } else if (char === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (char === '{' || char === '[') {
      if (depth === 0 && char === '{') lines.push(lineAt(i));
      depth++;
    } else if (char === '}' || char === ']') {
      if (depth === 0) break;
      depth--;
    }
  }
  return lines;
}

/** 1-based line of the first `key = ...` at the start of a line, or `undefined`. */
export function lineOfKey(text: string, key: string): number | undefined {
  const pattern = new RegExp(`^\\s*["']?${key.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}["']?\\s*=`);
  const index = text.split('\n').findIndex((line) => pattern.test(line));
  return index < 0 ? undefined : index + 1;
}
