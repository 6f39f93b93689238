import { describe, expect, it } from 'vitest';
import { DeskRuleError } from '../../src/core/errors.js';
import { checkFix, planTransition, suggestSeverity, type LifecycleAction } from '../../src/desk/lifecycle.js';
import { REPORT_STATES, type Actor, type ReportState } from '../../src/desk/types.js';
import { ADMIN, djangoLikeConfig, OBSERVER, reportIn, REPORTER_ACTOR, RESPONDER } from './desk-fixtures.js';

const config = djangoLikeConfig();
const NOW = new Date('2025-06-16T15:00:00Z');
const context = (actor: Actor = RESPONDER, now = NOW, note = 'as discussed') => ({ config, actor, now, note });

const VALID_VECTOR = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
const LONG_REASON = 'The behaviour is documented: the raw() API executes the SQL it is given, see the security notes.';

/** One valid action of each kind, valid in content, so only the state decides. */
const ACTIONS: Readonly<Record<LifecycleAction['kind'], LifecycleAction>> = {
  acknowledge: { kind: 'acknowledge' },
  triage: { kind: 'triage' },
  accept: {
    kind: 'accept',
    assessment: { severity: 'high', cvssVector: VALID_VECTOR, cwes: ['CWE-89'], affectedSeries: ['5.2'], summary: 'SQL injection' },
  },
  reject: { kind: 'reject', reason: LONG_REASON },
  'start-fix': { kind: 'start-fix' },
  'schedule-disclosure': { kind: 'schedule-disclosure', at: '2025-07-01T14:00:00Z' },
  'pre-notify': { kind: 'pre-notify' },
  disclose: { kind: 'disclose', override: 'coordinated early release' },
};

/**
 * The lifecycle, written out by hand: received -> acknowledged -> triaged -> accepted |
 * rejected; accepted -> fix in progress -> disclosure scheduled (rescheduling allowed before
 * pre-notification) -> pre-notified -> disclosed.
 */
const ALLOWED: Readonly<Record<LifecycleAction['kind'], { from: readonly ReportState[]; to: ReportState }>> = {
  acknowledge: { from: ['received'], to: 'acknowledged' },
  triage: { from: ['acknowledged'], to: 'triaged' },
  accept: { from: ['triaged'], to: 'accepted' },
  reject: { from: ['triaged'], to: 'rejected' },
  'start-fix': { from: ['accepted'], to: 'fix-in-progress' },
  'schedule-disclosure': { from: ['fix-in-progress', 'disclosure-scheduled'], to: 'disclosure-scheduled' },
  'pre-notify': { from: ['disclosure-scheduled'], to: 'pre-notified' },
  disclose: { from: ['pre-notified'], to: 'disclosed' },
};

// Every fix of the supported affected series, so disclosure is refused only for its state.
const ALL_FIXES = [
  { series: 'main', patch: 'abc123' },
  { series: '5.2', fixedIn: '5.2.4', patch: 'def456' },
  { series: '5.1', fixedIn: '5.1.11', patch: 'fed789' },
  { series: '4.2', fixedIn: '4.2.23', patch: '0a1b2c' },
];

const pairs = REPORT_STATES.flatMap((state) =>
  (Object.keys(ACTIONS) as LifecycleAction['kind'][]).map((kind) => ({ state, kind, allowed: ALLOWED[kind].from.includes(state) })),
);

describe('lifecycle transitions', () => {
  it.each(pairs.filter((pair) => pair.allowed))('$kind from $state is allowed', ({ state, kind }) => {
    // Pre-notification checked a day before the lead time runs out, disclosure after the embargo.
    const now = kind === 'pre-notify' ? new Date('2025-06-20T12:00:00Z') : kind === 'disclose' ? new Date('2025-07-01T15:00:00Z') : NOW;
    const planned = planTransition(reportIn(state, { fixes: ALL_FIXES }), ACTIONS[kind], context(RESPONDER, now));
    expect(planned.to).toBe(ALLOWED[kind].to);
  });

  it.each(pairs.filter((pair) => !pair.allowed))('$kind from $state is refused', ({ state, kind }) => {
    expect(() => planTransition(reportIn(state, { fixes: ALL_FIXES }), ACTIONS[kind], context())).toThrow(
      new RegExp(`is ${state}; "${kind}" is allowed only from`),
    );
  });

  it('the table covers every state and action', () => {
    expect(pairs).toHaveLength(REPORT_STATES.length * 8);
    expect(pairs.filter((pair) => pair.allowed)).toHaveLength(9);
  });
});

