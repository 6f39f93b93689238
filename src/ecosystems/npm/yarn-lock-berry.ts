import { LockfileParseError } from '../../core/errors.js';
import { notAudited, type Directness, type Package, type SkippedEntry } from '../../core/types.js';
import { missingEntriesSkipped, type MissingEntry } from '../missing-entries.js';
import { makePackage, type PackageFields } from '../package.js';

type LockedFields = Omit<PackageFields, 'direct' | 'scopes' | 'dependsOn'>;
import type { DependencyFile, ParseContext, ParsedDependencyFile } from '../types.js';
import { type DependencyEdge, type DependencyRoot, reachFrom, scopesOfReach } from './dependency-graph.js';
import { asRecord, asString, type JsonRecord, readManifest, stringEntries } from './manifest.js';
import { classifySpecifier, describeSource, splitDescriptor } from './source.js';
import { parseYamlLock } from './yaml-lock.js';

// yarn.lock of Yarn 2+ ("Berry"), a YAML file (https://yarnpkg.com/configuration/yarnrc,
// https://github.com/yarnpkg/berry/blob/master/packages/yarnpkg-core/sources/Project.ts). Entries
// are keyed by the descriptors they satisfy (`name@npm:^1.2.0, name@npm:^1.3.0`) and say what they
// resolved to (`resolution: "name@npm:1.3.1"`). Workspaces are entries too (`name@workspace:path`):
// they are the project, and their dependencies are the direct ones.

/** `__metadata.version` values of Yarn 2 (4) to Yarn 4 (8). */
const SUPPORTED_VERSIONS = [4, 5, 6, 7, 8];

type BerryNode =
  | { readonly kind: 'workspace'; readonly key: string; readonly directory: string; readonly data: JsonRecord }
  | { readonly kind: 'package'; readonly key: string; readonly data: JsonRecord; readonly fields: LockedFields; readonly base?: string };

