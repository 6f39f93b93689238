// The audited image's own name and digest in every report (#13, item 6), over the hand-written
// image scenario (image-scenario.ts: the names and digests of the shared vigil-debian12-small
// image) and hand-written OCI identities. Expected purls are written from the purl-spec's oci type
// (types/oci-definition.json): name the repository's last segment lowercased, version the digest.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Validation } from '@cyclonedx/cyclonedx-library';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Log } from 'sarif';
import { describe, expect, it } from 'vitest';
import type { AuditedImage } from '../../src/core/types.js';
import { CDX_PROPERTY, CYCLONEDX_VERSION, renderCyclonedx } from '../../src/report/cyclonedx/render-cyclonedx.js';
import { renderHtml } from '../../src/report/html/render-html.js';
import { imageName, imagePurl } from '../../src/report/image-identity.js';
import { renderJson } from '../../src/report/json/render-json.js';
import { renderSarif } from '../../src/report/sarif/render-sarif.js';
import { repoRoot } from '../helpers/shared-data.js';
import { SCENARIO_IMAGE, buildImageReport } from './image-scenario.js';

const MANIFEST = 'f29a59495f47ccf1fba00fe139a3b8480b4fe45e60016f49bd3f1b337904d2b1';

/** An OCI layout that names a registry repository (as containerd's export writes it). */
const OCI_IMAGE: AuditedImage = {
  path: 'layout',
  format: 'oci-layout',
  references: ['Registry.Example:5000/Team/Debian12-Small:1', 'registry.example:5000/team/debian12-small:1'],
  repository: 'registry.example:5000/team/debian12-small',
  tag: '1',
  digest: `sha256:${MANIFEST}`,
  digestOf: 'manifest',
  layers: SCENARIO_IMAGE.layers,
};

/** The shared OCI layout: its ref.name is the tag alone. */
const TAG_ONLY: AuditedImage = { path: 'layout', format: 'oci-layout', references: ['1'], tag: '1', digest: `sha256:${MANIFEST}`, digestOf: 'manifest', layers: SCENARIO_IMAGE.layers };

/** A name as a hostile image could write it (the inventory would already have made it visible). */
const HOSTILE: AuditedImage = { path: 'evil.tar', format: 'docker-save', references: ['<script>alert(1)</script>\u001b[2J'], layers: [] };

describe('imagePurl and imageName', () => {
  it.each([
    {
      name: 'OCI layout with a registry repository: name lowercased last segment, version the manifest digest',
      image: OCI_IMAGE,
      purl: `pkg:oci/debian12-small@sha256:${MANIFEST}?repository_url=registry.example%3A5000%2Fteam%2Fdebian12-small&tag=1`,
      title: 'registry.example:5000/team/debian12-small:1',
    },
    { name: 'OCI layout with a tag alone: no repository, no purl', image: TAG_ONLY, purl: undefined, title: '(unnamed):1' },
    { name: 'docker save: an image id is no manifest digest, no purl', image: SCENARIO_IMAGE, purl: undefined, title: 'vigil-test/debian12-small:1' },
    { name: 'an image that names nothing valid', image: HOSTILE, purl: undefined, title: '<script>alert(1)</script>\u001b[2J' },
  ])('$name', ({ image, purl, title }) => {
    expect(imagePurl(image)).toBe(purl);
    expect(imageName(image)).toBe(title);
  });
});

interface Bom {
  metadata: { component?: { type: string; name: string; version?: string; purl?: string; hashes?: { alg: string; content: string }[]; properties?: { name: string; value: string }[] } };
  components: { type: string; name: string; 'bom-ref': string }[];
}

