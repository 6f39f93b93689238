import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeskNotFoundError, DeskRuleError } from '../../../src/core/errors.js';
import { Desk } from '../../../src/desk/desk.js';
import { deskStoreBackends, type DeskStoreDatabase } from '../../helpers/desk-store-backends.js';
import { djangoLikeConfig, OBSERVER, REPORTER_ACTOR, RESPONDER, SUBMISSION } from '../desk-fixtures.js';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0xff, 0x00]);

describe.each(deskStoreBackends())('attachments and credit on $name', (backend) => {
  let database: DeskStoreDatabase;
  let desk: Desk;

  beforeEach(async () => {
    database = await backend.create();
    desk = new Desk({ store: database.store, config: djangoLikeConfig(), clock: { now: () => new Date('2025-06-02T15:00:00Z') } });
  });
  afterEach(async () => {
    await database.dispose();
  });

  it('stores the files of a report with it, byte for byte, and lists them without content', async () => {
    const { report } = await desk.submitReport(SUBMISSION, undefined, [
      { filename: 'poc.png', contentType: 'image/png', data: PNG },
      { filename: 'log.txt', contentType: 'text/plain', data: Buffer.from('GET /admin?q=1\n') },
    ]);
    const listed = await desk.attachments(report.id, RESPONDER);
    expect(listed.map((file) => [file.filename, file.contentType, file.size])).toEqual([
      ['poc.png', 'image/png', PNG.length],
      ['log.txt', 'text/plain', 15],
    ]);
    expect(listed[0]).not.toHaveProperty('data');
    expect(listed[0]?.sha256).toBe(createHash('sha256').update(PNG).digest('hex'));
    const file = await desk.readAttachment(report.id, listed[0]!.id, RESPONDER);
    expect(Buffer.from(file.data).equals(PNG)).toBe(true);
    const log = await database.store.readAudit();
    expect(log.find((event) => event.action === 'report.create')?.detail).toEqual({ attachments: 2 });
    expect(log.some((event) => event.action === 'report.read-embargoed' && event.detail['purpose'] === 'attachment')).toBe(true);
  });

  it('reaches an attachment only through its own report, and only for the team', async () => {
    const first = await desk.submitReport(SUBMISSION, undefined, [{ filename: 'a.txt', contentType: 'text/plain', data: Buffer.from('a') }]);
    const second = await desk.submitReport(SUBMISSION);
    const [file] = await desk.attachments(first.report.id, RESPONDER);
    await expect(desk.readAttachment(second.report.id, file!.id, RESPONDER)).rejects.toThrow(DeskNotFoundError);
    await expect(desk.readAttachment(first.report.id, file!.id, REPORTER_ACTOR)).rejects.toThrow(DeskRuleError);
    await expect(desk.attachments(first.report.id, REPORTER_ACTOR)).rejects.toThrow(DeskRuleError);
    expect(await desk.attachments(second.report.id, OBSERVER)).toEqual([]);
  });

  it('stores no report when one of its files cannot be stored', async () => {
    const bad = { filename: 'x.txt', contentType: 'text/plain', data: Buffer.from('x') };
    // A filename the NOT NULL column refuses makes the second insert fail inside the transaction.
    await expect(desk.submitReport(SUBMISSION, undefined, [bad, { ...bad, filename: null as unknown as string }])).rejects.toThrow();
    expect(await database.store.countReports()).toBe(0);
  });

  it('lets the reporter change the credit through the tracking link, with an audit line', async () => {
    const { report, trackingToken } = await desk.submitReport(SUBMISSION);
    expect(await desk.chooseCredit(trackingToken, { mode: 'anonymous' })).toEqual({ mode: 'anonymous' });
    expect((await database.store.getReport(report.id))?.submission.reporter.credit).toEqual({ mode: 'anonymous' });
    // Named without a name: the name they reported under.
    expect(await desk.chooseCredit(trackingToken, { mode: 'named', name: '  ' })).toEqual({ mode: 'named', name: 'Ada Reporter' });
    expect(await desk.chooseCredit(trackingToken, { mode: 'named', name: 'Ada of Example' })).toEqual({ mode: 'named', name: 'Ada of Example' });
    expect((await desk.reporterView(trackingToken))?.submission.reporter.credit).toEqual({ mode: 'named', name: 'Ada of Example' });
    const credits = (await database.store.readAudit()).filter((event) => event.action === 'report.credit');
    expect(credits.map((event) => [event.actor.kind, event.subject, event.detail['mode']])).toEqual([
      ['reporter', `report:${report.id}`, 'anonymous'],
      ['reporter', `report:${report.id}`, 'named'],
      ['reporter', `report:${report.id}`, 'named'],
    ]);
  });

  it('refuses a credit change for an unknown token or report', async () => {
    await expect(desk.chooseCredit('A'.repeat(43), { mode: 'anonymous' })).rejects.toThrow(DeskNotFoundError);
    await expect(database.store.setCredit(999, { mode: 'anonymous' })).rejects.toThrow(DeskNotFoundError);
    await expect(database.store.addAttachment(999, { filename: 'a', contentType: 'text/plain', size: 1, sha256: '', data: Buffer.from('a'), addedAt: '2025-06-02T15:00:00.000Z' })).rejects.toThrow(
      DeskNotFoundError,
    );
  });
});
