import { DateTime } from 'luxon';
import { scoreCvss } from '../advisories/severity.js';
import { DeskRuleError } from '../core/errors.js';
import type { DeskConfig, SlaDuration } from './config/desk-config.js';
import { addSlaDuration, calendarDate } from './sla/business-time.js';
import { supportedLines } from './supported-versions.js';
import type { TransitionChanges } from './store/desk-store.js';
import { SEVERITY_LEVELS, type Actor, type Assessment, type DeskReport, type ReportState, type SeriesFix, type SeverityLevel } from './types.js';

/** What a team member asks the desk to do with a report. */
export type LifecycleAction =
  | { readonly kind: 'acknowledge' }
  | { readonly kind: 'triage' }
  | { readonly kind: 'accept'; readonly assessment: AssessmentInput }
  | { readonly kind: 'reject'; readonly reason: string }
  | { readonly kind: 'start-fix' }
  | { readonly kind: 'schedule-disclosure'; readonly at: string }
  | { readonly kind: 'pre-notify'; readonly override?: string }
  | { readonly kind: 'disclose'; readonly override?: string };

export type LifecycleActionKind = LifecycleAction['kind'];

/** The assessment as a team member enters it; the desk scores the vector and fills the package. */
export interface AssessmentInput {
  readonly severity: SeverityLevel;
  readonly cvssVector: string;
  readonly cwes: readonly string[];
  readonly affectedSeries: readonly string[];
  readonly summary: string;
  readonly package?: { readonly ecosystem: string; readonly name: string };
  readonly introduced?: string;
  readonly cve?: string;
}

/** The allowed moves: from which states each action starts, and where it leads. */
export const TRANSITIONS = {
  acknowledge: { from: ['received'], to: 'acknowledged' },
  triage: { from: ['acknowledged'], to: 'triaged' },
  accept: { from: ['triaged'], to: 'accepted' },
  reject: { from: ['triaged'], to: 'rejected' },
  'start-fix': { from: ['accepted'], to: 'fix-in-progress' },
  // A date may be moved until the notification list has been told it.
  'schedule-disclosure': { from: ['fix-in-progress', 'disclosure-scheduled'], to: 'disclosure-scheduled' },
  'pre-notify': { from: ['disclosure-scheduled'], to: 'pre-notified' },
  disclose: { from: ['pre-notified'], to: 'disclosed' },
} as const satisfies Record<LifecycleActionKind, { from: readonly ReportState[]; to: ReportState }>;

/** States in which fixes may be recorded: after acceptance, before disclosure. */
export const FIX_STATES: readonly ReportState[] = ['accepted', 'fix-in-progress', 'disclosure-scheduled', 'pre-notified'];

/** A rejection must explain itself to the reporter; a few words are not an explanation. */
export const MIN_REJECTION_REASON = 40;

/** The outcome of a checked action: the state it leads to and what it records. */
export interface PlannedTransition {
  readonly to: ReportState;
  readonly changes: TransitionChanges;
  readonly override?: string;
}

/** Everything a rule may need besides the report and the action. */
export interface LifecycleContext {
  readonly config: DeskConfig;
  readonly actor: Actor;
  readonly now: Date;
  readonly note: string;
}

/** Whether an actor may change a report (observers and reporters may not). */
export function canChangeReports(actor: Actor): boolean {
  return actor.kind === 'system' || (actor.kind === 'team' && (actor.role === 'admin' || actor.role === 'responder'));
}

/**
 * Checks an action against every rule and says what it does, or throws a DeskRuleError naming the
 * rule. Pure: the caller stores the result.
 */
