import type { SourceLocation } from '../../core/types.js';
import { visibleLines, visibleText } from '../../core/visible-text.js';
import { describeLocation, isInImage, shortDigest } from '../installed-location.js';
import type { Report, ReportFinding } from '../report.js';

/** Annotation commands GitHub Actions understands (https://docs.github.com/en/actions/using-workflows/workflow-commands-for-github-actions). */
export type AnnotationCommand = 'error' | 'warning' | 'notice';

/**
 * `--format github`: GitHub Actions workflow commands, one annotation per line, shown on the
 * lockfile line in the pull request. Blocking findings and policy errors are `::error`, policy
 * warnings `::warning`, findings allowed by an exception `::notice`. Findings below the threshold
 * or in an ignored scope get no annotation (GitHub shows at most 10 of each kind per step; they
 * would crowd out what blocks) but are counted in the closing summary line.
 */
export function renderGithub(report: Report): string {
  const lines: string[] = [];
  // Malicious packages first (#15, item 3), then policy errors, then the other blocking findings.
  for (const finding of report.findings) {
    if (finding.malicious === true) lines.push(annotation('error', annotated(finding.package.location), title(finding), findingMessage(finding)));
  }
  for (const problem of report.policy.problems.filter((entry) => entry.severity === 'error')) {
    lines.push(annotation('error', problem.location, `vigil policy: ${problem.code}`, problem.message));
  }
  for (const finding of report.findings) {
    if (finding.decision.kind === 'blocking' && finding.malicious !== true) {
      lines.push(annotation('error', annotated(finding.package.location), title(finding), findingMessage(finding)));
    }
  }
  for (const problem of report.policy.problems.filter((entry) => entry.severity === 'warning')) {
    lines.push(annotation('warning', problem.location, `vigil policy: ${problem.code}`, problem.message));
  }
  for (const finding of report.findings) {
    const { decision } = finding;
    if (decision.kind === 'allowed-by-exception') {
      const { exception } = decision;
      const allowed =
        `${findingMessage(finding)}\nAllowed by exception ${exception.id} (approved by ${exception.approvedBy}, ` +
        `${exception.issue}, expires ${exception.expiresOn}): ${exception.reason}`;
      lines.push(annotation('notice', annotated(finding.package.location), `${title(finding)} (allowed)`, allowed));
    }
  }
  // What vigil could not evaluate blocks like a finding unless the policy says `unevaluable: warn`.
  for (const item of report.unevaluable) {
    const what = item.advisory === undefined ? item.subject : `${item.advisory} for ${item.subject}`;
    const where = isInImage(item.location) ? `\nAt ${describeLocation(item.location, { full: true })}.` : '';
    lines.push(annotation(report.policy.unevaluable === 'fail' ? 'error' : 'warning', annotated(item.location), `could not evaluate ${what}`, `${item.reason}${where}`));
  }
  const { summary } = report;
  // A plain line (not a command): the log shows it as is, after the commands.
  lines.push(
    `vigil: gate ${summary.passed ? 'passed' : 'FAILED'}: ${summary.blocking} blocking, ${summary.unevaluable} unevaluable, ${summary.allowedByException} allowed by exception, ` +
      `${summary.belowThreshold} below threshold, ${summary.ignoredScope} in ignored scopes, ${summary.policyErrors} policy errors, ` +
      `${summary.policyWarnings} policy warnings, ${summary.skipped} skipped`,
  );
  return `${lines.join('\n')}\n`;
}

function title(finding: ReportFinding): string {
  const { location } = finding.package;
  const layer = isInImage(location) ? ` (image layer ${shortDigest(location.layer)})` : '';
  return `${finding.malicious === true ? 'MALICIOUS package: ' : ''}${finding.id} in ${finding.package.name} ${finding.package.version}${layer}`;
}

/**
 * The file an annotation is attached to. A path inside a container image is no file of the
 * repository (GitHub would attach the annotation to nothing, or to a file of the same name), so
 * an image's findings are annotations of the run, naming the path and layer in their message.
 */
function annotated(location: SourceLocation): SourceLocation | undefined {
  return isInImage(location) ? undefined : location;
}

/** For a package in an image or a distribution package: where it is installed and its source package. */
function installedLine(finding: ReportFinding): string {
  const { package: pkg } = finding;
  const parts = [
    ...(isInImage(pkg.location) ? [`Installed at ${describeLocation(pkg.location, { full: true })}.`] : []),
    ...(pkg.distro === undefined ? [] : [`${pkg.distro.release} source package ${pkg.distro.sourceName} ${pkg.distro.sourceVersion}.`]),
  ];
  return parts.length === 0 ? '' : `\n${parts.join(' ')}`;
}

function findingMessage(finding: ReportFinding): string {
  const { package: pkg, decision } = finding;
  const ids = [finding.id, ...finding.aliases].join(', ');
  if (finding.malicious === true) {
    return `${pkg.name} ${pkg.version} is reported as malicious (${ids}): ${finding.summary}\nRemove it; no version upgrade or exception applies.${installedLine(finding)}`;
  }
  const fix = finding.fixed.length > 0 ? `Fixed in ${finding.fixed.join(', ')}.` : 'No fixed version known.';
  const severity = finding.severity.score === undefined ? finding.severity.level : `${finding.severity.level} ${finding.severity.score.toFixed(1)}`;
  const due =
    decision.kind === 'blocking' && decision.due !== undefined ? ` ${decision.overdue === true ? 'Overdue since' : 'Due'} ${decision.due.slice(0, 10)}.` : '';
  return `${pkg.name} ${pkg.version} is vulnerable to ${ids} (${severity}): ${finding.summary}\n${fix}${due}${installedLine(finding)}`;
}

/** One workflow command; the file and line are left out when unknown. */
export function annotation(command: AnnotationCommand, location: SourceLocation | undefined, titleText: string, message: string): string {
  // Controls from input (ESC sequences, bidi overrides) are shown visibly first: the log viewer
  // renders ANSI; only the message's own line breaks stay, encoded as the runner expects.
  const properties = [
    ...(location ? [`file=${escapeProperty(visibleText(location.file))}`] : []),
    ...(location?.line === undefined ? [] : [`line=${location.line}`]),
    ...(location?.column === undefined ? [] : [`col=${location.column}`]),
    `title=${escapeProperty(visibleText(titleText))}`,
  ];
  return `::${command} ${properties.join(',')}::${escapeData(visibleLines(message))}`;
}

/**
 * The runner's escaping for a command's message (actions/toolkit `escapeData`): without it a
 * newline in an advisory summary would end the command and start a line the runner reads as a
 * new command (`::error::...`, or worse `::add-mask::`/`::stop-commands::`).
 */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value additionally may not hold `:` or `,`, which end it (actions/toolkit `escapeProperty`). */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
