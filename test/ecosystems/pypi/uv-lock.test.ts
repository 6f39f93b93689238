import { registeredParser } from './registered.js';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseToml } from 'smol-toml';
import { LockfileParseError } from '../../../src/core/errors.js';
import { fixture, parseFile, shared } from '../../helpers/shared-data.js';
import { danglingEdges, summarizeByName } from './summaries.js';

const parser = registeredParser('uv.lock');
const scalibr = (name: string): string => shared('fixtures/osv-scalibr/extractor/filesystem/language/python/uvlock/testdata', name);

describe('uv.lock', () => {
  it.each([
    { name: 'uv.lock', want: true },
    { name: 'uv.toml', want: false },
  ])('matchesFileName($name) is $want', ({ name, want }) => {
    expect(parser.matchesFileName(name)).toBe(want);
  });

  it.each([
    // The only entry is the project itself: neither a package nor a skipped entry.
    { name: 'no-dependencies.lock', file: scalibr('no-dependencies.lock'), want: {}, skipped: 0 },
    {
      name: 'one-package.lock',
      file: scalibr('one-package.lock'),
      want: { emoji: { version: '2.14.0', line: 4, direct: true, scopes: [], dependsOn: [] } },
      skipped: 0,
    },
    {
      name: 'two-packages.lock',
      file: scalibr('two-packages.lock'),
      want: {
        emoji: { version: '2.14.0', line: 4, direct: true, scopes: [], dependsOn: [] },
        protobuf: { version: '4.25.5', line: 13, direct: true, scopes: [], dependsOn: [] },
      },
      skipped: 0,
    },
    { name: 'source-git.lock', file: scalibr('source-git.lock'), want: {}, skipped: 1 },
    {
      // No project entry: nothing says what is direct.
      name: 'names-outside-package-block.lock',
      file: scalibr('names-outside-package-block.lock'),
      want: {
        'first-pkg': { version: '1.0.0', line: 3, direct: 'unknown', scopes: [], dependsOn: [] },
        'second-pkg': { version: '2.0.0', line: 15, direct: 'unknown', scopes: [], dependsOn: [] },
      },
      skipped: 0,
    },
    {
      // The project's extras (cli, dev, test) make everything but emoji optional.
      name: 'grouped-packages.lock',
      file: scalibr('grouped-packages.lock'),
      want: {
        black: {
          version: '24.10.0',
          line: 4,
          direct: true,
          scopes: ['optional'],
          dependsOn: ['click@8.1.7', 'mypy-extensions@1.0.0', 'packaging@24.2', 'pathspec@0.12.1', 'platformdirs@4.3.6', 'tomli@2.2.1', 'typing-extensions@4.12.2'],
        },
        click: { version: '8.1.7', line: 38, direct: true, scopes: ['optional'], dependsOn: ['colorama@0.4.6'] },
        colorama: { version: '0.4.6', line: 50, direct: false, scopes: ['optional'], dependsOn: [] },
        emoji: { version: '2.14.0', line: 59, direct: true, scopes: [], dependsOn: [] },
        flake8: { version: '7.1.1', line: 68, direct: true, scopes: ['optional'], dependsOn: ['mccabe@0.7.0', 'pycodestyle@2.12.1', 'pyflakes@3.2.0'] },
        mccabe: { version: '0.7.0', line: 82, direct: false, scopes: ['optional'], dependsOn: [] },
        'mypy-extensions': { version: '1.0.0', line: 91, direct: false, scopes: ['optional'], dependsOn: [] },
        packaging: { version: '24.2', line: 100, direct: false, scopes: ['optional'], dependsOn: [] },
        pathspec: { version: '0.12.1', line: 109, direct: false, scopes: ['optional'], dependsOn: [] },
        platformdirs: { version: '4.3.6', line: 118, direct: false, scopes: ['optional'], dependsOn: [] },
        pycodestyle: { version: '2.12.1', line: 127, direct: false, scopes: ['optional'], dependsOn: [] },
        pyflakes: { version: '3.2.0', line: 136, direct: false, scopes: ['optional'], dependsOn: [] },
        tomli: { version: '2.2.1', line: 145, direct: false, scopes: ['optional'], dependsOn: [] },
        'typing-extensions': { version: '4.12.2', line: 184, direct: false, scopes: ['optional'], dependsOn: [] },
      },
      skipped: 0,
    },
    {
      // Workspace: the virtual root and an editable member are the project; a name locked at two
      // versions is two packages; dev-dependencies give `dev` unless runtime also needs the package.
      name: 'workspace (hand-written)',
      file: fixture('pypi/uv/workspace/uv.lock'),
      want: {
        iniconfig: { version: '2.0.0', line: 40, direct: false, scopes: ['dev'], dependsOn: [] },
        'numpy@1.26.4': { version: '1.26.4', line: 59, direct: true, scopes: [], dependsOn: [] },
        'numpy@2.1.0': { version: '2.1.0', line: 67, direct: true, scopes: [], dependsOn: [] },
        pytest: { version: '8.3.2', line: 75, direct: true, scopes: ['dev'], dependsOn: ['iniconfig@2.0.0', 'requests@2.32.3'] },
        requests: { version: '2.32.3', line: 84, direct: true, scopes: [], dependsOn: [] },
        urllib3: { version: '2.2.2', line: 92, direct: false, scopes: [], dependsOn: [] },
      },
      skipped: 4,
    },
  ])('$name', async ({ file, want, skipped }) => {
    const result = await parseFile(parser, file);
    expect(summarizeByName(result.packages)).toEqual(want);
    expect(result.skipped).toHaveLength(skipped);
    expect(danglingEdges(result.packages)).toEqual([]);
  });

  it('skips git, url, directory and path sources with their reason and line', async () => {
    const result = await parseFile(parser, fixture('pypi/uv/workspace/uv.lock'));
    expect(result.skipped.map((entry) => `${entry.location.line ?? '?'} ${entry.name ?? '?'}@${entry.version ?? '?'}: ${entry.reason}`)).toEqual([
      '27 from-git@0.1.0: git source (not from a package index)',
      '35 from-url@1.0: url source (not from a package index)',
      '54 local-dir@0.3.0: directory source (not from a package index)',
      '97 vendored@1.0.0: path source (not from a package index)',
    ]);
  });

  it.each([
    { name: 'unknown version', file: fixture('pypi/uv/unknown-version.lock'), message: 'unsupported uv.lock version 99', location: { file: 'unknown-version.lock', line: 2 } },
    { name: 'empty.lock (no version)', file: scalibr('empty.lock'), message: 'uv.lock has no version, which `uv lock` always writes: the file is truncated or not a uv.lock', location: { file: 'empty.lock' } },
    { name: 'no-packages.lock (uv always locks the project)', file: scalibr('no-packages.lock'), message: 'uv.lock has no [[package]] entry, which `uv lock` always writes: the file is truncated or not a uv.lock', location: { file: 'no-packages.lock' } },
    { name: 'not TOML', file: scalibr('not-toml.txt'), message: 'invalid TOML: illegal character in key', location: { file: 'not-toml.txt', line: 1, column: 6 } },
  ])('throws LockfileParseError: $name', async ({ file, message, location }) => {
    const error = await parseFile(parser, file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockfileParseError);
    expect(error).toMatchObject({ message, location });
  });
});

