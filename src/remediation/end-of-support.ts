import type { Clock } from '../core/clock.js';
import type { EcosystemId } from '../core/types.js';
import { ecosystems } from '../ecosystems/ecosystems.js';
import type { MaintenancePolicy } from '../policy/types.js';

const DAY_MS = 86_400_000;

/** A version in a release series whose security support has ended. */
export interface EndOfSupportNote {
  /** `locked`: the installed version; `target`: the planned fix stays in an ended series. */
  readonly subject: 'locked' | 'target';
  readonly package: string;
  readonly version: string;
  /** The series as the policy names it, e.g. `4.2`. */
  readonly series: string;
  /** Last day of support (YYYY-MM-DD). */
  readonly endedOn: string;
  readonly message: string;
}

/**
 * Whether a version belongs to a series: the series is a prefix ending at a segment boundary
 * (`4.2.10`, `4.2rc1` and `4.2` are in `4.2`; `4.20.1` is not).
 */
export function isInSeries(version: string, series: string): boolean {
  if (!version.startsWith(series)) return false;
  const next = version.charAt(series.length);
  return next === '' || !/[0-9]/.test(next);
}

/** The series of `endOfSupport` (package matched by normalised name) that contains the version. */
function seriesOf(
  ecosystem: EcosystemId,
  name: string,
  version: string,
  maintenance: MaintenancePolicy,
): { series: string; endedOn: string } | undefined {
  const normalizeName = (value: string): string => ecosystems[ecosystem].normalizeName(value);
  const normalized = normalizeName(name);
  for (const [pkg, series] of Object.entries(maintenance.endOfSupport)) {
    if (normalizeName(pkg) !== normalized) continue;
    // The longest matching series wins, so `{"4": ..., "4.2": ...}` judges 4.2.x by `4.2`.
    const matching = Object.keys(series)
      .filter((key) => isInSeries(version, key))
      .sort((a, b) => b.length - a.length)[0];
    if (matching !== undefined) return { series: matching, endedOn: series[matching] as string };
  }
  return undefined;
}

/**
 * End-of-support notes for a locked version and its planned target: a note for each whose series
 * ended before today (the policy's date is the last supported day, through its end in UTC, as
 * exception expiries are read).
 */
export function checkEndOfSupport(
  pkg: { readonly ecosystem: EcosystemId; readonly name: string; readonly version: string },
  target: string | undefined,
  maintenance: MaintenancePolicy,
  clock: Clock,
): EndOfSupportNote[] {
  const now = clock.now().getTime();
  const ended = (day: string): boolean => now >= Date.parse(`${day}T00:00:00Z`) + DAY_MS;
  const notes: EndOfSupportNote[] = [];
  const locked = seriesOf(pkg.ecosystem, pkg.name, pkg.version, maintenance);
  if (locked && ended(locked.endedOn)) {
    notes.push({
      subject: 'locked',
      package: pkg.name,
      version: pkg.version,
      ...locked,
      message: `${pkg.name} ${pkg.version}: series ${locked.series} reached end of support on ${locked.endedOn}`,
    });
  }
  if (target !== undefined) {
    const planned = seriesOf(pkg.ecosystem, pkg.name, target, maintenance);
    if (planned && ended(planned.endedOn)) {
      notes.push({
        subject: 'target',
        package: pkg.name,
        version: target,
        ...planned,
        message: `the planned ${pkg.name} ${target} stays on series ${planned.series}, which reached end of support on ${planned.endedOn}; plan a move to a supported series`,
      });
    }
  }
  return notes;
}
