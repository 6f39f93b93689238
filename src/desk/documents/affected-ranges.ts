import { ConfigError, DeskRuleError } from '../../core/errors.js';
import { ecosystems } from '../../ecosystems/ecosystems.js';
import type { VersionScheme } from '../../ecosystems/types.js';
import type { BackportRow } from '../types.js';

/** An event of the ranges the desk writes: segments open with `introduced` and close with `fixed`. */
export type RangeEvent = { readonly introduced: string } | { readonly fixed: string };

/** The ecosystems of the projects the desk publishes advisories for (not distributions' packages). */
const DESK_ECOSYSTEMS = ['PyPI', 'npm'] as const;
export type DeskEcosystemId = (typeof DESK_ECOSYSTEMS)[number];

/** The package an advisory is about, with the version ordering of its ecosystem. */
export interface AdvisoryPackage {
  readonly ecosystem: DeskEcosystemId;
  readonly name: string;
  readonly scheme: VersionScheme;
}

/** The ecosystem and version ordering of an assessment's package; fails for an ecosystem vigil cannot order. */
export function advisoryPackageOf(pkg: { readonly ecosystem: string; readonly name: string }): AdvisoryPackage {
  const ecosystem = DESK_ECOSYSTEMS.find((id) => id === pkg.ecosystem);
  if (ecosystem === undefined) {
    throw new DeskRuleError(
      `cannot build affected ranges for ecosystem "${pkg.ecosystem}": vigil orders versions of ${DESK_ECOSYSTEMS.join(' and ')} only`,
    );
  }
  return { ecosystem, name: pkg.name, scheme: ecosystems[ecosystem].versions };
}

// The lowest version of a release series, so that its pre-releases count as part of it: under PEP
// 440 `5.1.dev0` sorts before `5.1a1` and `5.1` (https://peps.python.org/pep-0440/#summary-of-permitted-suffixes-and-relative-ordering);
// under SemVer `5.1.0-0` before every other pre-release of 5.1.0 (https://semver.org/#spec-item-11).
const SERIES_FLOOR = {
  PyPI: (series: string) => `${series}.dev0`,
  npm: (series: string) => {
    const parts = series.split('.');
    while (parts.length < 3) parts.push('0');
    return `${parts.join('.')}-0`;
  },
} as const satisfies Record<DeskEcosystemId, (series: string) => string>;

/**
 * The lowest version of a release series named by its leading release numbers (`5.1`, `5`): the
 * first `introduced` of a range segment that starts at the series, pre-releases included.
 */
export function seriesFloor(series: string, pkg: AdvisoryPackage): string {
  const floor = /^\d+(\.\d+){0,2}$/.test(series) ? SERIES_FLOOR[pkg.ecosystem](series) : undefined;
  if (floor === undefined || !pkg.scheme.isValid(floor)) {
    throw new ConfigError(`release series "${series}" is not a ${pkg.scheme.name} release number like 5.1`);
  }
  return floor;
}

/** A release-series row of the backport matrix with the lowest version of its series. */
export interface OrderedSeries {
  readonly row: BackportRow;
  readonly floor: string;
}

/** The release-series rows (the main branch left out), oldest series first. */
export function seriesOldestFirst(matrix: readonly BackportRow[], pkg: AdvisoryPackage): OrderedSeries[] {
  return matrix
    .filter((row) => row.kind === 'series')
    .map((row) => ({ row, floor: seriesFloor(row.series, pkg) }))
    .sort((a, b) => pkg.scheme.compare(a.floor, b.floor));
}

/** Whether a row's releases carry the flaw (a fixed series did before its fix). */
export function isAffectedRow(row: BackportRow): boolean {
  switch (row.status) {
    case 'not-affected':
      return false;
    case 'affected':
    case 'fixed':
      return true;
    case 'unsupported':
      return row.affected;
  }
}

/** The release that fixes a row, when the row is fixed by a release. */
export function fixedRelease(row: BackportRow): string | undefined {
  return row.status === 'fixed' ? row.fixedIn : undefined;
}

/**
 * The events of one OSV ECOSYSTEM range (https://ossf.github.io/osv-schema/#affectedrangesevents-fields)
 * built from the backport matrix, walking the release series in version order:
 * - the first affected segment starts at `introduced`, else at `0`, but never below a series
 *   marked not affected: after one, it starts at the first affected series' lowest version;
 * - a series fixed by a release closes the segment with `fixed`; the next affected series opens
 *   the next one at its lowest version;
 * - an affected series without a fixing release (past end of support, or not fixed yet) stays
 *   inside the open segment until a later series' fix;
 * - a series marked not affected while a segment is open closes it at its own lowest version;
 * - the main branch adds no event when its fix is a commit only; when the matrix records a
 *   release for it (a project that releases from main), that release closes the open segment.
 * Empty when no released version is affected.
 */
