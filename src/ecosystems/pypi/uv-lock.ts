import type { Package, SkippedEntry } from '../../core/types.js';
import type { DependencyFile, ParsedDependencyFile } from '../types.js';
import { classifyByReachability, indexByName, type NameIndex } from './dependency-graph.js';
import { missingEntriesSkipped, type MissingEntry } from '../missing-entries.js';
import { makeKeyAllocator, makeLockedPackage, missingSectionError, unsupportedVersionError } from './lock-support.js';
import { lineOfKey, locateEntries, parseTomlFile, stringAt, tableAt, tablesAt, type Table } from './toml.js';

/** The `version` of uv.lock files this parser reads (uv 0.3 and later write 1, with a `revision`). */
const SUPPORTED_VERSION = 1;

/** Source kinds (https://docs.astral.sh/uv/concepts/resolution/#lockfile) that are the project itself. */
const PROJECT_SOURCES = ['editable', 'virtual'] as const;
/** Source kinds whose code does not come from a package index. */
const NON_INDEX_SOURCES = ['git', 'path', 'directory', 'url'] as const;

type Kind = 'package' | 'project' | 'skipped';

interface Entry {
  readonly key: string;
  readonly name: string;
  readonly version: string | undefined;
  readonly line: number | undefined;
  readonly kind: Kind;
  readonly reason: string | undefined;
  /** The source is not a package index (the entry is outside what advisories cover). */
  readonly notAudited: boolean;
  readonly table: Table;
}

/** Reads a uv.lock. */
export function parseUvLock(file: DependencyFile): Promise<ParsedDependencyFile> {
  return Promise.resolve(readUvLock(file));
}

function readUvLock(file: DependencyFile): ParsedDependencyFile {
  const document = parseTomlFile(file);
  const version = document.version;
  if (version === undefined) throw missingSectionError(file, 'uv.lock', 'version', '`uv lock`');
  if (version !== SUPPORTED_VERSION) {
    throw unsupportedVersionError(file, 'uv.lock', JSON.stringify(version), lineOfKey(file.text, 'version'), `version ${SUPPORTED_VERSION}`);
  }
  const tables = tablesAt(document.package);
  const lines = locateEntries(file.text, 'package', tables.length);
  const allocateKey = makeKeyAllocator();
  const skipped: SkippedEntry[] = [];
  const entries: Entry[] = [];
  tables.forEach((table, index) => {
    const line = lines[index];
    const name = stringAt(table.name);
    const entryVersion = stringAt(table.version);
    if (name === undefined) {
      skipped.push({ location: { file: file.path, line }, ecosystem: 'PyPI', version: entryVersion, reason: 'package without a name' });
      return;
    }
    const source = tableAt(table.source) ?? {};
    const projectKind = PROJECT_SOURCES.find((kind) => kind in source);
    const foreignKind = NON_INDEX_SOURCES.find((kind) => kind in source);
    let kind: Kind = 'package';
    let reason: string | undefined;
    let notAuditedEntry = false;
    if (projectKind !== undefined) kind = 'project';
    else if (foreignKind !== undefined) [kind, reason, notAuditedEntry] = ['skipped', `${foreignKind} source (not from a package index)`, true];
    else if (entryVersion === undefined) [kind, reason] = ['skipped', 'package without a version'];
    const base = kind === 'project' ? `project:${name}` : `${name}@${entryVersion ?? ''}`;
    entries.push({ key: allocateKey(base, file.path, line), name, version: entryVersion, line, kind, reason, notAudited: notAuditedEntry, table });
  });

  // uv always locks the project itself: a lock without any package is not one uv wrote.
  if (entries.length === 0) throw missingSectionError(file, 'uv.lock', '[[package]] entry', '`uv lock`');
  const index = indexByName(entries);
  const edges = new Map<string, string[]>();
  const missing: MissingEntry[] = [];
  for (const entry of entries) {
    // Extras of a locked package are only installed when asked for; keeping their edges errs on
    // the side of more dependency paths, never fewer.
    const lists = entry.kind === 'project'
      ? [entry.table.dependencies]
      : [entry.table.dependencies, ...Object.values(tableAt(entry.table['optional-dependencies']) ?? {})];
    const names: string[] = [];
    edges.set(entry.key, lists.flatMap((list) => resolveAll(index, list, names)));
    // uv resolves for every platform at once, so every dependency it names is locked.
    for (const name of names) missing.push({ from: entry.name, dependency: name, location: { file: file.path, line: entry.line } });
  }

  const projects = entries.filter((entry) => entry.kind === 'project');
  const roots = {
    main: projects.map((project) => project.key),
    optional: projects.flatMap((project) =>
      Object.values(tableAt(project.table['optional-dependencies']) ?? {}).flatMap((list) => resolveAll(index, list)),
    ),
    dev: projects.flatMap((project) =>
      Object.values(tableAt(project.table['dev-dependencies']) ?? {}).flatMap((list) => resolveAll(index, list)),
    ),
  };
  const direct = new Set([
    ...projects.flatMap((project) => edges.get(project.key) ?? []),
    ...roots.optional,
    ...roots.dev,
  ]);
  const scopes = classifyByReachability(edges, roots);

  const packageKeys = new Set(entries.filter((entry) => entry.kind === 'package').map((entry) => entry.key));
  const packages: Package[] = [];
  for (const entry of entries) {
    const location = { file: file.path, line: entry.line };
    if (entry.kind === 'skipped') {
      skipped.push({ location, name: entry.name, version: entry.version, ecosystem: 'PyPI', reason: entry.reason ?? 'skipped', ...(entry.notAudited ? { kind: 'not-audited' as const } : {}) });
    }
    if (entry.kind !== 'package' || entry.version === undefined) continue;
    packages.push(
      makeLockedPackage(
        { ...entry, version: entry.version },
        {
          location,
          direct: projects.length === 0 ? 'unknown' : direct.has(entry.key),
          scopes: scopes.get(entry.key) ?? [],
          dependsOn: edges.get(entry.key) ?? [],
        },
        packageKeys,
      ),
    );
  }
  return { packages, skipped: [...skipped, ...missingEntriesSkipped(missing, '`uv lock`')], related: [] };
}

// Dependency items are `{ name, version?, extra?, marker? }`; uv adds `version` when the name is
// locked at several versions.
function resolveAll(index: NameIndex, list: unknown, missing: string[] = []): string[] {
  return tablesAt(list).flatMap((item) => {
    const name = stringAt(item.name);
    if (name === undefined) return [];
    const keys = index.resolve(name, stringAt(item.version));
    if (keys.length === 0) missing.push(name);
    return keys;
  });
}
