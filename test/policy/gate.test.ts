import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.js';
import type { Finding, PackageScope, Severity } from '../../src/core/types.js';
import { makePackage } from '../../src/ecosystems/package.js';
import { evaluateGate } from '../../src/policy/gate.js';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import type { ExceptionEntry, Policy, VexStatement } from '../../src/policy/types.js';

const clock = fixedClock('2026-11-22T12:00:00Z');

interface FindingFields {
  id?: string;
  aliases?: string[];
  name?: string;
  version?: string;
  severity?: Severity;
  fixed?: string[];
  scopes?: PackageScope[];
  paths?: string[][];
  published?: string | null;
  firstSeen?: string;
}

function finding(fields: FindingFields = {}): Finding {
  const name = fields.name ?? 'requests';
  const version = fields.version ?? '2.30.0';
  return {
    id: fields.id ?? 'GHSA-j8r2-6x86-q33q',
    aliases: fields.aliases ?? ['CVE-2023-32681', 'PYSEC-2023-74'],
    records: [fields.id ?? 'GHSA-j8r2-6x86-q33q'],
    package: makePackage({
      ecosystem: 'PyPI',
      name,
      version,
      location: { file: 'requirements.txt', line: 3 },
      direct: true,
      scopes: fields.scopes ?? [],
    }),
    paths: fields.paths ?? [[`${name}@${version}`]],
    summary: 'test finding',
    severity: fields.severity ?? { level: 'high', score: 7.5, source: 'test' },
    fixed: fields.fixed ?? [],
    published: fields.published === null ? undefined : (fields.published ?? '2026-11-01T00:00:00Z'),
    firstSeen: fields.firstSeen,
    modified: undefined,
    fingerprint: '0'.repeat(32),
  };
}

function exception(fields: Partial<ExceptionEntry> = {}): ExceptionEntry {
  return {
    id: 'CVE-2023-32681',
    reason: 'proxy credentials are never used',
    approvedBy: 'alice',
    issue: 'https://example.org/issues/1',
    expiresOn: '2026-12-31',
    location: { file: 'vigil.yaml', line: 10 },
    ...fields,
  };
}

const policy = (fields: Partial<Policy> = {}): Policy => ({ ...DEFAULT_POLICY, source: 'vigil.yaml', ...fields });

interface Case {
  name: string;
  policy: Policy;
  findings: Finding[];
  /** Decision kind per finding, in order. */
  want: string[];
  failed: boolean;
  /** Problem codes expected, with severity. */
  problems?: string[];
}

