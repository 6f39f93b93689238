import { describe, expect, it } from 'vitest';
import { InternalError } from '../../../src/core/errors.js';
import type { DeskConfig } from '../../../src/desk/config/desk-config.js';
import { toDeskConfig } from '../../../src/desk/config/desk-config.js';
import type { DeskConfigFile } from '../../../src/desk/config/desk-config-schema.js';
import {
  compareUrgency,
  joinRequestClock,
  mostUrgentClock,
  reportClocks,
  sortByUrgency,
} from '../../../src/desk/sla/sla-clocks.js';
import type { JoinRequest, ReportState, ReportSummary, SeverityLevel, SlaClock } from '../../../src/desk/types.js';

function deskConfig(sla: DeskConfigFile['sla'] = {}): DeskConfig {
  return toDeskConfig({
    project: {
      name: 'Example',
      package: { ecosystem: 'PyPI', name: 'example' },
      advisory_prefix: 'EXAMPLE-SA',
      contacts: { security: 'security@example.org' },
    },
    sla: { acknowledge: '3 business days', triage: '10 business days', fix: { high: '30 days', moderate: '60 days', low: '90 days' }, ...sla },
    calendar: { time_zone: 'UTC', holidays: ['2025-06-19'] },
  });
}

const config = deskConfig();

// Received Friday 13 June 2025 at 15:00 UTC: acknowledgement due Wednesday 18 June 15:00 (3
// business days), triage due Monday 30 June 15:00 (10 business days, Thursday 19 June being a
// holiday of the test calendar).
const RECEIVED = '2025-06-13T15:00:00Z';
const ACK_DUE = '2025-06-18T15:00:00.000Z';
const TRIAGE_DUE = '2025-06-30T15:00:00.000Z';

function summary(enteredAt: Partial<Record<ReportState, string>>, severity?: SeverityLevel): ReportSummary {
  const states = Object.keys(enteredAt) as ReportState[];
  return {
    id: 7,
    state: states[states.length - 1] ?? 'received',
    title: 'SQL injection in the admin search',
    receivedAt: RECEIVED,
    ...(severity === undefined ? {} : { severity }),
    enteredAt: { received: RECEIVED, ...enteredAt },
  };
}

type ClockView = Pick<SlaClock, 'name' | 'status' | 'dueAt'> & { doneAt?: string };

interface ReportCase {
  name: string;
  report: ReportSummary;
  now: string;
  config?: DeskConfig;
  want: ClockView[];
}

