import { describe, expect, it } from 'vitest';
import { npmParsers } from '../../../src/ecosystems/npm/parsers.js';
import type { DependencyFile } from '../../../src/ecosystems/types.js';

const parser = npmParsers.find((candidate) => candidate.id === 'installed-package-json');
if (parser === undefined) throw new Error('installed-package-json is not registered');
const parse = (text: string): ReturnType<NonNullable<typeof parser>['parse']> =>
  parser.parse({ absolutePath: '/nonexistent/node_modules/x/package.json', path: 'node_modules/x/package.json', text } satisfies DependencyFile, { readRelated: () => Promise.resolve(undefined) });

describe('installed-package-json', () => {
  it.each([
    { path: 'node_modules/lodash/package.json', want: true },
    { path: 'app/node_modules/@babel/core/package.json', want: true },
    { path: 'node_modules/a/node_modules/b/package.json', want: true },
    { path: 'node_modules/.pnpm/lodash@4.17.21/node_modules/lodash/package.json', want: true },
    { path: 'package.json', want: false },
    { path: 'node_modules/@scope/package.json', want: false },
    { path: 'node_modules/.bin/package.json', want: false },
    { path: 'node_modules/lodash/fp/package.json', want: false },
  ])('claims $path: $want', ({ path, want }) => {
    expect(parser.matchesPath?.(path) ?? false).toBe(want);
  });

  it.each([
    { name: 'name and version', text: '{\n  "name": "lodash",\n  "version": "4.17.20"\n}\n', want: ['lodash 4.17.20 line 3'], skipped: 0 },
    { name: 'the package\'s own name, not its folder\'s', text: '{"name": "@scope/real", "version": "1.0.0"}', want: ['@scope/real 1.0.0 line 1'], skipped: 0 },
    { name: 'no version', text: '{"name": "x"}', want: [], skipped: 1 },
    { name: 'a version that is no string', text: '{"name": "x", "version": 1}', want: [], skipped: 1 },
  ])('$name', async ({ text, want, skipped }) => {
    const result = await parse(text);
    expect(result.packages.map((pkg) => `${pkg.name} ${pkg.version} line ${pkg.location.line ?? '?'}`)).toEqual(want);
    expect(result.skipped).toHaveLength(skipped);
  });

  it('broken JSON is an input error at its line', async () => {
    await expect(parse('{\n  "name": "x",\n  "version": \n')).rejects.toThrow(/invalid JSON in an installed package\.json/);
  });
});
