// Reading package.json manifests and the loosely typed JSON/YAML values lockfiles are made of.
import { LockfileParseError } from '../../core/errors.js';
import { parseJsonFile } from '../json-file.js';
import type { ParseContext } from '../types.js';
import type { DependencyRoot } from './dependency-graph.js';

/** A JSON object or YAML mapping. */
export type JsonRecord = Readonly<Record<string, unknown>>;

/** The value as an object, or undefined when it is something else (array, scalar, null). */
export function asRecord(value: unknown): JsonRecord | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonRecord) : undefined;
}

/** The value when it is a string. */
export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The string-valued entries of a `name -> range` map (dependencies and the like). */
export function stringEntries(value: unknown): [string, string][] {
  const record = asRecord(value);
  if (!record) return [];
  const entries: [string, string][] = [];
  for (const [key, item] of Object.entries(record)) {
    if (typeof item === 'string') entries.push([key, item]);
    else if (typeof item === 'number') entries.push([key, String(item)]);
  }
  return entries;
}


/** The dependency kinds of a manifest, as roots of the dependency graph. */
export const MANIFEST_DEPENDENCY_FIELDS = [
  { field: 'dependencies', dev: false, optional: false },
  { field: 'optionalDependencies', dev: false, optional: true },
  { field: 'peerDependencies', dev: false, optional: false },
  { field: 'devDependencies', dev: true, optional: false },
] as const;

/** One dependency a manifest declares. */
export interface ManifestDependency {
  readonly name: string;
  readonly range: string;
  readonly dev: boolean;
  readonly optional: boolean;
}

/**
 * The dependencies a manifest (package.json, or a lockfile's copy of one) declares. A name in
 * both `dependencies` and `devDependencies` is installed for production, so only the first kind
 * listed in MANIFEST_DEPENDENCY_FIELDS counts.
 */
export function listManifestDependencies(
  manifest: JsonRecord,
  fields: readonly (typeof MANIFEST_DEPENDENCY_FIELDS)[number][] = MANIFEST_DEPENDENCY_FIELDS,
): ManifestDependency[] {
  const seen = new Set<string>();
  const dependencies: ManifestDependency[] = [];
  for (const { field, dev, optional } of fields) {
    for (const [name, range] of stringEntries(manifest[field])) {
      if (seen.has(name)) continue;
      seen.add(name);
      dependencies.push({ name, range, dev, optional });
    }
  }
  return dependencies;
}

/** Roots of the graph from a manifest's dependencies, given how to find each one's node. */
export function rootsOf(
  dependencies: readonly ManifestDependency[],
  resolve: (dependency: ManifestDependency) => string | undefined,
): DependencyRoot[] {
  const roots: DependencyRoot[] = [];
  for (const dependency of dependencies) {
    const target = resolve(dependency);
    if (target !== undefined) roots.push({ target, dev: dependency.dev, optional: dependency.optional });
  }
  return roots;
}

/** The `workspaces` globs of a manifest (`["packages/*"]` or `{ packages: [...] }`). */
export function workspacePatterns(manifest: JsonRecord): string[] {
  const field = manifest.workspaces;
  const list = Array.isArray(field) ? field : asRecord(field)?.packages;
  return Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string') : [];
}

/** Whether a relative directory matches one of the workspace globs (`*` one segment, `**` any). */
export function matchesWorkspace(directory: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => globToRegExp(pattern).test(directory));
}

function globToRegExp(pattern: string): RegExp {
  const clean = pattern.replace(/^\.\//, '').replace(/\/+$/, '');
  let source = '';
  for (let i = 0; i < clean.length; i++) {
    const c = clean.charAt(i);
    if (c === '*' && clean[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** A manifest read next to (or below) the lockfile, with its display path. */
export interface ReadManifest {
  readonly manifest: JsonRecord;
  readonly path: string;
}

/** Reads and parses a package.json through the context; undefined when it does not exist. */
export async function readManifest(context: ParseContext, relativePath: string): Promise<ReadManifest | undefined> {
  const file = await context.readRelated(relativePath);
  if (!file) return undefined;
  const manifest = asRecord(parseJsonFile(file, 'package.json'));
  if (!manifest) {
    throw new LockfileParseError('package.json is not a JSON object', { location: { file: file.path, line: 1 } });
  }
  return { manifest, path: file.path };
}
