import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, shared } from '../helpers/shared-data.js';
import { hasStackTrace, runCli } from './run-cli.js';

// Scenario folders hold a requirements.txt locking idna 3.6 (PYSEC-2024-60, CVE-2024-3651, high)
// and a vigil.yaml; the CLI runs inside each, as CI runs at a project's root.

let work: string;
let store: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'vigil-policy-e2e-'));
  store = path.join(work, 'advisories.db');
  const imported = await runCli(['db', 'import', '--db', store, shared('osv', 'pypi-pysec', 'vulns', 'idna')]);
  expect(imported.code, imported.stderr).toBe(0);
});

afterAll(() => { rmSync(work, { recursive: true, force: true }); });

interface Case {
  readonly name: string;
  readonly scenario: string;
  readonly args: readonly string[];
  readonly exit: number;
  /** Each must match a line of stderr. */
  readonly lines: readonly RegExp[];
}

const cases: Case[] = [
  {
    name: 'an exception by CVE allows the finding known by its PYSEC id; the log names it',
    scenario: 'policy-exception-applied',
    args: ['audit', '.'],
    exit: 0,
    lines: [
      /^gate: 0 blocking, 0 unevaluable, 1 allowed by exception, 0 below threshold \(fail_on high\), 0 in ignored scopes, 0 not affected \(VEX\); 1 packages, 1 findings; policy vigil\.yaml: 0 errors, 1 warnings$/,
      // idna 3.7 fixes it: the exception should go.
      /^warning: vigil\.yaml:7:5: exception CVE-2024-3651: a fix now exists \(idna 3\.7\); upgrade and remove the exception$/,
      /^allowed: PYSEC-2024-60 in idna 3\.6 by exception CVE-2024-3651 \(approved by security-team, https:\/\/example\.org\/tracker\/42, expires 2099-12-31\): Only trusted hostnames/,
      /^vigil: gate passed$/,
    ],
  },
  {
    name: 'an expired exception fails the gate and is named with its line',
    scenario: 'policy-exception-expired',
    args: ['audit', '.'],
    exit: 1,
    lines: [
      /^gate: 1 blocking, 0 unevaluable, 0 allowed by exception, .*: 1 errors, 0 warnings$/,
      /^error: vigil\.yaml:3:5: exception CVE-2024-3651: expired on 2020-01-01/,
      /^vigil: gate FAILED$/,
    ],
  },
  {
    name: 'an unknown top-level key is a configuration error at its line',
    scenario: 'policy-unknown-key',
    args: ['audit', '.'],
    exit: 2,
    lines: [/^vigil: vigil\.yaml:1:1: unknown key "fial_on" \(did you mean "fail_on"\?\)$/],
  },
  {
    name: 'a typo in an exception entry fails the gate instead of making a permanent exception',
    scenario: 'policy-entry-typo',
    args: ['audit', '.'],
    exit: 1,
    lines: [/^gate: 1 blocking, 0 unevaluable, 0 allowed by exception/, /^error: vigil\.yaml:\d+:\d+: invalid exception CVE-2024-3651: unknown key "expires_onn"/],
  },
  {
    name: 'a vigil.yaml in an audited subfolder is not trusted',
    scenario: 'policy-in-subfolder',
    args: ['audit', '.'],
    exit: 1,
    lines: [
      /^gate: 1 blocking, .*policy default: 0 errors/,
      /^policy: service\/vigil\.yaml is not in force \(vigil reads the policy of the folder it runs in\); run vigil in service\/, or pass --policy service\/vigil\.yaml$/,
    ],
  },
  {
    name: 'exceptions from an allowlist JSON file apply',
    scenario: 'policy-allowlist',
    args: ['audit', '--allowlist', 'allowlist.json', '.'],
    exit: 0,
    lines: [/^allowed: PYSEC-2024-60 in idna 3\.6 by exception PYSEC-2024-60/],
  },
  {
    name: '--fail-on critical lets a high finding pass',
    scenario: 'policy-in-subfolder',
    args: ['audit', '--fail-on', 'critical', '.'],
    exit: 0,
    lines: [/^gate: 0 blocking, 0 unevaluable, 0 allowed by exception, 1 below threshold \(fail_on critical\)/],
  },
  {
    name: 'a VEX not_affected statement for the installed version suppresses the finding',
    scenario: 'policy-vex',
    args: ['audit', '--vex', 'idna.openvex.json', '.'],
    exit: 0,
    lines: [/^gate: 0 blocking, 0 unevaluable, 0 allowed by exception, 0 below threshold \(fail_on high\), 0 in ignored scopes, 1 not affected \(VEX\);/],
  },
  {
    name: 'a VEX statement for another version does not',
    scenario: 'policy-vex',
    args: ['audit', '--vex', 'other-version.openvex.json', '.'],
    exit: 1,
    lines: [/^gate: 1 blocking, .* 0 not affected \(VEX\);/],
  },
  {
    name: 'policy check passes a valid policy',
    scenario: 'policy-exception-applied',
    args: ['policy', 'check'],
    exit: 0,
    lines: [],
  },
  {
    name: 'policy check fails on an expired exception',
    scenario: 'policy-exception-expired',
    args: ['policy', 'check'],
    exit: 1,
    lines: [/^error: vigil\.yaml:3:5: exception CVE-2024-3651: expired on 2020-01-01/],
  },
  {
    name: 'policy check fails on an invalid entry',
    scenario: 'policy-entry-typo',
    args: ['policy', 'check'],
    exit: 1,
    lines: [/unknown key "expires_onn"/],
  },
  {
    name: 'policy check reports a schema error as exit 2',
    scenario: 'policy-unknown-key',
    args: ['policy', 'check'],
    exit: 2,
    lines: [/unknown key "fial_on"/],
  },
];

