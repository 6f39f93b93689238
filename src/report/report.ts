import type { AuditResult } from '../audit.js';
import type { AuditedImage, Directness, DistroAdvisory, DistroPackage, Finding, Package, PackageScope, SkippedEntry, SourceFile, SourceLocation } from '../core/types.js';
import type { MatchWarning } from '../match/match.js';
import type { GateResult } from '../policy/gate.js';
import type { UnevaluableItem } from '../policy/unevaluable.js';
import type { GateDecision, Policy, PolicyLevel, PolicyProblem } from '../policy/types.js';
import type { FixUpgrade } from '../remediation/fix-target.js';

/** Version of the report document; bumped on any incompatible change (docs/json-schema.md). */
export const REPORT_SCHEMA_VERSION = '1.7.0';

export interface ReportPackage {
  readonly ecosystem: string;
  readonly name: string;
  readonly version: string;
  readonly purl: string;
  readonly direct: Directness;
  readonly scopes: readonly PackageScope[];
  readonly location: SourceLocation;
  /** Package URLs of the packages it depends on (same file), where the format records edges. */
  readonly dependsOn: readonly string[];
  /** Present (true) when the version is not one the ecosystem's scheme can parse. */
  readonly unparsedVersion?: true;
  /**
   * For a package a Linux distribution installed (dpkg): its release (`Debian:12`), source package
   * and version, architecture, and a vendor origin or security-support note when there is one.
   */
  readonly distro?: DistroPackage;
}

export interface ReportFinding {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly package: ReportPackage;
  readonly paths: readonly (readonly string[])[];
  readonly summary: string;
  readonly severity: Finding['severity'];
  readonly fixed: readonly string[];
  readonly published: string | null;
  /** When the advisory store first held the flaw's records; the SLA starts here without `published`. */
  readonly firstSeen: string | null;
  readonly modified: string | null;
  readonly fingerprint: string;
  readonly decision: GateDecision;
  /** Present when the package is malicious (an OpenSSF `MAL-` record): it always blocks; remove it. */
  readonly malicious?: true;
  /** For a distribution package: Debian's urgency or Ubuntu's priority, a no-dsa note, and whether it is unfixed. */
  readonly distro?: DistroAdvisory;
}

/** The remediation plan's line for one vulnerable package (one file, name and version). */
export interface ReportRemediation {
  readonly package: {
    readonly ecosystem: string;
    readonly name: string;
    readonly version: string;
    readonly purl: string;
    readonly location: SourceLocation;
  };
  /** Primary ids of its findings, sorted (each is a `findings[].id`). */
  readonly ids: readonly string[];
  /** The smallest version that clears every advisory of the package; null when none is known. */
  readonly target: string | null;
  /** Upgrade class from the locked version to `target` (`none-available` without one). */
  readonly upgrade: FixUpgrade;
  /**
   * `allowed` by the maintenance policy, `held` by it, `no-fix` (no version clears every advisory),
   * or `remove`: the package is malicious, so no version is a fix.
   */
  readonly decision: 'allowed' | 'held' | 'no-fix' | 'remove';
  /** Why it is held, or why there is no fix; null when allowed. */
  readonly reason: string | null;
  /** The version to move to now: `target` when allowed, else the highest allowed alternative; null when neither exists. */
  readonly proposed: string | null;
  /**
   * The package manager's command that moves it to `proposed` (after `edit`, when there is one), or
   * for `remove` the one that removes a direct dependency; null when none applies.
   */
  readonly command: string | null;
  /** For an indirect dependency: the override or constraint to add first (`file` beside the lockfile). */
  readonly edit: { readonly file: string; readonly text: string } | null;
}

/** The remediation plan, where the report carries one (`vigil audit --format html` asks for it). */
export interface ReportRemediationPlan {
  /** Where target versions came from: the advisories' fixed versions (no registry is consulted in an audit). */
  readonly versionSource: 'advisories' | 'registry';
  /** One per vulnerable package, by file, name and version. */
  readonly packages: readonly ReportRemediation[];
}

