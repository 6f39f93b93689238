import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dpkgScheme } from '../../../src/ecosystems/debian/version.js';
import { repoRoot } from '../../helpers/shared-data.js';
import { readOrderCases, verdictOf } from './version-cases.js';

const sample = readOrderCases(path.join(repoRoot, 'test/data/debian/dpkg-version-order.sample.tsv'));

/** `dpkg --compare-versions` as the oracle, when this machine has dpkg. */
function dpkgVerdict(a: string, b: string): 'lt' | 'eq' | 'gt' | undefined {
  for (const op of ['lt', 'eq', 'gt'] as const) {
    const run = spawnSync('dpkg', ['--compare-versions', a, op, b], { encoding: 'utf8' });
    if (run.error) return undefined;
    if (run.status === 0) return op;
  }
  return undefined;
}
const hasDpkg = spawnSync('dpkg', ['--version']).status === 0;

describe('dpkgScheme', () => {
  it('has 200 real pairs in the compact fixture', () => {
    expect(sample).toHaveLength(200);
  });

  it.each(sample)('$a $expected $b (dpkg --compare-versions, real versions)', ({ a, b, expected }) => {
    expect(verdictOf(dpkgScheme.compare(a, b))).toBe(expected);
    expect(verdictOf(dpkgScheme.compare(b, a))).toBe(verdictOf(-dpkgScheme.compare(a, b)));
    expect(dpkgScheme.equalityKey(a) === dpkgScheme.equalityKey(b)).toBe(expected === 'eq');
  });

  // Debian Policy 5.6.12 and dpkg's own rules, each verdict checked with dpkg 1.21.22.
  const rules: readonly (readonly [string, string, 'lt' | 'eq' | 'gt', string])[] = [
    ['1.0~rc1', '1.0', 'lt', '~ sorts before the end of the part'],
    ['1.0~~', '1.0~', 'lt', 'two tildes before one'],
    ['1.0', '1.0+b1', 'lt', 'a binNMU suffix sorts after'],
    ['2.36-9+deb12u3', '2.36-9+deb12u10', 'lt', '+debNuM compares M as a number'],
    ['328-1~bpo12+1', '328-1', 'lt', 'a backport sorts before the release it backports'],
    ['1:0.1', '9.9', 'gt', 'the epoch wins'],
    ['0:1.0', '1.0', 'eq', 'epoch 0 is no epoch'],
    ['00:1.0', '1.0', 'eq', 'epoch digits are a number'],
    ['1.0', '1.0-0', 'eq', 'an absent revision compares as 0'],
    ['1.', '1.0', 'eq', 'an empty digit run is 0'],
    ['1a', '1a0', 'eq', 'a trailing zero run is 0'],
    ['1.01', '1.1', 'eq', 'leading zeros do not count'],
    ['1.0a', '1.0+', 'lt', 'letters sort before other characters'],
    ['1.0', '1.0a', 'lt', 'the end sorts before a letter'],
    ['1.0-1-2', '1.0-1', 'gt', 'the revision starts at the last hyphen'],
    ['10000000000000000000001', '10000000000000000000000', 'gt', 'digit runs of any length'],
    ['5.1.1alpha+20120614-2+b3', '5.1.1alpha+20120614-2', 'gt', 'xz-utils'],
    ['1:1.2.13.dfsg-1', '1:1.2.13.dfsg-1ubuntu0.1', 'lt', 'an Ubuntu revision sorts after the Debian one'],
  ];
  it.each(rules)('%s %s %s: %s', (a, b, expected) => {
    expect(verdictOf(dpkgScheme.compare(a, b))).toBe(expected);
    expect(dpkgScheme.equalityKey(a) === dpkgScheme.equalityKey(b)).toBe(expected === 'eq');
  });

  it.skipIf(!hasDpkg)('agrees with dpkg --compare-versions on the rule cases', () => {
    for (const [a, b, expected] of rules) expect(dpkgVerdict(a, b), `${a} vs ${b}`).toBe(expected);
  });

  it.skipIf(!hasDpkg)('agrees with dpkg --compare-versions on 300 generated versions', () => {
    // Versions built from the characters that matter to the ordering, seeded so a failure repeats.
    let seed = 13;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const atoms = ['0', '1', '2', '10', '01', '.', '~', '+', 'a', 'b', 'Z', '~~', 'deb12u', 'ubuntu'];
    const make = (): string => {
      let upstream = String(next(3));
      for (let i = next(4); i > 0; i--) upstream += atoms[next(atoms.length)] ?? '';
      const epoch = next(4) === 0 ? `${next(3)}:` : '';
      const revision = next(2) === 0 ? `-${String(next(3))}${next(2) === 0 ? atoms[next(atoms.length)] : ''}` : '';
      return `${epoch}${upstream}${revision}`;
    };
    let checked = 0;
    for (let i = 0; i < 300; i++) {
      const a = make();
      const b = next(5) === 0 ? a.replace(/0/g, '00') : make();
      if (!dpkgScheme.isValid(a) || !dpkgScheme.isValid(b)) continue;
      expect(verdictOf(dpkgScheme.compare(a, b)), `${a} vs ${b}`).toBe(dpkgVerdict(a, b));
      expect(dpkgScheme.equalityKey(a) === dpkgScheme.equalityKey(b), `${a} vs ${b}`).toBe(dpkgVerdict(a, b) === 'eq');
      checked++;
    }
    expect(checked).toBeGreaterThan(200);
  });

  // dpkg refuses (error) or warns about these ("bad syntax"); vigil does not order them.
  it.each(['', ':1', 'a1', '1.0-', '1_0', '1.0-a_b', '1.0-1:2', '1:a', ' 1', '1é', 'x'.repeat(300)])('rejects %j', (version) => {
    expect(dpkgScheme.isValid(version)).toBe(false);
    expect(() => dpkgScheme.compare(version, '1')).toThrow(TypeError);
  });

  const upgrades = [
    ['5.1.1alpha+20120614-2+b3', '5.1.1alpha+20120614-2+deb12u1', 'security-update'],
    ['115.9.0esr-1~deb12u1', '128.3.0esr-1~deb12u1', 'security-update'],
    ['1.0-1', '1.0-1', 'none'],
    ['1.0-2', '1.0-1', 'none'],
  ] as const;
  it.each(upgrades)('upgrade %s -> %s is %s', (from, to, want) => {
    expect(dpkgScheme.classifyUpgrade(from, to)).toBe(want);
  });
});
