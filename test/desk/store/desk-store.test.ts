import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, DeskConflictError, DeskNotFoundError } from '../../../src/core/errors.js';
import type { AuditEventInput, DeskStore } from '../../../src/desk/store/desk-store.js';
import { DESK_MIGRATIONS } from '../../../src/desk/store/migrations.js';
import { openDeskStore } from '../../../src/desk/store/open-desk-store.js';
import type {
  Actor,
  Assessment,
  DeskReport,
  JoinRequest,
  ReportState,
  ReportSubmission,
  Transition,
} from '../../../src/desk/types.js';
import { type DeskStoreDatabase, deskStoreBackends } from '../../helpers/desk-store-backends.js';

const alice: Actor = { kind: 'team', id: 'alice', role: 'responder' };
const bob: Actor = { kind: 'team', id: 'bob', role: 'admin' };
const reporter: Actor = { kind: 'reporter', id: 'reporter' };

/** A submission whose every embargoed field carries `marker`, so a leak is easy to find. */
function submission(title: string, marker = 'EMBARGOED'): ReportSubmission {
  return {
    title,
    reporter: { name: 'Rita Reporter', email: 'rita@example.org', organisation: 'Example Labs', credit: { mode: 'named', name: 'Rita R.' } },
    description: `${marker} description: SQL injection in the search endpoint`,
    stepsToReproduce: `${marker} steps: curl 'https://example.test/search?q=%27%20OR%201=1'`,
    impact: `${marker} impact: read every row`,
    attackSurface: `${marker} surface: unauthenticated HTTP`,
    relatedProjects: `${marker} related: example-fork`,
    affectedVersions: `${marker} versions: 5.1.0 to 5.2.2`,
  };
}

const assessment: Assessment = {
  severity: 'high',
  cvss: { version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8 },
  cwes: ['CWE-89'],
  affectedSeries: ['main', '5.2', '5.1'],
  package: { ecosystem: 'PyPI', name: 'example' },
  introduced: '5.1.0',
  summary: 'SQL injection in search',
};

const distroEntry = {
  organisation: 'Distro',
  group: 'distributor',
  contact: 'security@distro.example',
  keyId: '0xDEADBEEF',
  approvedBy: 'bob',
  approvedOn: '2025-03-02',
  reviewOn: '2026-03-02',
} as const;

const joinRequest = {
  organisation: 'Pkg',
  group: 'package-maintainer',
  contact: 'sec@pkg.example',
  justification: 'we package it for Example Linux',
  url: 'https://pkg.example',
  requestedAt: '2025-03-02T10:00:00.000Z',
} as const;

function auditLine(action: string, subject: string, detail: Record<string, unknown> = {}): AuditEventInput {
  return { at: '2025-03-02T10:00:00.000Z', actor: alice, action, subject, detail };
}

function move(from: ReportState, to: ReportState, at: string, actor: Actor = alice, note = `${from} -> ${to}`): Transition {
  return { from, to, actor, at, note };
}

