import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importAdvisories } from '../../src/advisories/import.js';
import { openAdvisoryStore } from '../../src/advisories/store/sqlite-store.js';
import { fixedClock } from '../../src/core/clock.js';
import type { Finding } from '../../src/core/types.js';
import { buildInventory } from '../../src/inventory/build-inventory.js';
import { matchInventory } from '../../src/match/match.js';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { evaluateGate, type GateResult } from '../../src/policy/gate.js';
import type { Policy } from '../../src/policy/types.js';
import { planRemediation, type RemediationPlan } from '../../src/remediation/plan.js';
import { summarizeRemediation } from '../../src/report/report-remediation.js';
import { buildReport, type Report } from '../../src/report/report.js';
import { fixture } from '../helpers/shared-data.js';

export const MALICIOUS_NOW = '2024-07-01T10:00:00.000Z';

/**
 * A project with one ordinary finding and two malicious packages (test/fixtures/malicious): fail_on
 * high, dev scope ignored, an exception for the direct malicious package. Without the malicious
 * rule nothing would block: express is medium, color-strng is low and dev only, left-padder has an
 * exception.
 */
export function maliciousPolicy(): Policy {
  return {
    ...DEFAULT_POLICY,
    source: 'vigil.yaml',
    failOn: 'high',
    unknownSeverity: 'medium',
    ignoreScopes: ['dev'],
    exceptions: [
      {
        id: 'MAL-2099-0101',
        package: 'left-padder',
        reason: 'we trust it',
        approvedBy: 'security-team',
        issue: 'https://example.com/issues/1',
        expiresOn: '2024-07-20',
        approvedOn: '2024-06-30',
        location: { file: 'vigil.yaml', line: 3 },
      },
    ],
  };
}

export interface MaliciousScenario {
  readonly findings: readonly Finding[];
  readonly gate: GateResult;
  readonly plan: RemediationPlan;
  readonly report: Report;
}

/** The whole pipeline over the fixture: import, inventory, match, gate, plan (offline), report. */
export async function buildMaliciousScenario(policy: Policy = maliciousPolicy()): Promise<MaliciousScenario> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-malicious-'));
  const clock = fixedClock(MALICIOUS_NOW);
  try {
    const storePath = path.join(work, 'advisories.db');
    const imported = await importAdvisories({ storePath, inputs: [fixture('malicious', 'advisories')], clock });
    if (imported.rejected.length > 0) throw new Error(`malicious scenario: rejected ${JSON.stringify(imported.rejected)}`);
    const root = fixture('malicious');
    const inventory = await buildInventory({ paths: [path.join(root, 'project')], root });
    const store = openAdvisoryStore(storePath);
    try {
      const database = await store.status();
      const { findings, warnings } = await matchInventory(inventory, store);
      const gate = evaluateGate(findings, policy, clock);
      const plan = await planRemediation({ findings, store, policy, clock });
      const report = buildReport({ inventory, findings, warnings, database, auditedAt: clock.now() }, gate, policy, '0.0.0-test', {
        remediation: summarizeRemediation(plan, 'advisories'),
      });
      return { findings, gate, plan, report: { ...report, database: { ...report.database, path: 'advisories.db' } } };
    } finally {
      store.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
