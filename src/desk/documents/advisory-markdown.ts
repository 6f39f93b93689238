import type { DeskConfig } from '../config/desk-config.js';
import type { BackportRow, DeskReport } from '../types.js';
import { advisoryPackageOf } from './affected-ranges.js';
import { codeSpan, escapeInline, fencedBlock, isWebUrl, referenceText } from './markdown-text.js';
import {
  creditedName,
  cveRecordUrl,
  describeSeries,
  joinWords,
  patchesOf,
  requireAssessment,
  SEVERITY_LABELS,
  upgradeCommand,
  withoutFullStop,
} from './report-parts.js';

/** The credit line of an advisory: the reporter's chosen name, or that they stay anonymous. */
export function creditLine(report: DeskReport): string {
  const name = creditedName(report.submission.reporter);
  return name === undefined ? 'Reported privately by an anonymous reporter.' : `Reported privately by ${codeSpan(name)}.`;
}

/**
 * The advisory in the shape of a GitHub security advisory: title (the summary), package, severity
 * with the CVSS vector and score, CWEs, CVE, then `### Impact`, `### Patches`, `### Workarounds`,
 * `### References` and `### Credits`. The reporter's description and impact are quoted verbatim in
 * fenced blocks; the credit name is a code span (see `markdown-text.ts`).
 */
export function renderAdvisoryMarkdown(report: DeskReport, config: DeskConfig, matrix: readonly BackportRow[]): string {
  const assessment = requireAssessment(report, 'advisory');
  const pkg = advisoryPackageOf(assessment.package);
  const statements = describeSeries(report, matrix);
  const fixedReleases = statements.flatMap((statement) => (statement.row.status === 'fixed' && statement.row.fixedIn !== undefined ? [statement.row.fixedIn] : []));
  const unfixed = statements.filter((statement) => statement.noFixPromised);

  const lines: string[] = [
    `# ${escapeInline(assessment.summary)}`,
    '',
    `- Package: ${escapeInline(pkg.ecosystem)} ${codeSpan(pkg.name)} (${escapeInline(config.project.name)})`,
    `- Severity: ${SEVERITY_LABELS[assessment.severity]}, CVSS ${assessment.cvss.version} base score ${assessment.cvss.score.toFixed(1)}`,
    `- CVSS vector: ${codeSpan(assessment.cvss.vector)}`,
    `- Weaknesses: ${assessment.cwes.map(escapeInline).join(', ')}`,
    `- CVE: ${assessment.cve === undefined ? 'not assigned yet' : escapeInline(assessment.cve)}`,
    `- Patched versions: ${fixedReleases.length === 0 ? 'none yet' : fixedReleases.map(escapeInline).join(', ')}`,
    '',
    '### Impact',
    '',
    fencedBlock(report.submission.impact),
    '',
    'Details:',
    '',
    fencedBlock(report.submission.description),
    '',
    '### Patches',
    '',
  ];
  for (const statement of statements) {
    const patch = statement.row.patch === undefined ? '' : ` (${referenceText(statement.row.patch)})`;
    lines.push(`- ${escapeInline(statement.label)}: ${escapeInline(statement.affected)}; ${escapeInline(withoutFullStop(statement.fix))}${patch}.`);
  }
  if (fixedReleases.length > 0) {
    const which = fixedReleases.length === 1 ? '' : ', whichever is in your series';
    lines.push('', `Upgrade to ${joinWords(fixedReleases.map(escapeInline), 'or')}${which}, e.g. ${codeSpan(upgradeCommand(pkg, fixedReleases[0] ?? ''))}.`);
  }
  lines.push('', '### Workarounds', '', 'None known: upgrade to a release with the fix.');
  if (unfixed.length > 0) {
    const names = joinWords(unfixed.map((statement) => escapeInline(statement.row.series)));
    const verbs = unfixed.length === 1 ? 'is past the end of security support and gets' : 'are past the end of security support and get';
    lines.push(`Series ${names} ${verbs} no fix; move to a supported series.`);
  }
  lines.push('', '### References', '');
  const references = new Set<string>();
  for (const patch of patchesOf(report, matrix)) if (isWebUrl(patch.patch)) references.add(patch.patch);
  const cveUrl = assessment.cve === undefined ? undefined : cveRecordUrl(assessment.cve);
  if (cveUrl !== undefined) references.add(cveUrl);
  if (config.project.url !== undefined) references.add(config.project.url);
  if (references.size === 0) lines.push('None yet.');
  for (const reference of references) lines.push(`- ${referenceText(reference)}`);
  lines.push('', '### Credits', '', creditLine(report), '');
  return lines.join('\n');
}
