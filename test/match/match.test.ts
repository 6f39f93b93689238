import { describe, expect, it } from 'vitest';
import type { OsvRecord } from '../../src/advisories/osv.js';
import type { AdvisoryStore, StoreStatus } from '../../src/advisories/types.js';
import type { EcosystemId, Inventory, Package } from '../../src/core/types.js';
import { ecosystems } from '../../src/ecosystems/ecosystems.js';
import { makePackage } from '../../src/ecosystems/package.js';
import { matchInventory } from '../../src/match/match.js';

/** An in-memory store: the matcher's injected dependency, indexed as the SQLite store indexes. */
function memoryStore(records: OsvRecord[]): AdvisoryStore {
  return {
    advisoriesFor(ecosystem: EcosystemId, names: readonly string[]) {
      const found = new Map<string, OsvRecord[]>();
      for (const name of names) {
        const hits = records.filter(
          (record) =>
            record.withdrawn === undefined &&
            (record.affected ?? []).some(
              (entry) => entry.package?.ecosystem === ecosystem && ecosystems[ecosystem].normalizeName(entry.package.name) === name,
            ),
        );
        if (hits.length > 0) found.set(name, hits);
      }
      return Promise.resolve(found);
    },
    recordsByAlias(ids: readonly string[]) {
      return Promise.resolve(
        records.filter((record) => ids.includes(record.id) || (record.aliases ?? []).some((alias) => ids.includes(alias))),
      );
    },
    firstSeen: (ids: readonly string[]) => Promise.resolve(new Map(ids.map((id) => [id, '2024-06-01T00:00:00.000Z']))),
    status: () => Promise.resolve({} as StoreStatus),
    close: () => undefined,
  };
}

const pkg = (fields: { name: string; version: string; key?: string; direct?: boolean; dependsOn?: string[]; ecosystem?: EcosystemId }): Package =>
  makePackage({
    ecosystem: fields.ecosystem ?? 'npm',
    name: fields.name,
    version: fields.version,
    location: { file: 'package-lock.json', line: 1 },
    direct: fields.direct ?? false,
    key: fields.key ?? `${fields.name}@${fields.version}`,
    dependsOn: fields.dependsOn ?? [],
  });

const inventory = (packages: Package[]): Inventory => ({ root: '/', sources: [], packages, skipped: [] });

const range = (ecosystem: string, name: string, fixed: string) => ({
  package: { ecosystem, name },
  ranges: [{ type: 'ECOSYSTEM' as const, events: [{ introduced: '0' }, { fixed }] }],
});

