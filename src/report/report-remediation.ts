import path from 'node:path';
import { openAdvisoryStore } from '../advisories/store/sqlite-store.js';
import type { Clock } from '../core/clock.js';
import type { Finding } from '../core/types.js';
import type { Policy } from '../policy/types.js';
import { ecosystemCommand, parentBumpCommand, removeCommand } from '../remediation/apply/ecosystem-command.js';
import { parentBumpsToApply } from '../remediation/parent-bump.js';
import { planRemediation, type Remediation, type RemediationPlan } from '../remediation/plan.js';
import type { ReportRemediation, ReportRemediationPlan } from './report.js';

/**
 * The command (and, for an indirect npm package, the override to add first) that moves a package
 * to the plan's proposed version: a bump of its direct parents when every path has an allowed one,
 * else the override in package.json and the install that applies it, else the lockfile's own
 * package manager command (`vigil fix` applies the same for the files it rewrites).
 */
function actionOf(remediation: Remediation): Pick<ReportRemediation, 'command' | 'edit'> {
  const pkg = remediation.package;
  if (remediation.decision.kind === 'remove') return { command: removeCommand(pkg) ?? null, edit: null };
  const target = remediation.proposed;
  if (target === undefined) return { command: null, edit: null };
  const parents = pkg.ecosystem === 'npm' ? parentBumpsToApply(remediation.parentBumps) : undefined;
  const bump = parents === undefined ? undefined : parentBumpCommand(pkg, parents);
  if (bump !== undefined) return { command: bump, edit: null };
  const override = remediation.override;
  if (pkg.ecosystem === 'npm' && pkg.direct === false && override !== undefined) {
    return {
      command: ecosystemCommand(pkg, target) ?? null,
      edit: { file: path.posix.join(path.posix.dirname(pkg.location.file), override.file), text: override.text },
    };
  }
  return { command: ecosystemCommand(pkg, target) ?? null, edit: null };
}

/** The plan in the report's form: one line per vulnerable package, in plan order. */
export function summarizeRemediation(plan: RemediationPlan, versionSource: ReportRemediationPlan['versionSource']): ReportRemediationPlan {
  return {
    versionSource,
    packages: plan.remediations.map((remediation): ReportRemediation => {
      const { package: pkg, decision, fix } = remediation;
      return {
        package: { ecosystem: pkg.ecosystem, name: pkg.name, version: pkg.version, purl: pkg.purl, location: pkg.location },
        ids: remediation.ids,
        target: fix.target ?? null,
        upgrade: fix.upgrade,
        decision: decision.kind,
        reason: decision.kind === 'allowed' ? null : decision.reason,
        proposed: remediation.proposed ?? null,
        ...actionOf(remediation),
      };
    }),
  };
}

/** What `planReportRemediation` plans from. */
export interface ReportRemediationOptions {
  readonly findings: readonly Finding[];
  /** The store the audit read (it is opened again, read-only use). */
  readonly storePath: string;
  readonly policy: Policy;
  readonly clock: Clock;
}

/**
 * Plans the remediation of an audit's findings for a report, like `vigil plan --offline`: targets
 * come from the advisories' fixed versions, so an audit never asks a registry.
 */
export async function planReportRemediation(options: ReportRemediationOptions): Promise<ReportRemediationPlan> {
  if (options.findings.length === 0) return { versionSource: 'advisories', packages: [] };
  const store = openAdvisoryStore(options.storePath);
  try {
    const plan = await planRemediation({ findings: options.findings, store, policy: options.policy, clock: options.clock });
    return summarizeRemediation(plan, 'advisories');
  } finally {
    store.close();
  }
}
