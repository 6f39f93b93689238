import { describe, expect, it } from 'vitest';
import { readBlockYaml } from '../../../src/ecosystems/npm/block-yaml.js';
import { parseYamlLockInFull } from '../../../src/ecosystems/npm/yaml-lock.js';

const general = async (text: string): Promise<unknown> => (await parseYamlLockInFull({ absolutePath: '/lock', path: 'lock', text }, 'lock', ''))?.data;

interface Accepted {
  readonly name: string;
  readonly text: string;
  /** What YAML 1.2's failsafe schema makes of it, written out by hand. */
  readonly want: unknown;
}

// Scalars stay strings (failsafe schema); quoting rules of YAML 1.2 sections 7.3.1-7.3.3.
const accepted: readonly Accepted[] = [
  { name: 'plain scalars stay strings', text: 'a: 1.10\nb: true\nc: null\nd: ~\ne: 0x1F\n', want: { a: '1.10', b: 'true', c: 'null', d: '~', e: '0x1F' } },
  { name: 'nested mappings', text: 'a:\n  b:\n    c: d\n  e: f\ng: h\n', want: { a: { b: { c: 'd' }, e: 'f' }, g: 'h' } },
  { name: 'double quotes with JSON escapes', text: 'a: "x\\"y\\u00e9\\\\"\n', want: { a: 'x"yé\\' } },
  { name: 'single quotes with a doubled quote', text: "'@s/n': 'it''s'\n", want: { '@s/n': "it's" } },
  { name: 'a colon not followed by a space is part of a plain scalar', text: 'a: https://x.org/p:1\nb:c: d\n', want: { a: 'https://x.org/p:1', 'b:c': 'd' } },
  { name: 'a hash not after a space is part of a plain scalar', text: 'a: x#y\n', want: { a: 'x#y' } },
  { name: 'trailing spaces after a value', text: 'a: b   \n', want: { a: 'b' } },
  { name: 'comments and blank lines between keys', text: '# head\n\na:\n  # inside\n  b: c\n\n  d: e\n', want: { a: { b: 'c', d: 'e' } } },
  { name: 'flow mapping and sequence of scalars', text: "r: {integrity: sha512-ab/c==, tarball: 'https://x/y.tgz'}\ncpu: [x64, arm64]\ne: {}\nl: []\n", want: { r: { integrity: 'sha512-ab/c==', tarball: 'https://x/y.tgz' }, cpu: ['x64', 'arm64'], e: {}, l: [] } },
  { name: 'a block sequence of scalars', text: 'a:\n  t:\n    - x\n    - "y"\n  u: v\n', want: { a: { t: ['x', 'y'], u: 'v' } } },
  { name: 'a repeated key keeps its first place and its last value', text: 'a: 1\nb: 2\na: 3\n', want: { a: '3', b: '2' } },
  { name: 'a comma in a block plain scalar', text: 'a: x, y\n', want: { a: 'x, y' } },
];

describe('readBlockYaml: what it reads', () => {
  it.each(accepted)('$name', async ({ text, want }) => {
    const read = readBlockYaml(text);
    expect(read?.data).toStrictEqual(want);
    // The general reader agrees, key order included.
    expect(JSON.stringify(read?.data)).toBe(JSON.stringify(await general(text)));
  });

  it('gives the line of each top-level key and of the keys of the mapping under it, where each first appears', () => {
    const read = readBlockYaml('# c\na:\n  x: 1\n\n  y:\n    z: 2\nb: 3\na:\n  w: 4\n');
    expect([...(read?.topLines ?? [])]).toEqual([['a', 2], ['b', 7]]);
    expect([...(read?.sectionLines.get('a') ?? [])]).toEqual([['x', 3], ['y', 5]]);
    expect([...(read?.sectionLines.get('b') ?? [])]).toEqual([]);
  });
});

// Each of these is either not the shape the package managers write or means something else in
// YAML than it would here: left to the general reader, which gives the value or the error.
const refused: readonly { readonly name: string; readonly text: string }[] = [
  { name: 'a key with no value (null)', text: 'a:\nb: c\n' },
  { name: 'a key with no value at the end', text: 'a: b\nc:\n' },
  { name: 'a comment after a value', text: 'a: b # note\n' },
  { name: 'a plain scalar continued on the next line', text: 'a:\n  b: c\n    d\n' },
  { name: 'a multi-line quoted scalar', text: 'a: "b\n  c"\n' },
  { name: 'a block scalar', text: 'a: |\n  b\n' },
  { name: 'a folded scalar', text: 'a: >\n  b\n' },
  { name: 'an anchor', text: 'a: &x b\nc: *x\n' },
  { name: 'a tag', text: 'a: !!int 1\n' },
  { name: 'a sequence of mappings', text: 'a:\n  - b: c\n' },
  { name: 'a top-level sequence', text: '- a\n- b\n' },
  { name: 'a tab', text: 'a:\tb\n' },
  { name: 'a carriage return', text: 'a: b\r\nc: d\r\n' },
  { name: 'a byte order mark', text: '\ufeffa: b\n' },
  { name: 'a YAML-only escape', text: 'a: "\\x41"\n' },
  { name: 'an inconsistent indentation', text: 'a:\n    b: c\n  d: e\n' },
  { name: 'a value with ": " in it', text: 'a: b: c\n' },
  { name: 'a flow collection over two lines', text: 'a: {b: c,\n  d: e}\n' },
  { name: 'a nested flow collection', text: 'a: {b: [c]}\n' },
  { name: 'a document marker', text: '---\na: b\n' },
  { name: 'a directive', text: '%YAML 1.2\n---\na: b\n' },
  { name: 'a merge key', text: '<<: {a: b}\n' },
  { name: 'a __proto__ key', text: '__proto__: {a: b}\n' },
  { name: 'an unclosed quote', text: 'a: "b\n' },
  { name: 'a plain key ending in spaces', text: 'a : b\n' },
  { name: 'a key over 1,000 characters', text: `${'k'.repeat(1001)}: v\n` },
  { name: 'a top level indented', text: '  a: b\n' },
  { name: 'comments only', text: '# nothing\n' },
  { name: 'a duplicate key in a flow mapping', text: 'a: {b: c, b: d}\n' },
];

describe('readBlockYaml: what it leaves to the general reader', () => {
  it.each(refused)('$name', ({ text }) => {
    expect(readBlockYaml(text)).toBeUndefined();
  });
});
