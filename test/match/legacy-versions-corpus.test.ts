// With the shared corpus: all PYSEC records that list versions that are not PEP 440 (28 records,
// 108 version strings), each version a finding of its record.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditRequirements, importInto, legacyCases, tempDir, type LegacyCase } from '../helpers/audit-requirements.js';
import { shared } from '../helpers/shared-data.js';

describe('every non-PEP 440 version the shared PYSEC records list', () => {
  const folder = shared('osv', 'pypi-pysec', 'vulns');
  const cases = legacyCases(folder);

  it('finds the 28 records and 108 version strings counted independently', () => {
    expect(new Set(cases.map((entry) => entry.record)).size).toBe(28);
    expect(cases).toHaveLength(108);
  });

  it('each listed version is a finding of its record', async () => {
    const store = path.join(tempDir(), 'advisories.db');
    await importInto(store, folder);
    // One requirements file per package name (a name may appear once per file); every version of
    // that name in turn.
    const byName = new Map<string, LegacyCase[]>();
    for (const entry of cases) byName.set(entry.name, [...(byName.get(entry.name) ?? []), entry]);
    const missed: string[] = [];
    const rounds = Math.max(...[...byName.values()].map((list) => new Set(list.map((entry) => entry.version)).size));
    for (let round = 0; round < rounds; round++) {
      const lines: string[] = [];
      const wanted: LegacyCase[] = [];
      for (const [name, list] of byName) {
        const version = [...new Set(list.map((entry) => entry.version))][round];
        if (version === undefined) continue;
        lines.push(`${name}==${version}`);
        wanted.push(...list.filter((entry) => entry.version === version));
      }
      const { report } = await auditRequirements(store, lines);
      for (const entry of wanted) {
        const hit = report.findings.some(
          (finding) => finding.package.name === entry.name && finding.package.version === entry.version && finding.id === entry.record,
        );
        if (!hit) missed.push(`${entry.record} ${entry.name}==${entry.version}`);
      }
    }
    expect(missed).toEqual([]);
  }, 120_000);
});
