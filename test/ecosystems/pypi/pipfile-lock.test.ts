import { registeredParser } from './registered.js';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseToml } from 'smol-toml';
import { LockfileParseError } from '../../../src/core/errors.js';
import { normalizePypiName } from '../../../src/ecosystems/pypi/ecosystem.js';
import { fixture, parseFile, shared } from '../../helpers/shared-data.js';
import { summarizeByName } from './summaries.js';

const parser = registeredParser('Pipfile.lock');
const osvScanner = (name: string): string => shared('fixtures/osv-scanner/pkg/lockfile/fixtures/pipenv', name);
const scalibr = (name: string): string => shared('fixtures/osv-scalibr/extractor/filesystem/language/python/pipfilelock/testdata', name);

describe('Pipfile.lock', () => {
  it.each([
    { name: 'Pipfile.lock', want: true },
    { name: 'Pipfile', want: false },
    { name: 'pipfile.lock', want: false },
  ])('matchesFileName($name) is $want', ({ name, want }) => {
    expect(parser.matchesFileName(name)).toBe(want);
  });

  it.each([
    { name: 'empty.json', file: osvScanner('empty.json'), want: {}, skipped: 0 },
    {
      name: 'one-package.json',
      file: osvScanner('one-package.json'),
      want: { markupsafe: { version: '2.1.1', line: 19, direct: 'unknown', scopes: [], dependsOn: [] } },
      skipped: 0,
    },
    {
      name: 'one-package-dev.json',
      file: osvScanner('one-package-dev.json'),
      want: { markupsafe: { version: '2.1.1', line: 20, direct: 'unknown', scopes: ['dev'], dependsOn: [] } },
      skipped: 0,
    },
    {
      name: 'two-packages.json',
      file: osvScanner('two-packages.json'),
      want: {
        itsdangerous: { version: '2.1.2', line: 19, direct: 'unknown', scopes: [], dependsOn: [] },
        markupsafe: { version: '2.1.1', line: 29, direct: 'unknown', scopes: ['dev'], dependsOn: [] },
      },
      skipped: 0,
    },
    {
      name: 'two-packages-alt.json',
      file: osvScanner('two-packages-alt.json'),
      want: {
        itsdangerous: { version: '2.1.2', line: 19, direct: 'unknown', scopes: [], dependsOn: [] },
        markupsafe: { version: '2.1.1', line: 27, direct: 'unknown', scopes: [], dependsOn: [] },
      },
      skipped: 0,
    },
    {
      // itsdangerous is in both sections at one version: one runtime package; pluggy at two versions.
      name: 'multiple-packages.json',
      file: osvScanner('multiple-packages.json'),
      want: {
        itsdangerous: { version: '2.1.2', line: 19, direct: 'unknown', scopes: [], dependsOn: [] },
        'pluggy@1.0.1': { version: '1.0.1', line: 27, direct: 'unknown', scopes: [], dependsOn: [] },
        markupsafe: { version: '2.1.1', line: 32, direct: 'unknown', scopes: [], dependsOn: [] },
        'pluggy@1.0.0': { version: '1.0.0', line: 88, direct: 'unknown', scopes: ['dev'], dependsOn: [] },
      },
      skipped: 0,
    },
    { name: 'no-version.json (git + editable)', file: osvScanner('no-version.json'), want: {}, skipped: 2 },
    {
      name: 'minified.json (everything on line 1)',
      file: scalibr('minified.json'),
      want: { markupsafe: { version: '2.1.1', line: 1, direct: 'unknown', scopes: [], dependsOn: [] } },
      skipped: 0,
    },
    {
      name: 'with-pipfile (hand-written)',
      file: fixture('pypi/pipfile/with-pipfile/Pipfile.lock'),
      want: {
        django: { version: '4.2.5', line: 19, direct: true, scopes: [], dependsOn: [] },
        requests: { version: '2.31.0', line: 28, direct: true, scopes: [], dependsOn: [] },
        'sqlparse@0.4.4': { version: '0.4.4', line: 33, direct: false, scopes: [], dependsOn: [] },
        pytest: { version: '7.4.2', line: 50, direct: true, scopes: ['dev'], dependsOn: [] },
        'sqlparse@0.4.3': { version: '0.4.3', line: 58, direct: false, scopes: ['dev'], dependsOn: [] },
      },
      skipped: 5,
    },
  ])('$name', async ({ file, want, skipped }) => {
    const result = await parseFile(parser, file);
    expect(summarizeByName(result.packages)).toEqual(want);
    expect(result.skipped).toHaveLength(skipped);
  });

  it('skips git, path, editable, unpinned and version-less entries with their line', async () => {
    const result = await parseFile(parser, fixture('pypi/pipfile/with-pipfile/Pipfile.lock'));
    expect(result.skipped.map((entry) => `${entry.location.line ?? '?'} ${entry.name ?? '?'}: ${entry.reason}`)).toEqual([
      '24 mylib: local path or file (not from a package index)',
      '38 from-git: VCS source (not from a package index)',
      '42 wildcard: not pinned with == or ===',
      '45 no-version: package without a version',
      '62 editable-only: editable install',
    ]);
    expect(result.related).toEqual(['Pipfile']);
  });

  it.each([
    { name: 'pipfile-spec 7', file: fixture('pypi/pipfile/unknown-spec.json'), message: 'unsupported Pipfile.lock version pipfile-spec 7', line: 2 },
    { name: 'JSON syntax error', file: fixture('pypi/pipfile/syntax-error.json'), message: /^invalid JSON in Pipfile\.lock: /, line: 4 },
    { name: 'not JSON (upstream)', file: osvScanner('not-json.txt'), message: /^invalid JSON in Pipfile\.lock: unexpected/i, line: 1 },
  ])('throws LockfileParseError: $name', async ({ file, message, line }) => {
    const error = await parseFile(parser, file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockfileParseError);
    expect((error as LockfileParseError).message).toMatch(message);
    expect((error as LockfileParseError).location?.line).toBe(line);
    expect((error as LockfileParseError).message).not.toContain('\n');
  });

});

