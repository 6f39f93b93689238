// Where each string value of a TOML document is written, by its key path, so an edit can replace
// one string's bytes and leave the rest of the file (comments, order, quoting) as it is. Only the
// structure is read (https://toml.io/en/v1.0.0); callers check each location against a real
// parser's value (smol-toml) before trusting it.

/** A key path: table and key names, and indices into arrays (and arrays of tables). */
export type TomlPath = readonly (string | number)[];

/** Quoting of a TOML string (https://toml.io/en/v1.0.0#string). */
export type TomlQuote = 'basic' | 'literal' | 'multiline-basic' | 'multiline-literal';

/** One string value and where it is written. */
export interface TomlStringLocation {
  readonly path: TomlPath;
  /** The value, escapes decoded. */
  readonly value: string;
  readonly quote: TomlQuote;
  /** Offsets of the text between the quotes: `text.slice(contentStart, contentEnd)` is the raw content. */
  readonly contentStart: number;
  readonly contentEnd: number;
}

/** The text could not be read as TOML structure (at an offset). */
export class TomlScanError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'TomlScanError';
  }
}

const BARE_KEY = /[A-Za-z0-9_-]/;
const ESCAPES: Readonly<Record<string, string>> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\u001b', '"': '"', '\\': '\\' };

function decodeBasic(raw: string, multiline: boolean, at: number): string {
  let out = '';
  for (let i = 0; i < raw.length; i += 1) {
    const char = raw[i] as string;
    if (char !== '\\') {
      out += char;
      continue;
    }
    const next = raw[i + 1] ?? '';
    if (multiline && /[ \t\r\n]/.test(next)) {
      // A line-ending backslash trims the whitespace and newlines that follow it.
      let j = i + 1;
      while (j < raw.length && /[ \t\r\n]/.test(raw[j] as string)) j += 1;
      i = j - 1;
      continue;
    }
    const simple = ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      i += 1;
      continue;
    }
    const width = next === 'u' ? 4 : next === 'U' ? 8 : next === 'x' ? 2 : 0;
    const hex = raw.slice(i + 2, i + 2 + width);
    if (width === 0 || !/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== width) throw new TomlScanError(`invalid escape \\${next}`, at + i);
    out += String.fromCodePoint(Number.parseInt(hex, 16));
    i += 1 + width;
  }
  return out;
}

/**
 * Every string value of a TOML document with its key path and offsets: values of key/value pairs,
 * array items (index in the path) and inline-table values, under `[table]` and `[[array of
 * tables]]` headers (an array of tables adds its index). Throws `TomlScanError` on text it cannot
 * follow; it does not validate (keys defined twice, mixed types): parse the text first.
 */
