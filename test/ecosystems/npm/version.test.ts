import { describe, expect, it } from 'vitest';
import { npm } from '../../../src/ecosystems/npm/ecosystem.js';
import { semverScheme } from '../../../src/ecosystems/npm/version.js';

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
