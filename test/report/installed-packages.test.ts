// Image and OS packages in every report (#13, item 6), over a hand-written image audit that runs
// without the shared corpus (image-scenario.ts); image-corpus.test.ts runs the real image.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Validation } from '@cyclonedx/cyclonedx-library';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { PackageURL } from 'packageurl-js';
import type { Log, Result } from 'sarif';
import { describe, expect, it } from 'vitest';
import { CDX_PROPERTY, CYCLONEDX_VERSION, componentPurl, renderCyclonedx } from '../../src/report/cyclonedx/render-cyclonedx.js';
import { renderGithub } from '../../src/report/github/render-github.js';
import { renderHtml } from '../../src/report/html/render-html.js';
import { describeLocation, describeSubject, shortDigest } from '../../src/report/installed-location.js';
import { renderJson } from '../../src/report/json/render-json.js';
import type { ReportPackage } from '../../src/report/report.js';
import { IMAGE_URI_BASE_ID, renderSarif } from '../../src/report/sarif/render-sarif.js';
import { repoRoot } from '../helpers/shared-data.js';
import { HOSTILE_NAME, LAYER_APP, LAYER_DPKG, LAYER_PYTHON, PACKAGES, SKIPPED_LINK, buildImageReport } from './image-scenario.js';

const report = buildImageReport();

describe('shortDigest and describeLocation', () => {
  const cases: { name: string; input: string; want: string }[] = [
    { name: 'a sha256 digest keeps 12 hex digits', input: LAYER_DPKG, want: 'sha256:aed824276830' },
    { name: 'a short digest is kept whole', input: 'sha256:abc', want: 'sha256:abc' },
    { name: 'something that is no digest is kept whole', input: 'layer.tar', want: 'layer.tar' },
  ];
  it.each(cases)('$name', ({ input, want }) => {
    expect(shortDigest(input)).toBe(want);
  });

  it('names the path in the image, the line and the layer', () => {
    expect(describeLocation(PACKAGES.liblzma5.location)).toBe('/var/lib/dpkg/status:1548 in layer sha256:aed824276830');
    expect(describeLocation(PACKAGES.liblzma5.location, { full: true })).toBe(`/var/lib/dpkg/status:1548 in layer ${LAYER_DPKG}`);
    expect(describeLocation({ file: 'poetry.lock', line: 3 })).toBe('poetry.lock:3');
  });

  it('tells the layers and the Debian release from the packages', () => {
    expect(describeSubject(report)).toEqual({
      layers: [LAYER_DPKG, LAYER_PYTHON, LAYER_APP],
      systems: [{ release: 'Debian:12', vendor: 'debian', version: '12', packages: 2 }],
    });
  });
});

describe('JSON report', () => {
  const document = JSON.parse(renderJson(report)) as {
    schemaVersion: string;
    packages: ReportPackage[];
    findings: { id: string; package: ReportPackage; distro?: unknown }[];
  };

  it('carries each package layer and distro, and the findings Debian classification', () => {
    const byName = new Map(document.packages.map((pkg) => [pkg.name, pkg]));
    expect(byName.get('liblzma5')?.location).toEqual({ file: '/var/lib/dpkg/status', line: 1548, layer: LAYER_DPKG });
    expect(byName.get('liblzma5')?.distro).toEqual({ release: 'Debian:12', sourceName: 'xz-utils', sourceVersion: '5.4.1-0.2', architecture: 'amd64' });
    expect(byName.get('setuptools')?.location.layer).toBe(LAYER_PYTHON);
    expect(byName.get('setuptools')?.distro).toBeUndefined();
    const xz = document.findings.find((finding) => finding.id === 'TEST-DEB-XZ');
    expect(xz?.distro).toEqual({ urgency: 'low', noDsa: 'minor issue', unfixed: false });
    expect(document.findings.find((finding) => finding.id === 'TEST-DEB-BASH')?.distro).toEqual({ urgency: 'high', unfixed: true });
  });

  it('is valid against docs/audit-report.schema.json, whose distro fields are checked', () => {
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(path.join(repoRoot, 'docs', 'audit-report.schema.json'), 'utf8')) as object);
    expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
    expect(document.schemaVersion).toBe('1.7.0');
    const broken = structuredClone(document);
    (broken.packages[0] as { distro?: unknown }).distro = { release: 'Debian:12', sourceName: 'xz-utils' };
    expect(validate(broken)).toBe(false);
  });
});

