import { describe, expect, it } from 'vitest';
import { visibleText } from '../../src/core/visible-text.js';

// Expected forms written by hand from the characters' code points.
const cases: readonly { name: string; input: string; want: string }[] = [
  { name: 'plain text is unchanged', input: 'django 4.2.1 (PYSEC-2023-1)', want: 'django 4.2.1 (PYSEC-2023-1)' },
  { name: 'non-ASCII letters are unchanged', input: 'café Łódź 東京', want: 'café Łódź 東京' },
  { name: 'a newline cannot start a workflow command', input: '1.0\n::error title=x::pwned', want: '1.0\\n::error title=x::pwned' },
  { name: 'carriage return and tab', input: 'a\rb\tc', want: 'a\\rb\\tc' },
  { name: 'ESC of an ANSI sequence', input: '\u001b[2Jcleared', want: '\\x1b[2Jcleared' },
  { name: 'NUL, BEL and DEL', input: 'a\u0000b\u0007c\u007f', want: 'a\\x00b\\x07c\\x7f' },
  { name: 'C1 control (CSI)', input: 'x\u009by', want: 'x\\x9by' },
  { name: 'line and paragraph separators', input: 'a\u2028b\u2029c', want: 'a\\u{2028}b\\u{2029}c' },
  { name: 'bidi override and isolate', input: 'abc\u202Etxt.exe\u2066', want: 'abc\\u{202e}txt.exe\\u{2066}' },
];

describe('visibleText', () => {
  it.each(cases)('$name', ({ input, want }) => {
    expect(visibleText(input)).toBe(want);
  });

  it('leaves no character below U+0020 in any of 0..0x9f', () => {
    const all = Array.from({ length: 0xa0 }, (_, code) => String.fromCharCode(code)).join('');
    const out = visibleText(all);
    const codes = Array.from({ length: out.length }, (_, index) => out.charCodeAt(index));
    expect(codes.filter((code) => code < 0x20 || (code >= 0x7f && code <= 0x9f))).toEqual([]);
    // Printable ASCII stays as it was.
    expect(out).toContain(' !"#$%&');
  });
});