export function affectedEvents(matrix: readonly BackportRow[], pkg: AdvisoryPackage, introduced?: string): RangeEvent[] {
  const { scheme } = pkg;
  const known = introduced ?? '0';
  if (known !== '0' && !scheme.isValid(known)) {
    throw new DeskRuleError(`first affected version "${known}" is not a ${scheme.name} version`);
  }
  const series = seriesOldestFirst(matrix, pkg);
  const events: RangeEvent[] = [];
  let open: string | undefined;
  let started = false;
  let sawNotAffected = false;
  const openAt = (floor: string | undefined): string => {
    if (started && floor !== undefined) return floor;
    if (floor === undefined && sawNotAffected && known === '0') {
      throw new DeskRuleError('every release series is marked not affected: record the first affected version to place the fixed release');
    }
    const raise = sawNotAffected && floor !== undefined && (known === '0' || scheme.compare(known, floor) < 0);
    return raise ? floor : known;
  };
  for (const [index, { row, floor }] of series.entries()) {
    const next = series[index + 1]?.floor;
    // Series wholly before the known first affected version carry nothing, whatever the matrix says.
    if (!started && known !== '0' && next !== undefined && scheme.compare(next, known) <= 0) continue;
    if (!isAffectedRow(row)) {
      if (open !== undefined) {
        events.push({ fixed: floor });
        open = undefined;
      }
      sawNotAffected = true;
      continue;
    }
    if (open === undefined) {
      open = openAt(floor);
      events.push({ introduced: open });
      started = true;
    }
    const fixed = fixedRelease(row);
    if (fixed === undefined) continue;
    checkFix(row, fixed, scheme, open, { floor, next });
    events.push({ fixed });
    open = undefined;
  }
  const main = matrix.find((row) => row.kind === 'main');
  const mainRelease = main === undefined ? undefined : fixedRelease(main);
  if (main !== undefined && mainRelease !== undefined && (open !== undefined || !started)) {
    open ??= openAt(undefined);
    if (!started) events.push({ introduced: open });
    checkFix(main, mainRelease, scheme, open);
    const newest = series.at(-1)?.floor;
    if (newest !== undefined && scheme.compare(mainRelease, newest) <= 0) {
      throw new DeskRuleError(`the release of the ${main.series} branch fix (${mainRelease}) is not newer than every release series`);
    }
    events.push({ fixed: mainRelease });
  }
  return events;
}

function checkFix(
  row: BackportRow,
  fixed: string,
  scheme: VersionScheme,
  from: string,
  series?: { readonly floor: string; readonly next: string | undefined },
): void {
  if (!scheme.isValid(fixed)) {
    throw new DeskRuleError(`the fix of ${row.series} is recorded in "${fixed}", which is not a ${scheme.name} version`);
  }
  if (series && (scheme.compare(fixed, series.floor) < 0 || (series.next !== undefined && scheme.compare(fixed, series.next) >= 0))) {
    throw new DeskRuleError(`the fix of series ${row.series} is recorded in ${fixed}, a release of another series`);
  }
  if (from !== '0' && scheme.compare(fixed, from) <= 0) {
    throw new DeskRuleError(`the fix of ${row.series} (${fixed}) is not after the first affected version ${from}`);
  }
}

/**
 * Where the flaw starts inside one affected series, for documents: the recorded first affected
 * version when it lies in this series (`undefined`: from the series' first release).
 */
export function firstAffectedIn(row: BackportRow, pkg: AdvisoryPackage, matrix: readonly BackportRow[], introduced?: string): string | undefined {
  if (introduced === undefined || introduced === '0' || row.kind !== 'series' || !pkg.scheme.isValid(introduced)) return undefined;
  const ordered = seriesOldestFirst(matrix, pkg);
  const index = ordered.findIndex((entry) => entry.row === row);
  const here = ordered[index];
  if (here === undefined) return undefined;
  const next = ordered[index + 1]?.floor;
  const inside = pkg.scheme.compare(introduced, here.floor) >= 0 && (next === undefined || pkg.scheme.compare(introduced, next) < 0);
  return inside ? introduced : undefined;
}
