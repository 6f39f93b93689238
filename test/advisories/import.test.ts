import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAdvisories, type ImportResult } from '../../src/advisories/import.js';
import type { ProgressEvent } from '../../src/advisories/progress.js';
import { openAdvisoryStore } from '../../src/advisories/store/sqlite-store.js';
import { fixedClock } from '../../src/core/clock.js';
import { AdvisoryStoreError } from '../../src/core/errors.js';
import { fixture, shared } from '../helpers/shared-data.js';

const clock = fixedClock('2024-05-01T12:00:00Z');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-import-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function walk(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Base ecosystems of a record read plainly: the `ecosystem:` keys of its text. */
function plainEcosystems(text: string): Set<string> {
  const found = new Set<string>();
  for (const match of text.matchAll(/"?ecosystem"?\s*:\s*"?([^"\n,]+)"?/g)) {
    found.add(match[1]!.trim().split(':')[0]!);
  }
  return found;
}

describe('the real PyPA snapshot and the GHSA subset', () => {
  const pysecDir = shared('osv', 'pypi-pysec', 'vulns');
  const ghsaDir = shared('osv', 'ghsa-subset');
  let result: ImportResult;
  let storePath: string;
  const progress: ProgressEvent[] = [];

  beforeAll(async () => {
    storePath = path.join(dir, 'real.db');
    result = await importAdvisories({
      storePath,
      inputs: [pysecDir, ghsaDir],
      clock,
      onProgress: (event) => progress.push(event),
    });
  });

  it('imports every record file, counted independently', () => {
    const files = [...walk(pysecDir), ...walk(ghsaDir)];
    const recordFiles = files.filter((file) => /\.(ya?ml|json)$/.test(file));
    const want: Record<string, number> = {};
    for (const file of recordFiles) {
      for (const ecosystem of plainEcosystems(readFileSync(file, 'utf8'))) want[ecosystem] = (want[ecosystem] ?? 0) + 1;
    }
    expect(result.rejected).toEqual([]);
    expect(result.imported).toBe(recordFiles.length);
    expect(result.replaced + result.unchanged).toBe(0);
    expect(result.byEcosystem).toEqual(want);
    expect(result.ignoredFiles.length).toBe(files.length - recordFiles.length);
    expect(result.ignoredFiles.map((file) => path.basename(file)).sort()).toEqual([
      '.id-allocator',
      'LICENSE-CC-BY-4.0.txt',
      'README.md',
      'SOURCES.tsv',
    ]);
  });

  it('reports progress per file up to the total', () => {
    expect(progress.length).toBe(result.imported);
    expect(progress.at(-1)).toMatchObject({ phase: 'import', done: result.imported, total: result.imported });
  });

  it('stores withdrawn records but never returns them', async () => {
    const withdrawn = walk(pysecDir).filter((file) => /^withdrawn:/m.test(readFileSync(file, 'utf8')));
    expect(withdrawn.length).toBeGreaterThan(0);
    const store = openAdvisoryStore(storePath);
    try {
      expect((await store.status()).withdrawn).toBe(withdrawn.length + countWithdrawnJson(walk(ghsaDir)));
      const ids = withdrawn.map((file) => path.basename(file, '.yaml'));
      expect(await store.recordsByAlias(ids)).toEqual([]);
      const names = withdrawn.map((file) => path.basename(path.dirname(file)).replace(/[-_.]+/g, '-').toLowerCase());
      const found = await store.advisoriesFor('PyPI', names);
      const returned = new Set([...found.values()].flat().map((record) => record.id));
      for (const id of ids) expect(returned.has(id)).toBe(false);
    } finally {
      store.close();
    }
  });

  it('finds records by alias in both directions', async () => {
    // PYSEC-2023-74 lists GHSA-j8r2-6x86-q33q as an alias; the GHSA record lists only the CVE.
    const pysec = readFileSync(path.join(pysecDir, 'requests', 'PYSEC-2023-74.yaml'), 'utf8');
    expect(pysec).toContain('- GHSA-j8r2-6x86-q33q');
    const store = openAdvisoryStore(storePath);
    try {
      const cases = [
        { by: 'GHSA-j8r2-6x86-q33q', want: ['GHSA-j8r2-6x86-q33q', 'PYSEC-2023-74'] },
        { by: 'PYSEC-2023-74', want: ['PYSEC-2023-74'] },
        { by: 'CVE-2023-32681', want: ['GHSA-j8r2-6x86-q33q', 'PYSEC-2023-74'] },
      ];
      for (const { by, want } of cases) {
        const ids = (await store.recordsByAlias([by])).map((record) => record.id).sort();
        expect(ids, by).toEqual(want);
      }
    } finally {
      store.close();
    }
  });

  it('answers a 1,000-package query with the packages that have advisories', async () => {
    // 1,000 packages of which 100 have advisories. Its speed is measured by bench/, not here.
    const withAdvisories = readdirSync(pysecDir).map((name) => name.replace(/[-_.]+/g, '-').toLowerCase());
    const realistic = withAdvisories.slice(0, 100);
    while (realistic.length < 1000) realistic.push(`no-such-package-${realistic.length}`);
    const store = openAdvisoryStore(storePath);
    try {
      const hits = (await store.advisoriesFor('PyPI', realistic)).size;
      // A few package directories of the snapshot hold only withdrawn records.
      expect(hits).toBeGreaterThan(90);
      expect(hits).toBeLessThanOrEqual(100);
      const found = await store.advisoriesFor('PyPI', ['requests']);
      expect(found.get('requests')?.map((record) => record.id)).toContain('PYSEC-2023-74');
    } finally {
      store.close();
    }
  });

  it('re-importing the same data changes nothing', async () => {
    const again = await importAdvisories({ storePath, inputs: [ghsaDir], clock });
    expect(again).toMatchObject({ imported: 0, replaced: 0, unchanged: 29 });
  });
});