/** The error `promise` rejects with; throws when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe.each(deskStoreBackends())('desk store on $name', (backend) => {
  let database: DeskStoreDatabase;
  let store: DeskStore;

  beforeEach(async () => {
    database = await backend.create();
    store = database.store;
  });
  afterEach(async () => {
    await database.dispose();
  });

  it('reports its dialect', () => {
    expect(store.dialect).toBe(backend.name);
  });

  it('round-trips a full report: submission, assessment, fixes per series, transitions in order, messages', async () => {
    const created = await store.insertReport({ submission: submission('Search injection'), receivedAt: '2025-03-03T09:00:00.000Z' });
    expect(created).toEqual({
      id: created.id,
      state: 'received',
      receivedAt: '2025-03-03T09:00:00.000Z',
      submission: submission('Search injection'),
      fixes: [],
      transitions: [],
      messages: [],
    });
    const id = created.id;
    const transitions: Transition[] = [
      move('received', 'acknowledged', '2025-03-03T10:00:00.000Z'),
      move('acknowledged', 'triaged', '2025-03-04T10:00:00.000Z', bob),
      move('triaged', 'accepted', '2025-03-05T10:00:00.000Z'),
      move('accepted', 'fix-in-progress', '2025-03-06T10:00:00.000Z'),
      { ...move('fix-in-progress', 'disclosure-scheduled', '2025-03-07T10:00:00.000Z'), override: 'distributors asked for more time' },
    ];
    await store.applyTransition(id, transitions[0]!, {});
    await store.applyTransition(id, transitions[1]!, {});
    await store.applyTransition(id, transitions[2]!, { assessment });
    await store.applyTransition(id, transitions[3]!, {});
    await store.applyTransition(id, transitions[4]!, { disclosureAt: '2025-04-01T14:00:00.000Z' });
    await store.putFix(id, { series: '5.2', fixedIn: '5.2.2', patch: 'wrong-commit' });
    await store.putFix(id, { series: 'main', patch: 'abc123' });
    await store.putFix(id, { series: '5.2', fixedIn: '5.2.3', patch: 'def456' });
    await store.putFix(id, { series: '5.1', fixedIn: '5.1.9', patch: '0a1b2c' });
    const first = await store.addMessage(id, reporter, '2025-03-03T11:00:00.000Z', 'Any news?');
    const second = await store.addMessage(id, alice, '2025-03-03T12:00:00.000Z', 'Confirmed, working on it.');
    expect(second.id).toBeGreaterThan(first.id);
    expect(first).toEqual({ id: first.id, author: reporter, at: '2025-03-03T11:00:00.000Z', body: 'Any news?' });

    const want: DeskReport = {
      id,
      state: 'disclosure-scheduled',
      receivedAt: '2025-03-03T09:00:00.000Z',
      submission: submission('Search injection'),
      assessment,
      // A replaced fix keeps its place: the order in which each series was first recorded.
      fixes: [
        { series: '5.2', fixedIn: '5.2.3', patch: 'def456' },
        { series: 'main', patch: 'abc123' },
        { series: '5.1', fixedIn: '5.1.9', patch: '0a1b2c' },
      ],
      disclosureAt: '2025-04-01T14:00:00.000Z',
      transitions,
      messages: [first, second],
    };
    expect(await store.getReport(id)).toStrictEqual(want);
  });

  it('keeps the rejection reason and reads a report of an anonymous reporter without optional fields', async () => {
    const plain: ReportSubmission = { ...submission('Plain'), reporter: { name: 'Anon', email: 'a@example.org', credit: { mode: 'anonymous' } } };
    const { id } = await store.insertReport({ submission: plain, receivedAt: '2025-03-03T09:00:00.000Z' });
    await store.applyTransition(id, move('received', 'rejected', '2025-03-04T09:00:00.000Z'), {
      rejectionReason: 'Works as documented: the endpoint is admin-only.',
    });
    expect(await store.getReport(id)).toStrictEqual({
      id,
      state: 'rejected',
      receivedAt: '2025-03-03T09:00:00.000Z',
      submission: plain,
      rejectionReason: 'Works as documented: the endpoint is admin-only.',
      fixes: [],
      transitions: [move('received', 'rejected', '2025-03-04T09:00:00.000Z')],
      messages: [],
    });
  });

  it('returns undefined for a report that does not exist', async () => {
    expect(await store.getReport(4242)).toBeUndefined();
  });

  it('lists reports newest first with no embargoed field', async () => {
    const older = await store.insertReport({ submission: submission('Older', 'LEAKMARK'), receivedAt: '2025-03-01T09:00:00.000Z' });
    const newer = await store.insertReport({ submission: submission('Newer', 'LEAKMARK'), receivedAt: '2025-03-02T09:00:00.000Z' });
    await store.applyTransition(older.id, move('received', 'acknowledged', '2025-03-01T10:00:00.000Z'), {});
    await store.applyTransition(older.id, move('acknowledged', 'triaged', '2025-03-01T11:00:00.000Z'), {});
    await store.applyTransition(older.id, move('triaged', 'accepted', '2025-03-01T12:00:00.000Z'), {
      assessment: { ...assessment, summary: 'LEAKMARK summary', cwes: ['CWE-89'], cvss: { ...assessment.cvss, vector: 'LEAKMARK' } },
    });
    await store.applyTransition(older.id, move('accepted', 'fix-in-progress', '2025-03-01T13:00:00.000Z'), {});
    await store.applyTransition(older.id, move('fix-in-progress', 'disclosure-scheduled', '2025-03-01T14:00:00.000Z'), {
      disclosureAt: '2025-04-01T14:00:00.000Z',
    });
    await store.putFix(older.id, { series: 'main', patch: 'LEAKMARK-patch' });
    await store.addMessage(older.id, reporter, '2025-03-01T15:00:00.000Z', 'LEAKMARK message');

    const list = await store.listReports();
    expect(list).toStrictEqual([
      { id: newer.id, state: 'received', title: 'Newer', receivedAt: '2025-03-02T09:00:00.000Z', enteredAt: { received: '2025-03-02T09:00:00.000Z' } },
      {
        id: older.id,
        state: 'disclosure-scheduled',
        title: 'Older',
        receivedAt: '2025-03-01T09:00:00.000Z',
        severity: 'high',
        disclosureAt: '2025-04-01T14:00:00.000Z',
        enteredAt: {
          received: '2025-03-01T09:00:00.000Z',
          acknowledged: '2025-03-01T10:00:00.000Z',
          triaged: '2025-03-01T11:00:00.000Z',
          accepted: '2025-03-01T12:00:00.000Z',
          'fix-in-progress': '2025-03-01T13:00:00.000Z',
          'disclosure-scheduled': '2025-03-01T14:00:00.000Z',
        },
      },
    ]);
    expect(JSON.stringify(list)).not.toContain('LEAKMARK');
    expect(JSON.stringify(list)).not.toContain('rita@example.org');
  });

  it('records when a report first entered a state it returned to', async () => {
    const { id } = await store.insertReport({ submission: submission('Loop'), receivedAt: '2025-03-01T09:00:00.000Z' });
    await store.applyTransition(id, move('received', 'acknowledged', '2025-03-01T10:00:00.000Z'), {});
    await store.applyTransition(id, move('acknowledged', 'triaged', '2025-03-01T11:00:00.000Z'), {});
    await store.applyTransition(id, move('triaged', 'acknowledged', '2025-03-01T12:00:00.000Z'), {});
    const [summary] = await store.listReports();
    expect(summary?.enteredAt.acknowledged).toBe('2025-03-01T10:00:00.000Z');
  });

  describe('applyTransition is optimistic', () => {
    interface Case {
      name: string;
      /** The state the report is in when the transition is applied. */
      state: ReportState;
      transition: Transition;
      missing?: boolean;
      wantError?: typeof DeskConflictError | typeof DeskNotFoundError;
    }
    const cases: Case[] = [
      { name: 'from the current state', state: 'received', transition: move('received', 'acknowledged', '2025-03-01T10:00:00.000Z') },
      {
        name: 'from a state the report has left',
        state: 'acknowledged',
        transition: move('received', 'acknowledged', '2025-03-01T11:00:00.000Z'),
        wantError: DeskConflictError,
      },
      {
        name: 'on a report that does not exist',
        state: 'received',
        transition: move('received', 'acknowledged', '2025-03-01T10:00:00.000Z'),
        missing: true,
        wantError: DeskNotFoundError,
      },
    ];
    it.each(cases)('$name', async ({ state, transition, missing, wantError }) => {
      const { id } = await store.insertReport({ submission: submission('Case'), receivedAt: '2025-03-01T09:00:00.000Z' });
      if (state === 'acknowledged') await store.applyTransition(id, move('received', 'acknowledged', '2025-03-01T10:00:00.000Z'), {});
      const target = missing === true ? id + 1000 : id;
      const before = await store.getReport(id);
      if (wantError === undefined) {
        await store.applyTransition(target, transition, {});
        expect((await store.getReport(id))?.state).toBe(transition.to);
        return;
      }
      expect(await rejection(store.applyTransition(target, transition, { rejectionReason: 'must not land' }))).toBeInstanceOf(wantError);
      expect(await store.getReport(id)).toStrictEqual(before);
    });

    it('of two concurrent moves from one state, exactly one wins', async () => {
      const { id } = await store.insertReport({ submission: submission('Race'), receivedAt: '2025-03-01T09:00:00.000Z' });
      const results = await Promise.allSettled([
        store.applyTransition(id, move('received', 'acknowledged', '2025-03-01T10:00:00.000Z', alice), {}),
        store.applyTransition(id, move('received', 'rejected', '2025-03-01T10:00:00.000Z', bob), { rejectionReason: 'duplicate' }),
      ]);
      const won = results.filter((result) => result.status === 'fulfilled');
      const lost = results.filter((result) => result.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]?.reason).toBeInstanceOf(DeskConflictError);
      const report = await store.getReport(id);
      expect(report?.transitions).toHaveLength(1);
      expect(report?.state).toBe(report?.transitions[0]?.to);
      // The loser's changes did not land either.
      expect(report?.rejectionReason).toBe(report?.state === 'rejected' ? 'duplicate' : undefined);
    });

    it('of two stores (two processes) racing on one report, exactly one wins', async () => {
      const { id } = await store.insertReport({ submission: submission('Race'), receivedAt: '2025-03-01T09:00:00.000Z' });
      const other = await database.reopen();
      // Each reads the report, then moves it from the state it read.
      const [mine, theirs] = await Promise.all([store.getReport(id), other.getReport(id)]);
      const moveFromRead = (desk: DeskStore, read: DeskReport | undefined, actor: Actor) =>
        desk.applyTransition(id, move(read!.state, 'acknowledged', '2025-03-01T10:00:00.000Z', actor), {});
      // better-sqlite3 is synchronous: two SQLite connections in one process cannot interleave
      // transactions (the second would block the event loop waiting for the first), so there the
      // moves run in turn; separate processes wait on each other through busy_timeout instead.
      const results =
        backend.name === 'postgres'
          ? await Promise.allSettled([moveFromRead(store, mine, alice), moveFromRead(other, theirs, bob)])
          : [await settle(moveFromRead(store, mine, alice)), await settle(moveFromRead(other, theirs, bob))];
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      const report = await other.getReport(id);
      expect(report?.transitions).toHaveLength(1);
    });
  });

  describe('transaction', () => {
    it('leaves nothing behind when the work fails, audit line included', async () => {
      const existing = await store.insertReport({ submission: submission('Existing'), receivedAt: '2025-03-01T09:00:00.000Z' });
      const failure = new Error('boom');
      const error = await rejection(
        store.transaction(async (tx) => {
          const { id } = await tx.insertReport({
            submission: submission('Doomed'),
            receivedAt: '2025-03-02T09:00:00.000Z',
            trackingTokenHash: 'doomed',
          });
          await tx.applyTransition(existing.id, move('received', 'acknowledged', '2025-03-02T10:00:00.000Z'), {});
          await tx.putFix(existing.id, { series: 'main', patch: 'abc' });
          await tx.addMessage(existing.id, alice, '2025-03-02T10:00:00.000Z', 'hello');
          await tx.addNotifyEntry(distroEntry);
          await tx.addJoinRequest(joinRequest);
          await tx.appendAudit(auditLine('report.create', `report:${id}`));
          // Nested transaction() calls join the outer one.
          await tx.transaction((inner) => inner.appendAudit(auditLine('nested', `report:${id}`)));
          expect(await tx.countReports()).toBe(2);
          throw failure;
        }),
      );
      expect(error).toBe(failure);
      expect(await store.countReports()).toBe(1);
      expect(await store.findReportByTrackingHash('doomed')).toBeUndefined();
      expect(await store.getReport(existing.id)).toStrictEqual(existing);
      expect(await store.readAudit()).toEqual([]);
      expect(await store.listNotifyEntries()).toEqual([]);
      expect(await store.listJoinRequests()).toEqual([]);
    });

    it('keeps every write when the work succeeds, and returns its value', async () => {
      const id = await store.transaction(async (tx) => {
        const report = await tx.insertReport({ submission: submission('Kept'), receivedAt: '2025-03-02T09:00:00.000Z' });
        await tx.applyTransition(report.id, move('received', 'acknowledged', '2025-03-02T10:00:00.000Z'), {});
        await tx.appendAudit(auditLine('report.transition', `report:${report.id}`, { to: 'acknowledged' }));
        return report.id;
      });
      expect((await store.getReport(id))?.state).toBe('acknowledged');
      expect(await store.readAudit()).toHaveLength(1);
    });
  });

  describe('audit log', () => {
    it('numbers lines and reads them back oldest first, from an id on', async () => {
      const lines = [];
      for (const action of ['report.create', 'report.read-embargoed', 'report.transition']) {
        lines.push(
          await store.appendAudit({
            at: '2025-03-02T10:00:00.000Z',
            actor: action === 'report.create' ? reporter : alice,
            action,
            subject: 'report:1',
            detail: { action, nested: { list: [1, 'two', null], flag: true } },
          }),
        );
      }
      const [first, second, third] = lines;
      expect(first).toStrictEqual({
        id: first!.id,
        at: '2025-03-02T10:00:00.000Z',
        actor: reporter,
        action: 'report.create',
        subject: 'report:1',
        detail: { action: 'report.create', nested: { list: [1, 'two', null], flag: true } },
      });
      expect(await store.readAudit()).toStrictEqual(lines);
      expect(await store.readAudit(first!.id)).toStrictEqual([second, third]);
      expect(await store.readAudit(third!.id)).toStrictEqual([]);
      expect(await store.readAudit(0)).toStrictEqual(lines);
    });

    const changes = [
      { name: 'UPDATE of one line', statement: "UPDATE audit_log SET action = 'forged' WHERE id = (SELECT min(id) FROM audit_log)" },
      { name: 'UPDATE of every line', statement: "UPDATE audit_log SET detail = '{}'" },
      { name: 'DELETE of one line', statement: 'DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)' },
      { name: 'DELETE of every line', statement: 'DELETE FROM audit_log' },
      ...(backend.name === 'postgres' ? [{ name: 'TRUNCATE', statement: 'TRUNCATE audit_log' }] : []),
    ];
    it.each(changes)('is append-only in the database: $name is refused', async ({ statement }) => {
      await store.appendAudit(auditLine('one', 'report:1'));
      await store.appendAudit(auditLine('two', 'report:1'));
      const before = await store.readAudit();
      await expect(database.queryRaw(statement)).rejects.toThrow(/audit_log is append-only/);
      expect(await store.readAudit()).toStrictEqual(before);
    });
  });

  it('finds a report by the hash of its tracking token, and refuses a hash twice', async () => {
    const { id } = await store.insertReport({ submission: submission('Tracked'), receivedAt: '2025-03-02T09:00:00.000Z', trackingTokenHash: 'sha256:aaa' });
    await store.insertReport({ submission: submission('Untracked'), receivedAt: '2025-03-02T09:00:00.000Z' });
    await store.insertReport({ submission: submission('Untracked too'), receivedAt: '2025-03-02T09:00:00.000Z' });
    expect(await store.findReportByTrackingHash('sha256:aaa')).toBe(id);
    expect(await store.findReportByTrackingHash('sha256:bbb')).toBeUndefined();
    await expect(
      store.insertReport({ submission: submission('Clash'), receivedAt: '2025-03-02T09:00:00.000Z', trackingTokenHash: 'sha256:aaa' }),
    ).rejects.toThrow();
    expect(await store.countReports()).toBe(3);
  });

  it('refuses fixes and messages on a report that does not exist', async () => {
    expect(await rejection(store.putFix(99, { series: 'main', patch: 'abc' }))).toBeInstanceOf(DeskNotFoundError);
    expect(await rejection(store.addMessage(99, alice, '2025-03-02T09:00:00.000Z', 'hi'))).toBeInstanceOf(DeskNotFoundError);
  });

  it('adds, lists and removes notification-list entries', async () => {
    const distro = await store.addNotifyEntry(distroEntry);
    const pkg = await store.addNotifyEntry({
      organisation: 'Pkg',
      group: 'package-maintainer',
      contact: 'sec@pkg.example',
      approvedBy: 'bob',
      approvedOn: '2025-03-03',
      reviewOn: '2026-03-03',
    });
    expect(distro).toStrictEqual({ id: distro.id, ...distroEntry });
    expect(pkg).not.toHaveProperty('keyId');
    expect(await store.listNotifyEntries()).toStrictEqual([distro, pkg]);
    expect(await store.removeNotifyEntry(distro.id)).toBe(true);
    expect(await store.removeNotifyEntry(distro.id)).toBe(false);
    expect(await store.listNotifyEntries()).toStrictEqual([pkg]);
    // A removed entry's id is never given again: audit lines name entries by id.
    const next = await store.addNotifyEntry({ ...pkg, organisation: 'Next' });
    expect(next.id).toBeGreaterThan(pkg.id);
  });

  describe('join requests', () => {
    type Decision = NonNullable<JoinRequest['decision']>;
    const approve: Decision = { outcome: 'approved', reason: 'meets the criteria', by: 'bob', at: '2025-03-05T10:00:00.000Z' };
    const decline: Decision = { outcome: 'declined', reason: 'public list', by: 'alice', at: '2025-03-06T10:00:00.000Z' };

    it('records one decision; deciding again is a conflict', async () => {
      const added = await store.addJoinRequest(joinRequest);
      expect(added).toStrictEqual({ id: added.id, ...joinRequest });
      await store.decideJoinRequest(added.id, approve);
      expect(await rejection(store.decideJoinRequest(added.id, decline))).toBeInstanceOf(DeskConflictError);
      expect(await store.listJoinRequests()).toStrictEqual([{ ...added, decision: approve }]);
    });

    it('of two concurrent decisions, exactly one lands', async () => {
      const { id } = await store.addJoinRequest(joinRequest);
      const results = await Promise.allSettled([store.decideJoinRequest(id, approve), store.decideJoinRequest(id, decline)]);
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      const [stored] = await store.listJoinRequests();
      expect([approve, decline]).toContainEqual(stored?.decision);
    });

    it('refuses a decision on a request that does not exist', async () => {
      expect(await rejection(store.decideJoinRequest(77, approve))).toBeInstanceOf(DeskNotFoundError);
    });
  });

  it('loses no report of 200 submitted at once', async () => {
    const reports = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        store.insertReport({
          submission: submission(`Concurrent ${index}`),
          receivedAt: `2025-03-02T10:00:${String(index % 60).padStart(2, '0')}.000Z`,
          trackingTokenHash: `hash-${index}`,
        }),
      ),
    );
    expect(await store.countReports()).toBe(200);
    expect(new Set(reports.map((report) => report.id)).size).toBe(200);
    const listed = await store.listReports();
    expect(new Set(listed.map((summary) => summary.id))).toEqual(new Set(reports.map((report) => report.id)));
    expect(await store.findReportByTrackingHash('hash-199')).toBe(reports[199]?.id);
  });

  it('migrates once: opening the same database again keeps data and schema', async () => {
    const { id } = await store.insertReport({ submission: submission('Survivor'), receivedAt: '2025-03-02T09:00:00.000Z' });
    await store.appendAudit(auditLine('report.create', `report:${id}`));
    const again = await database.reopen();
    const third = await database.reopen();
    expect(await third.countReports()).toBe(1);
    expect((await again.getReport(id))?.submission.title).toBe('Survivor');
    expect(await third.readAudit()).toHaveLength(1);
    const applied = await database.queryRaw('SELECT name FROM desk_migration ORDER BY name');
    expect(applied.map((row) => row.name)).toEqual(DESK_MIGRATIONS.map((migration) => migration.name));
  });

  // Several web server processes may start at once on a new database. (Two SQLite connections in
  // one process cannot migrate at once: better-sqlite3 blocks the event loop while it waits.)
  it.runIf(backend.name === 'postgres')('creates and migrates a new schema opened by several stores at once', async () => {
    const options = { ...database.options, schema: `${database.options.schema ?? 'vigil_test'}_fresh` };
    try {
      const stores = await Promise.all(Array.from({ length: 6 }, () => openDeskStore(options)));
      const { id } = await stores[0]!.insertReport({ submission: submission('First'), receivedAt: '2025-03-02T09:00:00.000Z' });
      for (const opened of stores) expect((await opened.getReport(id))?.submission.title).toBe('First');
      for (const opened of stores) await opened.close();
    } finally {
      await database.queryRaw(`DROP SCHEMA IF EXISTS "${options.schema}" CASCADE`);
    }
  });
});

