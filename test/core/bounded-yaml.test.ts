import { describe, expect, it } from 'vitest';
import { readYaml, type ReadYamlOptions } from '../../src/core/bounded-yaml.js';
import { MAX_NESTING_DEPTH, MAX_YAML_ALIASES } from '../../src/core/input-limits.js';
import { HOSTILE_TIME_LIMIT_MS, nestedBrackets, yamlAliasBomb } from '../helpers/hostile-inputs.js';

const CONFIG: ReadYamlOptions = { schema: 'core', uniqueKeys: true };
const LOCKFILE: ReadYamlOptions = { schema: 'failsafe', uniqueKeys: false };

/** The problem readYaml reports, with the 1-based line of its offset. */
function problemOf(text: string, options: ReadYamlOptions): { message: string; line: number | undefined } {
  const read = readYaml(text, options);
  if (read.ok) throw new Error('expected readYaml to refuse the text');
  return { message: read.message, line: read.offset === undefined ? undefined : read.lineCounter.linePos(read.offset).line };
}

describe('readYaml: hostile documents end at once, as a problem with a position', () => {
  const blockSequences = (depth: number): string => `${'- '.repeat(depth)}x\n`;
  const flowMaps = (depth: number): string => `x: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}\n`;
  const aliases = (count: number): string => `a: &a x\nb: [${Array.from({ length: count }, () => '*a').join(', ')}]\n`;
  it.each([
    { name: 'billion laughs, 9 levels of 9', text: `id: X\n${yamlAliasBomb()}`, message: /aliases expand to more than 100 nodes/, line: undefined },
    { name: 'billion laughs, 9 levels of 10', text: `id: X\n${yamlAliasBomb(9, 10)}`, message: /aliases expand to more than 100 nodes/, line: undefined },
    { name: '100,000 nested flow sequences', text: `a: 1\nx: ${nestedBrackets(100_000)}\n`, message: /nested deeper than the limit of 512 levels/, line: 2 },
    { name: '100,000 nested flow mappings', text: flowMaps(100_000), message: /nested deeper than the limit of 512 levels/, line: 1 },
    { name: '100,000 compact block sequences', text: blockSequences(100_000), message: /nested deeper than the limit of 512 levels/, line: 1 },
    { name: '100,000 flow sequences left open', text: `x: ${'['.repeat(100_000)}\n`, message: /nested deeper than the limit/, line: 1 },
    { name: 'more aliases than allowed', text: aliases(MAX_YAML_ALIASES + 1), message: /more than 100 aliases/, line: 2 },
    { name: 'an alias with no anchor', text: 'a: 1\nb: *nowhere\n', message: /alias \*nowhere has no anchor/, line: 2 },
  ])('$name', ({ text, message, line }) => {
    for (const options of [CONFIG, LOCKFILE]) {
      const started = performance.now();
      const problem = problemOf(text, options);
      expect(performance.now() - started).toBeLessThan(HOSTILE_TIME_LIMIT_MS);
      expect(problem.message).toMatch(message);
      expect(problem.line).toBe(line);
    }
  });

  it('nesting up to the limit is read; one level more is not', () => {
    for (const [name, build] of [['flow', (depth: number) => `x: ${nestedBrackets(depth)}\n`], ['block', blockSequences], ['flow map', flowMaps]] as const) {
      // `x:` is a mapping itself: the document's own mapping is one level.
      const topLevels = name === 'block' ? 0 : 1;
      expect(readYaml(build(MAX_NESTING_DEPTH - topLevels), CONFIG).ok, name).toBe(true);
      expect(readYaml(build(MAX_NESTING_DEPTH - topLevels + 1), CONFIG).ok, name).toBe(false);
    }
  });

  it('a mapping of 40,000 keys is checked for duplicates in linear time', () => {
    // `yaml`'s own check compares each key with all earlier ones: over ten seconds for these 500 KB.
    const keys = Array.from({ length: 40_000 }, (_, index) => `k${index}: v`);
    const started = performance.now();
    const duplicated = problemOf(`${keys.join('\n')}\nk7: again\n`, CONFIG);
    expect(performance.now() - started).toBeLessThan(HOSTILE_TIME_LIMIT_MS);
    expect(duplicated).toEqual({ message: 'Map keys must be unique', line: 40_001 });
  });
});

describe('readYaml: syntax errors point at the line that causes them', () => {
  it.each([
    { name: 'a double quote left open', text: 'a: 1\nb: "open\nc: 2\n\n\n\n', line: 2, message: /Missing closing "quote/ },
    { name: "a single quote left open (with an escaped '')", text: "a: 1\nb: 'it''s\nc: 2\n\n\n", line: 2, message: /Missing closing 'quote/ },
    { name: 'a flow sequence left open', text: 'a:\n  - id: X\n    reason: [open\n  - id: Y\n\n\n', line: 3, message: /end with a \]/ },
    { name: 'a flow mapping left open at the end', text: 'a: 1\nb: {c: 1\n', line: 2, message: /end with a \}/ },
    { name: 'a quote open inside a flow sequence', text: 'x: [a, "b\n\n\n', line: 1, message: /Missing closing "quote/ },
    { name: 'a tab as indentation', text: 'a: 1\n\tb: 2\n', line: 2, message: /Tabs are not allowed/ },
    { name: 'a duplicated key', text: 'a: 1\nb: 2\na: 3\n', line: 3, message: /Map keys must be unique/ },
    { name: 'two documents', text: 'a: 1\n---\nb: 2\n', line: 2, message: /more than one YAML document/ },
  ])('$name: line $line', ({ text, line, message }) => {
    const problem = problemOf(text, CONFIG);
    expect(problem.message).toMatch(message);
    expect(problem.line).toBe(line);
  });
});

describe('readYaml: what a reading gives', () => {
  it('failsafe keeps every scalar the string it was written as', () => {
    const read = readYaml('version: 1.10\nlockfileVersion: 5.4\ndev: true\nwhen: 2024-01-01\nempty:\n', LOCKFILE);
    expect(read.ok && read.value).toEqual({ version: '1.10', lockfileVersion: '5.4', dev: 'true', when: '2024-01-01', empty: '' });
  });

  it('core reads YAML 1.2 types, keys as strings', () => {
    const read = readYaml('days: 14\non: true\n1: one\n', CONFIG);
    expect(read.ok && read.value).toEqual({ days: 14, on: true, '1': 'one' });
  });

  it('a lockfile reading keeps the last of two equal keys, as the package managers do', () => {
    const read = readYaml('a: 1\na: 2\n', LOCKFILE);
    expect(read.ok && read.value).toEqual({ a: '2' });
  });

  it('failsafe refuses a tag it cannot resolve rather than keep the text', () => {
    expect(problemOf('a: !!int 1\n', LOCKFILE).message).toMatch(/tag/i);
  });

  it('a mapping key that is a collection is refused', () => {
    expect(problemOf('? [a, b]\n: c\n', LOCKFILE).message).toMatch(/keys must be strings/);
  });

  it('anchors and a few aliases are fine', () => {
    const read = readYaml('base: &base {reason: shared}\none: *base\ntwo: *base\n', CONFIG);
    expect(read.ok && read.value).toEqual({ base: { reason: 'shared' }, one: { reason: 'shared' }, two: { reason: 'shared' } });
  });
});
