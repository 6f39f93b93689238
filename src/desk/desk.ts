import { createHash, randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Clock } from '../core/clock.js';
import { DeskNotFoundError, DeskRuleError, UsageError } from '../core/errors.js';
import type { DeskConfig } from './config/desk-config.js';
import { hashSecret } from './secret-hash.js';
import { checkFix, planTransition, type LifecycleAction } from './lifecycle.js';
import { checkNotifyContact } from './notify-list.js';
import { calendarDate } from './sla/business-time.js';
import { joinRequestClock, mostUrgentClock, reportClocks, sortByUrgency } from './sla/sla-clocks.js';
import type { AuditChainVerification } from './store/audit-chain.js';
import type { AttachmentInfo, DeskStore, StoredAttachment, TrackingViews } from './store/desk-store.js';
import { checkSubmission } from './submission.js';
import { backportMatrix, supportedLines } from './supported-versions.js';
import { renderDeskDocument, type DeskDocumentKind } from './documents/render-document.js';
import type {
  Actor,
  BackportRow,
  CreditChoice,
  DeskReport,
  JoinRequest,
  NotifyEntry,
  NotifyGroup,
  ReportMessage,
  ReportSummary,
  SeriesFix,
  SlaClock,
  SupportedLine,
} from './types.js';

/** What the inbox shows for one report: its summary and its SLA clocks. */
export interface InboxItem {
  readonly report: ReportSummary;
  readonly clocks: readonly SlaClock[];
}

/** A join request with its decision clock. */
export interface JoinRequestItem {
  readonly request: JoinRequest;
  readonly clock: SlaClock;
}

/** What the reporter sees through the tracking link: their own report, status and messages. */
export interface ReporterView {
  readonly id: number;
  readonly state: DeskReport['state'];
  readonly title: string;
  readonly receivedAt: string;
  readonly submission: DeskReport['submission'];
  readonly messages: readonly ReportMessage[];
  readonly rejectionReason?: string;
  readonly disclosureAt?: string;
}

/** A file sent with a report, its type already checked against its content (see `src/desk/web/uploads.ts`). */
export interface NewAttachment {
  /** The name the reporter's browser sent. */
  readonly filename: string;
  /** The type detected from the content. */
  readonly contentType: string;
  readonly data: Uint8Array;
}

export interface DeskOptions {
  readonly store: DeskStore;
  readonly config: DeskConfig;
  readonly clock: Clock;
}

const SYSTEM: Actor = { kind: 'system', id: 'system' };
const REPORTER: Actor = { kind: 'reporter', id: 'reporter' };

/** The hash under which a tracking token is stored. */
export function hashTrackingToken(token: string): string {
  return hashSecret(token);
}

/**
 * The disclosure desk: every rule of the report lifecycle, the notification list and the audit log,
 * over a store. The CLI and the web service are thin shells over this.
 */
export class Desk {
  readonly config: DeskConfig;
  readonly store: DeskStore;
  private readonly clock: Clock;

