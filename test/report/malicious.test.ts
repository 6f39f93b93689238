import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Log } from 'sarif';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderGithub } from '../../src/report/github/render-github.js';
import { renderHtml } from '../../src/report/html/render-html.js';
import { renderJson } from '../../src/report/json/render-json.js';
import { renderJunit } from '../../src/report/junit/render-junit.js';
import { renderMarkdown } from '../../src/report/markdown/render-markdown.js';
import type { Report } from '../../src/report/report.js';
import { renderSarif } from '../../src/report/sarif/render-sarif.js';
import { renderTable } from '../../src/report/table/render-table.js';
import { repoRoot } from '../helpers/shared-data.js';
import { compileSarifSchema } from './sarif/sarif-schema.js';
import { buildMaliciousScenario } from './malicious-scenario.js';

let report: Report;

beforeAll(async () => {
  ({ report } = await buildMaliciousScenario());
});

/** The packages in the order a text names them (first mention). */
function order(text: string): string[] {
  const names = ['left-padder', 'color-strng', 'express'];
  return names.map((name) => [name, text.indexOf(name)] as const).filter(([, at]) => at >= 0).sort((a, b) => a[1] - b[1]).map(([name]) => name);
}

describe('malicious packages come first in every report', () => {
  it('json: findings and remediation start with the malicious ones, marked', () => {
    const json = JSON.parse(renderJson(report)) as { findings: { package: { name: string }; malicious?: boolean; decision: { kind: string; malicious?: boolean } }[]; remediation: { packages: { decision: string }[] } };
    expect(json.findings.map((finding) => finding.malicious === true)).toEqual([true, true, false]);
    expect(json.findings.slice(0, 2).every((finding) => finding.decision.kind === 'blocking' && finding.decision.malicious === true)).toBe(true);
    expect(json.remediation.packages.map((entry) => entry.decision)).toEqual(['remove', 'remove', 'allowed']);
    const ajv = new Ajv2020.default({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(path.join(repoRoot, 'docs', 'audit-report.schema.json'), 'utf8')) as object);
    expect(validate(json), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
  });

  it('table: MALICIOUS rows first, with remove it instead of a fixed version', () => {
    const lines = renderTable(report, { color: false }).split('\n');
    expect(lines.slice(1, 4).map((line) => line.split(/\s+/).slice(0, 2))).toEqual([
      ['MALICIOUS', 'color-strng'],
      ['MALICIOUS', 'left-padder'],
      ['below', 'express'],
    ]);
    expect(lines[1]).toContain('remove it');
    // The GHSA malware advisory shows its MAL- alias.
    expect(lines[1]).toContain('GHSA-m4lw-9v2c-q7xr, MAL-2099-0202');
  });

  it('markdown: the blocking table lists the malicious packages, to remove', () => {
    const markdown = renderMarkdown(report);
    const blocking = markdown.slice(markdown.indexOf('### Blocking'));
    expect(order(blocking)[0]).not.toBe('express');
    expect(blocking).toContain('**malicious: remove it**');
  });

  it('html: the malicious rows open the blocking table, to remove, with no upgrade', () => {
    const html = renderHtml(report);
    const rows = [...html.matchAll(/<tr class="package([^"]*)" data-blocking="(true|false)"[^>]*>(.*?)<\/tr>/g)].map((match) => ({ classes: match[1] ?? '', html: match[3] ?? '' }));
    expect(rows.map((row) => row.classes.includes('malicious'))).toEqual([true, true, false]);
    expect(order(rows.map((row) => row.html).join('\n')).slice(0, 2).sort()).toEqual(['color-strng', 'left-padder']);
    expect(rows[0]?.html).toContain('remove it');
    expect(rows[0]?.html).not.toContain('class="tok target"');
    const leftPadder = rows.find((row) => row.html.includes('left-padder'))?.html ?? '';
    expect(leftPadder).toContain('<code class="cmd">npm uninstall left-padder</code>');
    expect(leftPadder).toContain('href="https://osv.dev/vulnerability/MAL-2099-0101"');
  });

  it('sarif: malicious results first, at error level, tagged malicious, without an exception recipe; valid SARIF', () => {
    const log = JSON.parse(renderSarif(report)) as Log;
    const validate = compileSarifSchema();
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const run = log.runs[0];
    const results = run?.results ?? [];
    expect(results.map((result) => result.locations?.[0]?.logicalLocations?.[0]?.name)).toEqual(['color-strng', 'left-padder', 'express']);
    expect(results.slice(0, 2).map((result) => result.level)).toEqual(['error', 'error']);
    expect(results[0]?.message.text).toContain('is malicious');
    const rule = run?.tool.driver.rules?.find((entry) => entry.id === 'MAL-2099-0101');
    expect(rule?.properties?.['security-severity']).toBe('10.0');
    expect(rule?.properties?.tags).toContain('malicious');
    expect(rule?.help?.text).not.toContain('add an exception');
  });

  it('github: the malicious annotations come before everything else', () => {
    const lines = renderGithub(report).split('\n').filter((line) => line.startsWith('::'));
    expect(lines[0]).toMatch(/^::error .*title=MALICIOUS package%3A GHSA-m4lw-9v2c-q7xr in color-strng 0\.1\.1/);
    expect(lines[1]).toMatch(/^::error .*title=MALICIOUS package%3A MAL-2099-0101 in left-padder 1\.0\.3/);
    expect(lines[2]).toMatch(/title=vigil policy%3A exception-malicious/);
  });

  it('junit: the malicious packages are the first cases, failures of type malicious', () => {
    const xml = renderJunit(report);
    const cases = [...xml.matchAll(/<testcase (?:[^>]*\s)?name="([^"]+)"[^>]*>\s*<(failure|skipped)(?: [^>]*type="([^"]*)")?/g)].map((match) => [match[1], match[2], match[3] ?? null]);
    expect(cases).toEqual([
      ['color-strng@0.1.1', 'failure', 'malicious'],
      ['left-padder@1.0.3', 'failure', 'malicious'],
      ['express@4.17.3', 'skipped', null],
      // The policy's suite: the refused exception.
      ['exception-malicious MAL-2099-0101', 'failure', 'exception-malicious'],
    ]);
  });
});
