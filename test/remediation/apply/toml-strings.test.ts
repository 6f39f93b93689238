import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { locateTomlStrings, TomlScanError, type TomlPath } from '../../../src/remediation/apply/toml-strings.js';

interface Case {
  readonly name: string;
  readonly input: string;
  /** [path, value] of each string, in file order. */
  readonly want: readonly (readonly [TomlPath, string])[];
}

const cases: Case[] = [
  { name: 'key/value pairs under a table, comments skipped', input: '# "not" = "a string"\n[a]\nb = "x" # "y"\nc = 1\n', want: [[['a', 'b'], 'x']] },
  { name: 'dotted and quoted keys', input: `a."b.c" . 'd' = 'v'\n`, want: [[['a', 'b.c', 'd'], 'v']] },
  {
    name: 'arrays over several lines with comments and trailing comma',
    input: 'deps = [\n  "one",  # first\n  # "not an item",\n  \'two\',\n]\n',
    want: [
      [['deps', 0], 'one'],
      [['deps', 1], 'two'],
    ],
  },
  { name: 'inline tables and nested arrays', input: 'x = { version = "^1", extras = ["a", "b"] }\n', want: [[['x', 'version'], '^1'], [['x', 'extras', 0], 'a'], [['x', 'extras', 1], 'b']] },
  {
    name: 'arrays of tables get their index, and sub-tables follow the last one',
    input: '[[p]]\nn = "a"\n[[p]]\nn = "b"\n[p.meta]\nk = "c"\n',
    want: [
      [['p', 0, 'n'], 'a'],
      [['p', 1, 'n'], 'b'],
      [['p', 1, 'meta', 'k'], 'c'],
    ],
  },
  { name: 'escapes are decoded', input: 'k = "a\\"b\\u0041\\\\"\n', want: [[['k'], 'a"bA\\']] },
  { name: 'multi-line strings: the first newline trimmed, quotes before the end kept', input: 'k = """\nline ""x"" """""\nl = \'\'\'raw \\n\'\'\'\n', want: [[['k'], 'line ""x"" ""'], [['l'], 'raw \\n']] },
  { name: 'dates and numbers are skipped', input: 'd = 1979-05-27 07:32:00Z\nn = [1, 2.5, true]\ns = "s"\n', want: [[['s'], 's']] },
];

describe('locateTomlStrings', () => {
  it.each(cases)('$name', ({ input, want }) => {
    const found = locateTomlStrings(input);
    expect(found.map((location) => [location.path, location.value])).toEqual(want);
    // Each location agrees with a real parser at the same path.
    const document = parse(input) as Record<string | number, unknown>;
    for (const location of found) {
      let value: unknown = document;
      for (const key of location.path) value = (value as Record<string | number, unknown>)[key];
      expect(value).toBe(location.value);
    }
  });

  it('raw content offsets point between the quotes', () => {
    const text = 'a = "x"\nb = \'y\'\n';
    expect(locateTomlStrings(text).map((location) => text.slice(location.contentStart, location.contentEnd))).toEqual(['x', 'y']);
  });

  it('text it cannot follow is an error at an offset', () => {
    expect(() => locateTomlStrings('a = "open\n')).toThrow(TomlScanError);
  });
});
