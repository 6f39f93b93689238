import type { DeskConfig } from '../config/desk-config.js';
import type { BackportRow, DeskReport } from '../types.js';
import { creditLine } from './advisory-markdown.js';
import { advisoryPackageOf } from './affected-ranges.js';
import { describeDisclosureTime } from './disclosure-time.js';
import { advisoryIdAtDisclosure } from './osv-advisory.js';
import { codeSpan, escapeInline, referenceText } from './markdown-text.js';
import {
  cveRecordUrl,
  describeSeries,
  joinWords,
  requireAssessment,
  requireDisclosureAt,
  SEVERITY_LABELS,
  upgradeCommand,
  withoutFullStop,
} from './report-parts.js';

/** Optional links the announcement points to. */
export interface AnnouncementLinks {
  /** The desk's advisory id; default: `advisoryIdFor` the year of the disclosure. */
  readonly advisoryId?: string;
  /** The public page of the advisory. */
  readonly advisoryUrl?: string;
}

/**
 * The public announcement of disclosure day: the summary, severity and CVSS, CVE and CWEs, the
 * affected and fixed versions of every series (past-end-of-support ones say that no fix is
 * promised), how to upgrade, and the credit. Markdown that reads as plain text.
 */
export function renderAnnouncement(report: DeskReport, config: DeskConfig, matrix: readonly BackportRow[], links: AnnouncementLinks = {}): string {
  const assessment = requireAssessment(report, 'announcement');
  const disclosureAt = requireDisclosureAt(report, 'announcement');
  const when = describeDisclosureTime(disclosureAt, config.calendar.timeZone);
  const advisoryId = links.advisoryId ?? advisoryIdAtDisclosure(report, config, disclosureAt);
  const pkg = advisoryPackageOf(assessment.package);
  const project = escapeInline(config.project.name);
  const statements = describeSeries(report, matrix);
  const fixed = statements.filter((statement) => statement.row.kind === 'series' && statement.row.status === 'fixed' && statement.row.fixedIn !== undefined);
  const releases = fixed.map((statement) => escapeInline(statement.row.fixedIn ?? ''));
  const newest = fixed[0]?.row.fixedIn;

  const lines: string[] = [
    `# ${project} security release${releases.length === 1 ? '' : 's'}: ${releases.length === 0 ? 'security fix' : releases.join(', ')}`,
    '',
    `Published ${when.text}.`,
    '',
    `The ${project} team has released ${releases.length === 0 ? 'a fix' : joinWords(releases)} to fix a security issue of ${SEVERITY_LABELS[assessment.severity]} severity.`,
    'All users of an affected version should upgrade now.',
    '',
    `## ${escapeInline(assessment.summary)}`,
    '',
    `- Severity: ${SEVERITY_LABELS[assessment.severity]} (CVSS ${assessment.cvss.version} base score ${assessment.cvss.score.toFixed(1)}, ${codeSpan(assessment.cvss.vector)})`,
    `- CVE: ${assessment.cve === undefined ? 'not assigned yet' : escapeInline(assessment.cve)}`,
    `- Weaknesses: ${assessment.cwes.map(escapeInline).join(', ')}`,
  ];
  lines.push(`- Advisory: ${escapeInline(advisoryId)}`);
  const references = [links.advisoryUrl, assessment.cve === undefined ? undefined : cveRecordUrl(assessment.cve)].filter((url) => url !== undefined);
  for (const url of references) lines.push(`- ${referenceText(url)}`);

  lines.push('', '## Affected and fixed versions', '');
  for (const statement of statements) {
    lines.push(`- ${escapeInline(statement.label)}: ${escapeInline(statement.affected)}; ${escapeInline(withoutFullStop(statement.fix))}.`);
  }

  lines.push('', '## How to upgrade', '');
  for (const statement of fixed) {
    const version = statement.row.fixedIn ?? '';
    lines.push(`- Users of ${escapeInline(statement.row.series)}.x: upgrade to ${escapeInline(version)}: ${codeSpan(upgradeCommand(pkg, version))}`);
  }
  for (const statement of statements.filter((candidate) => candidate.noFixPromised)) {
    const target = newest === undefined ? 'a supported series' : `a supported series (for instance ${escapeInline(newest)})`;
    lines.push(`- Users of ${escapeInline(statement.row.series)}.x: ${escapeInline(withoutFullStop(statement.fix))}; upgrade to ${target}.`);
  }
  if (fixed.length === 0) lines.push('- No release carries the fix yet; watch this page for it.');

  lines.push(
    '',
    '## Credit',
    '',
    creditLine(report),
    '',
    `Please report security issues privately to ${escapeInline(config.project.contacts.security)}, never in a public tracker or list.`,
    '',
  );
  return lines.join('\n');
}
