// Rematch cases read off hand-written records (test/helpers/osv-records: PyPI, affected below
// 1.0.1, published 2024-02-01T10:00Z, no severity, so the default policy's unknown_severity high
// applies and its 7-day SLA makes the fix due 2024-02-08T10:00Z) against one ref at 1.0.0:
// a record joined later by an alias keeps its finding (no second notification), an exception
// makes a finding `excepted`, a range vigil cannot order is counted as unevaluable.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAdvisoryStore } from '../../src/advisories/store/sqlite-store.js';
import { fixedClock } from '../../src/core/clock.js';
import { pushRef } from '../../src/monitor/push.js';
import { portfolioOverview, refFindings, refsAffectedBy } from '../../src/monitor/queries.js';
import { rematch } from '../../src/monitor/rematch.js';
import type { MonitorDb } from '../../src/monitor/store/open-monitor-store.js';
import { osvRecord } from '../helpers/osv-records.js';
import { importRecordObjects } from './monitor-records.js';
import { monitorBackends, type MonitorTestDatabase } from './monitor-backends.js';

const clock = fixedClock('2024-07-01T00:00:00Z');

const POLICY = `version: 1
exceptions:
  - id: VIGIL-EXC-1
    reason: not reachable in this release line
    approved_by: security-team
    issue: https://example.org/tracker/1
    approved_on: 2024-06-30
    expires_on: 2024-07-10
`;

