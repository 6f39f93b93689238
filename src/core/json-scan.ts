// A small JSON scanner that knows where things are, which JSON.parse does not tell: the line of
// object keys (to give each lockfile entry its line) and the offset of the first syntax error (V8's
// messages for some errors carry no position, e.g. `Unexpected token '}', "..." is not valid JSON`).

import { MAX_NESTING_DEPTH, tooDeepMessage } from './input-limits.js';

/** A JSON syntax error at a character offset. */
export class JsonSyntaxError extends Error {
  /** 0-based character offset of the offending character (the text length at end of input). */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(message);
    this.name = 'JsonSyntaxError';
    this.offset = offset;
  }
}

/**
 * Called for each object key with the keys leading to it (the path of the value the key names,
 * array indexes as strings) and the 1-based line of the key. Return `false` to skip the value's
 * contents (its keys are then not reported).
 */
export type JsonKeyVisitor = (path: readonly string[], line: number) => boolean;

interface ScanState {
  readonly text: string;
  readonly visit: JsonKeyVisitor;
  readonly path: string[];
  /** Offset of the next character to read. */
  at: number;
  /** Line of `at`; raw newlines only occur between tokens in valid JSON, so only skipSpace counts. */
  line: number;
  /** Arrays and objects open around `at`. */
  depth: number;
}

/**
 * Scans a JSON text strictly (RFC 8259), reporting object keys to `visit`; throws JsonSyntaxError
 * at the first error, or at the first array or object nested deeper than MAX_NESTING_DEPTH (the
 * scan recurses, so that bound also keeps it off the end of the stack). Linear in the text length.
 */
export function scanJson(text: string, visit: JsonKeyVisitor = () => true): void {
  const state: ScanState = { text, visit, path: [], at: 0, line: 1, depth: 0 };
  skipSpace(state);
  scanValue(state, true);
  skipSpace(state);
  if (state.at < text.length) throw new JsonSyntaxError('unexpected text after the JSON value', state.at);
}

/** Offset of the first syntax error in a text JSON.parse rejected; the end when none is found. */
export function locateJsonError(text: string): { offset: number; message: string } {
  try {
    scanJson(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { offset: error.offset, message: error.message };
    throw error;
  }
  return { offset: text.length, message: 'invalid JSON' };
}

/**
 * Offset of the first `[` or `{` nested deeper than `limit` levels in a JSON text, `undefined`
 * when there is none. Meant for text JSON.parse accepted (which nests without limit): one pass,
 * no recursion, strings skipped whole.
 */
export function findDeepJsonNesting(text: string, limit = MAX_NESTING_DEPTH): number | undefined {
  let depth = 0;
  STRUCTURE.lastIndex = 0;
  for (let match = STRUCTURE.exec(text); match !== null; match = STRUCTURE.exec(text)) {
    const at = match.index;
    const c = text.charCodeAt(at);
    if (c === QUOTE) {
      STRUCTURE.lastIndex = endOfString(text, at);
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return at;
    } else {
      depth--;
    }
  }
  return undefined;
}

/** Offset just past the closing quote of the string opening at `start` (the text length if none). */
function endOfString(text: string, start: number): number {
  let close = text.indexOf('"', start + 1);
  while (close !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(close - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return close + 1;
    close = text.indexOf('"', close + 1);
  }
  return text.length;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
// Global: a scan is synchronous and resets `lastIndex` first, so sharing it is safe.
const STRUCTURE = /["[\]{}]/g;
// Sticky: matched in place at `lastIndex`; scanning is synchronous, so sharing it is safe.
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function skipSpace(state: ScanState): void {
  const { text } = state;
  let i = state.at;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) state.line++;
    else if (c !== 0x20 && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  state.at = i;
}

function expect(state: ScanState, char: string, message: string): void {
  if (state.text[state.at] !== char) throw new JsonSyntaxError(message, state.at);
  state.at++;
}

function scanValue(state: ScanState, report: boolean): void {
  const { text, at } = state;
  const c = text.charCodeAt(at);
  if (c === 0x7b || c === 0x5b) {
    if (++state.depth > MAX_NESTING_DEPTH) throw new JsonSyntaxError(tooDeepMessage(), at);
    if (c === 0x7b) scanObject(state, report);
    else scanArray(state, report);
    state.depth--;
    return;
  }
  if (c === QUOTE) {
    scanString(state, false);
    return;
  }
  if (at >= text.length) throw new JsonSyntaxError('unexpected end of JSON input', at);
  for (const literal of ['true', 'false', 'null']) {
    if (text.startsWith(literal, at)) {
      state.at += literal.length;
      return;
    }
  }
  NUMBER.lastIndex = at;
  if (NUMBER.test(text)) {
    state.at = NUMBER.lastIndex;
    return;
  }
  throw new JsonSyntaxError(`unexpected character ${JSON.stringify(text[at])}`, at);
}

function scanObject(state: ScanState, report: boolean): void {
  state.at++;
  skipSpace(state);
  if (state.text[state.at] === '}') {
    state.at++;
    return;
  }
  for (;;) {
    if (state.text.charCodeAt(state.at) !== QUOTE) throw new JsonSyntaxError('expected a property name in double quotes', state.at);
    const line = state.line;
    const key = scanString(state, report);
    state.path.push(key);
    const descend = report && state.visit(state.path, line);
    skipSpace(state);
    expect(state, ':', "expected ':' after a property name");
    skipSpace(state);
    scanValue(state, descend);
    state.path.pop();
    skipSpace(state);
    if (state.text[state.at] === '}') {
      state.at++;
      return;
    }
    expect(state, ',', "expected ',' or '}' after a property value");
    skipSpace(state);
  }
}

function scanArray(state: ScanState, report: boolean): void {
  state.at++;
  skipSpace(state);
  if (state.text[state.at] === ']') {
    state.at++;
    return;
  }
  for (let index = 0; ; index++) {
    state.path.push(String(index));
    scanValue(state, report);
    state.path.pop();
    skipSpace(state);
    if (state.text[state.at] === ']') {
      state.at++;
      return;
    }
    expect(state, ',', "expected ',' or ']' after an array element");
    skipSpace(state);
  }
}

/** Reads a string token; its decoded value only when asked (keys that will be reported). */
function scanString(state: ScanState, decode: boolean): string {
  const { text } = state;
  const start = state.at;
  let i = start + 1;
  let escaped = false;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      state.at = i + 1;
      if (!escaped) return decode ? text.slice(start + 1, i) : '';
      try {
        const value = JSON.parse(text.slice(start, i + 1)) as string;
        return decode ? value : '';
      } catch {
        throw new JsonSyntaxError('invalid escape in string', start);
      }
    }
    if (c === BACKSLASH) {
      escaped = true;
      i += 2;
      continue;
    }
    if (c < 0x20) throw new JsonSyntaxError('control character in string', i);
    i++;
  }
  throw new JsonSyntaxError('unterminated string', text.length);
}
