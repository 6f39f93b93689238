// Text from lockfiles, advisories and policies is shown to people and read by CI runners. A
// newline in a version could start a GitHub Actions workflow command (`::error ...::`) on its own
// line; ESC and CR sequences could rewrite the terminal; bidi controls could reverse what is read.
// Such characters are written visibly instead: `\n`, `\x1b`, `\u{202e}`.

// C0 controls (tab included: a cell or log line stays one visual unit), DEL, C1 controls, the
// Unicode line and paragraph separators, and the bidi embedding, override and isolate controls.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/gu;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visible(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.codePointAt(0) ?? 0;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/** The text with every control, line-break and bidi character written visibly, so it stays on one line. */
export function visibleText(text: string): string {
  return text.replace(UNSAFE, visible);
}

/** Multi-line text with each line passed through `visibleText`: the line breaks stay, nothing else does. */
export function visibleLines(text: string): string {
  return text.split('\n').map(visibleText).join('\n');
}
