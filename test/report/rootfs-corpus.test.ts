// The reports of the real Ubuntu 22.04 root file system of the shared corpus against the 10 real
// USN records (#13, item 6): the OS as CycloneDX metadata.component, pkg:deb/ubuntu purls, and
// Ubuntu's priorities carried on the findings of the JSON report and the BOM's vulnerabilities.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Validation } from '@cyclonedx/cyclonedx-library';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Log } from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAdvisories } from '../../src/advisories/import.js';
import { openAdvisoryStore } from '../../src/advisories/store/sqlite-store.js';
import { fixedClock } from '../../src/core/clock.js';
import { buildInventory } from '../../src/inventory/build-inventory.js';
import { matchInventory } from '../../src/match/match.js';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { evaluateGate } from '../../src/policy/gate.js';
import { CDX_PROPERTY, CYCLONEDX_VERSION, renderCyclonedx } from '../../src/report/cyclonedx/render-cyclonedx.js';
import { renderJson } from '../../src/report/json/render-json.js';
import { buildReport, type Report } from '../../src/report/report.js';
import { renderSarif } from '../../src/report/sarif/render-sarif.js';
import { repoRoot, shared } from '../helpers/shared-data.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-rootfs-report-'));
const clock = fixedClock('2026-11-22T10:00:00.000Z');
let report: Report;

beforeAll(async () => {
  const storePath = path.join(work, 'advisories.db');
  const imported = await importAdvisories({ storePath, inputs: [shared('osv', 'debian', 'records', 'canonical-ubuntu-security-notices')], clock });
  expect(imported.rejected).toEqual([]);
  const rootfs = shared('corpus', 'debian', 'ubuntu2204-jammy-rootfs');
  const inventory = await buildInventory({ paths: [rootfs], root: rootfs });
  const store = openAdvisoryStore(storePath);
  try {
    const { findings, warnings } = await matchInventory(inventory, store);
    const gate = evaluateGate(findings, DEFAULT_POLICY, clock);
    report = buildReport({ inventory, findings, warnings, database: await store.status(), auditedAt: clock.now() }, gate, DEFAULT_POLICY, '0.0.0-test');
  } finally {
    store.close();
  }
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('reports of the Ubuntu 22.04 root file system', () => {
  it('JSON: every package has its release and source package, no layer; valid against the report schema', () => {
    const document = JSON.parse(renderJson(report)) as Report;
    expect(document.packages).toHaveLength(117);
    for (const pkg of document.packages) {
      expect(pkg.distro?.release).toBe('Ubuntu:22.04:LTS');
      expect(pkg.location.layer).toBeUndefined();
    }
    // status: Package: bsdutils / Source: util-linux (2.37.2-4ubuntu3.4) / Version: 1:2.37.2-4ubuntu3.4
    const bsdutils = document.packages.find((pkg) => pkg.name === 'bsdutils');
    expect(bsdutils?.distro).toMatchObject({ sourceName: 'util-linux', sourceVersion: '2.37.2-4ubuntu3.4' });
    expect(document.findings).toHaveLength(13);
    for (const finding of document.findings) expect(finding.distro).toBeDefined();
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(path.join(repoRoot, 'docs', 'audit-report.schema.json'), 'utf8')) as object);
    expect(validate(document), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  });

  it('CycloneDX: the OS is metadata.component, every package a pkg:deb/ubuntu purl of ubuntu-22.04', async () => {
    const text = renderCyclonedx(report);
    expect(await new Validation.JsonStrictValidator(CYCLONEDX_VERSION).validate(text)).toBeNull();
    const bom = JSON.parse(text) as {
      metadata: { component?: { type: string; name: string; version?: string; 'bom-ref': string } };
      components: { name: string; purl?: string; 'bom-ref': string }[];
      dependencies?: { ref: string; dependsOn?: string[] }[];
      vulnerabilities: { id: string; properties?: { name: string; value: string }[] }[];
    };
    expect(bom.metadata.component).toMatchObject({ type: 'operating-system', name: 'ubuntu', version: '22.04' });
    expect(bom.components).toHaveLength(117);
    for (const component of bom.components) expect(component.purl).toMatch(/^pkg:deb\/ubuntu\/[^@]+@[^?]+\?arch=(amd64|all)&distro=ubuntu-22\.04(&upstream=[^&]+)?$/);
    expect(bom.components.find((component) => component.name === 'bsdutils')?.purl).toBe(
      'pkg:deb/ubuntu/bsdutils@1%3A2.37.2-4ubuntu3.4?arch=amd64&distro=ubuntu-22.04&upstream=util-linux%402.37.2-4ubuntu3.4',
    );
    const os = (bom.dependencies ?? []).find((entry) => entry.ref === bom.metadata.component?.['bom-ref']);
    expect(os?.dependsOn).toHaveLength(117);
    // Every USN entry says whether the release is fixed.
    for (const vulnerability of bom.vulnerabilities) expect(vulnerability.properties?.some((p) => p.name === CDX_PROPERTY.unfixed)).toBe(true);
  });

  it('SARIF: findings are located in the status file of the folder, with no image base id', () => {
    const log = JSON.parse(renderSarif(report)) as Log;
    const run = log.runs[0];
    expect(run?.originalUriBaseIds).toBeUndefined();
    for (const result of run?.results ?? []) {
      expect(result.locations?.[0]?.physicalLocation?.artifactLocation?.uri).toBe('var/lib/dpkg/status');
      expect(result.properties?.['distroRelease']).toBe('Ubuntu:22.04:LTS');
      expect(result.properties?.['layer']).toBeUndefined();
    }
  });
});
