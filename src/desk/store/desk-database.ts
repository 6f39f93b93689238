import type { Generated } from 'kysely';

// Rows of the desk tables as Kysely sees them, the same on SQLite and PostgreSQL: instants are
// ISO 8601 UTC text and structured values JSON text, so both databases store, compare and sort
// them alike. Enumerated values (states, actor kinds) are text, checked when read back.

/** Who did something, as three columns (see `Actor`). */
export interface ActorColumns {
  /** `team`, `reporter` or `system`. */
  actor_kind: string;
  actor_id: string;
  /** The team member's role; null for reporters and the system. */
  actor_role: string | null;
}

/** `reports`: one private vulnerability report. */
export interface ReportsTable {
  id: Generated<number>;
  state: string;
  received_at: string;
  /** Not embargoed: the inbox shows it. */
  title: string;
  reporter_name: string;
  reporter_email: string;
  reporter_organisation: string | null;
  /** `named` or `anonymous`. */
  credit_mode: string;
  credit_name: string | null;
  // Embargoed details of the submission, one column each.
  description: string;
  steps_to_reproduce: string;
  impact: string;
  attack_surface: string;
  related_projects: string;
  affected_versions: string;
  /** Hash of the reporter's secret tracking-link token; unique. */
  tracking_token_hash: string | null;
  /** The `Assessment` as JSON. */
  assessment: string | null;
  /** The assessment's level, kept apart so the inbox never reads the (embargoed) assessment. */
  severity: string | null;
  rejection_reason: string | null;
  disclosure_at: string | null;
}

/** `fixes`: the fix of one release series of a report; one per (report, series). */
export interface FixesTable {
  id: Generated<number>;
  report_id: number;
  series: string;
  fixed_in: string | null;
  patch: string;
}

/** `transitions`: the lifecycle moves of a report, in the order they were made. */
export interface TransitionsTable extends ActorColumns {
  id: Generated<number>;
  report_id: number;
  from_state: string;
  to_state: string;
  at: string;
  note: string;
  override: string | null;
}

/** `messages`: between the reporter and the team, kept on the report. */
export interface MessagesTable extends ActorColumns {
  id: Generated<number>;
  report_id: number;
  at: string;
  body: string;
}

/** `notify_entries`: the vetted pre-notification list. */
export interface NotifyEntriesTable {
  id: Generated<number>;
  organisation: string;
  notify_group: string;
  contact: string;
  key_id: string | null;
  approved_by: string;
  approved_on: string;
  review_on: string;
}

/** `join_requests`: requests to join the notification list and the team's decision. */
export interface JoinRequestsTable {
  id: Generated<number>;
  organisation: string;
  notify_group: string;
  contact: string;
  key_id: string | null;
  justification: string;
  url: string;
  requested_at: string;
  /** `approved` or `declined`; null while pending. */
  decision_outcome: string | null;
  decision_reason: string | null;
  decided_by: string | null;
  decided_at: string | null;
}

/** `audit_log`: append-only (database triggers refuse UPDATE and DELETE), a hash chain. */
export interface AuditLogTable extends ActorColumns {
  /** Given by the store under the chain head's lock (the head's `last_id` + 1), never by the database. */
  id: number;
  at: string;
  action: string;
  subject: string;
  /** The detail object as JSON. */
  detail: string;
  /** SHA-256 over the previous line's hash and this line's fields (see `audit-chain.ts`). */
  hash: string | null;
}

/** `audit_chain_head`: one row (id 1), the newest audit line and its hash; locked by every append. */
export interface AuditChainHeadTable {
  id: number;
  last_id: number;
  last_hash: string;
}

/** `tracking_views`: how often a reporter's tracking page was shown, per report. */
export interface TrackingViewsTable {
  report_id: number;
  views: number;
  /** The last day it was shown, `YYYY-MM-DD` in the desk calendar's zone. */
  last_viewed_on: string;
}

/** `attachments`: files a reporter sent with a report (embargoed like the report's details). */
export interface AttachmentsTable {
  id: Generated<number>;
  report_id: number;
  /** The name the reporter's browser sent; shown to the team, never used as a path. */
  filename: string;
  /** The type detected from the content, not the declared one. */
  content_type: string;
  size: number;
  /** SHA-256 of the content, hex. */
  sha256: string;
  /** The content: `blob` on SQLite, `bytea` on PostgreSQL. */
  data: Buffer;
  added_at: string;
}

/** Every desk table, for `Kysely<DeskDatabase>`. */
export interface DeskDatabase {
  reports: ReportsTable;
  fixes: FixesTable;
  transitions: TransitionsTable;
  messages: MessagesTable;
  notify_entries: NotifyEntriesTable;
  join_requests: JoinRequestsTable;
  audit_log: AuditLogTable;
  audit_chain_head: AuditChainHeadTable;
  tracking_views: TrackingViewsTable;
  attachments: AttachmentsTable;
}