/** Parses a Yarn Berry (v2+) yarn.lock. */
export async function parseYarnBerryLock(file: DependencyFile, context: ParseContext): Promise<ParsedDependencyFile> {
  const lock = await parseYamlLock(file, 'yarn.lock', 'the file is truncated or was edited by hand; run `yarn install` to rewrite it');
  const data = lock?.data ?? {};
  const lines = lock?.keyLines() ?? new Map<string, number>();
  checkVersion(file, asRecord(data.__metadata), lines.get('__metadata'));

  const nodes: BerryNode[] = [];
  const skipped: SkippedEntry[] = [];
  const byDescriptor = new Map<string, BerryNode>();
  // Every name with an entry, skipped ones included, to tell a missing entry from a skipped one.
  const lockedNames = new Set<string>();
  for (const [header, value] of Object.entries(data)) {
    if (header === '__metadata') continue;
    const location = { file: file.path, line: lines.get(header) };
    const entry = asRecord(value);
    const descriptors = header.split(/,\s*/);
    for (const descriptor of descriptors) lockedNames.add(splitDescriptor(descriptor).name);
    const first = splitDescriptor(descriptors[0] ?? header);
    const resolution = asString(entry?.resolution);
    if (!entry || resolution === undefined) {
      skipped.push({ location, name: first.name, ecosystem: 'npm', reason: 'no resolution in the lockfile entry' });
      continue;
    }
    const node = readEntry(resolution, entry, location);
    if ('reason' in node) {
      skipped.push({ location, name: node.name, version: node.version, ecosystem: 'npm', ...notAudited(node.reason) });
      continue;
    }
    nodes.push(node);
    for (const descriptor of descriptors) byDescriptor.set(descriptor, node);
    byDescriptor.set(resolution, node);
  }

  const resolveDependency = makeResolver(nodes, byDescriptor);
  const edgesOf = new Map<string, DependencyEdge[]>();
  const missing: MissingEntry[] = [];
  for (const node of nodes) {
    const optional = optionalNames(node.data);
    const edges: DependencyEdge[] = [];
    for (const field of ['dependencies', 'optionalDependencies']) {
      for (const [name, range] of stringEntries(node.data[field])) {
        const target = resolveDependency(name, range);
        // Yarn locks every dependency it resolved (other platforms' optional ones too): a name
        // with no entry at all means entries are missing, as in a file cut short between two.
        if (!target && !lockedNames.has(name)) {
          missing.push({ from: node.key, dependency: `${name}@${range}`, location: node.kind === 'package' ? node.fields.location : { file: file.path } });
        }
        if (target) edges.push({ target: target.key, optional: field === 'optionalDependencies' || optional.has(name) });
      }
    }
    // A patched package is built from its base package: whatever reaches one reaches both.
    const base = node.kind === 'package' && node.base !== undefined ? byDescriptor.get(node.base) : undefined;
    if (base) edges.push({ target: base.key, optional: false });
    edgesOf.set(node.key, edges);
  }

  // Workspace entries list dev dependencies among `dependencies`; only the workspace's own
  // package.json tells them apart. Without it they count as production (fail closed).
  const roots: DependencyRoot[] = [];
  const related: string[] = [];
  const workspaces = nodes.filter((node) => node.kind === 'workspace');
  for (const workspace of workspaces) {
    const manifestPath = workspace.directory === '.' ? 'package.json' : `${workspace.directory}/package.json`;
    const manifest = await readManifest(context, manifestPath);
    if (manifest) related.push(manifest.path);
    const production = new Set([
      ...Object.keys(asRecord(manifest?.manifest.dependencies) ?? {}),
      ...Object.keys(asRecord(manifest?.manifest.optionalDependencies) ?? {}),
    ]);
    const devOnly = (name: string): boolean =>
      manifest !== undefined && name in (asRecord(manifest.manifest.devDependencies) ?? {}) && !production.has(name);
    const optional = optionalNames(workspace.data);
    for (const [name, range] of stringEntries(workspace.data.dependencies)) {
      const target = resolveDependency(name, range);
      if (target) roots.push({ target: target.key, dev: devOnly(name), optional: optional.has(name) });
    }
  }
  const reach = reachFrom(roots, (key) => edgesOf.get(key) ?? []);
  const directKeys = new Set(roots.map((root) => root.target));

  const packageKeys = new Set(nodes.filter((node) => node.kind === 'package').map((node) => node.key));
  const packages: Package[] = [];
  for (const node of nodes) {
    if (node.kind !== 'package') continue;
    // Without any workspace entry the file does not say what the project asks for.
    let direct: Directness = 'unknown';
    if (workspaces.length > 0) direct = directKeys.has(node.key);
    const dependsOn = new Set<string>();
    for (const edge of edgesOf.get(node.key) ?? []) {
      if (packageKeys.has(edge.target)) dependsOn.add(edge.target);
    }
    packages.push(makePackage({ ...node.fields, direct, scopes: scopesOfReach(reach.get(node.key)), dependsOn: [...dependsOn] }));
  }
  return { packages, skipped: [...skipped, ...missingEntriesSkipped(missing, '`yarn install`')], related };
}

/** Dependencies marked `optional: true` in `dependenciesMeta` (how Berry records optionalDependencies). */
function optionalNames(data: JsonRecord): Set<string> {
  const names = new Set<string>();
  for (const [name, meta] of Object.entries(asRecord(data.dependenciesMeta) ?? {})) {
    if (asRecord(meta)?.optional === 'true') names.add(name);
  }
  return names;
}

function checkVersion(file: DependencyFile, metadata: JsonRecord | undefined, line: number | undefined): void {
  const written = asString(metadata?.version);
  const version = written === undefined ? NaN : Number(written);
  if (SUPPORTED_VERSIONS.includes(version)) return;
  throw new LockfileParseError(
    written === undefined ? 'missing __metadata.version in yarn.lock' : `unsupported yarn.lock __metadata.version ${written}`,
    {
      location: { file: file.path, line: line ?? 1 },
      hint: 'vigil reads yarn.lock files of Yarn 2 to 4 (__metadata.version 4 to 8)',
    },
  );
}

