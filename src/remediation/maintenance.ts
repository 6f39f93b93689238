import type { Clock } from '../core/clock.js';
import { isEndOfSupportFinding } from '../match/release-support.js';
import type { EcosystemId, Finding, Package } from '../core/types.js';
import { ecosystems } from '../ecosystems/ecosystems.js';
import { UPGRADE_LIMITS, type DependencyKind, type MaintenancePolicy, type Policy, type UpgradeLimit } from '../policy/types.js';
import { buildExceptionTemplate, type ExceptionTemplate } from './exception-template.js';
import { chooseFixWithin, type FixClass, type FixTarget, type FixTargetQuery, type FixWithin } from './fix-target.js';

/** The highest upgrade class the maintenance policy allows one kind of dependency, and why. */
export interface UpgradeRule {
  readonly release: MaintenancePolicy['release'];
  readonly branch: MaintenancePolicy['branch'];
  readonly dependency: DependencyKind;
  /** Highest allowed upgrade class (the rule, capped at `patch` on an `ltm` branch). */
  readonly limit: UpgradeLimit;
  /** The rule as a sentence naming release, dependency kind and class. */
  readonly text: string;
}

/** What to do instead of a fix the policy holds, or that does not exist. */
export interface HeldAlternative {
  /**
   * The highest-value upgrade the rule allows: the version within the allowed class that clears
   * the most advisories (e.g. the 3.2.x release with the most fixes for a framework that may not
   * change major in a patch release); absent when no such version clears any.
   */
  readonly upgradeWithin?: FixWithin;
  /** One line saying what to do: upgrade within the allowed class and/or backport or selectively patch. */
  readonly text: string;
  /**
   * Exception entries to accept the risk meanwhile, one per finding the alternative leaves open,
   * with expiries within the policy's lifetime limits.
   */
  readonly exceptionTemplates: readonly ExceptionTemplate[];
}

/** Whether the policy lets the fix ship in the release being prepared. */
export type MaintenanceDecision =
  | { readonly kind: 'allowed'; readonly rule: UpgradeRule }
  | {
      readonly kind: 'held';
      readonly rule: UpgradeRule;
      /** Why it is held: the upgrade and the rule it breaks. */
      readonly reason: string;
      readonly alternative: HeldAlternative;
    }
  | {
      /** No version clears every advisory: nothing to allow or hold. */
      readonly kind: 'no-fix';
      readonly rule: UpgradeRule;
      readonly reason: string;
      readonly alternative: HeldAlternative;
    }
  | {
      /**
       * The package is malicious (an OpenSSF `MAL-` record): remove it. Never an upgrade, even when
       * a record lists a version it does not affect, and never an exception template.
       */
      readonly kind: 'remove';
      readonly rule: UpgradeRule;
      readonly reason: string;
      readonly alternative: HeldAlternative;
    };

const RELEASE_WORD: Readonly<Record<UpgradeLimit, string>> = { patch: 'a patch release', minor: 'a minor release', major: 'a major release' };
const KIND_WORD: Readonly<Record<DependencyKind, string>> = {
  framework: 'framework dependencies',
  direct: 'direct dependencies',
  indirect: 'indirect dependencies',
};

/**
 * How the maintenance policy governs the package: `framework` when its name (normalised per
 * ecosystem) is listed in `frameworks`, else `direct` or `indirect`. A package whose file does not
 * say (`direct: 'unknown'`, a flat requirements.txt or an SBOM) counts as `direct`: such files list
 * what the project pins itself, and the rule for direct dependencies is never looser than the one
 * for indirect ones in the defaults, so the guess does not let a larger upgrade through unseen.
 */
export function classifyDependencyKind(pkg: Package, maintenance: MaintenancePolicy): DependencyKind {
  if (isFramework(pkg.ecosystem, pkg.name, maintenance)) return 'framework';
  return pkg.direct === false ? 'indirect' : 'direct';
}

/** Whether the name (normalised per ecosystem) is listed in the policy's `frameworks`. */
export function isFramework(ecosystem: EcosystemId, name: string, maintenance: MaintenancePolicy): boolean {
  const normalizeName = (value: string): string => ecosystems[ecosystem].normalizeName(value);
  const normalized = normalizeName(name);
  return maintenance.frameworks.some((framework) => normalizeName(framework) === normalized);
}

/**
 * The highest upgrade class allowed for a dependency kind: `rules[release][kind]`. On an `ltm`
 * branch it is capped at `patch`: such a branch takes only fixes that need no breaking change,
 * and only a fix release of the locked series promises that in every ecosystem (a PEP 440 minor,
 * e.g. a Django feature release, may remove deprecated API; a 0.x minor is breaking under npm's
 * caret rule). The remediation issue asks for an LTM branch to hold a minor upgrade.
 */
export function findUpgradeRule(kind: DependencyKind, maintenance: MaintenancePolicy): UpgradeRule {
  const ruled = maintenance.rules[maintenance.release][kind];
  const base = `${KIND_WORD[kind]} take at most ${ruled} upgrades in ${RELEASE_WORD[maintenance.release]}`;
  if (maintenance.branch === 'ltm' && ruled !== 'patch') {
    return {
      release: maintenance.release,
      branch: maintenance.branch,
      dependency: kind,
      limit: 'patch',
      text: `on an ltm branch ${KIND_WORD[kind]} take at most patch upgrades in ${RELEASE_WORD[maintenance.release]} (no breaking change; the ${maintenance.release} release rule alone would allow ${ruled})`,
    };
  }
  return { release: maintenance.release, branch: maintenance.branch, dependency: kind, limit: ruled, text: base };
}

