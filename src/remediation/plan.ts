import type { OsvRecord } from '../advisories/osv.js';
import type { AdvisoryStore } from '../advisories/types.js';
import type { Clock } from '../core/clock.js';
import type { EcosystemId, Finding, Package } from '../core/types.js';
import { ecosystems } from '../ecosystems/ecosystems.js';
import { remediationSubjectOf } from '../match/advisory-target.js';
import type { DependencyKind, Policy } from '../policy/types.js';
import { checkEndOfSupport, type EndOfSupportNote } from './end-of-support.js';
import { chooseFixTarget, type FixTarget, type FixTargetQuery } from './fix-target.js';
import { classifyDependencyKind, decideMaintenance, type MaintenanceDecision } from './maintenance.js';
import { suggestOverride, type OverrideSuggestion } from './override-suggestion.js';
import { evaluateParentBumps, type NpmMetadataSource, type ParentBumps } from './parent-bump.js';
import type { VersionSource } from './version-source.js';

/** Registry requests in flight at once. */
const REGISTRY_CONCURRENCY = 8;

/** What `planRemediation` plans from. */
export interface PlanOptions {
  /** The audit's findings (any number per package). */
  readonly findings: readonly Finding[];
  /** Every advisory of each vulnerable package is read from it, not only the matched ones. */
  readonly store: AdvisoryStore;
  /** Its `maintenance` section decides, its `exception_rules` bound the exception templates. */
  readonly policy: Policy;
  readonly clock: Clock;
  /** Published versions (e.g. the npm registry); without it, targets come from the advisories. */
  readonly versions?: VersionSource;
  /**
   * npm registry metadata (published versions and declared dependency ranges) for the parent bumps
   * of indirect npm packages; without it they are not evaluated, and each such plan says so.
   */
  readonly npmMetadata?: NpmMetadataSource;
}

/** The plan for one vulnerable package: one lockfile, name and version, all its findings. */
export interface Remediation {
  /** The locked package (its first finding's instance). */
  readonly package: Package;
  /** How the maintenance policy governs it. */
  readonly dependency: DependencyKind;
  /** Primary ids of its findings, sorted. */
  readonly ids: readonly string[];
  readonly findings: readonly Finding[];
  /** The smallest upgrade that clears every advisory of the package. */
  readonly fix: FixTarget;
  /** Allowed or held by the maintenance policy (or no fix exists), with the rule and alternative. */
  readonly decision: MaintenanceDecision;
  /**
   * The version to move to now: the fix target when allowed, else the alternative within the
   * allowed class (it may clear only some advisories: see `decision.alternative`); absent when
   * neither exists.
   */
  readonly proposed?: string;
  /** Locked or proposed versions in a release series past its end of support. */
  readonly endOfSupport: readonly EndOfSupportNote[];
  /** Dependency paths from a direct dependency, merged over its findings (`name@version` steps). */
  readonly paths: readonly (readonly string[])[];
  /**
   * For an indirect dependency with a proposed version: the constraint or override that steers the
   * lockfile's package manager to it (the fallback when `parentBumps` offers no allowed bump).
   */
  readonly override?: OverrideSuggestion;
  /**
   * For an indirect npm package: per dependency path, the smallest version of its direct
   * dependency whose declared ranges resolve to a fixed version (allowed or held by the
   * maintenance policy), or the parent that blocks one; not evaluated without registry metadata.
   */
  readonly parentBumps?: ParentBumps;
}

/** The plan for every vulnerable package of an audit. */
export interface RemediationPlan {
  /** One per vulnerable package: the malicious ones (to remove) first, then by file, name and version. */
  readonly remediations: readonly Remediation[];
}

function instanceKey(pkg: Package): string {
  return `${pkg.location.file}\u0000${pkg.ecosystem}\u0000${ecosystems[pkg.ecosystem].normalizeName(pkg.name)}\u0000${pkg.version}`;
}

/** `work` over every item, `REGISTRY_CONCURRENCY` at a time; results in item order. */
async function mapConcurrently<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++) results[index] = await work(items[index] as T);
  };
  await Promise.all(Array.from({ length: Math.min(REGISTRY_CONCURRENCY, items.length) }, worker));
  return results;
}

/** Published versions of each (ecosystem, name), a few requests at a time. */
async function fetchPublished(
  wanted: ReadonlyMap<string, { ecosystem: EcosystemId; name: string }>,
  source: VersionSource | undefined,
): Promise<Map<string, readonly string[] | undefined>> {
  if (!source) return new Map();
  const entries = [...wanted];
  const versions = await mapConcurrently(entries, ([, { ecosystem, name }]) => source.publishedVersions(ecosystem, name));
  return new Map(entries.map(([key], index) => [key, versions[index]]));
}

/**
 * Plans the remediation of every vulnerable package: the smallest version that clears all of its
 * advisories (re-checked against each), the upgrade class, whether the maintenance policy allows
 * it in the release being prepared (else the rule that holds it, the alternative and exception
 * templates), end-of-support notes, its dependency paths and, for an indirect dependency, the
 * override or constraint that applies the fix, and for an indirect npm package the parent bumps
 * (with registry metadata).
 */
