import { describe, expect, it } from 'vitest';
import { codeSpan, escapeInline, fencedBlock, isWebUrl, referenceText } from '../../../src/desk/documents/markdown-text.js';

/** Interior lines of a fenced block that CommonMark would read as its closing fence (spec 4.5). */
function earlyClosers(block: string): string[] {
  const lines = block.split('\n');
  const opening = /^`+/.exec(lines[0] ?? '')?.[0].length ?? 0;
  const closer = new RegExp(`^ {0,3}\`{${opening},}\\s*$`);
  return lines.slice(1, -1).filter((line) => closer.test(line));
}

describe('fencedBlock', () => {
  it.each([
    { name: 'plain text', text: 'one\ntwo', want: '```text\none\ntwo\n```' },
    { name: 'a fence inside', text: 'before\n```\n# not a heading\n```\nafter', want: '````text\nbefore\n```\n# not a heading\n```\nafter\n````' },
    { name: 'a longer fence inside', text: '`````', want: '``````text\n`````\n``````' },
    { name: 'Windows line endings and trailing newlines', text: 'a\r\nb\r\n\r\n', want: '```text\na\nb\n```' },
    { name: 'empty text', text: '', want: '```text\n```' },
  ])('$name', ({ text, want }) => {
    expect(fencedBlock(text)).toBe(want);
  });

  it('cannot be closed early by the text: only its own opening and closing lines are fences', () => {
    const hostile = 'x\n```\n</pre><script>alert(1)</script>\n````\n[link](https://evil.example)\n~~~\n# Heading';
    const block = fencedBlock(hostile);
    expect(earlyClosers(block)).toEqual([]);
    expect(block.split('\n')[0]).toBe('`````text');
    expect(block.split('\n').at(-1)).toBe('`````');
    expect(block.split('\n').slice(1, -1).join('\n')).toBe(hostile);
    // The check itself sees a closer when the fence is too short.
    expect(earlyClosers(`\`\`\`text\n${hostile}\n\`\`\``)).not.toEqual([]);
  });
});

describe('codeSpan', () => {
  it.each([
    { text: 'Ada Lovelace', want: '`Ada Lovelace`' },
    { text: 'a `tick` inside', want: '``a `tick` inside``' },
    { text: '`leading', want: '`` `leading ``' },
    { text: 'two\nlines  here', want: '`two lines here`' },
    { text: '[click](https://evil.example) @octocat', want: '`[click](https://evil.example) @octocat`' },
  ])('$text', ({ text, want }) => {
    expect(codeSpan(text)).toBe(want);
  });
});

describe('escapeInline', () => {
  it.each([
    { name: 'prose stays readable', text: 'SQL injection in QuerySet.values() on 5.1', want: 'SQL injection in QuerySet.values() on 5.1' },
    { name: 'a link', text: '[click](https://evil.example)', want: '\\[click\\](https://evil.example)' },
    { name: 'an image', text: '![x](y)', want: '\\!\\[x\\](y)' },
    { name: 'raw HTML and entities', text: '<img src=x> &amp;', want: '\\<img src=x\\> \\&amp;' },
    { name: 'emphasis, code, strikethrough, table cells', text: '*a* _b_ `c` ~d~ |e|', want: '\\*a\\* \\_b\\_ \\`c\\` \\~d\\~ \\|e\\|' },
    { name: 'a heading', text: '# Title', want: '\\# Title' },
    { name: 'a quote', text: '> quoted', want: '\\> quoted' },
    { name: 'a list item', text: '- item', want: '\\- item' },
    { name: 'an ordered list item', text: '1. item', want: '1\\. item' },
    { name: 'a version at the start is not a list item', text: '5.1 and later', want: '5.1 and later' },
    { name: 'line breaks', text: 'one\n# two\n\nthree', want: 'one # two three' },
  ])('$name', ({ text, want }) => {
    expect(escapeInline(text)).toBe(want);
  });
});

describe('referenceText and isWebUrl', () => {
  it.each([
    { reference: 'https://github.com/o/r/commit/abc', want: '<https://github.com/o/r/commit/abc>', web: true },
    { reference: 'http://example.org/a.patch', want: '<http://example.org/a.patch>', web: true },
    { reference: '3f2a9c1', want: '`3f2a9c1`', web: false },
    { reference: '0001-fix.patch', want: '`0001-fix.patch`', web: false },
    { reference: 'javascript:alert(1)', want: '`javascript:alert(1)`', web: false },
    { reference: 'https://a.example/x y', want: '`https://a.example/x y`', web: false },
  ])('$reference', ({ reference, want, web }) => {
    expect(referenceText(reference)).toBe(want);
    expect(isWebUrl(reference)).toBe(web);
  });
});