const reportCases: ReportCase[] = [
  {
    name: 'just received: acknowledge and triage pending, no fix clock',
    report: summary({}),
    now: '2025-06-16T12:00:00Z',
    want: [
      { name: 'acknowledge', status: 'pending', dueAt: ACK_DUE },
      { name: 'triage', status: 'pending', dueAt: TRIAGE_DUE },
    ],
  },
  {
    name: 'acknowledgement due soon: within 24 hours of its due time',
    report: summary({}),
    now: '2025-06-17T15:00:00Z',
    want: [
      { name: 'acknowledge', status: 'due-soon', dueAt: ACK_DUE },
      { name: 'triage', status: 'pending', dueAt: TRIAGE_DUE },
    ],
  },
  {
    name: 'exactly at the due time a clock is due soon, not yet overdue',
    report: summary({}),
    now: '2025-06-18T15:00:00Z',
    want: [
      { name: 'acknowledge', status: 'due-soon', dueAt: ACK_DUE },
      { name: 'triage', status: 'pending', dueAt: TRIAGE_DUE },
    ],
  },
  {
    name: 'one second past the due time it is overdue',
    report: summary({}),
    now: '2025-06-18T15:00:01Z',
    want: [
      { name: 'acknowledge', status: 'overdue', dueAt: ACK_DUE },
      { name: 'triage', status: 'pending', dueAt: TRIAGE_DUE },
    ],
  },
  {
    name: 'acknowledged at the due time is met',
    report: summary({ acknowledged: '2025-06-18T15:00:00Z' }),
    now: '2025-06-20T12:00:00Z',
    want: [
      { name: 'acknowledge', status: 'met', dueAt: ACK_DUE, doneAt: '2025-06-18T15:00:00.000Z' },
      { name: 'triage', status: 'pending', dueAt: TRIAGE_DUE },
    ],
  },
  {
    name: 'acknowledged late is missed; triage overdue',
    report: summary({ acknowledged: '2025-06-20T09:00:00Z' }),
    now: '2025-07-01T09:00:00Z',
    want: [
      { name: 'acknowledge', status: 'missed', dueAt: ACK_DUE, doneAt: '2025-06-20T09:00:00.000Z' },
      { name: 'triage', status: 'overdue', dueAt: TRIAGE_DUE },
    ],
  },
  {
    name: 'triaged in time is met',
    report: summary({ acknowledged: '2025-06-16T09:00:00Z', triaged: '2025-06-24T09:00:00Z' }),
    now: '2025-07-01T09:00:00Z',
    want: [
      { name: 'acknowledge', status: 'met', dueAt: ACK_DUE, doneAt: '2025-06-16T09:00:00.000Z' },
      { name: 'triage', status: 'met', dueAt: TRIAGE_DUE, doneAt: '2025-06-24T09:00:00.000Z' },
    ],
  },
  {
    name: 'rejected at once stops both acknowledge and triage',
    report: summary({ rejected: '2025-06-16T10:00:00Z' }),
    now: '2025-07-01T09:00:00Z',
    want: [
      { name: 'acknowledge', status: 'met', dueAt: ACK_DUE, doneAt: '2025-06-16T10:00:00.000Z' },
      { name: 'triage', status: 'met', dueAt: TRIAGE_DUE, doneAt: '2025-06-16T10:00:00.000Z' },
    ],
  },
  {
    name: 'rejected late after acknowledgement misses triage',
    report: summary({ acknowledged: '2025-06-16T09:00:00Z', rejected: '2025-07-02T10:00:00Z' }),
    now: '2025-07-03T09:00:00Z',
    want: [
      { name: 'acknowledge', status: 'met', dueAt: ACK_DUE, doneAt: '2025-06-16T09:00:00.000Z' },
      { name: 'triage', status: 'missed', dueAt: TRIAGE_DUE, doneAt: '2025-07-02T10:00:00.000Z' },
    ],
  },
  {
    name: 'accepted high: fix clock runs 30 days from acceptance, pending',
    report: summary({ acknowledged: '2025-06-16T09:00:00Z', triaged: '2025-06-17T09:00:00Z', accepted: '2025-06-20T10:00:00Z' }, 'high'),
    now: '2025-07-01T09:00:00Z',
    want: [
      { name: 'acknowledge', status: 'met', dueAt: ACK_DUE, doneAt: '2025-06-16T09:00:00.000Z' },
      { name: 'triage', status: 'met', dueAt: TRIAGE_DUE, doneAt: '2025-06-17T09:00:00.000Z' },
      { name: 'fix', status: 'pending', dueAt: '2025-07-20T10:00:00.000Z' },
    ],
  },
  {
    name: 'fix clock due soon',
    report: summary({ acknowledged: '2025-06-16T09:00:00Z', triaged: '2025-06-17T09:00:00Z', accepted: '2025-06-20T10:00:00Z' }, 'high'),
    now: '2025-07-19T12:00:00Z',
    want: [
      { name: 'acknowledge', status: 'met', dueAt: ACK_DUE, doneAt: '2025-06-16T09:00:00.000Z' },
      { name: 'triage', status: 'met', dueAt: TRIAGE_DUE, doneAt: '2025-06-17T09:00:00.000Z' },
      { name: 'fix', status: 'due-soon', dueAt: '2025-07-20T10:00:00.000Z' },
    ],
  },
  {
    name: 'fix clock of a low report uses the low target and is overdue',
    report: summary({ acknowledged: '2025-06-16T09:00:00Z', triaged: '2025-06-17T09:00:00Z', accepted: '2025-06-20T10:00:00Z', 'fix-in-progress': '2025-06-21T10:00:00Z' }, 'low'),
    now: '2025-09-20T09:00:00Z',
    want: [
      { name: 'acknowledge', status: 'met', dueAt: ACK_DUE, doneAt: '2025-06-16T09:00:00.000Z' },
      { name: 'triage', status: 'met', dueAt: TRIAGE_DUE, doneAt: '2025-06-17T09:00:00.000Z' },
      { name: 'fix', status: 'overdue', dueAt: '2025-09-18T10:00:00.000Z' },
    ],
  },
  {
    name: 'disclosed in time: fix met',
    report: summary(
      { acknowledged: '2025-06-16T09:00:00Z', triaged: '2025-06-17T09:00:00Z', accepted: '2025-06-20T10:00:00Z', disclosed: '2025-07-15T14:00:00Z' },
      'high',
    ),
    now: '2025-08-01T09:00:00Z',
    want: [
      { name: 'acknowledge', status: 'met', dueAt: ACK_DUE, doneAt: '2025-06-16T09:00:00.000Z' },
      { name: 'triage', status: 'met', dueAt: TRIAGE_DUE, doneAt: '2025-06-17T09:00:00.000Z' },
      { name: 'fix', status: 'met', dueAt: '2025-07-20T10:00:00.000Z', doneAt: '2025-07-15T14:00:00.000Z' },
    ],
  },
  {
    name: 'disclosed late: fix missed',
    report: summary(
      { acknowledged: '2025-06-16T09:00:00Z', triaged: '2025-06-17T09:00:00Z', accepted: '2025-06-20T10:00:00Z', disclosed: '2025-07-22T14:00:00Z' },
      'high',
    ),
    now: '2025-08-01T09:00:00Z',
    want: [
      { name: 'acknowledge', status: 'met', dueAt: ACK_DUE, doneAt: '2025-06-16T09:00:00.000Z' },
      { name: 'triage', status: 'met', dueAt: TRIAGE_DUE, doneAt: '2025-06-17T09:00:00.000Z' },
      { name: 'fix', status: 'missed', dueAt: '2025-07-20T10:00:00.000Z', doneAt: '2025-07-22T14:00:00.000Z' },
    ],
  },
  {
    // Friday 11:00 with the acknowledgement due Monday 10:00: 71 hours away, but less than one
    // business day of work is left.
    name: 'a due-soon window of 1 business day spans the weekend',
    report: { ...summary({}), receivedAt: '2025-06-11T10:00:00Z', enteredAt: { received: '2025-06-11T10:00:00Z' } },
    now: '2025-06-13T11:00:00Z',
    config: deskConfig({ due_soon: '1 business day' }),
    want: [
      { name: 'acknowledge', status: 'due-soon', dueAt: '2025-06-16T10:00:00.000Z' },
      { name: 'triage', status: 'pending', dueAt: '2025-06-26T10:00:00.000Z' },
    ],
  },
  {
    name: 'the same moment with a due-soon window of 24 hours is pending',
    report: { ...summary({}), receivedAt: '2025-06-11T10:00:00Z', enteredAt: { received: '2025-06-11T10:00:00Z' } },
    now: '2025-06-13T11:00:00Z',
    want: [
      { name: 'acknowledge', status: 'pending', dueAt: '2025-06-16T10:00:00.000Z' },
      { name: 'triage', status: 'pending', dueAt: '2025-06-26T10:00:00.000Z' },
    ],
  },
  {
    name: 'an acknowledgement target in hours ignores the weekend',
    report: summary({}),
    now: '2025-06-15T14:00:00Z',
    config: deskConfig({ acknowledge: '48 hours' }),
    want: [
      { name: 'acknowledge', status: 'due-soon', dueAt: '2025-06-15T15:00:00.000Z' },
      { name: 'triage', status: 'pending', dueAt: TRIAGE_DUE },
    ],
  },
];

