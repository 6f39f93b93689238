import type { Kysely, Updateable } from 'kysely';
import { DeskConflictError, DeskNotFoundError, InternalError } from '../../core/errors.js';
import type {
  Actor,
  AuditEvent,
  CreditChoice,
  DeskReport,
  JoinRequest,
  NotifyEntry,
  ReportMessage,
  ReportState,
  ReportSubmission,
  ReportSummary,
  SeriesFix,
  Transition,
} from '../types.js';
import type { DeskDatabase, ReportsTable } from './desk-database.js';
import type {
  AttachmentInfo,
  AttachmentInput,
  AuditEventInput,
  DeskStore,
  JoinRequestInput,
  NotifyEntryInput,
  StoredAttachment,
  TrackingViews,
  TransitionChanges,
  VerifiedAuditLog,
} from './desk-store.js';
import { auditLineHash, verifyAuditChain } from './audit-chain.js';
import {
  actorColumns,
  readAuditEvent,
  readJoinRequest,
  readMessage,
  readNotifyEntry,
  readReport,
  readSeverity,
  readState,
  submissionColumns,
} from './desk-rows.js';
import type { DeskDialect } from './migrations.js';

/**
 * The desk store over a Kysely database already migrated to the latest desk schema. `close()`
 * destroys `db`.
 */
export function createKyselyDeskStore(db: Kysely<DeskDatabase>, dialect: DeskDialect): DeskStore {
  return new KyselyDeskStore(db, dialect, false);
}

/**
 * The Kysely database under a store made by `createKyselyDeskStore`, for modules that keep tables
 * of their own in the desk database (the API tokens); undefined for any other store. For the store
 * handed to `transaction(work)`, it is that transaction.
 */
export function deskStoreDatabase(store: DeskStore): Kysely<DeskDatabase> | undefined {
  return KyselyDeskStore.databaseOf(store);
}

const ATTACHMENT_INFO_COLUMNS = ['id', 'report_id', 'filename', 'content_type', 'size', 'sha256', 'added_at'] as const;

function readAttachmentInfo(row: {
  id: number;
  report_id: number;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  added_at: string;
}): AttachmentInfo {
  return {
    id: row.id,
    reportId: row.report_id,
    filename: row.filename,
    contentType: row.content_type,
    size: row.size,
    sha256: row.sha256,
    addedAt: row.added_at,
  };
}

class KyselyDeskStore implements DeskStore {
  readonly dialect: DeskDialect;
  readonly #db: Kysely<DeskDatabase>;
  /** Whether `#db` is a transaction: then `transaction()` joins it instead of opening another. */
  readonly #inTransaction: boolean;
  #closed = false;

  constructor(db: Kysely<DeskDatabase>, dialect: DeskDialect, inTransaction: boolean) {
    this.#db = db;
    this.dialect = dialect;
    this.#inTransaction = inTransaction;
  }

  /** See `deskStoreDatabase`. */
  static databaseOf(store: DeskStore): Kysely<DeskDatabase> | undefined {
    return #db in store ? store.#db : undefined;
  }

  async transaction<T>(work: (store: DeskStore) => Promise<T>): Promise<T> {
    return this.#transaction(work);
  }

  /** `transaction()` typed with this class, so the work can reach private members. */
  async #transaction<T>(work: (store: KyselyDeskStore) => Promise<T>): Promise<T> {
    if (this.#inTransaction) return work(this);
    return this.#db.transaction().execute((trx) => work(new KyselyDeskStore(trx, this.dialect, true)));
  }

  /**
   * Runs reads that must see one state of the database (a report and its transitions as of one
   * commit), in a read-only transaction. On PostgreSQL the default isolation gives each statement
   * its own snapshot, so this asks for repeatable read; a SQLite transaction is one snapshot already.
   */
  async #snapshot<T>(read: (store: KyselyDeskStore) => Promise<T>): Promise<T> {
    if (this.#inTransaction) return read(this);
    const builder = this.#db.transaction().setAccessMode('read only');
    const isolated = this.dialect === 'postgres' ? builder.setIsolationLevel('repeatable read') : builder;
    return isolated.execute((trx) => read(new KyselyDeskStore(trx, this.dialect, true)));
  }

