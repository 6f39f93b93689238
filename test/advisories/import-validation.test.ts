import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAdvisories, type ImportResult } from '../../src/advisories/import.js';
import { openAdvisoryStore } from '../../src/advisories/store/sqlite-store.js';
import { fixedClock } from '../../src/core/clock.js';
import { shared } from '../helpers/shared-data.js';

// Fail closed on records that would be half read or never match (OSV schema,
// validation/schema.json: `events.items.oneOf`, `events.contains: {required: [introduced]}`,
// "last_affected and fixed events are mutually exclusive", the `ecosystemName` list).

const clock = fixedClock('2024-11-01T12:00:00Z');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-import-validation-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

type Json = Record<string, unknown>;
interface Range {
  type: string;
  events: Json[];
}
interface Affected {
  package: { ecosystem: string; name: string };
  ranges: Range[];
}

/** GHSA-j8r2-6x86-q33q (requests 2.3.0 to 2.31.0), as GitHub publishes it. */
const ghsaPath = (): string =>
  shared('osv', 'ghsa-subset', 'advisories', 'github-reviewed', '2023', '05', 'GHSA-j8r2-6x86-q33q', 'GHSA-j8r2-6x86-q33q.json');
/** PYSEC-2023-74, the same flaw in the PyPA database (YAML, a GIT and an ECOSYSTEM range). */
const pysecPath = (): string => shared('osv', 'pypi-pysec', 'vulns', 'requests', 'PYSEC-2023-74.yaml');

function ghsa(mutate: (affected: Affected) => void): string {
  const record = JSON.parse(readFileSync(ghsaPath(), 'utf8')) as { affected: Affected[] };
  mutate(record.affected[0]!);
  return JSON.stringify(record, null, 2);
}

function pysec(replace: (text: string) => string): string {
  const text = readFileSync(pysecPath(), 'utf8');
  const changed = replace(text);
  expect(changed).not.toBe(text);
  return changed;
}

/** A small record written from the OSV schema. */
function small(affected: unknown): string {
  return JSON.stringify({ schema_version: '1.6.0', id: 'VIGIL-TEST-0100', modified: '2024-10-01T00:00:00Z', affected: [affected] });
}
const pkg = { ecosystem: 'PyPI', name: 'example' };

interface Case {
  readonly name: string;
  readonly file: string;
  readonly text: () => string;
  readonly want: RegExp;
}