function countWithdrawnJson(files: readonly string[]): number {
  return files.filter((file) => file.endsWith('.json') && /"withdrawn"\s*:/.test(readFileSync(file, 'utf8'))).length;
}

describe('malformed records are rejected with file and reason, the rest imported', () => {
  let result: ImportResult;
  const folder = fixture('advisories', 'mixed');

  beforeAll(async () => {
    result = await importAdvisories({ storePath: path.join(dir, 'mixed.db'), inputs: [folder], clock });
  });

  const cases: { file: string; want: RegExp }[] = [
    { file: 'wrong-types.json', want: /^invalid OSV record: aliases: .*expected array, received string; affected\[0\]\.package\.name: .*expected string, received number$/ },
    { file: 'not-json.json', want: /^invalid JSON: / },
    { file: 'missing-id.json', want: /^invalid OSV record: id: missing required field$/ },
    { file: 'legacy-nodejs-security-wg.json', want: /^not an OSV record: legacy nodejs-security-wg advisory format/ },
    { file: 'bad-timestamp.yaml', want: /^invalid OSV record: modified: not an RFC 3339 timestamp$/ },
    { file: 'not-yaml.yml', want: /^invalid YAML: / },
    { file: 'array-not-record.json', want: /^not an OSV record: expected a JSON object, got an array$/ },
  ];

  it.each(cases)('$file', ({ file, want }) => {
    const entry = result.rejected.find((rejected) => rejected.file === path.join(folder, file));
    expect(entry?.reason).toMatch(want);
    expect(entry?.reason).not.toContain('\n');
  });

  it('imports the valid ones and counts the other files as ignored', () => {
    expect(result.rejected.length).toBe(cases.length);
    expect(result.imported).toBe(4);
    expect(result.byEcosystem).toEqual({ PyPI: 2, npm: 1, Debian: 1 });
    expect(result.ignoredFiles).toEqual([path.join(folder, 'README.txt')]);
  });

  it('rejects every real nodejs-security-wg file as not OSV', async () => {
    const legacy = shared('osv', 'nodejs-security-wg', 'vuln');
    const jsonFiles = walk(legacy).filter((file) => file.endsWith('.json'));
    const got = await importAdvisories({ storePath: path.join(dir, 'legacy.db'), inputs: [legacy], clock });
    expect(got.imported).toBe(0);
    expect(got.rejected.length).toBe(jsonFiles.length);
    for (const rejected of got.rejected) expect(rejected.reason).toMatch(/^not an OSV record: /);
    const advisories = got.rejected.filter((rejected) => /\/(npm|core)\/\d+\.json$/.test(rejected.file));
    expect(advisories.length).toBeGreaterThan(600);
    for (const rejected of advisories) expect(rejected.reason).toMatch(/^not an OSV record: legacy nodejs-security-wg advisory format/);
  });

  it('rejects an explicit file that is not an advisory file, and fails on a missing input', async () => {
    const storePath = path.join(dir, 'explicit.db');
    const got = await importAdvisories({ storePath, inputs: [path.join(folder, 'README.txt')], clock });
    expect(got.rejected).toEqual([
      { file: path.join(folder, 'README.txt'), reason: 'not an advisory file: expected .json, .yaml, .yml or .zip' },
    ]);
    await expect(
      importAdvisories({ storePath, inputs: [path.join(folder, 'no-such-file.json')], clock }),
    ).rejects.toThrow(AdvisoryStoreError);
  });
});

