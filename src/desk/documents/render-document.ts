import { DeskRuleError } from '../../core/errors.js';
import type { DeskConfig } from '../config/desk-config.js';
import { backportMatrix, supportedLines } from '../supported-versions.js';
import type { DeskReport } from '../types.js';
import { renderAdvisoryMarkdown } from './advisory-markdown.js';
import { renderAnnouncement } from './announcement.js';
import { renderDisclosureChecklist } from './disclosure-checklist.js';
import { advisoryIdAtDisclosure, buildOsvAdvisory } from './osv-advisory.js';
import { renderPreAnnouncement } from './pre-announcement.js';
import { renderPrivateNotification } from './private-notification.js';

/** The documents the desk writes from a report. */
export const DESK_DOCUMENT_KINDS = ['pre-announcement', 'private-notification', 'osv', 'advisory', 'announcement', 'checklist'] as const;
export type DeskDocumentKind = (typeof DESK_DOCUMENT_KINDS)[number];

/** The states from which each document can be written: what it needs must be recorded by then. */
const NEEDS: Readonly<Record<DeskDocumentKind, 'assessment' | 'disclosure-date'>> = {
  'pre-announcement': 'disclosure-date',
  'private-notification': 'disclosure-date',
  osv: 'assessment',
  advisory: 'assessment',
  announcement: 'disclosure-date',
  checklist: 'disclosure-date',
};

/** Renders one document of a report as text (the OSV record as indented JSON). */
export function renderDeskDocument(
  kind: DeskDocumentKind,
  report: DeskReport,
  config: DeskConfig,
  when: { readonly now: Date; readonly today: string },
): string {
  if (!report.assessment) throw new DeskRuleError(`report ${report.id} is not accepted yet; the ${kind} needs its assessment`);
  if (NEEDS[kind] === 'disclosure-date' && report.disclosureAt === undefined) {
    throw new DeskRuleError(`report ${report.id} has no disclosure date yet; schedule the disclosure before writing the ${kind}`);
  }
  const matrix = backportMatrix(report, config, when.today);
  const advisoryId = advisoryIdAtDisclosure(report, config, report.disclosureAt ?? when.now.toISOString());
  switch (kind) {
    case 'pre-announcement':
      return renderPreAnnouncement(report, config, supportedLines(config, when.today).map((line) => line.name));
    case 'private-notification':
      return renderPrivateNotification(report, config, matrix);
    case 'osv': {
      const record = buildOsvAdvisory(report, config, {
        id: advisoryId,
        published: report.disclosureAt ?? when.now.toISOString(),
        modified: when.now.toISOString(),
        matrix,
      });
      return `${JSON.stringify(record, null, 2)}\n`;
    }
    case 'advisory':
      return renderAdvisoryMarkdown(report, config, matrix);
    case 'announcement':
      return renderAnnouncement(report, config, matrix, { advisoryId });
    case 'checklist':
      return renderDisclosureChecklist(report, config, matrix, { advisoryId });
  }
}