const cases: Case[] = [
  { name: 'a high finding blocks under the default policy', policy: policy(), findings: [finding()], want: ['blocking'], failed: true },
  {
    name: 'a medium finding is below the default threshold',
    policy: policy(),
    findings: [finding({ severity: { level: 'medium', source: 't' } })],
    want: ['below-threshold'],
    failed: false,
  },
  {
    name: 'unknown severity is treated as high by default: it blocks',
    policy: policy(),
    findings: [finding({ severity: { level: 'unknown', source: 'none' } })],
    want: ['blocking'],
    failed: true,
  },
  {
    name: 'unknown severity mapped to low passes a high threshold',
    policy: policy({ unknownSeverity: 'low' }),
    findings: [finding({ severity: { level: 'unknown', source: 'none' } })],
    want: ['below-threshold'],
    failed: false,
  },
  {
    name: 'fail_on low blocks a low finding',
    policy: policy({ failOn: 'low' }),
    findings: [finding({ severity: { level: 'low', source: 't' } })],
    want: ['blocking'],
    failed: true,
  },
  {
    name: 'an exception by CVE covers the finding known by its GHSA id (alias-aware)',
    policy: policy({ exceptions: [exception({ id: 'CVE-2023-32681' })] }),
    findings: [finding()],
    want: ['allowed-by-exception'],
    failed: false,
  },
  {
    name: 'an exception by PYSEC id, written in lower case, covers it too',
    policy: policy({ exceptions: [exception({ id: 'pysec-2023-74' })] }),
    findings: [finding()],
    want: ['allowed-by-exception'],
    failed: false,
  },
  {
    name: 'a package-scoped exception does not cover the same flaw in another package',
    policy: policy({ exceptions: [exception({ package: 'requests' })] }),
    findings: [finding(), finding({ name: 'requests-toolbelt', version: '1.0.0' })],
    want: ['allowed-by-exception', 'blocking'],
    failed: true,
  },
  {
    name: 'package names compare normalised (PEP 503)',
    policy: policy({ exceptions: [exception({ package: 'Requests' })] }),
    findings: [finding()],
    want: ['allowed-by-exception'],
    failed: false,
  },
  {
    name: 'a version-scoped exception covers only its versions',
    policy: policy({ exceptions: [exception({ versions: ['2.30.0'] })] }),
    findings: [finding(), finding({ version: '2.29.0' })],
    want: ['allowed-by-exception', 'blocking'],
    failed: true,
  },
  {
    name: 'a path-scoped exception covers only findings reached through that path',
    policy: policy({ exceptions: [exception({ paths: [['my-lib', 'requests']] })] }),
    findings: [finding({ paths: [['my-lib@1.0', 'requests@2.30.0']] }), finding({ version: '2.29.0', paths: [['other@2.0', 'requests@2.29.0']] })],
    want: ['allowed-by-exception', 'blocking'],
    failed: true,
  },
  {
    name: 'an expired exception fails the gate and no longer allows its finding',
    policy: policy({ exceptions: [exception({ expiresOn: '2026-11-21' })] }),
    findings: [finding()],
    want: ['blocking'],
    failed: true,
    problems: ['error exception-expired'],
  },
  {
    name: 'an expired exception fails the gate even when it matches nothing',
    policy: policy({ exceptions: [exception({ id: 'CVE-1999-0001', expiresOn: '2026-01-01' })] }),
    findings: [],
    want: [],
    failed: true,
    problems: ['error exception-expired'],
  },
  {
    name: 'an exception still applies on its last day',
    policy: policy({ exceptions: [exception({ expiresOn: '2026-11-22' })] }),
    findings: [finding()],
    want: ['allowed-by-exception'],
    failed: false,
    problems: ['warning exception-expiring'],
  },
  {
    name: 'an exception expiring within the warning window is a warning',
    policy: policy({ exceptions: [exception({ expiresOn: '2026-12-01' })] }),
    findings: [finding()],
    want: ['allowed-by-exception'],
    failed: false,
    problems: ['warning exception-expiring'],
  },
  {
    name: 'an unused exception is a warning to remove it',
    policy: policy({ exceptions: [exception({ id: 'CVE-1999-0001' })] }),
    findings: [finding()],
    want: ['blocking'],
    failed: true,
    problems: ['warning exception-unused'],
  },
  {
    name: 'an exception whose finding now has a fix is a warning',
    policy: policy({ exceptions: [exception()] }),
    findings: [finding({ fixed: ['2.31.0'] })],
    want: ['allowed-by-exception'],
    failed: false,
    problems: ['warning exception-fix-available'],
  },
  {
    name: 'a lifetime over the rule for the severity covered fails the gate',
    policy: policy({ exceptions: [exception({ approvedOn: '2026-11-01', expiresOn: '2027-01-15' })] }),
    findings: [finding({ severity: { level: 'critical', score: 9.8, source: 't' } })],
    want: ['allowed-by-exception'],
    failed: true,
    problems: ['error exception-lifetime'],
  },
  {
    name: 'exactly the allowed lifetime is accepted (30 days for critical)',
    policy: policy({ exceptions: [exception({ approvedOn: '2026-11-01', expiresOn: '2026-12-01' })] }),
    findings: [finding({ severity: { level: 'critical', score: 9.8, source: 't' } })],
    want: ['allowed-by-exception'],
    failed: false,
    // 2026-12-01 is within the 14-day warning window of the pinned clock.
    problems: ['warning exception-expiring'],
  },
  {
    name: 'an approver outside the list fails the gate',
    policy: policy({ exceptions: [exception({ approvedBy: 'mallory' })], exceptionRules: { ...DEFAULT_POLICY.exceptionRules, approvers: ['alice', 'bob'] } }),
    findings: [finding()],
    want: ['allowed-by-exception'],
    failed: true,
    problems: ['error exception-approver'],
  },
  {
    name: 'a dev-only finding is ignored when the policy ignores dev scope',
    policy: policy({ ignoreScopes: ['dev'] }),
    findings: [finding({ scopes: ['dev'] }), finding({ version: '2.29.0' })],
    want: ['ignored-scope', 'blocking'],
    failed: true,
  },
  {
    name: 'invalid entries read from the file fail the gate',
    policy: policy({
      problems: [{ severity: 'error', code: 'exception-invalid', message: 'invalid exception', location: { file: 'vigil.yaml', line: 4 } }],
    }),
    findings: [],
    want: [],
    failed: true,
    problems: ['error exception-invalid'],
  },
];

