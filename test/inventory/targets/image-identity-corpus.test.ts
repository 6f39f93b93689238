// The real vigil-debian12-small image of the shared corpus (docker save archive and OCI layout):
// the names and digests the inventory records are checked against the image's own manifest.json
// and index.json, read here with tar-stream and JSON.parse, apart from vigil's reader.
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { extract } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { buildInventory } from '../../../src/inventory/build-inventory.js';
import { shared } from '../../helpers/shared-data.js';

const imageDir = (): string => shared('corpus', 'images', 'vigil-debian12-small');

interface SavedImage {
  readonly manifest: { Config: string; RepoTags: string[]; Layers: string[] }[];
  readonly configSha256: string;
  readonly diffIds: string[];
}

async function readSaved(file: string): Promise<SavedImage> {
  const documents = new Map<string, Buffer>();
  const tar = extract();
  createReadStream(file).pipe(tar);
  for await (const entry of tar) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry as AsyncIterable<Buffer>) if (entry.header.name.endsWith('.json')) chunks.push(chunk);
    if (chunks.length > 0) documents.set(entry.header.name, Buffer.concat(chunks));
  }
  const manifest = JSON.parse(documents.get('manifest.json')?.toString('utf8') ?? 'null') as SavedImage['manifest'];
  const config = documents.get(manifest[0]?.Config ?? '') ?? Buffer.alloc(0);
  return {
    manifest,
    configSha256: createHash('sha256').update(config).digest('hex'),
    diffIds: (JSON.parse(config.toString('utf8')) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids,
  };
}

describe('the identity of the real vigil-debian12-small image', () => {
  it('docker save: the RepoTags of its one entry and its image id, the hash of its configuration', async () => {
    const file = path.join(imageDir(), 'image.docker-save.tar');
    const saved = await readSaved(file);
    expect(saved.manifest).toHaveLength(1);
    const tags = saved.manifest[0]?.RepoTags ?? [];
    expect(tags).toEqual(['vigil-test/debian12-small:1']);
    const inventory = await buildInventory({ paths: [file], root: imageDir() });
    const [image, ...more] = inventory.images ?? [];
    expect(more).toEqual([]);
    expect(image).toEqual({
      path: file,
      format: 'docker-save',
      references: tags,
      repository: 'vigil-test/debian12-small',
      tag: '1',
      // The image id is the sha256 of the configuration's bytes, which also names its file.
      digest: `sha256:${saved.configSha256}`,
      digestOf: 'config',
      layers: saved.diffIds,
    });
    expect(saved.manifest[0]?.Config).toBe(`${saved.configSha256}.json`);
  });

  it('OCI layout: the ref.name annotation (a tag) and the digest of its manifest, the hash of the manifest blob', async () => {
    const layout = path.join(imageDir(), 'oci-layout');
    const index = JSON.parse(readFileSync(path.join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
    expect(index.manifests).toHaveLength(1);
    const descriptor = index.manifests[0];
    const blob = readFileSync(path.join(layout, 'blobs', 'sha256', (descriptor?.digest ?? '').replace(/^sha256:/, '')));
    const manifestDigest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
    expect(descriptor?.digest).toBe(manifestDigest);
    const refName = descriptor?.annotations?.['org.opencontainers.image.ref.name'];
    expect(refName).toBe('1');
    expect(descriptor?.annotations?.['io.containerd.image.name']).toBeUndefined();
    const layers = (JSON.parse(blob.toString('utf8')) as { layers: { digest: string }[] }).layers.map((layer) => layer.digest);
    const inventory = await buildInventory({ paths: [layout], root: imageDir() });
    expect(inventory.images).toEqual([{ path: layout, format: 'oci-layout', references: [refName], tag: '1', digest: manifestDigest, digestOf: 'manifest', layers }]);
  });
});
