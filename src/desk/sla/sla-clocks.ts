import { InternalError } from '../../core/errors.js';
import type { DeskConfig, SlaDuration } from '../config/desk-config.js';
import type { JoinRequest, ReportState, ReportSummary, SlaClock, SlaClockName } from '../types.js';
import { REPORT_STATES } from '../types.js';
import { addSlaDuration } from './business-time.js';

/** What a clock is made of, before its due date and status are worked out. */
export interface SlaClockInput {
  readonly name: SlaClockName;
  /** When the clock started (ISO 8601). */
  readonly startedAt: string;
  /** The configured target. */
  readonly target: SlaDuration;
  /** When the awaited step happened (ISO 8601); absent while the clock runs. */
  readonly doneAt?: string;
}

function instant(iso: string, what: string): Date {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) throw new InternalError(`${what} is not an ISO 8601 instant: "${iso}"`);
  return at;
}

/**
 * One clock with its due date (the target added to the start by `addSlaDuration`) and status:
 *
 * - done: `met` when it stopped at or before the due instant, else `missed`;
 * - running: `overdue` once `now` is past the due instant; `due-soon` when the due instant comes
 *   before `config.sla.dueSoon` has elapsed counting forward from `now`, in that duration's own
 *   unit and the desk calendar (so `24 hours` means 24 elapsed hours, `1 business day` means
 *   the rest of a business day); else `pending`. Counting forward from `now` rather than back
 *   from the due date keeps one definition of every unit: for hours it is exactly "now >= due -
 *   24 hours", and for business units it says "less than one business day of work is left".
 */
export function slaClock(input: SlaClockInput, config: DeskConfig, now: Date): SlaClock {
  const started = instant(input.startedAt, `${input.name} clock start`);
  const due = addSlaDuration(started, input.target, config.calendar);
  const base = { name: input.name, startedAt: started.toISOString(), dueAt: due.toISOString(), target: input.target.text };
  if (input.doneAt !== undefined) {
    const done = instant(input.doneAt, `${input.name} clock stop`);
    return { ...base, doneAt: done.toISOString(), status: done.getTime() <= due.getTime() ? 'met' : 'missed' };
  }
  if (now.getTime() > due.getTime()) return { ...base, status: 'overdue' };
  const soonUntil = addSlaDuration(now, config.sla.dueSoon, config.calendar);
  return { ...base, status: soonUntil.getTime() >= due.getTime() ? 'due-soon' : 'pending' };
}

/** The earliest time the report entered any of `states`; undefined when it entered none. */
function firstEntered(report: ReportSummary, states: readonly ReportState[]): string | undefined {
  let first: string | undefined;
  let firstMs = Infinity;
  for (const state of states) {
    const at = report.enteredAt[state];
    if (at === undefined) continue;
    const ms = instant(at, `report ${report.id} entered ${state}`).getTime();
    if (ms < firstMs) {
      first = at;
      firstMs = ms;
    }
  }
  return first;
}

/** Every state from `state` on in the lifecycle's order (`rejected` counts as after `triaged`). */
function statesFrom(state: ReportState): readonly ReportState[] {
  return REPORT_STATES.slice(REPORT_STATES.indexOf(state));
}

/**
 * The SLA clocks of a report, in the order `acknowledge`, `triage`, `fix`:
 *
 * - `acknowledge` runs from `receivedAt` until the report first left `received` (normally into
 *   `acknowledged`; a report moved straight on, e.g. rejected at once, was answered too);
 * - `triage` runs from `receivedAt` until the report first entered `triaged` or any later state
 *   (`accepted`, `rejected`, ...);
 * - `fix` exists only once the report was accepted: it runs from that time, with the target of
 *   the report's severity, until the report entered `disclosed`.
 *
 * An accepted report without a severity is a broken record and raises an `InternalError`.
 */
