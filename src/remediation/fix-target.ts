import type { OsvRecord } from '../advisories/osv.js';
import type { AdvisoryStore } from '../advisories/types.js';
import type { EcosystemId } from '../core/types.js';
import { ecosystems } from '../ecosystems/ecosystems.js';
import type { VersionScheme } from '../ecosystems/types.js';
import { evaluateAffected } from '../match/affected.js';
import { UPGRADE_LIMITS, type UpgradeLimit } from '../policy/types.js';
import { isPrerelease } from './prerelease.js';
import type { VersionSource } from './version-source.js';

/**
 * The upgrade class of a fix: a policy class, or `security-update` (a newer build of a Debian or
 * Ubuntu package in the same release, allowed wherever a patch is).
 */
export type FixClass = UpgradeLimit | 'security-update';

/** The upgrade a fix needs, or that none is known. */
export type FixUpgrade = FixClass | 'none-available';

/**
 * Where the candidate versions came from: the registry's published versions, or (registry
 * unknown or unreachable) the `fixed` events of the package's advisories.
 */
export type FixBasis = 'registry' | 'advisories';

/** Why a version an advisory names as `fixed` is not the target. */
export type ConsideredOutcome =
  /** Another advisory (or another range of the same one) still affects it. */
  | 'affected'
  /** An advisory range could not be evaluated for it, so it cannot be shown clean. */
  | 'unevaluable'
  /** The registry does not list it (yanked, unpublished, or a typo in the advisory). */
  | 'not-published'
  /** A pre-release, and the package is not on one. */
  | 'prerelease'
  /** Fixes, but a smaller fixing version exists. */
  | 'higher';

/** An advisory's `fixed` version that was looked at and not chosen. */
export interface ConsideredVersion {
  readonly version: string;
  readonly outcome: ConsideredOutcome;
  /** Ids of the advisories that affect it (`affected`) or could not be evaluated (`unevaluable`). */
  readonly advisories: readonly string[];
}

/** The smallest upgrade that clears every advisory of a package. */
export interface FixTarget {
  /** The smallest version above the current one that no advisory affects; absent when none is known. */
  readonly target?: string;
  readonly basis: FixBasis;
  /** Upgrade class from the current version to the target (the npm caret rule makes 0.x minor bumps `major`). */
  readonly upgrade: FixUpgrade;
  /** The advisories' `fixed` versions above the current one that are not the target, and why. */
  readonly alsoConsidered: readonly ConsideredVersion[];
}

/** A package version and everything needed to find its fix, without I/O. */
export interface FixTargetQuery {
  readonly ecosystem: EcosystemId;
  readonly name: string;
  /** The locked version. */
  readonly version: string;
  /** Every advisory of the store for the package (as `AdvisoryStore.advisoriesFor` gives them). */
  readonly advisories: readonly OsvRecord[];
  /** The registry's published versions; absent or `undefined` to use the advisories' `fixed` versions. */
  readonly published?: readonly string[] | undefined;
}

/** The advisories affecting one version of a package. */
export interface AffectingAdvisories {
  /** Ids of the advisories that affect the version. */
  readonly affecting: readonly string[];
  /** Ids of the advisories with a range that could not be evaluated for it. */
  readonly unevaluable: readonly string[];
}

/** `Debian:11` -> `Debian`: records name ecosystems with an optional suffix. */
function baseEcosystem(value: string): string {
  const colon = value.indexOf(':');
  return colon === -1 ? value : value.slice(0, colon);
}

/**
 * Which of the advisories affect `version` of the package, each `affected` entry for the package
 * evaluated with the matcher's own OSV evaluation, so `last_affected`, `limit`, `versions` lists
 * and several ranges count exactly as they do when auditing.
 */
export function findAffectingAdvisories(
  ecosystem: EcosystemId,
  name: string,
  version: string,
  advisories: readonly OsvRecord[],
): AffectingAdvisories {
  const scheme = ecosystems[ecosystem].versions;
  const normalizeName = (value: string): string => ecosystems[ecosystem].normalizeName(value);
  const normalized = normalizeName(name);
  const affecting: string[] = [];
  const unevaluable: string[] = [];
  for (const record of advisories) {
    let affected = false;
    let unknown = false;
    for (const entry of record.affected ?? []) {
      if (!entry.package || baseEcosystem(entry.package.ecosystem) !== ecosystem) continue;
      if (normalizeName(entry.package.name) !== normalized) continue;
      const verdict = evaluateAffected(entry, version, scheme);
      if (verdict.affected) affected = true;
      if (verdict.unevaluable.length > 0) unknown = true;
    }
    if (affected) affecting.push(record.id);
    else if (unknown) unevaluable.push(record.id);
  }
  return { affecting, unevaluable };
}

