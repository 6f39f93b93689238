import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier, type Notifier, type NotificationRoute } from '../../../src/jobs/notify/notifier.js';
import type { NotificationMailer } from '../../../src/jobs/notify/notification-mail.js';
import type { Notification } from '../../../src/jobs/notify/notification.js';
import { jobBackends, type JobDatabase } from '../job-backends.js';
import { drivenQueue, FAST_RETRY, memoryOutbox, notification, SECRET, type DrivenQueue } from './notify-fixtures.js';
import { startWebhookReceiver, type Answer, type ReceivedRequest, type WebhookReceiver } from './webhook-receiver.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  readonly database: JobDatabase;
  readonly driven: DrivenQueue;
  readonly notifier: Notifier;
  readonly receiver: WebhookReceiver;
}

async function setUp(
  create: () => Promise<JobDatabase>,
  answer: (request: ReceivedRequest, index: number) => Answer = () => ({ status: 200 }),
  extraRoutes: (receiver: WebhookReceiver) => NotificationRoute[] = () => [],
  onRequest?: (request: ReceivedRequest) => void,
  mailer?: NotificationMailer,
): Promise<Setup> {
  const database = await create();
  cleanups.push(() => database.dispose());
  const receiver = await startWebhookReceiver(SECRET, answer, onRequest);
  cleanups.push(() => receiver.close());
  const driven = await drivenQueue(database);
  cleanups.push(() => driven.stop());
  const notifier = await createNotifier({
    queue: driven.queue,
    db: database.db,
    transact: (work) => database.transact(work),
    dialect: database.dialect,
    routes: [{ target: { kind: 'webhook', id: 'team-hook', url: receiver.url, secret: SECRET, timeoutMs: 2_000 }, minSeverity: 'low' }, ...extraRoutes(receiver)],
    retry: FAST_RETRY,
    leaseMs: 10_000,
    ...(mailer === undefined ? {} : { mailer }),
    ...(driven.clock === undefined ? {} : { clock: driven.clock }),
  });
  return { database, driven, notifier, receiver };
}

async function stateOf(notifier: Notifier, id: string, target = 'team-hook') {
  return (await notifier.deliveries()).find((delivery) => delivery.notificationId === id && delivery.targetId === target);
}