  async insertReport(input: {
    readonly submission: ReportSubmission;
    readonly receivedAt: string;
    readonly trackingTokenHash?: string;
  }): Promise<DeskReport> {
    const row = await this.#db
      .insertInto('reports')
      .values({
        state: 'received' satisfies ReportState,
        received_at: input.receivedAt,
        ...submissionColumns(input.submission),
        tracking_token_hash: input.trackingTokenHash ?? null,
        assessment: null,
        severity: null,
        rejection_reason: null,
        disclosure_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return {
      id: row.id,
      state: 'received',
      receivedAt: input.receivedAt,
      submission: input.submission,
      fixes: [],
      transitions: [],
      messages: [],
    };
  }

  async getReport(id: number): Promise<DeskReport | undefined> {
    return this.#snapshot(async (store) => {
      const db = store.#db;
      const row = await db.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirst();
      if (row === undefined) return undefined;
      const [fixes, transitions, messages] = await Promise.all([
        db.selectFrom('fixes').selectAll().where('report_id', '=', id).orderBy('id').execute(),
        db.selectFrom('transitions').selectAll().where('report_id', '=', id).orderBy('id').execute(),
        db.selectFrom('messages').selectAll().where('report_id', '=', id).orderBy('id').execute(),
      ]);
      return readReport(row, { fixes, transitions, messages });
    });
  }

  async findReportByTrackingHash(hash: string): Promise<number | undefined> {
    const row = await this.#db.selectFrom('reports').select('id').where('tracking_token_hash', '=', hash).executeTakeFirst();
    return row?.id;
  }

