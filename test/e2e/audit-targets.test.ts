import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, repoRoot, shared } from '../helpers/shared-data.js';
import { pack } from 'tar-stream';
import { hasStackTrace, runCli } from './run-cli.js';

let work: string;
let store: string;

const image = (...parts: string[]): string => shared('corpus', 'images', ...parts);

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'vigil-e2e-targets-'));
  store = path.join(work, 'advisories.db');
  const imported = await runCli(['db', 'import', '--db', store, shared('osv', 'pypi-pysec', 'vulns'), shared('osv', 'ghsa-subset', 'advisories'), shared('osv', 'debian', 'records')]);
  expect(imported.code, imported.stderr).toBe(0);
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

interface JsonReport {
  readonly packages: readonly { name: string; version: string; ecosystem: string; location: { file: string; layer?: string } }[];
}

/** Checks a location against the JSON report schema's own definition of one. */
function validLocation(location: unknown): void {
  const schema = JSON.parse(readFileSync(path.join(repoRoot, 'docs', 'audit-report.schema.json'), 'utf8')) as { $defs: { location: object } };
  const ajv = new Ajv2020.default({ allErrors: true });
  addFormats.default(ajv);
  const validate = ajv.compile(schema.$defs.location);
  expect(validate(location), JSON.stringify(validate.errors)).toBe(true);
}

/** A one-file OCI layout whose only layer is zstd-compressed (the magic number is enough). */
function zstdLayout(): string {
  const folder = path.join(work, 'zstd-layout');
  mkdirSync(path.join(folder, 'blobs', 'sha256'), { recursive: true });
  const blob = (bytes: Buffer): string => {
    const hex = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(path.join(folder, 'blobs', 'sha256', hex), bytes);
    return `sha256:${hex}`;
  };
  const layer = blob(Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(64)]));
  const config = blob(Buffer.from('{"rootfs":{"type":"layers","diff_ids":[]}}'));
  const manifest = blob(Buffer.from(JSON.stringify({ schemaVersion: 2, config: { digest: config, size: 1 }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', digest: layer, size: 68 }] })));
  writeFileSync(path.join(folder, 'oci-layout'), '{"imageLayoutVersion": "1.0.0"}');
  writeFileSync(path.join(folder, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifest, size: 1 }] }));
  return folder;
}