describe('Pipfile.lock corpus: tock', () => {
  const lockPath = shared('corpus/pypi/tock/Pipfile.lock');
  type Section = Record<string, { version?: string }>;
  const lock = JSON.parse(readFileSync(lockPath, 'utf8')) as { default: Section; develop: Section };

  it('has one package per distinct name and version of default + develop', async () => {
    const distinct = new Set(
      [...Object.entries(lock.default), ...Object.entries(lock.develop)].map(([name, entry]) => `${name}@${entry.version ?? ''}`),
    );
    const result = await parseFile(parser, lockPath);
    expect(Object.keys(lock.default).length + Object.keys(lock.develop).length).toBe(76);
    expect(result.packages).toHaveLength(distinct.size);
    expect(result.skipped).toEqual([]);
    const developOnly = Object.keys(lock.develop).filter((name) => !(name in lock.default));
    expect(result.packages.filter((pkg) => pkg.scopes.includes('dev')).map((pkg) => pkg.name).sort()).toEqual(developOnly.sort());
  });

  it('marks direct the names of the Pipfile', async () => {
    const pipfile = parseToml(readFileSync(shared('corpus/pypi/tock/Pipfile'), 'utf8')) as Record<string, Record<string, unknown>>;
    const declared = new Set([...Object.keys(pipfile.packages ?? {}), ...Object.keys(pipfile['dev-packages'] ?? {})].map(normalizePypiName));
    const result = await parseFile(parser, lockPath);
    const direct = result.packages.filter((pkg) => pkg.direct === true).map((pkg) => normalizePypiName(pkg.name));
    expect(direct.sort()).toEqual([...declared].filter((name) => result.packages.some((pkg) => normalizePypiName(pkg.name) === name)).sort());
  });

  it('locates and versions django as the file does', async () => {
    const text = readFileSync(lockPath, 'utf8');
    const result = await parseFile(parser, lockPath);
    const django = result.packages.find((pkg) => pkg.name === 'django');
    expect(django?.version).toBe(lock.default.django?.version?.replace(/^==/, ''));
    const defaultStart = text.indexOf('"default": {');
    const line = text.slice(0, text.indexOf('"django": {', defaultStart)).split('\n').length;
    expect(django).toMatchObject({ direct: true, scopes: [], location: { file: 'Pipfile.lock', line } });
  });
});
