import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { fixture, repoRoot } from '../helpers/shared-data.js';
import { runCli } from './run-cli.js';
import { sharedAdvisoryStore } from './shared-advisory-store.js';

const setup = sharedAdvisoryStore('vigil-e2e-html-');

interface JsonReport {
  readonly schemaVersion: string;
  readonly remediation?: { readonly versionSource: string; readonly packages: readonly { package: { name: string }; target: string | null; command: string | null }[] };
}

describe('vigil audit --format html', () => {
  it('shows the package once with the version that fixes it and the command, and the JSON of the run carries the plan', async () => {
    const html = path.join(setup.work, 'report.html');
    const json = path.join(setup.work, 'report.json');
    // Facts of the fixture: requests 2.30.0 lies in [2.3.0, 2.31.0) of CVE-2023-32681 (PYSEC-2023-74, GHSA-j8r2-6x86-q33q).
    const run = await runCli(['audit', '--fail-on', 'medium', '--db', setup.store, '--format', 'html', '-o', html, '--format', 'json', '-o', json, fixture('e2e', 'requirements-vulnerable')]);
    expect(run.code, run.stderr).toBe(1);
    const page = readFileSync(html, 'utf8');
    const rows = [...page.matchAll(/<tr class="package blocking" data-blocking="true">(.*?)<\/tr>/g)].map((match) => match[1] ?? '');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('<code class="tok target">2.31.0</code>');
    expect(rows[0]).toContain(`<code class="cmd">pip install --upgrade &#39;requests==2.31.0&#39;</code>`);
    expect(rows[0]).toContain('<a href="https://github.com/advisories/GHSA-j8r2-6x86-q33q" rel="noopener noreferrer">');
    expect(rows[0]).toContain('<a href="https://osv.dev/vulnerability/PYSEC-2023-74" rel="noopener noreferrer">');
    expect(rows[0]).toContain('<a href="https://nvd.nist.gov/vuln/detail/CVE-2023-32681" rel="noopener noreferrer">');

    const document = JSON.parse(readFileSync(json, 'utf8')) as JsonReport;
    expect(document.remediation?.versionSource).toBe('advisories');
    expect(document.remediation?.packages.map((entry) => [entry.package.name, entry.target])).toEqual([['requests', '2.31.0']]);
    const ajv = new Ajv2020.default({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(path.join(repoRoot, 'docs', 'audit-report.schema.json'), 'utf8')) as object);
    expect(validate(document), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
  }, 60_000);

  it('plans nothing when no format shows the plan', async () => {
    const run = await runCli(['audit', '--fail-on', 'medium', '--db', setup.store, '--format', 'json', fixture('e2e', 'requirements-vulnerable')]);
    expect(run.code, run.stderr).toBe(1);
    const document = JSON.parse(run.stdout) as JsonReport;
    expect(document.schemaVersion).toBe('1.7.0');
    expect(document.remediation).toBeUndefined();
  }, 60_000);
});
