import type { JsonRecord } from './manifest.js';

// The YAML that Yarn Berry and pnpm write, read in one pass over the lines (#15, item 5): block
// mappings, one `key: value` per line, plain or quoted scalars, block sequences of scalars
// (`- supports-color`), and one-line flow collections of scalars (`{integrity: sha512-...}`,
// `[x64]`). The general reader (core/bounded-yaml.ts, the `yaml` package) costs several times the
// whole rest of an audit on a large lockfile. Anything outside that shape (a sequence of
// collections, an anchor, a tag, a block or multi-line scalar, a comment after
// a value, an escape JSON does not share, a key with no value, a tab, a carriage return) is
// refused here, and the caller reads the file with the general reader, which also gives the
// errors: this reader never decides that a file is invalid, and for every file it accepts it
// gives what the general reader gives (the tests compare both on the real lockfiles).

/** A lockfile read by `readBlockYaml`. */
export interface BlockYaml {
  /** The document, every scalar a string (YAML's failsafe schema). */
  readonly data: JsonRecord;
  /** Line (1-based) of each key of the top-level mapping, where it first appears. */
  readonly topLines: ReadonlyMap<string, number>;
  /**
   * Lines of the keys of the block mapping under each top-level key (its first appearance), where
   * each first appears.
   */
  readonly sectionLines: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

/** Far deeper than any lockfile nests; the general reader holds deeper documents to its limits. */
const MAX_DEPTH = 32;
/** YAML limits an implicit key to 1024 characters; longer ones are left to the general reader. */
const MAX_KEY = 1000;
/** Characters that cannot start a plain scalar here (YAML 1.2 section 7.3.3, c-indicator). */
const INDICATORS = new Set('-?:,[]{}#&*!|>\'"%@`');
/**
 * Characters this reader never accepts anywhere: tabs, carriage returns, the byte order mark and
 * control characters other than the line feed, whose treatment differs between YAML contexts.
 */
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const REFUSED = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\ufeff\u2028\u2029]/;

/** A mapping being built (JsonRecord is read-only). */
type Mapping = Record<string, unknown>;

interface Open {
  readonly indent: number;
  readonly map: Mapping;
}

/** Reads `text` as the block YAML that Berry and pnpm write, or `undefined` for anything else. */
export function readBlockYaml(text: string): BlockYaml | undefined {
  if (REFUSED.test(text)) return undefined;
  const root: Mapping = {};
  const topLines = new Map<string, number>();
  const sectionLines = new Map<string, Map<string, number>>();
  const stack: Open[] = [{ indent: 0, map: root }];
  /** The key line before, when it opened a mapping whose first key is still to come. */
  let opened: { readonly indent: number; readonly parent: Mapping; readonly key: string } | undefined;
  /** The block sequence being read, when the line before was one of its items. */
  let list: { readonly indent: number; readonly items: string[] } | undefined;
  /** Key lines of the current section, when it is the first appearance of its top-level key. */
  let section: Map<string, number> | undefined;
  let lineNumber = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    lineNumber++;
    let indent = 0;
    while (line.charCodeAt(indent) === 0x20) indent++;
    if (indent === line.length || line.charCodeAt(indent) === 0x23 /* # */) continue;
    if (indent === 0 && (line.startsWith('---') || line.startsWith('...'))) return undefined;

    if (list !== undefined) {
      // Items of a block sequence of scalars (`- supports-color`), all at one indentation.
      if (indent === list.indent && line.startsWith('- ', indent)) {
        const item = readScalar(line, indent + 2, 'value');
        if (item === undefined || !onlySpacesAfter(line, item.end)) return undefined;
        list.items.push(item.value);
        continue;
      }
      if (indent >= list.indent) return undefined;
      list = undefined;
    }
    if (opened !== undefined) {
      // The first key of a nested mapping sets its indentation.
      if (indent <= opened.indent) return undefined; // `key:` with no value: null, left to the general reader
      if (line.startsWith('- ', indent)) {
        const item = readScalar(line, indent + 2, 'value');
        if (item === undefined || !onlySpacesAfter(line, item.end)) return undefined;
        list = { indent, items: [item.value] };
        opened.parent[opened.key] = list.items;
        opened = undefined;
        continue;
      }
      const map: Mapping = {};
      opened.parent[opened.key] = map;
      stack.push({ indent, map });
      if (stack.length > MAX_DEPTH) return undefined;
      opened = undefined;
    } else {
      while (stack.length > 1 && (stack[stack.length - 1] as Open).indent > indent) stack.pop();
      if ((stack[stack.length - 1] as Open).indent !== indent) return undefined;
    }
    const current = stack[stack.length - 1] as Open;

    const entry = readKeyLine(line, indent);
    if (entry === undefined) return undefined;
    const { key, value } = entry;
    if (stack.length === 1) {
      section = topLines.has(key) ? undefined : new Map();
      if (section !== undefined) {
        topLines.set(key, lineNumber);
        sectionLines.set(key, section);
      }
    } else if (stack.length === 2 && section !== undefined && !section.has(key)) {
      section.set(key, lineNumber);
    }
    if (value === undefined) {
      opened = { indent, parent: current.map, key };
      continue;
    }
    current.map[key] = value;
  }
  if (opened !== undefined || topLines.size === 0) return undefined;
  return { data: root, topLines, sectionLines };
}

type Value = string | JsonRecord | string[];

