import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LockfileParseError } from '../../../src/core/errors.js';
import { lockfileParsers } from '../../../src/ecosystems/registry.js';
import { buildInventory } from '../../../src/inventory/build-inventory.js';
import { TreePathError, type FileTree } from '../../../src/inventory/targets/file-tree.js';
import { readImageArchive, readOciLayout } from '../../../src/inventory/targets/image.js';
import { shared } from '../../helpers/shared-data.js';

// Expected values come from the images' own bytes read with the system's tar and sha256, and from
// the Dockerfile and PROVENANCE notes: never from vigil's output.
const smallImage = (...parts: string[]): string => shared('corpus', 'images', 'vigil-debian12-small', ...parts);
const attackImage = (name: string): string => shared('corpus', 'images', 'scalibr-layerscanning', `${name}.tar`);

const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

interface Layer {
  readonly digest: string;
  readonly paths: readonly string[];
}

/** The docker-save archive's layers, in the manifest's order: diff id = sha256 of the layer tar. */
function dockerSaveLayers(): Layer[] {
  const archive = smallImage('image.docker-save.tar');
  const manifest = JSON.parse(execFileSync('tar', ['-xOf', archive, 'manifest.json'], { encoding: 'utf8' })) as { Layers: string[] }[];
  return (manifest[0]?.Layers ?? []).map((layer) => {
    const bytes = execFileSync('tar', ['-xOf', archive, layer], { maxBuffer: 64 * 1024 * 1024 });
    const paths = execFileSync('tar', ['-t'], { input: bytes, encoding: 'utf8' }).split('\n').filter(Boolean);
    return { digest: sha256(bytes), paths };
  });
}

