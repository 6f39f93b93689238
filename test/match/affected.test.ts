import { describe, expect, it } from 'vitest';
import type { OsvAffected } from '../../src/advisories/osv.js';
import { semverScheme } from '../../src/ecosystems/npm/version.js';
import { pep440Scheme } from '../../src/ecosystems/pypi/version.js';
import type { VersionScheme } from '../../src/ecosystems/types.js';
import { evaluateAffected } from '../../src/match/affected.js';

type Events = OsvAffected['ranges'];

interface Case {
  readonly name: string;
  readonly scheme: VersionScheme;
  readonly affected: OsvAffected;
  /** version -> affected? */
  readonly want: Readonly<Record<string, boolean>>;
  readonly wantFixed?: Readonly<Record<string, readonly string[]>>;
}

const range = (type: 'SEMVER' | 'ECOSYSTEM', events: NonNullable<Events>[number]['events']): NonNullable<Events> => [
  { type, events },
];

// Cases follow the examples of the OSV schema's "Evaluation" and "Examples" sections.
const cases: Case[] = [
  {
    name: 'unfixed: introduced 0 affects every version',
    scheme: semverScheme,
    affected: { ranges: range('SEMVER', [{ introduced: '0' }]) },
    want: { '0.0.1': true, '1.0.0': true, '99.0.0': true },
  },
  {
    name: 'fixed: everything before 1.0.2',
    scheme: semverScheme,
    affected: { ranges: range('SEMVER', [{ introduced: '0' }, { fixed: '1.0.2' }]) },
    want: { '0.1.0': true, '1.0.1': true, '1.0.2': false, '2.0.0': false },
    wantFixed: { '1.0.1': ['1.0.2'], '1.0.2': [] },
  },
  {
    name: 'multiple ranges in one events list',
    scheme: semverScheme,
    affected: {
      ranges: range('SEMVER', [{ introduced: '1.0.0' }, { fixed: '1.0.2' }, { introduced: '3.0.0' }, { fixed: '3.2.5' }]),
    },
    want: { '0.9.0': false, '1.0.0': true, '1.0.1': true, '1.0.2': false, '2.5.0': false, '3.0.0': true, '3.2.4': true, '3.2.5': false },
    wantFixed: { '1.0.1': ['1.0.2'], '3.2.4': ['3.2.5'] },
  },
  {
    name: 'events out of order are sorted first',
    scheme: semverScheme,
    affected: { ranges: range('SEMVER', [{ fixed: '3.2.5' }, { introduced: '3.0.0' }, { fixed: '1.0.2' }, { introduced: '1.0.0' }]) },
    want: { '1.0.1': true, '2.0.0': false, '3.1.0': true, '3.2.5': false },
  },
  {
    name: 'last_affected is inclusive',
    scheme: pep440Scheme,
    affected: { ranges: range('ECOSYSTEM', [{ introduced: '0' }, { last_affected: '2.1.214' }]) },
    want: { '2.1.213': true, '2.1.214': true, '2.1.215': false, '3.0': false },
    wantFixed: { '2.1.214': [] },
  },
  {
    name: 'limit is an exclusive ceiling',
    scheme: semverScheme,
    affected: { ranges: range('SEMVER', [{ introduced: '1.0.0' }, { limit: '2.0.0' }]) },
    want: { '0.5.0': false, '1.5.0': true, '2.0.0': false, '2.1.0': false },
  },
  {
    name: 'limit "*" is infinity',
    scheme: semverScheme,
    affected: { ranges: range('SEMVER', [{ introduced: '1.0.0' }, { limit: '*' }]) },
    want: { '0.5.0': false, '9.0.0': true },
  },
  {
    name: 'versions list alone, compared as versions (PEP 440 1.0 == 1.0.0)',
    scheme: pep440Scheme,
    affected: { versions: ['1.0', '1.1'] },
    want: { '1.0': true, '1.0.0': true, '1.1': true, '1.2': false },
  },
  {
    name: 'PEP 440 ordering: pre-releases before the release, post-releases after',
    scheme: pep440Scheme,
    affected: { ranges: range('ECOSYSTEM', [{ introduced: '0' }, { fixed: '2.0' }]) },
    want: { '2.0rc1': true, '2.0.dev3': true, '2.0': false, '2.0.post1': false, '1.9.9.post2': true, '1!0.1': false },
  },
  {
    name: 'SemVer pre-release bounds (express 5.0.0-alpha.1 to 5.0.0-beta.3)',
    scheme: semverScheme,
    affected: { ranges: range('SEMVER', [{ introduced: '5.0.0-alpha.1' }, { fixed: '5.0.0-beta.3' }]) },
    want: { '4.18.2': false, '5.0.0-alpha.1': true, '5.0.0-beta.1': true, '5.0.0-beta.3': false, '5.0.0': false },
  },
  {
    name: 'GIT ranges are not evaluated against package versions',
    scheme: semverScheme,
    affected: {
      ranges: [{ type: 'GIT', repo: 'https://example.org/r.git', events: [{ introduced: '0' }] }],
    },
    want: { '1.0.0': false },
  },
];

describe('evaluateAffected', () => {
  it.each(cases)('$name', ({ scheme, affected, want, wantFixed }) => {
    for (const [version, expected] of Object.entries(want)) {
      expect(evaluateAffected(affected, version, scheme).affected, version).toBe(expected);
    }
    for (const [version, expected] of Object.entries(wantFixed ?? {})) {
      expect(evaluateAffected(affected, version, scheme).fixed, version).toEqual(expected);
    }
  });

  it('reports a range it cannot order instead of passing silently', () => {
    const verdict = evaluateAffected(
      { ranges: range('ECOSYSTEM', [{ introduced: 'not-a-version' }, { fixed: '2.0' }]) },
      '1.0',
      pep440Scheme,
    );
    expect(verdict.affected).toBe(false);
    expect(verdict.unevaluable).toHaveLength(1);
  });
});