describe.each(jobBackends())('webhook delivery on $name', ({ create }) => {
  it('a receiver that is down first, then up, gets the notification once, signed', async () => {
    const { driven, notifier, receiver } = await setUp(create);
    await receiver.down();
    const outbox = memoryOutbox([notification(1)]);
    expect(await notifier.dispatch(outbox)).toEqual({ notifications: 1, queued: 1 });
    expect(outbox.marked).toEqual(new Set(['outbox-1']));
    await driven.runUntil(async () => ((await stateOf(notifier, 'outbox-1'))?.attempts ?? 0) >= 1, 'a first, failed try');
    const afterFirst = await stateOf(notifier, 'outbox-1');
    expect(afterFirst?.state).toBe('pending');
    expect(afterFirst?.lastError).toMatch(/^no connection/);
    await receiver.up();
    await driven.runUntil(async () => (await stateOf(notifier, 'outbox-1'))?.state === 'delivered', 'the delivery');
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request?.signatureValid).toBe(true);
    expect(request?.notificationId).toBe('outbox-1');
    expect(request?.attempt).toBe(2);
    expect(JSON.parse(request?.body ?? '')).toEqual({ type: 'finding.new', notification: notification(1) });
    expect(await notifier.summary()).toEqual({ pending: 0, delivered: 1, failed: 0 });
  });

  it('a 500 is retried and the 200 after it ends the delivery', async () => {
    const { driven, notifier, receiver } = await setUp(create, (_request, index) => ({ status: index === 0 ? 500 : 200 }));
    await notifier.dispatch(memoryOutbox([notification(1)]));
    await driven.runUntil(async () => (await stateOf(notifier, 'outbox-1'))?.state === 'delivered', 'the delivery');
    expect(receiver.requests.map((request) => [request.notificationId, request.attempt])).toEqual([
      ['outbox-1', 1],
      ['outbox-1', 2],
    ]);
    expect(await stateOf(notifier, 'outbox-1')).toMatchObject({ attempts: 2, lastStatus: 200 });
  });

  it.each([
    { name: 'a receiver that keeps failing is given up after the last try', status: 503, requests: 3, error: 'gave up after 3 tries: HTTP 503' },
    { name: 'a refusing receiver is not tried again', status: 404, requests: 1, error: 'refused: HTTP 404' },
    { name: 'a redirect is not followed and not tried again', status: 302, requests: 1, error: 'refused: HTTP 302 (redirects are not followed)' },
  ])('$name', async ({ status, requests, error }) => {
    const { driven, notifier, receiver } = await setUp(create, (): Answer => (status === 302 ? { status, headers: { location: 'http://127.0.0.1:9/elsewhere' } } : { status }));
    await notifier.dispatch(memoryOutbox([notification(1)]));
    await driven.runUntil(async () => (await stateOf(notifier, 'outbox-1'))?.state === 'failed', 'the give-up');
    expect(receiver.requests).toHaveLength(requests);
    expect(await stateOf(notifier, 'outbox-1')).toMatchObject({ state: 'failed', attempts: requests, lastStatus: status, lastError: error });
    expect(await notifier.summary()).toEqual({ pending: 0, delivered: 0, failed: 1 });
  });

  it('a notification dispatched twice (its outbox mark lost) is queued and delivered once', async () => {
    const { driven, notifier, receiver } = await setUp(create);
    const outbox = memoryOutbox([notification(1), notification(2)], { loseMarks: true });
    expect(await notifier.dispatch(outbox)).toEqual({ notifications: 2, queued: 2 });
    expect(await notifier.dispatch(outbox)).toEqual({ notifications: 2, queued: 0 });
    await driven.runUntil(async () => (await notifier.summary()).delivered === 2, 'both deliveries');
    expect(receiver.requests.map((request) => request.notificationId).sort()).toEqual(['outbox-1', 'outbox-2']);
  });

  it('routes by project and severity threshold; an unknown severity reaches every target', async () => {
    const { driven, notifier, receiver } = await setUp(create, undefined, (own) => [
      { target: { kind: 'webhook', id: 'django-high', url: own.url, secret: SECRET }, projects: ['django'], minSeverity: 'high' },
    ]);
    const rows: Notification[] = [
      notification(1, { project: 'django', severity: 'critical' }),
      notification(2, { project: 'django', severity: 'medium' }),
      notification(3, { project: 'nautobot', severity: 'critical' }),
      notification(4, { project: 'django', severity: 'unknown' }),
      notification(5, { project: 'django', severity: 'none' }),
    ];
    expect(await notifier.dispatch(memoryOutbox(rows))).toEqual({ notifications: 5, queued: 6 });
    await driven.runUntil(async () => (await notifier.summary()).delivered === 6, 'every delivery');
    const routed = (await notifier.deliveries()).map((delivery) => `${delivery.notificationId}>${delivery.targetId}`).sort();
    expect(routed).toEqual([
      'outbox-1>django-high',
      'outbox-1>team-hook',
      'outbox-2>team-hook',
      'outbox-3>team-hook',
      'outbox-4>django-high',
      'outbox-4>team-hook',
      // outbox-5 (severity none) is below both thresholds.
    ]);
    expect(receiver.requests).toHaveLength(6);
  });
});

describe('webhook delivery timing (SQLite, a clock moved by hand)', () => {
  const [sqlite] = jobBackends();
  it("waits for a 429's Retry-After, not only the backoff", async () => {
    const seenAt: number[] = [];
    let clockNow = (): number => 0;
    const { driven, notifier, receiver } = await setUp(
      sqlite!.create,
      (_request, index) => (index === 0 ? { status: 429, headers: { 'retry-after': '7' } } : { status: 200 }),
      undefined,
      () => seenAt.push(clockNow()),
    );
    clockNow = () => driven.clock!.now().getTime();
    await notifier.dispatch(memoryOutbox([notification(1)]));
    await driven.runUntil(async () => (await stateOf(notifier, 'outbox-1'))?.state === 'delivered', 'the delivery');
    expect(receiver.requests).toHaveLength(2);
    // The backoff alone would be 500 ms (1 s base, jitter fixed at 0): the second try waits 7 s,
    // and the driver moves the clock in 250 ms steps.
    expect(seenAt[1]! - seenAt[0]!).toBe(7_000);
  });

  it('without Retry-After, tries follow the backoff: 500 ms, then 1 s', async () => {
    const seenAt: number[] = [];
    let clockNow = (): number => 0;
    const { driven, notifier } = await setUp(sqlite!.create, () => ({ status: 503 }), undefined, () => seenAt.push(clockNow()));
    clockNow = () => driven.clock!.now().getTime();
    await notifier.dispatch(memoryOutbox([notification(1)]));
    await driven.runUntil(async () => (await stateOf(notifier, 'outbox-1'))?.state === 'failed', 'the give-up');
    expect(seenAt.slice(1).map((at, index) => at - seenAt[index]!)).toEqual([500, 1_000]);
  });
});

