// How the desk's Markdown documents carry text they did not write (CommonMark 0.31,
// https://spec.commonmark.org/0.31.2/, and GitHub's extensions).
//
// Nothing is HTML-escaped: the documents are Markdown or plain text, never HTML. What matters is
// that text from outside the team cannot turn into Markdown structure (a heading, a link, an
// image, a table row, raw HTML, an @-mention) in a published document:
// - multi-line text from the reporter (description, impact, tested versions) goes into a fenced
//   code block whose fence is longer than any run of backticks in the text, so no line of it can
//   close the block (spec 4.5) and nothing inside is interpreted: no links, no autolinks, no HTML;
// - one-line text from the reporter (the credit name) goes into a code span, for the same reason
//   (spec 6.1); GitHub autolinks and mentions are not made inside code;
// - one-line text the team wrote (summary, notes) is kept readable as prose: the characters that
//   open inline constructs are backslash-escaped (spec 2.4) and line breaks become spaces, so it
//   cannot start a block either.

/** The longest run of `char` in `text`. */
function longestRun(text: string, char: string): number {
  let longest = 0;
  let current = 0;
  for (const c of text) {
    current = c === char ? current + 1 : 0;
    if (current > longest) longest = current;
  }
  return longest;
}

/**
 * Text shown verbatim as a fenced code block (three backticks or more; one more than the longest
 * backtick run in the text). Line endings are normalised to `\n`; an empty text gives an empty block.
 */
export function fencedBlock(text: string): string {
  const body = text.replace(/\r\n?/g, '\n').replace(/\n+$/, '');
  const fence = '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
  return body === '' ? `${fence}text\n${fence}` : `${fence}text\n${body}\n${fence}`;
}

/**
 * One line of text shown verbatim as a code span: whitespace runs (line breaks included) become
 * one space, and the backtick string is one longer than any run inside.
 */
export function codeSpan(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const ticks = '`'.repeat(longestRun(line, '`') + 1);
  // Spec 6.1: one space on each side is stripped, so padding keeps a leading or trailing backtick
  // apart from the delimiters.
  const pad = line.startsWith('`') || line.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${line}${pad}${ticks}`;
}

// Characters that open or close an inline construct (emphasis, code, links, images, autolinks,
// raw HTML, entities, strikethrough, table cells), escaped wherever they are.
const INLINE_SPECIALS = /[\\`*_[\]<>!&|~]/g;

/**
 * One line of team-written text for Markdown prose: whitespace collapsed to single spaces, inline
 * constructs escaped, and a leading character that could open a block (heading, quote, list item,
 * thematic break) escaped too, since the text may land at the start of a line or of a list item.
 */
export function escapeInline(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim().replace(INLINE_SPECIALS, (c) => `\\${c}`);
  const numbered = /^(\d{1,9})([.)])(?= |$)/.exec(line);
  if (numbered) return `${numbered[1] ?? ''}\\${numbered[2] ?? ''}${line.slice(numbered[0].length)}`;
  return /^[#>+\-=]/.test(line) ? `\\${line}` : line;
}

/**
 * A reference for Markdown: an `http(s)` URL as an autolink `<...>` (when it has no space or angle
 * bracket), anything else (a commit id, a patch file name) as a code span.
 */
export function referenceText(reference: string): string {
  return isWebUrl(reference) && !/[\s<>]/.test(reference) ? `<${reference}>` : codeSpan(reference);
}

/** Whether the text is one absolute `http:` or `https:` URL. */
export function isWebUrl(text: string): boolean {
  if (!/^https?:\/\/\S+$/i.test(text)) return false;
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}
