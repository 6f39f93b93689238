import { Validation } from '@cyclonedx/cyclonedx-library';
import { beforeAll, describe, expect, it } from 'vitest';
import { CYCLONEDX_VERSION, renderCyclonedx } from '../../../src/report/cyclonedx/render-cyclonedx.js';
import type { Report, ReportFinding } from '../../../src/report/report.js';
import { expectGolden } from '../golden.js';
import { SCENARIO_EXCEPTION_ID, buildScenarioReport } from '../scenario.js';

/** The parts of a CycloneDX JSON document the tests read. */
interface CdxDocument {
  readonly specVersion: string;
  readonly metadata: { readonly timestamp: string; readonly tools: { readonly components: readonly { readonly name: string; readonly version: string }[] } };
  readonly components: readonly { readonly 'bom-ref': string; readonly purl: string; readonly name: string; readonly version: string }[];
  readonly dependencies?: readonly { readonly ref: string; readonly dependsOn?: readonly string[] }[];
  readonly vulnerabilities: readonly CdxVulnerability[];
}
interface CdxVulnerability {
  readonly id: string;
  readonly source: { readonly name: string; readonly url: string };
  readonly references?: readonly { readonly id: string }[];
  readonly ratings: readonly { readonly severity: string; readonly method: string; readonly score?: number; readonly vector?: string }[];
  readonly affects: readonly { readonly ref: string }[];
  readonly analysis: { readonly state: string; readonly justification?: string; readonly response?: readonly string[]; readonly detail: string };
}

let report: Report;
let text: string;
let bom: CdxDocument;

beforeAll(async () => {
  report = await buildScenarioReport();
  text = renderCyclonedx(report);
  bom = JSON.parse(text) as CdxDocument;
});

