// The parts of `semver` used, imported alone (its index loads every module; see src/ecosystems/npm/version.ts).
import semverMaxSatisfying from 'semver/ranges/max-satisfying.js';
import semverValidRange from 'semver/ranges/valid.js';
import type { OsvRecord } from '../advisories/osv.js';
import { ecosystems } from '../ecosystems/ecosystems.js';
import type { MaintenancePolicy, UpgradeLimit } from '../policy/types.js';
import { findAffectingAdvisories } from './fix-target.js';
import { findUpgradeRule, isFramework, isUpgradeAllowed, type UpgradeRule } from './maintenance.js';
import { isPrerelease } from './prerelease.js';
import type { VersionSource } from './version-source.js';

/** Registry metadata parent bumps are computed from (the npm registry gives both parts). */
export interface NpmMetadataSource extends VersionSource {
  /** The ranges one published version declares for its dependencies; `undefined` when unknown. */
  dependenciesOf(name: string, version: string): Promise<Readonly<Record<string, string>> | undefined>;
}

/** A package at a version, as a dependency path step (`name@version`) names it. */
export interface PackageVersion {
  readonly name: string;
  readonly version: string;
}

/** A parent whose declared range keeps every fixed version of the vulnerable package out. */
export interface ParentBlocker {
  /** The parent, at the version the newest direct parent resolves it to (or its newest version). */
  readonly name: string;
  readonly version: string;
  /** The package it declares (the next step of the path) and the range it declares for it. */
  readonly dependency: string;
  readonly range: string;
  /** The version of `dependency` that range resolves to (its highest published match). */
  readonly resolves: string;
}

/** What one dependency path allows: a bump of its direct parent, or what blocks one. */
export type ParentPathPlan =
  | {
      /** A newer version of the direct parent resolves the path to a fixed version (or drops it). */
      readonly kind: 'bump';
      /** The locked path, `name@version` steps from the direct dependency to the vulnerable package. */
      readonly path: readonly string[];
      /** The direct dependency to bump, from its locked version to the smallest that fixes. */
      readonly parent: string;
      readonly from: string;
      readonly to: string;
      readonly upgrade: UpgradeLimit;
      /** Whether the maintenance policy allows that upgrade of the direct dependency. */
      readonly decision: 'allowed' | 'held';
      readonly rule: UpgradeRule;
      /**
       * The path resolved from `parent@to` by the highest published version each declared range
       * admits; shorter than `path` when a step no longer depends on the next one.
       */
      readonly resolved: readonly string[];
      /** One line for people. */
      readonly text: string;
    }
  | {
      /** The locked parent's ranges already admit a fixed version: refreshing the lockfile is enough. */
      readonly kind: 'in-range';
      readonly path: readonly string[];
      readonly parent: string;
      readonly from: string;
      readonly resolved: readonly string[];
      readonly text: string;
    }
  | {
      /** No version of the direct parent from the locked one up resolves to a fixed version. */
      readonly kind: 'blocked';
      readonly path: readonly string[];
      readonly parent: string;
      readonly from: string;
      /** The parent that blocks (dependabot-core #1340 names no one; vigil does). */
      readonly blockedBy: ParentBlocker;
      /** The immediate parent's smallest version that would admit a fixed version, when one exists. */
      readonly intermediate?: { readonly name: string; readonly from: string; readonly to: string };
      readonly text: string;
    }
  | {
      /** The registry could not tell (metadata missing, a range that is not SemVer, a peer edge). */
      readonly kind: 'unknown';
      readonly path: readonly string[];
      readonly parent: string;
      readonly from: string;
      readonly text: string;
    };

/** Parent bumps of one indirect npm package: evaluated per path, or why not. */
export type ParentBumps =
  | { readonly evaluated: false; readonly reason: string }
  | { readonly evaluated: true; readonly paths: readonly ParentPathPlan[] };

/** Everything `evaluateParentBumps` weighs for one vulnerable indirect npm package. */
export interface ParentBumpQuery {
  /** The vulnerable package's name (npm). */
  readonly name: string;
  /** Its locked paths, `name@version` steps from a direct dependency to it. */
  readonly paths: readonly (readonly string[])[];
  /** Every advisory of the store for it: a version none of them affects is fixed. */
  readonly advisories: readonly OsvRecord[];
  /** Its `rules` decide whether a bump of the direct dependency is allowed. */
  readonly maintenance: MaintenancePolicy;
  readonly source: NpmMetadataSource;
}

/** Splits a `name@version` path step; a scoped name keeps its leading `@`. */
export function parsePathStep(step: string): PackageVersion | undefined {
  const at = step.lastIndexOf('@');
  if (at <= 0 || at === step.length - 1) return undefined;
  return { name: step.slice(0, at), version: step.slice(at + 1) };
}

function label(step: PackageVersion): string {
  return `${step.name}@${step.version}`;
}

