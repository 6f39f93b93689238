// The monitor's console pages for logged-in desk users, on SQLite and PostgreSQL: the portfolio,
// a ref's findings and history, the affected-by search, the Acknowledge button for responders and
// admins (CSRF-checked), and names and text from pushes and queries escaped.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shared, sharedDir } from '../../helpers/shared-data.js';
import { Browser, csrfTokenIn } from '../../desk/web/web-fixtures.js';
import { PASSING_POLICY, callApi, serverBackends, startMonitorServer, type MonitorServer } from './monitor-web-fixtures.js';

/** A ref name no push accepts, written straight into the database as an older vigil or another writer might have. */
const HOSTILE = '<img src=x onerror=alert(1)>\u202eevil\u001b[31m';

/**
 * CyberChef under fail_on medium, SLA high 7 days, and an exception for express's
 * CVE-2024-29041 (GHSA-rv95-896h-c2vc) ending 2024-07-10. On 2024-07-01: ws's GHSA-3h5v-q93c-6h6q
 * (high, published 2024-06-17) was due 2024-06-24, so overdue; semver's and follow-redirects'
 * (medium) are open with no due date (next-release); express's is excepted, its exception 9 days
 * from its last day.
 */
const LTM_POLICY = `fail_on: medium
max_db_age: 36500d
sla:
  high: 7d
exceptions:
  - id: CVE-2024-29041
    reason: The affected redirect helper is not used by this release line.
    approved_by: alice
    issue: https://example.org/tracker/7
    approved_on: 2024-07-01
    expires_on: 2024-07-10
`;

