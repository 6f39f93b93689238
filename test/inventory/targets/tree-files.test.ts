import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../../src/core/types.js';
import { buildInventory } from '../../../src/inventory/build-inventory.js';
import { resolveTarget } from '../../../src/inventory/targets/detect.js';

// Root file systems unpacked as they come out of an image, absolute links kept as written
// (`etc/os-release -> /usr/lib/os-release` on every Debian and Ubuntu). Each link must resolve
// inside the root file system: the machine running the test has its own /usr/lib/os-release
// (and its own /etc/passwd), which must never be what vigil reads.

let work: string;

// os-release(5) of Ubuntu 22.04, as the distribution ships it.
const UBUNTU_JAMMY = 'NAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.5 LTS (Jammy Jellyfish)"\nVERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\n';
const DPKG_STATUS = [
  'Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.11.dfsg-2ubuntu9.2\nMaintainer: Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>\nDescription: compression library - runtime\n',
  'Package: liblzma5\nStatus: install ok installed\nArchitecture: amd64\nSource: xz-utils\nVersion: 5.2.5-2ubuntu1\nMaintainer: Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>\nDescription: XZ-format compression library\n',
].join('\n');
const metadata = (name: string, version: string): string => `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`;

function write(relative: string, text: string): void {
  mkdirSync(path.dirname(path.join(work, relative)), { recursive: true });
  writeFileSync(path.join(work, relative), text);
}

function link(relative: string, target: string): void {
  mkdirSync(path.dirname(path.join(work, relative)), { recursive: true });
  symlinkSync(target, path.join(work, relative));
}

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'vigil-rootfs-links-'));
  // The layout of a real Ubuntu 22.04 root file system.
  write('jammy/usr/lib/os-release', UBUNTU_JAMMY);
  link('jammy/etc/os-release', '/usr/lib/os-release');
  write('jammy/var/lib/dpkg/status', DPKG_STATUS);
  // Installed packages whose metadata files are absolute links to elsewhere in the tree.
  write('jammy/opt/wheels/six/METADATA', metadata('six', '1.16.0'));
  link('jammy/usr/local/lib/python3.10/dist-packages/six-1.16.0.dist-info/METADATA', '/opt/wheels/six/METADATA');
  link('jammy/lib', 'usr/lib');
  write('jammy/usr/lib/node/left-pad.json', '{"name": "left-pad", "version": "1.3.0"}\n');
  link('jammy/app/node_modules/left-pad/package.json', '/lib/node/left-pad.json');
  // And links written to leave the tree, or to loop.
  link('jammy/app/node_modules/evil/package.json', '/../../../../../../../../etc/passwd');
  link('jammy/usr/local/lib/python3.10/dist-packages/evil-1.0.dist-info/METADATA', '../../../../../../../../../../etc/passwd');
  link('jammy/app/node_modules/loop/package.json', '/app/node_modules/loop/package.json');

  // os-release only where no machine has one: read from the host, the release would be unknown.
  write('vendor/opt/vendor/os-release', UBUNTU_JAMMY);
  link('vendor/etc/os-release', '/opt/vendor/os-release');
  write('vendor/var/lib/dpkg/status', DPKG_STATUS);

  // os-release a link that climbs out of the tree: read from the host, it would be the host's /etc/os-release.
  link('escape/etc/os-release', '../../../../../../../../../../../etc/os-release');
  write('escape/var/lib/dpkg/status', DPKG_STATUS);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const releases = (inventory: Inventory): string[] => [...new Set(inventory.packages.filter((pkg) => pkg.distro !== undefined).map((pkg) => pkg.distro?.release ?? 'none'))];

describe('a root file system folder: absolute links resolve inside it, never on the host', () => {
  it('is told a root file system by its etc/os-release link', async () => {
    expect((await resolveTarget(path.join(work, 'jammy'))).target).toBe('rootfs');
  });

  it('reads the dpkg database with the release of its own os-release, and the linked package metadata', async () => {
    const inventory = await buildInventory({ paths: [path.join(work, 'jammy')], root: work });
    expect(inventory.packages.map((pkg) => `${pkg.ecosystem} ${pkg.name} ${pkg.version} ${pkg.distro?.release ?? ''}`).sort()).toEqual([
      'PyPI six 1.16.0 ',
      'Ubuntu liblzma5 5.2.5-2ubuntu1 Ubuntu:22.04:LTS',
      'Ubuntu zlib1g 1:1.2.11.dfsg-2ubuntu9.2 Ubuntu:22.04:LTS',
      'npm left-pad 1.3.0 ',
    ]);
    expect(inventory.sources.find((source) => source.format === 'dpkg-status')?.related).toEqual(['jammy/etc/os-release']);
    // Links out of the tree and the cycle are skipped entries (they fail the gate closed), not read.
    expect(inventory.skipped.map((entry) => `${entry.location.file}: ${entry.reason}`).sort()).toEqual([
      'jammy/app/node_modules/evil/package.json: not read: a symbolic link on the way points outside the folder',
      'jammy/app/node_modules/loop/package.json: not read: more than 40 symbolic links on the way (a cycle)',
      'jammy/usr/local/lib/python3.10/dist-packages/evil-1.0.dist-info/METADATA: not read: a symbolic link on the way points outside the folder',
    ]);
  });

  // A dpkg database read as a plain file (named, or found in a source tree) still belongs to its
  // root file system: what it reads beside itself is read there.
  it.each([
    { name: 'the folder, as a root file system', tree: 'jammy', given: '', want: ['Ubuntu:22.04:LTS'] },
    { name: 'its dpkg database named on the command line', tree: 'jammy', given: 'var/lib/dpkg/status', want: ['Ubuntu:22.04:LTS'] },
    { name: 'a source tree holding it', tree: 'jammy', given: '..', want: ['Ubuntu:22.04:LTS'] },
    { name: 'an os-release link to a path only the tree has', tree: 'vendor', given: '', want: ['Ubuntu:22.04:LTS'] },
    { name: 'the same, the dpkg database named', tree: 'vendor', given: 'var/lib/dpkg/status', want: ['Ubuntu:22.04:LTS'] },
  ])('$name: the release is the tree\'s', async ({ tree, given, want }) => {
    const target = path.join(work, tree, given);
    const inventory = await buildInventory({ paths: [target], root: work, ...(given === '..' ? { exclude: ['escape/**', 'vendor/**'] } : {}) });
    expect(releases(inventory)).toEqual(want);
  });

  it.each([
    { name: 'as a root file system', given: '' },
    { name: 'its dpkg database named', given: 'var/lib/dpkg/status' },
  ])('an os-release link out of the tree ($name): no release, every package skipped, the host\'s never read', async ({ given }) => {
    const inventory = await buildInventory({ paths: [path.join(work, 'escape', given)], root: work });
    expect(inventory.sources.find((source) => source.format === 'dpkg-status')?.related).toEqual([]);
    const skipped = inventory.skipped.filter((entry) => entry.location.file === 'escape/var/lib/dpkg/status');
    expect(skipped.map((entry) => entry.name).sort()).toEqual(['liblzma5', 'zlib1g']);
    for (const entry of skipped) expect(entry.reason).toMatch(/no etc\/os-release or usr\/lib\/os-release/);
  });
});