describe('a record with a known id', () => {
  const base = JSON.parse(readFileSync(fixture('advisories', 'mixed', 'valid-pypi-record.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const variant = (modified: string, summary: string): Record<string, unknown> => ({ ...base, modified, summary });
  const stored = variant('2024-03-01T10:00:00Z', 'stored');

  const cases = [
    { name: 'newer modified replaces', incoming: variant('2024-03-02T00:00:00Z', 'newer'), want: 'replaced', summary: 'newer' },
    { name: 'equal modified, other content replaces', incoming: variant('2024-03-01T10:00:00.000Z', 'fixed'), want: 'replaced', summary: 'fixed' },
    { name: 'identical record is unchanged', incoming: stored, want: 'unchanged', summary: 'stored' },
    { name: 'older modified keeps the stored one', incoming: variant('2024-02-01T00:00:00Z', 'older'), want: 'unchanged', summary: 'stored' },
  ] as const;

  it.each(cases)('$name', async ({ name, incoming, want, summary }) => {
    const storePath = path.join(dir, `${name.replace(/\W+/g, '-')}.db`);
    const first = path.join(dir, `${name.replace(/\W+/g, '-')}-first.json`);
    const second = path.join(dir, `${name.replace(/\W+/g, '-')}-second.json`);
    writeFileSync(first, JSON.stringify(stored));
    writeFileSync(second, JSON.stringify(incoming));
    await importAdvisories({ storePath, inputs: [first], clock });
    const got = await importAdvisories({ storePath, inputs: [second], clock });
    expect(got[want]).toBe(1);
    const store = openAdvisoryStore(storePath);
    const [record] = await store.recordsByAlias(['VIGIL-TEST-0001']);
    store.close();
    expect(record?.summary).toBe(summary);
  });
});

describe('zip dumps', () => {
  it('imports an all.zip and names rejected entries as zip!/entry', async () => {
    const folder = fixture('advisories', 'mixed');
    const zipPath = path.join(dir, 'all.zip');
    writeFileSync(
      zipPath,
      zipSync({
        'VIGIL-TEST-0001.json': readFileSync(path.join(folder, 'valid-pypi-record.json')),
        'VIGIL-TEST-0004.json': readFileSync(path.join(folder, 'ecosystem-with-suffix.json')),
        'missing-id.json': readFileSync(path.join(folder, 'missing-id.json')),
        'notes.txt': strToU8('not a record'),
      }),
    );
    const progress: ProgressEvent[] = [];
    const got = await importAdvisories({
      storePath: path.join(dir, 'zip.db'),
      inputs: [zipPath],
      clock,
      onProgress: (event) => progress.push(event),
    });
    expect(got.imported).toBe(2);
    expect(got.rejected).toEqual([
      { file: `${zipPath}!/missing-id.json`, reason: 'invalid OSV record: id: missing required field' },
      { file: `${zipPath}!/notes.txt`, reason: 'not a .json entry (an OSV dump holds one JSON record per entry)' },
    ]);
    expect(progress.at(-1)).toMatchObject({ done: 4, total: 4 });
  });

  it('rejects a damaged zip as a whole and imports the other inputs', async () => {
    const zipPath = path.join(dir, 'damaged.zip');
    const good = zipSync({ 'a.json': readFileSync(fixture('advisories', 'mixed', 'valid-pypi-record.json')) });
    writeFileSync(zipPath, good.subarray(0, good.length - 10));
    const copy = path.join(dir, 'valid.yaml');
    copyFileSync(fixture('advisories', 'mixed', 'valid-yaml-record.yaml'), copy);
    const got = await importAdvisories({ storePath: path.join(dir, 'damaged.db'), inputs: [zipPath, copy], clock });
    expect(got.imported).toBe(1);
    expect(got.rejected).toHaveLength(1);
    expect(got.rejected[0]?.file).toBe(zipPath);
    expect(got.rejected[0]?.reason).toMatch(/^not a readable zip archive: /);
  });
});
