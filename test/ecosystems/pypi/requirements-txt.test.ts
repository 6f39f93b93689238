import { registeredParser } from './registered.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Package, SkippedEntry } from '../../../src/core/types.js';
import { normalizePypiName } from '../../../src/ecosystems/pypi/ecosystem.js';
import { splitLogicalLines } from '../../../src/ecosystems/pypi/requirements-txt.js';
import { fixture, parseFile, shared } from '../../helpers/shared-data.js';

const parser = registeredParser('requirements.txt');

/** `name version line` of each package, in order. */
function summarize(packages: readonly Package[]): string[] {
  return packages.map((pkg) => `${pkg.name} ${pkg.version} ${pkg.location.file}:${pkg.location.line ?? '?'}`);
}

function reasonsByLine(skipped: readonly SkippedEntry[]): Record<number, string> {
  return Object.fromEntries(skipped.map((entry) => [entry.location.line ?? 0, entry.reason]));
}

describe('requirements.txt file names', () => {
  it.each([
    { name: 'requirements.txt', want: true },
    { name: 'requirements-dev.txt', want: true },
    { name: 'requirements_test.txt', want: true },
    { name: 'dev-requirements.txt', want: true },
    { name: 'test_requirements.txt', want: true },
    { name: 'constraints.txt', want: false },
    { name: 'requirements.in', want: false },
    { name: 'notes.txt', want: false },
  ])('matchesFileName($name) is $want', ({ name, want }) => {
    expect(parser.matchesFileName(name)).toBe(want);
  });

  it.each([
    { relativePath: 'requirements/common.txt', want: true },
    { relativePath: 'backend/requirements/dev.txt', want: true },
    { relativePath: 'requirements/README.md', want: false },
    { relativePath: 'requirements/common.in', want: false },
    { relativePath: 'docs/requirements-docs.txt', want: true },
    { relativePath: 'docs/notes.txt', want: false },
  ])('matchesPath($relativePath) is $want', ({ relativePath, want }) => {
    expect(parser.matchesPath?.(relativePath)).toBe(want);
  });
});

describe('splitLogicalLines', () => {
  it.each([
    { name: 'plain line', input: 'a==1', want: [{ line: 1, text: 'a==1', comment: undefined }] },
    { name: 'trailing comment', input: 'a==1  # why', want: [{ line: 1, text: 'a==1', comment: ' why' }] },
    { name: 'hash sign without space is not a comment', input: 'a==1#x', want: [{ line: 1, text: 'a==1#x', comment: undefined }] },
    { name: 'continuation joins onto the first line', input: 'a==\\\n1\nb==2', want: [{ line: 1, text: 'a==1', comment: undefined }, { line: 3, text: 'b==2', comment: undefined }] },
    { name: 'full-line comment', input: '  # via x', want: [{ line: 1, text: '', comment: ' via x' }] },
    { name: 'CRLF', input: 'a==1\r\nb==2\r\n', want: [{ line: 1, text: 'a==1', comment: undefined }, { line: 2, text: 'b==2', comment: undefined }, { line: 3, text: '', comment: undefined }] },
  ])('$name', ({ input, want }) => {
    expect(splitLogicalLines(input)).toEqual(want);
  });
});