describe('renderCyclonedx over the scenario (cyberchef + treeherder)', () => {
  it('matches the golden file (UPDATE_GOLDEN=1 rewrites it)', () => {
    expectGolden('scenario.cdx.json', text);
  });

  it('validates against the CycloneDX 1.6 JSON schema (the library validator)', async () => {
    const validator = new Validation.JsonStrictValidator(CYCLONEDX_VERSION);
    expect(await validator.validate(text)).toBeNull();
    // The validator is not vacuous: an unknown analysis state fails.
    const broken = JSON.parse(text) as { vulnerabilities: { analysis: { state: string } }[] };
    broken.vulnerabilities[0]!.analysis.state = 'accepted';
    expect(await validator.validate(JSON.stringify(broken))).not.toBeNull();
  });

  it('carries the audit instant and the tool', () => {
    expect(bom.specVersion).toBe('1.6');
    expect(bom.metadata.timestamp).toBe(report.generatedAt);
    expect(bom.metadata.tools.components).toEqual([expect.objectContaining({ name: 'vigil', version: report.tool.version })]);
  });

  it('has one component per distinct purl, bom-ref = purl', () => {
    const purls = [...new Set(report.packages.map((pkg) => pkg.purl))].sort();
    expect(bom.components.map((component) => component.purl).sort()).toEqual(purls);
    for (const component of bom.components) expect(component['bom-ref']).toBe(component.purl);
  });

  it('lists the dependency edges along the findings paths', () => {
    const refs = new Set(bom.components.map((component) => component['bom-ref']));
    const edges = (bom.dependencies ?? []).flatMap((entry) => (entry.dependsOn ?? []).map((to) => [entry.ref, to] as const));
    expect(edges.length).toBeGreaterThan(0);
    for (const [from, to] of edges) {
      expect(refs.has(from)).toBe(true);
      expect(refs.has(to)).toBe(true);
    }
  });

  it('has a vulnerability for every finding, affecting its component, with OSV source and aliases', () => {
    for (const finding of report.findings) {
      const entry = bom.vulnerabilities.find((v) => v.id === finding.id && v.affects.some((affect) => affect.ref === finding.package.purl));
      expect(entry, `${finding.id} ${finding.package.purl}`).toBeDefined();
      expect(entry?.source.url).toBe(`https://osv.dev/vulnerability/${finding.id}`);
      expect((entry?.references ?? []).map((reference) => reference.id).sort()).toEqual([...finding.aliases].sort());
      expect(entry?.ratings[0]?.severity).toBe(finding.severity.level);
      if (finding.severity.vector?.startsWith('CVSS:3.1/')) expect(entry?.ratings[0]).toMatchObject({ method: 'CVSSv31', vector: finding.severity.vector });
    }
  });

  it('maps each gate decision to a VEX analysis', () => {
    const stateOf = (kind: string): Set<string> =>
      new Set(
        report.findings
          .filter((finding) => finding.decision.kind === kind)
          .map((finding) => bom.vulnerabilities.find((v) => v.id === finding.id && v.affects.some((a) => a.ref === finding.package.purl))?.analysis.state ?? 'missing'),
      );
    expect([...stateOf('blocking')]).toEqual(['in_triage']);
    expect([...stateOf('below-threshold')]).toEqual(['exploitable']);
    expect([...stateOf('ignored-scope')]).toEqual(['exploitable']);
    expect([...stateOf('allowed-by-exception')]).toEqual(['exploitable']);
  });

  it('records the exception as an accepted risk with its reason, approver, issue and expiry', () => {
    const allowed = report.findings.find((finding) => finding.decision.kind === 'allowed-by-exception');
    const entry = bom.vulnerabilities.find((v) => v.id === SCENARIO_EXCEPTION_ID && v.affects.some((a) => a.ref === allowed?.package.purl));
    expect(entry?.analysis.response).toContain('will_not_fix');
    if ((allowed?.fixed.length ?? 0) > 0) expect(entry?.analysis.response).toContain('update');
    for (const part of ['SSO', 'security-team', 'https://example.com/issues/42', '2026-12-01']) expect(entry?.analysis.detail).toContain(part);
    // The same flaw in a package the exception does not cover is a separate entry, still in triage.
    const others = bom.vulnerabilities.filter((v) => v.id === SCENARIO_EXCEPTION_ID && v !== entry);
    expect(others.length).toBeGreaterThan(0);
    for (const other of others) expect(other.analysis.response ?? []).not.toContain('will_not_fix');
  });
});

describe('a finding a VEX statement covers', () => {
  const cases: { name: string; justification: string | undefined; want: string | undefined }[] = [
    { name: 'OpenVEX vulnerable_code_not_in_execute_path becomes code_not_reachable', justification: 'vulnerable_code_not_in_execute_path', want: 'code_not_reachable' },
    { name: 'OpenVEX component_not_present becomes code_not_present', justification: 'component_not_present', want: 'code_not_present' },
    { name: 'a CycloneDX justification passes through', justification: 'protected_at_runtime', want: 'protected_at_runtime' },
    { name: 'an unknown justification is left to the detail', justification: 'false_positive', want: undefined },
    { name: 'no justification', justification: undefined, want: undefined },
  ];
  it.each(cases)('$name', async ({ justification, want }) => {
    const first = report.findings[0] as ReportFinding;
    const covered: ReportFinding = {
      ...first,
      decision: {
        kind: 'not-affected',
        level: first.decision.level,
        reason: 'not affected per VEX vex.json:3',
        vex: { id: first.id, ...(justification === undefined ? {} : { justification }), location: { file: 'vex.json', line: 3 } },
      },
    };
    const out = renderCyclonedx({ ...report, findings: [covered] });
    const analysis = (JSON.parse(out) as CdxDocument).vulnerabilities[0]?.analysis;
    expect(analysis?.state).toBe('not_affected');
    expect(analysis?.justification).toBe(want);
    expect(analysis?.detail).toContain('vex.json:3');
    expect(await new Validation.JsonStrictValidator(CYCLONEDX_VERSION).validate(out)).toBeNull();
  });
});
