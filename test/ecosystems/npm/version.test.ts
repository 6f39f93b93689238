import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { npm } from '../../../src/ecosystems/npm/ecosystem.js';
import { semverScheme } from '../../../src/ecosystems/npm/version.js';
import { shared, sharedDir } from '../../helpers/shared-data.js';

const require = createRequire(import.meta.url);

// SemVer 2.0.0 section 11's precedence example, in order.
const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0'];

describe('semverScheme', () => {
  it('orders the SemVer 2.0.0 precedence example', () => {
    for (let i = 0; i + 1 < ordered.length; i++) {
      expect(semverScheme.compare(ordered[i]!, ordered[i + 1]!)).toBeLessThan(0);
    }
  });

  it('ignores build metadata in order and equality key (section 10)', () => {
    expect(semverScheme.compare('1.0.0+build.1', '1.0.0+build.2')).toBe(0);
    expect(semverScheme.equalityKey('1.0.0+build.1')).toBe(semverScheme.equalityKey('1.0.0'));
  });

  it.each(['1.0', 'v1.0.0', '=1.0.0', '^1.0.0', 'latest', '1.0.0.0'])('rejects %j', (version) => {
    expect(semverScheme.isValid(version)).toBe(false);
  });

  const upgrades = [
    ['4.17.1', '4.17.3', 'patch'],
    ['4.17.1', '4.18.0', 'minor'],
    ['4.17.1', '5.0.0', 'major'],
    // The caret rule: ^0.21.0 admits only 0.21.x, so 0.21 -> 0.22 breaks; ^0.0.3 admits only 0.0.3.
    ['0.21.1', '0.21.4', 'patch'],
    ['0.21.1', '0.22.0', 'major'],
    ['0.0.3', '0.0.4', 'major'],
    ['1.0.0', '1.0.0', 'none'],
    ['1.0.0-rc.1', '1.0.0', 'patch'],
  ] as const;
  it.each(upgrades)('upgrade %s -> %s is %s', (from, to, want) => {
    expect(semverScheme.classifyUpgrade(from, to)).toBe(want);
  });
});

describe('npm names and purls', () => {
  it('encodes the scope as the purl namespace', () => {
    expect(npm.purl('@babel/core', '7.22.17')).toBe('pkg:npm/%40babel/core@7.22.17');
    expect(npm.purl('lodash', '4.17.21')).toBe('pkg:npm/lodash@4.17.21');
  });
  it('compares names case-insensitively, as the registry refuses names differing only in case', () => {
    expect(npm.normalizeName('Axios')).toBe(npm.normalizeName('axios'));
  });
});

// The plain MAJOR.MINOR.PATCH fast path must give semver's own answers. Every version-like token
// of the shared npm corpus (lockfiles and manifests: versions, ranges, tags) and edge cases at
// the fast path's edges are checked against the semver package.
describe('semverScheme agrees with the semver package', () => {
  const semverValid = require('semver/functions/valid.js') as (version: string) => string | null;
  const semverCompare = require('semver/functions/compare.js') as (a: string, b: string) => number;
  const semverParse = require('semver/functions/parse.js') as (version: string) => { major: number; minor: number; patch: number } | null;
  const reference = {
    isValid: (version: string) => semverValid(version) !== null && !version.startsWith('v') && !version.startsWith('='),
    compare: (a: string, b: string) => semverCompare(a, b),
    equalityKey: (version: string) => version.split('+')[0],
  };
  const edgeCases = [
    '0.0.0', '1.2.3', '01.2.3', '1.02.3', '1.2.03', '1.2', '1.2.3.4', ' 1.2.3', '1.2.3 ', '1.2.3\n', '\t1.2.3',
    '1.2.3-', '1.2.3+', '1.2.3-0', '1.2.3-01', '1.2.3-rc.1+b', 'v1.2.3', '=1.2.3', '1.2.x', '1.2.3a',
    '9007199254740991.0.0', '9007199254740992.0.0', '0.9007199254740991.0', '0.0.99999999999999999999',
    '١.٢.٣', '1.2.3\u0000', '', '1..2', `1.2.${'9'.repeat(300)}`,
  ];
  const corpusFiles = [
    ...['cyberchef', 'insomnia', 'tock'].flatMap((project) => [`corpus/npm/${project}/package-lock.json`, `corpus/npm/${project}/package.json`]),
    'corpus/npm/jest/yarn.lock',
    'corpus/npm/treeherder/yarn.lock',
    'corpus/npm/vue-core-pnpm6/pnpm-lock.yaml',
    'corpus/npm/vue-core-pnpm9/pnpm-lock.yaml',
  ];
  const tokens = (): string[] => {
    const found = new Set<string>(edgeCases);
    for (const file of corpusFiles) {
      const text = readFileSync(shared(file), 'utf8');
      // Quoted strings whole (with any spaces), and bare tokens made of version characters.
      for (const match of text.matchAll(/"([^"\\\n]{1,80})"/g)) found.add(match[1]!);
      for (const match of text.matchAll(/[0-9A-Za-z.+=-]*\d[0-9A-Za-z.+=-]*/g)) found.add(match[0]);
    }
    return [...found];
  };

  it.skipIf(!existsSync(sharedDir))('isValid, equalityKey and order of every corpus token', () => {
    const all = tokens();
    const valid = all.filter((version) => reference.isValid(version));
    expect(valid.length).toBeGreaterThan(1500);
    expect(valid.some((version) => version.includes('-'))).toBe(true);
    for (const version of all) expect([version, semverScheme.isValid(version)]).toEqual([version, reference.isValid(version)]);
    for (const version of valid) expect(semverScheme.equalityKey(version)).toBe(reference.equalityKey(version));
    // Sorted by semver, then each neighbour pair and a spread of far pairs compared both ways.
    const sorted = [...valid].sort(reference.compare);
    for (let i = 0; i + 1 < sorted.length; i++) {
      const [a, b] = [sorted[i]!, sorted[i + 1]!];
      expect([a, b, semverScheme.compare(a, b), semverScheme.compare(b, a), semverScheme.compare(a, a)]).toEqual([
        a, b, reference.compare(a, b), reference.compare(b, a), 0,
      ]);
    }
    for (let i = 0; i < sorted.length; i += 7) {
      const [a, b] = [sorted[i]!, sorted[(i * 31 + 11) % sorted.length]!];
      expect([a, b, semverScheme.compare(a, b)]).toEqual([a, b, reference.compare(a, b)]);
    }
    // classifyUpgrade reads the parts: plain ones must equal semver's parse.
    for (let i = 0; i + 1 < sorted.length; i += 3) {
      const [from, to] = [sorted[i]!, sorted[i + 1]!];
      const a = semverParse(from)!;
      const b = semverParse(to)!;
      const want = reference.compare(to, from) <= 0 ? 'none' : a.major !== b.major || (a.major === 0 && (a.minor !== b.minor || (a.minor === 0 && a.patch !== b.patch))) ? 'major' : a.minor !== b.minor && a.major !== 0 ? 'minor' : 'patch';
      expect([from, to, semverScheme.classifyUpgrade(from, to)]).toEqual([from, to, want]);
    }
  });

  it.each(edgeCases)('edge case %j', (version) => {
    expect(semverScheme.isValid(version)).toBe(reference.isValid(version));
  });
});
