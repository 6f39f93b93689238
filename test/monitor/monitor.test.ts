// The monitor over real lockfiles (CyberChef's and Tock's package-lock.json, CyberChef's
// CycloneDX SBOM) and real GHSA records. Expected refs are read off the lockfile versions and
// the records' ranges by hand:
//
//   package          CyberChef lock/SBOM      Tock lock
//   follow-redirects 1.15.5                   1.15.0
//   express          4.17.3                   (none)
//   json5            2.2.3                    2.2.1
//   semver           5.7.1, 6.3.1, 7.5.4      5.7.1, 6.3.0, 7.3.7
//   ws               3.3.3, 7.5.7, 8.16.0     8.5.0
//
//   GHSA-jchw-25xp-jwwc follow-redirects < 1.15.4          -> Tock only
//   GHSA-cxjh-pqwp-8mfp follow-redirects < 1.15.6          -> both
//   GHSA-rv95-896h-c2vc express < 4.19.2                   -> CyberChef only
//   GHSA-9c47-m6qq-7p4h json5 [2.0.0, 2.2.2)               -> Tock only
//   GHSA-c2qf-rxjj-qqgw semver < 5.7.2 (and 6.x, 7.x)      -> both (5.7.1)
//   GHSA-3h5v-q93c-6h6q ws [2.1.0,5.2.4) ... [8.0.0,8.17.1) -> both (one group per ref, CyberChef's three copies in it)
//   GHSA-78xj-cgh5-2h22 ip                                 -> neither (the store's first record)
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAdvisories } from '../../src/advisories/import.js';
import { openAdvisoryStore } from '../../src/advisories/store/sqlite-store.js';
import { fixedClock, type Clock } from '../../src/core/clock.js';
import { buildInventory } from '../../src/inventory/build-inventory.js';
import { pushRef, type PushInput } from '../../src/monitor/push.js';
import { portfolioOverview, refFindings, refHistory, refsAffectedBy, refsWithPackage } from '../../src/monitor/queries.js';
import { rematch } from '../../src/monitor/rematch.js';
import type { MonitorDb } from '../../src/monitor/store/open-monitor-store.js';
import { repoRoot, shared, sharedDir } from '../helpers/shared-data.js';
import { importRecordIds } from './monitor-records.js';
import { monitorBackends, type MonitorTestDatabase } from './monitor-backends.js';

const RECORDS = path.join(repoRoot, 'test/data/osv/ghsa-npm');
const LATER = ['GHSA-jchw-25xp-jwwc', 'GHSA-cxjh-pqwp-8mfp', 'GHSA-rv95-896h-c2vc', 'GHSA-9c47-m6qq-7p4h', 'GHSA-c2qf-rxjj-qqgw', 'GHSA-3h5v-q93c-6h6q'];
const clock: Clock = fixedClock('2024-07-01T00:00:00Z');
const YEAR_MS = 365 * 86_400_000;

function lockInput(project: 'cyberchef' | 'tock'): PushInput {
  const dir = shared('corpus', 'npm', project);
  return { paths: [path.join(dir, 'package-lock.json')], root: dir };
}

function sbomInput(): PushInput {
  const dir = shared('corpus', 'sbom-cyclonedx', 'cyberchef-npm-sbom');
  return { paths: [path.join(dir, 'cyberchef-10.8.2.cdx.json')], root: dir };
}

function importRecords(storePath: string, ids: readonly string[], dir: string): Promise<void> {
  return importRecordIds(storePath, dir, ids, clock);
}

/** (project@ref, primary id) of every open finding, sorted. */
async function openPairs(monitor: MonitorDb, refs: readonly (readonly [string, string])[]): Promise<string[]> {
  const pairs: string[] = [];
  for (const [project, ref] of refs) {
    for (const finding of await refFindings(monitor, project, ref)) {
      if (['new', 'acknowledged', 'excepted'].includes(finding.state)) pairs.push(`${project}@${ref} ${finding.advisory}`);
    }
  }
  return pairs.sort();
}

async function outboxPairs(monitor: MonitorDb): Promise<string[]> {
  const rows = await monitor.db.selectFrom('monitor_outbox').select(['project', 'ref', 'advisory_id', 'delivered_at']).execute();
  for (const row of rows) expect(row.delivered_at).toBeNull();
  return rows.map((row) => `${row.project}@${row.ref} ${row.advisory_id}`).sort();
}

const REFS = [
  ['alpha', 'main'],
  ['alpha', '2.4-ltm'],
  ['beta', 'v2.4.10'],
] as const;

