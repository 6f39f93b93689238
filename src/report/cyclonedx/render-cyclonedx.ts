import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import type { GateDecision } from '../../policy/types.js';
import type { Report, ReportFinding } from '../report.js';

/** The CycloneDX version written; the tests validate against the library's schema for it. */
export const CYCLONEDX_VERSION = Spec.Version.v1dot6;

/** The VEX analysis one finding gets: `state`, optional `justification`, `response` and `detail`. */
export interface VexAnalysis {
  readonly state: Enums.Vulnerability.AnalysisState;
  readonly justification?: Enums.Vulnerability.AnalysisJustification;
  readonly response: readonly Enums.Vulnerability.AnalysisResponse[];
  readonly detail: string;
}

/**
 * VEX analysis per gate decision (CycloneDX 1.6 `vulnerabilities[].analysis`,
 * https://cyclonedx.org/docs/1.6/json/#vulnerabilities_items_analysis):
 * - blocking: `in_triage`; the vulnerability is open and must be fixed (detail: why it blocks, when it is due).
 * - allowed-by-exception: `exploitable` with response `will_not_fix` (the risk is accepted for
 *   now), plus `update` when a fixed version exists; detail carries the exception's reason,
 *   approver, issue and expiry. The policy file states no justification, so no `not_affected`
 *   is claimed from an exception's free-text reason: only a VEX statement can say that.
 * - below-threshold: `exploitable`, no response (the policy does not require a fix).
 * - ignored-scope: `exploitable`, no response; detail names the ignored scope. vigil has not
 *   verified that the dev tooling is absent from what ships, so it claims no `not_affected`.
 * - not-affected (a `--vex` statement): `not_affected` with the statement's justification
 *   (OpenVEX justifications mapped to CycloneDX's) and its file:line in detail.
 */
export function vexAnalysis(finding: ReportFinding): VexAnalysis {
  const decision: GateDecision = finding.decision;
  const { AnalysisState, AnalysisResponse } = Enums.Vulnerability;
  switch (decision.kind) {
    case 'blocking':
      return {
        state: AnalysisState.InTriage,
        response: [],
        detail: `vigil gate: blocking: ${decision.reason}${decision.due === undefined ? '' : `; ${decision.overdue === true ? 'overdue since' : 'due'} ${decision.due.slice(0, 10)}`}`,
      };
    case 'allowed-by-exception': {
      const { exception } = decision;
      return {
        state: AnalysisState.Exploitable,
        response: finding.fixed.length > 0 ? [AnalysisResponse.WillNotFix, AnalysisResponse.Update] : [AnalysisResponse.WillNotFix],
        detail:
          `vigil gate: risk accepted by exception ${exception.id}: ${exception.reason}; ` +
          `approved by ${exception.approvedBy}; issue ${exception.issue}; expires ${exception.expiresOn} ` +
          `(${exception.location.file}:${exception.location.line})`,
      };
    }
    case 'below-threshold':
      return { state: AnalysisState.Exploitable, response: [], detail: `vigil gate: not blocking: ${decision.reason}` };
    case 'ignored-scope':
      return { state: AnalysisState.Exploitable, response: [], detail: `vigil gate: not blocking: ${decision.reason}` };
    case 'not-affected': {
      const justification = cyclonedxJustification(decision.vex.justification);
      return {
        state: AnalysisState.NotAffected,
        ...(justification === undefined ? {} : { justification }),
        response: [],
        detail: `vigil gate: ${decision.reason}`,
      };
    }
  }
}

/**
 * A VEX statement's justification as CycloneDX's: its own values pass through; OpenVEX's map to
 * the nearest (https://github.com/openvex/spec/blob/main/OPENVEX-SPEC.md#status-justifications);
 * anything else is only in the detail.
 */
function cyclonedxJustification(text: string | undefined): Enums.Vulnerability.AnalysisJustification | undefined {
  if (text === undefined) return undefined;
  const { AnalysisJustification } = Enums.Vulnerability;
  const own = new Map(Object.values(AnalysisJustification).map((value): [string, Enums.Vulnerability.AnalysisJustification] => [value, value])).get(text);
  if (own !== undefined) return own;
  const fromOpenVex: Readonly<Record<string, Enums.Vulnerability.AnalysisJustification>> = {
    component_not_present: AnalysisJustification.CodeNotPresent,
    vulnerable_code_not_present: AnalysisJustification.CodeNotPresent,
    vulnerable_code_not_in_execute_path: AnalysisJustification.CodeNotReachable,
    vulnerable_code_cannot_be_controlled_by_adversary: AnalysisJustification.RequiresEnvironment,
    inline_mitigations_already_exist: AnalysisJustification.ProtectedByMitigatingControl,
  };
  return fromOpenVex[text];
}

/** `--format cyclonedx`: a CycloneDX 1.6 BOM of the audited packages with VEX analysis from the gate. */
export function renderCyclonedx(report: Report): string {
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  return `${serializer.serialize(buildBom(report), { sortLists: true, space: 2 })}\n`;
}