describe('who may move a report', () => {
  it.each([
    { name: 'observer', actor: OBSERVER, allowed: false },
    { name: 'reporter', actor: REPORTER_ACTOR, allowed: false },
    { name: 'responder', actor: RESPONDER, allowed: true },
    { name: 'admin', actor: ADMIN, allowed: true },
  ])('$name', ({ actor, allowed }) => {
    const attempt = () => planTransition(reportIn('received'), { kind: 'acknowledge' }, context(actor));
    if (allowed) expect(attempt().to).toBe('acknowledged');
    else expect(attempt).toThrow(/may not change reports/);
  });

  it('every transition needs a note', () => {
    expect(() => planTransition(reportIn('received'), { kind: 'acknowledge' }, context(RESPONDER, NOW, '  '))).toThrow(/needs a note/);
  });
});

describe('content rules', () => {
  const accept = (assessment: Partial<Extract<LifecycleAction, { kind: 'accept' }>['assessment']>) =>
    planTransition(
      reportIn('triaged'),
      { kind: 'accept', assessment: { ...(ACTIONS.accept as Extract<LifecycleAction, { kind: 'accept' }>).assessment, ...assessment } },
      context(),
    );

  it.each([
    { name: 'a CVSS 3.0 vector', input: { cvssVector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }, want: /not a complete CVSS v3.1 or v4.0/ },
    { name: 'a vector without base metrics', input: { cvssVector: 'CVSS:3.1/AV:N/AC:L' }, want: /not a complete CVSS/ },
    { name: 'no CWE', input: { cwes: [] }, want: /at least one CWE/ },
    { name: 'a CWE name instead of an id', input: { cwes: ['SQL injection'] }, want: /not a CWE id/ },
    { name: 'an unknown series', input: { affectedSeries: ['3.0'] }, want: /"3.0" is not a release series/ },
    { name: 'no series', input: { affectedSeries: [] }, want: /needs the series/ },
    { name: 'no summary', input: { summary: ' ' }, want: /public summary/ },
    { name: 'a malformed CVE', input: { cve: 'CVE-25-1' }, want: /not a CVE id/ },
  ])('accept refuses $name', ({ input, want }) => {
    expect(() => accept(input)).toThrow(want);
  });

  it('accept scores the vector (FIRST CVSS v3.1 example: 9.8) and fills the package from the configuration', () => {
    const planned = accept({});
    expect(planned.changes.assessment?.cvss).toEqual({ version: '3.1', vector: VALID_VECTOR, score: 9.8 });
    expect(planned.changes.assessment?.package).toEqual({ ecosystem: 'PyPI', name: 'django' });
  });

  it('accept scores a CVSS v4.0 vector (FIRST calculator: 9.3)', () => {
    const vector = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';
    expect(accept({ cvssVector: vector }).changes.assessment?.cvss.score).toBe(9.3);
  });

  it.each([
    { name: 'a short reason', reason: 'not a bug', ok: false },
    { name: 'a detailed reason', reason: LONG_REASON, ok: true },
  ])('reject with $name', ({ reason, ok }) => {
    const attempt = () => planTransition(reportIn('triaged'), { kind: 'reject', reason }, context());
    if (ok) expect(attempt().changes.rejectionReason).toBe(reason);
    else expect(attempt).toThrow(/detailed reason/);
  });

  it.each([
    { name: 'in the past', at: '2025-06-01T00:00:00Z', want: /not in the future/ },
    { name: 'without a zone', at: '2025-07-01T14:00:00', want: /with a time zone/ },
    { name: 'not a date', at: 'next tuesday', want: /ISO 8601/ },
  ])('scheduling a disclosure $name is refused', ({ at, want }) => {
    expect(() => planTransition(reportIn('fix-in-progress'), { kind: 'schedule-disclosure', at }, context())).toThrow(want);
  });

  it('scheduling stores the instant in UTC', () => {
    const planned = planTransition(reportIn('fix-in-progress'), { kind: 'schedule-disclosure', at: '2025-07-01T09:00:00-05:00' }, context());
    expect(planned.changes.disclosureAt).toBe('2025-07-01T14:00:00.000Z');
  });
});

describe('pre-notification lead time (7 days before a 2025-07-01T14:00Z disclosure: by 2025-06-24T14:00Z)', () => {
  it.each([
    { name: 'eight days before', now: '2025-06-23T14:00:00Z', override: undefined, want: 'ok' },
    { name: 'exactly at the limit', now: '2025-06-24T14:00:00Z', override: undefined, want: 'ok' },
    { name: 'a minute late', now: '2025-06-24T14:01:00Z', override: undefined, want: 'refused' },
    { name: 'late with a recorded override', now: '2025-06-28T10:00:00Z', override: 'fix slipped; distributors agreed by phone', want: 'ok' },
  ])('$name', ({ now, override, want }) => {
    const attempt = () =>
      planTransition(reportIn('disclosure-scheduled'), { kind: 'pre-notify', ...(override ? { override } : {}) }, context(RESPONDER, new Date(now)));
    if (want === 'refused') expect(attempt).toThrow(/due 7 days before disclosure \(by 2025-06-24T14:00:00.000Z\)/);
    else expect(attempt().override).toBe(override);
  });
});