describe('reportClocks', () => {
  it.each(reportCases)('$name', ({ report, now, config: cfg, want }) => {
    const clocks = reportClocks(report, cfg ?? config, new Date(now));
    expect(clocks.map(({ name, status, dueAt, doneAt }) => ({ name, status, dueAt, ...(doneAt === undefined ? {} : { doneAt }) }))).toEqual(want);
  });

  it('carries the start and the target as written', () => {
    const [acknowledge] = reportClocks(summary({}), config, new Date('2025-06-16T12:00:00Z'));
    expect(acknowledge).toEqual({ name: 'acknowledge', startedAt: '2025-06-13T15:00:00.000Z', dueAt: ACK_DUE, status: 'pending', target: '3 business days' });
  });

  it('refuses an accepted report without a severity', () => {
    const report = summary({ acknowledged: '2025-06-16T09:00:00Z', triaged: '2025-06-17T09:00:00Z', accepted: '2025-06-20T10:00:00Z' });
    expect(() => reportClocks(report, config, new Date('2025-07-01T09:00:00Z'))).toThrow(InternalError);
  });
});

function joinRequest(decidedAt?: string): JoinRequest {
  return {
    id: 3,
    organisation: 'Example Linux',
    group: 'distributor',
    contact: 'security@example-linux.org',
    justification: 'We ship the package in our distribution.',
    url: 'https://example-linux.org/packages/example',
    requestedAt: '2025-06-01T09:00:00Z',
    ...(decidedAt === undefined ? {} : { decision: { outcome: 'approved' as const, reason: 'meets the criteria', by: 'alice', at: decidedAt } }),
  };
}

interface JoinCase {
  name: string;
  request: JoinRequest;
  now: string;
  want: SlaClock['status'];
}

const joinCases: JoinCase[] = [
  { name: 'undecided within 30 days', request: joinRequest(), now: '2025-06-20T09:00:00Z', want: 'pending' },
  { name: 'undecided on the last day', request: joinRequest(), now: '2025-06-30T10:00:00Z', want: 'due-soon' },
  { name: 'undecided after 30 days', request: joinRequest(), now: '2025-07-02T09:00:00Z', want: 'overdue' },
  { name: 'decided in time', request: joinRequest('2025-06-25T09:00:00Z'), now: '2025-07-02T09:00:00Z', want: 'met' },
  { name: 'decided late', request: joinRequest('2025-07-03T09:00:00Z'), now: '2025-07-04T09:00:00Z', want: 'missed' },
];

