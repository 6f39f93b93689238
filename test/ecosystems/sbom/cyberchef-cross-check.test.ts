import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Package, PackageScope } from '../../../src/core/types.js';
import { cycloneDxJsonParser } from '../../../src/ecosystems/sbom/parsers.js';
import { spdxJsonParser } from '../../../src/ecosystems/sbom/parsers.js';
import { parseFile, shared } from '../../helpers/shared-data.js';

// CyberChef 10.8.2's CycloneDX and SPDX SBOMs were both written by `npm sbom` from the same
// package-lock.json. What each says is checked against the other and against the lockfile, read
// plainly here.

interface LockEntry {
  readonly name?: string;
  readonly version?: string;
  readonly dev?: boolean;
  readonly optional?: boolean;
  readonly peer?: boolean;
}
interface PackageLock {
  readonly packages: Readonly<Record<string, LockEntry & Readonly<Record<string, unknown>>>>;
}

const lock = JSON.parse(readFileSync(shared('corpus', 'npm', 'cyberchef', 'package-lock.json'), 'utf8')) as PackageLock;

/** `node_modules/a/node_modules/@s/b` -> `@s/b`. */
function nameOfLockPath(lockPath: string): string {
  return lockPath.slice(lockPath.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

/** Every installed lockfile entry (the root `""` is the project), as name@version with its flags. */
const lockInstances = Object.entries(lock.packages)
  .filter(([lockPath]) => lockPath !== '')
  .map(([lockPath, entry]) => ({
    id: `${entry.name ?? nameOfLockPath(lockPath)}@${String(entry.version)}`,
    flags: (['dev', 'optional', 'peer'] as const).filter((flag) => entry[flag] === true),
  }));

const lockIds = new Set(lockInstances.map((instance) => instance.id));

/** A flag holds for a name@version when it holds for every installed copy of it. */
function lockScopesOf(id: string): PackageScope[] {
  const copies = lockInstances.filter((instance) => instance.id === id);
  return (['dev', 'optional', 'peer'] as const).filter((flag) => copies.every((copy) => copy.flags.includes(flag)));
}

/** What the root package.json asks for, resolved to the top-level copy. */
const root = lock.packages[''] as Readonly<Record<string, Readonly<Record<string, string>> | undefined>>;
const declared = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'].flatMap((field) =>
  Object.keys(root[field] ?? {}),
);
const lockDirect = new Set(declared.map((name) => `${name}@${String(lock.packages[`node_modules/${name}`]?.version)}`));

const idOf = (p: Package): string => `${p.name}@${p.version}`;

function edgesByName(packages: readonly Package[]): Map<string, Set<string>> {
  const byKey = new Map(packages.map((p) => [p.key, idOf(p)]));
  return new Map(packages.map((p) => [idOf(p), new Set(p.dependsOn.map((key) => byKey.get(key) ?? `missing ${key}`))]));
}

let cyclonedx: readonly Package[] = [];
let spdx: readonly Package[] = [];

beforeAll(async () => {
  cyclonedx = (await parseFile(cycloneDxJsonParser, shared('corpus', 'sbom-cyclonedx', 'cyberchef-npm-sbom', 'cyberchef-10.8.2.cdx.json'))).packages;
  spdx = (await parseFile(spdxJsonParser, shared('corpus', 'sbom-spdx', 'cyberchef-npm-sbom', 'cyberchef-10.8.2.spdx.json'))).packages;
});

describe('cyberchef SBOMs against each other and the lockfile', () => {
  it('name@version sets are equal: CycloneDX = SPDX = package-lock', () => {
    expect(new Set(cyclonedx.map(idOf))).toEqual(new Set(spdx.map(idOf)));
    expect(new Set(cyclonedx.map(idOf))).toEqual(lockIds);
  });

  it('the SBOMs list each name@version once; the lockfile installs some several times', () => {
    // npm sbom keys a package by name@version (bom-ref / SPDXID), so copies nested at several
    // paths of node_modules become one entry.
    expect(cyclonedx).toHaveLength(lockIds.size);
    expect(spdx).toHaveLength(lockIds.size);
    expect(lockIds.size).toBe(1253);
    expect(lockInstances).toHaveLength(1383);
  });

  it('direct packages are the ones package.json declares, in both SBOMs', () => {
    expect(new Set(cyclonedx.filter((p) => p.direct === true).map(idOf))).toEqual(lockDirect);
    expect(new Set(spdx.filter((p) => p.direct === true).map(idOf))).toEqual(lockDirect);
    expect(lockDirect.size).toBe(136);
  });

  it('SPDX scopes, computed from edge kinds, equal the lockfile flags shared by every copy', () => {
    const mismatches = spdx
      .map((p) => ({ id: idOf(p), spdx: p.scopes, lock: lockScopesOf(idOf(p)) }))
      .filter((row) => row.spdx.join('+') !== row.lock.join('+'));
    expect(mismatches).toEqual([]);
  });

  it('CycloneDX marks dev packages only, from one copy of each name@version', () => {
    // npm writes the dev property of the node it kept when merging copies; where copies differ
    // (5 name@versions here) that is the first copy in lockfile order. SPDX, computed from the
    // merged edges above, is the more faithful of the two. npm writes neither optional nor peer
    // into CycloneDX (its `scope: "optional"` accompanies the dev property on exactly the same
    // components).
    const firstCopyIsDev = (id: string): boolean => lockInstances.find((instance) => instance.id === id)?.flags.includes('dev') === true;
    const mismatches = cyclonedx
      .map((p) => ({ id: idOf(p), cyclonedx: p.scopes, lock: firstCopyIsDev(idOf(p)) ? ['dev'] : [] }))
      .filter((row) => row.cyclonedx.join('+') !== row.lock.join('+'));
    expect(mismatches).toEqual([]);
    const mixed = [...lockIds].filter((id) => new Set(lockInstances.filter((i) => i.id === id).map((i) => i.flags.join('+'))).size > 1);
    expect(mixed.sort()).toEqual(['buffer@5.7.1', 'core-js@2.6.12', 'entities@4.5.0', 'safe-buffer@5.2.1', 'source-map@0.6.1']);
  });

  it('dependency edges: SPDX has the union over all copies, CycloneDX the edges of one copy', () => {
    const fromCycloneDx = edgesByName(cyclonedx);
    const fromSpdx = edgesByName(spdx);
    const copies = (id: string): number => lockInstances.filter((instance) => instance.id === id).length;
    const differing: string[] = [];
    for (const [id, targets] of fromSpdx) {
      const cyclonedxTargets = fromCycloneDx.get(id) ?? new Set<string>();
      for (const target of cyclonedxTargets) expect(targets.has(target), `${id} -> ${target}`).toBe(true);
      if (cyclonedxTargets.size !== targets.size) differing.push(id);
    }
    // Only packages installed in several copies (which may resolve their dependencies differently) differ.
    expect(differing.filter((id) => copies(id) < 2)).toEqual([]);
    // ajv-keywords@5.1.0 is installed twice, next to ajv@8.11.2 and ajv@8.12.0.
    expect(differing).toEqual(['ajv-keywords@5.1.0']);
  });
});