/** The one document every renderer works from; its JSON form is `vigil audit --format json`. */
export interface Report {
  readonly schemaVersion: string;
  readonly tool: { readonly name: 'vigil'; readonly version: string };
  readonly generatedAt: string;
  readonly database: {
    readonly path: string;
    readonly records: number;
    readonly updatedAt: string | null;
    readonly newestModified: string | null;
    /** Per ecosystem: records, when imported (`updatedAt`), the newest record's `modified` (the data's age), where from. */
    readonly ecosystems: readonly { ecosystem: string; records: number; updatedAt: string | null; newestModified: string | null; source: string | null }[];
  };
  /**
   * The container images audited, as each names itself (its references, repository and tag, and
   * manifest digest or image id) with its layers; absent when no image was audited.
   */
  readonly images?: readonly AuditedImage[];
  readonly sources: readonly SourceFile[];
  readonly packages: readonly ReportPackage[];
  readonly skipped: readonly SkippedEntry[];
  readonly findings: readonly ReportFinding[];
  readonly warnings: readonly MatchWarning[];
  /** What vigil could not evaluate (advisories it could not decide, entries it could not read). */
  readonly unevaluable: readonly UnevaluableItem[];
  /** The policy the gate applied and what it found wrong with its exceptions. */
  readonly policy: ReportPolicy;
  readonly summary: {
    readonly sources: number;
    readonly packages: number;
    readonly skipped: number;
    readonly findings: number;
    readonly vulnerablePackages: number;
    readonly bySeverity: Readonly<Record<'critical' | 'high' | 'medium' | 'low' | 'none' | 'unknown', number>>;
    readonly blocking: number;
    /** Items vigil could not evaluate; they fail the gate unless the policy says `unevaluable: warn`. */
    readonly unevaluable: number;
    /** With --strict, the skipped entries that failed the gate. */
    readonly strictSkipped: number;
    readonly allowedByException: number;
    readonly belowThreshold: number;
    readonly ignoredScope: number;
    /** Findings a VEX `not_affected` statement covers (`--vex`); they never block. */
    readonly notAffected: number;
    /** Policy problems that fail the gate (invalid or expired exceptions). */
    readonly policyErrors: number;
    readonly policyWarnings: number;
    readonly passed: boolean;
  };
  /** The remediation plan per vulnerable package; present when a requested format shows it (html). */
  readonly remediation?: ReportRemediationPlan;
}

/** One exception of the policy and what became of it in this audit. */
export interface ReportException {
  readonly id: string;
  readonly package: string | null;
  readonly reason: string;
  readonly approvedBy: string;
  readonly issue: string;
  readonly expiresOn: string;
  readonly location: SourceLocation;
  /** `applied` (allowed a finding that would block), `unused` or `expired`; invalid entries are problems. */
  readonly status: 'applied' | 'unused' | 'expired';
  /** Findings it covers. */
  readonly matched: number;
  /** Whole days until it expires (negative once expired). */
  readonly daysToExpiry: number;
}

export interface ReportPolicy {
  /** The policy file, or null for the built-in default. */
  readonly source: string | null;
  readonly failOn: PolicyLevel;
  readonly unknownSeverity: PolicyLevel;
  /** What the gate does with what vigil could not evaluate. */
  readonly unevaluable: Policy['unevaluable'];
  readonly exceptions: readonly ReportException[];
  readonly problems: readonly PolicyProblem[];
}

function toReportPackage(pkg: Package, purlOfKey: ReadonlyMap<string, string> = new Map()): ReportPackage {
  return {
    ecosystem: pkg.ecosystem,
    name: pkg.name,
    version: pkg.version,
    purl: pkg.purl,
    direct: pkg.direct,
    scopes: pkg.scopes,
    location: pkg.location,
    dependsOn: [...new Set(pkg.dependsOn.map((key) => purlOfKey.get(key)).filter((purl): purl is string => purl !== undefined))].sort(),
    ...(pkg.unparsedVersion === true ? { unparsedVersion: true as const } : {}),
    ...(pkg.distro === undefined ? {} : { distro: pkg.distro }),
  };
}

/** What `buildReport` may add beyond the audit and the gate. */
export interface BuildReportExtras {
  /** The remediation plan, already reduced to the report's form (see `summarizeRemediation`). */
  readonly remediation?: ReportRemediationPlan;
}

