import { describe, expect, it } from 'vitest';
import { splitLinesForDiff, unifiedDiff } from '../../../src/remediation/apply/unified-diff.js';

const names = { fromFile: 'a/f', toFile: 'b/f' };
const numbered = (count: number): string[] => Array.from({ length: count }, (_, index) => `line ${index + 1}`);

interface Case {
  readonly name: string;
  readonly before: readonly string[];
  readonly after: readonly string[];
  readonly want: string;
}

const cases: Case[] = [
  { name: 'equal: empty diff', before: ['a', 'b'], after: ['a', 'b'], want: '' },
  { name: 'one line changed', before: ['a', 'b', 'c'], after: ['a', 'B', 'c'], want: '--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n' },
  {
    name: 'context of three, far changes in two hunks',
    before: numbered(20),
    after: numbered(20).map((line) => (line === 'line 2' ? 'two' : line === 'line 18' ? 'eighteen' : line)),
    want:
      '--- a/f\n+++ b/f\n' +
      '@@ -1,5 +1,5 @@\n line 1\n-line 2\n+two\n line 3\n line 4\n line 5\n' +
      '@@ -15,6 +15,6 @@\n line 15\n line 16\n line 17\n-line 18\n+eighteen\n line 19\n line 20\n',
  },
  {
    name: 'close changes share a hunk',
    before: numbered(10),
    after: numbered(10).map((line) => (line === 'line 3' || line === 'line 8' ? `${line}!` : line)),
    want:
      '--- a/f\n+++ b/f\n@@ -1,10 +1,10 @@\n line 1\n line 2\n-line 3\n+line 3!\n line 4\n line 5\n line 6\n line 7\n-line 8\n+line 8!\n line 9\n line 10\n',
  },
  { name: 'insertion into empty', before: [], after: ['x'], want: '--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+x\n' },
  { name: 'deletion to empty', before: ['x', 'y'], after: [], want: '--- a/f\n+++ b/f\n@@ -1,2 +0,0 @@\n-x\n-y\n' },
  { name: 'appended line', before: ['a'], after: ['a', 'b'], want: '--- a/f\n+++ b/f\n@@ -1 +1,2 @@\n a\n+b\n' },
  {
    name: 'insertion in the middle keeps the rest as context',
    before: ['a', 'b', 'c', 'd'],
    after: ['a', 'b', 'x', 'c', 'd'],
    want: '--- a/f\n+++ b/f\n@@ -1,4 +1,5 @@\n a\n b\n+x\n c\n d\n',
  },
];

describe('unifiedDiff', () => {
  it.each(cases)('$name', ({ before, after, want }) => {
    expect(unifiedDiff(before, after, names)).toBe(want);
  });

  it('honours a context of 0', () => {
    expect(unifiedDiff(['a', 'b', 'c'], ['a', 'B', 'c'], { ...names, context: 0 })).toBe('--- a/f\n+++ b/f\n@@ -2 +2 @@\n-b\n+B\n');
  });

  it('applying the hunks to the old lines gives the new ones (random edits)', () => {
    let seed = 7;
    const random = (limit: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % limit;
    };
    for (let round = 0; round < 200; round += 1) {
      const before = Array.from({ length: random(15) }, () => `l${random(5)}`);
      const after = [...before];
      for (let edit = random(4); edit > 0; edit -= 1) {
        const at = random(after.length + 1);
        if (random(2) === 0) after.splice(at, 1);
        else after.splice(at, 0, `n${random(5)}`);
      }
      expect(applyPatch(before, unifiedDiff(before, after, names))).toEqual(after);
    }
  });
});

describe('splitLinesForDiff', () => {
  it('drops the final newline, marks its absence', () => {
    expect(splitLinesForDiff('a\nb\n')).toEqual(['a', 'b']);
    expect(splitLinesForDiff('a\nb')).toEqual(['a', 'b\n\\ No newline at end of file']);
    expect(splitLinesForDiff('')).toEqual([]);
  });
});

/** A minimal patch(1) for the test: applies each hunk at its stated old line. */
function applyPatch(before: readonly string[], patch: string): string[] {
  if (patch === '') return [...before];
  const out: string[] = [];
  let next = 0;
  const lines = patch.split('\n').slice(2, -1);
  for (const line of lines) {
    const header = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(line);
    if (header) {
      const count = header[2] === undefined ? 1 : Number(header[2]);
      const start = count === 0 ? Number(header[1]) : Number(header[1]) - 1;
      while (next < start) out.push(before[next++] as string);
      continue;
    }
    const text = line.slice(1);
    if (line.startsWith(' ')) {
      expect(before[next]).toBe(text);
      out.push(text);
      next += 1;
    } else if (line.startsWith('-')) {
      expect(before[next]).toBe(text);
      next += 1;
    } else out.push(text);
  }
  while (next < before.length) out.push(before[next++] as string);
  return out;
}