/** A path resolved from one version of its direct dependency down, by highest matching versions. */
type Chain =
  /** Every step resolved; `ranges[i]` is the range `steps[i]` declares for `steps[i + 1]`. */
  | { readonly kind: 'reaches'; readonly steps: readonly PackageVersion[]; readonly ranges: readonly string[] }
  /** `steps` ends at a package that no longer depends on the next name of the path. */
  | { readonly kind: 'dropped'; readonly steps: readonly PackageVersion[]; readonly next: string }
  | { readonly kind: 'unknown'; readonly reason: string };

/**
 * Resolves the path names below `start` as npm would without a lockfile: each step to the highest
 * published version its parent's declared range admits (https://docs.npmjs.com/cli/v10/configuring-npm/package-json#dependencies).
 */
async function resolveChain(source: NpmMetadataSource, start: PackageVersion, below: readonly string[]): Promise<Chain> {
  const steps: PackageVersion[] = [start];
  const ranges: string[] = [];
  let current = start;
  for (const next of below) {
    const dependencies = await source.dependenciesOf(current.name, current.version);
    if (dependencies === undefined) return { kind: 'unknown', reason: `no registry metadata for ${label(current)}` };
    const range = dependencies[next];
    if (range === undefined) return { kind: 'dropped', steps, next };
    if (semverValidRange(range) === null) return { kind: 'unknown', reason: `${label(current)} requires ${next}@${range}, not a SemVer range` };
    const published = await source.publishedVersions('npm', next);
    if (published === undefined) return { kind: 'unknown', reason: `no published versions of ${next} from the registry` };
    const version = semverMaxSatisfying([...published], range);
    if (version === null) return { kind: 'unknown', reason: `no published version of ${next} satisfies ${label(current)}'s range ${range}` };
    ranges.push(range);
    current = { name: next, version };
    steps.push(current);
  }
  return { kind: 'reaches', steps, ranges };
}

/** Published versions of a package from `from` up (included), ascending; pre-releases only from one. */
async function versionsFrom(source: NpmMetadataSource, from: PackageVersion): Promise<string[] | undefined> {
  const scheme = ecosystems.npm.versions;
  const published = await source.publishedVersions('npm', from.name);
  if (published === undefined || !scheme.isValid(from.version)) return undefined;
  const allowPrerelease = isPrerelease('npm', from.version);
  return published
    .filter((version) => scheme.isValid(version) && scheme.compare(version, from.version) >= 0)
    .filter((version) => allowPrerelease || !isPrerelease('npm', version))
    .sort((a, b) => scheme.compare(a, b));
}

/**
 * Evaluates one locked path: the smallest version of its direct dependency, from the locked one
 * up, whose declared ranges resolve the path to a version of the vulnerable package no advisory
 * affects (or no longer reach it). The locked version itself counts (`in-range`: the lockfile is
 * merely stale). When none does, the blocker: the immediate parent when none of its versions
 * admits a fixed version (at the version the newest direct parent resolves it to), else the
 * parent above it, whose range keeps those versions out.
 */
