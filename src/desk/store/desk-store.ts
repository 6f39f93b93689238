import type { AuditChainVerification } from './audit-chain.js';
import type {
  Actor,
  Assessment,
  AuditEvent,
  CreditChoice,
  DeskReport,
  JoinRequest,
  NotifyEntry,
  ReportMessage,
  ReportSubmission,
  ReportSummary,
  SeriesFix,
  Transition,
} from '../types.js';

/** An audit log line before the store numbers it. */
export type AuditEventInput = Omit<AuditEvent, 'id'>;

/** An audit line with its chain hash (null only for a line written outside vigil). */
export interface ChainedAuditEvent extends AuditEvent {
  readonly hash: string | null;
}

/** The whole audit log, read in one snapshot, and what checking its hash chain found. */
export interface VerifiedAuditLog {
  /** Every line, oldest first. */
  readonly events: readonly ChainedAuditEvent[];
  readonly verification: AuditChainVerification;
}

/** How often a reporter's tracking page was shown. */
export interface TrackingViews {
  readonly views: number;
  /** The last day, `YYYY-MM-DD`. */
  readonly lastViewedOn: string;
}

/** Fields a transition may set on the report together with its state. */
export interface TransitionChanges {
  readonly assessment?: Assessment;
  readonly rejectionReason?: string;
  readonly disclosureAt?: string;
}

/** A new notification-list entry. */
export type NotifyEntryInput = Omit<NotifyEntry, 'id'>;
/** A new join request. */
export type JoinRequestInput = Omit<JoinRequest, 'id' | 'decision'>;

/** A file attached to a report, without its content. */
export interface AttachmentInfo {
  readonly id: number;
  readonly reportId: number;
  /** The file name the reporter's browser sent: shown to the team, never used as a path. */
  readonly filename: string;
  /** The type detected from the content (`image/png`, `text/plain`, ...), not the declared one. */
  readonly contentType: string;
  /** Size in bytes. */
  readonly size: number;
  /** SHA-256 of the content, hex. */
  readonly sha256: string;
  readonly addedAt: string;
}

/** An attachment with its content. */
export interface StoredAttachment extends AttachmentInfo {
  readonly data: Uint8Array;
}

/** A new attachment: the store numbers it and links it to the report. */
export type AttachmentInput = Omit<StoredAttachment, 'id' | 'reportId'>;

/**
 * Persistence of the desk: SQLite by default, PostgreSQL when configured, one schema and the same
 * behaviour on both. Rules (who may do what, allowed transitions) live in the desk service; the
 * store only keeps data consistent: every change is atomic, and the audit log is append-only.
 */
export interface DeskStore {
  /** `sqlite` or `postgres`. */
  readonly dialect: 'sqlite' | 'postgres';

  /** Runs `work` in one transaction: all its writes land together or none do. */
  transaction<T>(work: (store: DeskStore) => Promise<T>): Promise<T>;

  /** Stores a new report in state `received`; `trackingTokenHash` is the hash of the reporter's secret link token. */
  insertReport(input: { readonly submission: ReportSubmission; readonly receivedAt: string; readonly trackingTokenHash?: string }): Promise<DeskReport>;
  /** A report with its fixes, transitions and messages; undefined when there is none. */
  getReport(id: number): Promise<DeskReport | undefined>;
  /** The report whose tracking token hashes to `hash`. */
  findReportByTrackingHash(hash: string): Promise<number | undefined>;
  /** Every report, without embargoed details, newest first. */
  listReports(): Promise<ReportSummary[]>;
  /** How many reports there are. */
  countReports(): Promise<number>;
  /**
   * Moves a report from `transition.from` to `transition.to` and stores `changes`. Fails with a
   * `DeskConflictError` when the report is no longer in `transition.from` (another writer moved it).
   */
  applyTransition(id: number, transition: Transition, changes: TransitionChanges): Promise<void>;
  /** Records (or replaces) the fix of one series. */
  putFix(id: number, fix: SeriesFix): Promise<void>;
  /** Keeps a message on the report. */
  addMessage(id: number, author: Actor, at: string, body: string): Promise<ReportMessage>;
  /** Replaces how the reporter wants to be credited. Fails with `DeskNotFoundError` for an unknown report. */
  setCredit(id: number, credit: CreditChoice): Promise<void>;
  /** Keeps a file on the report. */
  addAttachment(id: number, attachment: AttachmentInput): Promise<AttachmentInfo>;
  /** The files of a report, without their content, in the order they were added. */
  listAttachments(id: number): Promise<AttachmentInfo[]>;
  /** One file of a report with its content; undefined unless that report has that attachment. */
  getAttachment(id: number, attachmentId: number): Promise<StoredAttachment | undefined>;

  listNotifyEntries(): Promise<NotifyEntry[]>;
  addNotifyEntry(entry: NotifyEntryInput): Promise<NotifyEntry>;
  /** Removes an entry; false when there was none. */
  removeNotifyEntry(id: number): Promise<boolean>;
  listJoinRequests(): Promise<JoinRequest[]>;
  addJoinRequest(request: JoinRequestInput): Promise<JoinRequest>;
  /** Records the decision on a pending request; fails with `DeskConflictError` if already decided. */
  decideJoinRequest(id: number, decision: NonNullable<JoinRequest['decision']>): Promise<void>;

  /**
   * Appends to the audit log, chained to the line before it (see `audit-chain.ts`). Appends are
   * serialised, across processes too, by the chain head's lock inside the write transaction
   * (joined when there is one), so concurrent writers never fork the chain. There is no way to
   * change or delete a line (the database refuses it too).
   */
  appendAudit(event: AuditEventInput): Promise<AuditEvent>;
  /** The audit log, oldest first, optionally from an id on (exclusive). */
  readAudit(afterId?: number): Promise<AuditEvent[]>;
  /** The whole audit log with its hashes, and whether its chain verifies, as of one snapshot. */
  readVerifiedAudit(): Promise<VerifiedAuditLog>;

  /** Counts one view of a report's tracking page on `day` (`YYYY-MM-DD`). */
  countTrackingView(id: number, day: string): Promise<void>;
  /** How often the report's tracking page was shown; undefined when never. */
  trackingViews(id: number): Promise<TrackingViews | undefined>;

  /** Releases the database; closing a closed store does nothing. */
  close(): Promise<void>;
}
