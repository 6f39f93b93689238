// Every report over the real 6-layer Debian 12 image of the shared corpus (#13, item 6), read as
// `vigil audit` reads it (docker save archive and OCI layout), against made-up records for four
// of its packages (test/fixtures/report/image-advisories). Layer digests are checked against the
// image's own manifest and configuration, read here apart from vigil's reader.
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Validation } from '@cyclonedx/cyclonedx-library';
import type { Log } from 'sarif';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAdvisories } from '../../src/advisories/import.js';
import { openAdvisoryStore } from '../../src/advisories/store/sqlite-store.js';
import { fixedClock } from '../../src/core/clock.js';
import { buildInventory } from '../../src/inventory/build-inventory.js';
import { matchInventory } from '../../src/match/match.js';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { evaluateGate } from '../../src/policy/gate.js';
import { CDX_PROPERTY, CYCLONEDX_VERSION, renderCyclonedx } from '../../src/report/cyclonedx/render-cyclonedx.js';
import { renderGithub } from '../../src/report/github/render-github.js';
import { renderHtml } from '../../src/report/html/render-html.js';
import { shortDigest } from '../../src/report/installed-location.js';
import { buildReport, type Report } from '../../src/report/report.js';
import { IMAGE_URI_BASE_ID, renderSarif } from '../../src/report/sarif/render-sarif.js';
import { fixture, shared } from '../helpers/shared-data.js';
import { compileSarifSchema } from './sarif/sarif-schema.js';

const imageDir = (): string => shared('corpus', 'images', 'vigil-debian12-small');

/** The JSON documents of a docker save archive, by path in the archive (layers skipped). */
async function archiveDocuments(file: string): Promise<Map<string, unknown>> {
  const documents = new Map<string, unknown>();
  const tar = extract();
  createReadStream(file).pipe(tar);
  for await (const entry of tar) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry as AsyncIterable<Buffer>) if (entry.header.name.endsWith('.json')) chunks.push(chunk);
    if (chunks.length > 0) documents.set(entry.header.name, JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
  }
  return documents;
}

