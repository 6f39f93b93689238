import { describe, expect, it } from 'vitest';
import { reachFrom, scopesOfReach } from '../../../src/ecosystems/npm/dependency-graph.js';
import { classifyResolved, classifySpecifier, parseNpmAlias } from '../../../src/ecosystems/npm/source.js';

describe('classifySpecifier', () => {
  it.each([
    { input: '^1.2.3', want: 'registry' },
    { input: 'latest', want: 'registry' },
    { input: 'npm:string-width@^4.2.0', want: 'registry' },
    { input: 'file:../local', want: 'file' },
    { input: './vendored', want: 'file' },
    { input: 'link:../sibling', want: 'link' },
    { input: 'workspace:^', want: 'workspace' },
    { input: 'github:user/repo#main', want: 'git' },
    { input: 'user/repo', want: 'git' },
    { input: 'git+ssh://git@github.com/user/repo.git#abc1234', want: 'git' },
    { input: 'https://github.com/user/repo', want: 'git' },
    { input: 'https://example.com/pkg.tgz', want: 'url' },
    { input: 'portal:../x', want: 'other' },
  ])('$input -> $want', ({ input, want }) => {
    expect(classifySpecifier(input).kind).toBe(want);
  });
});

describe('classifyResolved', () => {
  it.each([
    { input: 'https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz', want: 'registry' },
    { input: 'https://registry.yarnpkg.com/etag/-/etag-1.8.1.tgz#41ae2eeb65efa62268aebfea83ac7d79299b0887', want: 'registry' },
    { input: 'https://gitlab.example.org/api/v4/projects/1/packages/npm/@org/pkg/-/@org/pkg-3.2.3.tgz', want: 'registry' },
    { input: 'https://codeload.github.com/user/repo/tar.gz/0123456789abcdef0123456789abcdef01234567', want: 'git' },
    { input: 'https://example.com/downloads/pkg-1.0.0.tgz', want: 'url' },
    { input: 'file:vendor/pkg-1.0.0.tgz', want: 'file' },
  ])('$input -> $want', ({ input, want }) => {
    expect(classifyResolved(input).kind).toBe(want);
  });
});

describe('parseNpmAlias', () => {
  it.each([
    { input: 'npm:string-width@4.2.3', want: { name: 'string-width', range: '4.2.3' } },
    { input: 'npm:@babel/code-frame@7.0.0', want: { name: '@babel/code-frame', range: '7.0.0' } },
    { input: 'npm:^1.2.3', want: undefined },
    { input: '4.2.3', want: undefined },
  ])('$input', ({ input, want }) => {
    expect(parseNpmAlias(input)).toEqual(want);
  });
});

describe('reachFrom', () => {
  // root -> a -> shared; dev root -> t -> shared, t -> devOnly; a -(optional)-> opt
  const edges: Record<string, { target: string; optional: boolean }[]> = {
    a: [
      { target: 'shared', optional: false },
      { target: 'opt', optional: true },
    ],
    t: [
      { target: 'shared', optional: false },
      { target: 'devOnly', optional: false },
    ],
  };
  const reach = reachFrom(
    [
      { target: 'a', dev: false, optional: false },
      { target: 't', dev: true, optional: false },
    ],
    (key) => edges[key] ?? [],
  );
  it.each([
    { key: 'a', want: [] },
    { key: 'shared', want: [] },
    { key: 't', want: ['dev'] },
    { key: 'devOnly', want: ['dev'] },
    { key: 'opt', want: ['optional'] },
    { key: 'unreached', want: [] },
  ])('$key -> $want', ({ key, want }) => {
    expect(scopesOfReach(reach.get(key))).toEqual(want);
  });
});
