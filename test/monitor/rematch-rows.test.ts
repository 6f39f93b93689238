// What a rematch writes, read back row by row: on PostgreSQL the rows go in as one array per
// column (`unnest`), so text that an array literal must escape (quotes, backslashes, braces,
// commas, the word NULL) has to come back unchanged, and a column left out (the event's actor)
// takes its default. Then an unevaluable row of the scope is replaced when its record becomes
// evaluable. Records from test/helpers/osv-records: PyPI, affected below 1.0.1; the refs hold 1.0.0.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAdvisoryStore } from '../../src/advisories/store/sqlite-store.js';
import { fixedClock } from '../../src/core/clock.js';
import { pushRef } from '../../src/monitor/push.js';
import { portfolioOverview, refFindings } from '../../src/monitor/queries.js';
import { rematch } from '../../src/monitor/rematch.js';
import type { MonitorDb } from '../../src/monitor/store/open-monitor-store.js';
import { osvRecord } from '../helpers/osv-records.js';
import { importRecordObjects } from './monitor-records.js';
import { monitorBackends, type MonitorTestDatabase } from './monitor-backends.js';

const clock = fixedClock('2024-07-01T00:00:00Z');

// Every character an array literal or a JSON string treats specially, and the word NULL.
const AWKWARD = 'say "hi" \\ {a,b} NULL, it\'s é; {"json": [1, "x"]}';

describe.each(monitorBackends())('rematch rows on $name', (backend) => {
  let database: MonitorTestDatabase;
  let monitor: MonitorDb;
  let dir: string;
  let storePath: string;

  const importRecords = (records: readonly Record<string, unknown>[]): Promise<void> => importRecordObjects(storePath, dir, records, clock);

  async function push(ref: string, requirements: string): Promise<void> {
    const project = path.join(dir, ref);
    mkdirSync(project, { recursive: true });
    writeFileSync(path.join(project, 'requirements.txt'), requirements);
    await pushRef({
      monitor,
      project: 'rows',
      ref,
      input: { paths: [path.join(project, 'requirements.txt')], root: project },
      openStore: () => Promise.resolve(openAdvisoryStore(storePath, { clock })),
      clock,
      maxDbAgeMs: 365 * 86_400_000,
    });
  }

  beforeAll(async () => {
    database = await backend.create();
    monitor = database.monitor;
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-rematch-rows-'));
    storePath = path.join(dir, 'advisories.db');
    await importRecords([osvRecord('VIGIL-ROWS-BASE', 'pkg-none')]);
    await push('one', 'pkg-odd==1.0.0\npkg-late==1.0.0\n');
    await push('two', 'pkg-odd==1.0.0\n');
    await rematch({ monitor, storePath, clock });
  }, 60_000);
  afterAll(async () => {
    await database.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('text with quotes, backslashes, braces and NULL comes back as written, in findings, outbox and history', async () => {
    await importRecords([{ ...osvRecord('VIGIL-ROWS-1', 'pkg-odd'), summary: AWKWARD, aliases: ['CVE-2024-0001'] }]);
    const outcome = await rematch({ monitor, storePath, clock });
    expect(outcome.changes).toMatchObject({ created: 2, outbox: 2 });
    for (const ref of ['one', 'two']) {
      const [finding, ...others] = await refFindings(monitor, 'rows', ref);
      expect(others).toEqual([]);
      expect(finding).toMatchObject({ advisory: 'VIGIL-ROWS-1', ids: ['CVE-2024-0001', 'VIGIL-ROWS-1'], state: 'new', summary: AWKWARD, fixed: ['1.0.1'] });
      expect(finding?.packages.map((pkg) => `${pkg.name}@${pkg.version}`)).toEqual(['pkg-odd@1.0.0']);
    }
    const outbox = await monitor.db.selectFrom('monitor_outbox').select(['ref', 'advisory_id', 'aliases', 'package', 'version', 'fixed', 'delivered_at']).orderBy('ref').execute();
    expect(outbox).toEqual(
      ['one', 'two'].map((ref) => ({ ref, advisory_id: 'VIGIL-ROWS-1', aliases: '["CVE-2024-0001"]', package: 'pkg-odd', version: '1.0.0', fixed: '["1.0.1"]', delivered_at: null })),
    );
    const events = await monitor.db.selectFrom('monitor_events').select(['kind', 'from_state', 'to_state', 'actor', 'detail']).where('kind', '=', 'state').execute();
    expect(events).toEqual([0, 1].map(() => ({ kind: 'state', from_state: null, to_state: 'new', actor: 'system', detail: '{"advisory":"VIGIL-ROWS-1"}' })));
    // The alias finds the finding of each ref.
    const ids = await monitor.db.selectFrom('monitor_finding_ids').select('advisory_id').where('advisory_id', '=', 'CVE-2024-0001').execute();
    expect(ids).toHaveLength(2);
  });

  it('an unevaluable record, once it can be evaluated, replaces its unevaluable row by a finding', async () => {
    const unorderable = { ...osvRecord('VIGIL-ROWS-2', 'pkg-late', '2024-04-01T10:00:00Z') };
    unorderable['affected'] = [{ package: { ecosystem: 'PyPI', name: 'pkg-late' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: 'not.a.version!' }] }] }];
    await importRecords([unorderable]);
    expect(await rematch({ monitor, storePath, clock })).toMatchObject({ refs: 1, unevaluable: 1, changes: { created: 0 } });
    const unevaluableOf = async (): Promise<number> => (await portfolioOverview(monitor, clock)).find((row) => row.ref === 'one')?.unevaluable ?? -1;
    expect(await unevaluableOf()).toBe(1);
    await importRecords([osvRecord('VIGIL-ROWS-2', 'pkg-late', '2024-05-01T10:00:00Z')]);
    expect(await rematch({ monitor, storePath, clock })).toMatchObject({ refs: 1, unevaluable: 0, changes: { created: 1, outbox: 1 } });
    expect(await unevaluableOf()).toBe(0);
    expect((await refFindings(monitor, 'rows', 'one')).map((finding) => finding.advisory)).toEqual(['VIGIL-ROWS-1', 'VIGIL-ROWS-2']);
    // The same records again: nothing is written.
    expect(await rematch({ monitor, storePath, clock })).toMatchObject({ changedRecords: 0, changes: { created: 0, outbox: 0 } });
  });
});
