// The OSV record the desk publishes: valid against the official schema (read from ../shared at test
// time), and, imported into vigil's own store and matched by vigil's own matcher, affecting exactly
// the versions before each series' fix: checked over Django's real release list with an
// expectation computed here from @renovatebot/pep440 (and semver for npm), not from the ranges.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as pep440 from '@renovatebot/pep440';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import semver from 'semver';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAdvisories } from '../../../src/advisories/import.js';
import { openAdvisoryStore } from '../../../src/advisories/store/sqlite-store.js';
import { fixedClock } from '../../../src/core/clock.js';
import { DeskRuleError } from '../../../src/core/errors.js';
import type { EcosystemId } from '../../../src/core/types.js';
import { advisoryIdFor, buildOsvAdvisory, osvRecordId, type OsvAdvisory } from '../../../src/desk/documents/osv-advisory.js';
import type { DeskConfig } from '../../../src/desk/config/desk-config.js';
import type { BackportRow, DeskReport } from '../../../src/desk/types.js';
import { makePackage } from '../../../src/ecosystems/package.js';
import { matchInventory } from '../../../src/match/match.js';
import { shared } from '../../helpers/shared-data.js';
import { acceptedReport, deskConfig, matrix, reporter, row } from './document-fixtures.js';

/** The official OSV schema (JSON Schema 2020-12), compiled with formats (`date-time`, `uri`). */
function compileOsvSchema(): ValidateFunction {
  const schema = JSON.parse(readFileSync(shared('schemas', 'osv-schema.json'), 'utf8')) as Record<string, unknown>;
  if (schema['$schema'] !== 'https://json-schema.org/draft/2020-12/schema') throw new Error(`unexpected OSV schema draft ${String(schema['$schema'])}`);
  // strictTypes off: the schema leaves `type` implied inside if/then branches, which ajv's strict
  // mode reports as a style warning; every other strict check stays on.
  const ajv = new Ajv2020({ allErrors: true, strictTypes: false });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

const validateOsv = compileOsvSchema();

function schemaErrors(record: OsvAdvisory): string[] {
  // Validated as the JSON text the desk writes, not as the in-memory object.
  const ok = validateOsv(JSON.parse(JSON.stringify(record)));
  return ok ? [] : (validateOsv.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
}

const options = (rows: readonly BackportRow[] = matrix()) => ({
  id: 'WEBFRAME-SA-2025-12',
  published: '2025-06-03T13:00:00Z',
  modified: '2025-06-03T13:05:00.000Z',
  matrix: rows,
});

describe('buildOsvAdvisory', () => {
  const config = deskConfig({ url: 'https://webframe.example' });

  it.each<{ name: string; report: DeskReport; config: DeskConfig; rows: BackportRow[] }>([
    { name: 'a PyPI report credited by name, with a CVE', report: acceptedReport(), config, rows: matrix() },
    {
      name: 'an npm report, anonymous, CVSS 4.0, commit ids for patches',
      report: acceptedReport({
        reporter: reporter({ mode: 'anonymous' }),
        assessment: {
          package: { ecosystem: 'npm', name: '@webframe/core' },
          cvss: { version: '4.0', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N', score: 9.3 },
          cve: undefined,
        },
        fixes: [{ series: '5.1', fixedIn: '5.1.4', patch: '3f2a9c1' }],
      }),
      config: deskConfig({ ecosystem: 'npm', packageName: '@webframe/core' }),
      rows: [row('main', 'fixed', { patch: '9e8d7c6' }), row('5.1', 'fixed', { fixedIn: '5.1.4', patch: '3f2a9c1' }), row('5.0', 'unsupported'), row('4.17', 'not-affected')],
    },
    {
      name: 'a flaw only on the main branch (no released version affected)',
      report: acceptedReport({ fixes: [{ series: 'main', patch: 'https://github.com/webframe/webframe/commit/cccc' }] }),
      config,
      rows: [row('main', 'fixed', { patch: 'https://github.com/webframe/webframe/commit/cccc' }), row('5.1', 'not-affected'), row('4.2', 'not-affected')],
    },
  ])('validates against the official OSV schema: $name', ({ report, config: projectConfig, rows }) => {
    const record = buildOsvAdvisory(report, projectConfig, options(rows));
    expect(schemaErrors(record)).toEqual([]);
  });

  it('the schema check itself rejects a broken record', () => {
    const record = buildOsvAdvisory(acceptedReport(), config, options());
    expect(schemaErrors({ ...record, id: 'WEBFRAME-SA-2025-12' })).not.toEqual([]);
    expect(schemaErrors({ ...record, modified: '2025-06-03 13:05' })).not.toEqual([]);
  });

  it('writes every field from the report, the configuration and the matrix', () => {
    const record = buildOsvAdvisory(acceptedReport(), config, options());
    expect(record).toMatchObject({
      schema_version: '1.7.0',
      id: 'x_WEBFRAME-SA-2025-12',
      modified: '2025-06-03T13:05:00.000Z',
      published: '2025-06-03T13:00:00.000Z',
      aliases: ['CVE-2025-12345'],
      summary: 'SQL injection in column aliases of QuerySet.values()',
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
      affected: [
        {
          package: { ecosystem: 'PyPI', name: 'Django', purl: 'pkg:pypi/django' },
          ranges: [
            {
              type: 'ECOSYSTEM',
              events: [{ introduced: '4.2.dev0' }, { fixed: '4.2.14' }, { introduced: '5.0.dev0' }, { fixed: '5.1.1' }],
            },
          ],
        },
      ],
      references: [
        { type: 'FIX', url: 'https://github.com/webframe/webframe/commit/aaaaaaaa' },
        { type: 'FIX', url: 'https://github.com/webframe/webframe/commit/bbbbbbbb' },
        { type: 'ADVISORY', url: 'https://www.cve.org/CVERecord?id=CVE-2025-12345' },
        { type: 'WEB', url: 'https://webframe.example' },
      ],
      credits: [{ name: 'Ada Lovelace', type: 'FINDER' }],
      database_specific: { severity: 'HIGH', cwe_ids: ['CWE-89'], advisory_id: 'WEBFRAME-SA-2025-12' },
    });
    expect(record.details).toContain('```text\nColumn aliases built from JSON keys are not quoted.\nA crafted key injects SQL.\n```');
    expect(record.details).toContain('```text\nArbitrary SQL runs with the application database role.\n```');
    expect(record.affected[0]?.database_specific.series).toEqual([
      { name: 'main', status: 'fixed', affected: true },
      { name: '5.1', status: 'fixed', affected: true, fixed: '5.1.1' },
      { name: '5.0', status: 'unsupported', affected: true },
      { name: '4.2', status: 'fixed', affected: true, fixed: '4.2.14' },
      { name: '4.1', status: 'unsupported', affected: false },
    ]);
  });

  it.each([
    { name: 'named with a chosen name', credit: { mode: 'named' as const, name: 'The Analytical Team' }, want: [{ name: 'The Analytical Team', type: 'FINDER' }] },
    { name: 'named without a chosen name: the reporter name', credit: { mode: 'named' as const }, want: [{ name: 'Ada L.', type: 'FINDER' }] },
    { name: 'anonymous', credit: { mode: 'anonymous' as const, name: 'Ada Lovelace' }, want: undefined },
  ])('credits the reporter only by their choice: $name', ({ credit, want }) => {
    const record = buildOsvAdvisory(acceptedReport({ reporter: reporter(credit) }), config, options());
    expect(record.credits).toEqual(want);
    if (want === undefined) expect(JSON.stringify(record)).not.toContain('Ada');
  });

  it('references an advisory page first and the npm scope as the purl namespace', () => {
    const record = buildOsvAdvisory(
      acceptedReport({ assessment: { package: { ecosystem: 'npm', name: '@webframe/core' } } }),
      deskConfig({ ecosystem: 'npm' }),
      { ...options([row('5.1', 'fixed', { fixedIn: '5.1.4' })]), advisoryUrl: 'https://webframe.example/security/WEBFRAME-SA-2025-12' },
    );
    expect(record.references?.[0]).toEqual({ type: 'ADVISORY', url: 'https://webframe.example/security/WEBFRAME-SA-2025-12' });
    expect(record.affected[0]?.package.purl).toBe('pkg:npm/%40webframe/core');
    expect(record.affected[0]?.ranges?.[0]?.events).toEqual([{ introduced: '0' }, { fixed: '5.1.4' }]);
  });

  it('keeps an id whose prefix is registered with OSV', () => {
    const record = buildOsvAdvisory(acceptedReport(), config, { ...options(), id: 'PSF-2025-12', registeredPrefix: true });
    expect(record.id).toBe('PSF-2025-12');
    expect(record.database_specific.advisory_id).toBeUndefined();
    expect(schemaErrors(record)).toEqual([]);
  });

  it.each([
    { name: 'a report not accepted', report: acceptedReport({ assessment: null }), message: /not accepted yet/ },
    { name: 'a timestamp that is not one', report: acceptedReport(), published: 'next Tuesday', message: /"next Tuesday" is not an ISO 8601 instant/ },
  ])('refuses $name', ({ report, published, message }) => {
    expect(() => buildOsvAdvisory(report, config, { ...options(), ...(published === undefined ? {} : { published }) })).toThrow(DeskRuleError);
    expect(() => buildOsvAdvisory(report, config, { ...options(), ...(published === undefined ? {} : { published }) })).toThrow(message);
  });
});

describe('advisoryIdFor and osvRecordId', () => {
  it('builds the desk id from the prefix, the year and the report id', () => {
    expect(advisoryIdFor(acceptedReport(), deskConfig(), 2025)).toBe('WEBFRAME-SA-2025-12');
    expect(() => advisoryIdFor(acceptedReport(), deskConfig(), Number('20x5'))).toThrow(DeskRuleError);
  });

  it.each([
    { id: 'WEBFRAME-SA-2025-12', registered: false, want: 'x_WEBFRAME-SA-2025-12' },
    { id: 'x_WEBFRAME-SA-2025-12', registered: false, want: 'x_WEBFRAME-SA-2025-12' },
    { id: 'PSF-2025-12', registered: true, want: 'PSF-2025-12' },
  ])('$id (registered: $registered) is written $want', ({ id, registered, want }) => {
    expect(osvRecordId(id, registered)).toBe(want);
  });
});

// ---------------------------------------------------------------------------------------------
// Through vigil's own store and matcher.

interface PlainRecord {
  affected?: { package?: { name: string }; versions?: string[]; ranges?: { events: Record<string, string>[] }[] }[];
}

/** Every Django version the PyPA records name (affected lists and range bounds): real releases. */
function realDjangoVersions(): string[] {
  const dir = shared('osv', 'pypi-pysec', 'vulns', 'django');
  const versions = new Set<string>();
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.yaml'))) {
    const record = parseYaml(readFileSync(path.join(dir, file), 'utf8'), { version: '1.1', schema: 'failsafe' }) as PlainRecord;
    for (const affected of record.affected ?? []) {
      if (affected.package?.name.toLowerCase() !== 'django') continue;
      for (const version of affected.versions ?? []) versions.add(version);
      for (const range of affected.ranges ?? []) for (const event of range.events) for (const version of Object.values(event)) if (version !== '0') versions.add(version);
    }
  }
  return [...versions].filter((version) => pep440.valid(version) !== null).sort(pep440.compare);
}

/** What a series is, for the independent expectation. */
type SeriesTruth = 'open' | 'not-affected' | { readonly fixedIn: string; readonly from?: string };

interface MatchScenario {
  readonly name: string;
  readonly introduced?: string;
  readonly rows: BackportRow[];
  /** Each series by `major.minor`, as the test understands it. */
  readonly truth: Readonly<Record<string, SeriesTruth>>;
  /** Whether versions of series the table does not name are affected. */
  readonly others: boolean;
}

/** Independent reading: a version belongs to the series of its first two release numbers. */
function expectedAffected(version: string, scenario: MatchScenario, order: { series: (v: string) => string; lt: (a: string, b: string) => boolean }): boolean {
  const truth = scenario.truth[order.series(version)];
  if (truth === undefined) return scenario.others;
  if (truth === 'open') return true;
  if (truth === 'not-affected') return false;
  return order.lt(version, truth.fixedIn) && (truth.from === undefined || !order.lt(version, truth.from));
}

const pep440Order = {
  series: (v: string) => {
    const release = pep440.explain(v)?.release ?? [];
    return `${release[0] ?? 0}.${release[1] ?? 0}`;
  },
  lt: (a: string, b: string) => pep440.lt(a, b),
};

const semverOrder = {
  series: (v: string) => {
    const parsed = semver.parse(v);
    return parsed === null ? 'invalid' : `${parsed.major}.${parsed.minor}`;
  },
  lt: (a: string, b: string) => semver.lt(a, b),
};

let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'vigil-desk-osv-'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Writes the record as the desk does, imports it into a fresh store and matches every version. */
async function matchedVersions(record: OsvAdvisory, ecosystem: EcosystemId, name: string, versions: readonly string[], tag: string): Promise<string[]> {
  const recordFile = path.join(work, `${tag}.json`);
  const storePath = path.join(work, `${tag}.db`);
  writeFileSync(recordFile, `${JSON.stringify(record, null, 2)}\n`);
  const imported = await importAdvisories({ storePath, inputs: [recordFile], clock: fixedClock('2025-06-03T14:00:00Z') });
  expect(imported.rejected).toEqual([]);
  const store = openAdvisoryStore(storePath);
  try {
    const packages = versions.map((version) =>
      makePackage({ ecosystem, name, version, location: { file: ecosystem === 'npm' ? 'package-lock.json' : 'requirements.txt', line: 1 }, direct: true }),
    );
    const { findings, warnings } = await matchInventory({ root: '.', sources: [], skipped: [], packages }, store);
    expect(warnings).toEqual([]);
    return findings.map((finding) => finding.package.version);
  } finally {
    store.close();
  }
}

describe('an advisory for a fixed PyPI package matches, through vigil\'s matcher, exactly the versions before the fix', () => {
  const versions = realDjangoVersions();
  const django = (overrides: Parameters<typeof acceptedReport>[0] = {}) => acceptedReport(overrides);

  const scenarios: MatchScenario[] = [
    {
      name: '4.2, 5.0 and 5.1 fixed; every older series affected (no first version recorded)',
      rows: [row('main', 'fixed', { patch: 'abc' }), row('5.1', 'fixed', { fixedIn: '5.1.1' }), row('5.0', 'fixed', { fixedIn: '5.0.8' }), row('4.2', 'fixed', { fixedIn: '4.2.14' }), row('4.1', 'unsupported')],
      truth: { '5.1': { fixedIn: '5.1.1' }, '5.0': { fixedIn: '5.0.8' }, '4.2': { fixedIn: '4.2.14' }, '4.1': 'open' },
      others: true,
    },
    {
      name: '4.2 and 5.1 fixed, 5.0 affected past its end of support, 4.1 not affected',
      rows: [row('main', 'fixed', { patch: 'abc' }), row('5.1', 'fixed', { fixedIn: '5.1.1' }), row('5.0', 'unsupported'), row('4.2', 'fixed', { fixedIn: '4.2.14' }), row('4.1', 'unsupported', { affected: false })],
      truth: { '5.1': { fixedIn: '5.1.1' }, '5.0': 'open', '4.2': { fixedIn: '4.2.14' }, '4.1': 'not-affected' },
      others: false,
    },
    {
      name: 'the same with the flaw introduced in 4.2.3',
      introduced: '4.2.3',
      rows: [row('main', 'fixed', { patch: 'abc' }), row('5.1', 'fixed', { fixedIn: '5.1.1' }), row('5.0', 'unsupported'), row('4.2', 'fixed', { fixedIn: '4.2.14' }), row('4.1', 'unsupported', { affected: false })],
      truth: { '5.1': { fixedIn: '5.1.1' }, '5.0': 'open', '4.2': { fixedIn: '4.2.14', from: '4.2.3' }, '4.1': 'not-affected' },
      others: false,
    },
  ];

  it('reads a real release history', () => {
    expect(versions.length).toBeGreaterThan(250);
    for (const version of ['4.1.12', '4.2rc1', '4.2.13', '4.2.14', '4.2.15', '5.0.7', '5.0.8', '5.1']) expect(versions).toContain(version);
  });

  it.each(scenarios)('$name', async (scenario) => {
    const report = django({ ...(scenario.introduced === undefined ? {} : { assessment: { introduced: scenario.introduced } }) });
    const record = buildOsvAdvisory(report, deskConfig(), { ...options(scenario.rows) });
    expect(schemaErrors(record)).toEqual([]);

    const expected = versions.filter((version) => expectedAffected(version, scenario, pep440Order));
    const matched = await matchedVersions(record, 'PyPI', 'Django', versions, `pypi-${scenarios.indexOf(scenario)}`);
    expect([...matched].sort(pep440.compare)).toEqual(expected);
    // Not vacuous: some versions on each side, and in every series the scenario names.
    expect(expected.length).toBeGreaterThan(10);
    expect(versions.length - expected.length).toBeGreaterThan(5);
    for (const series of Object.keys(scenario.truth)) expect(versions.some((version) => pep440Order.series(version) === series)).toBe(true);
  });
});

describe('an advisory for a fixed npm package matches, through vigil\'s matcher, exactly the versions before the fix', () => {
  const versions = [
    '4.16.0', '4.16.6', '4.17.0-beta.1', '4.17.0', '4.17.15', '4.17.21', '4.17.22', '4.17.23',
    '5.0.0-rc.1', '5.0.0', '5.0.5', '5.1.0-alpha.2', '5.1.0', '5.1.3', '5.1.4', '5.1.5', '6.0.0-0', '6.0.0',
  ];
  const scenario: MatchScenario = {
    name: '4.17 and 5.1 fixed, 5.0 affected past its end, 4.16 not affected',
    rows: [row('main', 'fixed', { patch: 'abc' }), row('5.1', 'fixed', { fixedIn: '5.1.4' }), row('5.0', 'unsupported'), row('4.17', 'fixed', { fixedIn: '4.17.22' }), row('4.16', 'not-affected')],
    truth: { '5.1': { fixedIn: '5.1.4' }, '5.0': 'open', '4.17': { fixedIn: '4.17.22' }, '4.16': 'not-affected' },
    others: false,
  };

  it(scenario.name, async () => {
    const report = acceptedReport({ assessment: { package: { ecosystem: 'npm', name: '@webframe/core' } } });
    const record = buildOsvAdvisory(report, deskConfig({ ecosystem: 'npm' }), options(scenario.rows));
    expect(schemaErrors(record)).toEqual([]);
    const expected = versions.filter((version) => expectedAffected(version, scenario, semverOrder));
    expect(expected).toEqual(['4.17.0-beta.1', '4.17.0', '4.17.15', '4.17.21', '5.0.0-rc.1', '5.0.0', '5.0.5', '5.1.0-alpha.2', '5.1.0', '5.1.3']);
    const matched = await matchedVersions(record, 'npm', '@webframe/core', versions, 'npm');
    expect([...matched].sort(semver.compare)).toEqual(expected);
  });
});