/** `Promise.allSettled` of one promise. */
async function settle(promise: Promise<unknown>): Promise<PromiseSettledResult<unknown>> {
  const [result] = await Promise.allSettled([promise]);
  return result;
}

describe('desk store in a SQLite file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-desk-file-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps everything across closing and reopening, round after round', async () => {
    const file = path.join(dir, 'nested', 'desk.db');
    const rounds = 8;
    const perRound = 25;
    for (let round = 0; round < rounds; round++) {
      const store = await openDeskStore({ sqlitePath: file });
      try {
        expect(await store.countReports()).toBe(round * perRound);
        expect(await store.readAudit()).toHaveLength(round * perRound);
        for (let index = 0; index < perRound; index++) {
          await store.transaction(async (tx) => {
            const { id } = await tx.insertReport({ submission: submission(`R${round}-${index}`), receivedAt: '2025-03-02T09:00:00.000Z' });
            await tx.applyTransition(id, move('received', 'acknowledged', '2025-03-02T10:00:00.000Z'), {});
            await tx.appendAudit(auditLine('report.transition', `report:${id}`, { round }));
          });
        }
      } finally {
        await store.close();
      }
    }
    const store = await openDeskStore({ sqlitePath: file });
    try {
      const list = await store.listReports();
      expect(list).toHaveLength(rounds * perRound);
      expect(list.every((summary) => summary.state === 'acknowledged')).toBe(true);
      expect(new Set(list.map((summary) => summary.title)).size).toBe(rounds * perRound);
      expect((await store.readAudit()).map((event) => event.detail.round)).toEqual(
        Array.from({ length: rounds * perRound }, (_, index) => Math.floor(index / perRound)),
      );
    } finally {
      await store.close();
    }
    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      raw.close();
    }
  });

  it('sees what another store wrote to the same file', async () => {
    const file = path.join(dir, 'desk.db');
    const writer = await openDeskStore({ sqlitePath: file });
    const reader = await openDeskStore({ sqlitePath: file });
    try {
      const { id } = await writer.insertReport({ submission: submission('Shared'), receivedAt: '2025-03-02T09:00:00.000Z' });
      expect((await reader.getReport(id))?.submission.title).toBe('Shared');
    } finally {
      await writer.close();
      await reader.close();
    }
  });

  it('refuses a SQLite file that is not a desk', async () => {
    const file = path.join(dir, 'advisories.db');
    const other = new Database(file);
    other.exec('CREATE TABLE records (id TEXT PRIMARY KEY)');
    other.close();
    const error = await rejection(openDeskStore({ sqlitePath: file }));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(`${file}: not a vigil desk database`);
  });
});

