// Inventory of container image archives built here from the shared Debian 12 root filesystem
// files plus filler layers (docker save layout: manifest.json, config with diff_ids,
// <id>/layer.tar): about 50 MB and 200 MB of large incompressible files (few entries), and about
// 200 MB of 200,000 small files in folders with some symbolic links (many entries: what the
// merged view of the layers costs per entry). Prints vigil's time and peak RSS beside floors
// measured in the same run on the same archive: `tar -tf` and a plain stream read of the file,
// and a tar-stream walk of every layer entry that keeps nothing. Asserts nothing.
//   npm run bench:image
//   VIGIL_BENCH_BASELINE=DIR npm run bench:image   (also measures the build in DIR, e.g. the
//   dist/ of an earlier commit, on the same archives: before/after figures from one run)
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { extract, pack } from 'tar-stream';
import { formatRow, measure, repoRoot, sharedDir } from './measure.mjs';

const [mode, file, distArgument] = process.argv.slice(2);
const distDir = path.join(repoRoot, 'dist');
const baseline = process.env.VIGIL_BENCH_BASELINE === undefined ? undefined : path.resolve(process.env.VIGIL_BENCH_BASELINE);

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
  const { buildInventory } = await import(pathToFileURL(path.join(distArgument ?? distDir, 'inventory', 'build-inventory.js')).href);
  const inventory = await buildInventory({ paths: [file], root: path.dirname(file) });
  process.stdout.write(`${inventory.packages.length}\n`);
  process.exit(0);
}

if (!existsSync(sharedDir)) {
  console.error(`bench: the shared data folder is missing (${sharedDir})`);
  process.exit(2);
}
if (!existsSync(path.join(distDir, 'inventory', 'build-inventory.js'))) {
  console.error('bench: dist/ is missing: run "npm run build" first');
  process.exit(2);
}
if (baseline !== undefined && !existsSync(path.join(baseline, 'inventory', 'build-inventory.js'))) {
  console.error('bench: VIGIL_BENCH_BASELINE names no build of vigil (no inventory/build-inventory.js in it)');
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

/** Writes one layer tar; returns its path, diff id (sha256 of the tar) and entry count. */
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
  for (const { path: entryPath, bytes, type, linkname } of entries) {
    if (type === 'directory') tar.entry({ name: entryPath, type, mode: 0o755 });
    else if (type === 'symlink') tar.entry({ name: entryPath, type, linkname });
    else tar.entry({ name: entryPath, mode: 0o644 }, bytes);
  }
  tar.finalize();
  await writing;
  return { file: target, diffId: `sha256:${hash.digest('hex')}`, entries: entries.length };
}

/** `count` entries of 64 KiB of random bytes each, in 20 folders (no folder entries). */
function largeFiles(index, count) {
  return Array.from({ length: count }, (_, n) => ({ path: `opt/filler${index}/d${n % 20}/blob-${n}.bin`, bytes: randomBytes(64 * 1024) }));
}

/**
 * `count` entries, as a real image's many small files: a folder entry per 100 files, files of
 * 64 random bytes (one 512-byte tar block each), and a symbolic link per 100 files.
 */
function smallFiles(index, count) {
  const entries = [];
  const bytes = randomBytes(64);
  for (let n = 0; entries.length < count; n++) {
    const folder = `usr/share/filler${index}/d${Math.floor(n / 100)}`;
    if (n % 100 === 0) entries.push({ path: folder, type: 'directory' });
    else if (n % 100 === 1) entries.push({ path: `${folder}/link-${n}`, type: 'symlink', linkname: `file-${n - 1}.txt` });
    else entries.push({ path: `${folder}/file-${n}.txt`, bytes });
  }
  return entries;
}

/** A docker save archive: the rootfs files, the filler layers, and a whiteout of wheel on top. */
async function buildImage(fillerLayers) {
  const layers = [await writeLayer('base', filesBelow(rootfs).map((relative) => ({ path: relative, bytes: readFileSync(path.join(rootfs, relative)) })))];
  for (const [index, filler] of fillerLayers.entries()) layers.push(await writeLayer(`filler-${index}`, filler(index)));
  layers.push(await writeLayer('top', [{ path: 'usr/local/lib/python3.12/site-packages/.wh.wheel-0.43.0.dist-info', bytes: Buffer.alloc(0) }]));
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) } }));
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
  const layerNames = layers.map((layer) => `${layer.diffId.slice(7)}/layer.tar`);
  const archive = path.join(work, 'image.tar');
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
  return { archive, entries: layers.reduce((sum, layer) => sum + layer.entries, 0) };
}

console.log(`node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);
const self = path.join(repoRoot, 'bench', 'image-inventory.mjs');
try {
  const cases = [
    { name: 'large files', layers: [(index) => largeFiles(index, 800)] },
    { name: 'large files', layers: Array.from({ length: 4 }, () => (index) => largeFiles(index, 800)) },
    { name: 'many small files', layers: Array.from({ length: 4 }, () => (index) => smallFiles(index, 50_000)) },
  ];
  for (const { name, layers } of cases) {
    const { archive, entries } = await buildImage(layers);
    const size = `${name}: ${(statSync(archive).size / 2 ** 20).toFixed(0)} MiB, ${entries.toLocaleString('en-US')} layer entries in ${layers.length + 2} layers`;
    const tarStart = process.hrtime.bigint();
    const listed = spawnSync('tar', ['-tf', archive], { stdio: ['ignore', 'ignore', 'inherit'] });
    const tarMs = Number(process.hrtime.bigint() - tarStart) / 1e6;
    if (listed.status !== 0) throw new Error('tar -tf failed');
    console.log(`image ${size}`);
    console.log(`  ${'floor: tar -tf (outer entries only)'.padEnd(46)} ${tarMs.toFixed(0).padStart(6)} ms`);
    console.log(`  ${formatRow('floor: stream read of the file', measure([self, 'stream-read', archive], { runs: 3 }))}`);
    console.log(`  ${formatRow('floor: tar-stream walk of every layer', measure([self, 'tar-walk', archive], { runs: 3 }))}`);
    for (const [label, dist] of [...(baseline === undefined ? [] : [['vigil inventory (baseline)', baseline]]), ['vigil inventory', distDir]]) {
      const packages = spawnSync(process.execPath, [self, 'inventory', archive, dist], { encoding: 'utf8' });
      console.log(`  ${formatRow(label, measure([self, 'inventory', archive, dist], { runs: 3 }), `${packages.stdout.trim()} packages`)}`);
    }
    rmSync(archive);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
