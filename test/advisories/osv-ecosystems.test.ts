import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OSV_ECOSYSTEMS, checkEcosystemSpelling, type EcosystemSpelling } from '../../src/advisories/osv-ecosystems.js';
import { shared } from '../helpers/shared-data.js';

describe('the OSV ecosystem list', () => {
  it('is the official schema enum plus GIT', () => {
    const schema = JSON.parse(readFileSync(shared('schemas', 'osv-schema.json'), 'utf8')) as {
      $defs: { ecosystemName: { enum: string[] }; ecosystemWithSuffix: { pattern: string } };
    };
    expect([...OSV_ECOSYSTEMS].sort()).toEqual([...schema.$defs.ecosystemName.enum, 'GIT'].sort());
    const pattern = new RegExp(schema.$defs.ecosystemWithSuffix.pattern);
    for (const name of OSV_ECOSYSTEMS) expect(pattern.test(name), name).toBe(true);
  });
});

describe('checkEcosystemSpelling', () => {
  const cases: { input: string; want: EcosystemSpelling }[] = [
    ...['PyPI', 'npm', 'Go', 'crates.io', 'Maven', 'GIT', 'Red Hat', 'Azure Linux', 'Debian:12', 'Debian:7', 'Ubuntu:22.04:LTS', 'Ubuntu:Pro:18.04:LTS', 'Red Hat:enterprise_linux:9', 'Alpine:v3.20'].map(
      (input) => ({ input, want: { kind: 'known' } as const }),
    ),
    { input: 'pypi', want: { kind: 'misspelt', expected: 'PyPI' } },
    { input: ' PyPI', want: { kind: 'misspelt', expected: 'PyPI' } },
    { input: 'Pypi', want: { kind: 'misspelt', expected: 'PyPI' } },
    { input: 'PyPI\t', want: { kind: 'misspelt', expected: 'PyPI' } },
    { input: 'NPM', want: { kind: 'misspelt', expected: 'npm' } },
    { input: 'Crates.io', want: { kind: 'misspelt', expected: 'crates.io' } },
    { input: 'debian:12', want: { kind: 'misspelt', expected: 'Debian:12' } },
    { input: 'Debian:12 ', want: { kind: 'misspelt', expected: 'Debian:12' } },
    { input: 'Debian :12', want: { kind: 'misspelt', expected: 'Debian:12' } },
    { input: 'ubuntu:22.04:LTS', want: { kind: 'misspelt', expected: 'Ubuntu:22.04:LTS' } },
    { input: 'red hat', want: { kind: 'misspelt', expected: 'Red Hat' } },
    { input: 'PyPl', want: { kind: 'unknown', base: 'PyPl' } },
    { input: 'Frobnicate:1', want: { kind: 'unknown', base: 'Frobnicate' } },
    { input: 'Python', want: { kind: 'unknown', base: 'Python' } },
  ];
  it.each(cases)('$input', ({ input, want }) => {
    expect(checkEcosystemSpelling(input)).toEqual(want);
  });
});
