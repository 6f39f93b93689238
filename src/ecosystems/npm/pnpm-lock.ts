import { LockfileParseError } from '../../core/errors.js';
import { notAudited, type Directness, type Package, type PackageScope, type SkippedEntry } from '../../core/types.js';
import { missingEntriesSkipped, type MissingEntry } from '../missing-entries.js';
import { makePackage } from '../package.js';
import type { DependencyFile, ParsedDependencyFile } from '../types.js';
import { type DependencyEdge, type DependencyRoot, type Reach, reachFrom, scopesOfReach } from './dependency-graph.js';
import { asRecord, asString, type JsonRecord } from './manifest.js';
import { classifyResolved, describeSource, type NpmSource, splitDescriptor } from './source.js';
import { parseYamlLock } from './yaml-lock.js';

// pnpm-lock.yaml (https://github.com/pnpm/spec/tree/master/lockfile). Three shapes:
// - 5.x: `packages` keyed `/name/1.2.3_peer@1.0.0`, root `dependencies` or `importers` with
//   plain versions, `dev`/`optional` flags on each package;
// - 6.x: keys `/name@1.2.3(peer@1.0.0)`, importers with `{specifier, version}`, same flags;
// - 9.0: `packages` keyed `name@1.2.3` (one per version) and `snapshots` keyed with the peer
//   suffix (one per peer combination) holding the dependencies; no flags, so dev and optional come
//   from walking the graph from the importers.

type Format = 'v5' | 'v6' | 'v9';

const DEPENDENCY_FIELDS = [
  { field: 'dependencies', dev: false, optional: false },
  { field: 'optionalDependencies', dev: false, optional: true },
  { field: 'devDependencies', dev: true, optional: false },
] as const;

