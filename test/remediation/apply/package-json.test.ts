import { describe, expect, it } from 'vitest';
import { addPackageJsonOverrides, detectIndent, type PackageJsonOverrideKind } from '../../../src/remediation/apply/package-json.js';

interface Case {
  readonly name: string;
  readonly input: string;
  readonly kind: PackageJsonOverrideKind;
  readonly want: string;
  readonly problems?: readonly RegExp[];
}

const entry = [{ name: 'minimist', version: '1.2.6' }];

const cases: Case[] = [
  {
    name: 'npm overrides added at the end, two-space indent',
    input: '{\n  "name": "app",\n  "dependencies": {\n    "a": "^1.0.0"\n  }\n}\n',
    kind: 'npm-overrides',
    want: '{\n  "name": "app",\n  "dependencies": {\n    "a": "^1.0.0"\n  },\n  "overrides": {\n    "minimist": "1.2.6"\n  }\n}\n',
  },
  {
    name: 'existing overrides kept in order, tab indent kept, no final newline kept',
    input: '{\n\t"overrides": {\n\t\t"zzz": "2.0.0",\n\t\t"aaa": "1.0.0"\n\t},\n\t"name": "app"\n}',
    kind: 'npm-overrides',
    want: '{\n\t"overrides": {\n\t\t"zzz": "2.0.0",\n\t\t"aaa": "1.0.0",\n\t\t"minimist": "1.2.6"\n\t},\n\t"name": "app"\n}',
  },
  {
    name: 'yarn resolutions, four-space indent',
    input: '{\n    "name": "app"\n}\n',
    kind: 'yarn-resolutions',
    want: '{\n    "name": "app",\n    "resolutions": {\n        "minimist": "1.2.6"\n    }\n}\n',
  },
  {
    name: 'pnpm overrides under an existing pnpm key',
    input: '{\n  "pnpm": {\n    "neverBuiltDependencies": []\n  }\n}\n',
    kind: 'pnpm-overrides',
    want: '{\n  "pnpm": {\n    "neverBuiltDependencies": [],\n    "overrides": {\n      "minimist": "1.2.6"\n    }\n  }\n}\n',
  },
  {
    name: 'an existing override to another version is not replaced',
    input: '{\n  "overrides": {\n    "minimist": "1.2.5"\n  }\n}\n',
    kind: 'npm-overrides',
    want: '{\n  "overrides": {\n    "minimist": "1.2.5"\n  }\n}\n',
    problems: [/already sets minimist to "1\.2\.5"/],
  },
  {
    name: 'the same override already present: file unchanged',
    input: '{ "overrides": { "minimist": "1.2.6" } }\n',
    kind: 'npm-overrides',
    want: '{ "overrides": { "minimist": "1.2.6" } }\n',
  },
  { name: 'not JSON: unchanged', input: '{ "name": ', kind: 'npm-overrides', want: '{ "name": ', problems: [/not valid JSON/] },
  {
    name: 'overrides not an object: unchanged',
    input: '{ "overrides": [] }\n',
    kind: 'npm-overrides',
    want: '{ "overrides": [] }\n',
    problems: [/"overrides" is not an object/],
  },
];

describe('addPackageJsonOverrides', () => {
  it.each(cases)('$name', ({ input, kind, want, problems }) => {
    const result = addPackageJsonOverrides(input, kind, entry);
    expect(result.text).toBe(want);
    expect(result.problems).toHaveLength(problems?.length ?? 0);
    (problems ?? []).forEach((pattern, index) => {
      expect(result.problems[index]?.message).toMatch(pattern);
    });
  });

  it('keeps CRLF line endings', () => {
    const result = addPackageJsonOverrides('{\r\n  "name": "app"\r\n}\r\n', 'npm-overrides', entry);
    expect(result.text).toBe('{\r\n  "name": "app",\r\n  "overrides": {\r\n    "minimist": "1.2.6"\r\n  }\r\n}\r\n');
  });

  it.each([
    ['{\n  "a": 1\n}', '  '],
    ['{\n\t"a": 1\n}', '\t'],
    ['{"a": 1}', '  '],
  ])('detectIndent(%j) is %j', (text, want) => {
    expect(detectIndent(text)).toBe(want);
  });
});