export async function evaluateParentPath(query: Omit<ParentBumpQuery, 'paths'>, path: readonly string[]): Promise<ParentPathPlan> {
  const { source, name: child } = query;
  const steps = path.map(parsePathStep);
  const first = steps[0];
  const parent = first?.name ?? path[0] ?? '';
  const from = first?.version ?? '';
  const unknown = (reason: string): ParentPathPlan => ({ kind: 'unknown', path, parent, from, text: `not evaluated: ${reason}` });
  if (first === undefined || steps.length < 2 || steps.some((step) => step === undefined)) return unknown('the path has no parent');
  const locked = steps as PackageVersion[];
  const isFixed = (version: string): boolean => {
    const check = findAffectingAdvisories('npm', child, version, query.advisories);
    return check.affecting.length === 0 && check.unevaluable.length === 0;
  };
  const fixes = (chain: Chain): boolean => {
    if (chain.kind !== 'reaches') return chain.kind === 'dropped';
    const end = chain.steps[chain.steps.length - 1];
    return end !== undefined && isFixed(end.version);
  };

  // Every locked edge must be a declared dependency: a peer edge is resolved by another package.
  for (let index = 0; index + 1 < locked.length; index += 1) {
    const step = locked[index] as PackageVersion;
    const next = locked[index + 1] as PackageVersion;
    const dependencies = await source.dependenciesOf(step.name, step.version);
    if (dependencies === undefined) return unknown(`no registry metadata for ${label(step)}`);
    if (dependencies[next.name] === undefined) return unknown(`${label(step)} does not list ${next.name} in its dependencies (a peer or bundled dependency?)`);
  }

  const candidates = await versionsFrom(source, first);
  if (candidates === undefined) return unknown(`no published versions of ${first.name} from the registry`);
  const below = locked.slice(1).map((step) => step.name);
  let latest: Chain | undefined;
  for (const version of candidates) {
    const chain = await resolveChain(source, { name: first.name, version }, below);
    latest = chain;
    if (!fixes(chain)) continue;
    const resolved = chain.kind === 'unknown' ? [] : chain.steps.map(label);
    const reach = chain.kind === 'dropped' ? `${resolved.join(' > ')} no longer depends on ${chain.next}` : resolved.join(' > ');
    if (version === from) {
      return { kind: 'in-range', path, parent, from, resolved, text: `${parent} ${from} already admits a fixed ${child} (${reach}): refresh the lockfile` };
    }
    const upgrade = ecosystems.npm.versions.classifyUpgrade(from, version) as UpgradeLimit;
    const rule = findUpgradeRule(isFramework('npm', parent, query.maintenance) ? 'framework' : 'direct', query.maintenance);
    const decision = isUpgradeAllowed(upgrade, rule) ? 'allowed' : 'held';
    return {
      kind: 'bump',
      path,
      parent,
      from,
      to: version,
      upgrade,
      decision,
      rule,
      resolved,
      text: `bump ${parent} ${from} -> ${version} (${upgrade}, ${decision}: ${rule.text}): ${chain.kind === 'dropped' ? reach : `it resolves ${reach}`}`,
    };
  }
  if (latest === undefined || latest.kind !== 'reaches') return unknown(latest?.kind === 'unknown' ? latest.reason : `no published version of ${parent}`);

  // Nothing fixes: name the parent whose range keeps the fixed versions out.
  const immediate = locked[locked.length - 2] as PackageVersion;
  const at = latest.steps.length - 2;
  let intermediate: { name: string; from: string; to: string } | undefined;
  if (locked.length > 2) {
    for (const version of (await versionsFrom(source, immediate)) ?? []) {
      const chain = await resolveChain(source, { name: immediate.name, version }, [child]);
      if (fixes(chain)) {
        intermediate = { name: immediate.name, from: immediate.version, to: version };
        break;
      }
    }
  }
  const blockerIndex = intermediate === undefined ? at : at - 1;
  const blocker: ParentBlocker = {
    name: latest.steps[blockerIndex]?.name ?? parent,
    version: latest.steps[blockerIndex]?.version ?? '',
    dependency: latest.steps[blockerIndex + 1]?.name ?? child,
    range: latest.ranges[blockerIndex] ?? '',
    resolves: latest.steps[blockerIndex + 1]?.version ?? '',
  };
  const newest = latest.steps[0]?.version ?? from;
  const why =
    locked.length === 2
      ? ''
      : intermediate === undefined
        ? `; no version of ${immediate.name} from ${immediate.version} up admits a fixed ${child}`
        : `; ${intermediate.name} ${intermediate.to} would admit a fixed ${child}, but ${blocker.name}'s range keeps it out`;
  return {
    kind: 'blocked',
    path,
    parent,
    from,
    blockedBy: blocker,
    ...(intermediate === undefined ? {} : { intermediate }),
    text: `no version of ${parent} from ${from} to ${newest} resolves to a fixed ${child}: blocked by ${blocker.name} ${blocker.version}, which requires ${blocker.dependency}@${blocker.range} (resolves to ${blocker.resolves})${why}`,
  };
}

/**
 * Parent bumps for an indirect npm package, one evaluation per locked path (see
 * `evaluateParentPath`). Registry failures make a path `unknown`, never an error.
 */
export async function evaluateParentBumps(query: ParentBumpQuery): Promise<ParentBumps> {
  const paths = query.paths.filter((path) => path.length >= 2);
  if (paths.length === 0) return { evaluated: false, reason: 'the lockfile gives no dependency path to a direct dependency' };
  const plans: ParentPathPlan[] = [];
  for (const path of paths) plans.push(await evaluateParentPath(query, path));
  return { evaluated: true, paths: plans };
}

/** A direct dependency to move to a new version. */
export interface ParentBumpTarget {
  readonly name: string;
  readonly from: string;
  readonly to: string;
}

/**
 * The direct dependencies to install at their new versions when every path has an allowed bump
 * (one entry per parent, the highest version asked for); `undefined` otherwise, when the override
 * stays the fix.
 */
export function parentBumpsToApply(bumps: ParentBumps | undefined): readonly ParentBumpTarget[] | undefined {
  if (bumps?.evaluated !== true || bumps.paths.length === 0) return undefined;
  const wanted = new Map<string, ParentBumpTarget>();
  for (const plan of bumps.paths) {
    if (plan.kind !== 'bump' || plan.decision !== 'allowed') return undefined;
    const known = wanted.get(plan.parent);
    if (known === undefined || ecosystems.npm.versions.compare(plan.to, known.to) > 0) wanted.set(plan.parent, { name: plan.parent, from: plan.from, to: plan.to });
  }
  return [...wanted.values()];
}
