import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { pack } from 'tar-stream';
import { LockfileParseError } from '../../../src/core/errors.js';
import { TreePathError } from '../../../src/inventory/targets/file-tree.js';
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
    read.push({ digest: `sha256:${String(index)}`, changes: await readLayer(once(gzip ? gzipSync(bytes) : bytes), () => true, budget, { image: 'test.tar', part: `layer ${index + 1}` }) });
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
    const error = await readLayer(once(gzipSync(Buffer.from('not a tar at all'.repeat(100)))), () => true, newBudget('img.tar'), { image: 'img.tar', part: 'layer 2' }).catch((caught: unknown) => caught);
    expect((error as LockfileParseError).format()).toMatch(/^img\.tar: layer 2 is not readable as a tar archive \([^\n]+\)$/);
  });
});

/** Reads the layers with only some paths wanted, as an audit does; then reads `file` from the merged view. */
async function readThrough(layers: readonly (readonly Entry[])[], wanted: (relativePath: string) => boolean, file: string): Promise<string> {
  const budget = newBudget('test.tar');
  const read = [];
  for (const [index, entries] of layers.entries()) {
    read.push({ digest: `sha256:${String(index)}`, changes: await readLayer(once(await layerTar(entries)), wanted, budget, { image: 'test.tar', part: `layer ${index + 1}` }) });
  }
  const tree = mergeLayers('test.tar', read);
  try {
    const found = await tree.read(file);
    return found === undefined ? 'nothing' : `${found.bytes.toString('utf8')}@${found.layer ?? ''}`;
  } catch (error) {
    if (error instanceof TreePathError) return `error: ${error.message}`;
    throw error;
  }
}

// An audit keeps only the files it parses (package.json, os-release...) and every link; of the
// image's other entries it keeps a hash of the path. What a hashed entry may hide is refused, not
// guessed: reading through it is a skipped entry.
describe('applying layers of which only some paths are kept', () => {
  const wanted = (relativePath: string): boolean => /(^|\/)(package\.json|os-release)$/.test(relativePath);
  const pkg = { name: 'app/node_modules/a/package.json', text: '{"name": "a"}' };
  it.each([
    { name: 'folders and other files written above do not touch a kept file', layers: [[pkg], [{ name: 'app', type: 'directory' }, { name: 'app/node_modules', type: 'directory' }, { name: 'app/node_modules/b/index.js', text: 'x' }]], file: pkg.name, want: '{"name": "a"}@sha256:0' },
    { name: 'a kept file rewritten above is the upper one', layers: [[pkg], [{ ...pkg, text: '{"name": "a2"}' }]], file: pkg.name, want: '{"name": "a2"}@sha256:1' },
    { name: 'a link above in place of the kept file\'s folder hides it', layers: [[pkg], [{ name: 'app/node_modules/a', type: 'symlink', linkname: '/nowhere' }]], file: pkg.name, want: 'nothing' },
    { name: 'a folder above in place of a kept file hides it', layers: [[pkg], [{ name: pkg.name, type: 'directory' }]], file: pkg.name, want: 'nothing' },
    { name: 'a whiteout of a folder above the kept file hides it', layers: [[pkg], [{ name: 'app/.wh.node_modules' }]], file: pkg.name, want: 'nothing' },
    { name: 'a link on the way is followed to a kept file', layers: [[{ name: 'usr/lib/os-release', text: 'ID=debian' }, { name: 'lib', type: 'symlink', linkname: 'usr/lib' }, { name: 'etc/os-release', type: 'symlink', linkname: '/lib/os-release' }]], file: 'etc/os-release', want: 'ID=debian@sha256:0' },
    {
      name: 'a file vigil does not keep, written above in place of a link on the way: refused',
      layers: [[{ name: 'usr/lib/os-release', text: 'ID=debian' }, { name: 'lib', type: 'symlink', linkname: 'usr/lib' }, { name: 'etc/os-release', type: 'symlink', linkname: '/lib/os-release' }], [{ name: 'lib', text: 'now a file' }]],
      file: 'etc/os-release',
      want: 'error: layer sha256:1 may replace /lib on the way, and vigil keeps only a hash of what that layer writes there',
    },
    {
      name: 'a file vigil does not keep, written above in place of the kept file\'s folder: refused',
      layers: [[pkg], [{ name: 'app/node_modules/a', text: 'now a file' }]],
      file: pkg.name,
      want: `error: layer sha256:1 may replace /${pkg.name} on the way, and vigil keeps only a hash of what that layer writes there`,
    },
    {
      name: 'the same, then the folder written again above: the new file is read',
      layers: [[pkg], [{ name: 'app/node_modules/a', text: 'now a file' }], [{ ...pkg, text: '{"name": "a3"}' }]],
      file: pkg.name,
      want: '{"name": "a3"}@sha256:2',
    },
  ] as { name: string; layers: Entry[][]; file: string; want: string }[])('$name', async ({ layers, file, want }) => {
    expect(await readThrough(layers, wanted, file)).toBe(want);
  });

  it('keeps the content of the wanted files only, and 8 bytes a path of the others', async () => {
    const entries: Entry[] = [pkg, { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' }, { name: 'usr', type: 'directory' }];
    for (let n = 0; n < 1000; n++) entries.push({ name: `usr/share/doc/f${n}`, text: 'doc' });
    const changes = await readLayer(once(await layerTar(entries)), wanted, newBudget('test.tar'), { image: 'test.tar', part: 'layer 1' });
    expect([...changes.files.keys()]).toEqual([pkg.name]);
    expect([...changes.links]).toEqual([['etc/os-release', '../usr/lib/os-release']]);
    expect(changes.folders.size).toBe(1);
    expect(changes.others.size).toBe(1000);
  });
});