describe('e-mail delivery (SQLite, a clock moved by hand)', () => {
  const [sqlite] = jobBackends();

  function recordingMailer(): NotificationMailer & { sent: { to: string; subject: string; body: string }[] } {
    const sent: { to: string; subject: string; body: string }[] = [];
    return {
      sent,
      send: (to, subject, body) => {
        sent.push({ to, subject, body });
        return Promise.resolve();
      },
    };
  }

  it('sends one mail per notification, its data shown visibly', async () => {
    const mailer = recordingMailer();
    const { driven, notifier } = await setUp(sqlite!.create, undefined, () => [{ target: { kind: 'email', id: 'team-mail', to: 'security@example.org' }, minSeverity: 'low' }], undefined, mailer);
    await notifier.dispatch(memoryOutbox([notification(1, { package: { name: 'evil\u202e\nSubject: x', version: '1.0' } })]));
    await driven.runUntil(async () => (await notifier.summary()).delivered === 2, 'the mail and the webhook');
    expect(mailer.sent).toHaveLength(1);
    const [mail] = mailer.sent;
    expect(mail?.to).toBe('security@example.org');
    expect(mail?.subject).toBe('GHSA-vm8q-m57g-pff3 (medium) affects nautobot 2.4-ltm');
    expect(mail?.body).toContain('nautobot 2.4-ltm: evil\\u{202e}\\nSubject: x 1.0');
    expect(mail?.body).not.toContain('\u202e');
    expect(mail?.body).toContain('advisory: GHSA-vm8q-m57g-pff3, CVE-2024-27351, PYSEC-2024-47');
  });

  it('a digest target gets the period’s notifications in one mail at its end', async () => {
    const mailer = recordingMailer();
    const { driven, notifier } = await setUp(
      sqlite!.create,
      undefined,
      () => [{ target: { kind: 'email', id: 'digest', to: 'team@example.org', digest: { periodMinutes: 60 } }, minSeverity: 'low' }],
      undefined,
      mailer,
    );
    // The clock starts at 10:00:00; the period is 10:00 to 11:00.
    await notifier.dispatch(memoryOutbox([notification(1), notification(2, { project: 'django', ref: 'main' })]));
    driven.clock!.advance(30 * 60_000);
    await notifier.dispatch(memoryOutbox([notification(3, { ref: 'v2.4.10' })]));
    await driven.runUntil(async () => (await notifier.summary()).delivered >= 3, 'the webhooks');
    expect(mailer.sent).toHaveLength(0);
    driven.clock!.advance(29 * 60_000);
    await driven.runUntil(() => true, 'one round');
    expect(mailer.sent).toHaveLength(0);
    driven.clock!.advance(60_000);
    await driven.runUntil(async () => (await notifier.summary()).delivered === 6, 'the digest');
    expect(driven.clock!.now().toISOString() >= '2026-01-05T11:00:00.000Z').toBe(true);
    expect(mailer.sent).toHaveLength(1);
    const [mail] = mailer.sent;
    expect(mail?.subject).toBe('Digest: 3 new vulnerabilities in 2 projects');
    expect(mail?.body.split('\n').filter((text) => text.startsWith('== '))).toEqual(['== django main', '== nautobot 2.4-ltm', '== nautobot v2.4.10']);
    expect(mail?.body).toContain('from 2026-01-05T10:00:00.000Z to 2026-01-05T11:00:00.000Z');
  });

  it('a mailer that keeps failing is given up and recorded', async () => {
    const { driven, notifier } = await setUp(
      sqlite!.create,
      undefined,
      () => [{ target: { kind: 'email', id: 'team-mail', to: 'security@example.org' }, minSeverity: 'low' }],
      undefined,
      { send: () => Promise.reject(new Error('connection refused\nsecond line')) },
    );
    await notifier.dispatch(memoryOutbox([notification(1)]));
    await driven.runUntil(async () => (await stateOf(notifier, 'outbox-1', 'team-mail'))?.state === 'failed', 'the give-up');
    expect(await stateOf(notifier, 'outbox-1', 'team-mail')).toMatchObject({ attempts: 3, lastError: 'gave up after 3 tries: connection refused' });
  });
});
