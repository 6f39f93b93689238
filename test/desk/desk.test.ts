import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/clock.js';
import { DeskNotFoundError, DeskRuleError } from '../../src/core/errors.js';
import { Desk } from '../../src/desk/desk.js';
import { deskStoreBackends, type DeskStoreDatabase } from '../helpers/desk-store-backends.js';
import { ADMIN, djangoLikeConfig, OBSERVER, RESPONDER, SUBMISSION } from './desk-fixtures.js';

/** A clock the test moves by hand. */
function movableClock(start: string): Clock & { set(iso: string): void } {
  let now = new Date(start);
  return { now: () => new Date(now), set: (iso) => (now = new Date(iso)) };
}

const VECTOR = 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N';

describe.each(deskStoreBackends())('the desk service on $name', (backend) => {
  let database: DeskStoreDatabase;
  let clock: ReturnType<typeof movableClock>;
  let desk: Desk;

  beforeEach(async () => {
    database = await backend.create();
    clock = movableClock('2025-06-02T15:00:00Z');
    desk = new Desk({ store: database.store, config: djangoLikeConfig(), clock });
  });
  afterEach(async () => {
    await database.dispose();
  });

  it('carries a report from intake to disclosure, logging every change and every embargoed read', async () => {
    const { report, trackingToken } = await desk.submitReport(SUBMISSION);
    expect(report.state).toBe('received');
    expect(trackingToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    clock.set('2025-06-03T14:00:00Z');
    await desk.act(report.id, { kind: 'acknowledge' }, RESPONDER, 'thanks, looking');
    await desk.act(report.id, { kind: 'triage' }, RESPONDER, 'reproduced on 5.2');
    await desk.act(
      report.id,
      {
        kind: 'accept',
        assessment: { severity: 'high', cvssVector: VECTOR, cwes: ['CWE-89'], affectedSeries: ['main', '5.2', '5.1', '4.2'], summary: 'SQL injection in admin search' },
      },
      RESPONDER,
      'confirmed',
    );
    await desk.act(report.id, { kind: 'start-fix' }, RESPONDER, 'patches in private fork');
    for (const fix of [
      { series: 'main', patch: 'a1' },
      { series: '5.2', fixedIn: '5.2.4', patch: 'b2' },
      { series: '5.1', fixedIn: '5.1.11', patch: 'c3' },
      { series: '4.2', fixedIn: '4.2.23', patch: 'd4' },
    ]) {
      await desk.recordFix(report.id, fix, RESPONDER);
    }
    await desk.act(report.id, { kind: 'schedule-disclosure', at: '2025-07-01T14:00:00Z' }, RESPONDER, 'release day');
    clock.set('2025-06-20T14:00:00Z');
    await desk.act(report.id, { kind: 'pre-notify' }, RESPONDER, 'list told');
    clock.set('2025-07-01T14:05:00Z');
    const disclosed = await desk.act(report.id, { kind: 'disclose' }, RESPONDER, 'released');

    expect(disclosed.state).toBe('disclosed');
    expect(disclosed.transitions.map((t) => t.to)).toEqual([
      'acknowledged',
      'triaged',
      'accepted',
      'fix-in-progress',
      'disclosure-scheduled',
      'pre-notified',
      'disclosed',
    ]);
    expect(disclosed.transitions.every((t) => t.actor.id === 'rita' && t.note !== '')).toBe(true);
    expect(disclosed.assessment?.cvss.score).toBe(6.5);

    // One line per change: create, 7 transitions, 4 fixes.
    const log = await database.store.readAudit();
    const changes = log.filter((event) => event.action !== 'report.read-embargoed');
    expect(changes.map((event) => event.action)).toEqual([
      'report.create',
      'report.transition',
      'report.transition',
      'report.transition',
      'report.transition',
      'report.fix',
      'report.fix',
      'report.fix',
      'report.fix',
      'report.transition',
      'report.transition',
      'report.transition',
    ]);
  });

  it('logs a team read of embargoed details, and stops once the report is disclosed', async () => {
    const { report } = await desk.submitReport(SUBMISSION);
    await desk.readReport(report.id, OBSERVER);
    const reads = (await database.store.readAudit()).filter((event) => event.action === 'report.read-embargoed');
    expect(reads).toEqual([expect.objectContaining({ subject: `report:${report.id}`, actor: OBSERVER })]);
  });

  it('the tracking token opens its own report only; unknown tokens open nothing', async () => {
    const first = await desk.submitReport(SUBMISSION);
    const second = await desk.submitReport({ ...SUBMISSION, title: 'second report' });
    expect((await desk.reporterView(first.trackingToken))?.id).toBe(first.report.id);
    expect((await desk.reporterView(second.trackingToken))?.title).toBe('second report');
    expect(await desk.reporterView(`${first.trackingToken}x`)).toBeUndefined();
    await desk.addReporterMessage(first.trackingToken, 'any news?');
    const view = await desk.reporterView(first.trackingToken);
    expect(view?.messages.map((m) => [m.author.kind, m.body])).toEqual([['reporter', 'any news?']]);
    expect((await desk.reporterView(second.trackingToken))?.messages).toEqual([]);
  });

  it('the tracking token is stored only as a hash', async () => {
    const { trackingToken } = await desk.submitReport(SUBMISSION);
    const rows = await database.queryRaw('SELECT * FROM reports');
    expect(JSON.stringify(rows)).not.toContain(trackingToken);
  });

  it('observers and reporters change nothing', async () => {
    const { report } = await desk.submitReport(SUBMISSION);
    await expect(desk.act(report.id, { kind: 'acknowledge' }, OBSERVER, 'x')).rejects.toThrow(DeskRuleError);
    await expect(desk.addTeamMessage(report.id, 'hello', OBSERVER)).rejects.toThrow(DeskRuleError);
    await expect(desk.readReport(report.id, { kind: 'reporter', id: 'reporter' })).rejects.toThrow(DeskRuleError);
    expect((await desk.readReport(report.id, ADMIN)).state).toBe('received');
  });

  it('a refused transition leaves neither a state change nor an audit line', async () => {
    const { report } = await desk.submitReport(SUBMISSION);
    const before = (await database.store.readAudit()).length;
    await expect(desk.act(report.id, { kind: 'triage' }, RESPONDER, 'skip ahead')).rejects.toThrow(/allowed only from acknowledged/);
    expect((await database.store.getReport(report.id))?.state).toBe('received');
    expect(await database.store.readAudit()).toHaveLength(before);
  });

  it('unknown reports are not found', async () => {
    await expect(desk.act(999, { kind: 'acknowledge' }, RESPONDER, 'x')).rejects.toThrow(DeskNotFoundError);
  });

  it('the inbox puts overdue acknowledgements first', async () => {
    const old = await desk.submitReport({ ...SUBMISSION, title: 'old' });
    clock.set('2025-06-09T15:00:00Z');
    await desk.submitReport({ ...SUBMISSION, title: 'new' });
    const inbox = await desk.inbox(RESPONDER);
    expect(inbox.map((item) => item.report.title)).toEqual(['old', 'new']);
    expect(inbox[0]?.report.id).toBe(old.report.id);
    // Received Monday 2025-06-02 10:00 Chicago, 3 business days: due Thursday 10:00; now is the next Monday.
    expect(inbox[0]?.clocks.find((c) => c.name === 'acknowledge')).toMatchObject({ status: 'overdue', dueAt: '2025-06-05T15:00:00.000Z' });
    expect(inbox[1]?.clocks.find((c) => c.name === 'acknowledge')?.status).toBe('pending');
  });

  it('notification list: admins add vetted private contacts; join requests are decided within 30 days', async () => {
    await expect(
      desk.addNotifyEntry({ organisation: 'Debian', group: 'distributor', contact: 'team@security.debian.org', reviewOn: '2026-06-01' }, RESPONDER),
    ).rejects.toThrow(/only a desk admin/);
    await expect(
      desk.addNotifyEntry({ organisation: 'Oss', group: 'other', contact: 'oss-security@lists.openwall.com', reviewOn: '2026-06-01' }, ADMIN),
    ).rejects.toThrow(/public mailing list/);
    await desk.addNotifyEntry({ organisation: 'Debian', group: 'distributor', contact: 'team@security.debian.org', reviewOn: '2026-06-01' }, ADMIN);

    const request = await desk.requestToJoin({
      organisation: 'Fedora',
      group: 'distributor',
      contact: 'security@fedoraproject.org',
      justification: 'Fedora ships the package to its users in every release.',
      url: 'https://packages.fedoraproject.org/',
    });
    clock.set('2025-07-03T15:00:00Z');
    const [pending] = await desk.joinRequests(RESPONDER);
    expect(pending?.clock).toMatchObject({ name: 'decision', status: 'overdue', dueAt: '2025-07-02T15:00:00.000Z' });
    await desk.decideJoinRequest(request.id, 'approved', 'meets the distributor criterion', ADMIN);
    await expect(desk.decideJoinRequest(request.id, 'declined', 'changed mind', ADMIN)).rejects.toThrow();
    const entries = await desk.notifyEntries(RESPONDER);
    expect(entries.map((entry) => entry.organisation)).toEqual(['Debian', 'Fedora']);
    expect(entries[1]).toMatchObject({ approvedBy: 'alan', approvedOn: '2025-07-03', reviewOn: '2026-07-03' });
  });

  it('exports the audit log as JSON lines, one event per line', async () => {
    await desk.submitReport(SUBMISSION);
    await desk.submitReport(SUBMISSION);
    const lines = (await desk.exportAudit(ADMIN)).trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.map((line) => (JSON.parse(line) as { action: string }).action)).toEqual(['report.create', 'report.create']);
    await expect(desk.exportAudit(RESPONDER)).rejects.toThrow(/only a desk admin/);
  });

  it('exports the log with its chain verified, and logs the export itself', async () => {
    await desk.submitReport(SUBMISSION);
    const first = await desk.exportVerifiedAudit(ADMIN);
    expect(first.verification).toMatchObject({ ok: true, entries: 1 });
    const second = await desk.exportVerifiedAudit(ADMIN);
    expect(second.verification).toMatchObject({ ok: true, entries: 2 });
    const lines = second.text.trimEnd().split('\n').map((line) => JSON.parse(line) as { action: string; detail: unknown; hash: string });
    expect(lines.map((line) => line.action)).toEqual(['report.create', 'audit.export']);
    expect(lines[1]?.detail).toEqual({ events: 1, verified: true });
    expect(lines.every((line) => /^[0-9a-f]{64}$/.test(line.hash))).toBe(true);
  });

  it('counts tracking-page views per report (how many, the last day in the desk zone) and logs none', async () => {
    const first = await desk.submitReport(SUBMISSION);
    const second = await desk.submitReport(SUBMISSION);
    const logged = (await database.store.readAudit()).length;
    expect(await desk.trackingViews(first.report.id, RESPONDER)).toBeUndefined();
    await desk.reporterView(first.trackingToken);
    // 04:00 UTC on 3 June is 23:00 on 2 June in Chicago (CDT, UTC-5): still the same desk day.
    clock.set('2025-06-03T04:00:00Z');
    await desk.reporterView(first.trackingToken);
    expect(await desk.trackingViews(first.report.id, RESPONDER)).toEqual({ views: 2, lastViewedOn: '2025-06-02' });
    clock.set('2025-06-03T06:00:00Z');
    await desk.reporterView(first.trackingToken);
    await desk.reporterView(second.trackingToken);
    expect(await desk.trackingViews(first.report.id, RESPONDER)).toEqual({ views: 3, lastViewedOn: '2025-06-03' });
    expect(await desk.trackingViews(second.report.id, RESPONDER)).toEqual({ views: 1, lastViewedOn: '2025-06-03' });
    expect(await database.store.readAudit()).toHaveLength(logged);
    await expect(desk.trackingViews(first.report.id, { kind: 'reporter', id: 'reporter' })).rejects.toThrow(/only the security team/);
  });
});