  constructor(options: DeskOptions) {
    this.config = options.config;
    this.store = options.store;
    this.clock = options.clock;
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  /** Today in the desk calendar's zone, `YYYY-MM-DD`. */
  today(): string {
    return calendarDate(this.clock.now(), this.config.calendar);
  }

  /**
   * Takes a new report. Returns it with the reporter's secret tracking token, which is shown once
   * and stored only as a hash.
   */
  async submitReport(
    input: unknown,
    via: Actor = REPORTER,
    attachments: readonly NewAttachment[] = [],
  ): Promise<{ report: DeskReport; trackingToken: string }> {
    const checked = checkSubmission(input);
    if (!checked.ok) throw new UsageError(checked.problem);
    const trackingToken = randomBytes(32).toString('base64url');
    // One transaction: a report is never stored without the files it came with.
    const report = await this.store.transaction(async (store) => {
      const created = await store.insertReport({
        submission: checked.submission,
        receivedAt: this.now(),
        trackingTokenHash: hashTrackingToken(trackingToken),
      });
      for (const file of attachments) {
        await store.addAttachment(created.id, {
          filename: file.filename,
          contentType: file.contentType,
          size: file.data.byteLength,
          sha256: createHash('sha256').update(file.data).digest('hex'),
          data: file.data,
          addedAt: this.now(),
        });
      }
      const detail = attachments.length === 0 ? {} : { attachments: attachments.length };
      await store.appendAudit({ at: this.now(), actor: via, action: 'report.create', subject: `report:${created.id}`, detail });
      return created;
    });
    return { report, trackingToken };
  }

  /** A report with its embargoed details, for the team; the read is logged while the embargo lasts. */
  async readReport(id: number, actor: Actor, purpose = 'view'): Promise<DeskReport> {
    requireTeam(actor);
    const report = await this.requireReport(this.store, id);
    if (report.state !== 'disclosed') {
      await this.store.appendAudit({ at: this.now(), actor, action: 'report.read-embargoed', subject: `report:${id}`, detail: { purpose } });
    }
    return report;
  }

  /** The reporter's view through the tracking link; undefined for an unknown token. */
  async reporterView(token: string): Promise<ReporterView | undefined> {
    const id = await this.store.findReportByTrackingHash(hashTrackingToken(token));
    if (id === undefined) return undefined;
    const report = await this.requireReport(this.store, id);
    // Counted, not logged: a view changes nothing, and a line per view would flood the audit log
    // (and make every page view a write behind the chain head's lock).
    await this.store.countTrackingView(id, this.today());
    return {
      id: report.id,
      state: report.state,
      title: report.submission.title,
      receivedAt: report.receivedAt,
      submission: report.submission,
      messages: report.messages,
      ...(report.rejectionReason === undefined ? {} : { rejectionReason: report.rejectionReason }),
      ...(report.disclosureAt === undefined ? {} : { disclosureAt: report.disclosureAt }),
    };
  }

  /**
   * The reporter changes how the advisory credits them, through the tracking link. A named credit
   * without a name credits the name they reported under.
   */
  async chooseCredit(token: string, credit: CreditChoice): Promise<CreditChoice> {
    const id = await this.store.findReportByTrackingHash(hashTrackingToken(token));
    if (id === undefined) throw new DeskNotFoundError('no report for this tracking link');
    const name = credit.name?.trim() ?? '';
    if (name.length > 200) throw new UsageError('a credit name is at most 200 characters');
    return this.store.transaction(async (store) => {
      const report = await this.requireReport(store, id);
      const chosen: CreditChoice =
        credit.mode === 'named' ? { mode: 'named', name: name === '' ? report.submission.reporter.name : name } : { mode: 'anonymous' };
      await store.setCredit(id, chosen);
      await store.appendAudit({ at: this.now(), actor: REPORTER, action: 'report.credit', subject: `report:${id}`, detail: { mode: chosen.mode } });
      return chosen;
    });
  }

  /** The files attached to a report, without their content (team only). */
  async attachments(id: number, actor: Actor): Promise<AttachmentInfo[]> {
    requireTeam(actor);
    await this.requireReport(this.store, id);
    return this.store.listAttachments(id);
  }

  /** One attached file with its content, for the team; the read is logged while the embargo lasts. */
  async readAttachment(id: number, attachmentId: number, actor: Actor): Promise<StoredAttachment> {
    requireTeam(actor);
    const report = await this.requireReport(this.store, id);
    const attachment = await this.store.getAttachment(id, attachmentId);
    if (!attachment) throw new DeskNotFoundError(`report ${id} has no attachment ${attachmentId}`);
    if (report.state !== 'disclosed') {
      await this.store.appendAudit({
        at: this.now(),
        actor,
        action: 'report.read-embargoed',
        subject: `report:${id}`,
        detail: { purpose: 'attachment', attachment: attachmentId },
      });
    }
    return attachment;
  }

  /** The inbox: every report with its SLA clocks, most urgent first. */
  async inbox(actor: Actor): Promise<InboxItem[]> {
    requireTeam(actor);
    const now = this.clock.now();
    const items = (await this.store.listReports()).map((report) => ({ report, clocks: reportClocks(report, this.config, now) }));
    return sortByUrgency(items, (item) => mostUrgentClock(item.clocks));
  }

  /** Applies a lifecycle action after checking every rule; returns the report as it now stands. */
  async act(id: number, action: LifecycleAction, actor: Actor, note: string): Promise<DeskReport> {
    return this.store.transaction(async (store) => {
      const report = await this.requireReport(store, id);
      const planned = planTransition(report, action, { config: this.config, actor, now: this.clock.now(), note });
      const at = this.now();
      await store.applyTransition(
        id,
        { from: report.state, to: planned.to, actor, at, note: note.trim(), ...(planned.override ? { override: planned.override } : {}) },
        planned.changes,
      );
      await store.appendAudit({
        at,
        actor,
        action: 'report.transition',
        subject: `report:${id}`,
        detail: { action: action.kind, from: report.state, to: planned.to, ...(planned.override ? { override: planned.override } : {}) },
      });
      return this.requireReport(store, id);
    });
  }

  /** Records the fix of one affected series. */
  async recordFix(id: number, fix: SeriesFix, actor: Actor): Promise<DeskReport> {
    return this.store.transaction(async (store) => {
      const report = await this.requireReport(store, id);
      const checked = checkFix(report, fix, actor, this.config);
      await store.putFix(id, checked);
      await store.appendAudit({ at: this.now(), actor, action: 'report.fix', subject: `report:${id}`, detail: { ...checked } });
      return this.requireReport(store, id);
    });
  }

  /** A message from the team to the reporter (or a note between team members), kept on the report. */
  async addTeamMessage(id: number, body: string, actor: Actor): Promise<ReportMessage> {
    requireTeam(actor);
    if (actor.role === 'observer') throw new DeskRuleError(`${actor.id} (observer) may not write to reporters`);
    return this.addMessage(id, body, actor);
  }

  /** A message from the reporter, through the tracking link. */
  async addReporterMessage(token: string, body: string): Promise<ReportMessage> {
    const id = await this.store.findReportByTrackingHash(hashTrackingToken(token));
    if (id === undefined) throw new DeskNotFoundError('no report for this tracking link');
    return this.addMessage(id, body, REPORTER);
  }

  private async addMessage(id: number, body: string, actor: Actor): Promise<ReportMessage> {
    const text = body.trim();
    if (text === '') throw new UsageError('a message cannot be empty');
    if (text.length > 20_000) throw new UsageError('a message is at most 20000 characters');
    return this.store.transaction(async (store) => {
      await this.requireReport(store, id);
      const message = await store.addMessage(id, actor, this.now(), text);
      await store.appendAudit({ at: message.at, actor, action: 'report.message', subject: `report:${id}`, detail: { message: message.id } });
      return message;
    });
  }

  /** The lines supported on a date (default today). */
  supported(on: string = this.today()): SupportedLine[] {
    return supportedLines(this.config, on);
  }

  /** The backport matrix of a report on a date (default today). */
  async backports(id: number, actor: Actor, on: string = this.today()): Promise<BackportRow[]> {
    return backportMatrix(await this.readReport(id, actor, 'backport-matrix'), this.config, on);
  }

  /** A document generated from a report; reading it is logged like any embargoed read. */
  async document(id: number, kind: DeskDocumentKind, actor: Actor): Promise<string> {
    const report = await this.readReport(id, actor, `document:${kind}`);
    return renderDeskDocument(kind, report, this.config, { now: this.clock.now(), today: this.today() });
  }

  /** The notification list (team only: it names private contacts). */
  async notifyEntries(actor: Actor): Promise<NotifyEntry[]> {
    requireTeam(actor);
    return this.store.listNotifyEntries();
  }

  /** Adds a vetted entry to the notification list (admins only). */
  async addNotifyEntry(
    entry: { organisation: string; group: string; contact: string; keyId?: string; reviewOn: string },
    actor: Actor,
  ): Promise<NotifyEntry> {
    requireAdmin(actor);
    const { contact, group } = checkNotifyContact(entry.contact, entry.group, this.config);
    if (entry.organisation.trim() === '') throw new UsageError('an entry needs the organisation');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(entry.reviewOn)) throw new UsageError(`review date "${entry.reviewOn}" is not YYYY-MM-DD`);
    return this.store.transaction(async (store) => {
      const added = await store.addNotifyEntry({
        organisation: entry.organisation.trim(),
        group,
        contact,
        ...(entry.keyId ? { keyId: entry.keyId } : {}),
        approvedBy: actor.id,
        approvedOn: this.today(),
        reviewOn: entry.reviewOn,
      });
      await store.appendAudit({ at: this.now(), actor, action: 'notify.add', subject: `notify-entry:${added.id}`, detail: { organisation: added.organisation } });
      return added;
    });
  }