describe('requirements.txt hand-written fixtures', () => {
  it('follows -r and -c includes relative to each file, once each, and applies constraint pins', async () => {
    const result = await parseFile(parser, fixture('pypi/requirements/with-includes/requirements.txt'));
    expect(summarize(result.packages)).toEqual([
      'idna 3.4 shared.txt:1',
      'six 1.16.0 base/common.txt:2',
      'pytest 7.4.0 dev-requirements.txt:4',
      'attrs 23.1.0 dev-requirements.txt:5',
      // Unpinned in requirements.txt, pinned by the constraints file: located where the version is.
      'Django 4.2.1 constraints.txt:1',
      'attrs 23.1.0 requirements.txt:8',
    ]);
    expect(result.related).toEqual(['base/common.txt', 'shared.txt', 'dev-requirements.txt', 'constraints.txt']);
    // Only-constrained packages and the constraint file's editable line install nothing.
    expect(result.packages.map((pkg) => pkg.name)).not.toContain('only-constrained');
    expect(result.skipped).toEqual([]);
    const keys = result.packages.map((pkg) => pkg.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(result.packages.every((pkg) => pkg.direct === 'unknown')).toBe(true);
  });

  it.each([
    {
      name: 'hashes-and-continuations.txt',
      want: ['certifi 2023.7.22 hashes-and-continuations.txt:5', 'urllib3 2.0.4 hashes-and-continuations.txt:8', 'name-split-across-lines 1.0 hashes-and-continuations.txt:9'],
    },
    {
      name: 'markers-and-extras.txt',
      want: ['importlib-metadata 6.8.0 markers-and-extras.txt:1', 'requests 2.31.0 markers-and-extras.txt:2', 'Twisted 22.10.0 markers-and-extras.txt:3', 'pywin32 306 markers-and-extras.txt:4'],
    },
  ])('$name', async ({ name, want }) => {
    const result = await parseFile(parser, fixture('pypi/requirements', name));
    expect(summarize(result.packages)).toEqual(want);
    expect(result.skipped).toEqual([]);
  });

  it('skips every kind of line it cannot audit, with a reason', async () => {
    const result = await parseFile(parser, fixture('pypi/requirements/skipped-kinds.txt'));
    expect(result.packages).toEqual([]);
    expect(reasonsByLine(result.skipped)).toEqual({
      1: 'editable install',
      2: 'editable install',
      3: 'VCS reference (not from a package index)',
      4: 'URL (not from a package index)',
      5: 'local path (not from a package index)',
      6: 'direct URL reference (not from a package index)',
      7: 'VCS reference (not from a package index)',
      8: 'not pinned with == or ===',
      9: 'not pinned with == or ===',
      10: 'not pinned with == or ===',
      11: 'not pinned with == or ===',
      12: 'not pinned with == or ===',
      13: 'invalid requirement',
      14: 'invalid requirement',
      15: 'environment variable in requirement (not expanded)',
      16: 'unknown pip option --frobnicate',
    });
    const byLine = new Map(result.skipped.map((entry) => [entry.location.line, entry]));
    expect(byLine.get(1)?.name).toBe('flask');
    expect(byLine.get(3)?.name).toBe('requests');
    expect(byLine.get(9)).toMatchObject({ name: 'black', version: '>=22.3.0' });
    expect(byLine.get(11)).toMatchObject({ name: 'celery', version: undefined });
  });

  it('reports a missing include as a skipped entry', async () => {
    const result = await parseFile(parser, fixture('pypi/requirements/missing-include.txt'));
    expect(summarize(result.packages)).toEqual(['six 1.16.0 missing-include.txt:1']);
    expect(result.skipped).toEqual([
      { location: { file: 'missing-include.txt', line: 2 }, version: 'does-not-exist.txt', ecosystem: 'PyPI', reason: 'included file not found: does-not-exist.txt' },
    ]);
  });

  it('reads pip-compile `# via` annotations for directness and edges', async () => {
    const result = await parseFile(parser, fixture('pypi/requirements/pip-compile/requirements.txt'));
    const byName = new Map(result.packages.map((pkg) => [pkg.name, pkg]));
    expect(Object.fromEntries(result.packages.map((pkg) => [pkg.name, pkg.direct]))).toEqual({
      certifi: false,
      'charset-normalizer': false,
      idna: true,
      requests: true,
      urllib3: false,
      click: true,
      black: true,
      'mypy-extensions': false,
      'myproject-helper': true,
      setuptools: false,
    });
    expect(byName.get('requests')?.dependsOn).toEqual(['certifi@2023.7.22', 'charset-normalizer@3.2.0', 'idna@3.4', 'urllib3@2.0.4']);
    expect(byName.get('black')?.dependsOn).toEqual(['click@8.1.7', 'mypy-extensions@1.0.0']);
    expect(byName.get('idna')?.dependsOn).toEqual([]);
  });
});

describe('requirements.txt osv-scanner fixtures', () => {
  const dir = (name: string): string => shared('fixtures/osv-scanner/pkg/lockfile/fixtures/pip', name);

  it.each([
    { name: 'empty.txt', packages: [], skipped: 0 },
    { name: 'only-comments.txt', packages: [], skipped: 0 },
    { name: 'one-package-unconstrained.txt', packages: [], skipped: 1 },
    { name: 'one-package-constrained.txt', packages: ['django 2.2.24 one-package-constrained.txt:1'], skipped: 0 },
    {
      name: 'multiple-packages-mixed.txt',
      packages: ['pandas 0.23.4 multiple-packages-mixed.txt:3', 'numpy 1.16.0 multiple-packages-mixed.txt:4', 'scikit-learn 0.20.1 multiple-packages-mixed.txt:5'],
      skipped: 5,
    },
    {
      name: 'non-normalized-names.txt',
      packages: ['zope.interface 5.4.0 non-normalized-names.txt:1', 'Pillow 1.0.0 non-normalized-names.txt:6', 'Twisted 20.3.0 non-normalized-names.txt:8'],
      skipped: 0,
    },
    {
      // Ten unpinned, path or URL lines; the -r include is read.
      name: 'file-format-example.txt',
      packages: ['docopt 0.6.1 file-format-example.txt:9', 'django 2.2.24 other-file.txt:1'],
      skipped: 10,
    },
    {
      name: 'line-continuation.txt',
      packages: ['foo 1.2.3 line-continuation.txt:2', 'bar 4.5.6 line-continuation.txt:9', 'baz 7.8.9 line-continuation.txt:13', 'qux 10.11.12 line-continuation.txt:17'],
      skipped: 0,
    },
    {
      name: 'with-per-requirement-options.txt',
      packages: ['boto3 1.26.121 with-per-requirement-options.txt:1', 'foo 1.0.0 with-per-requirement-options.txt:2', 'FooProject 1.2 with-per-requirement-options.txt:6'],
      skipped: 1,
    },
    { name: 'cyclic-r-self.txt', packages: ['requests 1.2.3 cyclic-r-self.txt:3', 'pandas 0.23.4 cyclic-r-self.txt:4'], skipped: 0 },
    {
      name: 'cyclic-r-complex-1.txt',
      packages: ['cyclic-r-complex 3 cyclic-r-complex-3.txt:4', 'cyclic-r-complex 2 cyclic-r-complex-2.txt:4', 'cyclic-r-complex 1 cyclic-r-complex-1.txt:3'],
      skipped: 0,
    },
    {
      name: 'duplicate-r-dev.txt',
      packages: [
        'django 0.1.0 duplicate-r-base.txt:1',
        'requests 1.2.3 duplicate-r-test.txt:3',
        'unittest 1.0.0 duplicate-r-test.txt:4',
        'pandas 0.23.4 duplicate-r-dev.txt:4',
        'requests 1.2.3 duplicate-r-dev.txt:5',
      ],
      skipped: 0,
    },
    { name: 'with-bad-r-option.txt', packages: ['requests 1.2.3 with-bad-r-option.txt:1'], skipped: 1 },
    {
      name: 'with-multiple-r-options.txt',
      packages: [
        'django 2.2.24 one-package-constrained.txt:1',
        'pandas 0.23.4 multiple-packages-mixed.txt:3',
        'numpy 1.16.0 multiple-packages-mixed.txt:4',
        'scikit-learn 0.20.1 multiple-packages-mixed.txt:5',
        'requests 1.2.3 with-multiple-r-options.txt:4',
        'pandas 0.23.4 with-multiple-r-options.txt:5',
      ],
      skipped: 5,
    },
  ])('$name', async ({ name, packages, skipped }) => {
    const result = await parseFile(parser, dir(name));
    expect(summarize(result.packages)).toEqual(packages);
    expect(result.skipped).toHaveLength(skipped);
    const keys = result.packages.map((pkg) => pkg.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('multiple-packages-constrained.txt: pip-compile output with direct flags and edges', async () => {
    const file = dir('multiple-packages-constrained.txt');
    const result = await parseFile(parser, file);
    const pinnedLines = readFileSync(file, 'utf8').split('\n').filter((line) => /^[A-Za-z0-9][^\s]*==\S+/.test(line));
    expect(result.packages).toHaveLength(pinnedLines.length);
    const byName = new Map(result.packages.map((pkg) => [pkg.name, pkg]));
    expect(byName.get('django')?.direct).toBe(true);
    expect(byName.get('astroid')?.direct).toBe(false);
    expect(byName.get('boto3')?.direct).toBe(true);
    expect(byName.get('django-debug-toolbar')?.dependsOn).toContain('django@2.2.24');
    expect(byName.get('boto3')?.dependsOn).toContain(byName.get('botocore')?.key);
  });
});

describe('requirements.txt osv-scalibr fixtures', () => {
  const dir = (name: string): string => shared('fixtures/osv-scalibr/extractor/filesystem/language/python/requirements/testdata', name);

  it.each([
    { name: 'comments.txt', packages: ['PyCrypto 1.2-alpha', 'GMPY2 1', 'SymPy 1.2', 'requests 1.0', 'six 1.2'], skipped: 0 },
    { name: 'env_var.txt', packages: ['asdf 1.2', 'another 1.0'], skipped: 1 },
    // docopt, then pandas from -r other-requirements.txt; -c constraints.txt is missing.
    { name: 'example.txt', packages: ['docopt 0.6.1', 'pandas 2.2.3'], skipped: 11 },
    { name: 'extras.txt', packages: ['pyjwt 2.1.0', 'celery 4.4.7'], skipped: 0 },
    // `-foo==1.0` is pip's `-f oo==1.0` (find-links), an option line.
    { name: 'invalid.txt', packages: [], skipped: 4 },
    { name: 'loop.txt', packages: [], skipped: 0 },
    { name: 'multiline_and_comments.txt', packages: ['pkgA 1.0', 'pkgB 2.0'], skipped: 0 },
    { name: 'no_version.txt', packages: [], skipped: 3 },
    {
      name: 'per_req_options.txt',
      packages: ['foo1 1.0', 'foo2 1.0', 'foo3 1.0', 'foo4 1.0', 'foo5 1.0', 'foo6 1.0', 'foo8 1.0', 'foo9 1.0', 'foo11 1.0', 'foo12 1.0', 'foo13 1.0', 'foo14 1.0', 'foo16-Client 1.0', 'foo17--hash 1.0', 'foo18-Client 1.0'],
      skipped: 3,
    },
    { name: 'trailing_backslash.txt', packages: ['pkg1 1.0'], skipped: 0 },
    {
      name: 'with_versions.txt',
      packages: ['nltk 3.2.2', 'tabulate 0.7.7', 'qwerty 0.1', 'hy-phen 1.2', 'under_score 1.3', 'pkg.dot.name 5.0.0', 'yolo 1.0'],
      skipped: 4,
    },
  ])('$name', async ({ name, packages, skipped }) => {
    const result = await parseFile(parser, dir(name));
    expect(result.packages.map((pkg) => `${pkg.name} ${pkg.version}`)).toEqual(packages);
    expect(result.skipped).toHaveLength(skipped);
  });
});

describe('requirements.txt corpus: treeherder (pip-compile --generate-hashes)', () => {
  const folder = 'corpus/pypi/treeherder/requirements';

  it.each([
    { name: 'common.txt', input: 'common.in' },
    { name: 'dev.txt', input: 'dev.in' },
  ])('$name: one package per pinned line, direct exactly for the names in $input', async ({ name, input }) => {
    const file = shared(folder, name);
    const text = readFileSync(file, 'utf8');
    const result = await parseFile(parser, file, path.dirname(path.dirname(file)));
    const pinned = text.split('\n').filter((line) => /^[A-Za-z0-9][^\s]*==\S+/.test(line));
    expect(result.packages).toHaveLength(pinned.length);
    expect(result.packages.every((pkg) => pkg.location.file === `requirements/${name}`)).toBe(true);

    // Independent reading of the .in file: the first name on each non-comment line.
    const declared = new Set(
      readFileSync(shared(folder, input), 'utf8')
        .split('\n')
        .map((line) => line.replace(/#.*/, '').trim())
        .filter((line) => /^[A-Za-z0-9]/.test(line) && !line.includes('://'))
        .map((line) => normalizePypiName(/^[A-Za-z0-9._-]+/.exec(line)![0])),
    );
    const direct = new Set(result.packages.filter((pkg) => pkg.direct === true).map((pkg) => normalizePypiName(pkg.name)));
    const skippedNames = new Set(result.skipped.map((entry) => normalizePypiName(entry.name ?? '')));
    expect([...direct].sort()).toEqual([...declared].filter((n) => !skippedNames.has(n)).sort());
    expect(result.packages.every((pkg) => pkg.direct !== 'unknown')).toBe(true);
  });

  it('common.txt: known pins and edges', async () => {
    const result = await parseFile(parser, shared(folder, 'common.txt'));
    const byName = new Map(result.packages.map((pkg) => [pkg.name, pkg]));
    expect(byName.get('aiohttp')).toMatchObject({ version: '3.7.4.post0', direct: false, location: { line: 7 } });
    // `aiohttp ... # via taskcluster`: taskcluster depends on aiohttp.
    expect(byName.get('taskcluster')?.dependsOn).toContain('aiohttp@3.7.4.post0');
    expect(byName.get('celery')).toMatchObject({ version: '5.2.6', direct: true });
  });

  it('dev.txt: the archive URL line is skipped, not dropped', async () => {
    const result = await parseFile(parser, shared(folder, 'dev.txt'));
    expect(result.skipped).toEqual([
      expect.objectContaining({ name: 'pytest-freezegun', reason: 'direct URL reference (not from a package index)' }),
    ]);
  });
});
