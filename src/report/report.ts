import type { AuditResult } from '../audit.js';
import type { Directness, Finding, Package, PackageScope, SkippedEntry, SourceFile, SourceLocation } from '../core/types.js';
import type { MatchWarning } from '../match/match.js';
import type { GateDecision, GateResult } from '../policy/gate.js';

/** Version of the report document; bumped on any incompatible change (docs/json-schema.md). */
export const REPORT_SCHEMA_VERSION = '1.0.0';

export interface ReportPackage {
  readonly ecosystem: string;
  readonly name: string;
  readonly version: string;
  readonly purl: string;
  readonly direct: Directness;
  readonly scopes: readonly PackageScope[];
  readonly location: SourceLocation;
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
  readonly modified: string | null;
  readonly fingerprint: string;
  readonly decision: GateDecision;
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
    readonly ecosystems: readonly { ecosystem: string; records: number; updatedAt: string | null; source: string | null }[];
  };
  readonly sources: readonly SourceFile[];
  readonly packages: readonly ReportPackage[];
  readonly skipped: readonly SkippedEntry[];
  readonly findings: readonly ReportFinding[];
  readonly warnings: readonly MatchWarning[];
  readonly summary: {
    readonly sources: number;
    readonly packages: number;
    readonly skipped: number;
    readonly findings: number;
    readonly vulnerablePackages: number;
    readonly bySeverity: Readonly<Record<'critical' | 'high' | 'medium' | 'low' | 'none' | 'unknown', number>>;
    readonly blocking: number;
    readonly passed: boolean;
  };
}

function toReportPackage(pkg: Package): ReportPackage {
  return {
    ecosystem: pkg.ecosystem,
    name: pkg.name,
    version: pkg.version,
    purl: pkg.purl,
    direct: pkg.direct,
    scopes: pkg.scopes,
    location: pkg.location,
  };
}

export function buildReport(result: AuditResult, gate: GateResult, toolVersion: string): Report {
  const findings = result.findings.map((finding): ReportFinding => {
    const decision = gate.decisions.get(finding);
    if (!decision) throw new Error(`no gate decision for ${finding.id}`);
    return {
      id: finding.id,
      aliases: finding.aliases,
      package: toReportPackage(finding.package),
      paths: finding.paths,
      summary: finding.summary,
      severity: finding.severity,
      fixed: finding.fixed,
      published: finding.published ?? null,
      modified: finding.modified ?? null,
      fingerprint: finding.fingerprint,
      decision,
    };
  });
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
        source: entry.source ?? null,
      })),
    },
    sources: result.inventory.sources,
    packages: result.inventory.packages.map(toReportPackage),
    skipped: result.inventory.skipped,
    findings,
    warnings: result.warnings,
    summary: {
      sources: result.inventory.sources.length,
      packages: result.inventory.packages.length,
      skipped: result.inventory.skipped.length,
      findings: findings.length,
      vulnerablePackages: vulnerable.size,
      bySeverity,
      blocking: gate.blocking,
      passed: !gate.failed,
    },
  };
}