/** Parses a pnpm-lock.yaml. */
export async function parsePnpmLock(file: DependencyFile): Promise<ParsedDependencyFile> {
  const parsed = await parseYamlLock(file, 'pnpm-lock.yaml', 'the file is truncated or was edited by hand; run `pnpm install` to rewrite it');
  // pnpm always writes lockfileVersion: a file of comments only is not a lock of nothing.
  if (!parsed) {
    throw new LockfileParseError('pnpm-lock.yaml has no lockfileVersion, which pnpm always writes: the file is truncated or not a pnpm lockfile', {
      location: { file: file.path },
      hint: 'restore the file from version control, or run `pnpm install --lockfile-only` to rewrite it',
    });
  }
  const lock = parsed.data;
  const format = formatOf(file, asString(lock.lockfileVersion), parsed.keyLines().get('lockfileVersion'));
  const packageLines = parsed.keyLines('packages');
  const packages = asRecord(lock.packages) ?? {};
  // In 9.0 the graph lives in `snapshots`; before, `packages` holds both.
  const snapshots = format === 'v9' ? (asRecord(lock.snapshots) ?? {}) : packages;
  const snapshotKeys = new Set(Object.keys(snapshots));
  const packageKeyOf = (snapshotKey: string): string => (format === 'v9' ? stripPeerSuffix(snapshotKey) : snapshotKey);

  const resolve = (name: string, reference: string): string | undefined => {
    // `link:../foo` is another workspace of the project, not an installed package.
    if (reference.startsWith('link:')) return undefined;
    for (const candidate of candidateKeys(format, name, reference)) if (snapshotKeys.has(candidate)) return candidate;
    return undefined;
  };

  // pnpm locks every dependency it resolved: a reference with no entry means entries are missing
  // (a file cut short between two entries is still valid YAML).
  const snapshotLines = format === 'v9' ? parsed.keyLines('snapshots') : packageLines;
  const missing: MissingEntry[] = [];
  const noteMissing = (from: string, name: string, reference: string): void => {
    missing.push({ from, dependency: `${name} ${reference}`, location: { file: file.path, line: snapshotLines.get(from) } });
  };
  const edgesOf = new Map<string, DependencyEdge[]>();
  for (const [key, value] of Object.entries(snapshots)) {
    const snapshot = asRecord(value) ?? {};
    const edges: DependencyEdge[] = [];
    for (const [field, optional] of [
      ['dependencies', false],
      ['optionalDependencies', true],
    ] as const) {
      for (const [name, reference] of Object.entries(asRecord(snapshot[field]) ?? {})) {
        const target = typeof reference === 'string' ? resolve(name, reference) : undefined;
        if (target === undefined && typeof reference === 'string' && !reference.startsWith('link:')) noteMissing(key, name, reference);
        if (target !== undefined) edges.push({ target, optional });
      }
    }
    edgesOf.set(key, edges);
  }

  const importers = readImporters(lock);
  const roots: DependencyRoot[] = [];
  for (const importer of importers ?? []) {
    for (const { field, dev, optional } of DEPENDENCY_FIELDS) {
      for (const [name, value] of Object.entries(asRecord(importer[field]) ?? {})) {
        const reference = typeof value === 'string' ? value : asString(asRecord(value)?.version);
        const target = reference === undefined ? undefined : resolve(name, reference);
        if (target === undefined && reference !== undefined && !reference.startsWith('link:')) noteMissing('importers', name, reference);
        if (target !== undefined) roots.push({ target, dev, optional });
      }
    }
  }
  const directKeys = new Set(roots.map((root) => packageKeyOf(root.target)));
  // 9.0 has no flags: walk from the importers, then merge the snapshots of each package.
  const reachByPackage = new Map<string, Reach>();
  if (format === 'v9') {
    for (const [key, reach] of reachFrom(roots, (target) => edgesOf.get(target) ?? [])) {
      const packageKey = packageKeyOf(key);
      const known = reachByPackage.get(packageKey);
      reachByPackage.set(packageKey, {
        byProduction: reach.byProduction || (known?.byProduction ?? false),
        byRequired: reach.byRequired || (known?.byRequired ?? false),
      });
    }
  }
  const dependsOnByPackage = new Map<string, Set<string>>();
  for (const [key, edges] of edgesOf) {
    const packageKey = packageKeyOf(key);
    const targets = dependsOnByPackage.get(packageKey) ?? new Set<string>();
    for (const edge of edges) targets.add(packageKeyOf(edge.target));
    dependsOnByPackage.set(packageKey, targets);
  }

  const result: Package[] = [];
  const skipped: SkippedEntry[] = [];
  for (const [key, value] of Object.entries(packages)) {
    const entry = asRecord(value) ?? {};
    const location = { file: file.path, line: packageLines.get(key) };
    const parsed = parsePackageKey(format, key);
    const name = asString(entry.name) ?? parsed?.name;
    const source = sourceOf(entry, key);
    if (source.kind !== 'registry') {
      skipped.push({ location, name, version: asString(entry.version) ?? parsed?.version, ecosystem: 'npm', ...notAudited(describeSource(source)) });
      continue;
    }
    const version = asString(entry.version) ?? parsed?.version;
    if (name === undefined || version === undefined) {
      skipped.push({ location, name, ecosystem: 'npm', reason: `cannot read a package name and version from "${key}"` });
      continue;
    }
    let direct: Directness = 'unknown';
    if (importers) direct = directKeys.has(key);
    const dependsOn = [...(dependsOnByPackage.get(key) ?? [])].filter((target) => target !== key && target in packages);
    result.push(
      makePackage({
        ecosystem: 'npm',
        key,
        name,
        version,
        location,
        direct,
        scopes: format === 'v9' ? scopesOfReach(reachByPackage.get(key)) : scopesFromFlags(entry),
        dependsOn,
      }),
    );
  }
  return { packages: result, skipped: [...skipped, ...missingEntriesSkipped(missing, '`pnpm install --lockfile-only`')], related: [] };
}

function formatOf(file: DependencyFile, version: string | undefined, line: number | undefined): Format {
  if (version !== undefined) {
    if (/^5(?:\.[0-4])?$/.test(version)) return 'v5';
    if (/^6\.[01]$/.test(version)) return 'v6';
    if (version === '9.0') return 'v9';
  }
  throw new LockfileParseError(version === undefined ? 'missing lockfileVersion' : `unsupported pnpm lockfileVersion ${version}`, {
    location: { file: file.path, line: line ?? 1 },
    hint: 'vigil reads pnpm-lock.yaml lockfileVersion 5.x (pnpm 7), 6.x (pnpm 8) and 9.0 (pnpm 9 and 10)',
  });
}