export function planTransition(report: DeskReport, action: LifecycleAction, context: LifecycleContext): PlannedTransition {
  if (!canChangeReports(context.actor)) {
    throw new DeskRuleError(`${describeActor(context.actor)} may not change reports (responders and admins may)`);
  }
  const rule = TRANSITIONS[action.kind];
  if (!(rule.from as readonly ReportState[]).includes(report.state)) {
    throw new DeskRuleError(
      `report ${report.id} is ${report.state}; "${action.kind}" is allowed only from ${rule.from.join(' or ')}`,
    );
  }
  if (context.note.trim() === '') throw new DeskRuleError(`"${action.kind}" needs a note saying why`);
  switch (action.kind) {
    case 'accept':
      return { to: rule.to, changes: { assessment: checkAssessment(action.assessment, context.config) } };
    case 'reject': {
      const reason = action.reason.trim();
      if (reason.length < MIN_REJECTION_REASON) {
        throw new DeskRuleError(
          `a rejection needs a detailed reason for the reporter (at least ${MIN_REJECTION_REASON} characters; got ${reason.length})`,
        );
      }
      return { to: rule.to, changes: { rejectionReason: reason } };
    }
    case 'schedule-disclosure': {
      const at = parseInstant(action.at, 'disclosure date');
      if (at.getTime() <= context.now.getTime()) throw new DeskRuleError(`the disclosure date ${action.at} is not in the future`);
      return { to: rule.to, changes: { disclosureAt: at.toISOString() } };
    }
    case 'pre-notify': {
      const disclosureAt = requireDisclosureDate(report);
      const latest = latestPreNotification(disclosureAt, context.config);
      const override = action.override?.trim();
      if (context.now.getTime() > latest.getTime() && !override) {
        throw new DeskRuleError(
          `pre-notification is due ${context.config.prenotification.leadTime.text} before disclosure (by ${latest.toISOString()}); ` +
            'record an override with the reason to notify later',
        );
      }
      return { to: rule.to, changes: {}, ...(override ? { override } : {}) };
    }
    case 'disclose': {
      const missing = seriesWithoutFix(report, context.config, context.now);
      if (missing.length > 0) {
        throw new DeskRuleError(`no disclosure without a fix for every affected supported series: missing ${missing.join(', ')}`);
      }
      const disclosureAt = requireDisclosureDate(report);
      const override = action.override?.trim();
      if (context.now.getTime() < disclosureAt.getTime() && !override) {
        throw new DeskRuleError(
          `the embargo lasts until ${disclosureAt.toISOString()}; record an override with the reason to disclose early`,
        );
      }
      return { to: rule.to, changes: {}, ...(override ? { override } : {}) };
    }
    case 'acknowledge':
    case 'triage':
    case 'start-fix':
      return { to: rule.to, changes: {} };
  }
}

/** The latest instant the notification list may be told, given the lead time. */
export function latestPreNotification(disclosureAt: Date, config: DeskConfig): Date {
  return subtractDuration(disclosureAt, config.prenotification.leadTime, config);
}

/** Affected series supported on the day (in the calendar zone) that have no recorded fix. */
export function seriesWithoutFix(report: DeskReport, config: DeskConfig, now: Date): string[] {
  const affected = new Set(report.assessment?.affectedSeries ?? []);
  const today = calendarDate(now, config.calendar);
  const fixed = new Set(report.fixes.map((fix) => fix.series));
  return supportedLines(config, today)
    .filter((line) => affected.has(line.name) && !fixed.has(line.name))
    .map((line) => line.name);
}

/** Checks a fix before it is recorded. */
export function checkFix(report: DeskReport, fix: SeriesFix, actor: Actor, config: DeskConfig): SeriesFix {
  if (!canChangeReports(actor)) throw new DeskRuleError(`${describeActor(actor)} may not record fixes`);
  if (!FIX_STATES.includes(report.state)) {
    throw new DeskRuleError(`report ${report.id} is ${report.state}; fixes are recorded between acceptance and disclosure`);
  }
  const affected = report.assessment?.affectedSeries ?? [];
  if (!affected.includes(fix.series)) {
    throw new DeskRuleError(`series "${fix.series}" is not among the affected series of report ${report.id} (${affected.join(', ')})`);
  }
  if (fix.patch.trim() === '') throw new DeskRuleError('a fix needs a patch reference (commit, URL or patch file)');
  const isMain = fix.series === config.project.mainBranch;
  if (!isMain && fix.fixedIn === undefined) throw new DeskRuleError(`a fix for series ${fix.series} needs the release that carries it`);
  if (!isMain && fix.fixedIn !== undefined && !fix.fixedIn.startsWith(`${fix.series}.`)) {
    throw new DeskRuleError(`release ${fix.fixedIn} is not in series ${fix.series}`);
  }
  return { series: fix.series, patch: fix.patch.trim(), ...(fix.fixedIn === undefined ? {} : { fixedIn: fix.fixedIn }) };
}