describe('uv.lock corpus: pydantic', () => {
  const lockPath = shared('corpus/pypi/pydantic/uv.lock');
  const lockText = readFileSync(lockPath, 'utf8');

  it('has one package per registry-sourced [[package]]', async () => {
    const headers = (lockText.match(/^\[\[package\]\]$/gm) ?? []).length;
    const registry = (lockText.match(/^source = \{ registry = /gm) ?? []).length;
    const result = await parseFile(parser, lockPath);
    expect(result.packages).toHaveLength(registry);
    // The rest: the editable project itself (not a package) and one git source (skipped).
    expect(headers - registry).toBe(2);
    expect(result.skipped.map((entry) => `${entry.name ?? '?'}: ${entry.reason}`)).toEqual(['pydantic-extra-types: git source (not from a package index)']);
    expect(danglingEdges(result.packages)).toEqual([]);
  });

  it('takes direct dependencies and scopes from the editable project entry', async () => {
    const document = parseToml(lockText) as { package: { name: string; source: Record<string, string>; dependencies?: { name: string }[] }[] };
    const project = document.package.find((entry) => 'editable' in entry.source);
    expect(project?.name).toBe('pydantic');
    const runtime = (project?.dependencies ?? []).map((dep) => dep.name).sort();
    expect(runtime).toEqual(['annotated-types', 'pydantic-core', 'typing-extensions']);

    const result = await parseFile(parser, lockPath);
    const byName = new Map(result.packages.map((pkg) => [pkg.name, pkg]));
    for (const name of runtime) expect(byName.get(name)).toMatchObject({ direct: true, scopes: [] });
    expect(byName.get('email-validator')).toMatchObject({ direct: true, scopes: ['optional'] });
    expect(byName.get('pytest')).toMatchObject({ direct: true, scopes: ['dev'] });
    expect(byName.get('pydantic-core')?.dependsOn).toEqual(['typing-extensions@4.12.2']);
    const line = lockText.split('\n').findIndex((text, i, all) => text === '[[package]]' && all[i + 1] === 'name = "pydantic-core"') + 1;
    expect(byName.get('pydantic-core')?.location).toEqual({ file: 'uv.lock', line });
  });
});
