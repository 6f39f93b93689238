import { describe, expect, it } from 'vitest';
import { checkSubmission, singleLineProblem } from '../../src/desk/submission.js';
import { SUBMISSION } from './desk-fixtures.js';

describe('single-line fields', () => {
  // Code points from Unicode: CR, LF, TAB, ESC, NEL (C1), LINE SEPARATOR, the bidi override,
  // isolate and mark characters of UAX #9, and the Arabic letter mark.
  it.each([
    { name: 'a line feed', text: 'Ada\nBcc: x@example.net', code: 'U+000A' },
    { name: 'a carriage return', text: 'Ada\rX', code: 'U+000D' },
    { name: 'a tab', text: 'Ada\tLovelace', code: 'U+0009' },
    { name: 'an escape', text: 'Ada\u001b[2J', code: 'U+001B' },
    { name: 'a C1 next-line', text: 'Ada\u0085X', code: 'U+0085' },
    { name: 'a line separator', text: 'Ada\u2028X', code: 'U+2028' },
    { name: 'a right-to-left override', text: 'invoice\u202Efdp.exe', code: 'U+202E' },
    { name: 'a first-strong isolate', text: 'a\u2068b', code: 'U+2068' },
    { name: 'a left-to-right mark', text: 'a\u200Eb', code: 'U+200E' },
    { name: 'an Arabic letter mark', text: 'a\u061Cb', code: 'U+061C' },
  ])('refuses $name', ({ text, code }) => {
    expect(singleLineProblem(text)).toBe(`must be one line of text, without line breaks, control or bidi characters (found ${code})`);
  });

  it.each(['Ada Lovelace', 'Zoë Ünal-Ødegård', 'محمد', '李小龍', 'Team "Red" (ACME)'])('accepts %s', (text) => {
    expect(singleLineProblem(text)).toBeUndefined();
  });

  it.each([
    { field: 'title', input: { ...SUBMISSION, title: 'A\nB' }, want: 'title' },
    { field: 'reporter.name', input: { ...SUBMISSION, reporter: { ...SUBMISSION.reporter, name: 'Ada\u202E' } }, want: 'reporter.name' },
    {
      field: 'reporter.credit.name',
      input: { ...SUBMISSION, reporter: { ...SUBMISSION.reporter, credit: { mode: 'named', name: 'A\u0000' } } },
      want: 'reporter.credit.name',
    },
  ])('a submission (form, API or file) is refused at $field', ({ input, want }) => {
    const checked = checkSubmission(input);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.field).toBe(want);
  });

  it('keeps line breaks in multi-line fields', () => {
    const checked = checkSubmission({ ...SUBMISSION, description: 'line one\nline two\r\n\tindented' });
    expect(checked.ok).toBe(true);
  });
});