/** The OCI layout's layers: digest = sha256 of the (gzipped) blob. */
function ociLayers(): Layer[] {
  const index = JSON.parse(readFileSync(smallImage('oci-layout', 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const blob = (digest: string): string => smallImage('oci-layout', 'blobs', 'sha256', digest.replace('sha256:', ''));
  const manifest = JSON.parse(readFileSync(blob(index.manifests[0]?.digest ?? ''), 'utf8')) as { layers: { digest: string }[] };
  return manifest.layers.map(({ digest }) => {
    const bytes = readFileSync(blob(digest));
    const paths = execFileSync('tar', ['-tz'], { input: bytes, encoding: 'utf8' }).split('\n').filter(Boolean);
    return { digest: sha256(bytes), paths };
  });
}

/** The top-most layer that writes the path. */
function layerWriting(layers: readonly Layer[], file: string): string | undefined {
  return [...layers].reverse().find((layer) => layer.paths.includes(file))?.digest;
}

const wantedByTest = (relativePath: string): boolean => /(os-release|dpkg\/status|\/METADATA|node_modules\/[^/]+\/package\.json|\.txt)$/.test(relativePath);

async function listAndRead(tree: FileTree): Promise<Map<string, { text?: string; layer?: string; error?: string }>> {
  const out = new Map<string, { text?: string; layer?: string; error?: string }>();
  for (const file of await tree.list({ wanted: wantedByTest, enter: () => true })) {
    try {
      const read = await tree.read(file);
      out.set(file, read === undefined ? {} : { text: read.bytes.toString('utf8'), ...(read.layer === undefined ? {} : { layer: read.layer }) });
    } catch (error) {
      if (!(error instanceof TreePathError)) throw error;
      out.set(file, { error: error.message });
    }
  }
  return out;
}

const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-image-test-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** The OCI layout packed into a tar (as skopeo's oci-archive: or docker 25's save), plain or gzipped, by the system's tar. */
function ociArchive(gzip: boolean): string {
  const file = path.join(work, gzip ? 'oci.tar.gz' : 'oci.tar');
  execFileSync('tar', [gzip ? '-czf' : '-cf', file, '-C', smallImage('oci-layout'), '.']);
  return file;
}

describe.each([
  { name: 'OCI layout in a tar', open: () => readImageArchive(ociArchive(false), 'oci.tar', wantedByTest), layers: ociLayers },
  { name: 'OCI layout in a gzipped tar', open: () => readImageArchive(ociArchive(true), 'oci.tar.gz', wantedByTest), layers: ociLayers },
  { name: 'docker save archive', open: () => readImageArchive(smallImage('image.docker-save.tar'), 'image.tar', wantedByTest), layers: dockerSaveLayers },
  { name: 'OCI image layout', open: () => readOciLayout(smallImage('oci-layout'), 'oci-layout', wantedByTest), layers: ociLayers },
])('the 6-layer Debian 12 image, as a $name', ({ open, layers }) => {
  it('has six layers, the last one a whiteout of wheel', () => {
    const all = layers();
    expect(all).toHaveLength(6);
    expect(all[5]?.paths).toContain('usr/local/lib/python3.12/site-packages/.wh.wheel-0.43.0.dist-info');
  });

  it('holds each wanted file from the layer that wrote it, and not the deleted wheel', async () => {
    const all = layers();
    const files = await listAndRead(await open());
    const site = 'usr/local/lib/python3.12/site-packages';
    const expected = [
      'app/node_modules/lodash/package.json',
      'app/node_modules/minimist/package.json',
      'etc/os-release',
      `${site}/pip-24.0.dist-info/METADATA`,
      `${site}/pip-24.0.dist-info/entry_points.txt`,
      `${site}/pip-24.0.dist-info/top_level.txt`,
      `${site}/setuptools-69.5.1.dist-info/METADATA`,
      `${site}/setuptools-69.5.1.dist-info/entry_points.txt`,
      `${site}/setuptools-69.5.1.dist-info/top_level.txt`,
      'usr/lib/os-release',
      'var/lib/dpkg/status',
    ];
    expect([...files.keys()]).toEqual([...expected].sort());
    for (const file of expected) expect(files.get(file)?.layer, file).toBe(layerWriting(all, file));
    const status = files.get('var/lib/dpkg/status')?.text ?? '';
    expect(status).toBe(readFileSync(shared('corpus', 'debian', 'debian12-bookworm-python312-rootfs', 'var', 'lib', 'dpkg', 'status'), 'utf8'));
    expect(status.match(/^Status: install ok installed$/gm)).toHaveLength(140);
    expect(files.get(`${site}/pip-24.0.dist-info/METADATA`)?.text).toMatch(/^Version: 24\.0$/m);
  });
});

describe.each([
  { name: 'docker save archive', given: () => smallImage('image.docker-save.tar') },
  { name: 'OCI image layout', given: () => smallImage('oci-layout') },
])('vigil audit of the Debian 12 image ($name)', ({ given }) => {
  it('lists pip, setuptools and the node_modules packages with their layer, not wheel', async () => {
    const inventory = await buildInventory({ paths: [given()] });
    const names = inventory.packages.filter((pkg) => pkg.ecosystem === 'PyPI' || pkg.ecosystem === 'npm').map((pkg) => `${pkg.ecosystem} ${pkg.name} ${pkg.version} ${pkg.location.file}`);
    expect(names.sort()).toEqual([
      'PyPI pip 24.0 /usr/local/lib/python3.12/site-packages/pip-24.0.dist-info/METADATA',
      'PyPI setuptools 69.5.1 /usr/local/lib/python3.12/site-packages/setuptools-69.5.1.dist-info/METADATA',
      'npm lodash 4.17.20 /app/node_modules/lodash/package.json',
      'npm minimist 1.2.5 /app/node_modules/minimist/package.json',
    ]);
    for (const pkg of inventory.packages) expect(pkg.location.layer).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('lists the 140 installed dpkg packages once a parser reads the dpkg database', async () => {
    if (!lockfileParsers.some((parser) => parser.matchesPath?.('var/lib/dpkg/status') === true)) return;
    const inventory = await buildInventory({ paths: [given()] });
    const dpkg = inventory.packages.filter((pkg) => pkg.location.file === '/var/lib/dpkg/status');
    expect(dpkg).toHaveLength(140);
  });
});

describe('symbolic links stay inside the image (osv-scalibr layer scanning fixtures)', () => {
  it.each([
    // Dockerfile: echo "sample text" > dir1/sample.txt, then four links to it.
    { name: 'symlink-basic', want: { 'dir1/absolute-symlink.txt': 'sample text\n', 'dir1/chain-symlink.txt': 'sample text\n', 'dir1/relative-dot-symlink.txt': 'sample text\n', 'dir1/relative-symlink.txt': 'sample text\n', 'dir1/sample.txt': 'sample text\n' } },
    // Seven links in a chain: fewer than Linux's 40.
    { name: 'symlink-depth-exceeded', want: Object.fromEntries(['sample', ...[1, 2, 3, 4, 5, 6, 7].map((n) => `symlink${n}`)].map((base) => [`dir1/${base}.txt`, 'sample text\n'])) },
    { name: 'symlink-attack', want: { 'dir1/attack-symlink-absolute.txt': /outside the image/, 'dir1/attack-symlink.txt': /outside the image/ } },
    { name: 'symlink-cycle', want: { 'dir1/absolute-symlink.txt': /cycle/, 'dir1/chain-symlink.txt': /cycle/, 'dir1/sample.txt': /cycle/ } },
    // Links to a sample.txt the image never got: nothing to read.
    { name: 'symlink-dangling', want: Object.fromEntries(['dir1/absolute-symlink.txt', 'dir1/chain-symlink.txt', 'dir1/relative-dot-symlink.txt', 'dir1/relative-symlink.txt', 'dir2/dir3/absolute-chain-symlink.txt', 'dir2/dir3/absolute-subfolder-symlink.txt', 'dir2/dir3/relative-subfolder-symlink.txt'].map((file) => [file, undefined])) },
    // COPY sample.txt, then COPY new-sample.txt over it.
    { name: 'overwrite-file', want: { 'sample.txt': 'overwritten sample text file\n' } },
  ] as { name: string; want: Record<string, string | RegExp | undefined> }[])('$name', async ({ name, want }) => {
    const files = await listAndRead(await readImageArchive(attackImage(name), `${name}.tar`, wantedByTest));
    expect([...files.keys()]).toEqual(Object.keys(want).sort());
    for (const [file, expected] of Object.entries(want)) {
      const got = files.get(file);
      if (expected instanceof RegExp) {
        expect(got?.error, file).toMatch(expected);
        expect(got?.error, file).not.toMatch(/\n/);
      } else expect(got?.text, file).toBe(expected);
    }
  });

  it('an empty archive is no image: one line naming it', async () => {
    const error = await readImageArchive(attackImage('empty'), 'empty.tar', wantedByTest).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockfileParseError);
    expect((error as LockfileParseError).format()).toMatch(/^empty\.tar: not a container image: .*$/);
  });

  it('no fixture names a file of the host: every read of the attack image stays in memory', () => {
    // The fixtures' links point at /secret.txt; make sure the test machine's answer could not matter.
    expect(readdirSync(path.dirname(attackImage('symlink-attack')))).not.toContain('secret.txt');
  });
});