describe('CycloneDX metadata.component', () => {
  it.each([
    {
      name: 'the scenario docker save image: named by repository and tag, its image id a property, no purl, no hash',
      images: [SCENARIO_IMAGE],
      want: { type: 'container', name: 'vigil-test/debian12-small', version: '1' },
      purl: undefined,
      hashes: undefined,
      properties: [
        { name: CDX_PROPERTY.imageReference, value: 'vigil-test/debian12-small:1' },
        { name: CDX_PROPERTY.imageId, value: SCENARIO_IMAGE.digest },
      ],
    },
    {
      name: 'an OCI image of a registry: the pkg:oci purl, the manifest digest as SHA-256 hash and property',
      images: [OCI_IMAGE],
      want: { type: 'container', name: 'registry.example:5000/team/debian12-small', version: '1' },
      purl: `pkg:oci/debian12-small@sha256:${MANIFEST}?repository_url=registry.example%3A5000%2Fteam%2Fdebian12-small&tag=1`,
      hashes: [{ alg: 'SHA-256', content: MANIFEST }],
      properties: [{ name: CDX_PROPERTY.imageManifestDigest, value: `sha256:${MANIFEST}` }],
    },
    {
      name: 'an OCI image with a tag alone: anonymous name, the tag as version',
      images: [TAG_ONLY],
      want: { type: 'container', name: 'container image', version: '1' },
      purl: undefined,
      hashes: [{ alg: 'SHA-256', content: MANIFEST }],
      properties: [{ name: CDX_PROPERTY.imageReference, value: '1' }],
    },
    {
      name: 'no image recorded: the anonymous container, as before',
      images: [],
      want: { type: 'container', name: 'container image' },
      purl: undefined,
      hashes: undefined,
      properties: [],
    },
  ] as { name: string; images: AuditedImage[]; want: object; purl?: string; hashes?: { alg: string; content: string }[]; properties: { name: string; value: string | undefined }[] }[])(
    '$name, valid against the CycloneDX 1.6 schema',
    async ({ images, want, purl, hashes, properties }) => {
    const text = renderCyclonedx(buildImageReport(images));
    expect(await new Validation.JsonStrictValidator(CYCLONEDX_VERSION).validate(text)).toBeNull();
    const component = (JSON.parse(text) as Bom).metadata.component;
    expect(component).toMatchObject(want);
    if (!('version' in want)) expect(component?.version).toBeUndefined();
    expect(component?.purl).toBe(purl);
    expect(component?.hashes).toEqual(hashes);
    expect(component?.properties).toEqual(expect.arrayContaining(properties));
    // The layers that hold packages stay on it.
    expect(component?.properties?.filter((property) => property.name === CDX_PROPERTY.layer)).toHaveLength(3);
    },
  );

  it('two images: each its own container component beside the anonymous whole', async () => {
    const text = renderCyclonedx(buildImageReport([SCENARIO_IMAGE, OCI_IMAGE]));
    expect(await new Validation.JsonStrictValidator(CYCLONEDX_VERSION).validate(text)).toBeNull();
    const bom = JSON.parse(text) as Bom;
    expect(bom.metadata.component?.name).toBe('container image');
    expect(bom.components.filter((component) => component.type === 'container').map((component) => [component.name, component['bom-ref']])).toEqual([
      ['vigil-test/debian12-small', 'vigil:image:1'],
      ['registry.example:5000/team/debian12-small', 'vigil:image:2'],
    ]);
  });

  it('a hostile name stays one JSON string and the BOM still validates', async () => {
    const text = renderCyclonedx(buildImageReport([HOSTILE]));
    expect(await new Validation.JsonStrictValidator(CYCLONEDX_VERSION).validate(text)).toBeNull();
    expect(text).not.toContain('\u001b');
    expect((JSON.parse(text) as Bom).metadata.component?.properties).toContainEqual({ name: CDX_PROPERTY.imageReference, value: HOSTILE.references[0] });
  });
});

describe('JSON report', () => {
  const ajv = new Ajv2020.default({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(path.join(repoRoot, 'docs', 'audit-report.schema.json'), 'utf8')) as object);

  it('carries the images (schema 1.7.0), valid against docs/audit-report.schema.json', () => {
    const document = JSON.parse(renderJson(buildImageReport([SCENARIO_IMAGE, OCI_IMAGE]))) as { schemaVersion: string; images: unknown };
    expect(document.schemaVersion).toBe('1.7.0');
    expect(document.images).toEqual([SCENARIO_IMAGE, OCI_IMAGE]);
    expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
  });

  it('has no images field when none was audited', () => {
    expect(JSON.parse(renderJson(buildImageReport([])))).not.toHaveProperty('images');
  });

  it.each([
    { name: 'a digest without what it is the digest of', image: { ...TAG_ONLY, digestOf: undefined } },
    { name: 'an unknown format', image: { ...TAG_ONLY, format: 'podman' } },
    { name: 'a tag that no reference allows', image: { ...TAG_ONLY, tag: 'a b' } },
    { name: 'a name longer than the bound', image: { ...TAG_ONLY, references: ['x'.repeat(400)] } },
  ])('the schema refuses $name', ({ image }) => {
    const document = JSON.parse(renderJson(buildImageReport())) as { images: unknown[] };
    document.images = [JSON.parse(JSON.stringify(image)) as unknown];
    expect(validate(document)).toBe(false);
  });
});

describe('SARIF run properties', () => {
  it('name the image: references, repository, tag, digest and, from a manifest digest, the purl', () => {
    const run = (JSON.parse(renderSarif(buildImageReport([SCENARIO_IMAGE, OCI_IMAGE]))) as Log).runs[0];
    expect(run?.properties?.['images']).toEqual([
      { references: ['vigil-test/debian12-small:1'], repository: 'vigil-test/debian12-small', tag: '1', digest: SCENARIO_IMAGE.digest, digestOf: 'config' },
      {
        references: OCI_IMAGE.references,
        repository: 'registry.example:5000/team/debian12-small',
        tag: '1',
        digest: `sha256:${MANIFEST}`,
        digestOf: 'manifest',
        purl: `pkg:oci/debian12-small@sha256:${MANIFEST}?repository_url=registry.example%3A5000%2Fteam%2Fdebian12-small&tag=1`,
      },
    ]);
  });
});

describe('HTML header', () => {
  it.each([
    { name: 'the docker save image', image: SCENARIO_IMAGE, want: `<p class="meta image">image <span class="tok">vigil-test/debian12-small:1</span> · image id <span class="tok">${SCENARIO_IMAGE.digest}</span> · 6 layers</p>` },
    { name: 'an OCI image with a tag alone', image: TAG_ONLY, want: `<p class="meta image">image <span class="tok">(unnamed):1</span> · manifest <span class="tok">sha256:${MANIFEST}</span> · 6 layers</p>` },
    {
      name: 'a hostile name, escaped',
      image: HOSTILE,
      want: '<p class="meta image">image <span class="tok">&lt;script&gt;alert(1)&lt;/script&gt;\\x1b[2J</span> · no digest recorded · 0 layers</p>',
    },
  ])('names $name', ({ image, want }) => {
    const html = renderHtml(buildImageReport([image]));
    const header = html.slice(html.indexOf('<header>'), html.indexOf('</header>'));
    expect(header).toContain(want);
    expect(header).not.toContain('<script>');
    expect(header).not.toContain('\u001b');
  });
});
