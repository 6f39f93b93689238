import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT_FOR_ERROR } from '../../../src/cli/exit-codes.js';
import { LockfileParseError } from '../../../src/core/errors.js';
import { TreePathError } from '../../../src/inventory/targets/file-tree.js';
import { imageLayers, readImageArchive, readOciLayout } from '../../../src/inventory/targets/image.js';
import { IMAGE_LIMITS, MAX_IMAGE_INDEX_NESTING, MAX_IMAGE_LAYERS, MAX_IMAGE_PATH_LENGTH, type ImageLimits } from '../../../src/inventory/targets/limits.js';

// Each bound on reading an image, reached: the image is refused with one line naming it and the
// layer (an input error, exit 2), or, for a link chain, the one file is a skipped entry. The
// large limits (2,000,000 entries, 64 GiB) are reached with the same code through smaller
// ImageLimits; the ones cheap to reach (PATH_MAX, 40 links, 1,000 layers, 4 nested indexes) at
// their real value.

type Entry = { name: string; type?: 'file' | 'directory' | 'symlink'; text?: string | Buffer; linkname?: string };

async function tarOf(entries: readonly Entry[]): Promise<Buffer> {
  const tar = pack();
  for (const entry of entries) {
    if ((entry.type ?? 'file') === 'file') tar.entry({ name: entry.name }, entry.text ?? '');
    else tar.entry({ name: entry.name, type: entry.type ?? 'file', ...(entry.linkname === undefined ? {} : { linkname: entry.linkname }) });
  }
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-image-limits-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** A docker save archive of these layers (bottom first), each stored as `<n>/layer.tar`. */
async function dockerSave(name: string, layers: readonly Buffer[]): Promise<string> {
  const names = layers.map((_, index) => `${String(index + 1)}/layer.tar`);
  const config = JSON.stringify({ rootfs: { type: 'layers', diff_ids: layers.map((layer) => `sha256:${sha256(layer)}`) } });
  const archive = await tarOf([
    ...layers.map((layer, index) => ({ name: names[index] ?? '', text: layer })),
    { name: 'config.json', text: config },
    { name: 'manifest.json', text: JSON.stringify([{ Config: 'config.json', RepoTags: ['limits:1'], Layers: names }]) },
  ]);
  const file = path.join(work, name);
  writeFileSync(file, archive);
  return file;
}

const wanted = (relativePath: string): boolean => relativePath.endsWith('package.json');
const limits = (smaller: Partial<ImageLimits>): ImageLimits => ({ ...IMAGE_LIMITS, ...smaller });
const files = (count: number, prefix = 'opt/f'): Entry[] => Array.from({ length: count }, (_, n) => ({ name: `${prefix}${String(n)}`, text: 'x' }));
const pkg = (name: string, bytes: number): Entry => ({ name: `app/node_modules/${name}/package.json`, text: `{"name": "${name}", "pad": "${'x'.repeat(Math.max(0, bytes - 28 - name.length))}"}` });

describe('each bound on reading an image is reached with one line naming the image and the layer', () => {
  it.each([
    {
      name: 'entries, over all layers',
      layers: async () => [await tarOf(files(6)), await tarOf(files(6, 'opt/g'))],
      limits: { entries: 12 },
      // The first blob and its 6 entries, the second blob: the second layer's 5th entry is the 13th.
      error: /^img\.tar: layer 2\/layer\.tar brings the image past 12 entries, the limit$/,
    },
    { name: 'the size of one file to parse', layers: async () => [await tarOf([pkg('big', 2048)])], limits: { fileBytes: 1024 }, error: /^img\.tar: layer 1\/layer\.tar holds \/app\/node_modules\/big\/package\.json, larger than the 1 KiB limit for a dependency file$/ },
    { name: 'what is kept, over all layers', layers: async () => [await tarOf([pkg('a', 700)]), await tarOf([pkg('b', 700)])], limits: { keptBytes: 1024 }, error: /^img\.tar: layer 2\/layer\.tar brings what vigil keeps of the image \(files to parse, manifests, links, whiteouts\) past 1 KiB, the limit$/ },
    {
      name: 'what is kept: links count too',
      layers: async () => [await tarOf(Array.from({ length: 100 }, (_, n) => ({ name: `usr/bin/l${String(n)}`, type: 'symlink' as const, linkname: '/usr/lib/some/where/else' })))],
      limits: { keptBytes: 2048 },
      error: /^img\.tar: layer 1\/layer\.tar brings what vigil keeps of the image .* past 2 KiB, the limit$/,
    },
    { name: 'bytes once decompressed, over all layers', layers: async () => [await tarOf(files(20)), await tarOf([{ name: 'opt/blob', text: Buffer.alloc(40 * 1024) }])], limits: { unpackedBytes: 48 * 1024 }, error: /^img\.tar: layer 2\/layer\.tar brings the image's layers past 48 KiB once decompressed, the limit$/ },
    { name: 'bytes once decompressed: a gzip bomb', layers: async () => [gzipSync(await tarOf([{ name: 'opt/zeros', text: Buffer.alloc(8 * 1024 * 1024) }]))], limits: { unpackedBytes: 1024 * 1024 }, error: /^img\.tar: layer 1\/layer\.tar brings the image's layers past 1 MiB once decompressed, the limit$/ },
    { name: `a path longer than PATH_MAX (${String(MAX_IMAGE_PATH_LENGTH)})`, layers: async () => [await tarOf([{ name: `opt/${'a/'.repeat(2100)}f`, text: 'x' }])], limits: {}, error: /^img\.tar: layer 1\/layer\.tar has a path longer than 4096 bytes \(PATH_MAX\), the limit$/ },
    { name: 'a link target longer than PATH_MAX', layers: async () => [await tarOf([{ name: 'opt/l', type: 'symlink', linkname: `/${'b'.repeat(5000)}` }])], limits: {}, error: /^img\.tar: layer 1\/layer\.tar has a path longer than 4096 bytes \(PATH_MAX\), the limit$/ },
    { name: 'a manifest larger than the JSON limit', layers: async () => [await tarOf(files(1))], limits: { jsonBytes: 64 }, error: /^img\.tar: (manifest\.json|config\.json) is larger than the 64 bytes limit for an image manifest$/ },
  ] as { name: string; layers: () => Promise<Buffer[]>; limits: Partial<ImageLimits>; error: RegExp }[])('$name', async ({ layers, limits: smaller, error }) => {
    const archive = await dockerSave('limits.tar', await layers());
    const caught = await readImageArchive(archive, 'img.tar', wanted, limits(smaller)).catch((thrown: unknown) => thrown);
    expect(caught).toBeInstanceOf(LockfileParseError);
    const refused = caught as LockfileParseError;
    expect(refused.format()).toMatch(error);
    expect(EXIT_FOR_ERROR[refused.code]).toBe(2);
  });

  it('the same archive within its limits is read', async () => {
    const archive = await dockerSave('within.tar', [await tarOf([pkg('a', 100), ...files(5)])]);
    const tree = await readImageArchive(archive, 'img.tar', wanted, limits({ entries: 10, keptBytes: 4096, fileBytes: 1024 }));
    expect(await tree.list({ wanted, enter: () => true })).toEqual(['app/node_modules/a/package.json']);
  });

  it('a docker save blob that is no tar is named, once the manifest says which layer it is, by its index and diff id', async () => {
    const broken = gzipSync(Buffer.from('not a tar at all '.repeat(100)));
    const archive = await dockerSave('broken.tar', [await tarOf(files(2)), broken]);
    const caught = await readImageArchive(archive, 'img.tar', wanted).catch((thrown: unknown) => thrown);
    expect((caught as LockfileParseError).format()).toMatch(new RegExp(`^img\\.tar: layer 2 \\(sha256:${sha256(broken)}\\) is not readable as a tar archive \\([^\\n]+\\)$`));
  });

  it('an OCI layout names the layer by its index and digest', async () => {
    const folder = path.join(work, 'layout');
    mkdirSync(path.join(folder, 'blobs', 'sha256'), { recursive: true });
    const blob = (bytes: Buffer): string => {
      writeFileSync(path.join(folder, 'blobs', 'sha256', sha256(bytes)), bytes);
      return `sha256:${sha256(bytes)}`;
    };
    const layer = blob(gzipSync(await tarOf(files(10))));
    const manifest = blob(Buffer.from(JSON.stringify({ schemaVersion: 2, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer }] })));
    writeFileSync(path.join(folder, 'oci-layout'), '{"imageLayoutVersion": "1.0.0"}');
    writeFileSync(path.join(folder, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ digest: manifest }] }));
    const caught = await readOciLayout(folder, 'layout', wanted, limits({ entries: 5 })).catch((thrown: unknown) => thrown);
    expect((caught as LockfileParseError).format()).toBe(`layout: layer 1 (${layer}) brings the image past 5 entries, the limit`);
  });
});

