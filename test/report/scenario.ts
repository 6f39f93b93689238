import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importAdvisories } from '../../src/advisories/import.js';
import { openAdvisoryStore } from '../../src/advisories/store/sqlite-store.js';
import { fixedClock } from '../../src/core/clock.js';
import { buildInventory } from '../../src/inventory/build-inventory.js';
import { matchInventory } from '../../src/match/match.js';
import { evaluateGate } from '../../src/policy/gate.js';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import type { ExceptionEntry, Policy } from '../../src/policy/types.js';
import { planRemediation, type RemediationPlan } from '../../src/remediation/plan.js';
import { summarizeRemediation } from '../../src/report/report-remediation.js';
import { buildReport, type Report } from '../../src/report/report.js';
import { shared } from '../helpers/shared-data.js';

/** The audit's pinned instant: goldens and due dates never move. */
export const SCENARIO_NOW = '2026-11-22T10:00:00.000Z';
/** Goldens carry this tool version, whatever package.json says. */
export const SCENARIO_TOOL_VERSION = '0.0.0-test';

/** The npm and PyPI lockfiles of the scenario, relative to the shared corpus folder (paths in the report). */
export const SCENARIO_FILES = [
  ['npm', 'cyberchef', 'package-lock.json'],
  ['pypi', 'treeherder', 'requirements'],
] as const;

/** The scenario's applied exception: it allows one of two django findings of the same flaw. */
export const SCENARIO_EXCEPTION_ID = 'GHSA-jh3w-4vvf-mjgr';

const corpusDir = (): string => path.dirname(shared('corpus', 'npm'));

/**
 * Builds a Report the way `vigil audit` does, over real lockfiles and real OSV records: the
 * cyberchef package-lock.json and treeherder's requirements against the GHSA subset and the
 * PYSEC records, fail_on high with a pinned clock, an applied and an expired exception, dev findings ignored
 * by scope: every gate decision kind and both kinds of policy problem appear.
 */
export async function buildScenarioReport(): Promise<Report> {
  return (await buildScenario({ plan: false })).report;
}

/** The scenario's report carrying its remediation plan (as `vigil audit --format html` builds it), and the plan. */
export async function buildScenarioWithPlan(): Promise<{ report: Report; plan: RemediationPlan }> {
  const { report, plan } = await buildScenario({ plan: true });
  if (plan === undefined) throw new Error('scenario: no plan');
  return { report, plan };
}

async function buildScenario(options: { plan: boolean }): Promise<{ report: Report; plan: RemediationPlan | undefined }> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-report-'));
  const clock = fixedClock(SCENARIO_NOW);
  try {
    const storePath = path.join(work, 'advisories.db');
    const imported = await importAdvisories({
      storePath,
      inputs: [shared('osv', 'ghsa-subset', 'advisories'), shared('osv', 'pypi-pysec', 'vulns')],
      clock,
    });
    if (imported.rejected.length > 0) throw new Error(`scenario: rejected ${imported.rejected.length} records`);
    const root = corpusDir();
    const inventory = await buildInventory({ paths: SCENARIO_FILES.map((parts) => path.join(root, ...parts)), root });
    const store = openAdvisoryStore(storePath);
    try {
      const database = await store.status();
      const { findings, warnings } = await matchInventory(inventory, store);
      const policy = scenarioPolicy();
      const gate = evaluateGate(findings, policy, clock);
      // Planned offline, as the audit plans for its HTML report: targets from the advisories.
      const plan = options.plan ? await planRemediation({ findings, store, policy, clock }) : undefined;
      const report = buildReport(
        { inventory, findings, warnings, database, auditedAt: clock.now() },
        gate,
        policy,
        SCENARIO_TOOL_VERSION,
        plan === undefined ? {} : { remediation: summarizeRemediation(plan, 'advisories') },
      );
      // The store lives in a temp folder: its path would make every golden differ.
      return { report: { ...report, database: { ...report.database, path: 'advisories.db' } }, plan };
    } finally {
      store.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function scenarioPolicy(): Policy {
  // Expires within the policy's warning window: a policy warning beside the applied exception.
  const applied: ExceptionEntry = {
    id: SCENARIO_EXCEPTION_ID,
    package: 'Django',
    versions: ['4.0.10'],
    reason: 'EmailValidator only sees addresses from our own SSO | <b>no</b> user input',
    approvedBy: 'security-team',
    issue: 'https://example.com/issues/42',
    expiresOn: '2026-12-01',
    approvedOn: '2026-11-01',
    location: { file: 'vigil.yaml', line: 4 },
  };
  // Expired: a policy error, so the reports show one.
  const expired: ExceptionEntry = {
    id: 'CVE-1999-0001',
    reason: 'legacy',
    approvedBy: 'security-team',
    issue: 'https://example.com/issues/7',
    expiresOn: '2026-01-01',
    approvedOn: '2025-12-01',
    location: { file: 'vigil.yaml', line: 11 },
  };
  return { ...DEFAULT_POLICY, source: 'vigil.yaml', failOn: 'high', ignoreScopes: ['dev'], exceptions: [applied, expired] };
}