describe.skipIf(!existsSync(sharedDir)).each(serverBackends())('the monitor console on $name', ({ index }) => {
  let server: MonitorServer;
  let expressFinding: number;

  beforeAll(async () => {
    server = await startMonitorServer(index);
    const lock = readFileSync(path.join(shared('corpus', 'npm', 'cyberchef'), 'package-lock.json')).toString('base64');
    const push = await callApi(server, 'POST', '/push', {
      token: server.secrets.alphaCi,
      body: { project: 'alpha', ref: 'main', files: [{ name: 'package-lock.json', base64: lock }], policy: PASSING_POLICY },
    });
    expect(push.status, push.text).toBe(200);
    const ltm = await callApi(server, 'POST', '/push', {
      token: server.secrets.alphaCi,
      body: { project: 'alpha', ref: 'ltm', files: [{ name: 'package-lock.json', base64: lock }], policy: LTM_POLICY },
    });
    expect(ltm.status, ltm.text).toBe(200);
    const findings = (await callApi(server, 'GET', '/refs/findings?project=alpha&ref=main', { token: server.secrets.observer })).body as {
      findings: { id: number; advisory: string }[];
    };
    expressFinding = findings.findings.find((finding) => finding.advisory === 'GHSA-rv95-896h-c2vc')?.id ?? 0;
    const project = await server.monitor.db.selectFrom('monitor_projects').select('id').where('name', '=', 'alpha').executeTakeFirstOrThrow();
    const now = '2024-07-01T00:00:00.000Z';
    await server.monitor.db
      .insertInto('monitor_refs')
      .values({ project_id: project.id, name: HOSTILE, policy_text: null, skipped: '[]', sources: '[]', packages: 0, created_at: now, pushed_at: now })
      .execute();
  }, 60_000);
  afterAll(async () => {
    await server.dispose();
  });

  it('sends a visitor without a session to the desk log-in, and back after it', async () => {
    const visitor = new Browser(server.app);
    const page = await visitor.get('/team/monitor');
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/team/login?next=%2Fteam%2Fmonitor');
    const ref = await visitor.get('/team/monitor/ref?project=alpha&ref=main');
    expect(ref.headers.location).toBe('/team/login?next=%2Fteam%2Fmonitor%2Fref');
  });

  it('shows the portfolio, projects x refs x severities, with every name escaped', async () => {
    const rita = new Browser(server.app);
    expect((await rita.logIn('rita')).statusCode).toBe(303);
    const page = await rita.get('/team/monitor');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    // CyberChef: ws (high), follow-redirects, semver and express (medium): 1 high, 3 medium.
    const row = /<tr>\s*<td>alpha<\/td>\s*<td><a href="\/team\/monitor\/ref\?project=alpha&amp;ref=main">main<\/a><\/td>\s*<td>(\d+)<\/td>\s*<td>(\d+)<\/td>\s*<td>(\d+)<\/td>\s*<td>(\d+)<\/td>/.exec(page.body);
    expect(row?.slice(1)).toEqual(['0', '1', '3', '0']);
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).not.toContain('\u202e');
    expect(page.body).not.toContain('\u001b');
    expect(page.body).toContain('&lt;img src=x onerror=alert(1)&gt;\\u{202e}evil\\x1b[31m');
  });

  it("is linked from the console's navigation, on the desk's pages and its own", async () => {
    const rita = new Browser(server.app);
    await rita.logIn('rita');
    const link = '<a href="/team/monitor">Monitor</a>';
    const nav = (body: string): string => /<nav aria-label="Console">[\s\S]*?<\/nav>/.exec(body)?.[0] ?? '';
    expect(nav((await rita.get('/team')).body)).toContain(link);
    expect(nav((await rita.get('/team/monitor')).body)).toContain(link);
    // The public pages are not the console: no link there.
    expect((await rita.get('/')).body).not.toContain(link);
  });

  it('shows overdue findings, excepted ones and expiring exceptions of a ref', async () => {
    const alan = new Browser(server.app);
    await alan.logIn('alan');
    const page = await alan.get('/team/monitor');
    const row = page.body.split('<tr').find((candidate) => candidate.includes('ref=ltm'));
    const cells = [...(row ?? '').matchAll(/<td>(.*?)<\/td>/gs)].map((match) => (match[1] ?? '').replace(/<[^>]+>/g, '').trim());
    // project, ref, critical, high, medium, low, other, excepted, overdue, unevaluable, expiring exceptions
    expect(cells.slice(0, 11)).toEqual(['alpha', 'ltm', '0', '1', '2', '0', '0', '1', '1 overdue', '0', 'CVE-2024-29041 (9 days left)']);
    expect(page.body).toMatch(/<tr class="overdue">\s*<td>alpha<\/td>\s*<td><a href="[^"]*ref=ltm"/);
  });

  it("shows a ref's findings and history with actors, and a responder acknowledges with the form", async () => {
    const rita = new Browser(server.app);
    await rita.logIn('rita');
    const page = await rita.get('/team/monitor/ref?project=alpha&ref=main');
    expect(page.statusCode).toBe(200);
    for (const id of ['GHSA-3h5v-q93c-6h6q', 'GHSA-c2qf-rxjj-qqgw', 'GHSA-cxjh-pqwp-8mfp', 'GHSA-rv95-896h-c2vc']) expect(page.body).toContain(id);
    expect(page.body).toContain('express@4.17.3 (package-lock.json)');
    expect(page.body).toMatch(/<td>push: \d+ packages, \d+ findings<\/td><td>token:ci-alpha<\/td>/);
    const action = `/team/monitor/findings/${expressFinding}/acknowledge`;
    expect(page.body).toContain(`action="${action}"`);

    // The site's CSRF check comes first: a post without the token changes nothing.
    expect((await rita.post(action, {})).statusCode).toBe(403);
    const done = await rita.post(action, { _csrf: csrfTokenIn(page.body) ?? '' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/team/monitor/ref?project=alpha&ref=main');
    const after = await rita.get('/team/monitor/ref?project=alpha&ref=main');
    expect(after.body).toContain(`Finding ${expressFinding} acknowledged.`);
    expect(after.body).toMatch(/GHSA-rv95-896h-c2vc: new -&gt; acknowledged<\/td><td>user:rita<\/td>/);
    expect(after.body).not.toContain(`action="${action}"`);
  });

  it('gives an observer no button, and refuses their post', async () => {
    const otto = new Browser(server.app);
    await otto.logIn('otto');
    const page = await otto.get('/team/monitor/ref?project=alpha&ref=main');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('>Acknowledge</button>');
    const refused = await otto.post(`/team/monitor/findings/${expressFinding}/acknowledge`, { _csrf: csrfTokenIn(page.body) ?? '' });
    expect(refused.statusCode).toBe(403);
  });

  it('escapes a hostile ref on its page, and a hostile search on the affected page', async () => {
    const alan = new Browser(server.app);
    await alan.logIn('alan');
    const ref = await alan.get(`/team/monitor/ref?${new URLSearchParams({ project: 'alpha', ref: HOSTILE }).toString()}`);
    expect(ref.statusCode).toBe(200);
    expect(ref.body).toContain('<h1>alpha @ &lt;img src=x onerror=alert(1)&gt;\\u{202e}evil\\x1b[31m</h1>');
    expect(ref.body).not.toContain('<img src=x');

    const search = await alan.get(`/team/monitor/affected?${new URLSearchParams({ id: '<script>alert(1)</script>\u202e' }).toString()}`);
    expect(search.statusCode).toBe(200);
    expect(search.body).not.toContain('<script>alert');
    expect(search.body).toContain('No monitored ref is affected by &lt;script&gt;alert(1)&lt;/script&gt;\\u{202e}.');

    const alias = await alan.get('/team/monitor/affected?id=CVE-2024-29041');
    // main's is new (acknowledged above), ltm's excepted: both still apply.
    expect(alias.body).toContain('2 open findings for CVE-2024-29041.');
    expect(alias.body).toContain('GHSA-rv95-896h-c2vc');
    expect((await alan.get('/team/monitor/ref?project=alpha&ref=nothing')).statusCode).toBe(404);
  });
});