export function reportClocks(report: ReportSummary, config: DeskConfig, now: Date): SlaClock[] {
  const acknowledgedAt = firstEntered(report, statesFrom('acknowledged'));
  const triagedAt = firstEntered(report, statesFrom('triaged'));
  const clocks = [
    slaClock(
      { name: 'acknowledge', startedAt: report.receivedAt, target: config.sla.acknowledge, ...(acknowledgedAt === undefined ? {} : { doneAt: acknowledgedAt }) },
      config,
      now,
    ),
    slaClock(
      { name: 'triage', startedAt: report.receivedAt, target: config.sla.triage, ...(triagedAt === undefined ? {} : { doneAt: triagedAt }) },
      config,
      now,
    ),
  ];
  const acceptedAt = report.enteredAt.accepted;
  if (acceptedAt !== undefined) {
    if (report.severity === undefined) throw new InternalError(`report ${report.id} was accepted but has no severity`);
    const disclosedAt = report.enteredAt.disclosed;
    clocks.push(
      slaClock(
        { name: 'fix', startedAt: acceptedAt, target: config.sla.fix[report.severity], ...(disclosedAt === undefined ? {} : { doneAt: disclosedAt }) },
        config,
        now,
      ),
    );
  }
  return clocks;
}

/**
 * The `decision` clock of a request to join the notification list: from `requestedAt`, target
 * `config.notificationList.decisionWithin`, done when the team decided (either way).
 */
export function joinRequestClock(request: JoinRequest, config: DeskConfig, now: Date): SlaClock {
  return slaClock(
    {
      name: 'decision',
      startedAt: request.requestedAt,
      target: config.notificationList.decisionWithin,
      ...(request.decision === undefined ? {} : { doneAt: request.decision.at }),
    },
    config,
    now,
  );
}

// Rank of each status in the inbox: what needs action now comes first.
const STATUS_RANK: Readonly<Record<SlaClock['status'], number>> = {
  overdue: 0,
  'due-soon': 1,
  pending: 2,
  missed: 3,
  met: 4,
};

function ms(iso: string | undefined): number {
  return iso === undefined ? 0 : new Date(iso).getTime();
}

/**
 * Orders clocks for an inbox (negative when `a` is more urgent): overdue first, the most overdue
 * (earliest due) first; then due soon and then pending, each by due date; then finished clocks,
 * missed before met, the most recently finished first. Equal clocks compare as 0, so a stable
 * sort keeps their input order.
 */
export function compareUrgency(a: SlaClock, b: SlaClock): number {
  const byStatus = STATUS_RANK[a.status] - STATUS_RANK[b.status];
  if (byStatus !== 0) return byStatus;
  if (a.doneAt !== undefined || b.doneAt !== undefined) return ms(b.doneAt) - ms(a.doneAt);
  return ms(a.dueAt) - ms(b.dueAt);
}

/** The most urgent of a subject's clocks (by `compareUrgency`); undefined when there is none. */
export function mostUrgentClock(clocks: readonly SlaClock[]): SlaClock | undefined {
  return sortByUrgency(clocks)[0];
}

/**
 * A new array of clocks, or of items with clocks (`clockOf` picks each item's clock, e.g.
 * `(report) => mostUrgentClock(reportClocks(report, config, now))`), most urgent first by
 * `compareUrgency`. Items without a clock come last; ties keep their input order.
 */
export function sortByUrgency<T extends SlaClock>(items: readonly T[]): T[];
export function sortByUrgency<T>(items: readonly T[], clockOf: (item: T) => SlaClock | undefined): T[];
export function sortByUrgency<T>(items: readonly T[], clockOf?: (item: T) => SlaClock | undefined): T[] {
  // Without `clockOf` the first overload guarantees the items are clocks themselves.
  const pick = clockOf ?? ((item: T) => item as unknown as SlaClock);
  const keyed = items.map((item) => ({ item, clock: pick(item) }));
  keyed.sort((a, b) => {
    if (a.clock === undefined || b.clock === undefined) {
      return (a.clock === undefined ? 1 : 0) - (b.clock === undefined ? 1 : 0);
    }
    return compareUrgency(a.clock, b.clock);
  });
  return keyed.map(({ item }) => item);
}
