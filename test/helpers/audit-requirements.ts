// Runs of the built CLI over a requirements file against a store imported from a folder of OSV
// records, read back as the JSON report.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { valid as validPep440 } from '@renovatebot/pep440';
import { expect } from 'vitest';
import { runCli } from '../e2e/run-cli.js';

/** A listed version that is not PEP 440, of one record and package. */
export interface LegacyCase {
  readonly record: string;
  readonly name: string;
  readonly version: string;
}

/** Every (record, package, listed version that is not PEP 440) of a folder of PYSEC YAML records. */
export function legacyCases(folder: string): LegacyCase[] {
  const cases: LegacyCase[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.yaml')) {
        const record = parseYaml(readFileSync(full, 'utf8')) as { id: string; affected?: { package?: { name: string }; versions?: string[] }[] };
        for (const affected of record.affected ?? []) {
          for (const version of affected.versions ?? []) {
            if (validPep440(version) === null && affected.package) cases.push({ record: record.id, name: affected.package.name, version });
          }
        }
      }
    }
  };
  walk(folder);
  return cases;
}

export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'vigil-legacy-'));
}

export async function importInto(store: string, folder: string): Promise<void> {
  const run = await runCli(['db', 'import', '--db', store, folder]);
  expect(run.code, run.stderr).toBe(0);
}

export interface AuditJson {
  findings: { id: string; package: { name: string; version: string; unparsedVersion?: true }; fixed: string[] }[];
  unevaluable: { subject: string; advisory?: string; reason: string }[];
  summary: { blocking: number; unevaluable: number; passed: boolean };
}

export async function auditRequirements(store: string, lines: readonly string[], policy?: string): Promise<{ code: number | null; report: AuditJson; stderr: string }> {
  const project = tempDir();
  writeFileSync(path.join(project, 'requirements.txt'), `${lines.join('\n')}\n`);
  if (policy !== undefined) writeFileSync(path.join(project, 'vigil.yaml'), policy);
  // Old snapshots: the data-age rule is not what is tested here.
  const run = await runCli(['audit', '--offline', '--db', store, '--max-db-age', '100000d', '--format', 'json', 'requirements.txt'], { cwd: project });
  return { code: run.code, report: JSON.parse(run.stdout) as AuditJson, stderr: run.stderr };
}