/** Whether an upgrade of this class is within the rule. */
export function isUpgradeAllowed(upgrade: FixClass, rule: UpgradeRule): boolean {
  // A distribution's security update stays in the release: allowed by every rule.
  return upgrade === 'security-update' || UPGRADE_LIMITS.indexOf(upgrade) <= UPGRADE_LIMITS.indexOf(rule.limit);
}

/** Everything `decideMaintenance` weighs for one vulnerable package. */
export interface MaintenanceInput {
  /** The package (its locked version) and every finding on it. */
  readonly package: Package;
  readonly findings: readonly Finding[];
  /** The fix target found without a class limit. */
  readonly fix: FixTarget;
  /** The query that found it, re-run within the allowed class for the alternative. */
  readonly query: FixTargetQuery;
  readonly policy: Policy;
  /** Today, for the exception templates' dates. */
  readonly clock: Clock;
}

/**
 * Allows or holds the fix under the maintenance policy. A held fix (or a package with no fix)
 * carries the rule, the alternative (the version within the allowed class that clears the most
 * advisories, and a backport or selective patch for the rest) and exception entry templates for
 * the findings the alternative leaves open.
 */
export function decideMaintenance(input: MaintenanceInput): MaintenanceDecision {
  const { package: pkg, fix, policy } = input;
  const rule = findUpgradeRule(classifyDependencyKind(pkg, policy.maintenance), policy.maintenance);
  // A malicious package is removed, whatever version would "fix" it (#15, item 3).
  const malicious = input.findings.filter((finding) => finding.malicious === true);
  if (malicious.length > 0) {
    const ids = [...new Set(malicious.map((finding) => finding.id))].sort().join(', ');
    return {
      kind: 'remove',
      rule,
      reason: `${pkg.name} ${pkg.version} is reported as malicious (${ids})`,
      alternative: {
        text: `remove ${pkg.name} (and what depends on it) from the project, then check the machines that installed it: a malicious package may have run code at install time`,
        exceptionTemplates: [],
      },
    };
  }
  // A Debian or Ubuntu package: what a maintainer of an image can do (issue 13, item 6).
  if (pkg.distro !== undefined) {
    const release = pkg.distro.release;
    if (fix.upgrade !== 'none-available' && fix.target !== undefined) {
      return { kind: 'allowed', rule: { ...rule, text: `a security update of ${release} (${pkg.distro.sourceName} ${fix.target}): rebuild the image with apt-get upgrade, or on a newer base image` } };
    }
    if (input.findings.every(isEndOfSupportFinding)) {
      return {
        kind: 'no-fix',
        rule,
        reason: `${release} is past its end of security support`,
        alternative: {
          text: 'rebuild on a supported release (a newer base image), or accept the risk with an exception',
          exceptionTemplates: input.findings.map((finding) => buildExceptionTemplate(finding, policy, input.clock)),
        },
      };
    }
    return {
      kind: 'no-fix',
      rule,
      reason: `${release} has no fixed ${pkg.distro.sourceName} package yet`,
      alternative: {
        text: `wait for ${release}'s fix (then rebuild with apt-get upgrade), change the base image, or accept the risk with an exception`,
        exceptionTemplates: input.findings.map((finding) => buildExceptionTemplate(finding, policy, input.clock)),
      },
    };
  }
  if (fix.upgrade !== 'none-available' && isUpgradeAllowed(fix.upgrade, rule)) return { kind: 'allowed', rule };

  const within = chooseFixWithin(input.query, rule.limit);
  // Findings the alternative upgrade leaves open need a backport, a patch or an accepted risk.
  const open = input.findings.filter((finding) => !within || finding.records.some((id) => within.remaining.includes(id)));
  const exceptionTemplates = open.map((finding) => buildExceptionTemplate(finding, policy, input.clock));
  const alternative: HeldAlternative = within
    ? {
        upgradeWithin: within,
        text: within.complete
          ? `upgrade to ${within.version} (${within.upgrade}), which clears every advisory within the allowed class`
          : `upgrade to ${within.version} (${within.upgrade}, the most fixes within the allowed class), then backport or selectively patch what remains (${within.remaining.join(', ')})`,
        exceptionTemplates,
      }
    : { text: `backport or selective patch: no version within the allowed class (${rule.limit}) clears any advisory`, exceptionTemplates };
  if (fix.upgrade === 'none-available' || fix.target === undefined) {
    return {
      kind: 'no-fix',
      rule,
      reason: `no version of ${pkg.name} above ${pkg.version} clears every advisory`,
      alternative: within ? alternative : { text: 'backport or selective patch (no fixed version is known)', exceptionTemplates },
    };
  }
  return {
    kind: 'held',
    rule,
    reason: `${pkg.name} ${pkg.version} -> ${fix.target} is a ${fix.upgrade} upgrade; ${rule.text}`,
    alternative,
  };
}
