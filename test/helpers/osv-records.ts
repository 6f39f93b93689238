import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A minimal valid OSV 1.6 record: one PyPI package, affected from 0, fixed in 1.0.1, no severity
 * (which the default policy counts as high). `modified` defaults to 2024-03-01.
 */
export function osvRecord(id: string, packageName: string, modified = '2024-03-01T10:00:00Z'): Record<string, unknown> {
  return {
    schema_version: '1.6.0',
    id,
    modified,
    published: '2024-02-01T10:00:00Z',
    summary: `test record ${id}`,
    affected: [
      {
        package: { ecosystem: 'PyPI', name: packageName },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0.1' }] }],
      },
    ],
  };
}

/**
 * Writes `count` records `VIGIL-TEST-<SET>-<n>` (package `vigil-test-<set>-<n>`) as one JSON file
 * each into `dir`, and returns their ids; `modified` as in `osvRecord`.
 */
export function writeRecordSet(dir: string, set: string, count: number, modified?: string): string[] {
  mkdirSync(dir, { recursive: true });
  const ids: string[] = [];
  for (let n = 1; n <= count; n++) {
    const id = `VIGIL-TEST-${set.toUpperCase()}-${String(n).padStart(4, '0')}`;
    writeFileSync(path.join(dir, `${id}.json`), JSON.stringify(osvRecord(id, `vigil-test-${set}-${n}`, modified)));
    ids.push(id);
  }
  return ids;
}
