import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { pack } from 'tar-stream';
import { newBudget, readLayer } from '../../../src/inventory/targets/layers.js';
import { mergeLayers } from '../../../src/inventory/targets/merged-layers.js';

type Entry = { name: string; type?: 'file' | 'directory' | 'symlink' | 'link'; text?: string; linkname?: string };

/** A layer tar built in memory. */
async function layerTar(entries: readonly Entry[]): Promise<Buffer> {
  const tar = pack();
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    if (type === 'file') tar.entry({ name: entry.name, type }, entry.text ?? '');
    else tar.entry({ name: entry.name, type, ...(entry.linkname === undefined ? {} : { linkname: entry.linkname }) });
  }
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function once(bytes: Buffer): AsyncIterable<Buffer> {
  return Readable.from([bytes]);
}

/** The visible files (every path is wanted) and their texts after applying the layers bottom first. */
async function merged(layers: readonly (readonly Entry[])[], gzip = false): Promise<Record<string, string>> {
  const budget = newBudget('test.tar');
  const read = [];
  for (const [index, entries] of layers.entries()) {
    const bytes = await layerTar(entries);
    read.push({ digest: `sha256:${String(index)}`, changes: await readLayer(once(gzip ? gzipSync(bytes) : bytes), () => true, budget, `layer ${index + 1}`) });
  }
  const tree = mergeLayers('test.tar', read);
  const out: Record<string, string> = {};
  for (const file of await tree.list({ wanted: () => true, enter: () => true })) {
    const found = await tree.read(file);
    if (found !== undefined) out[file] = `${found.bytes.toString('utf8')}@${found.layer ?? ''}`;
  }
  return out;
}

// Cases follow the OCI image-spec layer.md, "Whiteouts" and "Opaque Whiteout".
describe('applying layers (OCI image-spec layer.md)', () => {
  it.each([
    {
      name: 'a whiteout deletes the lower file',
      layers: [[{ name: 'etc/a', text: 'a' }, { name: 'etc/b', text: 'b' }], [{ name: 'etc/.wh.a' }]],
      want: { 'etc/b': 'b@sha256:0' },
    },
    {
      name: 'a whiteout of a folder deletes all below it',
      layers: [[{ name: 'a/b/c/bar', text: 'bar' }, { name: 'a/keep', text: 'k' }], [{ name: 'a/.wh.b' }]],
      want: { 'a/keep': 'k@sha256:0' },
    },
    {
      name: 'an opaque folder hides the lower content, not its own (whichever comes first in the tar)',
      layers: [[{ name: 'a/b/c/bar', text: 'bar' }], [{ name: 'a/b/c/foo', text: 'foo' }, { name: 'a/.wh..wh..opq' }]],
      want: { 'a/b/c/foo': 'foo@sha256:1' },
    },
    {
      name: 'a whiteout applies to lower layers only, not to a file of its own layer',
      layers: [[{ name: 'x', text: 'old' }], [{ name: 'x', text: 'new' }, { name: '.wh.x' }]],
      want: { x: 'new@sha256:1' },
    },
    {
      name: 'an upper file replaces the lower one and is found in its own layer',
      layers: [[{ name: 'sample.txt', text: 'one' }], [{ name: 'sample.txt', text: 'two' }]],
      want: { 'sample.txt': 'two@sha256:1' },
    },
    {
      name: 'a file in place of a lower folder hides the folder',
      layers: [[{ name: 'pkg/package.json', text: '{}' }], [{ name: 'pkg', text: 'now a file' }]],
      want: { pkg: 'now a file@sha256:1' },
    },
    {
      name: 'a link is read through to its target, in the target\'s layer',
      layers: [[{ name: 'usr/lib/os-release', text: 'ID=debian' }], [{ name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' }]],
      want: { 'etc/os-release': 'ID=debian@sha256:0', 'usr/lib/os-release': 'ID=debian@sha256:0' },
    },
    {
      name: 'a folder link on the way (merged /usr)',
      layers: [[{ name: 'lib', type: 'symlink', linkname: 'usr/lib' }, { name: 'usr/lib/x/METADATA', text: 'm' }, { name: 'y', type: 'symlink', linkname: '/lib/x/METADATA' }]],
      want: { 'usr/lib/x/METADATA': 'm@sha256:0', y: 'm@sha256:0' },
    },
    {
      name: 'a hard link has its target\'s content',
      layers: [[{ name: 'a', text: 'same' }, { name: 'b', type: 'link', linkname: 'a' }]],
      want: { a: 'same@sha256:0', b: 'same@sha256:0' },
    },
  ] as { name: string; layers: Entry[][]; want: Record<string, string> }[])('$name', async ({ layers, want }) => {
    expect(await merged(layers)).toEqual(want);
    expect(await merged(layers, true)).toEqual(want);
  });

  it('a layer that is not tar is an input error naming the image and layer', async () => {
    const error = await readLayer(once(gzipSync(Buffer.from('not a tar at all'.repeat(100)))), () => true, newBudget('img.tar'), 'layer 2').catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/^layer 2 is not a readable tar archive/);
  });
});
