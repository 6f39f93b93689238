import { registeredParser } from './registered.js';
import { describe, expect, it } from 'vitest';
import { LockfileParseError } from '../../../src/core/errors.js';
import { fixture, parseFile, shared } from '../../helpers/shared-data.js';
import { danglingEdges, summarizeByName } from './summaries.js';

const parser = registeredParser('pylock.toml');
const scalibr = (name: string): string => shared('fixtures/osv-scalibr/extractor/filesystem/language/python/pylock/testdata', name);

/** A package with no edges, no scope, and no word on directness (pylock.toml has none). */
const plain = (version: string, line: number) => ({ version, line, direct: 'unknown' as const, scopes: [], dependsOn: [] });

describe('pylock.toml', () => {
  it.each([
    { name: 'pylock.toml', want: true },
    { name: 'pylock.dev.toml', want: true },
    { name: 'pylock.a.b.toml', want: false },
    { name: 'pylock.lock', want: false },
    { name: 'pyproject.toml', want: false },
  ])('matchesFileName($name) is $want', ({ name, want }) => {
    expect(parser.matchesFileName(name)).toBe(want);
  });

  it.each([
    {
      name: 'commits.toml (uv export)',
      file: scalibr('commits.toml'),
      want: {
        click: plain('8.2.1', 7),
        packaging: plain('24.2', 23),
        pathspec: plain('0.12.1', 30),
        'python-dateutil': plain('2.9.0.post0', 37),
        'scikit-learn': plain('1.6.1', 44),
        tqdm: plain('4.67.1', 71),
      },
      skipped: ['14 mleroc@0.1.0: vcs source (not from a package index)', '19 net-inf-eval@?: directory source (not from a package index)'],
    },
    {
      name: 'example.toml (PEP 751 example)',
      file: scalibr('example.toml'),
      want: {
        attrs: plain('25.1.0', 6),
        cattrs: { ...plain('24.1.2', 19), dependsOn: ['attrs@25.1.0'] },
        numpy: plain('2.2.3', 30),
      },
      skipped: [],
    },
    {
      name: 'names-outside-package-block.toml',
      file: scalibr('names-outside-package-block.toml'),
      want: { 'first-pkg': plain('1.0.0', 5), 'second-pkg': plain('2.0.0', 17) },
      skipped: [],
    },
    {
      name: 'pdm-full.toml',
      file: scalibr('pdm-full.toml'),
      want: {
        certifi: plain('2025.1.31', 10),
        chardet: plain('3.0.4', 23),
        'charset-normalizer': plain('2.0.12', 36),
        colorama: plain('0.3.9', 49),
        idna: plain('2.7', 62),
        py: plain('1.4.34', 75),
        pytest: plain('3.2.5', 88),
        requests: plain('2.27.1', 101),
        setuptools: plain('39.2.0', 114),
        urllib3: plain('1.26.20', 127),
      },
      skipped: [],
    },
    {
      name: 'pip-full.toml',
      file: scalibr('pip-full.toml'),
      want: {
        'annotated-types': plain('0.7.0', 4),
        packaging: plain('25.0', 15),
        'pyproject-toml': plain('0.1.0', 26),
        setuptools: plain('80.9.0', 37),
        wheel: plain('0.45.1', 48),
      },
      skipped: [],
    },
    {
      // Inline `packages = [...]`: lines come from each entry's `name = ...`.
      name: 'pip-just-self.toml',
      file: scalibr('pip-just-self.toml'),
      want: {},
      skipped: ['4 hspaans-github-io@?: directory source (not from a package index)'],
    },
    {
      name: 'pylock.inline.toml (hand-written)',
      file: fixture('pypi/pylock/pylock.inline.toml'),
      want: {
        requests: { ...plain('2.31.0', 5), dependsOn: ['urllib3@2.0.4'] },
        urllib3: plain('2.0.4', 6),
      },
      skipped: ['7 from-archive@1.0: archive source (not from a package index)', '8 no-version@?: package without a version'],
    },
  ])('$name', async ({ file, want, skipped }) => {
    const result = await parseFile(parser, file);
    expect(summarizeByName(result.packages)).toEqual(want);
    expect(result.skipped.map((entry) => `${entry.location.line ?? '?'} ${entry.name ?? '?'}@${entry.version ?? '?'}: ${entry.reason}`)).toEqual(skipped);
    expect(danglingEdges(result.packages)).toEqual([]);
  });

  it.each([
    { name: 'unknown lock-version', file: fixture('pypi/pylock/unknown-lock-version.toml'), message: 'unsupported pylock.toml version 2.0', location: { file: 'unknown-lock-version.toml', line: 1 } },
    { name: 'empty.toml (no lock-version)', file: scalibr('empty.toml'), message: 'pylock.toml has no lock-version, which the locking tool always writes: the file is truncated or not a pylock.toml', location: { file: 'empty.toml' } },
    { name: 'not TOML', file: scalibr('not-toml.txt'), message: 'invalid TOML: illegal character in key', location: { file: 'not-toml.txt', line: 1, column: 6 } },
  ])('throws LockfileParseError: $name', async ({ file, message, location }) => {
    const error = await parseFile(parser, file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockfileParseError);
    expect(error).toMatchObject({ message, location });
  });
});