describe('matchInventory', () => {
  it('takes severity from an alias record in the store when the matched record has none', async () => {
    const pysec: OsvRecord = { id: 'PYSEC-2024-1', modified: '2024-01-01T00:00:00Z', aliases: ['CVE-2024-1'], affected: [range('PyPI', 'foo', '2.0')] };
    // The GHSA record describes the same CVE but is about another package name spelling, so only
    // the alias links it.
    const ghsa: OsvRecord = {
      id: 'GHSA-aaaa-bbbb-cccc',
      modified: '2024-01-01T00:00:00Z',
      aliases: ['CVE-2024-1'],
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
      affected: [range('PyPI', 'foo-legacy', '2.0')],
    };
    const { findings } = await matchInventory(inventory([pkg({ ecosystem: 'PyPI', name: 'foo', version: '1.0', direct: true })]), memoryStore([pysec, ghsa]));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ id: 'PYSEC-2024-1', severity: { level: 'critical', score: 9.8, source: 'GHSA-aaaa-bbbb-cccc:CVSS_V3' } });
  });

  it('asks the store once for the alias records and first-seen dates of all findings, each finding keeping its own', async () => {
    const cvss = (score: string) => [{ type: 'CVSS_V3' as const, score }];
    const critical = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
    const low = 'CVSS:3.1/AV:N/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N';
    const records: OsvRecord[] = [
      // Two unscored records, each linked by its CVE to a scored record about another spelling.
      { id: 'PYSEC-2024-1', modified: '2024-01-01T00:00:00Z', aliases: ['CVE-2024-1'], affected: [range('PyPI', 'foo', '2.0')] },
      { id: 'GHSA-1111-1111-1111', modified: '2024-01-01T00:00:00Z', aliases: ['CVE-2024-1'], severity: cvss(critical), affected: [range('PyPI', 'foo-old', '2.0')] },
      { id: 'PYSEC-2024-2', modified: '2024-01-01T00:00:00Z', aliases: ['CVE-2024-2'], affected: [range('PyPI', 'bar', '2.0')] },
      { id: 'GHSA-2222-2222-2222', modified: '2024-01-01T00:00:00Z', aliases: ['CVE-2024-2'], severity: cvss(low), affected: [range('PyPI', 'bar-old', '2.0')] },
      // Scored itself: needs no alias record.
      { id: 'PYSEC-2024-3', modified: '2024-01-01T00:00:00Z', severity: cvss(low), affected: [range('PyPI', 'baz', '2.0')] },
    ];
    const seen: Record<string, string> = { 'PYSEC-2024-1': '2024-03-01T00:00:00.000Z', 'PYSEC-2024-2': '2024-04-01T00:00:00.000Z', 'PYSEC-2024-3': '2024-05-01T00:00:00.000Z' };
    const calls = { recordsByAlias: [] as string[][], firstSeen: 0 };
    const base = memoryStore(records);
    const store: AdvisoryStore = {
      ...base,
      recordsByAlias: (ids) => {
        calls.recordsByAlias.push([...ids].sort());
        return base.recordsByAlias(ids);
      },
      firstSeen: (ids) => {
        calls.firstSeen++;
        return Promise.resolve(new Map(ids.flatMap((id) => (seen[id] === undefined ? [] : [[id, seen[id]] as const]))));
      },
    };
    const packages = ['foo', 'bar', 'baz'].map((name) => pkg({ ecosystem: 'PyPI', name, version: '1.0', direct: true }));
    const { findings } = await matchInventory(inventory(packages), store);
    expect(findings.map((finding) => [finding.package.name, finding.id, finding.severity.level, finding.severity.source, finding.firstSeen])).toEqual([
      ['bar', 'PYSEC-2024-2', 'low', 'GHSA-2222-2222-2222:CVSS_V3', '2024-04-01T00:00:00.000Z'],
      ['baz', 'PYSEC-2024-3', 'low', 'PYSEC-2024-3:CVSS_V3', '2024-05-01T00:00:00.000Z'],
      ['foo', 'PYSEC-2024-1', 'critical', 'GHSA-1111-1111-1111:CVSS_V3', '2024-03-01T00:00:00.000Z'],
    ]);
    // Only the unscored findings' ids are looked up, in one call (#15, item 5).
    expect(calls.recordsByAlias).toEqual([['CVE-2024-1', 'CVE-2024-2', 'PYSEC-2024-1', 'PYSEC-2024-2']]);
    expect(calls.firstSeen).toBe(1);
  });

  it('merges records of one flaw into one finding carrying every id', async () => {
    const a: OsvRecord = { id: 'PYSEC-1', modified: '2024-01-01T00:00:00Z', aliases: ['CVE-1'], affected: [range('PyPI', 'foo', '2.0')] };
    const b: OsvRecord = { id: 'GHSA-xxxx-yyyy-zzzz', modified: '2024-02-01T00:00:00Z', aliases: ['CVE-1'], affected: [range('PyPI', 'Foo', '2.0')] };
    const other: OsvRecord = { id: 'PYSEC-2', modified: '2024-01-01T00:00:00Z', affected: [range('PyPI', 'foo', '3.0')] };
    const { findings } = await matchInventory(inventory([pkg({ ecosystem: 'PyPI', name: 'foo', version: '1.0' })]), memoryStore([a, b, other]));
    expect(findings.map((finding) => [finding.id, finding.aliases, finding.records])).toEqual([
      ['GHSA-xxxx-yyyy-zzzz', ['CVE-1', 'PYSEC-1'], ['GHSA-xxxx-yyyy-zzzz', 'PYSEC-1']],
      ['PYSEC-2', [], ['PYSEC-2']],
    ]);
  });

  it('matches npm names case-insensitively but never across ecosystems', async () => {
    const axios: OsvRecord = { id: 'GHSA-8hc4-vh64-cxmj', modified: '2024-01-01T00:00:00Z', affected: [range('npm', 'Axios', '1.7.4')] };
    const actions: OsvRecord = { id: 'GHSA-j8xg-fqg3-53r7', modified: '2024-01-01T00:00:00Z', affected: [range('GitHub Actions', 'word-wrap', '1.2.4')] };
    const { findings } = await matchInventory(
      inventory([pkg({ name: 'axios', version: '1.6.7' }), pkg({ name: 'word-wrap', version: '1.2.3' })]),
      memoryStore([axios, actions]),
    );
    expect(findings.map((finding) => `${finding.package.name} ${finding.id}`)).toEqual(['axios GHSA-8hc4-vh64-cxmj']);
  });

  it('merges nested copies of one version into one finding with every path from a direct dependency', async () => {
    const record: OsvRecord = { id: 'GHSA-semver', modified: '2024-01-01T00:00:00Z', affected: [range('npm', 'semver', '5.7.2')] };
    const packages = [
      pkg({ name: 'app-a', version: '1.0.0', direct: true, dependsOn: ['node_modules/app-a/node_modules/semver'] }),
      pkg({ name: 'app-b', version: '1.0.0', direct: true, dependsOn: ['mid@1.0.0'] }),
      pkg({ name: 'mid', version: '1.0.0', dependsOn: ['node_modules/semver'] }),
      pkg({ name: 'semver', version: '5.7.1', key: 'node_modules/app-a/node_modules/semver' }),
      pkg({ name: 'semver', version: '5.7.1', key: 'node_modules/semver' }),
    ];
    const { findings } = await matchInventory(inventory(packages), memoryStore([record]));
    expect(findings).toHaveLength(1);
    expect(findings[0]?.paths).toEqual([
      ['app-a@1.0.0', 'semver@5.7.1'],
      ['app-b@1.0.0', 'mid@1.0.0', 'semver@5.7.1'],
    ]);
    expect(findings[0]?.fixed).toEqual(['5.7.2']);
  });
});
