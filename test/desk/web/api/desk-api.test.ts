import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeskReport, Role } from '../../../../src/desk/types.js';
import { deskApiPlugin } from '../../../../src/desk/web/api/desk-api-plugin.js';
import { deskStoreBackends } from '../../../helpers/desk-store-backends.js';
import { SUBMISSION } from '../../desk-fixtures.js';
import { startApiTestApp, type ApiTestApp, type ErrorAnswer } from './api-test-app.js';

const VECTOR = 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N';
const ACCEPT = {
  kind: 'accept',
  assessment: { severity: 'high', cvssVector: VECTOR, cwes: ['CWE-89'], affectedSeries: ['main', '5.2', '5.1', '4.2'], summary: 'SQL injection in admin search' },
} as const;
const NOTIFY_ENTRY = { organisation: 'Debian', group: 'distributor', contact: 'security@debian.example', reviewOn: '2026-06-01' } as const;

describe.each(deskStoreBackends())('the desk JSON API on $name', (backend) => {
  let api: ApiTestApp;

  beforeEach(async () => {
    api = await startApiTestApp(backend);
  });
  afterEach(async () => {
    await api.close();
  });

  /** Submits the fixture report through the desk itself; its id. */
  async function seedReport(): Promise<number> {
    return (await api.desk.submitReport(SUBMISSION)).report.id;
  }

  /** Moves a report through the API as the responder; fails the test on a refusal. */
  async function act(id: number, action: Record<string, unknown>, note = 'done'): Promise<DeskReport> {
    const answer = await api.call('POST', `/reports/${id}/transitions`, { token: api.secrets.responder, body: { action, note } });
    expect(answer.status, answer.text).toBe(200);
    return answer.json<DeskReport>();
  }

  describe('authentication', () => {
    interface Case {
      readonly name: string;
      readonly authorization: (api: ApiTestApp) => Promise<string | undefined>;
      readonly challenge: RegExp;
    }
    const cases: Case[] = [
      { name: 'no Authorization header', authorization: () => Promise.resolve(undefined), challenge: /^Bearer realm="vigil desk API"$/ },
      { name: 'an empty Authorization header', authorization: () => Promise.resolve(''), challenge: /^Bearer realm="vigil desk API"$/ },
      { name: 'another scheme', authorization: (app) => Promise.resolve(`Basic ${app.secrets.admin}`), challenge: /error="invalid_request"/ },
      { name: 'a token of the wrong shape', authorization: () => Promise.resolve('Bearer not-a-token'), challenge: /error="invalid_token"/ },
      {
        name: 'a well-formed token the desk never issued',
        authorization: () => Promise.resolve(`Bearer ${'A'.repeat(43)}`),
        challenge: /error="invalid_token"/,
      },
      {
        name: 'a token with one character changed',
        authorization: (app) => Promise.resolve(`Bearer ${app.secrets.admin.slice(0, -1)}${app.secrets.admin.endsWith('A') ? 'B' : 'A'}`),
        challenge: /error="invalid_token"/,
      },
      {
        name: 'a revoked token',
        authorization: async (app) => {
          const { token, secret } = await app.tokens.create({ name: 'old-bot', role: 'admin' }, { kind: 'system', id: 'system' });
          await app.tokens.revoke(token.id, { kind: 'system', id: 'system' });
          return `Bearer ${secret}`;
        },
        challenge: /error="invalid_token"/,
      },
    ];

    it.each(cases)('refuses $name with 401 and a bearer challenge', async ({ authorization, challenge }) => {
      const header = await authorization(api);
      for (const [method, path] of [
        ['GET', '/reports'],
        ['POST', '/reports'],
        ['GET', '/audit'],
      ] as const) {
        const answer = await api.call(method, path, {
          ...(header === undefined ? {} : { headers: { authorization: header } }),
          ...(method === 'POST' ? { body: SUBMISSION } : {}),
        });
        expect(answer.status).toBe(401);
        expect(answer.json<ErrorAnswer>().error.code).toBe('unauthorized');
        expect(String(answer.headers['www-authenticate'])).toMatch(challenge);
      }
      expect(await api.database.store.countReports()).toBe(0);
    });

    it('stops answering a token the moment it is revoked, and records its last use', async () => {
      const { token, secret } = await api.tokens.create({ name: 'ci-bot', role: 'observer' }, { kind: 'system', id: 'system' });
      api.clock.set('2025-06-03T09:30:00Z');
      expect((await api.call('GET', '/reports', { token: secret })).status).toBe(200);
      expect((await api.tokens.list()).find((listed) => listed.id === token.id)?.lastUsedAt).toBe('2025-06-03T09:30:00.000Z');
      await api.tokens.revoke(token.id, { kind: 'system', id: 'system' });
      expect((await api.call('GET', '/reports', { token: secret })).status).toBe(401);
    });

    it('refuses before reading the body: no token and broken JSON is still a 401', async () => {
      const answer = await api.call('POST', '/reports', { body: '{not json', headers: { 'content-type': 'application/json' } });
      expect(answer.status).toBe(401);
    });

    it('serves the OpenAPI document without a token', async () => {
      const answer = await api.call('GET', '/openapi.json');
      expect(answer.status).toBe(200);
      expect(answer.json<{ openapi: string }>().openapi).toMatch(/^3\.1\.\d+$/);
    });
  });

  describe('roles', () => {
    it('lets an observer read the inbox, a report, its backports, the lists and the supported versions', async () => {
      const id = await seedReport();
      await act(id, { kind: 'acknowledge' });
      await act(id, { kind: 'triage' });
      await act(id, ACCEPT);
      for (const path of [`/reports`, `/reports/${id}`, `/reports/${id}/backports`, `/reports/${id}/documents/osv`, '/notify-list', '/join-requests', '/supported']) {
        const answer = await api.call('GET', path, { token: api.secrets.observer });
        expect(answer.status, `${path}: ${answer.text}`).toBe(200);
      }
    });

    interface WriteCase {
      readonly name: string;
      readonly role: Role;
      readonly method: 'POST' | 'DELETE' | 'GET';
      readonly path: (id: number) => string;
      readonly body?: unknown;
    }
    const refused: WriteCase[] = [
      { name: 'acknowledge a report', role: 'observer', method: 'POST', path: (id) => `/reports/${id}/transitions`, body: { action: { kind: 'acknowledge' }, note: 'on it' } },
      { name: 'record a fix', role: 'observer', method: 'POST', path: (id) => `/reports/${id}/fixes`, body: { series: 'main', patch: 'abc' } },
      { name: 'write to the reporter', role: 'observer', method: 'POST', path: (id) => `/reports/${id}/messages`, body: { body: 'hello' } },
      { name: 'submit a report', role: 'observer', method: 'POST', path: () => '/reports', body: SUBMISSION },
      { name: 'add to the notification list', role: 'observer', method: 'POST', path: () => '/notify-list', body: NOTIFY_ENTRY },
      { name: 'export the audit log', role: 'observer', method: 'GET', path: () => '/audit' },
      { name: 'add to the notification list', role: 'responder', method: 'POST', path: () => '/notify-list', body: NOTIFY_ENTRY },
      { name: 'remove from the notification list', role: 'responder', method: 'DELETE', path: () => '/notify-list/1' },
      { name: 'decide a join request', role: 'responder', method: 'POST', path: () => '/join-requests/1/decision', body: { outcome: 'approved', reason: 'ok' } },
      { name: 'export the audit log', role: 'responder', method: 'GET', path: () => '/audit' },
    ];

    it.each(refused)('refuses a $role token to $name (403), changing nothing', async ({ role, method, path, body }) => {
      const id = await seedReport();
      const before = await api.database.store.readAudit();
      const answer = await api.call(method, path(id), { token: api.secrets[role], ...(body === undefined ? {} : { body }) });
      expect(answer.status, answer.text).toBe(403);
      const error = answer.json<ErrorAnswer>().error;
      expect(error.code).toBe('forbidden');
      expect(error.message).toContain(`has the role ${role}`);
      expect((await api.database.store.getReport(id))?.state).toBe('received');
      expect(await api.database.store.countReports()).toBe(1);
      // Nothing happened, so nothing was logged.
      expect(await api.database.store.readAudit()).toEqual(before);
    });
  });

  describe('scopes', () => {
    it('refuses an admin token limited to a part of the desk (403): only a desk token opens the API', async () => {
      const system = { kind: 'system', id: 'system' } as const;
      const { secret } = await api.tokens.create({ name: 'narrow-bot', role: 'admin', scope: 'desk:project:django' }, system);
      const before = await api.database.store.readAudit();
      for (const path of ['/reports', '/audit']) {
        const answer = await api.call('GET', path, { token: secret });
        expect(answer.status, answer.text).toBe(403);
        expect(answer.json<ErrorAnswer>().error.message).toContain('is limited to desk:project:django');
      }
      expect(await api.database.store.readAudit()).toEqual(before);
    });
  });

  describe('the report lifecycle', () => {
    it('takes a report and hands out its tracking token once', async () => {
      const answer = await api.call('POST', '/reports', { token: api.secrets.responder, body: SUBMISSION });
      expect(answer.status, answer.text).toBe(201);
      const { id, state, trackingToken } = answer.json<{ id: number; state: string; trackingToken: string }>();
      expect(state).toBe('received');
      expect(trackingToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect((await api.desk.reporterView(trackingToken))?.id).toBe(id);
      const created = (await api.database.store.readAudit()).find((event) => event.action === 'report.create');
      expect(created?.actor).toEqual({ kind: 'team', id: 'token:responder-bot', role: 'responder' });
    });

    it('lets a responder carry a report through acknowledge, triage and accept', async () => {
      const id = await seedReport();
      api.clock.set('2025-06-03T14:00:00Z');
      expect((await act(id, { kind: 'acknowledge' }, 'thanks, looking')).state).toBe('acknowledged');
      expect((await act(id, { kind: 'triage' }, 'reproduced on 5.2')).state).toBe('triaged');
      const accepted = await act(id, ACCEPT, 'confirmed');
      expect(accepted.state).toBe('accepted');
      expect(accepted.assessment?.cvss).toEqual({ version: '3.1', vector: VECTOR, score: 6.5 });
      expect(accepted.transitions.map((transition) => [transition.from, transition.to, transition.note])).toEqual([
        ['received', 'acknowledged', 'thanks, looking'],
        ['acknowledged', 'triaged', 'reproduced on 5.2'],
        ['triaged', 'accepted', 'confirmed'],
      ]);
      expect(accepted.transitions.every((transition) => transition.actor.id === 'token:responder-bot' && transition.actor.role === 'responder')).toBe(true);

      const inbox = await api.call('GET', '/reports', { token: api.secrets.observer });
      const items = inbox.json<{ items: { report: { id: number; state: string; severity?: string }; clocks: { name: string; status: string }[] }[] }>().items;
      expect(items.map((item) => [item.report.id, item.report.state, item.report.severity])).toEqual([[id, 'accepted', 'high']]);
      expect(items[0]?.clocks.find((clock) => clock.name === 'acknowledge')?.status).toBe('met');
      expect(items[0]?.clocks.find((clock) => clock.name === 'fix')?.status).toBe('pending');
    });

    it('logs a read of the report through the API as an embargoed read by the token', async () => {
      const id = await seedReport();
      const answer = await api.call('GET', `/reports/${id}`, { token: api.secrets.observer });
      expect(answer.status).toBe(200);
      expect(answer.json<DeskReport>().submission.description).toBe(SUBMISSION.description);
      const reads = (await api.database.store.readAudit()).filter((event) => event.action === 'report.read-embargoed');
      expect(reads.map((event) => [event.actor.id, event.subject, event.detail['purpose']])).toEqual([['token:observer-bot', `report:${id}`, 'api']]);
    });

    it('goes on to fixes, messages, the schedule, the backport matrix and the documents', async () => {
      const id = await seedReport();
      api.clock.set('2025-06-03T14:00:00Z');
      await act(id, { kind: 'acknowledge' });
      await act(id, { kind: 'triage' });
      await act(id, ACCEPT);
      await act(id, { kind: 'start-fix' });
      for (const fix of [
        { series: 'main', patch: 'a1' },
        { series: '5.2', fixedIn: '5.2.4', patch: 'b2' },
        { series: '5.1', fixedIn: '5.1.11', patch: 'c3' },
        { series: '4.2', fixedIn: '4.2.23', patch: 'd4' },
      ]) {
        const answer = await api.call('POST', `/reports/${id}/fixes`, { token: api.secrets.responder, body: fix });
        expect(answer.status, answer.text).toBe(200);
      }
      const message = await api.call('POST', `/reports/${id}/messages`, { token: api.secrets.responder, body: { body: 'Fixed; disclosure on July 1.' } });
      expect(message.status).toBe(201);
      expect(message.json<{ body: string; author: { id: string } }>()).toMatchObject({ body: 'Fixed; disclosure on July 1.', author: { id: 'token:responder-bot' } });

      const backports = await api.call('GET', `/reports/${id}/backports?on=2025-06-03`, { token: api.secrets.observer });
      expect(backports.json<{ on: string; items: { series: string; status: string; fixedIn?: string }[] }>()).toMatchObject({
        on: '2025-06-03',
        items: expect.arrayContaining([
          { series: '5.2', kind: 'series', status: 'fixed', fixedIn: '5.2.4', patch: 'b2', affected: true, note: expect.any(String) as string },
        ]) as unknown,
      });

      const early = await api.call('GET', `/reports/${id}/documents/pre-announcement`, { token: api.secrets.observer });
      expect(early.status).toBe(422);
      expect(early.json<ErrorAnswer>().error.message).toMatch(/no disclosure date yet/);

      await act(id, { kind: 'schedule-disclosure', at: '2025-07-01T14:00:00Z' }, 'release day');
      const osv = await api.call('GET', `/reports/${id}/documents/osv`, { token: api.secrets.observer });
      expect(osv.status, osv.text).toBe(200);
      expect(osv.headers['content-type']).toMatch(/^application\/json/);
      expect(osv.json<{ schema_version: string; affected: unknown[] }>().affected.length).toBeGreaterThan(0);
      const advisory = await api.call('GET', `/reports/${id}/documents/advisory`, { token: api.secrets.observer });
      expect(advisory.headers['content-type']).toBe('text/markdown; charset=utf-8');
      expect(advisory.text).toContain('Ada R.');
      const preAnnouncement = await api.call('GET', `/reports/${id}/documents/pre-announcement`, { token: api.secrets.observer });
      expect(preAnnouncement.status).toBe(200);
      expect(preAnnouncement.text).not.toContain(SUBMISSION.description);
      expect(preAnnouncement.text).not.toContain('CWE-89');
      const reads = (await api.database.store.readAudit()).filter((event) => event.action === 'report.read-embargoed');
      expect(reads.map((event) => event.detail['purpose'])).toEqual(
        expect.arrayContaining(['backport-matrix', 'document:osv', 'document:advisory', 'document:pre-announcement']),
      );
    });
  });

  describe('bad requests', () => {
    interface Case {
      readonly name: string;
      readonly method: 'GET' | 'POST';
      readonly path: (id: number) => string;
      readonly body?: unknown;
      readonly field: string;
    }
    const cases: Case[] = [
      { name: 'a bad e-mail address', method: 'POST', path: () => '/reports', body: { ...SUBMISSION, reporter: { ...SUBMISSION.reporter, email: 'ada' } }, field: 'body.reporter.email' },
      { name: 'a missing title', method: 'POST', path: () => '/reports', body: { ...SUBMISSION, title: undefined }, field: 'body.title' },
      { name: 'an unknown key', method: 'POST', path: () => '/reports', body: { ...SUBMISSION, severity: 'high' }, field: 'body' },
      { name: 'no body', method: 'POST', path: (id) => `/reports/${id}/transitions`, field: 'body.action' },
      { name: 'an unknown action', method: 'POST', path: (id) => `/reports/${id}/transitions`, body: { action: { kind: 'fast-forward' }, note: 'x' }, field: 'body.action.kind' },
      { name: 'a missing note', method: 'POST', path: (id) => `/reports/${id}/transitions`, body: { action: { kind: 'acknowledge' } }, field: 'body.note' },
      {
        name: 'an assessment without a vector',
        method: 'POST',
        path: (id) => `/reports/${id}/transitions`,
        body: { action: { ...ACCEPT, assessment: { ...ACCEPT.assessment, cvssVector: undefined } }, note: 'x' },
        field: 'body.action.assessment.cvssVector',
      },
      { name: 'a fix without a patch', method: 'POST', path: (id) => `/reports/${id}/fixes`, body: { series: 'main' }, field: 'body.patch' },
      { name: 'a message that is not text', method: 'POST', path: (id) => `/reports/${id}/messages`, body: { body: 42 }, field: 'body.body' },
      { name: 'a report id that is not a number', method: 'GET', path: () => '/reports/abc', field: 'path.id' },
      { name: 'a report id of zero', method: 'GET', path: () => '/reports/0', field: 'path.id' },
      { name: 'an unknown document', method: 'GET', path: (id) => `/reports/${id}/documents/tweet`, field: 'path.kind' },
      { name: 'an impossible date', method: 'GET', path: () => '/supported?on=2025-02-30', field: 'query.on' },
      { name: 'an unknown query parameter', method: 'GET', path: () => '/supported?when=today', field: 'query' },
    ];

    it.each(cases)('answers $name with 400 naming $field', async ({ method, path, body, field }) => {
      const id = await seedReport();
      const answer = await api.call(method, path(id), { token: api.secrets.admin, ...(body === undefined ? {} : { body }) });
      expect(answer.status, answer.text).toBe(400);
      const error = answer.json<ErrorAnswer>().error;
      expect(error).toMatchObject({ code: 'invalid-request', field });
      expect(error.message.startsWith(`${field}: `)).toBe(true);
    });

    it('refuses a body that is not JSON (415) and broken JSON (400)', async () => {
      const id = await seedReport();
      const form = await api.call('POST', `/reports/${id}/messages`, {
        token: api.secrets.responder,
        body: 'body=hello',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(form.status).toBe(415);
      expect(form.json<ErrorAnswer>().error.code).toBe('unsupported-media-type');
      const broken = await api.call('POST', `/reports/${id}/messages`, {
        token: api.secrets.responder,
        body: '{"body": ',
        headers: { 'content-type': 'application/json' },
      });
      expect(broken.status).toBe(400);
      expect(broken.json<ErrorAnswer>().error.code).toBe('invalid-request');
      expect((await api.database.store.getReport(id))?.messages).toEqual([]);
    });

    it('answers an unknown report 404 and an unknown route 404, as JSON', async () => {
      const report = await api.call('GET', '/reports/999', { token: api.secrets.observer });
      expect(report.status).toBe(404);
      expect(report.json<ErrorAnswer>().error).toEqual({ code: 'not-found', message: 'no report 999' });
      const route = await api.call('GET', '/nothing-here', { token: api.secrets.observer, undocumented: true });
      expect(route.status).toBe(404);
      expect(route.json<ErrorAnswer>().error.code).toBe('not-found');
    });
  });

  describe('rule refusals', () => {
    it('answers a move the lifecycle forbids with 422 and the desk\'s own message', async () => {
      const id = await seedReport();
      const answer = await api.call('POST', `/reports/${id}/transitions`, { token: api.secrets.responder, body: { action: { kind: 'triage' }, note: 'skip ahead' } });
      expect(answer.status).toBe(422);
      expect(answer.json<ErrorAnswer>().error).toEqual({ code: 'refused', message: `report ${id} is received; "triage" is allowed only from acknowledged` });
      expect((await api.database.store.getReport(id))?.state).toBe('received');
    });

    it.each([
      { name: 'a rejection without a detailed reason', action: { kind: 'reject', reason: 'nope' }, message: /a rejection needs a detailed reason/ },
      { name: 'a CWE id of the wrong form', action: { ...ACCEPT, assessment: { ...ACCEPT.assessment, cwes: ['89'] } }, message: /"89" is not a CWE id/ },
      { name: 'an unknown series', action: { ...ACCEPT, assessment: { ...ACCEPT.assessment, affectedSeries: ['9.9'] } }, message: /"9\.9" is not a release series/ },
    ])('answers $name with 422', async ({ action, message }) => {
      const id = await seedReport();
      await act(id, { kind: 'acknowledge' });
      await act(id, { kind: 'triage' });
      const answer = await api.call('POST', `/reports/${id}/transitions`, { token: api.secrets.responder, body: { action, note: 'decided' } });
      expect(answer.status, answer.text).toBe(422);
      expect(answer.json<ErrorAnswer>().error.message).toMatch(message);
    });

    it('answers a public mailing list as a notification contact with 422', async () => {
      const answer = await api.call('POST', '/notify-list', { token: api.secrets.admin, body: { ...NOTIFY_ENTRY, contact: 'oss-security@lists.openwall.com' } });
      expect(answer.status).toBe(422);
      expect(answer.json<ErrorAnswer>().error.message).toMatch(/public mailing list/);
    });

    it('answers a second decision on a join request with 409', async () => {
      const request = await api.desk.requestToJoin({
        organisation: 'Fedora',
        group: 'distributor',
        contact: 'security@fedora.example',
        justification: 'Fedora ships the framework in its main repositories.',
        url: 'https://fedora.example/packages/framework',
      });
      const first = await api.call('POST', `/join-requests/${request.id}/decision`, { token: api.secrets.admin, body: { outcome: 'approved', reason: 'meets the criteria' } });
      expect(first.status, first.text).toBe(200);
      expect(first.json<{ decision: { outcome: string; by: string } }>().decision).toMatchObject({ outcome: 'approved', by: 'token:admin-bot' });
      const second = await api.call('POST', `/join-requests/${request.id}/decision`, { token: api.secrets.admin, body: { outcome: 'declined', reason: 'changed my mind' } });
      expect(second.status).toBe(409);
      expect(second.json<ErrorAnswer>().error).toMatchObject({ code: 'conflict', message: `join request ${request.id} is already approved by token:admin-bot` });
      const list = await api.call('GET', '/notify-list', { token: api.secrets.observer });
      expect(list.json<{ items: { organisation: string }[] }>().items.map((entry) => entry.organisation)).toEqual(['Fedora']);
    });
  });

  describe('lists, dates and the audit log', () => {
    it('answers the supported lines of a date (main, 5.2, 5.1 and 4.2 in mid-2025) and of today', async () => {
      const on = await api.call('GET', '/supported?on=2025-06-02', { token: api.secrets.observer });
      expect(on.json<{ on: string; items: { name: string }[] }>()).toMatchObject({ on: '2025-06-02' });
      expect(on.json<{ items: { name: string }[] }>().items.map((line) => line.name)).toEqual(['main', '5.2', '5.1', '4.2']);
      const today = await api.call('GET', '/supported', { token: api.secrets.observer });
      expect(today.json<{ on: string }>().on).toBe('2025-06-02');
    });

    it('lets an admin keep the notification list', async () => {
      const added = await api.call('POST', '/notify-list', { token: api.secrets.admin, body: NOTIFY_ENTRY });
      expect(added.status, added.text).toBe(201);
      const entry = added.json<{ id: number; approvedBy: string; approvedOn: string }>();
      expect(entry).toMatchObject({ approvedBy: 'token:admin-bot', approvedOn: '2025-06-02' });
      expect((await api.call('GET', '/notify-list', { token: api.secrets.observer })).json<{ items: unknown[] }>().items).toHaveLength(1);
      const removed = await api.call('DELETE', `/notify-list/${entry.id}`, { token: api.secrets.admin });
      expect(removed.status).toBe(204);
      expect(removed.text).toBe('');
      expect((await api.call('DELETE', `/notify-list/${entry.id}`, { token: api.secrets.admin })).status).toBe(404);
    });

    it('lists join requests with their decision clocks', async () => {
      await api.desk.requestToJoin({
        organisation: 'Alpine',
        group: 'distributor',
        contact: 'security@alpine.example',
        justification: 'Alpine packages the framework for its users.',
        url: 'https://alpine.example/framework',
      });
      const answer = await api.call('GET', '/join-requests', { token: api.secrets.observer });
      const items = answer.json<{ items: { request: { organisation: string }; clock: { name: string; status: string } }[] }>().items;
      expect(items.map((item) => [item.request.organisation, item.clock.name, item.clock.status])).toEqual([['Alpine', 'decision', 'pending']]);
    });

    it('exports the audit log to an admin as JSON lines', async () => {
      const id = await seedReport();
      await act(id, { kind: 'acknowledge' });
      const answer = await api.call('GET', '/audit', { token: api.secrets.admin });
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toMatch(/^application\/x-ndjson\b/);
      const lines = answer.text.trimEnd().split('\n').map((line) => JSON.parse(line) as { action: string; actor: { id: string } });
      expect(lines.map((line) => line.action)).toEqual(['api-token.create', 'api-token.create', 'api-token.create', 'report.create', 'report.transition']);
      expect(lines.at(-1)?.actor.id).toBe('token:responder-bot');
      const exported = (await api.database.store.readAudit()).at(-1);
      expect(exported).toMatchObject({ action: 'audit.export', actor: { id: 'token:admin-bot' } });
    });

    it('marks every answer, refusals included, as not to be cached', async () => {
      for (const token of [api.secrets.observer, undefined]) {
        const answer = await api.call('GET', '/reports', token === undefined ? {} : { token });
        expect(answer.headers['cache-control']).toBe('no-store');
      }
    });
  });
});

describe('the desk JSON API in a larger app', () => {
  it('keeps its JSON-only parsing to itself: the console\'s form posts still parse outside it', async () => {
    const backend = deskStoreBackends()[0];
    if (backend === undefined) throw new Error('no desk store backend');
    const api = await startApiTestApp(backend);
    const app = Fastify();
    try {
      await app.register(formbody);
      app.post('/login', (request) => Promise.resolve({ got: request.body }));
      await app.register(deskApiPlugin, { desk: api.desk, prefix: '/api/v1' });
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      const login = await app.inject({ method: 'POST', url: '/login', headers: form, payload: 'user=rita' });
      expect(login.json<{ got: unknown }>().got).toEqual({ user: 'rita' });
      const message = await app.inject({
        method: 'POST',
        url: '/api/v1/reports/1/messages',
        headers: { ...form, authorization: `Bearer ${api.secrets.responder}` },
        payload: 'body=hello',
      });
      expect(message.statusCode).toBe(415);
    } finally {
      await app.close();
      await api.close();
    }
  });
});
