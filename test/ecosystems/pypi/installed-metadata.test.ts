import { describe, expect, it } from 'vitest';
import type { DependencyFile } from '../../../src/ecosystems/types.js';
import { registeredParser } from './registered.js';

const parser = registeredParser('installed-metadata');
const parse = (text: string, path = 'x-1.0.dist-info/METADATA'): ReturnType<typeof parser.parse> =>
  parser.parse({ absolutePath: `/nonexistent/${path}`, path, text } satisfies DependencyFile, { readRelated: () => Promise.resolve(undefined) });

describe('installed-metadata (core metadata, https://packaging.python.org/en/latest/specifications/core-metadata/)', () => {
  it.each([
    { path: 'lib/python3.12/site-packages/pip-24.0.dist-info/METADATA', want: true },
    { path: 'site-packages/Django-4.2.egg-info/PKG-INFO', want: true },
    { path: 'site-packages/distutils_pkg-1.0-py3.8.egg-info', want: true },
    { path: 'site-packages/pip-24.0.dist-info/RECORD', want: false },
    { path: 'docs/METADATA', want: false },
  ])('claims $path: $want', ({ path, want }) => {
    expect(parser.matchesPath?.(path) ?? false).toBe(want);
  });

  it.each([
    { name: 'name and version, the version line located', text: 'Metadata-Version: 2.1\nName: pip\nVersion: 24.0\nSummary: x\n', want: ['pip 24.0 line 3'] },
    { name: 'CRLF line ends', text: 'Metadata-Version: 2.1\r\nName: Foo_Bar\r\nVersion: 1.0.post1\r\n', want: ['Foo_Bar 1.0.post1 line 3'] },
    { name: 'a continuation line is not a field', text: 'Name: a\nSummary: first\n        Version: 9\nVersion: 2.0\n', want: ['a 2.0 line 4'] },
    { name: 'headers end at the first empty line (the body may say anything)', text: 'Name: a\n\nVersion: 3.0\n', want: [] },
  ])('$name', async ({ text, want }) => {
    const result = await parse(text);
    expect(result.packages.map((pkg) => `${pkg.name} ${pkg.version} line ${pkg.location.line ?? '?'}`)).toEqual(want);
    expect(result.skipped).toHaveLength(want.length === 0 ? 1 : 0);
  });

  it('a file without a Version is a skipped entry that fails closed (no kind)', async () => {
    const result = await parse('Name: a\n\nVersion: 3.0\n');
    expect(result.skipped).toEqual([{ location: { file: 'x-1.0.dist-info/METADATA', line: 1 }, name: 'a', ecosystem: 'PyPI', reason: 'installed package metadata without a Version field' }]);
  });
});