/** `key: value` or `key:` (value `undefined`: a nested mapping follows), or `undefined` if neither. */
function readKeyLine(line: string, indent: number): { key: string; value: Value | undefined } | undefined {
  const key = readScalar(line, indent, 'key');
  if (key === undefined || key.value === '__proto__' || key.value === '<<' || key.end - indent > MAX_KEY) return undefined;
  if (line.charCodeAt(key.end) !== 0x3a /* : */) return undefined;
  let at = key.end + 1;
  if (at === line.length) return { key: key.value, value: undefined };
  if (line.charCodeAt(at) !== 0x20) return undefined;
  while (line.charCodeAt(at) === 0x20) at++;
  if (at === line.length) return { key: key.value, value: undefined };
  const first = line[at] as string;
  let value: Value;
  let end: number;
  if (first === '{' || first === '[') {
    const flow = readFlow(line, at);
    if (flow === undefined) return undefined;
    ({ value, end } = flow);
  } else {
    const scalar = readScalar(line, at, 'value');
    if (scalar === undefined) return undefined;
    ({ value, end } = scalar);
  }
  // Only spaces may follow the value: a comment (` #`) is left to the general reader.
  return onlySpacesAfter(line, end) ? { key: key.value, value } : undefined;
}

function onlySpacesAfter(line: string, end: number): boolean {
  let at = end;
  while (line.charCodeAt(at) === 0x20) at++;
  return at === line.length;
}

type Context = 'key' | 'value' | 'flow-key' | 'flow-value';

/**
 * A quoted or plain scalar at `at`; `end` is where it stops (after the closing quote, or at the
 * `:` of a key, the `,`/`}`/`]` of a flow item, the end of a value line, trailing spaces before).
 */
function readScalar(line: string, at: number, context: Context): { value: string; end: number } | undefined {
  const first = line[at];
  if (first === undefined || first === ' ') return undefined;
  if (first === '"') {
    // A YAML double-quoted scalar that is also a JSON string means the same in both.
    let close = at + 1;
    for (; close < line.length; close++) {
      const code = line.charCodeAt(close);
      if (code === 0x5c /* \ */) close++;
      else if (code === 0x22) break;
    }
    if (close >= line.length) return undefined;
    try {
      return { value: JSON.parse(line.slice(at, close + 1)) as string, end: close + 1 };
    } catch {
      return undefined;
    }
  }
  if (first === "'") {
    let value = '';
    let from = at + 1;
    for (;;) {
      const quote = line.indexOf("'", from);
      if (quote < 0) return undefined;
      value += line.slice(from, quote);
      if (line[quote + 1] !== "'") return { value, end: quote + 1 };
      value += "'";
      from = quote + 2;
    }
  }
  if (INDICATORS.has(first)) return undefined;
  const flow = context === 'flow-key' || context === 'flow-value';
  let end = at;
  for (; end < line.length; end++) {
    const code = line.charCodeAt(end);
    if (code === 0x3a /* : */ && (end + 1 === line.length || line.charCodeAt(end + 1) === 0x20)) {
      if (context === 'value' || context === 'flow-value') return undefined;
      break;
    }
    if (code === 0x23 /* # */ && line.charCodeAt(end - 1) === 0x20) return undefined;
    // Brackets inside a plain scalar are left to the general reader; a comma ends a flow item.
    if (code === 0x5b || code === 0x7b) return undefined;
    if (code === 0x5d || code === 0x7d || code === 0x2c) {
      if (!flow) {
        if (code !== 0x2c) return undefined;
        continue;
      }
      break;
    }
  }
  if (context === 'key' && end === line.length) return undefined;
  let last = end;
  while (last > at && line.charCodeAt(last - 1) === 0x20) last--;
  // A key must end at its `:`; a plain value ends at the line's end.
  if (context === 'key' && last !== end) return undefined;
  if (last === at) return undefined;
  return { value: line.slice(at, last), end: last };
}

/** A one-line flow mapping of scalars (`{a: b, c: 'd'}`) or flow sequence of scalars (`[a, b]`). */
function readFlow(line: string, at: number): { value: JsonRecord | string[]; end: number } | undefined {
  const mapping = line[at] === '{';
  const closing = mapping ? '}' : ']';
  const map: Mapping = {};
  const list: string[] = [];
  let position = at + 1;
  const skipSpaces = (): void => {
    while (line.charCodeAt(position) === 0x20) position++;
  };
  skipSpaces();
  if (line[position] === closing) return { value: mapping ? map : list, end: position + 1 };
  for (;;) {
    skipSpaces();
    if (mapping) {
      const key = readScalar(line, position, 'flow-key');
      if (key === undefined || key.value === '__proto__' || key.value === '<<' || key.value in map) return undefined;
      position = key.end;
      if (line[position] !== ':' || line[position + 1] !== ' ') return undefined;
      position += 2;
      skipSpaces();
      const value = readScalar(line, position, 'flow-value');
      if (value === undefined) return undefined;
      map[key.value] = value.value;
      position = value.end;
    } else {
      const item = readScalar(line, position, 'flow-value');
      if (item === undefined) return undefined;
      list.push(item.value);
      position = item.end;
    }
    skipSpaces();
    if (line[position] === closing) return { value: mapping ? map : list, end: position + 1 };
    if (line[position] !== ',') return undefined;
    position++;
  }
}
