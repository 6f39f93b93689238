import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { OsvRecord } from '../../src/advisories/osv.js';
import { passesOsvFastCheck } from '../../src/advisories/osv-fast-check.js';
import { shared } from '../helpers/shared-data.js';

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}

const BASE = {
  id: 'VIGIL-TEST-FAST-1',
  modified: '2024-01-01T00:00:00Z',
  affected: [{ package: { ecosystem: 'PyPI', name: 'demo' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0' }] }] }],
};

interface Affected {
  package: unknown;
  ranges: { type: string; events: Record<string, string>[] }[];
  versions?: unknown[];
}
type Mutable = Record<string, unknown> & { affected: [Affected] };

/** `BASE` with one field changed (by a function of a deep copy). */
function variant(change: (record: Mutable, affected: Affected, range: Affected['ranges'][number]) => void): Record<string, unknown> {
  const copy = structuredClone(BASE) as unknown as Mutable;
  const affected = copy.affected[0];
  change(copy, affected, affected.ranges[0] as Affected['ranges'][number]);
  return copy;
}

// Each is invalid under the OSV schema (osv-schema's validation/schema.json, and the rules of
// osv.ts): the quick check must hand every one of them to the schema, which words the rejection.
const INVALID: { name: string; value: Record<string, unknown> }[] = [
  { name: 'no id', value: variant((r) => delete r['id']) },
  { name: 'an empty id', value: variant((r) => (r['id'] = '')) },
  { name: 'a modified time that is not a date', value: variant((r) => (r['modified'] = 'yesterday')) },
  { name: 'a published time of null', value: variant((r) => (r['published'] = null)) },
  { name: 'an alias that is a number', value: variant((r) => (r['aliases'] = [1])) },
  { name: 'a summary of null', value: variant((r) => (r['summary'] = null)) },
  { name: 'a severity without a score', value: variant((r) => (r['severity'] = [{ type: 'CVSS_V3' }])) },
  { name: 'a misspelt ecosystem', value: variant((_r, a) => (a.package = { ecosystem: 'pypi', name: 'demo' })) },
  { name: 'a package name with spaces around', value: variant((_r, a) => (a.package = { ecosystem: 'PyPI', name: ' demo' })) },
  { name: 'a package of null', value: variant((_r, a) => (a.package = null)) },
  { name: 'an unknown range type', value: variant((_r, _a, range) => (range.type = 'SEMVER2')) },
  { name: 'a range without events', value: variant((_r, _a, range) => (range.events = [])) },
  { name: 'a range without an introduced event', value: variant((_r, _a, range) => (range.events = [{ fixed: '1.0' }])) },
  { name: 'an event with two kinds', value: variant((_r, _a, range) => (range.events = [{ introduced: '0', fixed: '1.0' }])) },
  { name: 'fixed and last_affected in one range', value: variant((_r, _a, range) => range.events.push({ last_affected: '2.0' })) },
  { name: 'a version that is a number', value: variant((_r, a) => (a.versions = [1.1])) },
  { name: 'database_specific that is an array', value: variant((r) => (r['database_specific'] = [])) },
  { name: 'a reference without a url', value: variant((r) => (r['references'] = [{ type: 'WEB' }])) },
];

describe('the quick OSV check', () => {
  it('accepts the valid base record, as the schema does', () => {
    expect(OsvRecord.safeParse(BASE).success).toBe(true);
    expect(passesOsvFastCheck(BASE)).toBe(true);
  });

  it.each(INVALID)('hands $name to the schema, which rejects it', ({ value }) => {
    expect(passesOsvFastCheck(value)).toBe(false);
    expect(OsvRecord.safeParse(value).success).toBe(false);
  });

  it('agrees with the schema on every real record of the shared data', () => {
    const records: Record<string, unknown>[] = [];
    for (const file of walk(shared('osv', 'pypi-pysec', 'vulns'))) {
      if (file.endsWith('.yaml')) records.push(parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown>);
    }
    for (const dir of [shared('osv', 'ghsa-subset', 'advisories'), shared('osv', 'go-vulndb'), shared('osv', 'rustsec')]) {
      for (const file of walk(dir)) if (file.endsWith('.json')) records.push(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>);
    }
    expect(records.length).toBeGreaterThan(8000);
    const disagree = records.filter((record) => passesOsvFastCheck(record) !== OsvRecord.safeParse(record).success).map((record) => record['id']);
    expect(disagree).toEqual([]);
  });
});
