import { DeskRuleError } from '../../core/errors.js';
import type { DeskConfig } from '../config/desk-config.js';
import { SEVERITY_LEVELS, type DeskReport, type SeverityLevel } from '../types.js';
import { describeDisclosureTime } from './disclosure-time.js';
import { escapeInline } from './markdown-text.js';
import { joinWords, SEVERITY_LABELS } from './report-parts.js';

/**
 * Everything the public pre-announcement may say, and nothing more. The renderer sees only this
 * object, built field by field from the reports and the configuration, so no detail of a flaw
 * (title, description, impact, CWE, CVSS vector or score, affected series, patches, reporter) can
 * reach the public text unless someone adds it here on purpose.
 */
export interface PreAnnouncementFacts {
  /** The project's name, from the configuration. */
  readonly project: string;
  /** The team's security contact, from the configuration. */
  readonly securityContact: string;
  /** When the releases and advisories go public (ISO 8601, UTC). */
  readonly disclosureAt: string;
  /** The desk calendar's IANA time zone, in which the time is also given. */
  readonly timeZone: string;
  /** The severity level of each issue, highest first (their number is the number of issues). */
  readonly levels: readonly SeverityLevel[];
  /**
   * The lines the project supports on the disclosure date (main branch and release series), which
   * are public anyway; never the series a flaw affects. Absent: the text says "every supported
   * release series" without naming them.
   */
  readonly supportedLines?: readonly string[];
}

/**
 * Projects one report, or the reports released together, onto what a pre-announcement may say.
 * Each report must be accepted (it has a level) and scheduled; reports released together must
 * share one disclosure time.
 */
export function preAnnouncementFacts(
  reports: DeskReport | readonly DeskReport[],
  config: DeskConfig,
  supportedLines?: readonly string[],
): PreAnnouncementFacts {
  const list: readonly DeskReport[] = isReportList(reports) ? reports : [reports];
  const first = list[0];
  if (first === undefined) throw new DeskRuleError('a pre-announcement needs at least one report');
  const levels: SeverityLevel[] = [];
  let disclosureAt: string | undefined;
  for (const report of list) {
    const level = report.assessment?.severity;
    if (level === undefined) throw new DeskRuleError(`report ${report.id} is not accepted yet; the pre-announcement needs its severity level`);
    if (report.disclosureAt === undefined) {
      throw new DeskRuleError(`report ${report.id} has no disclosure date yet; schedule the disclosure before writing the pre-announcement`);
    }
    if (disclosureAt !== undefined && Date.parse(disclosureAt) !== Date.parse(report.disclosureAt)) {
      throw new DeskRuleError(`reports ${first.id} and ${report.id} are disclosed at different times; pre-announce them separately`);
    }
    disclosureAt = report.disclosureAt;
    levels.push(level);
  }
  if (disclosureAt === undefined) throw new DeskRuleError('a pre-announcement needs a disclosure time');
  levels.sort((a, b) => SEVERITY_LEVELS.indexOf(a) - SEVERITY_LEVELS.indexOf(b));
  return {
    project: config.project.name,
    securityContact: config.project.contacts.security,
    disclosureAt,
    timeZone: config.calendar.timeZone,
    levels,
    ...(supportedLines === undefined ? {} : { supportedLines: [...supportedLines] }),
  };
}

function isReportList(reports: DeskReport | readonly DeskReport[]): reports is readonly DeskReport[] {
  return Array.isArray(reports);
}

const NUMBER_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

function count(n: number): string {
  return NUMBER_WORDS[n] ?? String(n);
}

/** `one security issue of High severity`, `three security issues: one of High severity and two of Moderate severity`. */
function issuesText(levels: readonly SeverityLevel[]): string {
  const groups = SEVERITY_LEVELS.map((level) => ({ level, n: levels.filter((other) => other === level).length })).filter((group) => group.n > 0);
  const only = groups.length === 1 ? groups[0] : undefined;
  const issues = `${count(levels.length)} security issue${levels.length === 1 ? '' : 's'}`;
  if (only !== undefined) {
    return levels.length === 1 ? `${issues} of ${SEVERITY_LABELS[only.level]} severity` : `${issues}, all of ${SEVERITY_LABELS[only.level]} severity`;
  }
  return `${issues}: ${joinWords(groups.map((group) => `${count(group.n)} of ${SEVERITY_LABELS[group.level]} severity`))}`;
}

/** The public pre-announcement (Markdown that reads as plain text) from its facts alone. */
export function renderPreAnnouncementFacts(facts: PreAnnouncementFacts): string {
  const project = escapeInline(facts.project);
  const when = describeDisclosureTime(facts.disclosureAt, facts.timeZone);
  const lines = facts.supportedLines?.map(escapeInline);
  const series =
    lines === undefined || lines.length === 0
      ? 'every supported release series'
      : `the supported ${lines.length === 1 ? 'line' : 'lines'}: ${joinWords(lines)}`;
  return [
    `# ${project}: security releases on ${when.date}`,
    '',
    `The ${project} team will publish security releases on ${when.text}.`,
    '',
    `These releases will fix ${issuesText(facts.levels)}.`,
    `Patches will be released for ${series}.`,
    '',
    'Details of the issues will be published with the releases, not before. Until then we cannot say more about them;',
    `please do not ask. Questions about this announcement: ${escapeInline(facts.securityContact)}.`,
    '',
  ].join('\n');
}

/**
 * The public pre-announcement of one report, or of reports released together: project, date and
 * time (UTC and the desk calendar's zone), the number of issues and their severity levels, and
 * that patches will be released for the supported series. Never a detail of a flaw: see
 * `PreAnnouncementFacts`.
 */
export function renderPreAnnouncement(
  reports: DeskReport | readonly DeskReport[],
  config: DeskConfig,
  supportedLines?: readonly string[],
): string {
  return renderPreAnnouncementFacts(preAnnouncementFacts(reports, config, supportedLines));
}
