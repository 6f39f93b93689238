import type { OsvAffected, OsvEvent, OsvRange } from '../advisories/osv.js';
import { semverScheme } from '../ecosystems/npm/version.js';
import type { VersionScheme } from '../ecosystems/types.js';

/** Outcome of evaluating one `affected` entry for one version. */
export interface AffectedVerdict {
  readonly affected: boolean;
  /**
   * `fixed` versions of the ranges that contain the version (what to upgrade to), in range order;
   * empty when affected only through `versions`, or when no fix is known.
   */
  readonly fixed: readonly string[];
  /** Ranges that could not be evaluated (a bound the scheme cannot order), with the reason. */
  readonly unevaluable: readonly string[];
}

type EventKind = 'introduced' | 'fixed' | 'last_affected' | 'limit';

interface Bound {
  readonly kind: EventKind;
  readonly version: string;
}

function boundOf(event: OsvEvent): Bound {
  if ('introduced' in event) return { kind: 'introduced', version: event.introduced };
  if ('fixed' in event) return { kind: 'fixed', version: event.fixed };
  if ('last_affected' in event) return { kind: 'last_affected', version: event.last_affected };
  return { kind: 'limit', version: event.limit };
}

/**
 * Evaluates an OSV `affected` entry for `version`, exactly as the OSV schema's "Evaluation"
 * section defines it (https://ossf.github.io/osv-schema/#evaluation): a version listed in
 * `versions`, or inside any ECOSYSTEM/SEMVER range (events sorted by version, `introduced: "0"`
 * before all, `fixed` exclusive, `last_affected` inclusive, `limit` an exclusive ceiling). GIT
 * ranges need the repository and are not evaluated here; osv.dev expands them into `versions`.
 */
export function evaluateAffected(affected: OsvAffected, version: string, scheme: VersionScheme): AffectedVerdict {
  const listed = (affected.versions ?? []).some((candidate) => sameVersion(candidate, version, scheme));
  const fixed: string[] = [];
  const unevaluable: string[] = [];
  let inRange = false;
  for (const range of affected.ranges ?? []) {
    if (range.type === 'GIT') continue;
    const rangeScheme = range.type === 'SEMVER' && semverScheme.isValid(version) ? semverScheme : scheme;
    const outcome = evaluateRange(range, version, rangeScheme);
    if (outcome === 'unevaluable') {
      unevaluable.push(
        rangeScheme.isValid(version)
          ? `${range.type} range with a bound ${rangeScheme.name} cannot order`
          : `version "${version}" is not ${rangeScheme.name}, so its ${range.type} range cannot be evaluated`,
      );
      continue;
    }
    if (outcome.affected) {
      inRange = true;
      if (outcome.fixedBy !== undefined) fixed.push(outcome.fixedBy);
    }
  }
  return { affected: listed || inRange, fixed, unevaluable };
}

// Equality keys of version strings, per scheme. Advisory `versions` lists repeat the same few
// thousand strings (PYSEC lists every affected release), so each is parsed once per process.
const equalityKeys = new Map<VersionScheme, Map<string, string | null>>();

function equalityKeyOf(version: string, scheme: VersionScheme): string | null {
  let keys = equalityKeys.get(scheme);
  if (!keys) {
    keys = new Map();
    equalityKeys.set(scheme, keys);
  }
  let key = keys.get(version);
  if (key === undefined) {
    key = scheme.isValid(version) ? scheme.equalityKey(version) : null;
    keys.set(version, key);
  }
  return key;
}

function sameVersion(a: string, b: string, scheme: VersionScheme): boolean {
  if (a === b) return true;
  const keyA = equalityKeyOf(a, scheme);
  return keyA !== null && keyA === equalityKeyOf(b, scheme);
}

/** `fixedBy`: the next `fixed` event above the version, when the version is affected. */
function evaluateRange(
  range: OsvRange,
  version: string,
  scheme: VersionScheme,
): { affected: boolean; fixedBy?: string } | 'unevaluable' {
  const bounds = range.events.map(boundOf);
  const orderable = (bound: Bound): boolean =>
    (bound.kind === 'introduced' && bound.version === '0') ||
    (bound.kind === 'limit' && bound.version === '*') ||
    scheme.isValid(bound.version);
  if (!scheme.isValid(version) || !bounds.every(orderable)) return 'unevaluable';

  // compare(v, bound): `introduced: "0"` sorts before every version, `limit: "*"` after.
  const cmp = (v: string, bound: Bound): number => {
    if (bound.kind === 'introduced' && bound.version === '0') return 1;
    if (bound.kind === 'limit' && bound.version === '*') return -1;
    return scheme.compare(v, bound.version);
  };

  const limits = bounds.filter((bound) => bound.kind === 'limit');
  if (limits.length > 0 && !limits.some((limit) => cmp(version, limit) < 0)) return { affected: false };

  const sorted = bounds
    .filter((bound) => bound.kind !== 'limit')
    .sort((a, b) => {
      if (a.kind === 'introduced' && a.version === '0') return b.kind === 'introduced' && b.version === '0' ? 0 : -1;
      if (b.kind === 'introduced' && b.version === '0') return 1;
      return scheme.compare(a.version, b.version);
    });

  let vulnerable = false;
  for (const bound of sorted) {
    if (bound.kind === 'introduced' && cmp(version, bound) >= 0) vulnerable = true;
    else if (bound.kind === 'fixed' && cmp(version, bound) >= 0) vulnerable = false;
    else if (bound.kind === 'last_affected' && cmp(version, bound) > 0) vulnerable = false;
  }
  if (!vulnerable) return { affected: false };
  const fixedBy = sorted.find((bound) => bound.kind === 'fixed' && cmp(version, bound) < 0);
  return fixedBy ? { affected: true, fixedBy: fixedBy.version } : { affected: true };
}