describe('disclosure needs a fix for every affected supported series', () => {
  const afterEmbargo = new Date('2025-07-01T15:00:00Z');
  it.each([
    { name: 'every fix', fixes: ALL_FIXES, missing: undefined },
    { name: 'no 4.2 fix (LTS, still supported)', fixes: ALL_FIXES.filter((fix) => fix.series !== '4.2'), missing: '4.2' },
    { name: 'no main fix', fixes: ALL_FIXES.filter((fix) => fix.series !== 'main'), missing: 'main' },
    { name: 'no fixes', fixes: [], missing: 'main, 5.2, 5.1, 4.2' },
  ])('$name', ({ fixes, missing }) => {
    const attempt = () => planTransition(reportIn('pre-notified', { fixes }), { kind: 'disclose' }, context(RESPONDER, afterEmbargo));
    if (missing === undefined) expect(attempt().to).toBe('disclosed');
    else expect(attempt).toThrow(`missing ${missing}`);
  });

  it('an affected series past its end of support needs no fix (4.1 ended 2023-12-04)', () => {
    const report = reportIn('pre-notified', { fixes: ALL_FIXES });
    const withOld = { ...report, assessment: { ...report.assessment!, affectedSeries: [...report.assessment!.affectedSeries, '4.1'] } };
    expect(planTransition(withOld, { kind: 'disclose' }, context(RESPONDER, afterEmbargo)).to).toBe('disclosed');
  });

  it('before the embargo ends, disclosure needs an override', () => {
    const early = new Date('2025-06-30T12:00:00Z');
    expect(() => planTransition(reportIn('pre-notified', { fixes: ALL_FIXES }), { kind: 'disclose' }, context(RESPONDER, early))).toThrow(
      /embargo lasts until 2025-07-01T14:00:00.000Z/,
    );
    expect(planTransition(reportIn('pre-notified', { fixes: ALL_FIXES }), { kind: 'disclose', override: 'exploited in the wild' }, context(RESPONDER, early)).override).toBe(
      'exploited in the wild',
    );
  });
});

describe('recording fixes', () => {
  it.each([
    { name: 'a series fix', state: 'fix-in-progress' as const, fix: { series: '5.2', fixedIn: '5.2.4', patch: 'abc' }, want: undefined },
    { name: 'the main branch without a release', state: 'fix-in-progress' as const, fix: { series: 'main', patch: 'abc' }, want: undefined },
    { name: 'a series not affected', state: 'fix-in-progress' as const, fix: { series: '5.0', fixedIn: '5.0.9', patch: 'x' }, want: /not among the affected series/ },
    { name: 'a release of another series', state: 'fix-in-progress' as const, fix: { series: '5.2', fixedIn: '5.1.11', patch: 'x' }, want: /not in series 5.2/ },
    { name: 'a series fix without a release', state: 'fix-in-progress' as const, fix: { series: '5.2', patch: 'x' }, want: /needs the release/ },
    { name: 'no patch reference', state: 'fix-in-progress' as const, fix: { series: '5.2', fixedIn: '5.2.4', patch: ' ' }, want: /patch reference/ },
    { name: 'after disclosure', state: 'disclosed' as const, fix: { series: '5.2', fixedIn: '5.2.4', patch: 'abc' }, want: /between acceptance and disclosure/ },
  ])('$name', ({ state, fix, want }) => {
    const attempt = () => checkFix(reportIn(state), fix, RESPONDER, config);
    if (want === undefined) expect(attempt()).toEqual(fix);
    else expect(attempt).toThrow(want);
  });

  it('observers may not record fixes', () => {
    expect(() => checkFix(reportIn('fix-in-progress'), { series: '5.2', fixedIn: '5.2.4', patch: 'a' }, OBSERVER, config)).toThrow(DeskRuleError);
  });
});

describe('severity suggested from CWEs', () => {
  it.each([
    { cwes: ['CWE-89'], want: 'high' },
    { cwes: ['CWE-79'], want: 'moderate' },
    { cwes: ['CWE-601'], want: 'low' },
    { cwes: ['CWE-601', 'CWE-79'], want: 'moderate' },
    { cwes: ['CWE-99999'], want: undefined },
  ])('$cwes -> $want', ({ cwes, want }) => {
    expect(suggestSeverity(cwes, config)).toBe(want);
  });
});