export function locateTomlStrings(text: string): TomlStringLocation[] {
  const found: TomlStringLocation[] = [];
  // Last index of each array of tables, by its resolved path (indices included).
  const arrayTables = new Map<string, number>();
  let pos = 0;

  const fail = (message: string): never => {
    throw new TomlScanError(message, pos);
  };
  const skipBlank = (newlines: boolean): void => {
    while (pos < text.length) {
      const char = text[pos] as string;
      if (char === ' ' || char === '\t' || (newlines && (char === '\n' || char === '\r'))) pos += 1;
      else if (char === '#') while (pos < text.length && text[pos] !== '\n') pos += 1;
      else break;
    }
  };

  /** A quoted string at `pos`: its value and quoting, `pos` moved past it. */
  const readString = (): { value: string; quote: TomlQuote; contentStart: number; contentEnd: number } => {
    const delimiter = text[pos] as string;
    const triple = text.startsWith(delimiter.repeat(3), pos);
    if (triple) {
      const open = pos + 3;
      let close = text.indexOf(delimiter.repeat(3), open);
      if (close < 0) fail('unterminated multi-line string');
      // Up to two quotes may end the content right before the closing delimiter (`""""`).
      for (let extra = 0; extra < 2 && text[close + 3] === delimiter; extra += 1) close += 1;
      pos = close + 3;
      const raw = text.slice(open, close);
      // A newline right after the opening delimiter is trimmed.
      const trimmed = raw.replace(/^\r?\n/, '');
      const contentStart = open + raw.length - trimmed.length;
      const value = delimiter === '"' ? decodeBasic(trimmed, true, contentStart) : trimmed;
      return { value, quote: delimiter === '"' ? 'multiline-basic' : 'multiline-literal', contentStart, contentEnd: close };
    }
    const open = pos + 1;
    let end = open;
    while (end < text.length && text[end] !== delimiter && text[end] !== '\n') end += delimiter === '"' && text[end] === '\\' ? 2 : 1;
    if (text[end] !== delimiter) fail('unterminated string');
    pos = end + 1;
    const raw = text.slice(open, end);
    return { value: delimiter === '"' ? decodeBasic(raw, false, open) : raw, quote: delimiter === '"' ? 'basic' : 'literal', contentStart: open, contentEnd: end };
  };

  /** A dotted key at `pos` (bare or quoted parts, blanks around the dots). */
  const readKey = (): string[] => {
    const parts: string[] = [];
    for (;;) {
      skipBlank(false);
      const char = text[pos] ?? '';
      if (char === '"' || char === "'") parts.push(readString().value);
      else {
        const start = pos;
        while (pos < text.length && BARE_KEY.test(text[pos] as string)) pos += 1;
        if (pos === start) fail('expected a key');
        parts.push(text.slice(start, pos));
      }
      skipBlank(false);
      if (text[pos] !== '.') return parts;
      pos += 1;
    }
  };

  const readValue = (path: TomlPath): void => {
    skipBlank(false);
    const char = text[pos] ?? '';
    if (char === '"' || char === "'") {
      found.push({ path, ...readString() });
    } else if (char === '[') {
      pos += 1;
      for (let index = 0; ; index += 1) {
        skipBlank(true);
        if (text[pos] === ']') break;
        readValue([...path, index]);
        skipBlank(true);
        if (text[pos] === ',') pos += 1;
        else if (text[pos] !== ']') fail('expected , or ] in an array');
      }
      pos += 1;
    } else if (char === '{') {
      pos += 1;
      for (;;) {
        skipBlank(true);
        if (text[pos] === '}') break;
        const key = readKey();
        if (text[pos] !== '=') fail('expected = in an inline table');
        pos += 1;
        readValue([...path, ...key]);
        skipBlank(true);
        if (text[pos] === ',') pos += 1;
        else if (text[pos] !== '}') fail('expected , or } in an inline table');
      }
      pos += 1;
    } else {
      // Numbers, booleans, dates (a date may hold a space): up to the end of the value.
      const start = pos;
      while (pos < text.length && !/[,\]}\n#]/.test(text[pos] as string)) pos += 1;
      if (text.slice(start, pos).trim() === '') fail('expected a value');
    }
  };

  /** Resolves header keys: a prefix naming an array of tables continues in its last element. */
  const resolveHeader = (keys: readonly string[], isArray: boolean): TomlPath => {
    const path: (string | number)[] = [];
    keys.forEach((key, index) => {
      path.push(key);
      const id = JSON.stringify(path);
      if (isArray && index === keys.length - 1) {
        const next = (arrayTables.get(id) ?? -1) + 1;
        arrayTables.set(id, next);
        path.push(next);
      } else {
        const last = arrayTables.get(id);
        if (last !== undefined) path.push(last);
      }
    });
    return path;
  };

  let table: TomlPath = [];
  for (;;) {
    skipBlank(true);
    if (pos >= text.length) break;
    if (text[pos] === '[') {
      const isArray = text[pos + 1] === '[';
      pos += isArray ? 2 : 1;
      const keys = readKey();
      if (!text.startsWith(isArray ? ']]' : ']', pos)) fail('expected ] after a table header');
      pos += isArray ? 2 : 1;
      table = resolveHeader(keys, isArray);
    } else {
      const key = readKey();
      if (text[pos] !== '=') fail('expected = after a key');
      pos += 1;
      readValue([...table, ...key]);
    }
    skipBlank(false);
    if (pos < text.length && text[pos] !== '\n' && text[pos] !== '\r') fail('expected the end of the line');
  }
  return found;
}
