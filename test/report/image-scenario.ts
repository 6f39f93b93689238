import { createHash } from 'node:crypto';
import type { StoreStatus } from '../../src/advisories/types.js';
import { fixedClock } from '../../src/core/clock.js';
import type { AuditedImage, Finding, Inventory, Package } from '../../src/core/types.js';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { evaluateGate } from '../../src/policy/gate.js';
import { buildReport, type Report } from '../../src/report/report.js';

// A small image audit written out by hand, so the reports' image and OS-package output is tested
// on a clone without the shared corpus. Its layers, paths, lines and packages are those of the
// shared vigil-debian12-small image (docker save diff ids; the lines of its dpkg status file), so
// the facts below can be checked against that image; the advisories are made up (ids TEST-...).

export const IMAGE_NOW = '2026-11-22T10:00:00.000Z';

/** Layer 2 (COPY var/): var/lib/dpkg/status. */
export const LAYER_DPKG = 'sha256:aed824276830fa0c39a435387b32b5284fe97c78e3b1dbe9dcbc6b8f717eb0b1';
/** Layer 3 (COPY usr/): the site-packages dist-info folders. */
export const LAYER_PYTHON = 'sha256:97e0df43f19fd1c96795d370daa29ed5fb8544686c90287952a439c4b4b4e044';
/** Layer 4 (COPY app/): app/node_modules. */
export const LAYER_APP = 'sha256:7885cca8ac7130fb712607b5e76fdfb4ff1e96a1bf0d2c29106d9f2b28872c12';

/**
 * The image as the shared archive's manifest.json names it: its one RepoTags entry, and its image
 * id (its configuration is `61a8...json`); the layers are the configuration's diff ids.
 */
export const SCENARIO_IMAGE: AuditedImage = {
  path: 'image.tar',
  format: 'docker-save',
  references: ['vigil-test/debian12-small:1'],
  repository: 'vigil-test/debian12-small',
  tag: '1',
  digest: 'sha256:61a8a5d57f4ee89a8920218ba7d185744db23086e0c0a12771bb04b4d977cabc',
  digestOf: 'config',
  layers: [
    'sha256:88623d17ce4aa6fc26fe0575e69652da1cbd2594198adfed384111aebb5d972e',
    'sha256:aed824276830fa0c39a435387b32b5284fe97c78e3b1dbe9dcbc6b8f717eb0b1',
    'sha256:97e0df43f19fd1c96795d370daa29ed5fb8544686c90287952a439c4b4b4e044',
    'sha256:7885cca8ac7130fb712607b5e76fdfb4ff1e96a1bf0d2c29106d9f2b28872c12',
    'sha256:1c16ae2d9bfba1872c453d342acf80ba95b5f6de0e0a68fe4529fe4d34e50bd1',
    'sha256:d4d33b16856377e9f6a40c0445d1a7380c4dac1ecf8994636168568aded573fe',
  ],
};

/** A package name no npm registry would accept, as a hostile tar could still carry it. */
export const HOSTILE_NAME = '<img src=x onerror=alert(1)>';

const status = '/var/lib/dpkg/status';

/** An entry of the image vigil could not read: unevaluable, so it fails the default policy too. */
export const SKIPPED_LINK = {
  location: { file: '/usr/local/lib/python3.12/site-packages/broken-1.0.dist-info/METADATA', layer: LAYER_PYTHON },
  reason: 'not read: a symbolic link to nothing in the tree',
} as const;

function debianPackage(name: string, version: string, line: number, source: { name: string; version: string }, purl: string): Package {
  return {
    key: `image.tar!${status}#${name}:amd64`,
    ecosystem: 'Debian',
    name,
    version,
    purl,
    location: { file: status, line, layer: LAYER_DPKG },
    direct: 'unknown',
    scopes: [],
    dependsOn: [],
    distro: { release: 'Debian:12', sourceName: source.name, sourceVersion: source.version, architecture: 'amd64' },
  };
}