  /** Removes an entry from the notification list (admins only). */
  async removeNotifyEntry(id: number, actor: Actor): Promise<void> {
    requireAdmin(actor);
    await this.store.transaction(async (store) => {
      if (!(await store.removeNotifyEntry(id))) throw new DeskNotFoundError(`no notification-list entry ${id}`);
      await store.appendAudit({ at: this.now(), actor, action: 'notify.remove', subject: `notify-entry:${id}`, detail: {} });
    });
  }

  /** A request to join the notification list, from anyone; the team decides within the configured time. */
  async requestToJoin(
    request: { organisation: string; group: string; contact: string; keyId?: string; justification: string; url: string },
    via: Actor = SYSTEM,
  ): Promise<JoinRequest> {
    const { contact, group } = checkNotifyContact(request.contact, request.group, this.config);
    if (request.organisation.trim() === '') throw new UsageError('a request needs the organisation');
    if (request.justification.trim().length < 20) throw new UsageError('say how the organisation meets the list criteria (at least 20 characters)');
    if (!/^https?:\/\/\S+$/.test(request.url.trim())) throw new UsageError('a request needs a public page (URL) showing the organisation\'s role');
    return this.store.transaction(async (store) => {
      const added = await store.addJoinRequest({
        organisation: request.organisation.trim(),
        group: group satisfies NotifyGroup,
        contact,
        ...(request.keyId ? { keyId: request.keyId } : {}),
        justification: request.justification.trim(),
        url: request.url.trim(),
        requestedAt: this.now(),
      });
      await store.appendAudit({ at: this.now(), actor: via, action: 'join.request', subject: `join-request:${added.id}`, detail: { organisation: added.organisation } });
      return added;
    });
  }