describe.each(monitorBackends())('rematch cases on $name', (backend) => {
  let database: MonitorTestDatabase;
  let monitor: MonitorDb;
  let dir: string;
  let storePath: string;

  const importRecords = (records: readonly Record<string, unknown>[]): Promise<void> => importRecordObjects(storePath, dir, records, clock);

  beforeAll(async () => {
    database = await backend.create();
    monitor = database.monitor;
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-rematch-cases-'));
    storePath = path.join(dir, 'advisories.db');
    await importRecords([osvRecord('VIGIL-SAFE-1', 'pkg-safe')]);
    const project = path.join(dir, 'project');
    mkdirp(project);
    writeFileSync(path.join(project, 'requirements.txt'), 'pkg-alias==1.0.0\npkg-excepted==1.0.0\npkg-uneval==1.0.0\npkg-safe==2.0.0\n');
    const outcome = await pushRef({
      monitor,
      project: 'alpha',
      ref: '2.4-ltm',
      input: { paths: [path.join(project, 'requirements.txt')], root: project },
      policyText: POLICY,
      openStore: () => Promise.resolve(openAdvisoryStore(storePath, { clock })),
      clock,
      maxDbAgeMs: 365 * 86_400_000,
    });
    expect(outcome.result.findings).toEqual([]);
    await rematch({ monitor, storePath, clock });
  }, 60_000);
  afterAll(async () => {
    await database.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('new findings, an excepted one, an unevaluable range; overdue and expiring counted', async () => {
    const unorderable = osvRecord('VIGIL-UNEV-1', 'pkg-uneval');
    unorderable['affected'] = [{ package: { ecosystem: 'PyPI', name: 'pkg-uneval' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: 'not.a.version!' }] }] }];
    await importRecords([osvRecord('PYSEC-2024-900', 'pkg-alias'), osvRecord('VIGIL-EXC-1', 'pkg-excepted'), unorderable]);
    const outcome = await rematch({ monitor, storePath, clock });
    expect(outcome).toMatchObject({ changedRecords: 3, refs: 1, unevaluable: 1, changes: { created: 2, outbox: 2 } });
    const findings = await refFindings(monitor, 'alpha', '2.4-ltm');
    expect(findings.map((finding) => [finding.advisory, finding.state, finding.severity])).toEqual([
      ['PYSEC-2024-900', 'new', 'high'],
      ['VIGIL-EXC-1', 'excepted', 'high'],
    ]);
    expect(findings[0]?.due).toBe('2024-02-08T10:00:00.000Z');
    const [overview] = await portfolioOverview(monitor, clock);
    expect(overview).toMatchObject({ open: { high: 1 }, excepted: 1, overdue: 1, unevaluable: 1, expiringExceptions: [{ id: 'VIGIL-EXC-1', daysLeft: 9 }] });
  });

  it('a record joining a finding by alias keeps its row and sends nothing more', async () => {
    const before = await refFindings(monitor, 'alpha', '2.4-ltm');
    const ghsa = { ...osvRecord('GHSA-aaaa-bbbb-cccc', 'pkg-alias'), aliases: ['PYSEC-2024-900', 'CVE-2024-99999'] };
    await importRecords([ghsa]);
    const outcome = await rematch({ monitor, storePath, clock });
    expect(outcome.changes).toMatchObject({ created: 0, outbox: 0, updated: 1 });
    const after = await refFindings(monitor, 'alpha', '2.4-ltm');
    const merged = after.find((finding) => finding.id === before[0]?.id);
    expect(merged?.advisory).toBe('GHSA-aaaa-bbbb-cccc');
    expect(merged?.ids).toEqual(['CVE-2024-99999', 'GHSA-aaaa-bbbb-cccc', 'PYSEC-2024-900']);
    expect((await refsAffectedBy(monitor, 'CVE-2024-99999')).map((finding) => finding.id)).toEqual([before[0]?.id]);
    const outbox = await monitor.db.selectFrom('monitor_outbox').select('advisory_id').orderBy('advisory_id').execute();
    expect(outbox.map((row) => row.advisory_id)).toEqual(['PYSEC-2024-900', 'VIGIL-EXC-1']);
  });

  // PostgreSQL: two pools, as two server processes. SQLite: one process does the work, so the
  // second run shares its connection (a second connection in the same thread would wait for the
  // write lock synchronously, holding up the event loop the first needs to finish).
  it('two rematches at once write one finding and one outbox row', async () => {
    const second = backend.name === 'postgres' ? await database.reopen() : monitor;
    // pkg-safe is at 2.0.0: a range from 0 with no fix includes it.
    const racing = { ...osvRecord('VIGIL-RACE-1', 'pkg-safe', '2024-05-01T10:00:00Z'), affected: [{ package: { ecosystem: 'PyPI', name: 'pkg-safe' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }] };
    await importRecords([racing]);
    const outcomes = await Promise.all([rematch({ monitor, storePath, clock }), rematch({ monitor: second, storePath, clock })]);
    expect(outcomes.map((outcome) => outcome.changes.created).sort()).toEqual([0, 1]);
    const outbox = await monitor.db.selectFrom('monitor_outbox').select('advisory_id').where('advisory_id', '=', 'VIGIL-RACE-1').execute();
    expect(outbox).toHaveLength(1);
  });

  // One advisory, refs that share its package: the verdict on pkg-mixed 1.0.0 is computed once,
  // but each ref's own policy decides its state. Batches of 2 refs, so refs sharing a verdict are
  // written in different transactions. By hand: below 1.0.1 is affected, so the three refs at
  // 1.0.0 get a finding (excepted under the policy naming VIGIL-MIX-1, new under the default
  // policy with the 7-day SLA from publication) and the ref at 1.0.1 none.
  it('refs with different policies get different states for the same advisory', async () => {
    const mixedPolicy = POLICY.replaceAll('VIGIL-EXC-1', 'VIGIL-MIX-1');
    const refs: readonly { name: string; version: string; policyText?: string; want?: readonly [string, string | null] }[] = [
      { name: 'exc-a', version: '1.0.0', policyText: mixedPolicy, want: ['excepted', null] },
      { name: 'plain', version: '1.0.0', want: ['new', '2024-02-08T10:00:00.000Z'] },
      { name: 'exc-b', version: '1.0.0', policyText: mixedPolicy, want: ['excepted', null] },
      { name: 'fixed', version: '1.0.1' },
    ];
    for (const ref of refs) {
      const project = path.join(dir, `beta-${ref.name}`);
      mkdirp(project);
      writeFileSync(path.join(project, 'requirements.txt'), `pkg-mixed==${ref.version}\n`);
      await pushRef({
        monitor,
        project: 'beta',
        ref: ref.name,
        input: { paths: [path.join(project, 'requirements.txt')], root: project },
        ...(ref.policyText === undefined ? {} : { policyText: ref.policyText }),
        openStore: () => Promise.resolve(openAdvisoryStore(storePath, { clock })),
        clock,
        maxDbAgeMs: 365 * 86_400_000,
      });
    }
    await importRecords([osvRecord('VIGIL-MIX-1', 'pkg-mixed')]);
    const outcome = await rematch({ monitor, storePath, clock, batchSize: 2 });
    expect(outcome).toMatchObject({ changedRecords: 1, refs: 4, changes: { created: 3, outbox: 3 } });
    for (const ref of refs) {
      const findings = await refFindings(monitor, 'beta', ref.name);
      expect(findings.map((finding) => [finding.state, finding.due ?? null]), ref.name).toEqual(ref.want === undefined ? [] : [ref.want]);
    }
    const outbox = await monitor.db.selectFrom('monitor_outbox').select('ref').where('advisory_id', '=', 'VIGIL-MIX-1').orderBy('ref').execute();
    expect(outbox.map((row) => row.ref)).toEqual(['exc-a', 'exc-b', 'plain']);
  });

  // The newest record was modified on 2024-05-01: pushed on 2024-07-20 the data is 80 days old,
  // within a ref's max_db_age of 120d and past one of 30d or the 7-day default: the ref's own
  // policy decides, as for vigil audit.
  it.each([
    { name: 'max_db_age 120d accepts 80-day-old data', policy: 'version: 1\nmax_db_age: 120d\n', stale: false },
    { name: 'max_db_age 30d refuses it', policy: 'version: 1\nmax_db_age: 30d\n', stale: true },
    { name: 'no max_db_age: the 7-day default refuses it', policy: 'version: 1\n', stale: true },
  ])('a push holds the ref policy\'s max_db_age: $name', async ({ policy, stale }) => {
    const project = path.join(dir, 'aged');
    mkdirp(project);
    writeFileSync(path.join(project, 'requirements.txt'), 'pkg-safe==2.0.0\n');
    const pushing = pushRef({
      monitor,
      project: 'alpha',
      ref: 'aged',
      input: { paths: [path.join(project, 'requirements.txt')], root: project },
      policyText: policy,
      openStore: () => Promise.resolve(openAdvisoryStore(storePath, { clock })),
      clock: fixedClock('2024-07-20T00:00:00Z'),
    });
    if (stale) await expect(pushing).rejects.toThrow(/older than the allowed/);
    else await expect(pushing).resolves.toHaveProperty('refId');
  });

  it.each([0, -1, 1.5, Number.NaN])('a batch size of %s is refused', async (batchSize) => {
    await expect(rematch({ monitor, storePath, clock, batchSize })).rejects.toThrow(/invalid rematch batch size/);
  });
});

function mkdirp(folder: string): void {
  mkdirSync(folder, { recursive: true });
}