function buildBom(report: Report): Models.Bom {
  const bom = new Models.Bom();
  bom.metadata.timestamp = new Date(report.generatedAt);
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Application, report.tool.name, { version: report.tool.version, bomRef: `${report.tool.name}@${report.tool.version}` }),
  );
  // bom-ref is the purl: one component per purl, though a lockfile may install it several times.
  const components = new Map<string, Models.Component>();
  for (const pkg of report.packages) {
    if (components.has(pkg.purl)) continue;
    const component = new Models.Component(Enums.ComponentType.Library, pkg.name, { version: pkg.version, purl: pkg.purl, bomRef: pkg.purl });
    // Dev, optional and peer packages are not required at run time (no scope means runtime).
    if (pkg.scopes.length > 0) component.scope = Enums.ComponentScope.Optional;
    components.set(pkg.purl, component);
    bom.components.add(component);
  }
  addDependencies(report, components);
  for (const vulnerability of buildVulnerabilities(report, components)) bom.vulnerabilities.add(vulnerability);
  return bom;
}

/** The dependency graph: each package's edges (by purl), where its dependency file records them. */
function addDependencies(report: Report, components: ReadonlyMap<string, Models.Component>): void {
  for (const pkg of report.packages) {
    const component = components.get(pkg.purl);
    if (!component) continue;
    for (const purl of pkg.dependsOn) {
      const target = components.get(purl);
      if (target && purl !== pkg.purl) component.dependencies.add(target.bomRef);
    }
  }
}

function buildVulnerabilities(report: Report, components: ReadonlyMap<string, Models.Component>): Models.Vulnerability.Vulnerability[] {
  // One entry per advisory group and analysis: findings of one flaw whose gate decisions differ
  // (an exception for one package version only) need separate analyses, hence separate entries.
  const groups = new Map<string, { finding: ReportFinding; analysis: VexAnalysis; purls: Set<string> }>();
  for (const finding of report.findings) {
    const analysis = vexAnalysis(finding);
    const key = `${finding.id}\u0000${JSON.stringify(analysis)}`;
    const group = groups.get(key) ?? { finding, analysis, purls: new Set<string>() };
    group.purls.add(finding.package.purl);
    groups.set(key, group);
  }
  const { Vulnerability } = Models;
  return [...groups.values()].map(({ finding, analysis, purls }) => {
    const source = new Vulnerability.Source({ name: 'OSV', url: advisoryUrl(finding.id) });
    const vulnerability = new Vulnerability.Vulnerability({
      // A stable bom-ref (the library would make a random one): the group's first fingerprint.
      bomRef: `${finding.id}/${finding.fingerprint}`,
      id: finding.id,
      source,
      description: finding.summary,
      ...(finding.fixed.length > 0 ? { recommendation: `Upgrade ${finding.package.name} to ${finding.fixed.join(' or ')}` } : {}),
      ...(finding.published === null ? {} : { published: new Date(finding.published) }),
      ...(finding.modified === null ? {} : { updated: new Date(finding.modified) }),
      analysis: new Vulnerability.Analysis({
        state: analysis.state,
        ...(analysis.justification === undefined ? {} : { justification: analysis.justification }),
        response: new Enums.Vulnerability.AnalysisResponseRepository(analysis.response),
        detail: analysis.detail,
      }),
    });
    for (const alias of finding.aliases) {
      vulnerability.references.add(new Vulnerability.Reference(alias, new Vulnerability.Source({ name: 'OSV', url: advisoryUrl(alias) })));
    }
    vulnerability.ratings.add(buildRating(finding, source));
    for (const purl of purls) {
      const component = components.get(purl);
      if (component) vulnerability.affects.add(new Vulnerability.Affect(component.bomRef));
    }
    return vulnerability;
  });
}

/** https://osv.dev shows every id it imports (GHSA, PYSEC, CVE...). */
function advisoryUrl(id: string): string {
  return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
}

function buildRating(finding: ReportFinding, source: Models.Vulnerability.Source): Models.Vulnerability.Rating {
  const { severity } = finding;
  return new Models.Vulnerability.Rating({
    source,
    severity: SEVERITY[severity.level],
    method: ratingMethod(severity.vector),
    ...(severity.score === undefined ? {} : { score: severity.score }),
    ...(severity.vector === undefined ? {} : { vector: severity.vector }),
    ...(severity.score === undefined && severity.vector === undefined && severity.source !== 'none' ? { justification: `from ${severity.source}` } : {}),
  });
}

const SEVERITY: Readonly<Record<ReportFinding['severity']['level'], Enums.Vulnerability.Severity>> = {
  critical: Enums.Vulnerability.Severity.Critical,
  high: Enums.Vulnerability.Severity.High,
  medium: Enums.Vulnerability.Severity.Medium,
  low: Enums.Vulnerability.Severity.Low,
  none: Enums.Vulnerability.Severity.None,
  unknown: Enums.Vulnerability.Severity.Unknown,
};

/** The CVSS version from the vector's prefix (v2 vectors have none); `other` for a bare label. */
function ratingMethod(vector: string | undefined): Enums.Vulnerability.RatingMethod {
  const { RatingMethod } = Enums.Vulnerability;
  if (vector === undefined) return RatingMethod.Other;
  if (vector.startsWith('CVSS:4.0/')) return RatingMethod.CVSSv4;
  if (vector.startsWith('CVSS:3.1/')) return RatingMethod.CVSSv31;
  if (vector.startsWith('CVSS:3.0/')) return RatingMethod.CVSSv3;
  if (/^\(?AV:[LAN]\/AC:[HML]\/Au:/.test(vector)) return RatingMethod.CVSSv2;
  return RatingMethod.Other;
}
