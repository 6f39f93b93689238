import { DateTime } from 'luxon';
import { DeskRuleError } from '../../core/errors.js';

/** The disclosure instant, written for people in UTC and in the desk calendar's time zone. */
export interface DisclosureTime {
  /** The UTC calendar date, `YYYY-MM-DD`. */
  readonly date: string;
  /** `Tuesday 3 June 2025, 13:00 UTC`. */
  readonly utc: string;
  /**
   * `15:00 in Europe/Paris, UTC+02:00`, led by the local date when it differs from the UTC one
   * (`Wednesday 4 June 2025, 08:30 in Asia/Tokyo, UTC+09:00`); absent when the calendar zone is
   * UTC. The offset is printed rather than a zone abbreviation, which depends on the ICU data present.
   */
  readonly local?: string;
  /** `utc`, followed by `local` in parentheses when there is one. */
  readonly text: string;
}

const DAY_AND_TIME = 'cccc d LLLL yyyy, HH:mm';

/** Describes an ISO 8601 instant (`...Z`) for a document; `timeZone` is an IANA zone. */
export function describeDisclosureTime(at: string, timeZone: string): DisclosureTime {
  const instant = DateTime.fromISO(at, { zone: 'utc' }).setLocale('en-GB');
  if (!instant.isValid) throw new DeskRuleError(`disclosure time "${at}" is not an ISO 8601 instant`);
  const utc = `${instant.toFormat(DAY_AND_TIME)} UTC`;
  const date = instant.toFormat('yyyy-MM-dd');
  const zoned = instant.setZone(timeZone);
  if (!zoned.isValid) throw new DeskRuleError(`calendar time zone "${timeZone}" is not an IANA time zone`);
  if (zoned.zone.isUniversal && zoned.offset === 0) return { date, utc, text: utc };
  const sameDay = zoned.toFormat('yyyy-MM-dd') === date;
  const local = `${zoned.toFormat(sameDay ? 'HH:mm' : DAY_AND_TIME)} in ${timeZone}, UTC${zoned.toFormat('ZZ')}`;
  return { date, utc, local, text: `${utc} (${local})` };
}