/** Every `fixed` event of the package's advisories (any range, any entry for the package). */
export function collectFixedVersions(ecosystem: EcosystemId, name: string, advisories: readonly OsvRecord[]): string[] {
  const normalizeName = (value: string): string => ecosystems[ecosystem].normalizeName(value);
  const normalized = normalizeName(name);
  const fixed: string[] = [];
  for (const record of advisories) {
    for (const entry of record.affected ?? []) {
      if (!entry.package || baseEcosystem(entry.package.ecosystem) !== ecosystem) continue;
      if (normalizeName(entry.package.name) !== normalized) continue;
      for (const range of entry.ranges ?? []) {
        if (range.type === 'GIT') continue;
        for (const event of range.events) if ('fixed' in event) fixed.push(event.fixed);
      }
    }
  }
  return fixed;
}

function rankOf(limit: FixClass): number {
  return limit === 'security-update' ? -1 : UPGRADE_LIMITS.indexOf(limit);
}

/** Valid versions above `current`, one per equality key, ascending. */
function versionsAbove(candidates: readonly string[], current: string, scheme: VersionScheme): string[] {
  const byKey = new Map<string, string>();
  for (const candidate of candidates) {
    // A registry can list versions its own scheme rejects (npm's pre-2014 loose versions); they
    // cannot be ordered, so they cannot be proposed.
    if (!scheme.isValid(candidate) || scheme.compare(candidate, current) <= 0) continue;
    const key = scheme.equalityKey(candidate);
    if (!byKey.has(key)) byKey.set(key, candidate);
  }
  return [...byKey.values()].sort((a, b) => scheme.compare(a, b));
}

/** The versions a fix may be chosen among, ascending: published (else `fixed`) ones above the current, pre-releases only from one. */
function candidatesOf(query: FixTargetQuery): string[] {
  const { ecosystem, name, version, advisories, published } = query;
  const scheme = ecosystems[ecosystem].versions;
  const allowPrerelease = isPrerelease(ecosystem, version);
  return versionsAbove(published ?? collectFixedVersions(ecosystem, name, advisories), version, scheme).filter(
    (candidate) => allowPrerelease || !isPrerelease(ecosystem, candidate),
  );
}

/**
 * The smallest version above the current one that no advisory of the package affects, chosen
 * among the published versions when given, else among the advisories' `fixed` versions. Every
 * candidate is re-checked against every advisory, so a `fixed` version that another advisory (or a
 * `last_affected` range) still covers is passed over. Pre-releases are skipped unless the current
 * version is one.
 */
export function chooseFixTarget(query: FixTargetQuery): FixTarget {
  const { ecosystem, name, version, advisories, published } = query;
  const scheme = ecosystems[ecosystem].versions;
  const fromRegistry = published !== undefined;
  // A version the scheme cannot parse (matched through a `versions` list) cannot be ordered
  // against any candidate: no upgrade is computed rather than a guessed one.
  if (!scheme.isValid(version)) return { basis: fromRegistry ? 'registry' : 'advisories', upgrade: 'none-available', alsoConsidered: [] };
  const fixedEvents = collectFixedVersions(ecosystem, name, advisories);
  const allowPrerelease = isPrerelease(ecosystem, version);

  let target: string | undefined;
  for (const candidate of candidatesOf(query)) {
    const check = findAffectingAdvisories(ecosystem, name, candidate, advisories);
    if (check.affecting.length === 0 && check.unevaluable.length === 0) {
      target = candidate;
      break;
    }
  }

  const publishedKeys = fromRegistry ? new Set(published.filter((v) => scheme.isValid(v)).map((v) => scheme.equalityKey(v))) : undefined;
  const targetKey = target === undefined ? undefined : scheme.equalityKey(target);
  const alsoConsidered: ConsideredVersion[] = [];
  for (const fixed of versionsAbove(fixedEvents, version, scheme)) {
    if (scheme.equalityKey(fixed) === targetKey) continue;
    alsoConsidered.push(considered(fixed));
  }

  function considered(fixed: string): ConsideredVersion {
    if (publishedKeys && !publishedKeys.has(scheme.equalityKey(fixed))) return { version: fixed, outcome: 'not-published', advisories: [] };
    if (!allowPrerelease && isPrerelease(ecosystem, fixed)) return { version: fixed, outcome: 'prerelease', advisories: [] };
    const check = findAffectingAdvisories(ecosystem, name, fixed, advisories);
    if (check.affecting.length > 0) return { version: fixed, outcome: 'affected', advisories: check.affecting };
    if (check.unevaluable.length > 0) return { version: fixed, outcome: 'unevaluable', advisories: check.unevaluable };
    return { version: fixed, outcome: 'higher', advisories: [] };
  }

  const upgrade: FixUpgrade = target === undefined ? 'none-available' : (scheme.classifyUpgrade(version, target) as FixClass);
  return {
    ...(target === undefined ? {} : { target }),
    basis: fromRegistry ? 'registry' : 'advisories',
    upgrade,
    alsoConsidered,
  };
}

