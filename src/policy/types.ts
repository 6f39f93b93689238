import type { PackageScope, SeverityLevel, SourceLocation } from '../core/types.js';

/** Levels a policy can name as a threshold, lowest first. */
export const POLICY_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type PolicyLevel = (typeof POLICY_LEVELS)[number];

/** Time to fix: a duration in milliseconds, or "in the next release" (no date). */
export type SlaTarget = { readonly kind: 'duration'; readonly ms: number; readonly text: string } | { readonly kind: 'next-release' };

/** One accepted risk: who accepted it, why, until when. */
export interface ExceptionEntry {
  /** Advisory id or alias (CVE, GHSA, PYSEC...) the exception covers. */
  readonly id: string;
  /** Only this package (ecosystem-normalised name compare) when given. */
  readonly package?: string;
  /** Only these versions of the package when given. */
  readonly versions?: readonly string[];
  /**
   * Only findings reached through one of these dependency paths when given: each a list of
   * package names from a direct dependency, e.g. `["django-foo", "requests"]`.
   */
  readonly paths?: readonly (readonly string[])[];
  readonly reason: string;
  readonly approvedBy: string;
  /** Tracking issue (URL or reference). */
  readonly issue: string;
  /** Last day the exception applies (ISO date, end of that day UTC). */
  readonly expiresOn: string;
  /** Day it was approved; the lifetime rule is measured from it (else from today). */
  readonly approvedOn?: string;
  /** Where the entry is written. */
  readonly location: SourceLocation;
}

/** Upgrade classes, least breaking first. */
export const UPGRADE_LIMITS = ['patch', 'minor', 'major'] as const;
export type UpgradeLimit = (typeof UPGRADE_LIMITS)[number];

/** How a dependency is governed by the maintenance policy. */
export type DependencyKind = 'framework' | 'direct' | 'indirect';