/** The importers (project directories) and what each asks for; undefined when the file does not say. */
function readImporters(lock: JsonRecord): JsonRecord[] | undefined {
  const importers = asRecord(lock.importers);
  if (importers) return Object.values(importers).map((importer) => asRecord(importer) ?? {});
  // Single-project files before 9.0 keep the root importer's fields at the top.
  if (['specifiers', ...DEPENDENCY_FIELDS.map(({ field }) => field)].some((field) => field in lock)) return [lock];
  return undefined;
}

/** Keys an importer or package reference (`1.2.3`, `1.2.3(peer@1)`, `/real/1.2.3`, `real@1.2.3`) may name. */
function candidateKeys(format: Format, name: string, reference: string): string[] {
  switch (format) {
    case 'v5':
      return reference.startsWith('/') ? [reference] : [`/${name}/${reference}`, reference];
    case 'v6':
      return reference.startsWith('/') ? [reference] : [`/${name}@${reference}`, reference];
    case 'v9':
      // An alias's reference is the real package's key: `string-width-cjs: string-width@4.2.3`.
      return [`${name}@${reference}`, reference];
  }
}

/** Name and version a package key encodes, without the peer suffix (`_peer@1` or `(peer@1)`). */
function parsePackageKey(format: Format, key: string): { name: string; version: string } | undefined {
  if (format === 'v5') {
    const path = key.startsWith('/') ? key.slice(1) : withoutRegistryHost(key);
    if (path === undefined) return undefined;
    const segments = path.split('/');
    const scoped = segments[0]?.startsWith('@') ?? false;
    const name = scoped ? `${segments[0] ?? ''}/${segments[1] ?? ''}` : segments[0];
    const version = segments[scoped ? 2 : 1];
    if (name === undefined || version === undefined || segments.length !== (scoped ? 3 : 2)) return undefined;
    return { name, version: version.split('_')[0] ?? version };
  }
  const descriptor = format === 'v6' ? (key.startsWith('/') ? key.slice(1) : withoutRegistryHost(key)) : key;
  if (descriptor === undefined) return undefined;
  const { name, range } = splitDescriptor(descriptor);
  if (range === '') return undefined;
  return { name, version: stripPeerSuffix(range) };
}

/** `registry.example.com/foo/1.0.0` (a package from another registry, 5.x/6.x) without the host. */
function withoutRegistryHost(key: string): string | undefined {
  const slash = key.indexOf('/');
  const host = key.slice(0, slash);
  if (slash < 0 || !host.includes('.') || host.includes(':')) return undefined;
  return key.slice(slash + 1);
}

function stripPeerSuffix(key: string): string {
  const paren = key.indexOf('(');
  return paren < 0 ? key : key.slice(0, paren);
}

/**
 * Where a package came from: its `resolution` (`{integrity}` is the registry; `{tarball}`,
 * `{repo, commit}` and `{directory}` are not, unless the tarball is a registry URL), else its key.
 */
function sourceOf(entry: JsonRecord, key: string): NpmSource {
  const resolution = asRecord(entry.resolution);
  if (resolution) {
    if (resolution.type === 'git' || resolution.commit !== undefined) return { kind: 'git' };
    if (resolution.type === 'directory' || resolution.directory !== undefined) return { kind: 'file' };
    const tarball = asString(resolution.tarball);
    if (tarball !== undefined) return classifyResolved(tarball);
    return { kind: 'registry' };
  }
  if (key.startsWith('file:') || key.includes('@file:')) return { kind: 'file' };
  if (/^(?:[^/]*@)?(?:github\.com|gitlab\.com|bitbucket\.org)\//.test(key) || key.includes('@git')) return { kind: 'git' };
  return { kind: 'registry' };
}

/** pnpm's own flags before 9.0: `dev: true` only for development, `dev: false` only production, absent both. */
function scopesFromFlags(entry: JsonRecord): PackageScope[] {
  const scopes: PackageScope[] = [];
  if (entry.dev === 'true') scopes.push('dev');
  if (entry.optional === 'true') scopes.push('optional');
  return scopes;
}