  async listReports(): Promise<ReportSummary[]> {
    return this.#snapshot(async (store) => {
      const db = store.#db;
      // Only the columns the inbox may show: no embargoed detail is even read.
      const reports = await db
        .selectFrom('reports')
        .select(['id', 'state', 'title', 'received_at', 'severity', 'disclosure_at'])
        .orderBy('received_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      const firstEntries = await db
        .selectFrom('transitions')
        .select((eb) => ['report_id', 'to_state', eb.fn.min<string>('at').as('at')])
        .groupBy(['report_id', 'to_state'])
        .execute();
      const enteredAt = new Map<number, Partial<Record<ReportState, string>>>();
      for (const entry of firstEntries) {
        const states = enteredAt.get(entry.report_id) ?? {};
        states[readState(entry.to_state)] = entry.at;
        enteredAt.set(entry.report_id, states);
      }
      return reports.map((row) => ({
        id: row.id,
        state: readState(row.state),
        title: row.title,
        receivedAt: row.received_at,
        ...(row.severity === null ? {} : { severity: readSeverity(row.severity) }),
        ...(row.disclosure_at === null ? {} : { disclosureAt: row.disclosure_at }),
        // The report entered `received` when it arrived, whatever a transition says later.
        enteredAt: { ...enteredAt.get(row.id), received: row.received_at },
      }));
    });
  }

  async countReports(): Promise<number> {
    const row = await this.#db
      .selectFrom('reports')
      .select((eb) => eb.fn.countAll().as('count'))
      .executeTakeFirstOrThrow();
    // PostgreSQL's count is a bigint, which pg hands over as a string.
    return Number(row.count);
  }

  async applyTransition(id: number, transition: Transition, changes: TransitionChanges): Promise<void> {
    await this.#transaction(async (store) => {
      const set: Updateable<ReportsTable> = { state: transition.to };
      if (changes.assessment !== undefined) {
        set.assessment = JSON.stringify(changes.assessment);
        set.severity = changes.assessment.severity;
      }
      if (changes.rejectionReason !== undefined) set.rejection_reason = changes.rejectionReason;
      if (changes.disclosureAt !== undefined) set.disclosure_at = changes.disclosureAt;
      // Optimistic: the update applies only if nobody moved the report since it was read. On
      // PostgreSQL a concurrent writer of the same row waits for the first to commit and then
      // re-checks the condition, so of two moves from one state exactly one applies.
      const result = await store.#db
        .updateTable('reports')
        .set(set)
        .where('id', '=', id)
        .where('state', '=', transition.from)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) {
        const current = await store.#db.selectFrom('reports').select('state').where('id', '=', id).executeTakeFirst();
        if (current === undefined) throw new DeskNotFoundError(`no report ${id}`);
        throw new DeskConflictError(
          `report ${id} is ${current.state}, no longer ${transition.from}: someone else moved it first`,
          { hint: 'show the report again and retry' },
        );
      }
      await store.#db
        .insertInto('transitions')
        .values({
          report_id: id,
          from_state: transition.from,
          to_state: transition.to,
          ...actorColumns(transition.actor),
          at: transition.at,
          note: transition.note,
          override: transition.override ?? null,
        })
        .execute();
    });
  }

  async putFix(id: number, fix: SeriesFix): Promise<void> {
    await this.#requireReport(id);
    await this.#db
      .insertInto('fixes')
      .values({ report_id: id, series: fix.series, fixed_in: fix.fixedIn ?? null, patch: fix.patch })
      .onConflict((conflict) =>
        conflict.columns(['report_id', 'series']).doUpdateSet((eb) => ({
          fixed_in: eb.ref('excluded.fixed_in'),
          patch: eb.ref('excluded.patch'),
        })),
      )
      .execute();
  }

  async addMessage(id: number, author: Actor, at: string, body: string): Promise<ReportMessage> {
    await this.#requireReport(id);
    const row = await this.#db
      .insertInto('messages')
      .values({ report_id: id, ...actorColumns(author), at, body })
      .returningAll()
      .executeTakeFirstOrThrow();
    return readMessage(row);
  }

  async setCredit(id: number, credit: CreditChoice): Promise<void> {
    const result = await this.#db
      .updateTable('reports')
      .set({ credit_mode: credit.mode, credit_name: credit.name ?? null })
      .where('id', '=', id)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw new DeskNotFoundError(`no report ${id}`);
  }

  async addAttachment(id: number, attachment: AttachmentInput): Promise<AttachmentInfo> {
    await this.#requireReport(id);
    const row = await this.#db
      .insertInto('attachments')
      .values({
        report_id: id,
        filename: attachment.filename,
        content_type: attachment.contentType,
        size: attachment.size,
        sha256: attachment.sha256,
        data: Buffer.from(attachment.data),
        added_at: attachment.addedAt,
      })
      .returning(ATTACHMENT_INFO_COLUMNS)
      .executeTakeFirstOrThrow();
    return readAttachmentInfo(row);
  }

  async listAttachments(id: number): Promise<AttachmentInfo[]> {
    // Without the content column: a list never loads the files.
    const rows = await this.#db.selectFrom('attachments').select(ATTACHMENT_INFO_COLUMNS).where('report_id', '=', id).orderBy('id').execute();
    return rows.map(readAttachmentInfo);
  }

  async getAttachment(id: number, attachmentId: number): Promise<StoredAttachment | undefined> {
    // Both ids: an attachment is reachable only through its own report.
    const row = await this.#db
      .selectFrom('attachments')
      .select([...ATTACHMENT_INFO_COLUMNS, 'data'])
      .where('id', '=', attachmentId)
      .where('report_id', '=', id)
      .executeTakeFirst();
    return row === undefined ? undefined : { ...readAttachmentInfo(row), data: new Uint8Array(row.data) };
  }

  /** Fails with `DeskNotFoundError` unless the report exists (reports are never deleted). */
  async #requireReport(id: number): Promise<void> {
    const row = await this.#db.selectFrom('reports').select('id').where('id', '=', id).executeTakeFirst();
    if (row === undefined) throw new DeskNotFoundError(`no report ${id}`);
  }

  async listNotifyEntries(): Promise<NotifyEntry[]> {
    const rows = await this.#db.selectFrom('notify_entries').selectAll().orderBy('id').execute();
    return rows.map(readNotifyEntry);
  }

  async addNotifyEntry(entry: NotifyEntryInput): Promise<NotifyEntry> {
    const row = await this.#db
      .insertInto('notify_entries')
      .values({
        organisation: entry.organisation,
        notify_group: entry.group,
        contact: entry.contact,
        key_id: entry.keyId ?? null,
        approved_by: entry.approvedBy,
        approved_on: entry.approvedOn,
        review_on: entry.reviewOn,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return readNotifyEntry(row);
  }

  async removeNotifyEntry(id: number): Promise<boolean> {
    const result = await this.#db.deleteFrom('notify_entries').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async listJoinRequests(): Promise<JoinRequest[]> {
    const rows = await this.#db.selectFrom('join_requests').selectAll().orderBy('id').execute();
    return rows.map(readJoinRequest);
  }

  async addJoinRequest(request: JoinRequestInput): Promise<JoinRequest> {
    const row = await this.#db
      .insertInto('join_requests')
      .values({
        organisation: request.organisation,
        notify_group: request.group,
        contact: request.contact,
        key_id: request.keyId ?? null,
        justification: request.justification,
        url: request.url,
        requested_at: request.requestedAt,
        decision_outcome: null,
        decision_reason: null,
        decided_by: null,
        decided_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return readJoinRequest(row);
  }

  async decideJoinRequest(id: number, decision: NonNullable<JoinRequest['decision']>): Promise<void> {
    await this.#transaction(async (store) => {
      // Like a transition: only a pending request takes a decision, so two deciders cannot both win.
      const result = await store.#db
        .updateTable('join_requests')
        .set({
          decision_outcome: decision.outcome,
          decision_reason: decision.reason,
          decided_by: decision.by,
          decided_at: decision.at,
        })
        .where('id', '=', id)
        .where('decision_outcome', 'is', null)
        .executeTakeFirst();
      if (result.numUpdatedRows > 0n) return;
      const current = await store.#db
        .selectFrom('join_requests')
        .select(['decision_outcome', 'decided_by'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (current === undefined) throw new DeskNotFoundError(`no join request ${id}`);
      const by = current.decided_by === null ? '' : ` by ${current.decided_by}`;
      throw new DeskConflictError(`join request ${id} is already ${current.decision_outcome ?? 'decided'}${by}`);
    });
  }

  async appendAudit(event: AuditEventInput): Promise<AuditEvent> {
    return this.#transaction(async (store) => {
      const db = store.#db;
      // The head's lock serialises appends: on PostgreSQL a row lock held to commit (a second
      // appender waits, then reads the head the first one wrote); on SQLite the write transaction
      // began immediate, so it holds the database's one write lock already.
      const headQuery = db.selectFrom('audit_chain_head').select(['last_id', 'last_hash']).where('id', '=', 1);
      const head = await (store.dialect === 'postgres' ? headQuery.forUpdate() : headQuery).executeTakeFirst();
      if (head === undefined) throw new InternalError('the desk database has no audit chain head (audit_chain_head is empty)');
      const fields = {
        id: head.last_id + 1,
        at: event.at,
        ...actorColumns(event.actor),
        action: event.action,
        subject: event.subject,
        detail: JSON.stringify(event.detail),
      };
      const hash = auditLineHash(head.last_hash, fields);
      const row = await db
        .insertInto('audit_log')
        .values({ ...fields, hash })
        .returningAll()
        .executeTakeFirstOrThrow();
      await db.updateTable('audit_chain_head').set({ last_id: fields.id, last_hash: hash }).where('id', '=', 1).execute();
      return readAuditEvent(row);
    });
  }

  async readAudit(afterId?: number): Promise<AuditEvent[]> {
    let query = this.#db.selectFrom('audit_log').selectAll().orderBy('id');
    if (afterId !== undefined) query = query.where('id', '>', afterId);
    const rows = await query.execute();
    return rows.map(readAuditEvent);
  }

  async readVerifiedAudit(): Promise<VerifiedAuditLog> {
    return this.#snapshot(async (store) => {
      const rows = await store.#db.selectFrom('audit_log').selectAll().orderBy('id').execute();
      const head = await store.#db.selectFrom('audit_chain_head').select(['last_id', 'last_hash']).where('id', '=', 1).executeTakeFirst();
            return {
        events: rows.map((row) => ({ ...readAuditEvent(row), hash: row.hash })),
        verification: verifyAuditChain(rows, head === undefined ? undefined : { lastId: head.last_id, lastHash: head.last_hash }),
      };
    });
  }

  async countTrackingView(id: number, day: string): Promise<void> {
    await this.#db
      .insertInto('tracking_views')
      .values({ report_id: id, views: 1, last_viewed_on: day })
      .onConflict((conflict) =>
        conflict.column('report_id').doUpdateSet((eb) => ({
          views: eb('tracking_views.views', '+', 1),
          last_viewed_on: eb.ref('excluded.last_viewed_on'),
        })),
      )
      .execute();
  }

  async trackingViews(id: number): Promise<TrackingViews | undefined> {
    const row = await this.#db.selectFrom('tracking_views').select(['views', 'last_viewed_on']).where('report_id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : { views: row.views, lastViewedOn: row.last_viewed_on };
  }

  async close(): Promise<void> {
    if (this.#inTransaction) throw new InternalError('close() called on a desk store bound to a transaction');
    // Idempotent, so that cleanup code may close a store that something else closed already.
    if (this.#closed) return;
    this.#closed = true;
    await this.#db.destroy();
  }
}
