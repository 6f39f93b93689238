import { formatLocated } from '../core/errors.js';
import type { Report } from '../report/report.js';

const MAX_UNEVALUABLE_SHOWN = 20;

/**
 * The lines every run prints to stderr, whatever the output format: the gate's counts, each
 * exception it applied with its reason and expiry, and each policy problem in compiler form. With
 * `quiet` (-q): the counts, overdue and unevaluable items as counts, the errors and the verdict.
 */
export function logGate(report: Report, log: (line: string) => void, options: { readonly quiet?: boolean } = {}): void {
  const { summary } = report;
  const quiet = options.quiet === true;
  const unevaluable = report.policy.unevaluable === 'fail' ? `${summary.unevaluable} unevaluable` : `${summary.unevaluable} unevaluable (warn only)`;
  log(
    `gate: ${summary.blocking} blocking, ${unevaluable}, ${summary.allowedByException} allowed by exception, ` +
      `${summary.belowThreshold} below threshold (fail_on ${report.policy.failOn}), ${summary.ignoredScope} in ignored scopes, ` +
      `${summary.notAffected} not affected (VEX); ` +
      `${summary.packages} packages, ${summary.findings} findings; policy ${report.policy.source ?? 'default'}: ` +
      `${summary.policyErrors} errors, ${summary.policyWarnings} warnings`,
  );
  // -q: the counts, the errors and the verdict; what is listed one by one otherwise is counted.
  const overdue = report.findings.filter(({ decision }) => decision.kind === 'blocking' && decision.overdue === true).length;
  if (quiet) {
    if (overdue > 0) log(`overdue: ${overdue} blocking finding${overdue === 1 ? ' is' : 's are'} past their due date`);
    if (summary.unevaluable > 0) log(`unevaluable: ${summary.unevaluable} item${summary.unevaluable === 1 ? '' : 's'} (see --format json)`);
  }
  for (const finding of quiet ? [] : report.findings) {
    const { decision } = finding;
    if (decision.kind === 'allowed-by-exception') {
      const { exception } = decision;
      log(
        `allowed: ${finding.id} in ${finding.package.name} ${finding.package.version} by exception ${exception.id} ` +
          `(approved by ${exception.approvedBy}, ${exception.issue}, expires ${exception.expiresOn}): ${exception.reason}`,
      );
    } else if (decision.kind === 'blocking' && decision.overdue === true && decision.due !== undefined) {
      log(`overdue: ${finding.id} in ${finding.package.name} ${finding.package.version} was due ${decision.due.slice(0, 10)} (${decision.level})`);
    }
  }
  for (const item of quiet ? [] : report.unevaluable.slice(0, MAX_UNEVALUABLE_SHOWN)) {
    const what = item.advisory === undefined ? item.subject : `${item.advisory} for ${item.subject}`;
    log(`unevaluable: ${formatLocated(item.location, `${what}: ${item.reason}`)}`);
  }
  if (!quiet && report.unevaluable.length > MAX_UNEVALUABLE_SHOWN) {
    log(`unevaluable: ${report.unevaluable.length - MAX_UNEVALUABLE_SHOWN} more (see --format json)`);
  }
  for (const problem of report.policy.problems.filter((entry) => !quiet || entry.severity === 'error')) log(`${problem.severity}: ${formatLocated(problem.location, problem.message)}`);
  if (summary.strictSkipped > 0) log(`vigil: --strict: ${summary.strictSkipped} skipped entries fail the gate`);
  log(summary.passed ? 'vigil: gate passed' : 'vigil: gate FAILED');
}
