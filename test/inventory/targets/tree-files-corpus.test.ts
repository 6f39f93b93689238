import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInventory } from '../../../src/inventory/build-inventory.js';
import { shared } from '../../helpers/shared-data.js';

// The real Ubuntu 22.04 root file system of the shared corpus holds usr/lib/os-release and the
// dpkg database; a real one also has etc/os-release -> /usr/lib/os-release, which the corpus
// leaves out. Put back, that link must lead to the tree's Ubuntu release, not the host's.

let work: string;
let rootfs: string;

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'vigil-rootfs-corpus-'));
  rootfs = path.join(work, 'jammy');
  cpSync(shared('corpus', 'debian', 'ubuntu2204-jammy-rootfs'), rootfs, { recursive: true });
  mkdirSync(path.join(rootfs, 'etc'), { recursive: true });
  symlinkSync('/usr/lib/os-release', path.join(rootfs, 'etc', 'os-release'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('the real Ubuntu 22.04 root file system with its etc/os-release link', () => {
  it.each([
    { name: 'as a root file system', given: () => rootfs },
    { name: 'its dpkg database named', given: () => path.join(rootfs, 'var', 'lib', 'dpkg', 'status') },
  ])('$name: every installed package is of Ubuntu:22.04:LTS', async ({ given }) => {
    const status = readFileSync(path.join(rootfs, 'var', 'lib', 'dpkg', 'status'), 'utf8');
    const installed = status.match(/^Status: install ok installed$/gm)?.length ?? 0;
    const inventory = await buildInventory({ paths: [given()], root: work });
    const dpkg = inventory.packages.filter((pkg) => pkg.location.file === 'jammy/var/lib/dpkg/status');
    expect(installed).toBeGreaterThan(100);
    expect(dpkg).toHaveLength(installed);
    expect(new Set(dpkg.map((pkg) => pkg.distro?.release))).toEqual(new Set(['Ubuntu:22.04:LTS']));
    expect(inventory.sources.find((source) => source.format === 'dpkg-status')?.related).toEqual(['jammy/etc/os-release']);
  });
});
