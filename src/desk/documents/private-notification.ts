import type { DeskConfig } from '../config/desk-config.js';
import type { BackportRow, DeskReport } from '../types.js';
import { describeDisclosureTime } from './disclosure-time.js';
import { codeSpan, escapeInline, fencedBlock, referenceText } from './markdown-text.js';
import { capitalise, describeSeries, patchesOf, requireAssessment, requireDisclosureAt, SEVERITY_LABELS, withoutFullStop } from './report-parts.js';

/**
 * The private notification to the vetted list: the full description and impact (the reporter's
 * text, verbatim in fenced blocks), severity, CVSS vector and score, CWEs, the affected versions
 * and the fix of every series, the patches, the disclosure date and the embargo terms. Markdown
 * that reads as plain text, for an encrypted mail.
 */
export function renderPrivateNotification(report: DeskReport, config: DeskConfig, matrix: readonly BackportRow[]): string {
  const assessment = requireAssessment(report, 'private notification');
  const when = describeDisclosureTime(requireDisclosureAt(report, 'private notification'), config.calendar.timeZone);
  const project = escapeInline(config.project.name);
  const contact = escapeInline(config.project.contacts.security);
  const patches = patchesOf(report, matrix);

  const lines: string[] = [
    `# CONFIDENTIAL: ${project} security issue under embargo until ${when.utc}`,
    '',
    `You receive this because your organisation is on the ${project} security notification list. It describes a`,
    `vulnerability that is not public yet, so that you can prepare updates before the disclosure on ${when.text}.`,
    '',
    '## Embargo terms',
    '',
    `- Keep everything in this message confidential until ${when.utc}.`,
    '- Share it only with the people who need it to prepare updates; they are bound by these terms too.',
    '- Do not publish, discuss in public, or push the patches or fixed packages to any public place before that time.',
    `- If the issue becomes public earlier, or you see it exploited, tell ${contact} at once: the date may move.`,
    `- Send questions to ${contact}, never to a public list or tracker.`,
    '',
    '## Summary',
    '',
    escapeInline(assessment.summary),
    '',
    `- Package: ${escapeInline(assessment.package.ecosystem)} ${codeSpan(assessment.package.name)}`,
    `- Severity: ${SEVERITY_LABELS[assessment.severity]}`,
    `- CVSS ${assessment.cvss.version}: base score ${assessment.cvss.score.toFixed(1)}, vector ${codeSpan(assessment.cvss.vector)}`,
    `- CWE: ${assessment.cwes.map(escapeInline).join(', ')}`,
    `- CVE: ${assessment.cve === undefined ? 'not assigned yet' : escapeInline(assessment.cve)}`,
    `- Disclosure: ${when.text}`,
    '',
    '## Description',
    '',
    'In the reporter\'s words:',
    '',
    fencedBlock(report.submission.description),
    '',
    '## Impact',
    '',
    fencedBlock(report.submission.impact),
    '',
    '## Affected versions and fixes',
    '',
  ];
  for (const statement of describeSeries(report, matrix)) {
    const patch = statement.row.patch === undefined ? '' : `; patch: ${referenceText(statement.row.patch)}`;
    lines.push(`- ${escapeInline(statement.label)}: ${escapeInline(statement.affected)}. ${capitalise(escapeInline(withoutFullStop(statement.fix)))}${patch}.`);
  }
  lines.push('', '## Patches', '');
  if (patches.length === 0) lines.push('No patch is recorded yet; it will follow before the disclosure.');
  for (const patch of patches) {
    const release = patch.fixedIn === undefined ? 'no release' : `released in ${escapeInline(patch.fixedIn)}`;
    lines.push(`- ${escapeInline(patch.series)} (${release}): ${referenceText(patch.patch)}`);
  }
  lines.push('', `The fixed releases and the public advisory will be published on ${when.text}.`, '');
  return lines.join('\n');
}
