import { MAX_NESTING_DEPTH, tooDeepMessage } from '../../core/input-limits.js';

// @yarnpkg/lockfile's tokenizer reads a string to its closing quote with no end-of-input check:
// a file cut short inside a quoted string (a truncated checkout) makes it append "undefined" until
// the string reaches V8's maximum length, about a minute and two gigabytes later. Its parser
// recurses once per `key:` opening a mapping, so `a: a: a: ...` can run it off the stack. This
// scan walks the text with the tokenizer's own rules (token for token, in one pass) and stops it
// before the library sees it.

/** Why the library must not be given the text, and where. */
export interface YarnV1Hazard {
  /** 1-based line. */
  readonly line: number;
  readonly message: string;
}

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const HASH = 0x23;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;

/**
 * The first string left open on its line (a JSON string cannot span lines, so the library would
 * reject the file anyway, if it ever came back), or the first line nesting mappings deeper than
 * MAX_NESTING_DEPTH; `undefined` when the library may parse the text. Scanning stops where the
 * library's tokenizer would fail on its own (an unknown character, odd indentation): it throws
 * there, before reading further.
 */
export function findYarnV1Hazard(text: string): YarnV1Hazard | undefined {
  let line = 1;
  let atLineStart = true;
  // Levels of the current line: its indentation (two spaces a level) and the `key:` on it.
  let indent = 0;
  let colons = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    const lineStart = atLineStart;
    atLineStart = false;
    if (c === LF || c === CR) {
      // As the tokenizer: "\r\n" (and, its quirk, "\n\n") is one newline token.
      const end = text.charCodeAt(i + 1) === LF ? i + 2 : i + 1;
      for (let j = i; j < end; j++) if (text.charCodeAt(j) === LF) line++;
      atLineStart = c === LF || end === i + 2;
      indent = 0;
      colons = 0;
      i = end;
    } else if (c === HASH) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
    } else if (c === SPACE) {
      let end = i;
      while (text.charCodeAt(end) === SPACE) end++;
      if (lineStart) {
        if ((end - i) % 2 !== 0) return undefined;
        indent = (end - i) / 2;
        if (indent + colons > MAX_NESTING_DEPTH) return { line, message: `mappings ${tooDeepMessage()}` };
        i = end;
      } else {
        i++;
      }
    } else if (c === QUOTE) {
      const close = closingQuote(text, i);
      if (close === undefined) return { line, message: 'a quoted string is not closed on its line (the file is cut short?)' };
      i = close + 1;
    } else if (c >= 0x30 && c <= 0x39) {
      while (i < text.length && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
    } else if (text.startsWith('true', i)) {
      i += 4;
    } else if (text.startsWith('false', i)) {
      i += 5;
    } else if (c === COLON) {
      if (indent + ++colons > MAX_NESTING_DEPTH) return { line, message: `mappings ${tooDeepMessage()}` };
      i++;
    } else if (c === COMMA) {
      i++;
    } else if (isNameStart(c)) {
      while (i < text.length && !isNameEnd(text.charCodeAt(i))) i++;
    } else {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Offset of the quote closing the string opened at `open`, by the library's rule (a quote ends
 * the string unless a backslash precedes it that is not itself preceded by one), or `undefined`
 * when the line (or the text) ends first.
 */
function closingQuote(text: string, open: number): number | undefined {
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === LF || c === CR) return undefined;
    if (c === QUOTE && !(text.charCodeAt(i - 1) === BACKSLASH && text.charCodeAt(i - 2) !== BACKSLASH)) return i;
  }
  return undefined;
}

/** `[a-zA-Z/-]`, what starts an unquoted word. */
function isNameStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2f || c === 0x2d;
}

function isNameEnd(c: number): boolean {
  return c === COLON || c === SPACE || c === LF || c === CR || c === COMMA;
}
