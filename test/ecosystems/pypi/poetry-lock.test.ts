import { registeredParser } from './registered.js';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseToml } from 'smol-toml';
import { LockfileParseError } from '../../../src/core/errors.js';
import { normalizePypiName } from '../../../src/ecosystems/pypi/ecosystem.js';
import { fixture, parseFile, shared } from '../../helpers/shared-data.js';
import { danglingEdges, summarizeByName } from './summaries.js';

const parser = registeredParser('poetry.lock');
const scalibr = (name: string): string => shared('fixtures/osv-scalibr/extractor/filesystem/language/python/poetrylock/testdata', name);
const osvScanner = (name: string): string => shared('fixtures/osv-scanner/pkg/lockfile/fixtures/poetry', name);

describe('poetry.lock', () => {
  it.each([
    { name: 'poetry.lock', want: true },
    { name: 'Poetry.lock', want: false },
    { name: 'pyproject.toml', want: false },
  ])('matchesFileName($name) is $want', ({ name, want }) => {
    expect(parser.matchesFileName(name)).toBe(want);
  });

  it.each([
    { name: 'empty.lock (package = [])', file: scalibr('empty.lock'), want: {} },
    {
      name: 'one-package.lock',
      file: osvScanner('one-package.lock'),
      want: { numpy: { version: '1.23.3', line: 1, direct: 'unknown', scopes: [], dependsOn: [] } },
    },
    {
      name: 'one-package-with-metadata.lock',
      file: osvScanner('one-package-with-metadata.lock'),
      want: { emoji: { version: '2.0.0', line: 1, direct: 'unknown', scopes: [], dependsOn: [] } },
    },
    {
      name: 'optional-package.lock',
      file: osvScanner('optional-package.lock'),
      want: { numpy: { version: '1.23.3', line: 1, direct: 'unknown', scopes: ['optional'], dependsOn: [] } },
    },
    {
      name: 'two-packages.lock',
      file: osvScanner('two-packages.lock'),
      want: {
        'proto-plus': { version: '1.22.0', line: 1, direct: 'unknown', scopes: [], dependsOn: ['protobuf@4.21.5'] },
        protobuf: { version: '4.21.5', line: 15, direct: 'unknown', scopes: [], dependsOn: [] },
      },
    },
    {
      name: 'names-outside-package-block.lock',
      file: scalibr('names-outside-package-block.lock'),
      want: {
        'first-pkg': { version: '1.0.0', line: 3, direct: 'unknown', scopes: [], dependsOn: [] },
        'second-pkg': { version: '2.0.0', line: 15, direct: 'unknown', scopes: [], dependsOn: [] },
      },
    },
    {
      // Poetry 2 lock-version 2.1: `groups` on each package; `optional = true` for extras.
      name: 'multiple-packages.v2.lock',
      file: scalibr('multiple-packages.v2.lock'),
      want: {
        'async-timeout': { version: '5.0.1', line: 3, direct: 'unknown', scopes: ['optional'], dependsOn: [] },
        'factory-boy': { version: '3.3.1', line: 16, direct: 'unknown', scopes: ['dev'], dependsOn: ['faker@33.3.0'] },
        faker: { version: '33.3.0', line: 35, direct: 'unknown', scopes: ['dev'], dependsOn: ['python-dateutil@2.9.0.post0', 'typing-extensions@4.12.2'] },
        // Locked twice (different markers): two packages, one key each.
        'proto-plus@1.22.0': { version: '1.22.0', line: 51, direct: 'unknown', scopes: [], dependsOn: ['protobuf@4.25.5'] },
        'proto-plus@1.23.0': { version: '1.23.0', line: 70, direct: 'unknown', scopes: [], dependsOn: ['protobuf@4.25.5'] },
        protobuf: { version: '4.25.5', line: 89, direct: 'unknown', scopes: [], dependsOn: [] },
        'python-dateutil': { version: '2.9.0.post0', line: 110, direct: 'unknown', scopes: ['dev'], dependsOn: ['six@1.17.0'] },
        redis: { version: '5.2.1', line: 125, direct: 'unknown', scopes: ['optional'], dependsOn: ['async-timeout@5.0.1'] },
        six: { version: '1.17.0', line: 145, direct: 'unknown', scopes: [], dependsOn: [] },
        'typing-extensions': { version: '4.12.2', line: 157, direct: 'unknown', scopes: ['dev'], dependsOn: [] },
        urllib3: { version: '2.3.0', line: 169, direct: 'unknown', scopes: ['dev'], dependsOn: [] },
      },
    },
    {
      // Lock-version 2.0 has neither category nor groups: scopes come from walking pyproject.toml.
      name: 'with-pyproject (tool.poetry tables)',
      file: fixture('pypi/poetry/with-pyproject/poetry.lock'),
      want: {
        black: { version: '23.7.0', line: 3, direct: true, scopes: ['dev'], dependsOn: ['click@8.1.7', 'packaging@23.1', 'typing-extensions@4.8.0'] },
        certifi: { version: '2023.7.22', line: 13, direct: false, scopes: [], dependsOn: [] },
        click: { version: '8.1.7', line: 18, direct: false, scopes: ['dev'], dependsOn: [] },
        idna: { version: '3.4', line: 23, direct: false, scopes: [], dependsOn: [] },
        iniconfig: { version: '2.0.0', line: 28, direct: false, scopes: ['dev'], dependsOn: [] },
        packaging: { version: '23.1', line: 33, direct: false, scopes: ['dev'], dependsOn: [] },
        pyasn1: { version: '0.5.0', line: 38, direct: false, scopes: ['optional'], dependsOn: [] },
        pytest: { version: '7.4.0', line: 43, direct: true, scopes: ['dev'], dependsOn: ['iniconfig@2.0.0', 'packaging@23.1'] },
        'python-ldap': { version: '3.4.3', line: 53, direct: true, scopes: ['optional'], dependsOn: ['pyasn1@0.5.0'] },
        requests: { version: '2.31.0', line: 61, direct: true, scopes: [], dependsOn: ['certifi@2023.7.22', 'idna@3.4'] },
        // Wanted at runtime and by black: runtime wins.
        'typing-extensions': { version: '4.8.0', line: 70, direct: true, scopes: [], dependsOn: [] },
      },
    },
    {
      name: 'pep621 ([project], [dependency-groups] with include-group, poetry groups)',
      file: fixture('pypi/poetry/pep621/poetry.lock'),
      want: {
        mkdocs: { version: '1.5.3', line: 3, direct: true, scopes: ['dev'], dependsOn: [] },
        pysocks: { version: '1.7.1', line: 9, direct: true, scopes: ['optional'], dependsOn: [] },
        pytest: { version: '7.4.0', line: 16, direct: true, scopes: ['dev'], dependsOn: [] },
        requests: { version: '2.31.0', line: 22, direct: true, scopes: [], dependsOn: ['urllib3@2.0.4'] },
        ruff: { version: '0.1.0', line: 31, direct: true, scopes: ['dev'], dependsOn: [] },
        urllib3: { version: '2.0.4', line: 37, direct: false, scopes: [], dependsOn: [] },
      },
    },
  ])('$name', async ({ file, want }) => {
    const result = await parseFile(parser, file);
    expect(summarizeByName(result.packages)).toEqual(want);
    expect(danglingEdges(result.packages)).toEqual([]);
  });

  it('reads the pyproject.toml beside it and lists it as related', async () => {
    const result = await parseFile(parser, fixture('pypi/poetry/with-pyproject/poetry.lock'));
    expect(result.related).toEqual(['pyproject.toml']);
  });

  it.each([
    { name: 'source-git.lock (upstream)', file: osvScanner('source-git.lock'), want: [{ line: 1, name: 'ike', reason: 'git source (not from a package index)' }] },
    {
      name: 'source-kinds.lock',
      file: fixture('pypi/poetry/source-kinds.lock'),
      want: [
        { line: 49, name: 'no-version', reason: 'package without a version' },
        { line: 1, name: 'from-git', reason: 'git source (not from a package index)' },
        { line: 12, name: 'from-directory', reason: 'directory source (not from a package index)' },
        { line: 21, name: 'from-file', reason: 'file source (not from a package index)' },
        { line: 30, name: 'from-url', reason: 'url source (not from a package index)' },
      ],
    },
  ])('skips packages not from a package index: $name', async ({ file, want }) => {
    const result = await parseFile(parser, file);
    expect(result.skipped.map((entry) => ({ line: entry.location.line, name: entry.name, reason: entry.reason }))).toEqual(want);
  });

  it('keeps the private-index package of source-kinds.lock', async () => {
    const result = await parseFile(parser, fixture('pypi/poetry/source-kinds.lock'));
    expect(result.packages.map((pkg) => `${pkg.name}@${pkg.version}`)).toEqual(['from-private-index@1.4.4']);
  });

  it.each([
    {
      name: 'unknown lock-version',
      file: fixture('pypi/poetry/unknown-lock-version.lock'),
      message: 'unsupported poetry.lock version 9.0',
      location: { file: 'unknown-lock-version.lock', line: 7 },
    },
    {
      name: 'TOML syntax error',
      file: fixture('pypi/poetry/toml-error.lock'),
      message: 'invalid TOML: invalid value',
      location: { file: 'toml-error.lock', line: 4, column: 12 },
    },
    // Poetry writes [metadata] last: without it the file is cut short (these fixtures are cut by hand).
    { name: 'empty-file.lock (no [metadata])', file: scalibr('empty-file.lock'), message: 'poetry.lock has no [metadata] table, which `poetry lock` always writes: the file is truncated or not a poetry.lock', location: { file: 'empty-file.lock' } },
    { name: 'source-legacy.lock (no [metadata])', file: osvScanner('source-legacy.lock'), message: 'poetry.lock has no [metadata] table, which `poetry lock` always writes: the file is truncated or not a poetry.lock', location: { file: 'source-legacy.lock' } },
    {
      name: 'not TOML (upstream not-toml.txt)',
      file: osvScanner('not-toml.txt'),
      message: 'invalid TOML: illegal character in key',
      location: { file: 'not-toml.txt', line: 1, column: 6 },
    },
  ])('throws LockfileParseError: $name', async ({ file, message, location }) => {
    const error = await parseFile(parser, file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockfileParseError);
    expect(error).toMatchObject({ message, location });
    expect((error as LockfileParseError).message).not.toContain('\n');
    expect((error as LockfileParseError).hint).toBeTruthy();
  });
});

