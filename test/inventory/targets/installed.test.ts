import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildInventory } from '../../../src/inventory/build-inventory.js';
import { resolveTarget } from '../../../src/inventory/targets/detect.js';
import { fixture, repoRoot } from '../../helpers/shared-data.js';

const nodeApp = fixture('installed', 'node-app');

describe('target detection', () => {
  it.each([
    { name: 'a source tree', given: nodeApp, want: 'files' },
    { name: 'a node_modules folder', given: path.join(nodeApp, 'node_modules'), want: 'node-modules' },
    { name: 'a lockfile', given: path.join(repoRoot, 'package-lock.json'), want: 'files' },
    { name: 'a folder forced to a node_modules tree', given: nodeApp, forced: 'node-modules', want: 'node-modules' },
  ] as const)('$name is $want', async ({ given, want, ...rest }) => {
    expect((await resolveTarget(given, 'forced' in rest ? rest.forced : undefined)).target).toBe(want);
  });

  it('refuses a file given as an image when it is no archive', async () => {
    await expect(resolveTarget(path.join(repoRoot, 'package.json'), 'image')).rejects.toThrow(/is not a tar archive/);
  });
});

describe('an installed node_modules tree', () => {
  it.each([
    { name: 'the node_modules folder itself', paths: [path.join(nodeApp, 'node_modules')], target: undefined, prefix: 'node_modules/' },
    { name: 'the project, as a node_modules tree', paths: [nodeApp], target: 'node-modules', prefix: 'node_modules/' },
  ] as const)('$name: every package.json, nested ones too, not the project\'s own nor a linked workspace', async ({ paths, target }) => {
    const inventory = await buildInventory({ paths, root: nodeApp, ...(target === undefined ? {} : { target }) });
    expect(inventory.packages.map((pkg) => `${pkg.name}@${pkg.version} ${pkg.location.file}`).sort()).toEqual([
      '@scope/tool@2.0.0-beta.1 node_modules/@scope/tool/package.json',
      'a@1.0.0 node_modules/a/package.json',
      'b@1.2.3 node_modules/a/node_modules/b/package.json',
      'lodash@4.17.20 node_modules/lodash/package.json',
    ]);
    // A package.json without a version cannot be audited: counted, not dropped.
    expect(inventory.skipped.map((entry) => `${entry.location.file}: ${entry.reason}`)).toEqual(['node_modules/no-version/package.json: installed package.json without a version']);
  });

  it('is not searched in a source tree', async () => {
    await expect(buildInventory({ paths: [nodeApp], root: nodeApp })).rejects.toThrow(/no dependency file found/);
  });

  it('vigil\'s own node_modules holds every package its package-lock.json installs, at the locked version', async () => {
    const lock = JSON.parse(readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; link?: boolean; optional?: boolean; dev?: boolean }> };
    const locked = new Map(
      Object.entries(lock.packages)
        .filter(([key, entry]) => key.startsWith('node_modules/') && entry.link !== true && entry.version !== undefined)
        .map(([key, entry]) => [`${key}/package.json`, entry]),
    );
    const inventory = await buildInventory({ paths: [path.join(repoRoot, 'node_modules')], root: repoRoot });
    const found = new Map(inventory.packages.map((pkg) => [pkg.location.file, pkg.version]));
    for (const [file, entry] of locked) {
      if (entry.optional === true && !found.has(file)) continue; // optional packages of other platforms are not installed
      expect(found.get(file), file).toBe(entry.version);
    }
    // And nothing beyond what the lockfile installs.
    for (const file of found.keys()) expect(locked.has(file), file).toBe(true);
  });
});

describe('installed Python distributions', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-installed-'));
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });
  const write = (relative: string, text: string): void => {
    mkdirSync(path.dirname(path.join(work, relative)), { recursive: true });
    writeFileSync(path.join(work, relative), text);
  };
  const metadata = (name: string, version: string): string => `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n\nA description.\n`;
  // A virtualenv: its packages, and a requirements file a package ships inside site-packages.
  write('venv/pyvenv.cfg', 'home = /usr/bin\n');
  write('venv/lib/python3.12/site-packages/six-1.16.0.dist-info/METADATA', metadata('six', '1.16.0'));
  write('venv/lib/python3.12/site-packages/Old_Pkg-0.9.egg-info/PKG-INFO', metadata('Old_Pkg', '0.9'));
  write('venv/lib/python3.12/site-packages/foo/requirements.txt', 'requests>=2\n');
  // A root file system: pip's packages in /usr/local are read, Debian's python3-* are dpkg's.
  write('rootfs/etc/os-release', 'ID=debian\nVERSION_ID="12"\n');
  write('rootfs/usr/local/lib/python3.11/dist-packages/requests-2.31.0.dist-info/METADATA', metadata('requests', '2.31.0'));
  write('rootfs/usr/lib/python3/dist-packages/urllib3-1.26.12.egg-info/PKG-INFO', metadata('urllib3', '1.26.12'));
  write('rootfs/app/requirements.txt', 'flask==3.0.0\n');
  write('rootfs/proc/1/requirements.txt', 'never==1.0\n');

  it.each([
    { name: 'a virtualenv, told by pyvenv.cfg', given: 'venv', target: 'python-env', want: ['Old_Pkg 0.9', 'six 1.16.0'] },
    { name: 'its site-packages', given: 'venv/lib/python3.12/site-packages', target: 'python-env', want: ['Old_Pkg 0.9', 'six 1.16.0'] },
    { name: 'a root file system', given: 'rootfs', target: 'rootfs', want: ['flask 3.0.0', 'requests 2.31.0'] },
  ])('$name', async ({ given, target, want }) => {
    expect((await resolveTarget(path.join(work, given))).target).toBe(target);
    const inventory = await buildInventory({ paths: [path.join(work, given)], root: work });
    expect(inventory.packages.map((pkg) => `${pkg.name} ${pkg.version}`).sort()).toEqual(want);
  });
});