describe('joinRequestClock', () => {
  it.each(joinCases)('$name: $want', ({ request, now, want }) => {
    const clock = joinRequestClock(request, config, new Date(now));
    expect(clock).toMatchObject({ name: 'decision', startedAt: '2025-06-01T09:00:00.000Z', dueAt: '2025-07-01T09:00:00.000Z', target: '30 days', status: want });
  });
});

function clock(label: string, status: SlaClock['status'], dueAt: string, doneAt?: string): SlaClock & { label: string } {
  return { label, name: 'acknowledge', startedAt: '2025-06-01T00:00:00.000Z', dueAt, status, target: '3 business days', ...(doneAt === undefined ? {} : { doneAt }) };
}

describe('urgency', () => {
  const clocks = [
    clock('met-early', 'met', '2025-06-10T00:00:00.000Z', '2025-06-05T00:00:00.000Z'),
    clock('pending-late', 'pending', '2025-06-30T00:00:00.000Z'),
    clock('overdue-recent', 'overdue', '2025-06-19T00:00:00.000Z'),
    clock('missed', 'missed', '2025-06-10T00:00:00.000Z', '2025-06-12T00:00:00.000Z'),
    clock('due-soon', 'due-soon', '2025-06-21T00:00:00.000Z'),
    clock('pending-early', 'pending', '2025-06-25T00:00:00.000Z'),
    clock('met-recent', 'met', '2025-06-10T00:00:00.000Z', '2025-06-09T00:00:00.000Z'),
    clock('overdue-oldest', 'overdue', '2025-06-02T00:00:00.000Z'),
  ];

  it('sorts overdue (most overdue first), due soon, pending by due date, then finished', () => {
    expect(sortByUrgency(clocks).map((c) => c.label)).toEqual([
      'overdue-oldest',
      'overdue-recent',
      'due-soon',
      'pending-early',
      'pending-late',
      'missed',
      'met-recent',
      'met-early',
    ]);
  });

  it('does not reorder its input', () => {
    const before = clocks.map((c) => c.label);
    sortByUrgency(clocks);
    expect(clocks.map((c) => c.label)).toEqual(before);
  });

  interface CompareCase {
    name: string;
    a: SlaClock;
    b: SlaClock;
    want: 'a' | 'b' | 'tie';
  }
  const compareCases: CompareCase[] = [
    { name: 'overdue before due soon', a: clock('a', 'overdue', '2025-06-20T00:00:00.000Z'), b: clock('b', 'due-soon', '2025-06-21T00:00:00.000Z'), want: 'a' },
    { name: 'the earlier due of two pending', a: clock('a', 'pending', '2025-06-30T00:00:00.000Z'), b: clock('b', 'pending', '2025-06-25T00:00:00.000Z'), want: 'b' },
    { name: 'pending before missed', a: clock('a', 'missed', '2025-06-01T00:00:00.000Z', '2025-06-02T00:00:00.000Z'), b: clock('b', 'pending', '2025-07-30T00:00:00.000Z'), want: 'b' },
    { name: 'identical clocks tie', a: clock('a', 'pending', '2025-06-30T00:00:00.000Z'), b: clock('b', 'pending', '2025-06-30T00:00:00.000Z'), want: 'tie' },
  ];
  it.each(compareCases)('compareUrgency: $name', ({ a, b, want }) => {
    const sign = Math.sign(compareUrgency(a, b));
    expect(sign).toBe(want === 'a' ? -1 : want === 'b' ? 1 : 0);
  });

  it('sorts an inbox of reports by their most urgent clock; reports without clocks last', () => {
    const now = new Date('2025-06-18T16:00:00Z');
    const overdue = summary({});
    const acknowledged = summary({ acknowledged: '2025-06-16T09:00:00Z' });
    const newer = { ...summary({}), id: 8, receivedAt: '2025-06-17T09:00:00Z', enteredAt: { received: '2025-06-17T09:00:00Z' } };
    const inbox = [
      { report: acknowledged, clocks: reportClocks(acknowledged, config, now) },
      { report: newer, clocks: reportClocks(newer, config, now) },
      { report: { ...overdue, id: 9 }, clocks: [] },
      { report: overdue, clocks: reportClocks(overdue, config, now) },
    ];
    const sorted = sortByUrgency(inbox, (entry) => mostUrgentClock(entry.clocks));
    expect(sorted.map((entry) => [entry.report.id, mostUrgentClock(entry.clocks)?.status])).toEqual([
      [7, 'overdue'],
      [8, 'pending'],
      [7, 'pending'],
      [9, undefined],
    ]);
  });
});
