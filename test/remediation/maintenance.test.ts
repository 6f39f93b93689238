import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.js';
import { evaluateGate } from '../../src/policy/gate.js';
import { DEFAULT_POLICY, parsePolicyText } from '../../src/policy/policy-file.js';
import type { MaintenancePolicy, Policy } from '../../src/policy/types.js';
import { planRemediation } from '../../src/remediation/plan.js';
import { advisory, findingsFor, memoryStore, type LockedPackage } from './builders.js';

const clock = fixedClock('2026-11-22T12:00:00Z');

function policyWith(maintenance: Partial<MaintenancePolicy>): Policy {
  return { ...DEFAULT_POLICY, maintenance: { ...DEFAULT_POLICY.maintenance, ...maintenance } };
}

// Django 3.2.16: TEST-BOTH is fixed in 3.2.17 and 4.0.9; TEST-NEW only in 4.2.8 (a major upgrade).
const djangoBoth = advisory('TEST-BOTH', 'PyPI', 'django', [[{ introduced: '3.2' }, { fixed: '3.2.17' }], [{ introduced: '4.0' }, { fixed: '4.0.9' }]], { severity: 'HIGH' });
const djangoNew = advisory('TEST-NEW', 'PyPI', 'django', [[{ introduced: '0' }, { fixed: '4.2.8' }]], { severity: 'CRITICAL' });
// requests 2.28.1 -> 2.31.0 is a minor upgrade; urllib3 1.26.17 -> 1.26.18 a patch.
const requests = advisory('GHSA-j8r2-6x86-q33q', 'PyPI', 'requests', [[{ introduced: '2.3.0' }, { fixed: '2.31.0' }]], { severity: 'MODERATE' });
const urllib3 = advisory('GHSA-v845-jxx5-vc9f', 'PyPI', 'urllib3', [[{ introduced: '0' }, { fixed: '1.26.18' }]], { severity: 'MODERATE' });
// axios 0.21.1 -> 0.22.0: a 0.x minor bump, breaking under npm's caret rule.
const axios = advisory('TEST-AXIOS', 'npm', 'axios', [[{ introduced: '0' }, { fixed: '0.22.0' }]], { severity: 'HIGH' });
const store = memoryStore([djangoBoth, djangoNew, requests, urllib3, axios]);

interface RuleCase {
  name: string;
  locked: LockedPackage;
  maintenance: Partial<MaintenancePolicy>;
  want: { upgrade: string; decision: 'allowed' | 'held'; rule?: string; proposed?: string };
}

const ruleCases: RuleCase[] = [
  {
    name: 'framework major in a patch release is held',
    locked: { ecosystem: 'PyPI', name: 'Django', version: '3.2.16' },
    maintenance: { release: 'patch' },
    want: { upgrade: 'major', decision: 'held', rule: 'framework dependencies take at most minor upgrades in a patch release', proposed: '3.2.17' },
  },
  {
    name: 'the same upgrade is allowed in a minor release',
    locked: { ecosystem: 'PyPI', name: 'Django', version: '3.2.16' },
    maintenance: { release: 'minor' },
    want: { upgrade: 'major', decision: 'allowed', rule: 'framework dependencies take at most major upgrades in a minor release', proposed: '4.2.8' },
  },
  {
    name: 'a direct dependency may take a major in a patch release',
    locked: { ecosystem: 'npm', name: 'axios', version: '0.21.1' },
    maintenance: { release: 'patch' },
    want: { upgrade: 'major', decision: 'allowed', proposed: '0.22.0' },
  },
  {
    name: 'ltm branch holds a minor upgrade',
    locked: { ecosystem: 'PyPI', name: 'requests', version: '2.28.1', direct: false },
    maintenance: { release: 'patch', branch: 'ltm' },
    want: {
      upgrade: 'minor',
      decision: 'held',
      rule: 'on an ltm branch indirect dependencies take at most patch upgrades in a patch release (no breaking change; the patch release rule alone would allow major)',
    },
  },
  {
    name: 'ltm branch allows a patch upgrade',
    locked: { ecosystem: 'PyPI', name: 'urllib3', version: '1.26.17', direct: false },
    maintenance: { release: 'patch', branch: 'ltm' },
    want: { upgrade: 'patch', decision: 'allowed', proposed: '1.26.18' },
  },
  {
    name: '0.x caret rule: axios 0.21.1 -> 0.22.0 is major, so an ltm branch holds it',
    locked: { ecosystem: 'npm', name: 'axios', version: '0.21.1' },
    maintenance: { release: 'minor', branch: 'ltm' },
    want: { upgrade: 'major', decision: 'held' },
  },
  {
    name: "a package whose file does not say whether it is direct is ruled as direct",
    locked: { ecosystem: 'PyPI', name: 'requests', version: '2.28.1', direct: 'unknown' },
    maintenance: { release: 'patch', rules: { ...DEFAULT_POLICY.maintenance.rules, patch: { framework: 'minor', direct: 'patch', indirect: 'major' } } },
    want: { upgrade: 'minor', decision: 'held', rule: 'direct dependencies take at most patch upgrades in a patch release' },
  },
];

