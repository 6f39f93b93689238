import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { parseAllowlistText, parsePolicyText } from '../../src/policy/policy-file.js';
import { policyJsonSchema } from '../../src/policy/policy-schema.js';
import { STARTER_POLICY } from '../../src/policy/starter-policy.js';
import { repoRoot } from '../helpers/shared-data.js';

const entry = (extra = ''): string =>
  [
    '  - id: CVE-2023-32681',
    '    reason: proxy credentials are never set',
    '    approved_by: alice',
    '    issue: https://example.org/issues/1',
    '    expires_on: 2026-12-31',
    extra,
  ]
    .filter((line) => line !== '')
    .join('\n');

describe('parsePolicyText', () => {
  it('reads every key, with durations and SLA targets', () => {
    const policy = parsePolicyText(
      [
        'version: 1',
        'fail_on: medium',
        'unknown_severity: critical',
        'max_db_age: 12h',
        'ignore_scopes: [dev]',
        'expiry_warning_days: 7',
        'exception_rules:',
        '  max_lifetime: { critical: 2w }',
        '  approvers: [alice]',
        'sla:',
        '  high: 3d',
        '  low: next-release',
        'exceptions:',
        entry('    package: requests\n    paths: ["my-lib > requests"]'),
      ].join('\n'),
      'vigil.yaml',
    );
    expect(policy).toMatchObject({
      source: 'vigil.yaml',
      failOn: 'medium',
      unknownSeverity: 'critical',
      maxDbAgeMs: 12 * 3_600_000,
      ignoreScopes: ['dev'],
      expiryWarningDays: 7,
      exceptionRules: { approvers: ['alice'], maxLifetimeMs: { critical: 14 * 86_400_000, high: 90 * 86_400_000 } },
      sla: { high: { kind: 'duration', ms: 3 * 86_400_000 }, low: { kind: 'next-release' }, critical: { kind: 'duration', ms: 86_400_000 } },
      problems: [],
    });
    expect(policy.exceptions).toEqual([
      {
        id: 'CVE-2023-32681',
        package: 'requests',
        paths: [['my-lib', 'requests']],
        reason: 'proxy credentials are never set',
        approvedBy: 'alice',
        issue: 'https://example.org/issues/1',
        expiresOn: '2026-12-31',
        location: { file: 'vigil.yaml', line: 14, column: 5 },
      },
    ]);
  });

  it('reads the maintenance policy over its defaults', () => {
    const policy = parsePolicyText(
      [
        'maintenance:',
        '  release: minor',
        '  branch: ltm',
        '  frameworks: [Django]',
        '  rules:',
        '    minor: { framework: minor }',
        '  end_of_support:',
        '    django: { "4.2": 2026-04-30 }',
      ].join('\n'),
      'vigil.yaml',
    );
    expect(policy.maintenance).toEqual({
      release: 'minor',
      branch: 'ltm',
      frameworks: ['Django'],
      rules: { ...DEFAULT_POLICY.maintenance.rules, minor: { framework: 'minor', direct: 'major', indirect: 'major' } },
      endOfSupport: { django: { '4.2': '2026-04-30' } },
    });
  });

  it('an empty file is the default policy', () => {
    expect(parsePolicyText('# nothing yet\n', 'vigil.yaml')).toEqual({ ...DEFAULT_POLICY, source: 'vigil.yaml' });
  });

  const configErrors = [
    { name: 'unknown top-level key, with a suggestion', text: 'fail_on: high\nfial_on: low\n', line: 2, message: /unknown key "fial_on" \(did you mean "fail_on"\?\)/ },
    { name: 'unknown nested key', text: 'exception_rules:\n  max_lifetime:\n    crtical: 30d\n', line: 3, message: /unknown key "crtical" in exception_rules\.max_lifetime/ },
    { name: 'wrong level', text: 'fail_on: severe\n', line: 1, message: /fail_on/ },
    { name: 'bad duration', text: 'max_db_age: a week\n', line: 1, message: /expected a duration/ },
    { name: 'YAML syntax error', text: 'fail_on: high\nsla: : 2\n', line: 2, message: /invalid YAML/ },
    { name: 'a duplicated key', text: 'fail_on: high\nfail_on: low\n', line: 2, message: /invalid YAML/ },
    { name: 'an unknown release kind', text: 'maintenance:\n  release: hotfix\n', line: 2, message: /maintenance\.release/ },
  ];
  it.each(configErrors)('$name: ConfigError at its line', ({ text, line, message }) => {
    let caught: unknown;
    try {
      parsePolicyText(text, 'vigil.yaml');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.message).toMatch(message);
    expect(error.location).toMatchObject({ file: 'vigil.yaml', line });
    expect(error.format()).not.toContain('\n');
  });

  const entryProblems = [
    { name: 'a typo in expires_on never makes a permanent exception', extra: '    expires_onn: 2030-01-01', line: 11, message: /unknown key "expires_onn"/ },
    { name: 'a missing approver', drop: 'approved_by', line: 6, message: /missing required "approved_by"/ },
    { name: 'a malformed date', replace: ['2026-12-31', '31/12/2026'], line: 10, message: /expected a date as YYYY-MM-DD/ },
    { name: 'a date that does not exist', replace: ['2026-12-31', '2026-02-30'], line: 10, message: /not a calendar date/ },
    { name: 'an empty reason', replace: ['proxy credentials are never set', '""'], line: 7, message: /reason/ },
  ];
  it.each(entryProblems)('$name: the entry is an error at its line, not an exception', ({ extra, drop, replace, line, message }) => {
    let text = ['fail_on: high', 'sla:', '  high: 7d', '', 'exceptions:', entry(extra)].join('\n');
    if (drop) text = text.split('\n').filter((l) => !l.includes(`${drop}:`)).join('\n');
    if (replace) text = text.replace(replace[0]!, replace[1]!);
    const policy = parsePolicyText(text, 'vigil.yaml');
    expect(policy.exceptions).toEqual([]);
    expect(policy.problems).toHaveLength(1);
    expect(policy.problems[0]).toMatchObject({ severity: 'error', code: 'exception-invalid', location: { file: 'vigil.yaml', line } });
    expect(policy.problems[0]?.message).toMatch(message);
  });
});