  /** Join requests with their decision clocks, most urgent first. */
  async joinRequests(actor: Actor): Promise<JoinRequestItem[]> {
    requireTeam(actor);
    const now = this.clock.now();
    const items = (await this.store.listJoinRequests()).map((request) => ({ request, clock: joinRequestClock(request, this.config, now) }));
    return sortByUrgency(items, (item) => item.clock);
  }

  /**
   * Decides a join request (admins only). Approval adds the entry to the list, reviewed again a
   * year later; a decline needs a reason the requester can read.
   */
  async decideJoinRequest(id: number, outcome: 'approved' | 'declined', reason: string, actor: Actor): Promise<JoinRequest> {
    requireAdmin(actor);
    if (reason.trim() === '') throw new DeskRuleError('a decision needs a reason');
    return this.store.transaction(async (store) => {
      const request = (await store.listJoinRequests()).find((candidate) => candidate.id === id);
      if (!request) throw new DeskNotFoundError(`no join request ${id}`);
      const at = this.now();
      const decision = { outcome, reason: reason.trim(), by: actor.id, at };
      await store.decideJoinRequest(id, decision);
      if (outcome === 'approved') {
        await store.addNotifyEntry({
          organisation: request.organisation,
          group: request.group,
          contact: request.contact,
          ...(request.keyId === undefined ? {} : { keyId: request.keyId }),
          approvedBy: actor.id,
          approvedOn: this.today(),
          reviewOn: DateTime.fromISO(this.today()).plus({ years: 1 }).toISODate() ?? this.today(),
        });
      }
      await store.appendAudit({ at, actor, action: 'join.decide', subject: `join-request:${id}`, detail: { outcome } });
      return { ...request, decision };
    });
  }

  /** Appends an event of the desk's own (a mail run, an export) to the audit log, at the desk's time. */
  async logEvent(actor: Actor, action: string, subject: string, detail: Readonly<Record<string, unknown>>): Promise<void> {
    await this.store.appendAudit({ at: this.now(), actor, action, subject, detail });
  }

  /** The audit log as JSON lines (one event per line, with its chain hash), for export. */
  async exportAudit(actor: Actor): Promise<string> {
    return (await this.exportVerifiedAudit(actor)).text;
  }

  /**
   * The audit log as JSON lines, each with its chain hash, and whether the chain verifies (see
   * `store/audit-chain.ts`): a broken chain names the first line that does not verify. The export
   * itself is logged, after the lines read.
   */
  async exportVerifiedAudit(actor: Actor): Promise<{ readonly text: string; readonly verification: AuditChainVerification }> {
    requireAdmin(actor);
    const { events, verification } = await this.store.readVerifiedAudit();
    const detail = verification.ok ? { events: events.length, verified: true } : { events: events.length, verified: false, broken: verification.brokenId };
    await this.store.appendAudit({ at: this.now(), actor, action: 'audit.export', subject: 'audit-log', detail });
    const text = events.map((event) => JSON.stringify(event)).join('\n') + (events.length > 0 ? '\n' : '');
    return { text, verification };
  }

  /** How often the reporter looked at the report's tracking page (team only). */
  async trackingViews(id: number, actor: Actor): Promise<TrackingViews | undefined> {
    requireTeam(actor);
    await this.requireReport(this.store, id);
    return this.store.trackingViews(id);
  }

  private async requireReport(store: DeskStore, id: number): Promise<DeskReport> {
    const report = await store.getReport(id);
    if (!report) throw new DeskNotFoundError(`no report ${id}`);
    return report;
  }
}

function requireTeam(actor: Actor): void {
  if (actor.kind !== 'team' && actor.kind !== 'system') throw new DeskRuleError('only the security team may see this');
}

function requireAdmin(actor: Actor): void {
  if (actor.kind === 'system') return;
  if (actor.kind !== 'team' || actor.role !== 'admin') throw new DeskRuleError('only a desk admin may do this');
}
