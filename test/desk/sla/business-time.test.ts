import { describe, expect, it } from 'vitest';
import type { BusinessCalendar, SlaDuration } from '../../../src/desk/config/desk-config.js';
import { parseSlaDuration } from '../../../src/desk/config/desk-config.js';
import { ConfigError } from '../../../src/core/errors.js';
import { addSlaDuration, isBusinessDay } from '../../../src/desk/sla/business-time.js';

function calendar(timeZone: string, fields: Partial<BusinessCalendar> = {}): BusinessCalendar {
  return {
    timeZone,
    weekend: ['saturday', 'sunday'],
    holidays: [],
    workHours: { start: 9 * 60, end: 17 * 60 },
    ...fields,
  };
}

const utc = calendar('UTC');
const berlin = calendar('Europe/Berlin');
const losAngeles = calendar('America/Los_Angeles');

interface AddCase {
  name: string;
  start: string;
  duration: string;
  calendar: BusinessCalendar;
  want: string;
}

// June 2025: Friday 13, Saturday 14, Sunday 15, Monday 16 ... Friday 20.
const addCases: AddCase[] = [
  // Elapsed units.
  { name: 'hours are elapsed time, weekend included', start: '2025-06-13T15:00:00Z', duration: '48 hours', calendar: utc, want: '2025-06-15T15:00:00.000Z' },
  { name: 'days are calendar days, weekend included', start: '2025-06-13T15:00:00Z', duration: '3 days', calendar: utc, want: '2025-06-16T15:00:00.000Z' },

  // Business days across a weekend.
  { name: 'Friday 15:00 + 3 business days is Wednesday 15:00', start: '2025-06-13T15:00:00Z', duration: '3 business days', calendar: utc, want: '2025-06-18T15:00:00.000Z' },
  { name: 'Saturday 10:00 + 3 business days is Thursday 00:00 (end of Wednesday)', start: '2025-06-14T10:00:00Z', duration: '3 business days', calendar: utc, want: '2025-06-19T00:00:00.000Z' },
  { name: 'Sunday + 0 business days is the start of Monday', start: '2025-06-15T18:00:00Z', duration: '0 business days', calendar: utc, want: '2025-06-16T00:00:00.000Z' },
  { name: 'Monday 09:30 + 5 business days is next Monday 09:30', start: '2025-06-16T09:30:00Z', duration: '5 working days', calendar: utc, want: '2025-06-23T09:30:00.000Z' },
  {
    name: 'a custom weekend (Friday and Saturday) is skipped instead',
    start: '2025-06-12T12:00:00Z',
    duration: '1 business day',
    calendar: calendar('UTC', { weekend: ['friday', 'saturday'] }),
    want: '2025-06-15T12:00:00.000Z',
  },

  // Holidays.
  {
    name: 'a Monday holiday moves Friday + 3 business days to Thursday',
    start: '2025-06-13T15:00:00Z',
    duration: '3 business days',
    calendar: calendar('UTC', { holidays: ['2025-06-16'] }),
    want: '2025-06-19T15:00:00.000Z',
  },
  {
    name: 'received on a holiday: counting starts at 00:00 of the next business day',
    start: '2025-06-16T10:00:00Z',
    duration: '1 business day',
    calendar: calendar('UTC', { holidays: ['2025-06-16'] }),
    want: '2025-06-18T00:00:00.000Z',
  },
  {
    name: 'Christmas holidays and a weekend in Berlin: 23 December + 3 business days is 31 December',
    start: '2025-12-23T09:00:00Z', // 10:00 CET
    duration: '3 business days',
    calendar: calendar('Europe/Berlin', { holidays: ['2025-12-24', '2025-12-25', '2025-12-26'] }),
    want: '2025-12-31T09:00:00.000Z',
  },

  // Time-zone boundaries: the business day is the one in the calendar's zone.
  { name: 'Friday 23:30 UTC is Friday in UTC: + 3 business days is Wednesday 23:30', start: '2025-06-13T23:30:00Z', duration: '3 business days', calendar: utc, want: '2025-06-18T23:30:00.000Z' },
  {
    name: 'Friday 23:30 UTC is Saturday in Berlin: + 3 business days is Thursday 00:00 Berlin',
    start: '2025-06-13T23:30:00Z',
    duration: '3 business days',
    calendar: berlin,
    want: '2025-06-18T22:00:00.000Z',
  },
  {
    name: 'Monday 22:00 in Los Angeles (Tuesday in UTC) + 4 business days is Friday 22:00 Los Angeles',
    start: '2025-06-17T05:00:00Z',
    duration: '4 business days',
    calendar: losAngeles,
    want: '2025-06-21T05:00:00.000Z',
  },
  { name: 'the same instant in a UTC calendar is Tuesday: + 4 business days is Monday', start: '2025-06-17T05:00:00Z', duration: '4 business days', calendar: utc, want: '2025-06-23T05:00:00.000Z' },
  {
    name: 'Friday 22:00 in Los Angeles (Saturday in UTC) + 1 business day is Monday 22:00 Los Angeles',
    start: '2025-06-14T05:00:00Z',
    duration: '1 business day',
    calendar: losAngeles,
    want: '2025-06-17T05:00:00.000Z',
  },

  // DST changes (Europe: 30 March and 26 October 2025; United States: 9 March 2025).
  { name: 'a day across spring forward is 23 hours (Berlin)', start: '2025-03-29T09:00:00Z', duration: '1 day', calendar: berlin, want: '2025-03-30T08:00:00.000Z' },
  { name: '24 hours across spring forward ends an hour later on the wall clock (Berlin)', start: '2025-03-29T09:00:00Z', duration: '24 hours', calendar: berlin, want: '2025-03-30T09:00:00.000Z' },
  { name: 'a day across fall back is 25 hours (Berlin)', start: '2025-10-25T08:00:00Z', duration: '1 day', calendar: berlin, want: '2025-10-26T09:00:00.000Z' },
  { name: 'a wall-clock time skipped by spring forward moves forward by the gap', start: '2025-03-29T01:30:00Z', duration: '1 day', calendar: berlin, want: '2025-03-30T01:30:00.000Z' },
  { name: 'business days keep 15:00 local across spring forward (Berlin)', start: '2025-03-28T14:00:00Z', duration: '1 business day', calendar: berlin, want: '2025-03-31T13:00:00.000Z' },
  { name: 'business days keep 15:00 local across fall back (Berlin)', start: '2025-10-24T13:00:00Z', duration: '1 business day', calendar: berlin, want: '2025-10-27T14:00:00.000Z' },
  { name: 'days keep 09:00 local across the US spring forward', start: '2025-03-07T17:00:00Z', duration: '2 days', calendar: losAngeles, want: '2025-03-09T16:00:00.000Z' },

  // Business hours (09:00-17:00).
  { name: 'business hours within one working day', start: '2025-06-17T10:00:00Z', duration: '4 business hours', calendar: utc, want: '2025-06-17T14:00:00.000Z' },
  { name: 'business hours end at closing time, not the next morning', start: '2025-06-13T09:00:00Z', duration: '8 business hours', calendar: utc, want: '2025-06-13T17:00:00.000Z' },
  { name: 'business hours across a night', start: '2025-06-17T16:00:00Z', duration: '4 business hours', calendar: utc, want: '2025-06-18T12:00:00.000Z' },
  { name: 'business hours across a weekend', start: '2025-06-13T16:00:00Z', duration: '2 business hours', calendar: utc, want: '2025-06-16T10:00:00.000Z' },
  { name: 'business hours received before opening count from opening', start: '2025-06-16T07:00:00Z', duration: '1 business hour', calendar: utc, want: '2025-06-16T10:00:00.000Z' },
  { name: 'business hours received on Saturday count from Monday opening', start: '2025-06-14T10:00:00Z', duration: '1bh', calendar: utc, want: '2025-06-16T10:00:00.000Z' },
  { name: '24 business hours are three 8-hour days', start: '2025-06-16T09:00:00Z', duration: '24 business hours', calendar: utc, want: '2025-06-18T17:00:00.000Z' },
  {
    name: 'business hours skip a holiday',
    start: '2025-06-13T16:00:00Z',
    duration: '2 business hours',
    calendar: calendar('UTC', { holidays: ['2025-06-16'] }),
    want: '2025-06-17T10:00:00.000Z',
  },
  { name: 'business hours follow local working hours (18:00 Berlin is after closing)', start: '2025-06-13T16:00:00Z', duration: '4 business hours', calendar: berlin, want: '2025-06-16T11:00:00.000Z' },
  { name: 'business hours across the weekend of spring forward (Berlin)', start: '2025-03-28T15:00:00Z', duration: '2 business hours', calendar: berlin, want: '2025-03-31T08:00:00.000Z' },
  {
    name: 'working hours until midnight (24:00)',
    start: '2025-06-13T22:00:00Z',
    duration: '3 business hours',
    calendar: calendar('UTC', { workHours: { start: 20 * 60, end: 24 * 60 } }),
    want: '2025-06-16T21:00:00.000Z',
  },
];