/** Layer digests, bottom first, as the image names them: docker save's diff ids, the OCI manifest's layer digests. */
async function manifestLayers(kind: 'docker-save' | 'oci'): Promise<string[]> {
  if (kind === 'docker-save') {
    const documents = await archiveDocuments(path.join(imageDir(), 'image.docker-save.tar'));
    const [manifest] = documents.get('manifest.json') as { Config: string }[];
    const config = documents.get(manifest?.Config ?? '') as { rootfs: { diff_ids: string[] } };
    return config.rootfs.diff_ids;
  }
  const layout = path.join(imageDir(), 'oci-layout');
  const index = JSON.parse(readFileSync(path.join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const digest = index.manifests[0]?.digest ?? '';
  const manifest = JSON.parse(readFileSync(path.join(layout, 'blobs', 'sha256', digest.replace(/^sha256:/, '')), 'utf8')) as { layers: { digest: string }[] };
  return manifest.layers.map((layer) => layer.digest);
}

const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-image-report-'));
const storePath = path.join(work, 'advisories.db');
const clock = fixedClock('2026-11-22T10:00:00.000Z');

async function imageReport(target: string): Promise<Report> {
  const inventory = await buildInventory({ paths: [target], root: work });
  const store = openAdvisoryStore(storePath);
  try {
    const database = await store.status();
    const { findings, warnings } = await matchInventory(inventory, store);
    const gate = evaluateGate(findings, DEFAULT_POLICY, clock);
    return buildReport({ inventory, findings, warnings, database, auditedAt: clock.now() }, gate, DEFAULT_POLICY, '0.0.0-test');
  } finally {
    store.close();
  }
}

beforeAll(async () => {
  const imported = await importAdvisories({ storePath, inputs: [fixture('report', 'image-advisories')], clock });
  expect(imported.rejected).toEqual([]);
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const cases = [
  { name: 'docker save archive', kind: 'docker-save' as const, target: (): string => path.join(imageDir(), 'image.docker-save.tar') },
  { name: 'OCI image layout', kind: 'oci' as const, target: (): string => path.join(imageDir(), 'oci-layout') },
];

describe.each(cases)('reports of the vigil-debian12-small image ($name)', ({ kind, target }) => {
  let report: Report;
  let layers: string[];
  beforeAll(async () => {
    report = await imageReport(target());
    layers = await manifestLayers(kind);
  });

  it('locates each package in the layer that brought it (layer 2: dpkg status, 3: site-packages, 4: app/node_modules)', () => {
    expect(layers).toHaveLength(6);
    const layerOf = (ecosystem: string): string[] => [...new Set(report.packages.filter((pkg) => pkg.ecosystem === ecosystem).map((pkg) => pkg.location.layer ?? 'none'))];
    expect(layerOf('Debian')).toEqual([layers[1]]);
    expect(layerOf('PyPI')).toEqual([layers[2]]);
    expect(layerOf('npm')).toEqual([layers[3]]);
    expect(report.packages.filter((pkg) => pkg.ecosystem === 'Debian')).toHaveLength(140);
    expect(report.packages.filter((pkg) => pkg.ecosystem === 'PyPI').map((pkg) => `${pkg.name} ${pkg.version}`).sort()).toEqual(['pip 24.0', 'setuptools 69.5.1']);
  });

  it('has the four findings of the made-up records, in three layers', () => {
    expect(report.findings.map((finding) => [finding.id, finding.package.name, finding.package.location.layer]).sort()).toEqual(
      [
        ['TEST-DEB12-BASH', 'bash', layers[1]],
        ['TEST-DEB12-XZ', 'liblzma5', layers[1]],
        ['TEST-NPM-MINIMIST', 'minimist', layers[3]],
        ['TEST-PYPI-SETUPTOOLS', 'setuptools', layers[2]],
      ].sort(),
    );
  });

  it('SARIF: valid against the SARIF 2.1.0 schema, paths in the image, layer in message and properties', () => {
    const log = JSON.parse(renderSarif(report)) as Log;
    const validate = compileSarifSchema();
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    const results = log.runs[0]?.results ?? [];
    expect(results).toHaveLength(4);
    for (const result of results) {
      const finding = report.findings.find((entry) => entry.id === result.ruleId);
      const layer = finding?.package.location.layer ?? '';
      expect(result.locations?.[0]?.physicalLocation?.artifactLocation).toEqual({ uri: finding?.package.location.file.slice(1), uriBaseId: IMAGE_URI_BASE_ID });
      expect(result.properties?.['layer']).toBe(layer);
      expect(result.message.text).toContain(`in layer ${shortDigest(layer)}`);
    }
    const xz = results.find((result) => result.ruleId === 'TEST-DEB12-XZ');
    expect(xz?.locations?.[0]?.physicalLocation?.artifactLocation?.uri).toBe('var/lib/dpkg/status');
    // /var/lib/dpkg/status of the image: `Package: liblzma5` is line 1548 of the file.
    expect(xz?.locations?.[0]?.physicalLocation?.region?.startLine).toBe(1548);
    expect(xz?.properties).toMatchObject({ sourcePackage: 'xz-utils', distroRelease: 'Debian:12', distroUrgency: 'low' });
  });

  it('CycloneDX: valid, 140 pkg:deb components of debian-12, the image and its OS', async () => {
    const text = renderCyclonedx(report);
    expect(await new Validation.JsonStrictValidator(CYCLONEDX_VERSION).validate(text)).toBeNull();
    const bom = JSON.parse(text) as {
      metadata: { component?: { type: string; 'bom-ref': string; properties?: { name: string; value: string }[] } };
      components: { type: string; name: string; version?: string; purl?: string; 'bom-ref': string }[];
      dependencies?: { ref: string; dependsOn?: string[] }[];
    };
    const debs = bom.components.filter((component) => component.purl?.startsWith('pkg:deb/debian/'));
    expect(debs).toHaveLength(140);
    for (const deb of debs) expect(deb.purl).toMatch(/^pkg:deb\/debian\/([a-z0-9.-]|%2B)+@[^?]+\?arch=(amd64|all)&distro=debian-12(&upstream=[^&]+)?$/);
    const byName = new Map(debs.map((deb) => [deb.name, deb.purl]));
    // status: Package: bash / Source: bash (5.2.15-2) / Version: 5.2.15-2+b7; Package: liblzma5 / Source: xz-utils / Version: 5.4.1-0.2
    expect(byName.get('bash')).toBe('pkg:deb/debian/bash@5.2.15-2%2Bb7?arch=amd64&distro=debian-12&upstream=bash%405.2.15-2');
    expect(byName.get('liblzma5')).toBe('pkg:deb/debian/liblzma5@5.4.1-0.2?arch=amd64&distro=debian-12&upstream=xz-utils');
    expect(bom.metadata.component?.type).toBe('container');
    // The layers that hold packages (the BOM's lists are sorted): not /etc's, busybox's or the whiteout's.
    expect((bom.metadata.component?.properties ?? []).filter((p) => p.name === CDX_PROPERTY.layer).map((p) => p.value).sort()).toEqual([layers[1], layers[2], layers[3]].sort());
    const system = bom.components.find((component) => component.type === 'operating-system');
    expect(system).toMatchObject({ name: 'debian', version: '12' });
    const edges = new Map((bom.dependencies ?? []).map((entry) => [entry.ref, entry.dependsOn ?? []]));
    expect(edges.get(system?.['bom-ref'] ?? '')).toHaveLength(140);
  });

  it('HTML and GitHub annotations: the in-image path and the short layer digest of each vulnerable package', () => {
    const html = renderHtml(report);
    const rows = html.split('\n').filter((line) => line.startsWith('<tr class="package'));
    expect(rows).toHaveLength(4);
    const minimist = rows.find((row) => row.includes('<code class="tok">minimist</code>'));
    // Line 3 of minimist's package.json is its "version": "1.2.5".
    expect(minimist).toContain('<code class="tok">/app/node_modules/minimist/package.json:3</code>');
    expect(minimist).toContain(`layer <code class="tok">${shortDigest(layers[3] ?? '')}</code>`);
    const github = renderGithub(report).split('\n');
    const annotation = github.find((line) => line.includes('TEST-PYPI-SETUPTOOLS'));
    expect(annotation).not.toContain('file=');
    expect(annotation).toContain(`in layer ${layers[2] ?? ''}`);
  });
});
