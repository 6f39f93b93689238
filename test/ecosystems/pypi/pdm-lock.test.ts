import { registeredParser } from './registered.js';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseToml } from 'smol-toml';
import { LockfileParseError } from '../../../src/core/errors.js';
import { isMissingEntriesNote } from '../../../src/ecosystems/missing-entries.js';
import { normalizePypiName } from '../../../src/ecosystems/pypi/ecosystem.js';
import { fixture, parseFile, shared } from '../../helpers/shared-data.js';
import { danglingEdges, summarizeByName } from './summaries.js';

const parser = registeredParser('pdm.lock');
const osvScanner = (name: string): string => shared('fixtures/osv-scanner/pkg/lockfile/fixtures/pdm', name);
const scalibr = (name: string): string => shared('fixtures/osv-scalibr/extractor/filesystem/language/python/pdmlock/testdata', name);

describe('pdm.lock', () => {
  it.each([
    { name: 'pdm.lock', want: true },
    { name: 'pdm.toml', want: false },
  ])('matchesFileName($name) is $want', ({ name, want }) => {
    expect(parser.matchesFileName(name)).toBe(want);
  });

  it.each([
    { name: 'empty.toml', file: osvScanner('empty.toml'), want: {}, skipped: 0 },
    {
      name: 'single-package.toml',
      file: osvScanner('single-package.toml'),
      want: { toml: { version: '0.10.2', line: 10, direct: 'unknown', scopes: [], dependsOn: [] } },
      skipped: 0,
    },
    {
      name: 'two-packages.toml',
      file: osvScanner('two-packages.toml'),
      want: {
        six: { version: '1.16.0', line: 10, direct: 'unknown', scopes: [], dependsOn: [] },
        toml: { version: '0.10.2', line: 21, direct: 'unknown', scopes: [], dependsOn: [] },
      },
      skipped: 0,
    },
    {
      name: 'dev-dependency.toml',
      file: osvScanner('dev-dependency.toml'),
      want: {
        pyroute2: { version: '0.7.11', line: 10, direct: 'unknown', scopes: ['dev'], dependsOn: ['win-inet-pton@1.1.0'] },
        toml: { version: '0.10.2', line: 22, direct: 'unknown', scopes: [], dependsOn: [] },
        'win-inet-pton': { version: '1.1.0', line: 33, direct: 'unknown', scopes: ['dev'], dependsOn: [] },
      },
      skipped: 0,
    },
    {
      // Without a pyproject.toml a non-default group cannot be told from an extra: `dev`.
      name: 'optional-dependency.toml',
      file: osvScanner('optional-dependency.toml'),
      want: {
        pyroute2: { version: '0.7.11', line: 10, direct: 'unknown', scopes: ['dev'], dependsOn: ['win-inet-pton@1.1.0'] },
        toml: { version: '0.10.2', line: 22, direct: 'unknown', scopes: [], dependsOn: [] },
        'win-inet-pton': { version: '1.1.0', line: 33, direct: 'unknown', scopes: ['dev'], dependsOn: [] },
      },
      skipped: 0,
    },
    { name: 'git-dependency.toml', file: osvScanner('git-dependency.toml'), want: {}, skipped: 1 },
    {
      name: 'names-outside-package-block.toml',
      file: scalibr('names-outside-package-block.toml'),
      want: {
        'first-pkg': { version: '1.0.0', line: 10, direct: 'unknown', scopes: [], dependsOn: [] },
        'second-pkg': { version: '2.0.0', line: 23, direct: 'unknown', scopes: [], dependsOn: [] },
      },
      skipped: 0,
    },
    {
      // `coverage` and `coverage[toml]` are one distribution; `demo[socks]` expands the project's extra.
      name: 'with-pyproject (hand-written)',
      file: fixture('pypi/pdm/with-pyproject/pdm.lock'),
      want: {
        coverage: { version: '7.2.7', line: 10, direct: false, scopes: ['dev'], dependsOn: ['tomli@2.0.1'] },
        pysocks: { version: '1.7.1', line: 38, direct: true, scopes: ['dev', 'optional'], dependsOn: [] },
        pytest: { version: '8.1.1', line: 43, direct: true, scopes: ['dev'], dependsOn: ['coverage@7.2.7'] },
        requests: { version: '2.31.0', line: 52, direct: true, scopes: [], dependsOn: ['pysocks@1.7.1', 'urllib3@2.2.1'] },
        ruff: { version: '0.3.0', line: 61, direct: true, scopes: ['dev'], dependsOn: [] },
        tomli: { version: '2.0.1', line: 66, direct: false, scopes: ['dev'], dependsOn: [] },
        urllib3: { version: '2.2.1', line: 71, direct: false, scopes: [], dependsOn: [] },
      },
      skipped: 2,
    },
  ])('$name', async ({ file, want, skipped }) => {
    const result = await parseFile(parser, file);
    expect(summarizeByName(result.packages)).toEqual(want);
    // A dependency without an entry (hand-written fixtures) is one note, tested in missing-entries.test.ts.
    expect(result.skipped.filter((entry) => !isMissingEntriesNote(entry))).toHaveLength(skipped);
    expect(danglingEdges(result.packages)).toEqual([]);
  });

  it.each([
    { name: 'git-dependency.toml', file: osvScanner('git-dependency.toml'), want: ['10 toml@0.10.2: git source (not from a package index)'] },
    {
      name: 'with-pyproject',
      file: fixture('pypi/pdm/with-pyproject/pdm.lock'),
      want: ['25 from-url@1.0: url source (not from a package index)', '31 local@0.1.0: path source (not from a package index)'],
    },
  ])('skipped entries of $name', async ({ file, want }) => {
    const result = await parseFile(parser, file);
    const entries = result.skipped.filter((entry) => !isMissingEntriesNote(entry));
    expect(entries.map((entry) => `${entry.location.line ?? '?'} ${entry.name ?? '?'}@${entry.version ?? '?'}: ${entry.reason}`)).toEqual(want);
  });

  it.each([
    { name: 'unknown lock_version', file: fixture('pypi/pdm/unknown-lock-version.lock'), message: 'unsupported pdm.lock version 9.0', location: { file: 'unknown-lock-version.lock', line: 3 } },
    { name: 'not TOML', file: scalibr('not-toml.txt'), message: 'invalid TOML: illegal character in key', location: { file: 'not-toml.txt', line: 1, column: 6 } },
  ])('throws LockfileParseError: $name', async ({ file, message, location }) => {
    const error = await parseFile(parser, file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockfileParseError);
    expect(error).toMatchObject({ message, location });
  });
});

