import { describe, expect, it } from 'vitest';
import { normalizePypiName, pypi } from '../../../src/ecosystems/pypi/ecosystem.js';
import { pep440Scheme } from '../../../src/ecosystems/pypi/version.js';

// Orderings and equalities from PEP 440's text (https://peps.python.org/pep-0440/): "Summary of
// permitted suffixes and relative ordering", "Version matching" (zero padding), normalisation.
const ordered = [
  '1.0.dev456',
  '1.0a1',
  '1.0a2.dev456',
  '1.0a12.dev456',
  '1.0a12',
  '1.0b1.dev456',
  '1.0b2',
  '1.0b2.post345.dev456',
  '1.0b2.post345',
  '1.0rc1.dev456',
  '1.0rc1',
  '1.0',
  '1.0+abc.5',
  '1.0+abc.7',
  '1.0+5',
  '1.0.post456.dev34',
  '1.0.post456',
  '1.0.15',
  '1.1.dev1',
  '1!0.1',
];

describe('pep440Scheme', () => {
  it('orders the PEP 440 example sequence', () => {
    for (let i = 0; i + 1 < ordered.length; i++) {
      expect(pep440Scheme.compare(ordered[i]!, ordered[i + 1]!), `${ordered[i]} < ${ordered[i + 1]}`).toBeLessThan(0);
    }
  });

  const equal = [
    ['1.0', '1.0.0'],
    ['1.0', '1.0.0.0'],
    ['1.0RC1', '1.0rc1'],
    ['1.0-post1', '1.0.post1'],
    ['1.0alpha1', '1.0a1'],
    ['v1.0', '1.0'],
  ] as const;
  it.each(equal)('%s equals %s, with the same equality key', (a, b) => {
    expect(pep440Scheme.compare(a, b)).toBe(0);
    expect(pep440Scheme.equalityKey(a)).toBe(pep440Scheme.equalityKey(b));
  });

  const different = [
    ['1.0', '1.0.post0'],
    ['1.0', '1.0.dev0'],
    ['1.0', '1.0+local'],
    ['1.0', '1!1.0'],
    ['1.0.1', '1.0.10'],
  ] as const;
  it.each(different)('%s differs from %s, in order and key', (a, b) => {
    expect(pep440Scheme.compare(a, b)).not.toBe(0);
    expect(pep440Scheme.equalityKey(a)).not.toBe(pep440Scheme.equalityKey(b));
  });

  it.each(['1.x', 'latest', '', '1.0-beta-final'])('rejects %j', (version) => {
    expect(pep440Scheme.isValid(version)).toBe(false);
    expect(() => pep440Scheme.compare(version, '1.0')).toThrow(/invalid PEP 440 version/);
  });

  const upgrades = [
    ['3.2.16', '3.2.25', 'patch'],
    ['3.2.16', '3.2.16.post1', 'patch'],
    ['3.2', '4.0', 'major'],
    ['4.0.10', '4.1', 'minor'],
    ['4.2', '4.2.0', 'none'],
    ['2.0', '1.9', 'none'],
    ['1.0', '1!0.5', 'major'],
  ] as const;
  it.each(upgrades)('upgrade %s -> %s is %s', (from, to, want) => {
    expect(pep440Scheme.classifyUpgrade(from, to)).toBe(want);
  });
});

describe('PyPI names', () => {
  it.each([
    ['Django', 'django'],
    ['zope.interface', 'zope-interface'],
    ['Flask_SQLAlchemy', 'flask-sqlalchemy'],
    ['a-_.b', 'a-b'],
  ])('PEP 503 normalises %s to %s', (name, want) => {
    expect(normalizePypiName(name)).toBe(want);
  });

  it('builds purls from the normalised name (purl-spec pypi rule)', () => {
    expect(pypi.purl('Flask_SQLAlchemy', '3.0.0')).toBe('pkg:pypi/flask-sqlalchemy@3.0.0');
  });
});