/** A package to find the fix of. */
export interface FixTargetPackage {
  readonly ecosystem: EcosystemId;
  readonly name: string;
  readonly version: string;
}

/** Where `findFixTarget` reads from. */
export interface FindFixTargetOptions {
  /** Published versions (a registry); without it the advisories' `fixed` versions are the candidates. */
  readonly versions?: VersionSource;
}

/**
 * `chooseFixTarget` for one package, reading all its advisories from the store and its published
 * versions from the version source when one is given.
 */
export async function findFixTarget(pkg: FixTargetPackage, store: AdvisoryStore, options: FindFixTargetOptions = {}): Promise<FixTarget> {
  const normalized = ecosystems[pkg.ecosystem].normalizeName(pkg.name);
  const advisories = (await store.advisoriesFor(pkg.ecosystem, [normalized])).get(normalized) ?? [];
  const published = options.versions ? await options.versions.publishedVersions(pkg.ecosystem, pkg.name) : undefined;
  return chooseFixTarget({ ...pkg, advisories, published });
}

/** The best upgrade within a class: all advisories cleared if possible, else as many as possible. */
export interface FixWithin {
  readonly version: string;
  readonly upgrade: FixClass;
  /** Whether no advisory affects it (then it is the smallest such version within the class). */
  readonly complete: boolean;
  /** Ids of the advisories affecting the current version that no longer affect this one. */
  readonly cleared: readonly string[];
  /** Ids of the advisories that still affect it (or cannot be evaluated for it). */
  readonly remaining: readonly string[];
}

/**
 * The smallest version reachable with at most the `within` upgrade class that clears every
 * advisory; when none does (the full fix needs a larger upgrade), the one that leaves the fewest
 * advisories affecting it, smallest first among equals, e.g. Django 3.2.16 held at the 3.2 line
 * goes to the 3.2.x release that carries the most fixes. `undefined` when no such version clears
 * any advisory affecting the current one.
 */
export function chooseFixWithin(query: FixTargetQuery, within: UpgradeLimit): FixWithin | undefined {
  const { ecosystem, name, version, advisories } = query;
  const scheme = ecosystems[ecosystem].versions;
  if (!scheme.isValid(version)) return undefined;
  const now = findAffectingAdvisories(ecosystem, name, version, advisories);
  const current = new Set([...now.affecting, ...now.unevaluable]);
  let best: FixWithin | undefined;
  for (const candidate of candidatesOf(query)) {
    const upgrade = scheme.classifyUpgrade(version, candidate);
    if (upgrade === 'none' || rankOf(upgrade) > rankOf(within)) continue;
    const check = findAffectingAdvisories(ecosystem, name, candidate, advisories);
    const remaining = [...check.affecting, ...check.unevaluable].sort();
    const cleared = [...current].filter((id) => !remaining.includes(id)).sort();
    if (cleared.length === 0) continue;
    if (best === undefined || remaining.length < best.remaining.length) {
      best = { version: candidate, upgrade, complete: remaining.length === 0, cleared, remaining };
      if (best.complete) break;
    }
  }
  return best;
}