type EntryReading = BerryNode | { readonly name: string; readonly version?: string; readonly reason: string };

/** What a resolution (`name@npm:1.2.3`, `name@workspace:dir`, `name@patch:...`) stands for. */
function readEntry(resolution: string, data: JsonRecord, location: PackageFields['location']): EntryReading {
  const { name, range: reference } = splitDescriptor(resolution);
  const version = asString(data.version);
  if (reference.startsWith('workspace:')) {
    return { kind: 'workspace', key: resolution, directory: reference.slice('workspace:'.length), data };
  }
  if (reference.startsWith('npm:')) {
    const locked = reference.slice('npm:'.length);
    return { kind: 'package', key: resolution, data, fields: { ecosystem: 'npm', key: resolution, name, version: locked, location } };
  }
  if (reference.startsWith('patch:')) {
    // `patch:<name>@<url-encoded base reference>#<patch>::version=...`: the code is the base
    // package's, patched locally, so advisories of the base version apply.
    const hash = reference.indexOf('#');
    const inner = decodeURIComponent(reference.slice('patch:'.length, hash < 0 ? undefined : hash));
    const base = splitDescriptor(inner);
    if (base.range.startsWith('npm:')) {
      const locked = version ?? base.range.slice('npm:'.length);
      return { kind: 'package', key: resolution, data, base: inner, fields: { ecosystem: 'npm', key: resolution, name, version: locked, location } };
    }
    return { name, version: inner, reason: `patch of a non-registry package: ${describeSource(classifySpecifier(base.range))}` };
  }
  return { name, version: reference, reason: describeSource(classifySpecifier(reference)) };
}

/**
 * Finds the entry a `name: range` dependency resolved to. Ranges without a protocol are npm's
 * (`^1.0.0` means `npm:^1.0.0`). A descriptor Yarn wraps in a patch (its built-in compat patches
 * for typescript, fsevents, resolve; `resolutions` to `patch:`) resolves to the patched entry,
 * whose key names the wrapped descriptor: `typescript@patch:typescript@^5.0.4#~builtin<...>`.
 * Descriptors rewritten by `resolutions` or bound to a workspace (`::locator=...`) are not written
 * as such in the file: fall back to the one entry of that name.
 */
function makeResolver(
  nodes: readonly BerryNode[],
  byDescriptor: ReadonlyMap<string, BerryNode>,
): (name: string, range: string) => BerryNode | undefined {
  const byBareDescriptor = new Map<string, BerryNode | null>();
  const patchOf = new Map<string, BerryNode>();
  const byName = new Map<string, BerryNode | null>();
  const patchBases = new Set<string>();
  for (const node of nodes) if (node.kind === 'package' && node.base !== undefined) patchBases.add(node.base);
  for (const [descriptor, node] of byDescriptor) {
    const patched = /^(?:@[^/@]+\/)?[^@]+@patch:([^#]+)#/.exec(descriptor)?.[1];
    if (patched !== undefined) {
      const inner = splitDescriptor(decodeURIComponent(patched));
      patchOf.set(npmDescriptor(inner.name, inner.range), node);
    }
    const bare = descriptor.split('::')[0] ?? descriptor;
    if (bare !== descriptor) byBareDescriptor.set(bare, byBareDescriptor.has(bare) && byBareDescriptor.get(bare) !== node ? null : node);
  }
  for (const node of nodes) {
    if (node.kind === 'package' && patchBases.has(node.key)) continue;
    const name = splitDescriptor(node.key).name;
    byName.set(name, byName.has(name) && byName.get(name) !== node ? null : node);
  }
  return (name, range) => {
    const descriptor = npmDescriptor(name, range);
    return patchOf.get(descriptor) ?? byDescriptor.get(descriptor) ?? byBareDescriptor.get(descriptor) ?? byName.get(name) ?? undefined;
  };
}

function npmDescriptor(name: string, range: string): string {
  return /^[a-z]+:/.test(range) ? `${name}@${range}` : `${name}@npm:${range}`;
}
