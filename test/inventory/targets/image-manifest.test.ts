import { describe, expect, it } from 'vitest';
import { imageLayers, readImageManifest } from '../../../src/inventory/targets/image.js';

const hex = (char: string): string => char.repeat(64);
const manifest = (layer: string): object => ({ schemaVersion: 2, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${hex(layer)}` }] });

/** A JSON reader over an in-memory layout: path -> document. */
const reader = (documents: Record<string, unknown>) => (relativePath: string): Promise<unknown> => Promise.resolve(documents[relativePath]);

// Layouts as https://github.com/opencontainers/image-spec/blob/main/image-layout.md and
// image-index.md describe them; BuildKit's attestation manifests as docker buildx writes them.
describe('which image an OCI layout or docker save archive holds', () => {
  it.each([
    {
      name: 'one manifest in index.json',
      documents: { 'index.json': { manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${hex('a')}` }] }, [`blobs/sha256/${hex('a')}`]: manifest('1') },
      want: [`sha256:${hex('1')}`],
    },
    {
      name: 'a nested image index with the image and its build attestation',
      documents: {
        'index.json': { manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest: `sha256:${hex('i')}` }] },
        [`blobs/sha256/${hex('i')}`]: {
          manifests: [
            { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${hex('a')}`, platform: { os: 'linux', architecture: 'amd64' } },
            { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${hex('b')}`, platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } },
          ],
        },
        [`blobs/sha256/${hex('a')}`]: manifest('2'),
      },
      want: [`sha256:${hex('2')}`],
    },
    {
      name: 'docker save: diff ids from the configuration, in the manifest order',
      documents: {
        'manifest.json': [{ Config: 'c.json', Layers: ['x/layer.tar', 'y/layer.tar'] }],
        'c.json': { rootfs: { type: 'layers', diff_ids: [`sha256:${hex('d')}`, `sha256:${hex('e')}`] } },
      },
      want: [`sha256:${hex('d')}`, `sha256:${hex('e')}`],
    },
  ])('$name', async ({ documents, want }) => {
    expect((await imageLayers('img', reader(documents))).map((layer) => layer.digest)).toEqual(want);
  });

  it.each([
    {
      name: 'two platforms',
      documents: {
        'index.json': {
          manifests: [
            { digest: `sha256:${hex('a')}`, platform: { os: 'linux', architecture: 'amd64' } },
            { digest: `sha256:${hex('b')}`, platform: { os: 'linux', architecture: 'arm64' } },
          ],
        },
      },
      error: /^index\.json lists 2 images \(linux\/amd64, linux\/arm64\); vigil audits one image$/,
    },
    { name: 'two images in one docker save', documents: { 'manifest.json': [{ RepoTags: ['a:1'], Layers: [] }, { RepoTags: ['b:1'], Layers: [] }] }, error: /holds 2 images \(a:1, b:1\)/ },
    { name: 'a digest that is no digest', documents: { 'index.json': { manifests: [{ digest: '../../etc/passwd' }] } }, error: /invalid digest/ },
    { name: 'a missing manifest blob', documents: { 'index.json': { manifests: [{ digest: `sha256:${hex('a')}` }] } }, error: /manifest sha256:a+ is missing/ },
  ])('refuses $name', async ({ documents, error }) => {
    await expect(imageLayers('img', reader(documents))).rejects.toThrow(error);
  });
});

describe('what identifies the image', () => {
  const layer = `sha256:${hex('d')}`;
  const config = { rootfs: { type: 'layers', diff_ids: [layer] } };
  it.each([
    {
      name: 'docker save before Docker 25: RepoTags, the image id from <hex>.json',
      documents: { 'manifest.json': [{ Config: `${hex('c')}.json`, RepoTags: ['reg.example:5000/team/app:1.2', 'app:latest'], Layers: ['x/layer.tar'] }], [`${hex('c')}.json`]: config },
      want: { format: 'docker-save', references: ['reg.example:5000/team/app:1.2', 'app:latest'], repository: 'reg.example:5000/team/app', tag: '1.2', digest: `sha256:${hex('c')}`, digestOf: 'config' },
    },
    {
      name: 'docker save since Docker 25: the image id from blobs/sha256/<hex>',
      documents: { 'manifest.json': [{ Config: `blobs/sha256/${hex('c')}`, RepoTags: ['app:1'], Layers: [`blobs/sha256/${hex('e')}`] }], [`blobs/sha256/${hex('c')}`]: config },
      want: { format: 'docker-save', references: ['app:1'], repository: 'app', tag: '1', digest: `sha256:${hex('c')}`, digestOf: 'config' },
    },
    {
      name: 'docker save of an image id alone (no RepoTags), a Config that names no digest',
      documents: { 'manifest.json': [{ Config: 'c.json', Layers: ['x/layer.tar'] }], 'c.json': config },
      want: { format: 'docker-save', references: [] },
    },
    {
      name: 'OCI layout: containerd name and ref.name tag, the manifest digest',
      documents: {
        'index.json': { manifests: [{ digest: `sha256:${hex('a')}`, annotations: { 'io.containerd.image.name': 'docker.io/library/debian:12', 'org.opencontainers.image.ref.name': '12' } }] },
        [`blobs/sha256/${hex('a')}`]: manifest('1'),
      },
      want: { format: 'oci-layout', references: ['docker.io/library/debian:12', '12'], repository: 'docker.io/library/debian', tag: '12', digest: `sha256:${hex('a')}`, digestOf: 'manifest' },
    },
    {
      name: 'OCI layout: a ref.name tag alone',
      documents: { 'index.json': { manifests: [{ digest: `sha256:${hex('a')}`, annotations: { 'org.opencontainers.image.ref.name': '1' } }] }, [`blobs/sha256/${hex('a')}`]: manifest('1') },
      want: { format: 'oci-layout', references: ['1'], tag: '1', digest: `sha256:${hex('a')}`, digestOf: 'manifest' },
    },
    {
      name: 'OCI layout: names from the outer index, the digest of the platform manifest read below it',
      documents: {
        'index.json': { manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest: `sha256:${hex('i')}`, annotations: { 'org.opencontainers.image.ref.name': 'ghcr.io/o/app:v2' } }] },
        [`blobs/sha256/${hex('i')}`]: { manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${hex('a')}`, platform: { os: 'linux', architecture: 'amd64' } }] },
        [`blobs/sha256/${hex('a')}`]: manifest('2'),
      },
      want: { format: 'oci-layout', references: ['ghcr.io/o/app:v2'], repository: 'ghcr.io/o/app', tag: 'v2', digest: `sha256:${hex('a')}`, digestOf: 'manifest' },
    },
    {
      name: 'hostile names: shown visibly, not parsed',
      documents: { 'manifest.json': [{ Config: `${hex('c')}.json`, RepoTags: ['app:1\u001b[2J\n::error::x', 7], Layers: ['x/layer.tar'] }], [`${hex('c')}.json`]: config },
      want: { format: 'docker-save', references: ['app:1\\x1b[2J\\n::error::x'], digest: `sha256:${hex('c')}`, digestOf: 'config' },
    },
  ])('$name', async ({ documents, want }) => {
    expect((await readImageManifest('img', reader(documents))).identity).toEqual(want);
  });
});