describe('parseAllowlistText (pip-audit pipelines\' JSON form)', () => {
  const text = `{
  "entries": [
    {
      "id": "PYSEC-2023-74",
      "package": "requests",
      "reason": "not reachable",
      "approved_by": "alice",
      "issue": "SEC-12",
      "expires_on": "2026-12-31"
    },
    {
      "id": "CVE-2024-0001",
      "reason": "x",
      "approved_by": "bob",
      "issue": "SEC-13"
    }
  ]
}`;
  it('reads valid entries with their lines and reports invalid ones at the missing field\'s entry', () => {
    const { exceptions, problems } = parseAllowlistText(text, 'allowlist.json');
    expect(exceptions).toEqual([
      expect.objectContaining({ id: 'PYSEC-2023-74', package: 'requests', approvedBy: 'alice', location: { file: 'allowlist.json', line: 4 } }),
    ]);
    expect(problems).toEqual([
      expect.objectContaining({ code: 'exception-invalid', exception: 'CVE-2024-0001', location: { file: 'allowlist.json', line: 12 } }),
    ]);
    expect(problems[0]?.message).toMatch(/missing required "expires_on"/);
  });

  it('refuses another shape', () => {
    expect(() => parseAllowlistText('{"ignore": []}', 'allowlist.json')).toThrow(ConfigError);
  });

  it('locates broken JSON', () => {
    expect(() => parseAllowlistText('{\n  "entries": [\n    {"id": }\n  ]\n}', 'allowlist.json')).toThrow(
      expect.objectContaining({ location: expect.objectContaining({ file: 'allowlist.json', line: 3 }) as unknown }) as Error,
    );
  });
});

describe('published JSON Schema for editors', () => {
  const schemaPath = path.join(repoRoot, 'docs', 'vigil.schema.json');

  it('is up to date with the zod schema (UPDATE_GOLDEN=1 rewrites it)', () => {
    const generated = `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
    if (process.env['UPDATE_GOLDEN']) writeFileSync(schemaPath, generated);
    expect(readFileSync(schemaPath, 'utf8')).toBe(generated);
  });

  it('accepts the starter policy with an example exception and rejects a typo', () => {
    const ajv = new Ajv2020.default({ allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
    const starter = parseYaml(STARTER_POLICY) as Record<string, unknown>;
    const withEntry = { ...starter, exceptions: [{ id: 'CVE-1', reason: 'r', approved_by: 'a', issue: 'i', expires_on: '2026-12-31' }] };
    expect(validate(withEntry), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...starter, fial_on: 'low' })).toBe(false);
    expect(validate({ ...starter, exceptions: [{ id: 'CVE-1', reason: 'r', approved_by: 'a', issue: 'i', expires_onn: '2026-12-31' }] })).toBe(false);
  });

  it('the starter policy parses to the default policy, without problems', () => {
    const policy = parsePolicyText(STARTER_POLICY, 'vigil.yaml');
    expect({ ...policy, source: undefined }).toEqual(DEFAULT_POLICY);
  });
});