export const PACKAGES = {
  // status line 1548: Package: liblzma5, Source: xz-utils, Version: 5.4.1-0.2
  liblzma5: debianPackage('liblzma5', '5.4.1-0.2', 1548, { name: 'xz-utils', version: '5.4.1-0.2' }, 'pkg:deb/debian/liblzma5@5.4.1-0.2?arch=amd64&distro=debian-12'),
  // status line 120: Package: bash, Source: bash (5.2.15-2), Version: 5.2.15-2+b7 (a binNMU)
  bash: debianPackage('bash', '5.2.15-2+b7', 120, { name: 'bash', version: '5.2.15-2' }, 'pkg:deb/debian/bash@5.2.15-2%2Bb7?arch=amd64&distro=debian-12'),
  setuptools: {
    key: 'image.tar!/usr/local/lib/python3.12/site-packages/setuptools-69.5.1.dist-info/METADATA#setuptools@69.5.1',
    ecosystem: 'PyPI',
    name: 'setuptools',
    version: '69.5.1',
    purl: 'pkg:pypi/setuptools@69.5.1',
    location: { file: '/usr/local/lib/python3.12/site-packages/setuptools-69.5.1.dist-info/METADATA', layer: LAYER_PYTHON },
    direct: 'unknown',
    scopes: [],
    dependsOn: [],
  },
  hostile: {
    key: `image.tar!/app/node_modules/${HOSTILE_NAME}/package.json#x`,
    ecosystem: 'npm',
    name: HOSTILE_NAME,
    version: '1.2.5',
    purl: 'pkg:npm/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E@1.2.5',
    location: { file: `/app/node_modules/${HOSTILE_NAME}/package.json`, line: 1, layer: LAYER_APP },
    direct: 'unknown',
    scopes: [],
    dependsOn: [],
  },
} as const satisfies Record<string, Package>;

function finding(id: string, pkg: Package, fixed: string[], extra: Partial<Finding> = {}): Finding {
  return {
    id,
    aliases: [],
    records: [id],
    package: pkg,
    paths: [],
    summary: `${id} summary`,
    severity: { level: 'high', source: `${id}:test` },
    fixed,
    published: '2026-11-01T00:00:00Z',
    firstSeen: undefined,
    modified: '2026-11-01T00:00:00Z',
    fingerprint: createHash('sha256').update(`${id}\u0000${pkg.name}`).digest('hex').slice(0, 32),
    ...extra,
  };
}

/** The image scenario's findings: one per package, the dpkg ones with Debian's classification. */
export const FINDINGS: readonly Finding[] = [
  finding('TEST-DEB-XZ', PACKAGES.liblzma5, ['5.4.1-0.2+deb12u1'], { distro: { urgency: 'low', noDsa: 'minor issue', unfixed: false } }),
  finding('TEST-DEB-BASH', PACKAGES.bash, [], { distro: { urgency: 'high', unfixed: true } }),
  finding('TEST-PYPI-SETUPTOOLS', PACKAGES.setuptools, ['70.0.0']),
  finding('TEST-NPM-HOSTILE', PACKAGES.hostile, ['1.2.6'], { summary: 'breaks out </td></tr><script>alert(1)</script> \u001b[31mred\u001b[0m\n::error::injected' }),
];

/** The scenario's report; `images` replaces what the inventory says of the image (none: `[]`). */
export function buildImageReport(images: readonly AuditedImage[] = [SCENARIO_IMAGE]): Report {
  const clock = fixedClock(IMAGE_NOW);
  const inventory: Inventory = {
    root: '/',
    sources: [
      { path: status, format: 'dpkg-status', packages: 2, skipped: 0, related: [] },
      { path: PACKAGES.setuptools.location.file, format: 'installed-metadata', packages: 1, skipped: 0, related: [] },
      { path: PACKAGES.hostile.location.file, format: 'installed-package-json', packages: 1, skipped: 0, related: [] },
    ],
    packages: Object.values(PACKAGES),
    skipped: [SKIPPED_LINK],
    images,
  };
  const database: StoreStatus = {
    path: 'advisories.db',
    records: 4,
    withdrawn: 0,
    newestModified: '2026-11-01T00:00:00Z',
    updatedAt: '2026-11-22T09:00:00Z',
    ecosystems: [],
  };
  const gate = evaluateGate(FINDINGS, DEFAULT_POLICY, clock);
  return buildReport({ inventory, findings: FINDINGS, warnings: [], database, auditedAt: clock.now() }, gate, DEFAULT_POLICY, '0.0.0-test');
}