describe('poetry.lock corpus: nautobot', () => {
  const lockPath = shared('corpus/pypi/nautobot/poetry.lock');
  const lockText = readFileSync(lockPath, 'utf8');

  it('has one package per [[package]] not from a directory/git/file/url source', async () => {
    const headers = lockText.split('\n').filter((line) => line === '[[package]]').length;
    const nonIndex = (lockText.match(/^\[package\.source\]\ntype = "(git|directory|file|url)"$/gm) ?? []).length;
    const result = await parseFile(parser, lockPath);
    expect(result.packages).toHaveLength(headers - nonIndex);
    expect(result.skipped).toHaveLength(nonIndex);
    expect(nonIndex).toBe(2);
    expect(danglingEdges(result.packages)).toEqual([]);
    expect(result.related).toEqual(['pyproject.toml']);
  });

  it('locks django at the version in the file, as a direct runtime dependency', async () => {
    const version = /^name = "django"\nversion = "([^"]+)"$/m.exec(lockText)?.[1];
    expect(version).toBe('3.2.25');
    const result = await parseFile(parser, lockPath);
    const django = result.packages.find((pkg) => pkg.name === 'django');
    expect(django).toMatchObject({ version, direct: true, scopes: [] });
    const header = lockText.split('\n').findIndex((line, i, all) => line === '[[package]]' && all[i + 1] === 'name = "django"') + 1;
    expect(django?.location).toEqual({ file: 'poetry.lock', line: header });
    expect(django?.dependsOn).toEqual(expect.arrayContaining(['asgiref@3.8.1', 'sqlparse@0.4.4']));
  });

  it('marks direct exactly the lock packages named in pyproject.toml', async () => {
    const pyproject = parseToml(readFileSync(shared('corpus/pypi/nautobot/pyproject.toml'), 'utf8')) as {
      tool: { poetry: { dependencies: Record<string, unknown>; group: Record<string, { dependencies: Record<string, unknown> }> } };
    };
    const declared = new Set(
      [
        ...Object.keys(pyproject.tool.poetry.dependencies),
        ...Object.values(pyproject.tool.poetry.group).flatMap((group) => Object.keys(group.dependencies)),
      ].map(normalizePypiName),
    );
    const result = await parseFile(parser, lockPath);
    const direct = result.packages.filter((pkg) => pkg.direct === true).map((pkg) => normalizePypiName(pkg.name));
    const locked = result.packages.map((pkg) => normalizePypiName(pkg.name));
    expect(direct.sort()).toEqual(locked.filter((name) => declared.has(name)).sort());
  });

  it.each([
    { name: 'django-debug-toolbar', direct: true, scopes: ['dev'] },
    { name: 'mkdocs', direct: true, scopes: ['dev'] },
    { name: 'pylint', direct: true, scopes: ['dev'] },
    { name: 'django-auth-ldap', direct: true, scopes: ['optional'] },
    { name: 'vine', direct: false, scopes: [] },
    { name: 'celery', direct: true, scopes: [] },
  ])('$name: direct $direct, scopes $scopes', async ({ name, direct, scopes }) => {
    const result = await parseFile(parser, lockPath);
    expect(result.packages.find((pkg) => pkg.name === name)).toMatchObject({ direct, scopes });
  });
});
