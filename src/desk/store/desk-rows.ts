import type { Selectable } from 'kysely';
import { InternalError } from '../../core/errors.js';
import {
  type Actor,
  type Assessment,
  type AuditEvent,
  type DeskReport,
  type JoinRequest,
  NOTIFY_GROUPS,
  type NotifyEntry,
  REPORT_STATES,
  ROLES,
  type ReportMessage,
  type ReportState,
  type ReportSubmission,
  SEVERITY_LEVELS,
  type SeriesFix,
  type SeverityLevel,
  type Transition,
} from '../types.js';
import type {
  ActorColumns,
  AuditLogTable,
  FixesTable,
  JoinRequestsTable,
  MessagesTable,
  NotifyEntriesTable,
  ReportsTable,
  TransitionsTable,
} from './desk-database.js';

// Between rows and the desk's plain data. Optional fields are left out (not set to undefined)
// when their column is null, so a value read back equals the value written. Text columns holding
// a closed set of values are checked: a value this vigil does not know is an error, never guessed.

const ACTOR_KINDS = ['team', 'reporter', 'system'] as const;
const CREDIT_MODES = ['named', 'anonymous'] as const;
const DECISION_OUTCOMES = ['approved', 'declined'] as const;

function oneOf<T extends string>(values: readonly T[], text: string, what: string): T {
  const found = values.find((value) => value === text);
  if (found === undefined) throw new InternalError(`the desk database holds an unknown ${what} "${text}"`);
  return found;
}

function present<V>(value: V | null, what: string): V {
  if (value === null) throw new InternalError(`the desk database lacks the ${what}`);
  return value;
}

/** `{key: value}` when the column has a value, `{}` when it is null. */
function optional<K extends string, V>(key: K, value: V | null): { [P in K]?: V } {
  return value === null ? {} : ({ [key]: value } as { [P in K]?: V });
}

/** Reads a report state column. */
export function readState(text: string): ReportState {
  return oneOf(REPORT_STATES, text, 'report state');
}

/** Reads a severity column. */
export function readSeverity(text: string): SeverityLevel {
  return oneOf(SEVERITY_LEVELS, text, 'severity level');
}

/** The actor columns of a row. */
export function actorColumns(actor: Actor): ActorColumns {
  return { actor_kind: actor.kind, actor_id: actor.id, actor_role: actor.role ?? null };
}

/** The actor of a row. */
export function readActor(row: ActorColumns): Actor {
  return {
    kind: oneOf(ACTOR_KINDS, row.actor_kind, 'actor kind'),
    id: row.actor_id,
    ...optional('role', row.actor_role === null ? null : oneOf(ROLES, row.actor_role, 'role')),
  };
}

/** The columns of a report that hold its submission. */
export type SubmissionColumns = Pick<
  ReportsTable,
  | 'title'
  | 'reporter_name'
  | 'reporter_email'
  | 'reporter_organisation'
  | 'credit_mode'
  | 'credit_name'
  | 'description'
  | 'steps_to_reproduce'
  | 'impact'
  | 'attack_surface'
  | 'related_projects'
  | 'affected_versions'
>;

/** The columns of a new report that hold its submission. */
export function submissionColumns(submission: ReportSubmission): SubmissionColumns {
  const { reporter } = submission;
  return {
    title: submission.title,
    reporter_name: reporter.name,
    reporter_email: reporter.email,
    reporter_organisation: reporter.organisation ?? null,
    credit_mode: reporter.credit.mode,
    credit_name: reporter.credit.name ?? null,
    description: submission.description,
    steps_to_reproduce: submission.stepsToReproduce,
    impact: submission.impact,
    attack_surface: submission.attackSurface,
    related_projects: submission.relatedProjects,
    affected_versions: submission.affectedVersions,
  };
}

/** What `readReport` needs beside the report row. */
export interface ReportChildren {
  readonly fixes: readonly Selectable<FixesTable>[];
  readonly transitions: readonly Selectable<TransitionsTable>[];
  readonly messages: readonly Selectable<MessagesTable>[];
}

/** A whole report from its row and the rows recorded on it (each in id order). */
export function readReport(row: Selectable<ReportsTable>, children: ReportChildren): DeskReport {
  return {
    id: row.id,
    state: readState(row.state),
    receivedAt: row.received_at,
    submission: {
      title: row.title,
      reporter: {
        name: row.reporter_name,
        email: row.reporter_email,
        ...optional('organisation', row.reporter_organisation),
        credit: { mode: oneOf(CREDIT_MODES, row.credit_mode, 'credit mode'), ...optional('name', row.credit_name) },
      },
      description: row.description,
      stepsToReproduce: row.steps_to_reproduce,
      impact: row.impact,
      attackSurface: row.attack_surface,
      relatedProjects: row.related_projects,
      affectedVersions: row.affected_versions,
    },
    ...optional('assessment', row.assessment === null ? null : (JSON.parse(row.assessment) as Assessment)),
    ...optional('rejectionReason', row.rejection_reason),
    fixes: children.fixes.map(readFix),
    ...optional('disclosureAt', row.disclosure_at),
    transitions: children.transitions.map(readTransition),
    messages: children.messages.map(readMessage),
  };
}

function readFix(row: Selectable<FixesTable>): SeriesFix {
  return { series: row.series, ...optional('fixedIn', row.fixed_in), patch: row.patch };
}

function readTransition(row: Selectable<TransitionsTable>): Transition {
  return {
    from: readState(row.from_state),
    to: readState(row.to_state),
    actor: readActor(row),
    at: row.at,
    note: row.note,
    ...optional('override', row.override),
  };
}

/** A message from its row. */
export function readMessage(row: Selectable<MessagesTable>): ReportMessage {
  return { id: row.id, author: readActor(row), at: row.at, body: row.body };
}

/** A notification-list entry from its row. */
export function readNotifyEntry(row: Selectable<NotifyEntriesTable>): NotifyEntry {
  return {
    id: row.id,
    organisation: row.organisation,
    group: oneOf(NOTIFY_GROUPS, row.notify_group, 'notification group'),
    contact: row.contact,
    ...optional('keyId', row.key_id),
    approvedBy: row.approved_by,
    approvedOn: row.approved_on,
    reviewOn: row.review_on,
  };
}

/** A join request from its row, with its decision once one is recorded. */
export function readJoinRequest(row: Selectable<JoinRequestsTable>): JoinRequest {
  const decided =
    row.decision_outcome === null
      ? {}
      : {
          decision: {
            outcome: oneOf(DECISION_OUTCOMES, row.decision_outcome, 'join decision'),
            reason: present(row.decision_reason, 'join decision reason'),
            by: present(row.decided_by, 'join decision author'),
            at: present(row.decided_at, 'join decision time'),
          },
        };
  return {
    id: row.id,
    organisation: row.organisation,
    group: oneOf(NOTIFY_GROUPS, row.notify_group, 'notification group'),
    contact: row.contact,
    ...optional('keyId', row.key_id),
    justification: row.justification,
    url: row.url,
    requestedAt: row.requested_at,
    ...decided,
  };
}

/** An audit line from its row. */
export function readAuditEvent(row: Selectable<AuditLogTable>): AuditEvent {
  return {
    id: row.id,
    at: row.at,
    actor: readActor(row),
    action: row.action,
    subject: row.subject,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
  };
}
