import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deskStoreBackends } from '../../helpers/desk-store-backends.js';
import { Browser, startWebDesk, trackingPathIn, type WebDesk } from './web-fixtures.js';

const SCRIPT = '<script>alert(1)</script>';
const ATTRIBUTE = '"onerror=alert(1)';
const IMAGE = '<img src=x onerror=alert(1)>';
const PAYLOAD = `${SCRIPT} ${ATTRIBUTE} ${IMAGE}`;

/**
 * The attribute names of every start tag, read strictly: a tag whose attributes are not all
 * `name` or `name="value"` (what an attribute break-out leaves behind) is an error.
 */
function attributeNames(body: string): string[] {
  const names: string[] = [];
  for (const match of body.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>/g)) {
    const inside = (match[2] ?? '').replace(/\/$/, '');
    const attribute = /\s+([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?/y;
    let at = 0;
    while (at < inside.trimEnd().length) {
      attribute.lastIndex = at;
      const found = attribute.exec(inside);
      if (found === null) throw new Error(`malformed tag: ${match[0].slice(0, 120)}`);
      names.push(found[1] ?? '');
      at = attribute.lastIndex;
    }
  }
  return names;
}

/** Whether a page shows the payloads only as text: no script element or event attribute came from them. */
function expectInert(body: string, where: string): void {
  expect(body, where).not.toContain(SCRIPT);
  expect(body, where).not.toContain(ATTRIBUTE);
  expect(body, where).not.toContain(IMAGE);
  expect(attributeNames(body).filter((name) => /^on/i.test(name)), where).toEqual([]);
  expect(body.match(/<script\b/g)?.length ?? 0, where).toBe((body.match(/<script src="\/assets\/[a-z]+\.js" defer><\/script>/g) ?? []).length);
  expect(body, where).not.toMatch(/<img\b/);
}

describe.each(deskStoreBackends())('payloads render inert on $name', (backend) => {
  let web: WebDesk;
  beforeEach(async () => {
    web = await startWebDesk(backend);
  });
  afterEach(async () => {
    await web.dispose();
  });

  it('escapes script and attribute payloads in every report field, message, note, credit and join request', async () => {
    const reporter = new Browser(web.app);
    const fields = {
      title: PAYLOAD,
      name: PAYLOAD,
      email: 'xss@example.net',
      organisation: PAYLOAD,
      creditMode: 'named',
      creditName: PAYLOAD,
      description: PAYLOAD,
      stepsToReproduce: PAYLOAD,
      impact: PAYLOAD,
      attackSurface: PAYLOAD,
      relatedProjects: PAYLOAD,
      affectedVersions: PAYLOAD,
    };
    const receipt = await reporter.postMultipart('/report', { ...fields, _csrf: await reporter.csrf('/report') }, [
      { field: 'attachments', filename: `${ATTRIBUTE}.txt`, type: 'text/plain', data: Buffer.from(PAYLOAD) },
    ]);
    expect(receipt.statusCode).toBe(200);
    const tracking = trackingPathIn(receipt.body);
    await reporter.submit(tracking, `${tracking}/messages`, { body: PAYLOAD });
    const credited = await reporter.submit(tracking, `${tracking}/credit`, { creditMode: 'named', creditName: PAYLOAD });
    expect(credited.statusCode).toBe(303);

    const team = new Browser(web.app);
    await team.logIn('rita');
    await team.submit('/team/reports/1', '/team/reports/1/actions/acknowledge', { note: PAYLOAD });
    await team.submit('/team/reports/1', '/team/reports/1/actions/triage', { note: PAYLOAD });
    const accepted = await team.submit('/team/reports/1', '/team/reports/1/actions/accept', {
      severity: 'high',
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      cwes: 'CWE-79',
      affectedSeries: ['main', '5.2'],
      summary: PAYLOAD,
      note: PAYLOAD,
    });
    expect(accepted.statusCode).toBe(303);
    await team.submit('/team/reports/1', '/team/reports/1/messages', { body: PAYLOAD });
    expect((await web.desk.store.getReport(1))?.state).toBe('accepted');

    const visitor = new Browser(web.app);
    await visitor.submit('/join', '/join', {
      organisation: PAYLOAD,
      group: 'distributor',
      contact: 'security@distro.example',
      keyId: PAYLOAD,
      justification: `${PAYLOAD} we ship the project to users`,
      url: `https://distro.example/${ATTRIBUTE}`,
    });
    // A refused form comes back with the values and the reason: both escaped.
    const refusedJoin = await visitor.submit('/join', '/join', { organisation: PAYLOAD, group: 'other', contact: 'not-an-address', justification: PAYLOAD, url: PAYLOAD });
    expect(refusedJoin.statusCode).toBe(400);
    const refusedReport = await visitor.postMultipart('/report', { ...fields, email: PAYLOAD, _csrf: await visitor.csrf('/report') });
    expect(refusedReport.statusCode).toBe(400);

    const admin = new Browser(web.app);
    await admin.logIn('alan');
    const pages: Record<string, string> = {
      'tracking page': (await reporter.get(tracking)).body,
      inbox: (await team.get('/team')).body,
      'report page': (await team.get('/team/reports/1')).body,
      'notification list': (await admin.get('/team/notify')).body,
      'audit log': (await admin.get('/team/audit')).body,
      'refused join form': refusedJoin.body,
      'refused report form': refusedReport.body,
    };
    for (const [where, body] of Object.entries(pages)) expectInert(body, where);
    expect(pages['report page']).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &quot;onerror=alert(1) &lt;img src=x onerror=alert(1)&gt;');
    expect(pages['tracking page']).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(pages['notification list']).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(pages['refused report form']).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
