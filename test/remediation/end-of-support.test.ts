import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.js';
import { DEFAULT_POLICY } from '../../src/policy/policy-file.js';
import { checkEndOfSupport, isInSeries, type EndOfSupportNote } from '../../src/remediation/end-of-support.js';
import { planRemediation } from '../../src/remediation/plan.js';
import { advisory, findingsFor, memoryStore } from './builders.js';

// Django's published end-of-support dates: 3.2 on 2024-04-01, 4.2 on 2026-04-30.
const maintenance = { ...DEFAULT_POLICY.maintenance, endOfSupport: { Django: { '3.2': '2024-04-01', '4.2': '2026-04-30' } } };

interface Case {
  name: string;
  version: string;
  target: string | undefined;
  today: string;
  want: Pick<EndOfSupportNote, 'subject' | 'series' | 'version'>[];
}

const cases: Case[] = [
  { name: 'locked in an ended series, moving to a supported one', version: '3.2.16', target: '5.0.1', today: '2026-11-22T00:00:00Z', want: [{ subject: 'locked', series: '3.2', version: '3.2.16' }] },
  {
    name: 'the planned target stays in the ended series',
    version: '3.2.16',
    target: '3.2.25',
    today: '2026-11-22T00:00:00Z',
    want: [
      { subject: 'locked', series: '3.2', version: '3.2.16' },
      { subject: 'target', series: '3.2', version: '3.2.25' },
    ],
  },
  { name: 'the last supported day is still supported', version: '4.2.1', target: undefined, today: '2026-04-30T23:59:59Z', want: [] },
  { name: 'the day after it is not', version: '4.2.1', target: undefined, today: '2026-05-01T00:00:00Z', want: [{ subject: 'locked', series: '4.2', version: '4.2.1' }] },
  { name: 'a series is matched at a segment boundary (4.20 is not 4.2)', version: '4.20.1', target: undefined, today: '2026-11-22T00:00:00Z', want: [] },
];

describe('checkEndOfSupport', () => {
  it.each(cases)('$name', ({ version, target, today, want }) => {
    const notes = checkEndOfSupport({ ecosystem: 'PyPI', name: 'django', version }, target, maintenance, fixedClock(today));
    expect(notes.map(({ subject, series, version: v }) => ({ subject, series, version: v }))).toEqual(want);
  });

  it.each([
    ['4.2.10', '4.2', true],
    ['4.2', '4.2', true],
    ['4.2rc1', '4.2', true],
    ['4.20.1', '4.2', false],
    ['14.2.0', '4.2', false],
  ] as const)('isInSeries(%s, %s) is %s', (version, series, want) => {
    expect(isInSeries(version, series)).toBe(want);
  });

  it('a plan whose target stays in an ended series says so', async () => {
    const store = memoryStore([advisory('TEST-32', 'PyPI', 'django', [[{ introduced: '3.2' }, { fixed: '3.2.25' }]])]);
    const findings = await findingsFor(store, [{ ecosystem: 'PyPI', name: 'django', version: '3.2.16' }]);
    const policy = { ...DEFAULT_POLICY, maintenance };
    const [plan] = (await planRemediation({ findings, store, policy, clock: fixedClock('2026-11-22T00:00:00Z') })).remediations;
    expect(plan?.proposed).toBe('3.2.25');
    expect(plan?.endOfSupport.map((note) => note.message)).toEqual([
      'django 3.2.16: series 3.2 reached end of support on 2024-04-01',
      'the planned django 3.2.25 stays on series 3.2, which reached end of support on 2024-04-01; plan a move to a supported series',
    ]);
  });
});
