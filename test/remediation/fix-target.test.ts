import { describe, expect, it } from 'vitest';
import { chooseFixTarget, chooseFixWithin, findFixTarget, type FixTarget, type FixTargetQuery, type FixWithin } from '../../src/remediation/fix-target.js';
import type { UpgradeLimit } from '../../src/policy/types.js';
import { advisory, memoryStore } from './builders.js';

// Django's 3.2 / 4.x lines: one flaw fixed in both lines, one fixed only in 4.2.8.
const bothLines = advisory('TEST-BOTH', 'PyPI', 'Django', [
  [{ introduced: '3.2' }, { fixed: '3.2.17' }],
  [{ introduced: '4.0' }, { fixed: '4.0.9' }],
]);
const onlyNew = advisory('TEST-NEW', 'PyPI', 'django', [[{ introduced: '0' }, { fixed: '4.2.8' }]]);
// `last_affected`: every version up to and including 2.3.0 is affected; no `fixed` event at all.
const lastAffected = advisory('TEST-LAST', 'PyPI', 'werkzeug', [[{ introduced: '0' }, { last_affected: '2.3.0' }]]);
const fixedAt = advisory('TEST-FIXED', 'PyPI', 'werkzeug', [[{ introduced: '0' }, { fixed: '2.2.3' }]]);

interface TargetCase {
  name: string;
  input: FixTargetQuery;
  want: Partial<FixTarget>;
}

const targetCases: TargetCase[] = [
  {
    name: "one advisory's fixed version is still affected by another: the next fixed one is chosen",
    input: { ecosystem: 'PyPI', name: 'django', version: '3.2.16', advisories: [bothLines, onlyNew] },
    want: {
      target: '4.2.8',
      basis: 'advisories',
      upgrade: 'major',
      alsoConsidered: [
        { version: '3.2.17', outcome: 'affected', advisories: ['TEST-NEW'] },
        { version: '4.0.9', outcome: 'affected', advisories: ['TEST-NEW'] },
      ],
    },
  },
  {
    name: 'a last_affected range rejects a fixed version of another advisory at or below it',
    input: { ecosystem: 'PyPI', name: 'werkzeug', version: '2.2.2', advisories: [fixedAt, lastAffected] },
    want: { upgrade: 'none-available', basis: 'advisories', alsoConsidered: [{ version: '2.2.3', outcome: 'affected', advisories: ['TEST-LAST'] }] },
  },
  {
    name: 'with published versions, the smallest clean release above last_affected',
    input: { ecosystem: 'PyPI', name: 'werkzeug', version: '2.2.2', advisories: [fixedAt, lastAffected], published: ['2.2.2', '2.2.3', '2.3.0', '2.3.1', '3.0.0'] },
    want: { target: '2.3.1', basis: 'registry', upgrade: 'minor' },
  },
  {
    name: 'pre-releases are skipped when the locked version is a final release',
    input: { ecosystem: 'PyPI', name: 'werkzeug', version: '2.2.2', advisories: [fixedAt], published: ['2.2.3rc1', '2.2.3'] },
    want: { target: '2.2.3', upgrade: 'patch' },
  },
  {
    name: 'pre-releases are candidates when the locked version is one',
    input: { ecosystem: 'npm', name: 'next', version: '14.0.0-canary.1', advisories: [advisory('TEST-NPM', 'npm', 'next', [[{ introduced: '0' }, { fixed: '14.0.0-canary.3' }]])], published: ['14.0.0-canary.2', '14.0.0-canary.3', '14.0.0'] },
    want: { target: '14.0.0-canary.3', basis: 'registry' },
  },
  {
    name: 'a fixed version the registry does not list is not proposed',
    input: { ecosystem: 'npm', name: 'semver', version: '7.5.1', advisories: [advisory('GHSA-c2qf-rxjj-qqgw', 'npm', 'semver', [[{ introduced: '7.0.0' }, { fixed: '7.5.2' }]])], published: ['7.5.1', '7.5.4'] },
    want: { target: '7.5.4', basis: 'registry', upgrade: 'patch', alsoConsidered: [{ version: '7.5.2', outcome: 'not-published', advisories: [] }] },
  },
  {
    name: 'caret rule: 0.21.1 -> 0.22.0 is a major upgrade',
    input: { ecosystem: 'npm', name: 'axios', version: '0.21.1', advisories: [advisory('TEST-AXIOS', 'npm', 'axios', [[{ introduced: '0' }, { fixed: '0.22.0' }]])] },
    want: { target: '0.22.0', upgrade: 'major' },
  },
];

describe('chooseFixTarget', () => {
  it.each(targetCases)('$name', ({ input, want }) => {
    expect(chooseFixTarget(input)).toMatchObject(want);
  });

  it('findFixTarget reads every advisory of the package from the store, not only the matched ones', async () => {
    const store = memoryStore([bothLines, onlyNew]);
    expect(await findFixTarget({ ecosystem: 'PyPI', name: 'Django', version: '3.2.16' }, store)).toMatchObject({ target: '4.2.8' });
  });
});

interface WithinCase {
  name: string;
  input: FixTargetQuery;
  within: UpgradeLimit;
  want: FixWithin | undefined;
}

const withinCases: WithinCase[] = [
  {
    name: 'Django 3.2.16 held to minor: 3.2.17 clears one of two advisories',
    input: { ecosystem: 'PyPI', name: 'django', version: '3.2.16', advisories: [bothLines, onlyNew] },
    within: 'minor',
    want: { version: '3.2.17', upgrade: 'patch', complete: false, cleared: ['TEST-BOTH'], remaining: ['TEST-NEW'] },
  },
  {
    name: 'a complete fix within the class is the smallest clean version',
    input: { ecosystem: 'PyPI', name: 'django', version: '4.0.5', advisories: [bothLines] },
    within: 'patch',
    want: { version: '4.0.9', upgrade: 'patch', complete: true, cleared: ['TEST-BOTH'], remaining: [] },
  },
  {
    name: 'nothing within the class clears anything',
    input: { ecosystem: 'PyPI', name: 'django', version: '4.1.0', advisories: [onlyNew] },
    within: 'patch',
    want: undefined,
  },
];

describe('chooseFixWithin', () => {
  it.each(withinCases)('$name', ({ input, within, want }) => {
    expect(chooseFixWithin(input, within)).toEqual(want);
  });
});