export function buildReport(result: AuditResult, gate: GateResult, policy: Policy, toolVersion: string, extras: BuildReportExtras = {}): Report {
  const purlOfKey = new Map(result.inventory.packages.map((pkg) => [pkg.key, pkg.purl]));
  const findings = result.findings.map((finding): ReportFinding => {
    const decision = gate.decisions.get(finding);
    if (!decision) throw new Error(`no gate decision for ${finding.id}`);
    return {
      id: finding.id,
      aliases: finding.aliases,
      package: toReportPackage(finding.package, purlOfKey),
      paths: finding.paths,
      summary: finding.summary,
      severity: finding.severity,
      fixed: finding.fixed,
      published: finding.published ?? null,
      firstSeen: finding.firstSeen ?? null,
      modified: finding.modified ?? null,
      fingerprint: finding.fingerprint,
      decision,
      ...(finding.malicious === true ? { malicious: true as const } : {}),
      ...(finding.distro === undefined ? {} : { distro: finding.distro }),
    };
  });
  // Malicious packages come first in every report (#15, item 3); the rest keep the audit's order.
  findings.sort((a, b) => Number(b.malicious === true) - Number(a.malicious === true));
  const exceptions = gate.exceptions.map(
    (outcome): ReportException => ({
      id: outcome.entry.id,
      package: outcome.entry.package ?? null,
      reason: outcome.entry.reason,
      approvedBy: outcome.entry.approvedBy,
      issue: outcome.entry.issue,
      expiresOn: outcome.entry.expiresOn,
      location: outcome.entry.location,
      status: outcome.status,
      matched: outcome.matched,
      daysToExpiry: outcome.daysToExpiry,
    }),
  );
  const bySeverity = { critical: 0, high: 0, medium: 0, low: 0, none: 0, unknown: 0 };
  for (const finding of findings) bySeverity[finding.severity.level]++;
  const vulnerable = new Set(findings.map((f) => `${f.package.location.file}\u0000${f.package.name}\u0000${f.package.version}`));
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'vigil', version: toolVersion },
    generatedAt: result.auditedAt.toISOString(),
    database: {
      path: result.database.path,
      records: result.database.records,
      updatedAt: result.database.updatedAt ?? null,
      newestModified: result.database.newestModified ?? null,
      ecosystems: result.database.ecosystems.map((entry) => ({
        ecosystem: entry.ecosystem,
        records: entry.records,
        updatedAt: entry.updatedAt ?? null,
        newestModified: entry.newestModified ?? null,
        source: entry.source ?? null,
      })),
    },
    ...(result.inventory.images === undefined || result.inventory.images.length === 0 ? {} : { images: result.inventory.images }),
    sources: result.inventory.sources,
    packages: result.inventory.packages.map((pkg) => toReportPackage(pkg, purlOfKey)),
    skipped: result.inventory.skipped,
    findings,
    warnings: result.warnings,
    unevaluable: gate.unevaluable,
    policy: {
      source: policy.source ?? null,
      failOn: policy.failOn,
      unknownSeverity: policy.unknownSeverity,
      unevaluable: policy.unevaluable,
      exceptions,
      problems: gate.problems,
    },
    summary: {
      sources: result.inventory.sources.length,
      packages: result.inventory.packages.length,
      skipped: result.inventory.skipped.length,
      findings: findings.length,
      vulnerablePackages: vulnerable.size,
      bySeverity,
      blocking: gate.counts.blocking,
      unevaluable: gate.counts.unevaluable,
      strictSkipped: gate.strictSkipped,
      allowedByException: gate.counts.allowedByException,
      belowThreshold: gate.counts.belowThreshold,
      ignoredScope: gate.counts.ignoredScope,
      notAffected: gate.counts.notAffected,
      policyErrors: gate.problems.filter((problem) => problem.severity === 'error').length,
      policyWarnings: gate.problems.filter((problem) => problem.severity === 'warning').length,
      passed: !gate.failed,
    },
    ...(extras.remediation === undefined ? {} : { remediation: extras.remediation }),
  };
}
