// The monitor's JSON API on a real server (127.0.0.1) beside the desk, on SQLite and PostgreSQL:
// a project token pushes CyberChef's real lockfile and gets the findings monitor.test.ts reads
// off the records by hand; scopes and roles; the ref history names the tokens; deletions.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shared, sharedDir } from '../../helpers/shared-data.js';
import { CYBERCHEF_IDS, FAILING_POLICY, PASSING_POLICY, TOCK_IDS, callApi, serverBackends, startMonitorServer, type MonitorServer } from './monitor-web-fixtures.js';

interface Finding {
  readonly id: number;
  readonly project: string;
  readonly ref: string;
  readonly advisory: string;
  readonly state: string;
}
interface PushAnswer {
  readonly failed: boolean;
  readonly exitCode: number;
  readonly counts: { packages: number; findings: number; blocking: number };
  readonly report: { findings: { id: string }[]; summary: { packages: number }; database: { path: string } };
}
interface ErrorBody {
  readonly error: { code: string; message: string; field?: string };
}

function lockFile(project: 'cyberchef' | 'tock'): { name: string; base64: string } {
  const file = path.join(shared('corpus', 'npm', project), 'package-lock.json');
  return { name: 'package-lock.json', base64: readFileSync(file).toString('base64') };
}

describe.skipIf(!existsSync(sharedDir)).each(serverBackends())('the monitor API on $name', ({ index }) => {
  let server: MonitorServer;

  beforeAll(async () => {
    server = await startMonitorServer(index);
  }, 60_000);
  afterAll(async () => {
    await server.dispose();
  });

  it('a project token pushes a real lockfile and gets its findings, verdict and exit status', async () => {
    const answer = await callApi(server, 'POST', '/push', {
      token: server.secrets.alphaCi,
      body: { project: 'alpha', ref: 'main', files: [lockFile('cyberchef')], policy: PASSING_POLICY },
    });
    expect(answer.status, answer.text).toBe(200);
    const push = answer.body as PushAnswer;
    expect([...new Set(push.report.findings.map((finding) => finding.id))].sort()).toEqual(CYBERCHEF_IDS);
    expect(push).toMatchObject({ failed: false, exitCode: 0, counts: { blocking: 0 } });
    expect(push.counts.findings).toBe(push.report.findings.length);
    expect(push.counts.packages).toBeGreaterThan(1000);
    expect(push.report.database.path).toBe('monitor server');

    // The same files under a policy failing on medium: vigil audit would exit 1.
    const failing = await callApi(server, 'POST', '/push', {
      token: server.secrets.admin,
      body: { project: 'beta', ref: 'v1', files: [lockFile('tock')], policy: FAILING_POLICY },
    });
    expect(failing.status, failing.text).toBe(200);
    expect(failing.body).toMatchObject({ failed: true, exitCode: 1 });
    expect([...new Set((failing.body as PushAnswer).report.findings.map((finding) => finding.id))].sort()).toEqual(TOCK_IDS);
  }, 60_000);

  it('holds a project token to its project: 403 elsewhere, other projects filtered out of lists', async () => {
    const elsewhere = await callApi(server, 'POST', '/push', {
      token: server.secrets.alphaCi,
      body: { project: 'beta', ref: 'v1', files: [lockFile('tock')] },
    });
    expect(elsewhere.status).toBe(403);
    expect((elsewhere.body as ErrorBody).error.code).toBe('forbidden');
    const read = await callApi(server, 'GET', '/refs/findings?project=beta&ref=v1', { token: server.secrets.alphaCi });
    expect(read.status).toBe(403);

    const status = await callApi(server, 'GET', '/status', { token: server.secrets.alphaCi });
    expect((status.body as { refs: { project: string; ref: string }[] }).refs.map((ref) => `${ref.project}@${ref.ref}`)).toEqual(['alpha@main']);
    const everything = await callApi(server, 'GET', '/status', { token: server.secrets.observer });
    expect((everything.body as { refs: { project: string; ref: string }[] }).refs.map((ref) => `${ref.project}@${ref.ref}`)).toEqual(['alpha@main', 'beta@v1']);

    // follow-redirects < 1.15.6 is in both lockfiles.
    const affected = (token: string) => callApi(server, 'GET', '/affected?id=GHSA-cxjh-pqwp-8mfp', { token });
    const scoped = (await affected(server.secrets.alphaCi)).body as { findings: Finding[] };
    expect(scoped.findings.map((finding) => `${finding.project}@${finding.ref}`)).toEqual(['alpha@main']);
    const all = (await affected(server.secrets.observer)).body as { findings: Finding[] };
    expect(all.findings.map((finding) => `${finding.project}@${finding.ref}`)).toEqual(['alpha@main', 'beta@v1']);
    // By an alias: CVE-2024-29041 is GHSA-rv95-896h-c2vc (express, CyberChef only).
    const byAlias = (await callApi(server, 'GET', '/affected?id=CVE-2024-29041', { token: server.secrets.observer })).body as { findings: Finding[] };
    expect(byAlias.findings.map((finding) => `${finding.project}@${finding.ref} ${finding.advisory}`)).toEqual(['alpha@main GHSA-rv95-896h-c2vc']);

    const packages = await callApi(server, 'GET', '/packages?ecosystem=npm&name=express', { token: server.secrets.alphaCi });
    expect((packages.body as { refs: { project: string; version: string }[] }).refs.map((ref) => `${ref.project} ${ref.version}`)).toEqual(['alpha 4.17.3']);
  });

  it('lets observers read, responders acknowledge, and records who did it', async () => {
    const findings = (await callApi(server, 'GET', '/refs/findings?project=alpha&ref=main', { token: server.secrets.observer })).body as { findings: Finding[] };
    const express = findings.findings.find((finding) => finding.advisory === 'GHSA-rv95-896h-c2vc');
    if (express === undefined) throw new Error('no express finding');
    expect(express.state).toBe('new');

    const observer = await callApi(server, 'POST', `/findings/${express.id}/acknowledge`, { token: server.secrets.observer });
    expect(observer.status).toBe(403);
    expect((observer.body as ErrorBody).error.message).toContain('observer');
    const responder = await callApi(server, 'POST', `/findings/${express.id}/acknowledge`, { token: server.secrets.responder });
    expect(responder.status, responder.text).toBe(204);

    const beta = (await callApi(server, 'GET', '/refs/findings?project=beta&ref=v1', { token: server.secrets.observer })).body as { findings: Finding[] };
    const betaFinding = beta.findings[0];
    if (betaFinding === undefined) throw new Error('no beta finding');
    expect((await callApi(server, 'POST', `/findings/${betaFinding.id}/acknowledge`, { token: server.secrets.alphaCi })).status).toBe(403);
    expect((await callApi(server, 'POST', '/findings/999999/acknowledge', { token: server.secrets.responder })).status).toBe(404);

    const history = (await callApi(server, 'GET', '/refs/history?project=alpha&ref=main', { token: server.secrets.alphaCi })).body as {
      events: { kind: string; actor: string; advisory?: string; to?: string }[];
    };
    // The push and the acknowledgement, each with who did it (the findings' own creation lines are the matcher's).
    const done = history.events.filter((event) => event.kind === 'push' || event.to === 'acknowledged');
    expect(done.map((event) => `${event.kind} ${event.actor}${event.to === undefined ? '' : ` ${event.advisory ?? ''} ${event.to}`}`)).toEqual([
      'push token:ci-alpha',
      'state token:triage GHSA-rv95-896h-c2vc acknowledged',
    ]);
  });

  it('lets only admins delete a ref, and logs the deletion in the desk audit log', async () => {
    expect((await callApi(server, 'DELETE', '/refs?project=beta&ref=v1', { token: server.secrets.responder })).status).toBe(403);
    const deleted = await callApi(server, 'DELETE', '/refs?project=beta&ref=v1', { token: server.secrets.admin });
    expect(deleted.status, deleted.text).toBe(200);
    expect(deleted.body).toEqual({ refs: ['beta@v1'] });
    expect((await callApi(server, 'GET', '/refs/findings?project=beta&ref=v1', { token: server.secrets.admin })).status).toBe(404);
    expect((await callApi(server, 'GET', '/affected?id=GHSA-jchw-25xp-jwwc', { token: server.secrets.admin })).body).toEqual({ findings: [] });
    const audit = await server.desk.store.readAudit();
    expect(audit.at(-1)).toMatchObject({ action: 'monitor.delete', subject: 'monitor-ref:beta@v1', actor: { id: 'token:boss', role: 'admin' }, detail: { refs: ['beta@v1'] } });
    expect((await callApi(server, 'DELETE', '/projects?project=beta', { token: server.secrets.admin })).status).toBe(200);
    expect((await callApi(server, 'DELETE', '/projects?project=beta', { token: server.secrets.admin })).status).toBe(404);
  });

  it('refuses a revoked token, and holds a project token to its exact project name', async () => {
    const { monitorTokenStore } = await import('../../../src/monitor/web/monitor-tokens.js');
    const tokens = monitorTokenStore(server.desk.store, server.clock);
    const admin = { kind: 'team', id: 'alan', role: 'admin' } as const;
    const created = await tokens.create({ name: 'short-lived', role: 'responder', scope: 'monitor:project:alpha' }, admin);
    expect((await callApi(server, 'GET', '/status', { token: created.secret })).status).toBe(200);
    const lookalike = await callApi(server, 'POST', '/push', { token: created.secret, body: { project: 'alpha2', ref: 'main', files: [lockFile('tock')] } });
    expect(lookalike.status).toBe(403);
    await tokens.revoke(created.token.id, admin);
    expect((await callApi(server, 'GET', '/status', { token: created.secret })).status).toBe(401);
  });

  it.each([
    { name: 'no token', token: undefined, status: 401, code: 'unauthorized' },
    { name: 'a token of no shape', token: 'not-a-token', status: 401, code: 'unauthorized' },
    { name: "the desk's own token", token: 'desk', status: 401, code: 'unauthorized' },
  ])('refuses $name with 401 and a bearer challenge', async ({ token, status, code }) => {
    const answer = await callApi(server, 'GET', '/status', token === undefined ? {} : { token: token === 'desk' ? server.deskSecret : token });
    expect(answer.status).toBe(status);
    expect((answer.body as ErrorBody).error.code).toBe(code);
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="vigil monitor API"/);
  });

  it.each([
    { name: 'a name climbing out of the folder', files: [{ name: '../package-lock.json', text: '{}' }], status: 400, code: 'invalid-request' },
    { name: 'an absolute name', files: [{ name: '/etc/package-lock.json', text: '{}' }], status: 400, code: 'invalid-request' },
    { name: 'a name given twice', files: [{ name: 'a/package-lock.json', text: '{}' }, { name: 'A/package-lock.json', text: '{}' }], status: 400, code: 'invalid-request' },
    { name: 'both text and base64', files: [{ name: 'package-lock.json', text: '{}', base64: 'e30=' }], status: 400, code: 'invalid-request' },
    { name: 'no files', files: [], status: 400, code: 'invalid-request' },
    { name: 'a file no parser reads', files: [{ name: 'notes.txt', text: 'hello' }], status: 400, code: 'invalid-request' },
    { name: 'a broken lockfile', files: [{ name: 'package-lock.json', text: '{"lockfileVersion": 3, "packages": ' }], status: 422, code: 'input' },
    { name: 'only a related file', files: [{ name: 'package.json', text: '{}', related: true }], status: 422, code: 'nothing-to-audit' },
  ])('answers a push with $name with $status $code', async ({ files, status, code }) => {
    const answer = await callApi(server, 'POST', '/push', { token: server.secrets.alphaCi, body: { project: 'alpha', ref: 'bad', files } });
    expect(answer.status, answer.text).toBe(status);
    expect((answer.body as ErrorBody).error.code).toBe(code);
    expect(answer.text).not.toMatch(/vigil-monitor-push-|\n\s+at /);
  });

  it('answers a bad policy 422, a body that is not JSON 415, an unknown route 404, all in JSON', async () => {
    const policy = await callApi(server, 'POST', '/push', { token: server.secrets.alphaCi, body: { project: 'alpha', ref: 'p', files: [lockFile('tock')], policy: 'fail_on: sometimes\n' } });
    expect(policy.status).toBe(422);
    expect((policy.body as ErrorBody).error.code).toBe('config');
    const form = await callApi(server, 'POST', '/push', { token: server.secrets.alphaCi, body: 'project=alpha', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    expect((form.body as ErrorBody).error.code).toBe('unsupported-media-type');
    const unknown = await callApi(server, 'GET', '/nothing', { token: server.secrets.alphaCi });
    expect(unknown.status).toBe(404);
    expect((unknown.body as ErrorBody).error.code).toBe('not-found');
    const name = await callApi(server, 'POST', '/push', { token: server.secrets.alphaCi, body: { project: 'alpha', ref: '<script>', files: [lockFile('tock')] } });
    expect(name.status).toBe(400);
  });
});

describe.skipIf(!existsSync(sharedDir))('the monitor API limits', () => {
  let server: MonitorServer;
  beforeAll(async () => {
    server = await startMonitorServer(0, {
      globalRateLimit: { max: 5, timeWindowMs: 60_000 },
      monitor: { maxPushBytes: 64 * 1024, pushRateLimit: { max: 2, timeWindowMs: 60_000 } },
    });
  }, 60_000);
  afterAll(async () => {
    await server.dispose();
  });

  it('refuses a push body above the limit with 413, then answers 429 with Retry-After (pushes first)', async () => {
    const big = await callApi(server, 'POST', '/push', { token: server.secrets.alphaCi, body: { project: 'alpha', ref: 'main', files: [lockFile('cyberchef')] } });
    expect(big.status).toBe(413);
    expect((big.body as ErrorBody).error.code).toBe('payload-too-large');
    // Pushes have their own, stricter limit: the third in the minute is refused before its body is read.
    await callApi(server, 'POST', '/push', { token: server.secrets.alphaCi, body: { project: 'alpha', ref: 'main', files: [lockFile('cyberchef')] } });
    const third = await callApi(server, 'POST', '/push', { token: server.secrets.alphaCi, body: { project: 'alpha', ref: 'main', files: [lockFile('cyberchef')] } });
    expect(third.status).toBe(429);
    expect((third.body as ErrorBody).error.code).toBe('rate-limited');
    let answer = big;
    for (let i = 0; i < 6 && answer.status !== 429; i += 1) answer = await callApi(server, 'GET', '/status', { token: server.secrets.observer });
    expect(answer.status).toBe(429);
    expect((answer.body as ErrorBody).error.code).toBe('rate-limited');
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