describe('addSlaDuration', () => {
  it.each(addCases)('$name', ({ start, duration, calendar: cal, want }) => {
    expect(addSlaDuration(new Date(start), parseSlaDuration(duration), cal).toISOString()).toBe(want);
  });

  interface ErrorCase {
    name: string;
    duration: SlaDuration;
    calendar: BusinessCalendar;
    wantError: RegExp;
  }
  const errorCases: ErrorCase[] = [
    {
      name: 'a calendar without business days',
      duration: parseSlaDuration('3 business days'),
      calendar: calendar('UTC', { weekend: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] }),
      wantError: /no business day/,
    },
    {
      name: 'empty working hours',
      duration: parseSlaDuration('4 business hours'),
      calendar: calendar('UTC', { workHours: { start: 17 * 60, end: 9 * 60 } }),
      wantError: /working hours are empty/,
    },
  ];
  it.each(errorCases)('refuses $name', ({ duration, calendar: cal, wantError }) => {
    const run = (): Date => addSlaDuration(new Date('2025-06-13T15:00:00Z'), duration, cal);
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(wantError);
  });
});

interface BusinessDayCase {
  name: string;
  at: string;
  calendar: BusinessCalendar;
  want: boolean;
}

const businessDayCases: BusinessDayCase[] = [
  { name: 'a Friday', at: '2025-06-13T12:00:00Z', calendar: utc, want: true },
  { name: 'a Saturday', at: '2025-06-14T12:00:00Z', calendar: utc, want: false },
  { name: 'Friday 23:30 UTC in a UTC calendar', at: '2025-06-13T23:30:00Z', calendar: utc, want: true },
  { name: 'Friday 23:30 UTC in Berlin (Saturday 01:30 there)', at: '2025-06-13T23:30:00Z', calendar: berlin, want: false },
  { name: 'Tuesday 05:00 UTC in Los Angeles (Monday 22:00 there)', at: '2025-06-17T05:00:00Z', calendar: losAngeles, want: true },
  { name: 'Saturday 05:00 UTC in Los Angeles (Friday 22:00 there)', at: '2025-06-14T05:00:00Z', calendar: losAngeles, want: true },
  { name: 'a holiday', at: '2025-12-25T12:00:00Z', calendar: calendar('Europe/Berlin', { holidays: ['2025-12-25'] }), want: false },
  { name: 'the evening before a holiday, already the holiday in Berlin', at: '2025-12-24T23:30:00Z', calendar: calendar('Europe/Berlin', { holidays: ['2025-12-25'] }), want: false },
];

describe('isBusinessDay', () => {
  it.each(businessDayCases)('$name: $want', ({ at, calendar: cal, want }) => {
    expect(isBusinessDay(new Date(at), cal)).toBe(want);
  });
});
