// Done-when check of the audit issue: matching every PyPI corpus lockfile against the whole PyPA
// snapshot agrees, finding for finding, with an evaluation of the OSV ranges written out plainly
// here from the schema's "Evaluation" pseudocode (https://ossf.github.io/osv-schema/#evaluation),
// using only the PEP 440 library and a YAML/JSON reader, not vigil's matcher.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as pep440 from '@renovatebot/pep440';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAdvisories } from '../../src/advisories/import.js';
import { openAdvisoryStore } from '../../src/advisories/store/sqlite-store.js';
import type { AdvisoryStore } from '../../src/advisories/types.js';
import { fixedClock } from '../../src/core/clock.js';
import { buildInventory } from '../../src/inventory/build-inventory.js';
import { matchInventory } from '../../src/match/match.js';
import { shared } from '../helpers/shared-data.js';

interface PlainEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}
interface PlainRecord {
  id: string;
  withdrawn?: string;
  affected?: {
    package?: { ecosystem: string; name: string };
    versions?: string[];
    ranges?: { type: string; events: PlainEvent[] }[];
  }[];
}

function filesBelow(dir: string, extension: RegExp): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesBelow(full, extension));
    else if (extension.test(entry.name)) out.push(full);
  }
  return out;
}

function loadPlainRecords(): PlainRecord[] {
  const pysec = filesBelow(shared('osv', 'pypi-pysec', 'vulns'), /\.yaml$/).map((file) => parseYaml(readFileSync(file, 'utf8')) as PlainRecord);
  const ghsa = filesBelow(shared('osv', 'ghsa-subset', 'advisories'), /\.json$/).map(
    (file) => JSON.parse(readFileSync(file, 'utf8')) as PlainRecord,
  );
  return [...pysec, ...ghsa];
}

const normalise = (name: string): string => name.replace(/[-_.]+/g, '-').toLowerCase();

/** The schema's IncludedInRanges for ECOSYSTEM ranges, PEP 440 order; GIT ranges skipped. */
function includedInRanges(version: string, ranges: { type: string; events: PlainEvent[] }[]): boolean {
  for (const range of ranges) {
    if (range.type !== 'ECOSYSTEM') continue;
    const limits = range.events.filter((event) => event.limit !== undefined);
    if (limits.length > 0 && !limits.some((event) => event.limit === '*' || pep440.lt(version, event.limit as string))) continue;
    const key = (event: PlainEvent): string => (event.introduced ?? event.fixed ?? event.last_affected ?? event.limit) as string;
    const events = range.events
      .filter((event) => event.limit === undefined)
      .sort((a, b) => {
        if (a.introduced === '0') return -1;
        if (b.introduced === '0') return 1;
        return pep440.compare(key(a), key(b));
      });
    let vulnerable = false;
    for (const event of events) {
      if (event.introduced !== undefined && (event.introduced === '0' || pep440.gte(version, event.introduced))) vulnerable = true;
      else if (event.fixed !== undefined && pep440.gte(version, event.fixed)) vulnerable = false;
      else if (event.last_affected !== undefined && pep440.gt(version, event.last_affected)) vulnerable = false;
    }
    if (vulnerable) return true;
  }
  return false;
}

function isVulnerable(name: string, version: string, record: PlainRecord): boolean {
  for (const affected of record.affected ?? []) {
    if (affected.package?.ecosystem !== 'PyPI' || normalise(affected.package.name) !== normalise(name)) continue;
    if ((affected.versions ?? []).some((listed) => listed === version || (pep440.valid(listed) !== null && pep440.eq(listed, version)))) return true;
    if (includedInRanges(version, affected.ranges ?? [])) return true;
  }
  return false;
}

const lockfiles = [
  ['nautobot poetry.lock', ['corpus', 'pypi', 'nautobot', 'poetry.lock']],
  ['treeherder requirements/common.txt', ['corpus', 'pypi', 'treeherder', 'requirements', 'common.txt']],
  ['treeherder requirements/dev.txt', ['corpus', 'pypi', 'treeherder', 'requirements', 'dev.txt']],
  ['tock Pipfile.lock', ['corpus', 'pypi', 'tock', 'Pipfile.lock']],
  ['pydantic uv.lock', ['corpus', 'pypi', 'pydantic', 'uv.lock']],
  ['pdm pdm.lock', ['corpus', 'pypi', 'pdm', 'pdm.lock']],
] as const;

let work: string;
let store: AdvisoryStore;
let records: PlainRecord[];

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'vigil-agreement-'));
  const storePath = path.join(work, 'store.db');
  await importAdvisories({
    storePath,
    inputs: [shared('osv', 'pypi-pysec', 'vulns'), shared('osv', 'ghsa-subset', 'advisories')],
    clock: fixedClock('2024-10-11T00:00:00Z'),
  });
  store = openAdvisoryStore(storePath);
  records = loadPlainRecords().filter((record) => record.withdrawn === undefined);
}, 120_000);

afterAll(() => {
  store.close();
  rmSync(work, { recursive: true, force: true });
});

describe('PyPI corpus matched against the PyPA snapshot', () => {
  let total = 0;
  it.each(lockfiles)('%s agrees finding for finding with a plain evaluation', async (_name, parts) => {
    const file = shared(...parts);
    const inventory = await buildInventory({ paths: [file], root: path.dirname(file) });
    const pypiPackages = inventory.packages.filter((pkg) => pkg.ecosystem === 'PyPI');
    expect(pypiPackages.length).toBeGreaterThan(10);

    const expected = new Set<string>();
    for (const pkg of pypiPackages) {
      for (const record of records) {
        if (isVulnerable(pkg.name, pkg.version, record)) expected.add(`${normalise(pkg.name)}@${pkg.version} ${record.id}`);
      }
    }
    const { findings } = await matchInventory(inventory, store);
    const actual = new Set<string>();
    for (const finding of findings) {
      for (const id of finding.records) actual.add(`${normalise(finding.package.name)}@${finding.package.version} ${id}`);
    }
    expect([...actual].sort()).toEqual([...expected].sort());
    total += expected.size;
  });

  it('found real vulnerabilities at all (the comparison is not vacuous)', () => {
    expect(total).toBeGreaterThan(20);
  });
});