describe('openDeskStore options', () => {
  const refused = [
    { name: 'a URL of another database', options: { url: 'mysql://user:secret@db.example/desk' }, want: /mysql:\/\/db\.example\/desk\) is not a PostgreSQL URL/ },
    { name: 'a schema without PostgreSQL', options: { schema: 'desk' }, want: /schema applies to PostgreSQL only/ },
    { name: 'an unsafe schema name', options: { url: 'postgres://127.0.0.1:1/x', schema: 'desk"; DROP' }, want: /invalid desk database schema name/ },
  ];
  it.each(refused)('refuses $name', async ({ options, want }) => {
    const error = await rejection(openDeskStore(options));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(want);
    expect((error as ConfigError).message).not.toContain('secret');
  });

  it('opens an in-memory SQLite store when given neither URL nor path', async () => {
    const store = await openDeskStore({ url: '' });
    try {
      expect(store.dialect).toBe('sqlite');
      expect(await store.countReports()).toBe(0);
    } finally {
      await store.close();
      await store.close();
    }
  });

  it('names the server, never the password, when PostgreSQL cannot be reached', async () => {
    const error = await rejection(openDeskStore({ url: 'postgres://vigil:secret@127.0.0.1:1/desk' }));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/^postgres:\/\/127\.0\.0\.1:1\/desk: cannot open the desk database: /);
    expect((error as ConfigError).message).not.toContain('secret');
  });
});