describe('SARIF', () => {
  const log = JSON.parse(renderSarif(report)) as Log;
  const run = log.runs[0];
  const resultOf = (id: string): Result | undefined => run?.results?.find((result) => result.ruleId === id);

  it('locates an image package by its path in the image, relative to the image root, never a file: URI', () => {
    const location = resultOf('TEST-DEB-XZ')?.locations?.[0]?.physicalLocation;
    expect(location?.artifactLocation).toEqual({ uri: 'var/lib/dpkg/status', uriBaseId: IMAGE_URI_BASE_ID });
    expect(location?.region?.startLine).toBe(1548);
    expect(run?.originalUriBaseIds?.[IMAGE_URI_BASE_ID]?.description?.text).toContain('container image');
    for (const result of run?.results ?? []) expect(result.locations?.[0]?.physicalLocation?.artifactLocation?.uri).not.toMatch(/^file:/);
  });

  it('names the layer in the message and the property bag, and the source package of a dpkg package', () => {
    const xz = resultOf('TEST-DEB-XZ');
    expect(xz?.message.text).toContain('liblzma5 5.4.1-0.2 (source package xz-utils 5.4.1-0.2) (/var/lib/dpkg/status:1548 in layer sha256:aed824276830)');
    expect(xz?.properties).toMatchObject({
      layer: LAYER_DPKG,
      pathInImage: '/var/lib/dpkg/status',
      distroRelease: 'Debian:12',
      sourcePackage: 'xz-utils',
      distroUrgency: 'low',
      distroNoDsa: 'minor issue',
      distroUnfixed: false,
    });
    expect(resultOf('TEST-PYPI-SETUPTOOLS')?.properties?.['layer']).toBe(LAYER_PYTHON);
    expect(resultOf('TEST-NPM-HOSTILE')?.locations?.[0]?.physicalLocation?.artifactLocation?.uri).toBe('app/node_modules/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E/package.json');
  });
});

describe('SARIF skipped entries', () => {
  it('locate an unreadable file of the image in it, naming its layer', () => {
    const notification = (JSON.parse(renderSarif(report)) as Log).runs[0]?.invocations?.[0]?.toolExecutionNotifications?.[0];
    expect(notification?.message.text).toBe(`not audited: ${SKIPPED_LINK.reason} (${SKIPPED_LINK.location.file} in layer ${LAYER_PYTHON})`);
    expect(notification?.locations?.[0]?.physicalLocation?.artifactLocation).toEqual({
      uri: 'usr/local/lib/python3.12/site-packages/broken-1.0.dist-info/METADATA',
      uriBaseId: IMAGE_URI_BASE_ID,
    });
  });
});

