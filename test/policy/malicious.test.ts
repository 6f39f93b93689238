import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.js';
import type { Finding } from '../../src/core/types.js';
import { evaluateGate } from '../../src/policy/gate.js';
import type { Policy } from '../../src/policy/types.js';
import { buildMaliciousScenario, MALICIOUS_NOW, maliciousPolicy } from '../report/malicious-scenario.js';

const clock = fixedClock(MALICIOUS_NOW);

describe('the gate and malicious packages', () => {
  it('blocks a malicious package whatever its level, scope or exception, and refuses the exception with an error', async () => {
    const { findings, gate } = await buildMaliciousScenario();
    const decision = (name: string): { kind: string; malicious?: true } | undefined => {
      const finding = findings.find((entry) => entry.package.name === name);
      return finding === undefined ? undefined : gate.decisions.get(finding);
    };
    // left-padder has an exception, color-strng is low and dev only: both still block.
    expect(decision('left-padder')).toMatchObject({ kind: 'blocking', malicious: true });
    expect(decision('color-strng')).toMatchObject({ kind: 'blocking', malicious: true });
    // express is medium under fail_on high: the malicious rule does not spill over.
    expect(decision('express')?.kind).toBe('below-threshold');
    expect(gate.counts).toMatchObject({ blocking: 2, allowedByException: 0, belowThreshold: 1, ignoredScope: 0 });
    expect(gate.failed).toBe(true);
    expect(gate.problems.map((problem) => [problem.severity, problem.code, problem.exception])).toEqual([['error', 'exception-malicious', 'MAL-2099-0101']]);
    expect(gate.exceptions.map((outcome) => [outcome.entry.id, outcome.status, outcome.matched])).toEqual([['MAL-2099-0101', 'unused', 1]]);
  });

  it('is the malicious mark that blocks: the same findings without it pass under this policy', async () => {
    const { findings } = await buildMaliciousScenario();
    const unmarked = findings.map((finding): Finding => {
      const copy: { -readonly [K in keyof Finding]: Finding[K] } = { ...finding };
      delete copy.malicious;
      return copy;
    });
    const gate = evaluateGate(unmarked, maliciousPolicy(), clock);
    // left-padder is unknown (judged medium) and express medium: below fail_on high; color-strng is dev only.
    expect(gate.counts).toMatchObject({ blocking: 0, belowThreshold: 2, ignoredScope: 1 });
    expect(gate.failed).toBe(false);
  });

  it('a VEX not_affected statement does not clear a malicious package', async () => {
    const { findings } = await buildMaliciousScenario();
    const policy: Policy = { ...maliciousPolicy(), exceptions: [] };
    const gate = evaluateGate(findings, policy, clock, {
      vex: [{ id: 'MAL-2099-0101', status: 'not_affected', justification: 'code_not_reachable', location: { file: 'vex.json', line: 5 } }],
    });
    const finding = findings.find((entry) => entry.package.name === 'left-padder');
    expect(finding === undefined ? undefined : gate.decisions.get(finding)?.kind).toBe('blocking');
    expect(gate.counts.notAffected).toBe(0);
  });
});
