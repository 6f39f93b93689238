import { DateTime } from 'luxon';
import { ConfigError } from '../../core/errors.js';
import type { BusinessCalendar, SlaDuration } from '../config/desk-config.js';
import { WEEKDAYS } from '../config/desk-config.js';

// Calendar dates are walked as date-only values in UTC, where every day is 24 hours long, and
// turned into instants of the calendar's zone only at the end: stepping local instants day by
// day would carry a DST shift (a 02:30 moved to 03:30) into every later day.
type CalendarDate = DateTime;

const MS_PER_HOUR = 3_600_000;
const MINUTES_PER_DAY = 24 * 60;

function checkCalendar(calendar: BusinessCalendar): void {
  if (WEEKDAYS.every((day) => calendar.weekend.includes(day))) {
    throw new ConfigError('the business calendar has no business day: every weekday is in its weekend', {
      hint: 'list at most six days under calendar.weekend',
    });
  }
  const { start, end } = calendar.workHours;
  if (!(start >= 0 && end <= MINUTES_PER_DAY && start < end)) {
    throw new ConfigError(`the business calendar's working hours are empty (${start}-${end} minutes after midnight)`, {
      hint: 'calendar.work_hours must end after it starts, e.g. 09:00-17:00',
    });
  }
}

function checkDuration(duration: SlaDuration): void {
  if (!Number.isFinite(duration.amount) || duration.amount < 0) {
    throw new RangeError(`SLA duration "${duration.text}" has no non-negative amount`);
  }
}

/** The local calendar date of an instant in the calendar's zone, as a date-only value. */
function localDateOf(at: Date, calendar: BusinessCalendar): CalendarDate {
  const local = DateTime.fromJSDate(at, { zone: calendar.timeZone });
  return DateTime.fromObject({ year: local.year, month: local.month, day: local.day }, { zone: 'utc' });
}

/** The day (`YYYY-MM-DD`) an instant falls on in the calendar's zone. */
export function calendarDate(at: Date, calendar: BusinessCalendar): string {
  return localDateOf(at, calendar).toISODate() ?? '';
}

function isBusinessDate(date: CalendarDate, calendar: BusinessCalendar): boolean {
  // luxon numbers weekdays 1 (Monday) to 7 (Sunday), the order of WEEKDAYS.
  const weekday = WEEKDAYS[date.weekday - 1];
  if (weekday === undefined || calendar.weekend.includes(weekday)) return false;
  return !calendar.holidays.includes(date.toISODate() ?? '');
}

function nextBusinessDate(date: CalendarDate, calendar: BusinessCalendar): CalendarDate {
  let next = date.plus({ days: 1 });
  // Terminates: checkCalendar made sure some weekday is a business day, and holidays are finite.
  while (!isBusinessDate(next, calendar)) next = next.plus({ days: 1 });
  return next;
}

/** The instant a local wall-clock time (minutes after midnight, up to 24:00) has on a date. */
function wallClockAt(date: CalendarDate, minutes: number, calendar: BusinessCalendar): number {
  if (minutes >= MINUTES_PER_DAY) return wallClockAt(date.plus({ days: 1 }), minutes - MINUTES_PER_DAY, calendar);
  return DateTime.fromObject(
    { year: date.year, month: date.month, day: date.day, hour: Math.floor(minutes / 60), minute: minutes % 60 },
    { zone: calendar.timeZone },
  ).toMillis();
}

/**
 * Whether the calendar day that `date` falls on in the calendar's zone is a business day: not a
 * weekend day and not a holiday. The day is the local one: Friday 23:30 UTC is Saturday in
 * Europe/Berlin, so not a business day there.
 */
export function isBusinessDay(date: Date, calendar: BusinessCalendar): boolean {
  return isBusinessDate(localDateOf(date, calendar), calendar);
}

/**
 * The instant `duration` after `start`, following the calendar. Per unit:
 *
 * - `hours`: elapsed time; 48 hours is exactly 48 × 3600 seconds later, whatever the calendar.
 * - `days`: the same local wall-clock time N calendar days later in the calendar's zone, so a day
 *   across a DST change is 23 or 25 hours long. Weekends and holidays count.
 * - `business-days`: if `start` is not on a business day (weekend day or holiday, in the
 *   calendar's zone), counting starts at 00:00 local of the next business day; then the date moves
 *   N business days forward, skipping weekends and holidays, keeping the local time of day.
 *   Received Friday 15:00 + 3 business days = Wednesday 15:00; received Saturday 10:00 + 3 =
 *   Thursday 00:00, the end of Wednesday (3 whole business days: Monday, Tuesday, Wednesday).
 *   Working hours do not matter for this unit.
 * - `business-hours`: only time inside `calendar.workHours` of business days counts; time before
 *   opening, after closing, on weekends and on holidays does not. The result is the instant the
 *   Nth working hour is used up, so Friday 09:00 + 8 business hours (09:00-17:00) is Friday 17:00,
 *   and Friday 16:00 + 2 is Monday 10:00.
 *
 * Local times are resolved by luxon: one that does not exist that day (spring forward) moves
 * forward by the gap; one that occurs twice (fall back) takes the later offset.
 */
export function addSlaDuration(start: Date, duration: SlaDuration, calendar: BusinessCalendar): Date {
  checkDuration(duration);
  if (Number.isNaN(start.getTime())) throw new RangeError('SLA start is not a valid date');
  switch (duration.unit) {
    case 'hours':
      return new Date(start.getTime() + duration.amount * MS_PER_HOUR);
    case 'days':
      return DateTime.fromJSDate(start, { zone: calendar.timeZone }).plus({ days: duration.amount }).toJSDate();
    case 'business-days':
      checkCalendar(calendar);
      return addBusinessDays(start, duration.amount, calendar);
    case 'business-hours':
      checkCalendar(calendar);
      return addBusinessHours(start, duration.amount, calendar);
  }
}

function addBusinessDays(start: Date, amount: number, calendar: BusinessCalendar): Date {
  const local = DateTime.fromJSDate(start, { zone: calendar.timeZone });
  let date = localDateOf(start, calendar);
  let time = { hour: local.hour, minute: local.minute, second: local.second, millisecond: local.millisecond };
  if (!isBusinessDate(date, calendar)) {
    date = nextBusinessDate(date, calendar);
    time = { hour: 0, minute: 0, second: 0, millisecond: 0 };
  }
  for (let day = 0; day < amount; day++) date = nextBusinessDate(date, calendar);
  return DateTime.fromObject({ year: date.year, month: date.month, day: date.day, ...time }, { zone: calendar.timeZone }).toJSDate();
}

function addBusinessHours(start: Date, amount: number, calendar: BusinessCalendar): Date {
  let remaining = amount * MS_PER_HOUR;
  let cursor = start.getTime();
  let date = localDateOf(start, calendar);
  // Terminates: every business day has a non-empty working window and business days recur.
  for (;;) {
    if (isBusinessDate(date, calendar)) {
      const open = wallClockAt(date, calendar.workHours.start, calendar);
      const close = wallClockAt(date, calendar.workHours.end, calendar);
      const from = Math.max(cursor, open);
      if (from < close) {
        if (remaining <= close - from) return new Date(from + remaining);
        remaining -= close - from;
        cursor = close;
      }
    }
    date = date.plus({ days: 1 });
  }
}