const cases: Case[] = [
  {
    name: 'an event with two keys (real GHSA, introduced and fixed in one object)',
    file: 'two-key-event.json',
    text: () =>
      ghsa((affected) => {
        affected.ranges[0]!.events = [{ introduced: '2.3.0', fixed: '2.31.0' }];
      }),
    want: /^invalid OSV record: affected\[0\]\.ranges\[0\]\.events\[0\]: event has introduced and fixed; an event must have exactly one of introduced, fixed, last_affected, limit$/,
  },
  {
    name: 'an event with two keys (real PYSEC YAML)',
    file: 'two-key-event.yaml',
    text: () => pysec((text) => text.replace('    - introduced: 2.3.0\n    - fixed: 2.31.0\n', '    - introduced: 2.3.0\n      fixed: 2.31.0\n')),
    want: /^invalid OSV record: affected\[0\]\.ranges\[1\]\.events\[0\]: event has introduced and fixed; /,
  },
  {
    name: 'an event with none of the keys',
    file: 'empty-event.json',
    text: () => small({ package: pkg, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, {}] }] }),
    want: /^invalid OSV record: affected\[0\]\.ranges\[0\]\.events\[1\]: event has none of introduced, fixed, last_affected, limit$/,
  },
  {
    name: 'a range without an introduced event (real GHSA, introduced dropped)',
    file: 'no-introduced.json',
    text: () =>
      ghsa((affected) => {
        affected.ranges[0]!.events = affected.ranges[0]!.events.filter((event) => !('introduced' in event));
      }),
    want: /^invalid OSV record: affected\[0\]\.ranges\[0\]\.events: range has no introduced event \(OSV requires one; such a range never matches\)$/,
  },
  {
    name: 'a range with fixed and last_affected',
    file: 'fixed-and-last-affected.json',
    text: () => small({ package: pkg, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0' }, { last_affected: '1.9' }] }] }),
    want: /^invalid OSV record: affected\[0\]\.ranges\[0\]\.events: range has both fixed and last_affected events/,
  },
  ...[
    { ecosystem: 'pypi', expected: 'PyPI' },
    { ecosystem: ' PyPI', expected: 'PyPI' },
    { ecosystem: 'Pypi', expected: 'PyPI' },
  ].map(({ ecosystem, expected }) => ({
    name: `ecosystem ${JSON.stringify(ecosystem)} (real GHSA)`,
    file: `ecosystem-${ecosystem.trim()}-${ecosystem.length}.json`,
    text: () =>
      ghsa((affected) => {
        affected.package.ecosystem = ecosystem;
      }),
    want: new RegExp(
      `^invalid OSV record: affected\\[0\\]\\.package\\.ecosystem: ecosystem "${ecosystem}" is misspelt: expected "${expected}" \\(OSV ecosystem names are case-sensitive, without spaces around\\)$`,
    ),
  })),
  {
    name: 'ecosystem "pypi" (real PYSEC YAML)',
    file: 'ecosystem-pypi.yaml',
    text: () => pysec((text) => text.replace('    ecosystem: PyPI\n', '    ecosystem: pypi\n')),
    want: /^invalid OSV record: affected\[0\]\.package\.ecosystem: ecosystem "pypi" is misspelt: expected "PyPI"/,
  },
  {
    name: 'ecosystem "debian:12" keeps its suffix in the expected spelling',
    file: 'ecosystem-debian-12.json',
    text: () => small({ package: { ecosystem: 'debian:12', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }),
    want: /ecosystem "debian:12" is misspelt: expected "Debian:12"/,
  },
  {
    name: 'package name with a leading space (real GHSA)',
    file: 'name-leading-space.json',
    text: () =>
      ghsa((affected) => {
        affected.package.name = ' requests';
      }),
    want: /^invalid OSV record: affected\[0\]\.package\.name: package name " requests" has leading or trailing whitespace$/,
  },
  {
    name: 'package name with a trailing space (real PYSEC YAML)',
    file: 'name-trailing-space.yaml',
    text: () => pysec((text) => text.replace('    name: requests\n', '    name: "requests "\n')),
    want: /^invalid OSV record: affected\[0\]\.package\.name: package name "requests " has leading or trailing whitespace$/,
  },
];

describe('malformed ranges, events, ecosystems and names are rejected with file and reason', () => {
  let folder: string;
  let result: ImportResult;

  beforeAll(async () => {
    folder = path.join(dir, 'malformed');
    mkdirSync(folder);
    for (const { file, text } of cases) writeFileSync(path.join(folder, file), text());
    result = await importAdvisories({ storePath: path.join(dir, 'malformed.db'), inputs: [folder], clock });
  });

  it.each(cases)('$name', ({ file, want }) => {
    const entry = result.rejected.find((rejected) => rejected.file === path.join(folder, file));
    expect(entry?.reason).toMatch(want);
  });

  it('imports none of them', () => {
    expect(result.rejected).toHaveLength(cases.length);
    expect(result.imported + result.replaced + result.unchanged).toBe(0);
  });

  it('still imports the unmutated records', async () => {
    const got = await importAdvisories({ storePath: path.join(dir, 'unmutated.db'), inputs: [ghsaPath(), pysecPath()], clock });
    expect(got).toMatchObject({ imported: 2, rejected: [], unknownEcosystems: [] });
  });
});

describe('ecosystems OSV does not list', () => {
  it('are imported, and reported once per ecosystem with a record count', async () => {
    const folder = path.join(dir, 'unknown');
    mkdirSync(folder);
    const record = (id: string, ecosystem: string): string =>
      JSON.stringify({ id, modified: '2024-10-01T00:00:00Z', affected: [{ package: { ecosystem, name: 'x' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }] });
    writeFileSync(path.join(folder, 'a.json'), record('VIGIL-TEST-0201', 'Frobnicate'));
    writeFileSync(path.join(folder, 'b.json'), record('VIGIL-TEST-0202', 'Frobnicate:2'));
    writeFileSync(path.join(folder, 'c.json'), record('VIGIL-TEST-0203', 'PyPl'));
    writeFileSync(path.join(folder, 'd.json'), record('VIGIL-TEST-0204', 'PyPI'));
    const storePath = path.join(dir, 'unknown.db');
    const got = await importAdvisories({ storePath, inputs: [folder], clock });
    expect(got.rejected).toEqual([]);
    expect(got.imported).toBe(4);
    expect(got.unknownEcosystems).toEqual([
      { ecosystem: 'Frobnicate', records: 2 },
      { ecosystem: 'PyPl', records: 1 },
    ]);
    const store = openAdvisoryStore(storePath);
    try {
      expect((await store.status()).ecosystems.map((entry) => entry.ecosystem)).toEqual(['Frobnicate', 'PyPI', 'PyPl']);
    } finally {
      store.close();
    }
  });
});

describe('every real OSV record in the shared data', () => {
  it('imports without a rejection or an unknown ecosystem', async () => {
    const inputs = [
      shared('osv', 'pypi-pysec', 'vulns'),
      shared('osv', 'ghsa-subset', 'advisories'),
      shared('osv', 'ghsa-pypi', 'advisories'),
      shared('osv', 'go-vulndb', 'data', 'osv'),
      shared('osv', 'rustsec', 'crates'),
      shared('osv', 'debian', 'records'),
    ];
    const got = await importAdvisories({ storePath: path.join(dir, 'all-real.db'), inputs, clock });
    expect(got.rejected).toEqual([]);
    expect(got.unknownEcosystems).toEqual([]);
    // GHSA twins of PYSEC records are separate ids; the two GHSA folders share two records.
    expect(got.imported + got.unchanged + got.replaced).toBeGreaterThan(8300);
    expect(Object.keys(got.byEcosystem).sort()).toEqual(['Debian', 'GitHub Actions', 'Go', 'PyPI', 'Ubuntu', 'crates.io', 'npm']);
  });
});
