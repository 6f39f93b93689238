import { describe, expect, it } from 'vitest';
import { renderPlanTable } from '../../src/remediation/render-plan.js';
import { buildMaliciousScenario } from '../report/malicious-scenario.js';

describe('the plan for a malicious package', () => {
  it('is to remove it, never an upgrade (even when its record has a fixed version), listed first', async () => {
    const { plan } = await buildMaliciousScenario();
    expect(plan.remediations.map((entry) => [entry.package.name, entry.decision.kind, entry.fix.target ?? null, entry.proposed ?? null])).toEqual([
      // color-strng's record says fixed in 0.1.2: no target all the same.
      ['color-strng', 'remove', null, null],
      ['left-padder', 'remove', null, null],
      // The ordinary finding keeps its upgrade: the advisory's fixed version.
      ['express', 'allowed', '4.19.2', '4.19.2'],
    ]);
    for (const entry of plan.remediations.slice(0, 2)) {
      expect(entry.override).toBeUndefined();
      expect(entry.parentBumps).toBeUndefined();
      if (entry.decision.kind === 'remove') expect(entry.decision.alternative.exceptionTemplates).toEqual([]);
    }
  });

  it('vigil plan prints REMOVE, and counts the malicious packages', async () => {
    const { plan } = await buildMaliciousScenario();
    const table = renderPlanTable({ plan, versionSource: { kind: 'advisories', reason: 'offline' }, toolVersion: '0.0.0-test', generatedAt: '2024-07-01T10:00:00.000Z' });
    const rows = table.split('\n').filter((line) => /^(color-strng|left-padder|express) /.test(line));
    expect(rows.map((line) => line.split(/\s{2,}/)[0])).toEqual(['color-strng', 'left-padder', 'express']);
    expect(rows[0]).toContain('REMOVE (malicious)');
    expect(rows[0]).toContain('remove');
    expect(table).toContain('3 vulnerable packages: 2 malicious to remove, 1 allowed, 0 held, 0 no fix');
    expect(table).not.toMatch(/exception template/);
  });
});