describe('evaluateGate', () => {
  it.each(cases)('$name', ({ policy: given, findings, want, failed, problems = [] }) => {
    const gate = evaluateGate(findings, given, clock);
    expect(findings.map((f) => gate.decisions.get(f)?.kind)).toEqual(want);
    expect(gate.failed).toBe(failed);
    expect(gate.problems.map((problem) => `${problem.severity} ${problem.code}`).sort()).toEqual([...problems].sort());
    const counted = gate.counts.blocking + gate.counts.allowedByException + gate.counts.belowThreshold + gate.counts.ignoredScope + gate.counts.notAffected;
    expect(counted).toBe(findings.length);
  });

  it('names the expired exception, its day and its file:line', () => {
    const gate = evaluateGate([finding()], policy({ exceptions: [exception({ expiresOn: '2026-10-31' })] }), clock);
    expect(gate.problems[0]).toMatchObject({
      message: expect.stringContaining('exception CVE-2023-32681: expired on 2026-10-31') as string,
      location: { file: 'vigil.yaml', line: 10 },
    });
    expect(gate.decisions.get(gate.decisions.keys().next().value!)?.reason).toMatch(/exception CVE-2023-32681 expired on 2026-10-31/);
  });

  it('sets the SLA due date from publication, and marks it overdue', () => {
    const onTime = finding({ published: '2026-11-20T00:00:00Z' });
    const late = finding({ version: '2.29.0', published: '2026-11-01T00:00:00Z' });
    const critical = finding({ version: '2.28.0', severity: { level: 'critical', source: 't' }, published: '2026-11-22T06:00:00Z' });
    const gate = evaluateGate([onTime, late, critical], policy(), clock);
    // Default SLA: high 7 days, critical 24 hours.
    expect(gate.decisions.get(onTime)).toMatchObject({ kind: 'blocking', due: '2026-11-27T00:00:00.000Z', overdue: false });
    expect(gate.decisions.get(late)).toMatchObject({ kind: 'blocking', due: '2026-11-08T00:00:00.000Z', overdue: true });
    expect(gate.decisions.get(critical)).toMatchObject({ kind: 'blocking', due: '2026-11-23T06:00:00.000Z', overdue: false });
  });

  it('starts the SLA clock at the first day the store held the advisory when it has no publication date', () => {
    const unpublished = finding({ published: null, firstSeen: '2026-11-20T00:00:00.000Z' });
    const neither = finding({ version: '2.29.0', published: null });
    const gate = evaluateGate([unpublished, neither], policy(), clock);
    expect(gate.decisions.get(unpublished)).toMatchObject({ kind: 'blocking', due: '2026-11-27T00:00:00.000Z', overdue: false });
    expect(gate.decisions.get(neither)).not.toHaveProperty('due');
  });

  it('gives no due date for a "next-release" SLA', () => {
    const medium = finding({ severity: { level: 'medium', source: 't' } });
    const gate = evaluateGate([medium], policy({ failOn: 'medium' }), clock);
    expect(gate.decisions.get(medium)).toEqual({ kind: 'blocking', level: 'medium', reason: 'medium at or above fail_on medium' });
  });
});

describe('evaluateGate with VEX statements', () => {
  const statement = (fields: Partial<VexStatement> = {}): VexStatement => ({
    id: 'CVE-2023-32681',
    status: 'not_affected',
    justification: 'vulnerable_code_not_in_execute_path',
    location: { file: 'vex.json', line: 5 },
    ...fields,
  });
  const vexCases: { name: string; vex: VexStatement[]; want: string }[] = [
    { name: 'not_affected by an alias, no product: not-affected', vex: [statement()], want: 'not-affected' },
    { name: 'by the primary id', vex: [statement({ id: 'ghsa-j8r2-6x86-q33q' })], want: 'not-affected' },
    { name: 'product purl with the same version', vex: [statement({ purl: 'pkg:pypi/requests@2.30.0' })], want: 'not-affected' },
    { name: 'product purl without version covers every version', vex: [statement({ purl: 'pkg:pypi/Requests' })], want: 'not-affected' },
    { name: 'product purl of another version: still blocks', vex: [statement({ purl: 'pkg:pypi/requests@2.31.0' })], want: 'blocking' },
    { name: 'product purl of another package: still blocks', vex: [statement({ purl: 'pkg:pypi/urllib3@2.30.0' })], want: 'blocking' },
    { name: 'product purl of another ecosystem: still blocks', vex: [statement({ purl: 'pkg:npm/requests@2.30.0' })], want: 'blocking' },
    { name: 'another vulnerability: still blocks', vex: [statement({ id: 'CVE-2024-0001' })], want: 'blocking' },
    { name: 'status affected changes nothing', vex: [statement({ status: 'affected' })], want: 'blocking' },
    { name: 'status under_investigation changes nothing', vex: [statement({ status: 'under_investigation' })], want: 'blocking' },
  ];
  it.each(vexCases)('$name', ({ vex, want }) => {
    const found = finding();
    const gate = evaluateGate([found], policy(), clock, { vex });
    expect(gate.decisions.get(found)?.kind).toBe(want);
    expect(gate.failed).toBe(want === 'blocking');
    expect(gate.counts.notAffected).toBe(want === 'not-affected' ? 1 : 0);
  });

  it('records the statement, its justification and file:line in the decision', () => {
    const found = finding();
    const gate = evaluateGate([found], policy(), clock, { vex: [statement()] });
    expect(gate.decisions.get(found)).toEqual({
      kind: 'not-affected',
      level: 'high',
      reason: 'not affected per VEX vex.json:5 (vulnerable_code_not_in_execute_path)',
      vex: { id: 'CVE-2023-32681', justification: 'vulnerable_code_not_in_execute_path', location: { file: 'vex.json', line: 5 } },
    });
  });

  it('comes before an exception, which then applies to nothing', () => {
    const found = finding();
    const gate = evaluateGate([found], policy({ exceptions: [exception()] }), clock, { vex: [statement()] });
    expect(gate.decisions.get(found)?.kind).toBe('not-affected');
    expect(gate.exceptions[0]?.status).toBe('unused');
  });
});