describe('HTML report', () => {
  const html = renderHtml(report);

  it('shows the in-image path and the short layer digest (whole digest on hover) per package row', () => {
    const rows = html.split('\n').filter((line) => line.startsWith('<tr class="package'));
    expect(rows).toHaveLength(4);
    const xz = rows.find((row) => row.includes('<code class="tok">liblzma5</code>'));
    expect(xz).toContain('<code class="tok">/var/lib/dpkg/status:1548</code>');
    expect(xz).toContain(`<span class="layer" title="${LAYER_DPKG}">layer <code class="tok">sha256:aed824276830</code></span>`);
    expect(xz).toContain('source package <code class="tok">xz-utils</code> <code class="tok">5.4.1-0.2</code> (Debian:12)');
    const bash = rows.find((row) => row.includes('<code class="tok">bash</code>'));
    expect(bash).toContain('source package <code class="tok">bash</code> <code class="tok">5.2.15-2</code>');
    const setuptools = rows.find((row) => row.includes('<code class="tok">setuptools</code>'));
    expect(setuptools).toContain('layer <code class="tok">sha256:97e0df43f19f</code>');
    expect(setuptools).not.toContain('source package');
  });

  it("shows Debian's classification beside each advisory of a dpkg package", () => {
    expect(html).toContain('<small class="distro">urgency low · no-dsa: minor issue</small>');
    expect(html).toContain('<small class="distro">urgency high · unfixed in the release</small>');
  });

  it('shows an unreadable file of the image with its layer among what was not audited', () => {
    expect(html).toContain(`<li><code class="tok">${SKIPPED_LINK.location.file}</code> <span class="layer" title="${LAYER_PYTHON}">layer <code class="tok">sha256:97e0df43f19f</code></span>: ${SKIPPED_LINK.reason}</li>`);
  });

  it('escapes the package name and path from the image and the advisory text', () => {
    expect(html).not.toContain(HOSTILE_NAME);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('GitHub annotations', () => {
  const lines = renderGithub(report).trimEnd().split('\n');

  it('attaches no image path to a repository file, and names path and layer in title and message', () => {
    const xz = lines.find((line) => line.includes('TEST-DEB-XZ'));
    expect(xz).toMatch(/^::error title=/);
    expect(xz).not.toContain('file=');
    expect(xz).toContain('title=TEST-DEB-XZ in liblzma5 5.4.1-0.2 (image layer sha256%3Aaed824276830)::');
    expect(xz).toContain(`Installed at /var/lib/dpkg/status:1548 in layer ${LAYER_DPKG}. Debian:12 source package xz-utils 5.4.1-0.2.`);
  });

  it('keeps a hostile summary inside its one command', () => {
    // Every line is a command or the closing summary: the summary's newline did not start `::error::injected`.
    expect(lines.filter((line) => !line.startsWith('::') && !line.startsWith('vigil: gate'))).toEqual([]);
    expect(lines.some((line) => line.startsWith('::error::injected'))).toBe(false);
    expect(lines.join('\n')).not.toContain('\u001b');
  });
});

describe('CycloneDX', () => {
  const text = renderCyclonedx(report);
  const bom = JSON.parse(text) as {
    metadata: { component?: { type: string; name: string; 'bom-ref': string; properties?: { name: string; value: string }[] } };
    components: { type: string; name: string; version?: string; purl?: string; 'bom-ref': string; properties?: { name: string; value: string }[] }[];
    dependencies?: { ref: string; dependsOn?: string[] }[];
    vulnerabilities: { id: string; properties?: { name: string; value: string }[] }[];
  };
  const component = (name: string): (typeof bom.components)[number] | undefined => bom.components.find((entry) => entry.name === name);

  it('validates against the CycloneDX 1.6 JSON schema', async () => {
    expect(await new Validation.JsonStrictValidator(CYCLONEDX_VERSION).validate(text)).toBeNull();
  });

  it('writes pkg:deb purls with arch, distro and the source package as upstream, keys sorted', () => {
    expect(component('liblzma5')?.purl).toBe('pkg:deb/debian/liblzma5@5.4.1-0.2?arch=amd64&distro=debian-12&upstream=xz-utils');
    // A binNMU: the same source name, another version (purl-spec: `+` and `@` percent-encoded).
    expect(component('bash')?.purl).toBe('pkg:deb/debian/bash@5.2.15-2%2Bb7?arch=amd64&distro=debian-12&upstream=bash%405.2.15-2');
    expect(component('setuptools')?.purl).toBe('pkg:pypi/setuptools@69.5.1');
    for (const entry of bom.components.filter((item) => item.purl !== undefined)) expect(entry['bom-ref']).toBe(entry.purl);
  });

  it('has the image as metadata.component, the OS as a component depending on its packages, and the layer per package', () => {
    expect(bom.metadata.component?.type).toBe('container');
    expect((bom.metadata.component?.properties ?? []).filter((p) => p.name === CDX_PROPERTY.layer).map((p) => p.value).sort()).toEqual([LAYER_APP, LAYER_DPKG, LAYER_PYTHON].sort());
    const os = bom.components.find((entry) => entry.type === 'operating-system');
    expect(os).toMatchObject({ name: 'debian', version: '12' });
    const edges = new Map((bom.dependencies ?? []).map((entry) => [entry.ref, [...(entry.dependsOn ?? [])].sort()]));
    expect(edges.get(os?.['bom-ref'] ?? '')).toEqual([component('bash')?.['bom-ref'], component('liblzma5')?.['bom-ref']].sort());
    expect(edges.get(bom.metadata.component?.['bom-ref'] ?? '')).toEqual(
      [os?.['bom-ref'], component('setuptools')?.['bom-ref'], component(HOSTILE_NAME)?.['bom-ref']].sort(),
    );
    expect(component('liblzma5')?.properties).toEqual(
      expect.arrayContaining([
        { name: CDX_PROPERTY.layer, value: LAYER_DPKG },
        { name: CDX_PROPERTY.location, value: '/var/lib/dpkg/status:1548' },
        { name: CDX_PROPERTY.sourceName, value: 'xz-utils' },
      ]),
    );
  });

  it("keeps Debian's classification on the vulnerability", () => {
    const xz = bom.vulnerabilities.find((entry) => entry.id === 'TEST-DEB-XZ');
    expect(xz?.properties).toEqual(
      expect.arrayContaining([
        { name: CDX_PROPERTY.urgency, value: 'low' },
        { name: CDX_PROPERTY.noDsa, value: 'minor issue' },
        { name: CDX_PROPERTY.unfixed, value: 'false' },
      ]),
    );
  });

  it('a root file system of one release has that OS as metadata.component', () => {
    const strip = <T extends { location: ReportPackage['location'] }>(item: T): T => ({ ...item, location: { file: item.location.file, ...(item.location.line === undefined ? {} : { line: item.location.line }) } });
    const rootfs = { ...report, images: [], skipped: [], packages: report.packages.filter((pkg) => pkg.distro !== undefined).map(strip), findings: report.findings.map((f) => ({ ...f, package: strip(f.package) })) };
    const out = JSON.parse(renderCyclonedx(rootfs)) as typeof bom;
    expect(out.metadata.component).toMatchObject({ type: 'operating-system', name: 'debian', version: '12' });
  });
});

describe('componentPurl', () => {
  const base = { name: 'liblzma5', version: '5.4.1-0.2', purl: 'pkg:deb/debian/liblzma5@5.4.1-0.2?arch=amd64&distro=debian-12' };
  const distro = { release: 'Debian:12', sourceName: 'xz-utils', sourceVersion: '5.4.1-0.2' };
  const cases: { name: string; input: Parameters<typeof componentPurl>[0]; want: string }[] = [
    { name: 'no distro: unchanged', input: base, want: base.purl },
    { name: 'same source name and version: unchanged', input: { ...base, distro: { ...distro, sourceName: 'liblzma5' } }, want: base.purl },
    { name: 'another source name: upstream sorted last', input: { ...base, distro }, want: `${base.purl}&upstream=xz-utils` },
    {
      name: 'without qualifiers',
      input: { ...base, purl: 'pkg:deb/debian/liblzma5@5.4.1-0.2', distro },
      want: 'pkg:deb/debian/liblzma5@5.4.1-0.2?upstream=xz-utils',
    },
    { name: 'not a deb purl: unchanged', input: { ...base, purl: 'pkg:pypi/x@1', distro }, want: 'pkg:pypi/x@1' },
  ];
  it.each(cases)('$name', ({ input, want }) => {
    expect(componentPurl(input)).toBe(want);
  });

  it('reads back with packageurl-js as the binary, with its source package in `upstream`', () => {
    const parsed = PackageURL.fromString(componentPurl({ ...PACKAGES.bash, distro: PACKAGES.bash.distro }));
    expect({ type: parsed.type, namespace: parsed.namespace, name: parsed.name, version: parsed.version }).toEqual({ type: 'deb', namespace: 'debian', name: 'bash', version: '5.2.15-2+b7' });
    expect({ ...parsed.qualifiers }).toEqual({ arch: 'amd64', distro: 'debian-12', upstream: 'bash@5.2.15-2' });
  });
});