describe('maintenance rules', () => {
  it.each(ruleCases)('$name', async ({ locked, maintenance, want }) => {
    const findings = await findingsFor(store, [locked]);
    const { remediations } = await planRemediation({ findings, store, policy: policyWith(maintenance), clock });
    expect(remediations).toHaveLength(1);
    const [plan] = remediations;
    expect(plan?.fix.upgrade).toBe(want.upgrade);
    expect(plan?.decision.kind).toBe(want.decision);
    if (want.rule !== undefined) expect(plan?.decision.rule.text).toBe(want.rule);
    expect(plan?.proposed).toBe(want.proposed);
  });
});

describe('a held fix', () => {
  it('offers the version within the allowed class with the most fixes, and exception templates the gate accepts', async () => {
    const findings = await findingsFor(store, [{ ecosystem: 'PyPI', name: 'Django', version: '3.2.16' }]);
    const [plan] = (await planRemediation({ findings, store, policy: DEFAULT_POLICY, clock })).remediations;
    if (plan?.decision.kind !== 'held') throw new Error(`expected held, got ${plan?.decision.kind ?? 'nothing'}`);
    const { alternative, reason } = plan.decision;
    expect(reason).toBe('Django 3.2.16 -> 4.2.8 is a major upgrade; framework dependencies take at most minor upgrades in a patch release');
    expect(alternative.upgradeWithin).toEqual({ version: '3.2.17', upgrade: 'patch', complete: false, cleared: ['TEST-BOTH'], remaining: ['TEST-NEW'] });
    expect(alternative.text).toBe('upgrade to 3.2.17 (patch, the most fixes within the allowed class), then backport or selectively patch what remains (TEST-NEW)');

    // Only the finding 3.2.17 leaves open needs an exception: critical, at most 30 days.
    expect(alternative.exceptionTemplates).toHaveLength(1);
    const [template] = alternative.exceptionTemplates;
    expect(template?.expiresOn).toBe('2026-12-22');
    expect(template?.lines).toEqual([
      '- id: TEST-NEW',
      '  package: "Django"',
      '  versions: ["3.2.16"]',
      '  reason: "<why the risk is accepted: not reachable, mitigated by ...>"',
      '  approved_by: "<approver>"',
      '  issue: "<tracking issue URL>"',
      '  approved_on: 2026-11-22',
      '  expires_on: 2026-12-22',
    ]);

    // Pasted into vigil.yaml, the entry is valid, applies, and keeps within the lifetime rule;
    // one day longer would not.
    const gateOf = (lines: readonly string[]) => {
      const policy = parsePolicyText(`exceptions:\n${lines.map((line) => `  ${line}`).join('\n')}\n`, 'vigil.yaml');
      expect(policy.problems).toEqual([]);
      return evaluateGate(findings, policy, clock);
    };
    const gate = gateOf(template?.lines ?? []);
    expect(gate.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    expect(gate.exceptions[0]?.status).toBe('applied');
    const longer = gateOf((template?.lines ?? []).map((line) => line.replace('2026-12-22', '2026-12-23')));
    expect(longer.problems.map((problem) => problem.code)).toContain('exception-lifetime');
  });

  it('with no version within the class clearing anything, says backport or selective patch', async () => {
    const findings = await findingsFor(store, [{ ecosystem: 'PyPI', name: 'requests', version: '2.28.1', direct: false }]);
    const [plan] = (await planRemediation({ findings, store, policy: policyWith({ branch: 'ltm' }), clock })).remediations;
    if (plan?.decision.kind !== 'held') throw new Error('expected held');
    expect(plan.decision.alternative.upgradeWithin).toBeUndefined();
    expect(plan.decision.alternative.text).toBe('backport or selective patch: no version within the allowed class (patch) clears any advisory');
    // Moderate: the default policy allows 180 days.
    expect(plan.decision.alternative.exceptionTemplates.map((t) => t.expiresOn)).toEqual(['2027-05-21']);
  });
});
