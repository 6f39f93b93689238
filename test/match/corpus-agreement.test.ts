// Done-when check of the audit issue: matching every corpus lockfile against the advisory data
// agrees, finding for finding, with an evaluation of the OSV ranges written out plainly here from
// the schema's "Evaluation" pseudocode (https://ossf.github.io/osv-schema/#evaluation), using only
// the version libraries and a YAML/JSON reader, not vigil's matcher. PyPI: the whole PyPA snapshot
// plus GitHub's PyPI records; npm: GitHub's npm records of the subset.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as pep440 from '@renovatebot/pep440';
import semver from 'semver';
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

/** Version order of one ecosystem, from its library. */
interface Order {
  readonly ecosystem: 'PyPI' | 'npm';
  readonly valid: (v: string) => boolean;
  readonly compare: (a: string, b: string) => number;
  readonly normalise: (name: string) => string;
}

const pypiOrder: Order = {
  ecosystem: 'PyPI',
  valid: (v) => pep440.valid(v) !== null,
  compare: (a, b) => pep440.compare(a, b),
  normalise: (name) => name.replace(/[-_.]+/g, '-').toLowerCase(),
};

const npmOrder: Order = {
  ecosystem: 'npm',
  valid: (v) => semver.valid(v) !== null,
  compare: (a, b) => semver.compare(a, b),
  normalise: (name) => name.toLowerCase(),
};

/** The schema's IncludedInRanges for ECOSYSTEM and SEMVER ranges; GIT ranges skipped. */
function includedInRanges(version: string, ranges: { type: string; events: PlainEvent[] }[], order: Order): boolean {
  for (const range of ranges) {
    if (range.type === 'GIT') continue;
    const limits = range.events.filter((event) => event.limit !== undefined);
    if (limits.length > 0 && !limits.some((event) => event.limit === '*' || order.compare(version, event.limit as string) < 0)) continue;
    const key = (event: PlainEvent): string => (event.introduced ?? event.fixed ?? event.last_affected ?? event.limit) as string;
    const events = range.events
      .filter((event) => event.limit === undefined)
      .sort((a, b) => {
        if (a.introduced === '0') return -1;
        if (b.introduced === '0') return 1;
        return order.compare(key(a), key(b));
      });
    let vulnerable = false;
    for (const event of events) {
      if (event.introduced !== undefined && (event.introduced === '0' || order.compare(version, event.introduced) >= 0)) vulnerable = true;
      else if (event.fixed !== undefined && order.compare(version, event.fixed) >= 0) vulnerable = false;
      else if (event.last_affected !== undefined && order.compare(version, event.last_affected) > 0) vulnerable = false;
    }
    if (vulnerable) return true;
  }
  return false;
}

function isVulnerable(name: string, version: string, record: PlainRecord, order: Order): boolean {
  for (const affected of record.affected ?? []) {
    if (affected.package?.ecosystem !== order.ecosystem || order.normalise(affected.package.name) !== order.normalise(name)) continue;
    if ((affected.versions ?? []).some((listed) => listed === version || (order.valid(listed) && order.compare(listed, version) === 0))) {
      return true;
    }
    if (includedInRanges(version, affected.ranges ?? [], order)) return true;
  }
  return false;
}

const lockfiles = [
  ['nautobot poetry.lock', pypiOrder, ['corpus', 'pypi', 'nautobot', 'poetry.lock']],
  ['treeherder requirements/common.txt', pypiOrder, ['corpus', 'pypi', 'treeherder', 'requirements', 'common.txt']],
  ['treeherder requirements/dev.txt', pypiOrder, ['corpus', 'pypi', 'treeherder', 'requirements', 'dev.txt']],
  ['tock Pipfile.lock', pypiOrder, ['corpus', 'pypi', 'tock', 'Pipfile.lock']],
  ['pydantic uv.lock', pypiOrder, ['corpus', 'pypi', 'pydantic', 'uv.lock']],
  ['pdm pdm.lock', pypiOrder, ['corpus', 'pypi', 'pdm', 'pdm.lock']],
  ['insomnia package-lock.json', npmOrder, ['corpus', 'npm', 'insomnia', 'package-lock.json']],
  ['cyberchef package-lock.json', npmOrder, ['corpus', 'npm', 'cyberchef', 'package-lock.json']],
  ['tock package-lock.json (v2)', npmOrder, ['corpus', 'npm', 'tock', 'package-lock.json']],
  ['treeherder yarn.lock (v1)', npmOrder, ['corpus', 'npm', 'treeherder', 'yarn.lock']],
  ['jest yarn.lock (Berry)', npmOrder, ['corpus', 'npm', 'jest', 'yarn.lock']],
  ['vue pnpm-lock.yaml (v6)', npmOrder, ['corpus', 'npm', 'vue-core-pnpm6', 'pnpm-lock.yaml']],
  ['vue pnpm-lock.yaml (v9)', npmOrder, ['corpus', 'npm', 'vue-core-pnpm9', 'pnpm-lock.yaml']],
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

describe('corpus lockfiles matched against the real advisory data', () => {
  const totals = { PyPI: 0, npm: 0 };
  it.each(lockfiles)('%s agrees finding for finding with a plain evaluation', async (_name, order, parts) => {
    const file = shared(...parts);
    const inventory = await buildInventory({ paths: [file], root: path.dirname(file) });
    const audited = inventory.packages.filter((pkg) => pkg.ecosystem === order.ecosystem);
    expect(audited.length).toBeGreaterThan(10);

    const expected = new Set<string>();
    for (const pkg of audited) {
      for (const record of records) {
        if (isVulnerable(pkg.name, pkg.version, record, order)) expected.add(`${order.normalise(pkg.name)}@${pkg.version} ${record.id}`);
      }
    }
    const { findings } = await matchInventory(inventory, store);
    const actual = new Set<string>();
    for (const finding of findings) {
      for (const id of finding.records) actual.add(`${order.normalise(finding.package.name)}@${finding.package.version} ${id}`);
    }
    expect([...actual].sort()).toEqual([...expected].sort());
    totals[order.ecosystem] += expected.size;
  });

  it('found real vulnerabilities in both ecosystems (the comparison is not vacuous)', () => {
    expect(totals.PyPI).toBeGreaterThan(20);
    expect(totals.npm).toBeGreaterThan(20);
  });
});
