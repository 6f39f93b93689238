import { DateTime } from 'luxon';
import { ConfigError, DeskRuleError, UsageError } from '../core/errors.js';
import type { DeskConfig, ReleaseSeries } from './config/desk-config.js';
import type { BackportRow, DeskReport, SupportedLine } from './types.js';

/** How many of the most recent release series are supported besides LTS series (the seed policy's "two"). */
const LATEST_SERIES_SUPPORTED = 2;

function checkDate(on: string): void {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(on) || !DateTime.fromISO(on, { zone: 'utc' }).isValid) {
    throw new UsageError(`invalid date "${on}": expected a calendar date YYYY-MM-DD`);
  }
}

/** Numeric-aware order of series names, so "5.10" sorts after "5.9". */
function compareNames(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Newest first: by release date, then by name for series released the same day. */
function newestFirst(a: ReleaseSeries, b: ReleaseSeries): number {
  if (a.released !== b.released) return a.released < b.released ? 1 : -1;
  return compareNames(b.name, a.name);
}

/** Whether the series' security support has ended by `on` (the end date is the last supported day). */
function pastEndOfSupport(series: ReleaseSeries, on: string): boolean {
  return series.endOfSupport !== undefined && series.endOfSupport < on;
}

/** The series released on or before `on`, newest first. */
function releasedSeries(config: DeskConfig, on: string): ReleaseSeries[] {
  return config.series.filter((series) => series.released <= on).sort(newestFirst);
}

/**
 * The lines supported on a date (`on`, YYYY-MM-DD): the main branch; the two most recent release
 * series released on or before the date (by release date), unless past their end of support;
 * and every LTS series released on or before the date until its end of support (inclusive: the
 * end date is the last supported day). Main first, then series newest first.
 *
 * "The two most recent" is taken among every released series, ended or not, and an ended one is
 * then dropped: a series past its end does not make room for an older one.
 */
export function supportedLines(config: DeskConfig, on: string): SupportedLine[] {
  checkDate(on);
  const lines: SupportedLine[] = [{ name: config.project.mainBranch, kind: 'main', lts: false, reason: 'development branch' }];
  const released = releasedSeries(config, on);
  const latest = new Set(released.slice(0, LATEST_SERIES_SUPPORTED).map((series) => series.name));
  for (const series of released) {
    if (pastEndOfSupport(series, on)) continue;
    const reasons: string[] = [];
    if (latest.has(series.name)) reasons.push('one of the two latest release series');
    if (series.lts) {
      reasons.push(series.endOfSupport === undefined ? 'long-term support' : `long-term support until ${series.endOfSupport}`);
    }
    if (reasons.length === 0) continue;
    lines.push({
      name: series.name,
      kind: 'series',
      lts: series.lts,
      ...(series.endOfSupport === undefined ? {} : { endOfSupport: series.endOfSupport }),
      reason: reasons.join('; '),
    });
  }
  return lines;
}

/** Why a released series is not supported on `on`. */
function unsupportedReason(series: ReleaseSeries, on: string): string {
  return pastEndOfSupport(series, on) && series.endOfSupport !== undefined
    ? `past end of security support on ${series.endOfSupport}`
    : 'no longer among the supported series';
}

/**
 * The backport matrix of an accepted report on a date (`on`, YYYY-MM-DD): one row for the main
 * branch, then one per series released on or before the date, newest first. Each row, in this
 * order of precedence:
 *
 * - `fixed` when a fix is recorded for it (`fixedIn`, `patch`), supported or not: a fix is a fact;
 * - `unsupported` when it is not supported on that date (see `supportedLines`), whether affected
 *   or not (`affected` tells which); the note says why and that no fix is promised;
 * - `not-affected` when the assessment does not list it among the affected series;
 * - `affected`: supported, affected, no fix recorded yet.
 *
 * The matrix needs the assessment, so a report without one (not accepted yet, or rejected)
 * raises a `DeskRuleError` rather than guessing. A series named in the assessment or in a fix
 * that is neither the main branch nor a configured series raises a `ConfigError`, so that it is
 * never silently left out of the matrix.
 */
export function backportMatrix(report: DeskReport, config: DeskConfig, on: string): BackportRow[] {
  checkDate(on);
  const assessment = report.assessment;
  if (assessment === undefined) {
    throw new DeskRuleError(`report ${report.id} has no backport matrix: it has not been accepted (state ${report.state})`, {
      hint: 'the matrix is built from the affected series recorded when a report is accepted',
    });
  }
  const mainBranch = config.project.mainBranch;
  const known = new Set([mainBranch, ...config.series.map((series) => series.name)]);
  for (const name of [...assessment.affectedSeries, ...report.fixes.map((fix) => fix.series)]) {
    if (!known.has(name)) {
      throw new ConfigError(`report ${report.id} names series "${name}", which is not a release series of the desk configuration`, {
        hint: `add it under series in the desk configuration, or use the main branch name "${mainBranch}"`,
      });
    }
  }
  const supported = new Set(supportedLines(config, on).map((line) => line.name));
  const rows = [
    { name: mainBranch, kind: 'main' as const, series: undefined },
    ...releasedSeries(config, on).map((series) => ({ name: series.name, kind: 'series' as const, series })),
  ];
  return rows.map(({ name, kind, series }): BackportRow => {
    const affected = assessment.affectedSeries.includes(name);
    const fix = report.fixes.find((candidate) => candidate.series === name);
    if (fix !== undefined) {
      return {
        series: name,
        kind,
        status: 'fixed',
        ...(fix.fixedIn === undefined ? {} : { fixedIn: fix.fixedIn }),
        patch: fix.patch,
        affected,
        note: fix.fixedIn === undefined ? `fixed by ${fix.patch}` : `fixed in ${fix.fixedIn} (${fix.patch})`,
      };
    }
    if (series !== undefined && !supported.has(name)) {
      const reason = unsupportedReason(series, on);
      return { series: name, kind, status: 'unsupported', affected, note: `${affected ? 'affected' : 'not affected'}; ${reason}; no fix is promised` };
    }
    if (!affected) return { series: name, kind, status: 'not-affected', affected, note: 'not affected' };
    return { series: name, kind, status: 'affected', affected, note: 'affected; supported, no fix recorded yet' };
  });
}
