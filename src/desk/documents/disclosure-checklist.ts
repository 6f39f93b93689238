import type { DeskConfig } from '../config/desk-config.js';
import type { BackportRow, DeskReport } from '../types.js';
import { advisoryPackageOf } from './affected-ranges.js';
import { describeDisclosureTime } from './disclosure-time.js';
import { advisoryIdAtDisclosure } from './osv-advisory.js';
import { escapeInline, referenceText } from './markdown-text.js';
import { creditedName, describeSeries, requireAssessment, requireDisclosureAt, withoutFullStop } from './report-parts.js';

/** Optional names the checklist uses. */
export interface ChecklistOptions {
  /** The desk's advisory id; default: `advisoryIdFor` the year of the disclosure. */
  readonly advisoryId?: string;
}

/**
 * The disclosure-day checklist, a Markdown task list: apply each patch to its branch, release each
 * fixed version, publish the OSV and Markdown advisories, send the announcement, update the
 * supported versions and SECURITY.md, tell the reporter, close the report. Series past end of
 * support that the flaw affects are listed as "no fix promised"; a supported series without a
 * fix is a blocking task.
 */
export function renderDisclosureChecklist(report: DeskReport, config: DeskConfig, matrix: readonly BackportRow[], options: ChecklistOptions = {}): string {
  const assessment = requireAssessment(report, 'disclosure checklist');
  const disclosureAt = requireDisclosureAt(report, 'disclosure checklist');
  const when = describeDisclosureTime(disclosureAt, config.calendar.timeZone);
  const pkg = advisoryPackageOf(assessment.package);
  const statements = describeSeries(report, matrix);
  const advisory = escapeInline(options.advisoryId ?? advisoryIdAtDisclosure(report, config, disclosureAt));
  const task = (text: string): string => `- [ ] ${text}`;

  const lines: string[] = [
    `# Disclosure day: ${escapeInline(config.project.name)} ${advisory} (report ${report.id})`,
    '',
    `Embargo ends ${when.text}. Nothing below is public before then.`,
    '',
    '## Patches and releases',
    '',
  ];
  const missing = statements.filter((statement) => statement.row.status === 'affected');
  for (const statement of missing) {
    lines.push(task(`**Blocking:** ${escapeInline(statement.label)} is supported and affected but has no fix recorded; fix it or the disclosure cannot go ahead.`));
  }
  for (const statement of statements) {
    const row = statement.row;
    if (row.status !== 'fixed') continue;
    const branch = `the ${escapeInline(row.series)} branch`;
    lines.push(task(row.patch === undefined ? `Merge the fix into ${branch}.` : `Apply ${referenceText(row.patch)} to ${branch}.`));
    if (row.fixedIn !== undefined) {
      lines.push(task(`Release ${escapeInline(pkg.name)} ${escapeInline(row.fixedIn)} (${escapeInline(pkg.ecosystem)}) and check that it can be installed.`));
    }
  }
  const unfixed = statements.filter((statement) => statement.noFixPromised);
  if (unfixed.length > 0) {
    lines.push('', '## Affected series with no fix promised', '');
    for (const statement of unfixed) lines.push(`- ${escapeInline(statement.row.series)}: ${escapeInline(withoutFullStop(statement.fix))}.`);
  }

  const announceTo = config.project.contacts.announce === undefined ? 'the announcement channels' : escapeInline(config.project.contacts.announce);
  const reporter = creditedName(report.submission.reporter) === undefined ? 'the reporter (credited anonymously, as they asked)' : 'the reporter';
  lines.push(
    '',
    '## Publication',
    '',
    task(`Publish the OSV advisory ${advisory} (\`vigil desk advisory ${report.id}\`).`),
    task('Publish the Markdown advisory (GitHub security advisory or the project\'s advisory page), with the credit as chosen.'),
    task(`Send the announcement to ${announceTo}.`),
    task('Update the supported versions page and SECURITY.md.'),
    task(`Tell ${reporter} that the advisory is public, with its link.`),
    task(`Record the disclosure: move report ${report.id} to \`disclosed\`.`),
    '',
  );
  return lines.join('\n');
}