describe('bounds on the image\'s structure, at their real values', () => {
  const hex = (n: number): string => n.toString(16).padStart(64, '0');
  /** An in-memory OCI layout: index.json, then `depth` nested indexes, then a one-layer manifest. */
  const nested = (depth: number): Record<string, unknown> => {
    const documents: Record<string, unknown> = { 'index.json': { manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest: `sha256:${hex(1)}` }] } };
    for (let level = 1; level <= depth; level++) {
      const last = level === depth;
      documents[`blobs/sha256/${hex(level)}`] = { manifests: [{ mediaType: last ? 'application/vnd.oci.image.manifest.v1+json' : 'application/vnd.oci.image.index.v1+json', digest: `sha256:${hex(level + 1)}` }] };
    }
    documents[`blobs/sha256/${hex(depth + 1)}`] = { layers: [{ digest: `sha256:${hex(999)}` }] };
    return documents;
  };
  const reader = (documents: Record<string, unknown>) => (relativePath: string): Promise<unknown> => Promise.resolve(documents[relativePath]);

  it.each([
    { name: `${String(MAX_IMAGE_INDEX_NESTING)} nested indexes`, documents: nested(MAX_IMAGE_INDEX_NESTING), want: [`sha256:${hex(999)}`] },
    { name: `${String(MAX_IMAGE_INDEX_NESTING + 1)} nested indexes`, documents: nested(MAX_IMAGE_INDEX_NESTING + 1), error: /^index\.json nests image indexes more than 4 deep, the limit$/ },
    { name: `${String(MAX_IMAGE_LAYERS)} layers`, documents: { 'manifest.json': [{ Layers: Array.from({ length: MAX_IMAGE_LAYERS }, (_, n) => `${String(n)}/layer.tar`) }] }, want: MAX_IMAGE_LAYERS },
    { name: `${String(MAX_IMAGE_LAYERS + 1)} layers`, documents: { 'manifest.json': [{ Layers: Array.from({ length: MAX_IMAGE_LAYERS + 1 }, (_, n) => `${String(n)}/layer.tar`) }] }, error: /^the image has 1001 layers, more than the limit of 1000$/ },
  ] as { name: string; documents: Record<string, unknown>; want?: string[] | number; error?: RegExp }[])('$name', async ({ documents, want, error }) => {
    const result = imageLayers('img', reader(documents)).then((layers) => layers.map((layer) => layer.digest));
    if (error !== undefined) {
      const caught = await result.catch((thrown: unknown) => thrown);
      expect(caught).toBeInstanceOf(LockfileParseError);
      expect((caught as Error).message).toMatch(error);
    } else if (typeof want === 'number') expect(await result).toHaveLength(want);
    else expect(await result).toEqual(want);
  });

  // Linux follows at most 40 links resolving one path (path_resolution(7)); a chain of 41 is a
  // skipped entry (the one file), not the whole image.
  it.each([
    { name: 'a chain of 40 links is followed', links: 40, want: '{"name": "a"}' },
    { name: 'a chain of 41 links is refused', links: 41, error: 'more than 40 symbolic links on the way (a cycle)' },
  ])('$name', async ({ links, want, error }) => {
    const entries: Entry[] = [{ name: 'real/package.json', text: '{"name": "a"}' }];
    for (let n = 1; n <= links; n++) entries.push({ name: `chain/${String(n)}`, type: 'symlink', linkname: n === 1 ? '/real/package.json' : `/chain/${String(n - 1)}` });
    entries.push({ name: 'app/node_modules/a/package.json', type: 'symlink', linkname: `/chain/${String(links - 1)}` });
    const tree = await readImageArchive(await dockerSave('links.tar', [await tarOf(entries)]), 'img.tar', wanted);
    const read = await tree.read('app/node_modules/a/package.json').catch((thrown: unknown) => thrown);
    if (error === undefined) expect((read as { bytes: Buffer }).bytes.toString('utf8')).toBe(want);
    else {
      expect(read).toBeInstanceOf(TreePathError);
      expect((read as Error).message).toBe(error);
    }
  });
});
