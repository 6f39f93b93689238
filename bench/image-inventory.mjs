// Inventory of a container image archive of about 50 MB and 200 MB, built here from the shared
// Debian 12 root filesystem files plus layers of incompressible filler (docker save layout:
// manifest.json, config with diff_ids, <id>/layer.tar). Prints vigil's time and peak RSS beside
// floors measured in the same run on the same archive: `tar -tf` and a plain stream read of the
// file, and a tar-stream walk of every layer entry that keeps nothing. Asserts nothing.
//   npm run bench:image
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { extract, pack } from 'tar-stream';
import { formatRow, measure, repoRoot, sharedDir } from './measure.mjs';

const [mode, file] = process.argv.slice(2);

if (mode === 'stream-read') {
  // Floor: every byte of the archive read once.
  let bytes = 0;
  for await (const chunk of createReadStream(file)) bytes += chunk.length;
  if (bytes === 0) process.exit(3);
  process.exit(0);
}

if (mode === 'tar-walk') {
  // Floor: the outer archive and every layer walked entry by entry with tar-stream, nothing kept.
  const outer = extract();
  const piping = pipeline(createReadStream(file), outer);
  for await (const entry of outer) {
    if (entry.header.name.endsWith('layer.tar')) {
      const inner = extract();
      const innerPiping = pipeline(entry, inner);
      for await (const layerEntry of inner) layerEntry.resume();
      await innerPiping;
    } else entry.resume();
  }
  await piping;
  process.exit(0);
}

if (mode === 'inventory') {
  const { buildInventory } = await import(pathToFileURL(path.join(repoRoot, 'dist', 'inventory', 'build-inventory.js')).href);
  const inventory = await buildInventory({ paths: [file], root: path.dirname(file) });
  process.stdout.write(`${inventory.packages.length}\n`);
  process.exit(0);
}

if (!existsSync(sharedDir)) {
  console.error(`bench: the shared data folder is missing (${sharedDir})`);
  process.exit(2);
}
if (!existsSync(path.join(repoRoot, 'dist', 'inventory', 'build-inventory.js'))) {
  console.error('bench: dist/ is missing: run "npm run build" first');
  process.exit(2);
}

const rootfs = path.join(sharedDir, 'corpus', 'debian', 'debian12-bookworm-python312-rootfs');
const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-image-'));

function filesBelow(dir, prefix = '') {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    return entry.isDirectory() ? filesBelow(path.join(dir, entry.name), relative) : [relative];
  });
}

/** Writes one layer tar; returns its path and diff id (sha256 of the tar). */
async function writeLayer(name, entries) {
  const target = path.join(work, `${name}.tar`);
  const tar = pack();
  const hash = createHash('sha256');
  const writing = pipeline(tar, async function* (source) {
    for await (const chunk of source) {
      hash.update(chunk);
      yield chunk;
    }
  }, createWriteStream(target));
  for (const { path: entryPath, bytes } of entries) tar.entry({ name: entryPath, mode: 0o644 }, bytes);
  tar.finalize();
  await writing;
  return { file: target, diffId: `sha256:${hash.digest('hex')}` };
}

/** A docker save archive: the rootfs files, `fillers` layers of 800 x 64 KiB, and a whiteout of wheel on top. */
async function buildImage(fillers) {
  const layers = [await writeLayer('base', filesBelow(rootfs).map((relative) => ({ path: relative, bytes: readFileSync(path.join(rootfs, relative)) })))];
  for (let index = 0; index < fillers; index++) {
    layers.push(await writeLayer(`filler-${index}`, Array.from({ length: 800 }, (_, n) => ({ path: `opt/filler${index}/d${n % 20}/blob-${n}.bin`, bytes: randomBytes(64 * 1024) }))));
  }
  layers.push(await writeLayer('top', [{ path: 'usr/local/lib/python3.12/site-packages/.wh.wheel-0.43.0.dist-info', bytes: Buffer.alloc(0) }]));
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) } }));
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
  const layerNames = layers.map((layer) => `${layer.diffId.slice(7)}/layer.tar`);
  const archive = path.join(work, `image-${fillers}.tar`);
  const outer = pack();
  const writing = pipeline(outer, createWriteStream(archive));
  for (const [index, layer] of layers.entries()) {
    const entry = outer.entry({ name: layerNames[index], size: statSync(layer.file).size });
    await pipeline(createReadStream(layer.file), entry);
  }
  outer.entry({ name: configName }, config);
  outer.entry({ name: 'manifest.json' }, JSON.stringify([{ Config: configName, RepoTags: ['bench:latest'], Layers: layerNames }]));
  outer.finalize();
  await writing;
  for (const layer of layers) rmSync(layer.file);
  return archive;
}

console.log(`node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);
const self = path.join(repoRoot, 'bench', 'image-inventory.mjs');
try {
  for (const fillers of [1, 4]) {
    const archive = await buildImage(fillers);
    const size = `${(statSync(archive).size / 2 ** 20).toFixed(0)} MiB, ${fillers * 800 + filesBelow(rootfs).length + 1} entries (files and whiteouts) in ${fillers + 2} layers`;
    const tarStart = process.hrtime.bigint();
    const listed = spawnSync('tar', ['-tf', archive], { stdio: ['ignore', 'ignore', 'inherit'] });
    const tarMs = Number(process.hrtime.bigint() - tarStart) / 1e6;
    if (listed.status !== 0) throw new Error('tar -tf failed');
    console.log(`image ${size}`);
    console.log(`  ${'floor: tar -tf (outer entries only)'.padEnd(46)} ${tarMs.toFixed(0).padStart(6)} ms`);
    console.log(`  ${formatRow('floor: stream read of the file', measure([self, 'stream-read', archive], { runs: 3 }))}`);
    console.log(`  ${formatRow('floor: tar-stream walk of every layer', measure([self, 'tar-walk', archive], { runs: 3 }))}`);
    const packages = spawnSync(process.execPath, [self, 'inventory', archive], { encoding: 'utf8' });
    console.log(`  ${formatRow('vigil inventory', measure([self, 'inventory', archive], { runs: 3 }), `${packages.stdout.trim()} packages`)}`);
    rmSync(archive);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