describe('pdm.lock corpus: pdm', () => {
  const lockPath = shared('corpus/pypi/pdm/pdm.lock');
  const lockText = readFileSync(lockPath, 'utf8');

  it('has one package per [[package]], an `extras` entry merging into its base', async () => {
    const headers = (lockText.match(/^\[\[package\]\]$/gm) ?? []).length;
    const extrasEntries = (lockText.match(/^extras = /gm) ?? []).length;
    const result = await parseFile(parser, lockPath);
    expect(extrasEntries).toBe(3);
    expect(result.packages).toHaveLength(headers - extrasEntries);
    expect(result.skipped).toEqual([]);
    expect(result.related).toEqual(['pyproject.toml']);
    expect(danglingEdges(result.packages)).toEqual([]);
  });

  it('marks direct the names pyproject.toml declares', async () => {
    const pyproject = parseToml(readFileSync(shared('corpus/pypi/pdm/pyproject.toml'), 'utf8')) as {
      project: { dependencies: string[]; 'optional-dependencies': Record<string, string[]> };
      tool: { pdm: { 'dev-dependencies': Record<string, string[]> } };
    };
    const all = [
      ...pyproject.project.dependencies,
      ...Object.values(pyproject.project['optional-dependencies']).flat(),
      ...Object.values(pyproject.tool.pdm['dev-dependencies']).flat(),
    ];
    const declared = new Set(all.map((text) => normalizePypiName(/^[A-Za-z0-9._-]+/.exec(text)![0])));
    const result = await parseFile(parser, lockPath);
    const locked = result.packages.map((pkg) => normalizePypiName(pkg.name));
    const direct = result.packages.filter((pkg) => pkg.direct === true).map((pkg) => normalizePypiName(pkg.name));
    expect(direct.sort()).toEqual(locked.filter((name) => declared.has(name)).sort());
  });

  it.each([
    { name: 'anyio', version: '4.3.0', direct: false, scopes: [] },
    { name: 'rich', version: undefined, direct: true, scopes: [] },
    { name: 'arpeggio', version: '2.0.0', direct: false, scopes: ['dev'] },
    { name: 'copier', version: '8.0.0', direct: true, scopes: ['optional'] },
    { name: 'pytest', version: '8.1.1', direct: true, scopes: ['dev', 'optional'] },
    { name: 'coverage', version: undefined, direct: false, scopes: ['dev'] },
  ])('$name: direct $direct, scopes $scopes', async ({ name, version, direct, scopes }) => {
    const result = await parseFile(parser, lockPath);
    const pkg = result.packages.find((candidate) => candidate.name === name);
    expect(pkg).toMatchObject({ direct, scopes });
    if (version !== undefined) expect(pkg?.version).toBe(version);
  });
});
