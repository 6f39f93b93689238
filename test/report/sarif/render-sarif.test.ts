import type { Log, Result } from 'sarif';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GateDecision } from '../../../src/policy/types.js';
import type { Report, ReportFinding } from '../../../src/report/report.js';
import { REPRESENTATIVE_SCORE, SARIF_FINGERPRINT_KEY, renderSarif } from '../../../src/report/sarif/render-sarif.js';
import { expectGolden } from '../golden.js';
import { SCENARIO_EXCEPTION_ID, buildScenarioReport } from '../scenario.js';
import { compileSarifSchema } from './sarif-schema.js';

let report: Report;
let text: string;
let log: Log;
let results: Result[];

beforeAll(async () => {
  report = await buildScenarioReport();
  text = renderSarif(report);
  log = JSON.parse(text) as Log;
  results = log.runs[0]?.results ?? [];
});

describe('renderSarif over the scenario (cyberchef + treeherder)', () => {
  it('matches the golden file (UPDATE_GOLDEN=1 rewrites it)', () => {
    expectGolden('scenario.sarif', text);
  });

  it('validates against the official SARIF 2.1.0 schema', () => {
    const validate = compileSarifSchema();
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    // The validator is not vacuous: a result without its message, or an unknown level, fails.
    const broken = structuredClone(log);
    const first = broken.runs[0]?.results?.[0] as Record<string, unknown> | undefined;
    if (first) {
      delete first['message'];
      first['level'] = 'fatal';
    }
    expect(validate(broken)).toBe(false);
  });

  it('has one result per finding, located at the package line, with its fingerprint', () => {
    expect(results).toHaveLength(report.findings.length);
    report.findings.forEach((finding, index) => {
      const result = results[index]!;
      const physical = result.locations?.[0]?.physicalLocation;
      expect(result.ruleId).toBe(finding.id);
      expect(physical?.artifactLocation?.uri).toBe(finding.package.location.file);
      expect(physical?.region?.startLine).toBe(finding.package.location.line);
      expect(result.partialFingerprints?.[SARIF_FINGERPRINT_KEY]).toBe(finding.fingerprint);
      expect(result.message.text).toContain(`${finding.package.name} ${finding.package.version}`);
      for (const id of [finding.id, ...finding.aliases]) expect(result.message.text).toContain(id);
      for (const version of finding.fixed) expect(result.message.text).toContain(version);
    });
  });

  it('has one rule per advisory group, and each result points at its rule', () => {
    const rules = log.runs[0]?.tool.driver.rules ?? [];
    expect(rules.map((rule) => rule.id)).toEqual([...new Set(report.findings.map((finding) => finding.id))].sort());
    for (const result of results) expect(rules[result.ruleIndex!]?.id).toBe(result.ruleId);
    for (const rule of rules) {
      expect(rule.helpUri).toBe(`https://osv.dev/vulnerability/${rule.id}`);
      expect(rule.help?.text).toContain('vigil.yaml');
      expect(rule.help?.markdown).toContain('expires_on');
      expect(rule.properties?.tags).toContain('security');
      expect(Number(rule.properties?.['security-severity'])).toBeGreaterThanOrEqual(0);
    }
  });

  it('gives every decision kind in the scenario its level', () => {
    const levels = new Map<GateDecision['kind'], Set<string | undefined>>();
    report.findings.forEach((finding, index) => {
      const set = levels.get(finding.decision.kind) ?? new Set();
      set.add(results[index]!.level);
      levels.set(finding.decision.kind, set);
    });
    expect(Object.fromEntries([...levels].map(([kind, set]) => [kind, [...set]]))).toEqual({
      blocking: ['error'],
      'allowed-by-exception': ['note'],
      'below-threshold': ['warning'],
      'ignored-scope': ['note'],
    });
  });

  it('suppresses the finding allowed by the exception, with its reason', () => {
    const suppressed = results.filter((result) => result.suppressions !== undefined);
    expect(suppressed).toHaveLength(report.summary.allowedByException);
    expect(suppressed[0]?.ruleId).toBe(SCENARIO_EXCEPTION_ID);
    expect(suppressed[0]?.suppressions).toEqual([
      expect.objectContaining({ kind: 'external', status: 'accepted', justification: expect.stringContaining('SSO') as unknown }),
    ]);
  });

  it('lists the policy problems and skipped entries as notifications', () => {
    const invocation = log.runs[0]?.invocations?.[0];
    expect(invocation?.toolConfigurationNotifications?.map((n) => `${n.level ?? ''} ${n.descriptor?.id ?? ''}`)).toEqual(
      report.policy.problems.map((problem) => `${problem.severity} ${problem.code}`),
    );
    expect(invocation?.toolExecutionNotifications).toHaveLength(report.skipped.length);
  });
});

describe('security-severity', () => {
  const base = (): ReportFinding => {
    const finding = report.findings[0];
    if (!finding) throw new Error('scenario has no findings');
    return finding;
  };
  const cases: { name: string; severity: ReportFinding['severity']; decision: GateDecision['level']; want: string }[] = [
    { name: 'a CVSS score is used as is', severity: { level: 'high', score: 7.5, source: 'x' }, decision: 'high', want: '7.5' },
    { name: 'a whole score keeps one decimal', severity: { level: 'critical', score: 10, source: 'x' }, decision: 'critical', want: '10.0' },
    { name: 'a label without score: critical', severity: { level: 'critical', source: 'x' }, decision: 'critical', want: '9.5' },
    { name: 'a label without score: medium', severity: { level: 'medium', source: 'x' }, decision: 'medium', want: '5.5' },
    { name: 'a label without score: low', severity: { level: 'low', source: 'x' }, decision: 'low', want: '2.0' },
    { name: 'unknown takes the level the policy judged it at', severity: { level: 'unknown', source: 'none' }, decision: 'high', want: REPRESENTATIVE_SCORE.high },
  ];
  it.each(cases)('$name', ({ severity, decision, want }) => {
    const finding: ReportFinding = { ...base(), severity, decision: { kind: 'below-threshold', level: decision, reason: 'test' } };
    const single: Report = { ...report, findings: [finding] };
    const rule = (JSON.parse(renderSarif(single)) as Log).runs[0]?.tool.driver.rules?.[0];
    expect(rule?.properties?.['security-severity']).toBe(want);
  });
});