export async function planRemediation(options: PlanOptions): Promise<RemediationPlan> {
  const { store, policy, clock } = options;
  const groups = new Map<string, Finding[]>();
  for (const finding of options.findings) {
    const key = instanceKey(finding.package);
    const group = groups.get(key);
    if (group) group.push(finding);
    else groups.set(key, [finding]);
  }

  const namesByEcosystem = new Map<EcosystemId, Set<string>>();
  const wanted = new Map<string, { ecosystem: EcosystemId; name: string }>();
  for (const [first] of groups.values()) {
    const pkg = (first as Finding).package;
    const normalized = ecosystems[pkg.ecosystem].normalizeName(pkg.name);
    const names = namesByEcosystem.get(pkg.ecosystem) ?? new Set<string>();
    names.add(normalized);
    // A Debian or Ubuntu package's records name its source package.
    if (pkg.distro !== undefined) names.add(ecosystems[pkg.ecosystem].normalizeName(pkg.distro.sourceName));
    namesByEcosystem.set(pkg.ecosystem, names);
    wanted.set(`${pkg.ecosystem}\u0000${normalized}`, { ecosystem: pkg.ecosystem, name: pkg.name });
  }
  const advisories = new Map<string, readonly OsvRecord[]>();
  for (const [ecosystem, names] of namesByEcosystem) {
    for (const [name, records] of await store.advisoriesFor(ecosystem, [...names])) advisories.set(`${ecosystem}\u0000${name}`, records);
  }
  const published = await fetchPublished(wanted, options.versions);

  const drafts: { remediation: Remediation; advisories: readonly OsvRecord[] }[] = [];
  for (const findings of groups.values()) {
    const pkg = (findings[0] as Finding).package;
    const nameKey = `${pkg.ecosystem}\u0000${ecosystems[pkg.ecosystem].normalizeName(pkg.name)}`;
    const lookupKey = pkg.distro === undefined ? nameKey : `${pkg.ecosystem}\u0000${ecosystems[pkg.ecosystem].normalizeName(pkg.distro.sourceName)}`;
    // A distribution package is planned as its source package, with its release's entries only.
    const subject = remediationSubjectOf(pkg, ecosystems[pkg.ecosystem], advisories.get(lookupKey) ?? []);
    const query: FixTargetQuery = {
      ecosystem: pkg.ecosystem,
      name: subject.name,
      version: subject.version,
      advisories: subject.advisories,
      published: published.get(nameKey),
    };
    // A malicious package gets no target: the plan is to remove it, not to move it (#15, item 3).
    const malicious = findings.some((finding) => finding.malicious === true);
    const fix: FixTarget = malicious ? { basis: 'advisories', upgrade: 'none-available', alsoConsidered: [] } : chooseFixTarget(query);
    const decision = decideMaintenance({ package: pkg, findings, fix, query, policy, clock });
    const proposed = decision.kind === 'allowed' ? fix.target : decision.alternative.upgradeWithin?.version;
    const dependency = classifyDependencyKind(pkg, policy.maintenance);
    const paths: string[][] = [];
    for (const finding of findings) {
      for (const path of finding.paths) {
        if (!paths.some((known) => known.join('\u0000') === path.join('\u0000'))) paths.push([...path]);
      }
    }
    paths.sort((a, b) => a.length - b.length);
    const override = pkg.direct === false && proposed !== undefined ? suggestOverride(pkg, proposed) : undefined;
    drafts.push({
      advisories: query.advisories,
      remediation: {
        package: pkg,
        dependency,
        ids: [...new Set(findings.map((finding) => finding.id))].sort(),
        findings,
        fix,
        decision,
        ...(proposed === undefined ? {} : { proposed }),
        endOfSupport: checkEndOfSupport(pkg, proposed ?? fix.target, policy.maintenance, clock),
        paths,
        ...(override === undefined ? {} : { override }),
      },
    });
  }
  const remediations = await mapConcurrently(drafts, async ({ remediation, advisories: records }) => {
    const { package: pkg } = remediation;
    if (pkg.ecosystem !== 'npm' || pkg.direct !== false || remediation.decision.kind === 'remove') return remediation;
    let parentBumps: ParentBumps;
    if (options.npmMetadata === undefined) parentBumps = { evaluated: false, reason: 'no registry consulted' };
    else if (remediation.fix.target === undefined) parentBumps = { evaluated: false, reason: `no fixed version of ${pkg.name} is known` };
    else {
      parentBumps = await evaluateParentBumps({
        name: pkg.name,
        paths: remediation.paths,
        advisories: records,
        maintenance: policy.maintenance,
        source: options.npmMetadata,
      });
    }
    return { ...remediation, parentBumps };
  });
  // Packages to remove (malicious) first, then by file, name and version.
  remediations.sort(
    (a, b) =>
      Number(b.decision.kind === 'remove') - Number(a.decision.kind === 'remove') ||
      a.package.location.file.localeCompare(b.package.location.file) ||
      a.package.name.localeCompare(b.package.name) ||
      compareLockedVersions(a.package, b.package),
  );
  return { remediations };
}

/** Orders two locked versions of one package; one the scheme cannot parse sorts by its text, last. */
function compareLockedVersions(a: Package, b: Package): number {
  const scheme = ecosystems[a.ecosystem].versions;
  const validA = scheme.isValid(a.version);
  const validB = scheme.isValid(b.version);
  if (validA && validB) return scheme.compare(a.version, b.version);
  if (validA !== validB) return validA ? -1 : 1;
  return a.version.localeCompare(b.version);
}