/** Which upgrades a fix may use in the release being prepared. */
export interface MaintenancePolicy {
  /** The release being prepared. */
  readonly release: UpgradeLimit;
  /** `ltm`: a long-term-maintenance branch takes only fixes that need no breaking change. */
  readonly branch: 'main' | 'ltm';
  /** Framework package names (compared normalised per ecosystem). */
  readonly frameworks: readonly string[];
  /** Highest upgrade class allowed, per release kind and dependency kind. */
  readonly rules: Readonly<Record<UpgradeLimit, Readonly<Record<DependencyKind, UpgradeLimit>>>>;
  /** End of security support: package name -> release series -> last day (YYYY-MM-DD). */
  readonly endOfSupport: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** The policy, as read from vigil.yaml (defaults filled in). */
export interface Policy {
  /** File it was read from; undefined for the built-in default policy. */
  readonly source: string | undefined;
  /** Lowest level that blocks. */
  readonly failOn: PolicyLevel;
  /** Level given to findings whose advisories carry no severity (fail closed: default high). */
  readonly unknownSeverity: PolicyLevel;
  /**
   * What the gate does with what vigil could not evaluate (an advisory range it cannot order, an
   * unparsed version no listed version decides, a skipped entry that is not deliberately outside
   * the audit): `fail` (fail closed, the default) or `warn` (counted and shown, not blocking).
   */
  readonly unevaluable: 'fail' | 'warn';
  /** Oldest acceptable advisory data, in milliseconds. */
  readonly maxDbAgeMs: number;
  /** Globs (relative to each folder searched) of files and folders the audit does not search. */
  readonly exclude: readonly string[];
  /** Findings only in these scopes never block (e.g. dev tooling). */
  readonly ignoreScopes: readonly PackageScope[];
  /** Warn about exceptions expiring within this many days. */
  readonly expiryWarningDays: number;
  readonly exceptionRules: {
    /** Longest allowed lifetime of an exception, per level of what it covers, in milliseconds. */
    readonly maxLifetimeMs: Readonly<Partial<Record<PolicyLevel, number>>>;
    /** Who may approve; empty means anyone. */
    readonly approvers: readonly string[];
  };
  readonly sla: Readonly<Partial<Record<PolicyLevel, SlaTarget>>>;
  readonly exceptions: readonly ExceptionEntry[];
  readonly maintenance: MaintenancePolicy;
  /**
   * `os_packages.unfixed_fail_on`: an advisory of a distribution package with no fixed package in
   * its release blocks only from this Debian urgency / Ubuntu priority up (see distro-policy.ts).
   * Absent: such advisories are judged by severity like any other.
   */
  readonly osPackages?: { readonly unfixedFailOn?: PolicyLevel; readonly endOfSupport?: 'fail' | 'warn' };
  /** Problems found while reading it (invalid exception entries); they fail the gate. */
  readonly problems: readonly PolicyProblem[];
}

/** A problem with the policy's exceptions: it fails the gate (error) or is shown (warning). */
export interface PolicyProblem {
  readonly severity: 'error' | 'warning';
  /** Stable kind for tools, e.g. `exception-expired`, `exception-unused`. */
  readonly code: PolicyProblemCode;
  readonly message: string;
  readonly location: SourceLocation | undefined;
  /** The exception's id, when the problem is about one. */
  readonly exception?: string;
}

export type PolicyProblemCode =
  | 'exception-invalid'
  | 'exception-expired'
  | 'exception-lifetime'
  | 'exception-approver'
  | 'exception-expiring'
  | 'exception-unused'
  | 'exception-fix-available'
  /** It covers a malicious package: refused, the finding blocks (a malicious package is removed, never accepted). */
  | 'exception-malicious';

/** The exception that allowed a finding, as reports show it. */
export interface AppliedException {
  readonly id: string;
  readonly reason: string;
  readonly approvedBy: string;
  readonly issue: string;
  readonly expiresOn: string;
  readonly location: SourceLocation;
}

/** VEX statuses (OpenVEX's; CycloneDX analysis states are mapped to them when read). */
export const VEX_STATUSES = ['not_affected', 'affected', 'fixed', 'under_investigation'] as const;
export type VexStatus = (typeof VEX_STATUSES)[number];

/** One VEX statement read from `--vex` files: one vulnerability, at most one product. */
export interface VexStatement {
  /** Vulnerability id as written (CVE, GHSA, PYSEC...); matched against every id of a finding. */
  readonly id: string;
  /** The product's purl; absent when the statement names no product (it covers every package). */
  readonly purl?: string;
  readonly status: VexStatus;
  /** Why it is not affected, as written (an OpenVEX justification or a CycloneDX one). */
  readonly justification?: string;
  /** Where the statement is written. */
  readonly location: SourceLocation;
}

/** What the gate decided for one finding, and why. */
export type GateDecision =
  | {
      readonly kind: 'blocking';
      readonly reason: string;
      /** The level the decision used (`unknown` mapped by the policy). */
      readonly level: Exclude<SeverityLevel, 'unknown'>;
      /** When the fix is due under the policy's SLA (ISO 8601); absent for "next release". */
      readonly due?: string;
      readonly overdue?: boolean;
      /** Present when the package is malicious: it blocks whatever the level, scope, VEX or exceptions. */
      readonly malicious?: true;
    }
  | {
      readonly kind: 'allowed-by-exception';
      readonly reason: string;
      readonly level: Exclude<SeverityLevel, 'unknown'>;
      readonly exception: AppliedException;
    }
  | { readonly kind: 'below-threshold'; readonly reason: string; readonly level: Exclude<SeverityLevel, 'unknown'> }
  | { readonly kind: 'ignored-scope'; readonly reason: string; readonly level: Exclude<SeverityLevel, 'unknown'> }
  | {
      /** A VEX `not_affected` statement covers it: it never blocks. */
      readonly kind: 'not-affected';
      readonly reason: string;
      readonly level: Exclude<SeverityLevel, 'unknown'>;
      readonly vex: {
        readonly id: string;
        readonly justification?: string;
        /** The VEX file and line of the statement. */
        readonly location: SourceLocation;
      };
    };

export type GateDecisionKind = GateDecision['kind'];
