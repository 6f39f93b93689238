// The built CLI on real root file systems: the Ubuntu 22.04 one against the 10 real USN records,
// and the Debian 11 one (past its LTS end, 2026-08-31, by distro-info-data).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, shared } from '../../helpers/shared-data.js';
import { hasStackTrace, runCli } from '../../e2e/run-cli.js';

interface JsonReport {
  readonly packages: readonly { readonly ecosystem: string; readonly purl: string }[];
  readonly findings: readonly { readonly id: string; readonly package: { readonly name: string } }[];
}

let dir: string;
let store: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-rootfs-cli-'));
  store = path.join(dir, 'advisories.db');
  // The 10 USN records, and DSA-3029-1 (Debian 7) so the store holds Debian data at all.
  const records = shared('osv', 'debian', 'records');
  const imported = await runCli(['db', 'import', '--db', store, path.join(records, 'canonical-ubuntu-security-notices'), path.join(records, 'osv.dev', 'DSA-3029-1.json')]);
  expect(imported.code, imported.stderr).toBe(0);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('vigil audit of a Debian or Ubuntu root file system', () => {
  it('Ubuntu 22.04: 117 packages, the 13 findings of the USN records, a valid JSON report, the gate fails', async () => {
    const run = await runCli(['audit', '--db', store, '--format', 'json', shared('corpus', 'debian', 'ubuntu2204-jammy-rootfs')]);
    expect(run.code, run.stderr).toBe(1);
    expect(hasStackTrace(run.stderr)).toBe(false);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.packages).toHaveLength(117);
    expect(report.packages.every((pkg) => pkg.ecosystem === 'Ubuntu' && pkg.purl.startsWith('pkg:deb/ubuntu/'))).toBe(true);
    expect(report.findings.map((finding) => finding.id).sort()).toEqual(
      ['USN-8091-1', 'USN-8091-1', 'USN-8091-1', 'USN-8091-1', 'USN-8091-1', 'USN-8091-1', 'USN-8091-1', 'USN-8193-1', 'USN-8229-1', 'USN-8319-1', 'USN-8362-1', 'USN-8477-1', 'USN-8512-1'],
    );
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(path.join(repoRoot, 'docs', 'audit-report.schema.json'), 'utf8')) as object);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  });

  it('Debian 11: the release is past its end of support, one finding on base-files; the nginx.org packages are not audited', async () => {
    const run = await runCli(['audit', '--db', store, '--format', 'json', shared('corpus', 'debian', 'debian11-bullseye-nginx-rootfs')]);
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.findings.map((finding) => [finding.id, finding.package.name])).toEqual([['VIGIL-EOS-Debian:11', 'base-files']]);
    expect(run.stderr.match(/not from Debian: its version ends in "~bullseye"/g)).toHaveLength(5);
  });
});