describe('policy gate, end to end', () => {
  it.each(cases)('$name', async ({ scenario, args, exit, lines }) => {
    const run = await runCli(args[0] === 'audit' ? [...args.slice(0, 1), '--db', store, ...args.slice(1)] : args, {
      cwd: fixture('e2e', scenario),
    });
    expect(run.code, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(exit);
    const stderrLines = run.stderr.split('\n');
    for (const line of lines) expect(stderrLines.some((text) => line.test(text)), `${String(line)} in\n${run.stderr}`).toBe(true);
    expect(hasStackTrace(run.stderr)).toBe(false);
  });

  it('the JSON report carries decisions, applied exceptions and policy problems', async () => {
    const out = path.join(work, 'expired.json');
    const run = await runCli(['audit', '--db', store, '--format', 'json', '-o', out, '.'], { cwd: fixture('e2e', 'policy-exception-expired') });
    expect(run.code).toBe(1);
    const report = JSON.parse(readFileSync(out, 'utf8')) as {
      findings: { decision: { kind: string; reason: string } }[];
      policy: { source: string; exceptions: { id: string; status: string; matched: number }[]; problems: { code: string }[] };
      summary: { blocking: number; policyErrors: number; passed: boolean };
    };
    expect(report.findings.map((finding) => finding.decision.kind)).toEqual(['blocking']);
    expect(report.findings[0]?.decision.reason).toMatch(/exception CVE-2024-3651 expired on 2020-01-01/);
    expect(report.policy).toMatchObject({ source: 'vigil.yaml', exceptions: [{ id: 'CVE-2024-3651', status: 'expired', matched: 1 }] });
    expect(report.policy.problems.map((problem) => problem.code)).toEqual(['exception-expired']);
    expect(report.summary).toMatchObject({ blocking: 1, policyErrors: 1, passed: false });
  });

  it('policy init writes a starter policy that passes policy check, and will not overwrite it', async () => {
    const dir = mkdtempSync(path.join(work, 'init-'));
    const first = await runCli(['policy', 'init'], { cwd: dir });
    expect(first.code).toBe(0);
    expect(existsSync(path.join(dir, 'vigil.yaml'))).toBe(true);
    expect((await runCli(['policy', 'check'], { cwd: dir })).code).toBe(0);
    const again = await runCli(['policy', 'init'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists/);
  });
});
