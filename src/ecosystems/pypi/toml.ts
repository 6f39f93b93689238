import { parse, TomlError, type TomlTable } from 'smol-toml';
import { LockfileParseError } from '../../core/errors.js';
import { lineOfOffset } from '../package.js';
import type { DependencyFile } from '../types.js';

/** A TOML table as smol-toml returns it. */
export type Table = TomlTable;

/**
 * Parses a TOML file; a syntax error becomes a one-line `LockfileParseError` at the line and
 * column smol-toml reports.
 */
export function parseTomlFile(file: DependencyFile): Table {
  try {
    return parse(file.text);
  } catch (error) {
    if (error instanceof TomlError) {
      // smol-toml's message is several lines (a code excerpt follows the first); keep the first.
      const first = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document:\s*/, '');
      throw new LockfileParseError(`invalid TOML: ${first}`, {
        location: { file: file.path, line: error.line, column: error.column },
        hint: 'the file is not valid TOML (https://toml.io); regenerate it with the tool that wrote it',
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
 * Line of each entry of an array of tables: the header lines when they are one per entry, else
 * (inline `packages = [{...}]` form) the first `name = "..."` after the previous entry's.
 */
export function locateEntries(text: string, arrayName: string, names: readonly (string | undefined)[]): (number | undefined)[] {
  const headers = findArrayTableLines(text, arrayName);
  if (headers.length === names.length) return [...headers];
  const lineAt = lineOfOffset(text);
  let from = 0;
  return names.map((name) => {
    if (name === undefined) return undefined;
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`\\bname\\s*=\\s*(["'])${escaped}\\1`, 'g');
    pattern.lastIndex = from;
    const found = pattern.exec(text);
    if (!found) return undefined;
    from = found.index + found[0].length;
    return lineAt(found.index);
  });
}

/** 1-based line of the first `key = ...` at the start of a line, or `undefined`. */
export function lineOfKey(text: string, key: string): number | undefined {
  const pattern = new RegExp(`^\\s*["']?${key.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}["']?\\s*=`);
  const index = text.split('\n').findIndex((line) => pattern.test(line));
  return index < 0 ? undefined : index + 1;
}