async function tarOf(entries: readonly { name: string; text?: string; linkname?: string }[]): Promise<Buffer> {
  const tar = pack();
  for (const entry of entries) {
    if (entry.linkname === undefined) tar.entry({ name: entry.name }, entry.text ?? '');
    else tar.entry({ name: entry.name, type: 'symlink', linkname: entry.linkname });
  }
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A one-layer docker save archive with lodash 4.17.11 installed (and `more` entries); returns it and the layer's diff id. */
async function imageWithOldLodash(more: readonly { name: string; text?: string; linkname?: string }[] = [], name = 'old-lodash.tar'): Promise<{ file: string; diffId: string }> {
  const layer = await tarOf([{ name: 'app/node_modules/lodash/package.json', text: '{"name": "lodash", "version": "4.17.11"}\n' }, ...more]);
  const diffId = `sha256:${createHash('sha256').update(layer).digest('hex')}`;
  const config = JSON.stringify({ rootfs: { type: 'layers', diff_ids: [diffId] } });
  const archive = await tarOf([
    { name: 'abc/layer.tar', text: layer.toString('latin1') },
    { name: 'config.json', text: config },
    { name: 'manifest.json', text: JSON.stringify([{ Config: 'config.json', RepoTags: ['old:1'], Layers: ['abc/layer.tar'] }]) },
  ]);
  const file = path.join(work, name);
  writeFileSync(file, archive);
  return { file, diffId };
}

/** The docker-save archive with one byte of a layer changed. */
function tamperedArchive(): string {
  const file = path.join(work, 'tampered.tar');
  const bytes = Buffer.from(readFileSync(image('vigil-debian12-small', 'image.docker-save.tar')));
  const at = bytes.indexOf('Package: ');
  bytes[at + 9] = 'X'.charCodeAt(0);
  writeFileSync(file, bytes);
  return file;
}

/** The docker-save archive cut in the middle of a layer. */
function truncatedArchive(): string {
  const file = path.join(work, 'truncated.tar');
  const bytes = readFileSync(image('vigil-debian12-small', 'image.docker-save.tar'));
  writeFileSync(file, bytes.subarray(0, 300_000));
  return file;
}

describe('vigil audit of a container image', () => {
  it.each([
    { name: 'docker save archive', given: () => image('vigil-debian12-small', 'image.docker-save.tar') },
    { name: 'OCI image layout', given: () => image('vigil-debian12-small', 'oci-layout') },
  ])('$name: the 140 dpkg packages, pip, setuptools and app/node_modules, each with its layer', async ({ given }) => {
    const run = await runCli(['audit', '--db', store, '--format', 'json', given()]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as JsonReport;
    for (const pkg of report.packages) validLocation(pkg.location);
    const byFile = (file: string): JsonReport['packages'] => report.packages.filter((pkg) => pkg.location.file === file);
    expect(byFile('/var/lib/dpkg/status')).toHaveLength(140);
    const others = report.packages.filter((pkg) => pkg.location.file !== '/var/lib/dpkg/status').map((pkg) => `${pkg.ecosystem} ${pkg.name} ${pkg.version}`);
    expect(others.sort()).toEqual(['PyPI pip 24.0', 'PyPI setuptools 69.5.1', 'npm lodash 4.17.20', 'npm minimist 1.2.5']);
    for (const pkg of report.packages) expect(pkg.location.layer).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(run.stderr).toMatch(/^read \/var\/lib\/dpkg\/status \(dpkg-status\): 140 packages/m);
  });

  it('a finding in an image names the layer that brought the package', async () => {
    const { file, diffId } = await imageWithOldLodash();
    const run = await runCli(['audit', '--db', store, file]);
    expect(run.code, run.stderr).toBe(1);
    // GHSA-jf85-cpcp-j695: lodash before 4.17.12 (ghsa-subset).
    expect(run.stdout).toMatch(new RegExp(`^BLOCKS[^\\n]*?\\s+lodash\\s+4\\.17\\.11 .*GHSA-jf85-cpcp-j695.*/app/node_modules/lodash/package\\.json:1 \\(layer ${diffId.slice(0, 19)}\\)$`, 'm'));
    const markdown = await runCli(['audit', '--db', store, '--format', 'markdown', file]);
    expect(markdown.stdout).toContain(`/app/node\\_modules/lodash/package.json:1 \\(layer ${diffId.slice(0, 19)}\\)`);
  });

  it('a package.json that links out of the image is not read: a skipped entry that fails closed', async () => {
    const { file } = await imageWithOldLodash([{ name: 'app/node_modules/evil/package.json', linkname: '../../../../../../etc/passwd' }], 'link-out.tar');
    const run = await runCli(['audit', '--db', store, '--fail-on', 'critical', '--format', 'json', file]);
    expect(run.stderr).toMatch(/^skipped \/app\/node_modules\/evil\/package\.json: not read: a symbolic link on the way points outside the image$/m);
    expect(run.stderr).toMatch(/1 unevaluable/);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.packages.map((pkg) => pkg.name)).toEqual(['lodash']);
  });

  it('the same image copied under another name is told from its content', async () => {
    const copy = path.join(work, 'image.bin');
    copyFileSync(image('vigil-debian12-small', 'image.docker-save.tar'), copy);
    const run = await runCli(['audit', '--db', store, '-q', copy]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/144 packages/);
  });

  it.each([
    { name: 'an empty archive', args: () => [image('scalibr-layerscanning', 'empty.tar')], exit: 2, line: /^vigil: \S*empty\.tar: not a container image: it has neither manifest\.json \(docker save\) nor index\.json \(OCI image layout\)$/m },
    { name: 'links out of the image, and nothing else', args: () => [image('scalibr-layerscanning', 'symlink-attack.tar')], exit: 4, line: /^vigil: no installed package or dependency file found in \S*symlink-attack\.tar \(read as a container image\)$/m },
    { name: 'a link cycle, and nothing else', args: () => [image('scalibr-layerscanning', 'symlink-cycle.tar')], exit: 4, line: /no installed package or dependency file found in \S*symlink-cycle\.tar/ },
    { name: 'a truncated archive', args: () => [truncatedArchive()], exit: 2, line: /^vigil: \S*truncated\.tar: / },
    { name: 'a layer changed after the image was written', args: () => [tamperedArchive()], exit: 2, line: /^vigil: \S*tampered\.tar: layer [0-9]+ does not match its digest sha256:[0-9a-f]{64} \(its bytes hash to sha256:[0-9a-f]{64}\)$/m },
    { name: 'a zstd layer', args: () => [zstdLayout()], exit: 2, line: /^vigil: \S*zstd-layout: layer 1 \(sha256:[0-9a-f]{64}\) is compressed with zstd, which vigil cannot read$/m },
    { name: 'an unknown --target', args: () => ['--target', 'vm', fixture('installed', 'node-app')], exit: 2, line: /^vigil: audit: invalid --target "vm" \(expected image, rootfs, python-env, node-modules, files\)$/m },
    { name: '--target image on a plain folder', args: () => ['--target', 'image', fixture('installed', 'node-app')], exit: 2, line: /is not an OCI image layout/ },
  ])('$name: exit $exit, one line', async ({ args, exit, line }) => {
    const run = await runCli(['audit', '--db', store, ...args()]);
    expect(run.code, run.stderr).toBe(exit);
    expect(run.stderr).toMatch(line);
    expect(hasStackTrace(run.stderr)).toBe(false);
  });
});

describe('vigil audit of installed environments', () => {
  it.each([
    { name: 'a root file system', args: () => [shared('corpus', 'debian', 'debian12-bookworm-python312-rootfs')], dpkg: 140, python: ['pip 24.0', 'setuptools 69.5.1', 'wheel 0.43.0'] },
    { name: 'its site-packages', args: () => [shared('corpus', 'debian', 'debian12-bookworm-python312-rootfs', 'usr', 'local', 'lib', 'python3.12', 'site-packages')], dpkg: 0, python: ['pip 24.0', 'setuptools 69.5.1', 'wheel 0.43.0'] },
  ])('$name', async ({ args, dpkg, python }) => {
    const run = await runCli(['audit', '--db', store, '--format', 'json', ...args()]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.packages.filter((pkg) => pkg.location.file.endsWith('var/lib/dpkg/status'))).toHaveLength(dpkg);
    expect(report.packages.filter((pkg) => pkg.ecosystem === 'PyPI').map((pkg) => `${pkg.name} ${pkg.version}`).sort()).toEqual(python);
  });

  it('a node_modules tree', async () => {
    const run = await runCli(['audit', '--db', store, '--format', 'json', fixture('installed', 'node-app', 'node_modules')]);
    // The package.json without a version is unevaluable: the gate fails closed.
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.packages.map((pkg) => `${pkg.name} ${pkg.version}`).sort()).toEqual(['@scope/tool 2.0.0-beta.1', 'a 1.0.0', 'b 1.2.3', 'lodash 4.17.20']);
    expect(run.stderr).toMatch(/^skipped \S*node_modules\/no-version\/package\.json:1: no-version: installed package\.json without a version$/m);
  });
});