function checkAssessment(input: AssessmentInput, config: DeskConfig): Assessment {
  if (!(SEVERITY_LEVELS as readonly string[]).includes(input.severity)) {
    throw new DeskRuleError(`severity must be one of ${SEVERITY_LEVELS.join(', ')}`);
  }
  const cvss = scoreCvss(input.cvssVector);
  if (!cvss || (cvss.version !== '3.1' && cvss.version !== '4.0')) {
    throw new DeskRuleError(`"${input.cvssVector}" is not a complete CVSS v3.1 or v4.0 base vector`);
  }
  if (input.cwes.length === 0) throw new DeskRuleError('an accepted report needs at least one CWE id');
  const badCwe = input.cwes.find((cwe) => !/^CWE-\d+$/.test(cwe));
  if (badCwe !== undefined) throw new DeskRuleError(`"${badCwe}" is not a CWE id such as CWE-79`);
  if (input.affectedSeries.length === 0) throw new DeskRuleError('an accepted report needs the series it affects');
  const known = new Set([config.project.mainBranch, ...config.series.map((series) => series.name)]);
  const unknown = input.affectedSeries.find((series) => !known.has(series));
  if (unknown !== undefined) throw new DeskRuleError(`"${unknown}" is not a release series of the configuration (${[...known].join(', ')})`);
  if (input.summary.trim() === '') throw new DeskRuleError('an accepted report needs a one-line public summary');
  if (input.cve !== undefined && !/^CVE-\d{4}-\d{4,}$/.test(input.cve)) throw new DeskRuleError(`"${input.cve}" is not a CVE id`);
  return {
    severity: input.severity,
    cvss: { version: cvss.version, vector: cvss.vector, score: cvss.score },
    cwes: [...new Set(input.cwes)],
    affectedSeries: [...new Set(input.affectedSeries)],
    package: input.package ?? config.project.package,
    ...(input.introduced === undefined ? {} : { introduced: input.introduced }),
    summary: input.summary.trim(),
    ...(input.cve === undefined ? {} : { cve: input.cve }),
  };
}

/** The level a report's CWEs suggest under the configured mapping: the highest one, if any maps. */
export function suggestSeverity(cwes: readonly string[], config: DeskConfig): SeverityLevel | undefined {
  const levels = cwes.map((cwe) => config.severity.cwe[cwe]).filter((level): level is SeverityLevel => level !== undefined);
  return SEVERITY_LEVELS.find((level) => levels.includes(level));
}

function requireDisclosureDate(report: DeskReport): Date {
  if (report.disclosureAt === undefined) throw new DeskRuleError(`report ${report.id} has no disclosure date`);
  return new Date(report.disclosureAt);
}

function parseInstant(text: string, what: string): Date {
  const at = DateTime.fromISO(text, { setZone: true });
  if (!at.isValid || !/(Z|[+-]\d{2}:?\d{2})$/.test(text.trim())) {
    throw new DeskRuleError(`the ${what} "${text}" is not an ISO 8601 date-time with a time zone (e.g. 2026-12-01T14:00:00Z)`);
  }
  return at.toJSDate();
}

/** `end` minus a duration: for business units, the latest start whose deadline is not after `end`. */
function subtractDuration(end: Date, duration: SlaDuration, config: DeskConfig): Date {
  const zoned = DateTime.fromJSDate(end, { zone: config.calendar.timeZone });
  if (duration.unit === 'hours') return zoned.minus({ hours: duration.amount }).toJSDate();
  if (duration.unit === 'days') return zoned.minus({ days: duration.amount }).toJSDate();
  // Business time has no inverse; step back an hour at a time (a lead time is days, so this is short).
  let candidate = zoned.minus({ hours: duration.amount * (duration.unit === 'business-days' ? 24 : 1) });
  while (addSlaDuration(candidate.toJSDate(), duration, config.calendar).getTime() > end.getTime()) {
    candidate = candidate.minus({ hours: 1 });
  }
  return candidate.toJSDate();
}

function describeActor(actor: Actor): string {
  if (actor.kind === 'team') return `${actor.id} (${actor.role ?? 'no role'})`;
  return `the ${actor.kind}`;
}