describe.skipIf(!existsSync(sharedDir)).each(monitorBackends())('the monitor on $name', (backend) => {
  let database: MonitorTestDatabase;
  let monitor: MonitorDb;
  let dir: string;
  let storePath: string;
  const openStore = (): Promise<ReturnType<typeof openAdvisoryStore>> => Promise.resolve(openAdvisoryStore(storePath, { clock }));
  const push = (project: string, ref: string, input: PushInput, policyText?: string) =>
    pushRef({ monitor, project, ref, input, openStore, clock, maxDbAgeMs: YEAR_MS, ...(policyText === undefined ? {} : { policyText }) });

  beforeAll(async () => {
    database = await backend.create();
    monitor = database.monitor;
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-monitor-store-'));
    storePath = path.join(dir, 'advisories.db');
    await importRecords(storePath, ['GHSA-78xj-cgh5-2h22'], dir);
  }, 60_000);
  afterAll(async () => {
    await database.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pushes refs from lockfiles and an SBOM, with no findings while the store has none for them', async () => {
    const outcomes = await Promise.all([push('alpha', 'main', lockInput('cyberchef')), push('alpha', '2.4-ltm', lockInput('tock')), push('beta', 'v2.4.10', lockInput('tock'))]);
    for (const outcome of outcomes) {
      expect(outcome.result.findings).toEqual([]);
      expect(outcome.failed).toBe(false);
    }
    const sbom = await push('beta', 'sbom', sbomInput());
    expect(sbom.result.inventory.packages.length).toBeGreaterThan(1000);
    const overview = await portfolioOverview(monitor, clock);
    expect(overview.map((ref) => `${ref.project}@${ref.ref}`)).toEqual(['alpha@2.4-ltm', 'alpha@main', 'beta@sbom', 'beta@v2.4.10']);
    // The first rematch takes the store as it is: its one record hits no inventory.
    const first = await rematch({ monitor, storePath, clock });
    expect(first).toMatchObject({ changedRecords: 1, refs: 0, changes: { created: 0, outbox: 0 } });
  }, 120_000);

  it('an advisory imported later produces findings for exactly the affected refs, and one outbox row each', async () => {
    await importRecords(storePath, LATER, dir);
    const outcome = await rematch({ monitor, storePath, clock });
    const tock = ['GHSA-3h5v-q93c-6h6q', 'GHSA-9c47-m6qq-7p4h', 'GHSA-c2qf-rxjj-qqgw', 'GHSA-cxjh-pqwp-8mfp', 'GHSA-jchw-25xp-jwwc'];
    const cyberchef = ['GHSA-3h5v-q93c-6h6q', 'GHSA-c2qf-rxjj-qqgw', 'GHSA-cxjh-pqwp-8mfp', 'GHSA-rv95-896h-c2vc'];
    const want = [
      ...cyberchef.map((id) => `alpha@main ${id}`),
      ...tock.map((id) => `alpha@2.4-ltm ${id}`),
      ...cyberchef.map((id) => `beta@sbom ${id}`),
      ...tock.map((id) => `beta@v2.4.10 ${id}`),
    ].sort();
    expect(outcome.changedRecords).toBe(LATER.length);
    expect(outcome.refs).toBe(4);
    expect(outcome.changes.created).toBe(want.length);
    expect(await openPairs(monitor, [...REFS, ['beta', 'sbom']])).toEqual(want);
    expect(await outboxPairs(monitor)).toEqual(want);
    // CyberChef's three ws copies are one (ref, alias group) finding.
    const ws = (await refFindings(monitor, 'alpha', 'main')).find((finding) => finding.advisory === 'GHSA-3h5v-q93c-6h6q');
    expect(ws?.packages.map((pkg) => pkg.version).sort()).toEqual(['3.3.3', '7.5.7', '8.16.0']);
    expect(ws?.ids).toContain('CVE-2024-37890');
  }, 120_000);

  it('a rematch with no change, and a second import of the same records, add nothing', async () => {
    const before = await outboxPairs(monitor);
    expect(await rematch({ monitor, storePath, clock })).toMatchObject({ changedRecords: 0, refs: 0, lookups: 0 });
    await importRecords(storePath, LATER, dir);
    expect(await rematch({ monitor, storePath, clock })).toMatchObject({ changedRecords: 0, refs: 0 });
    expect(await outboxPairs(monitor)).toEqual(before);
  }, 60_000);

  it('answers which refs an advisory affects by any alias, and which refs hold a package', async () => {
    const byCve = await refsAffectedBy(monitor, 'CVE-2024-29041');
    expect(byCve.map((finding) => `${finding.project}@${finding.ref} ${finding.advisory}`)).toEqual(['alpha@main GHSA-rv95-896h-c2vc', 'beta@sbom GHSA-rv95-896h-c2vc']);
    expect((await refsAffectedBy(monitor, 'ghsa-jchw-25xp-jwwc')).map((finding) => `${finding.project}@${finding.ref}`)).toEqual(['alpha@2.4-ltm', 'beta@v2.4.10']);
    const json5 = await refsWithPackage(monitor, 'npm', 'json5', '2.2.1');
    expect(json5.map((row) => `${row.project}@${row.ref}`)).toEqual(['alpha@2.4-ltm', 'beta@v2.4.10']);
    expect((await refsWithPackage(monitor, 'npm', 'JSON5')).map((row) => row.version).sort()).toEqual(['2.2.1', '2.2.1', '2.2.3', '2.2.3']);
  });

  it('a fixing push marks the finding fixed, and pushing it again changes nothing', async () => {
    // Tock's inventory with follow-redirects upgraded to 1.15.6, the fix of both its advisories.
    const dirOf = shared('corpus', 'npm', 'tock');
    const inventory = await buildInventory({ paths: [path.join(dirOf, 'package-lock.json')], root: dirOf });
    const upgraded = { ...inventory, packages: inventory.packages.map((pkg) => (pkg.name === 'follow-redirects' ? { ...pkg, version: '1.15.6' } : pkg)) };
    const outcome = await push('alpha', '2.4-ltm', { inventory: upgraded });
    expect(outcome.changes).toMatchObject({ fixed: 2, created: 0, outbox: 0 });
    expect(outcome.failed).toBe(true); // semver, ws and json5 still block
    const states = Object.fromEntries((await refFindings(monitor, 'alpha', '2.4-ltm')).map((finding) => [finding.advisory, finding.state]));
    expect(states).toEqual({
      'GHSA-3h5v-q93c-6h6q': 'new',
      'GHSA-9c47-m6qq-7p4h': 'new',
      'GHSA-c2qf-rxjj-qqgw': 'new',
      'GHSA-cxjh-pqwp-8mfp': 'fixed',
      'GHSA-jchw-25xp-jwwc': 'fixed',
    });
    expect((await push('alpha', '2.4-ltm', { inventory: upgraded })).changes).toMatchObject({ fixed: 0, created: 0, updated: 0, reopened: 0 });
    expect((await refsAffectedBy(monitor, 'CVE-2024-28849')).map((finding) => `${finding.project}@${finding.ref}`)).toEqual(['alpha@main', 'beta@sbom', 'beta@v2.4.10']);
    const history = await refHistory(monitor, 'alpha', '2.4-ltm');
    expect(history.filter((event) => event.kind === 'push').map((event) => event.actor)).toEqual(['cli', 'cli', 'cli']);
    // Closing a finding because a push no longer has it is the re-matcher's doing, not the pusher's.
    expect(new Set(history.filter((event) => event.to === 'fixed').map((event) => event.actor))).toEqual(new Set(['system']));
    expect(history.filter((event) => event.to === 'fixed').map((event) => event.advisory).sort()).toEqual(['GHSA-cxjh-pqwp-8mfp', 'GHSA-jchw-25xp-jwwc']);
  }, 60_000);

  it('a withdrawn record marks its findings withdrawn, and writes no outbox row', async () => {
    const before = await outboxPairs(monitor);
    const record = JSON.parse(readFileSync(path.join(RECORDS, 'GHSA-9c47-m6qq-7p4h.json'), 'utf8')) as Record<string, unknown>;
    const folder = mkdtempSync(path.join(dir, 'withdrawn-'));
    writeFileSync(path.join(folder, 'GHSA-9c47-m6qq-7p4h.json'), JSON.stringify({ ...record, modified: '2024-06-20T00:00:00Z', withdrawn: '2024-06-20T00:00:00Z' }));
    await importAdvisories({ storePath, inputs: [folder], clock });
    const outcome = await rematch({ monitor, storePath, clock });
    // All four refs hold json5 (2.2.1 or 2.2.3) and are matched again; two had the finding.
    expect(outcome).toMatchObject({ changedRecords: 1, refs: 4, changes: { withdrawn: 2, created: 0, outbox: 0 } });
    for (const [project, ref] of [['alpha', '2.4-ltm'], ['beta', 'v2.4.10']] as const) {
      const json5 = (await refFindings(monitor, project, ref)).find((finding) => finding.advisory === 'GHSA-9c47-m6qq-7p4h');
      expect(json5?.state).toBe('withdrawn');
    }
    expect(await refsAffectedBy(monitor, 'CVE-2022-46175')).toEqual([]);
    expect(await outboxPairs(monitor)).toEqual(before);
  }, 60_000);

  it('concurrent pushes to different refs lose nothing', async () => {
    const refs = Array.from({ length: 6 }, (_, index) => `release-${index}`);
    const counts = await Promise.all(
      refs.map(async (ref, index) => (await push(index % 2 === 0 ? 'gamma' : 'delta', ref, lockInput(index % 3 === 0 ? 'cyberchef' : 'tock'))).result.inventory.packages.length),
    );
    const stored = await monitor.db
      .selectFrom('monitor_refs as r')
      .innerJoin('monitor_projects as p', 'p.id', 'r.project_id')
      .select(['p.name as project', 'r.name as ref', 'r.packages'])
      .where('p.name', 'in', ['gamma', 'delta'])
      .execute();
    expect(stored.map((row) => `${row.project}@${row.ref}`).sort()).toEqual(refs.map((ref, index) => `${index % 2 === 0 ? 'gamma' : 'delta'}@${ref}`).sort());
    for (const [index, ref] of refs.entries()) {
      const rows = await monitor.db
        .selectFrom('monitor_packages')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('ref_id', '=', (eb) => eb.selectFrom('monitor_refs').select('id').where('name', '=', ref))
        .executeTakeFirstOrThrow();
      expect(Number(rows.n)).toBe(counts[index]);
      expect(stored.find((row) => row.ref === ref)?.packages).toBe(counts[index]);
    }
  }, 120_000);
});
