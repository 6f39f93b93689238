import { describe, expect, it } from 'vitest';
import { ecosystemOfPurlType, readPackageUrl, type PurlReading } from '../../../src/ecosystems/sbom/purl.js';

interface Case {
  readonly name: string;
  readonly input: string;
  readonly want: PurlReading;
}

const cases: readonly Case[] = [
  {
    name: 'plain npm package',
    input: 'pkg:npm/lodash@4.17.21',
    want: { kind: 'package', ecosystem: 'npm', name: 'lodash', version: '4.17.21' },
  },
  {
    name: 'scoped npm package, @ percent-encoded as the spec asks',
    input: 'pkg:npm/%40scope/name@1.0.0',
    want: { kind: 'package', ecosystem: 'npm', name: '@scope/name', version: '1.0.0' },
  },
  {
    name: 'scoped npm package, @ left unencoded',
    input: 'pkg:npm/@babel/core@7.23.2',
    want: { kind: 'package', ecosystem: 'npm', name: '@babel/core', version: '7.23.2' },
  },
  {
    name: 'percent-encoded version (build metadata)',
    input: 'pkg:npm/foo@1.0.0%2Bbuild.5',
    want: { kind: 'package', ecosystem: 'npm', name: 'foo', version: '1.0.0+build.5' },
  },
  {
    name: 'npm name with capitals kept as written',
    input: 'pkg:npm/JSONStream@1.3.5',
    want: { kind: 'package', ecosystem: 'npm', name: 'JSONStream', version: '1.3.5' },
  },
  {
    name: 'pypi name kept as written (not lowercased)',
    input: 'pkg:pypi/Django@4.2',
    want: { kind: 'package', ecosystem: 'PyPI', name: 'Django', version: '4.2' },
  },
  {
    name: 'pypi underscores kept as written',
    input: 'pkg:pypi/typing_extensions@4.8.0',
    want: { kind: 'package', ecosystem: 'PyPI', name: 'typing_extensions', version: '4.8.0' },
  },
  {
    name: 'type is case-insensitive',
    input: 'pkg:PyPI/requests@2.31.0',
    want: { kind: 'package', ecosystem: 'PyPI', name: 'requests', version: '2.31.0' },
  },
  {
    name: 'qualifiers and subpath ignored',
    input: 'pkg:pypi/requests@2.31.0?file_name=requests-2.31.0-py3-none-any.whl#src/requests',
    want: { kind: 'package', ecosystem: 'PyPI', name: 'requests', version: '2.31.0' },
  },
  {
    name: 'npm vcs_url qualifier ignored',
    input: 'pkg:npm/juice-shop@14.1.1?vcs_url=git%2Bhttps%3A//github.com/juice-shop/juice-shop.git',
    want: { kind: 'package', ecosystem: 'npm', name: 'juice-shop', version: '14.1.1' },
  },
  {
    name: 'maven is not audited',
    input: 'pkg:maven/org.apache.commons/commons-text@1.9',
    want: { kind: 'skipped', reason: 'unsupported package type "maven"', skippedKind: 'not-audited', name: 'org.apache.commons/commons-text', version: '1.9' },
  },
  {
    name: 'golang is not audited',
    input: 'pkg:golang/golang.org/x/text@v0.3.7',
    want: { kind: 'skipped', reason: 'unsupported package type "golang"', skippedKind: 'not-audited', name: 'golang.org/x/text', version: 'v0.3.7' },
  },
  {
    name: 'generic without version is still reported by type first',
    input: 'pkg:generic/openssl',
    want: { kind: 'skipped', reason: 'unsupported package type "generic"', skippedKind: 'not-audited', name: 'openssl' },
  },
  {
    name: 'npm without version',
    input: 'pkg:npm/left-pad',
    want: { kind: 'skipped', reason: 'no version', name: 'left-pad', ecosystem: 'npm' },
  },
  {
    name: 'scoped npm without version',
    input: 'pkg:npm/%40types/node',
    want: { kind: 'skipped', reason: 'no version', name: '@types/node', ecosystem: 'npm' },
  },
  {
    name: 'empty version',
    input: 'pkg:pypi/flask@',
    want: { kind: 'skipped', reason: 'no version', name: 'flask', ecosystem: 'PyPI' },
  },
  {
    name: 'npm namespace that is not a scope',
    input: 'pkg:npm/babel/core@7.0.0',
    want: {
      kind: 'skipped',
      reason: 'invalid package URL: unexpected namespace "babel" for type "npm"',
      name: 'babel/core',
      version: '7.0.0',
      ecosystem: 'npm',
    },
  },
  {
    name: 'pypi has no namespace',
    input: 'pkg:pypi/acme/tool@1.0',
    want: {
      kind: 'skipped',
      reason: 'invalid package URL: unexpected namespace "acme" for type "pypi"',
      name: 'acme/tool',
      version: '1.0',
      ecosystem: 'PyPI',
    },
  },
  {
    name: 'missing pkg scheme',
    input: 'npm/lodash@4.17.21',
    want: { kind: 'skipped', reason: 'invalid package URL: missing required "pkg" scheme component' },
  },
  {
    name: 'missing name',
    input: 'pkg:npm/',
    want: { kind: 'skipped', reason: 'invalid package URL: "name" is a required component' },
  },
  {
    name: 'type rule broken (maven needs a namespace)',
    input: 'pkg:maven/commons-text@1.9',
    want: { kind: 'skipped', reason: 'invalid package URL: maven requires a "namespace" component' },
  },
  {
    name: 'empty string',
    input: '',
    want: { kind: 'skipped', reason: 'invalid package URL: "type" is a required component' },
  },
];

describe('readPackageUrl', () => {
  it.each(cases)('$name', ({ input, want }) => {
    expect(readPackageUrl(input)).toEqual(want);
  });
});

describe('ecosystemOfPurlType', () => {
  it.each([
    { name: 'npm', input: 'npm', want: 'npm' },
    { name: 'pypi', input: 'pypi', want: 'PyPI' },
    { name: 'upper case', input: 'PYPI', want: 'PyPI' },
    { name: 'maven', input: 'maven', want: undefined },
  ])('$name', ({ input, want }) => {
    expect(ecosystemOfPurlType(input)).toBe(want);
  });
});
