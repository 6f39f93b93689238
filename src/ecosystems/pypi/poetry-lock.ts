import { notAudited, type Package, type PackageScope, type SkippedEntry } from '../../core/types.js';
import type { DependencyFile, ParseContext, ParsedDependencyFile } from '../types.js';
import { classifyByReachability, indexByName } from './dependency-graph.js';
import { normalizePypiName } from './ecosystem.js';
import { makeKeyAllocator, makeLockedPackage, missingSectionError, unsupportedVersionError } from './lock-support.js';
import { declaredNames, readDeclaredDependencies } from './pyproject.js';
import { arrayAt, lineOfKey, locateEntries, parseTomlFile, stringAt, tableAt, tablesAt } from './toml.js';

/** `[package.source] type` values that are not a package index: the code is not a PyPI release. */
const NON_INDEX_SOURCES = new Set(['git', 'directory', 'file', 'url']);

/** Lock-version majors this parser reads: 1.x (Poetry 1.0-1.4, `category`), 2.x (Poetry 1.5+, `groups` from 2.0). */
const SUPPORTED_MAJORS = new Set(['1', '2']);

interface Entry {
  readonly key: string;
  readonly name: string;
  readonly version: string;
  readonly line: number | undefined;
  readonly dependencies: readonly string[];
  readonly lockScopes: readonly PackageScope[] | undefined;
  readonly optional: boolean;
  readonly skipReason: string | undefined;
}

/** Reads a poetry.lock and, when present, the pyproject.toml beside it. */
export async function parsePoetryLock(file: DependencyFile, context: ParseContext): Promise<ParsedDependencyFile> {
  const document = parseTomlFile(file);
  // Poetry writes [metadata] last: a lock cut short at a line boundary is still valid TOML.
  if (tableAt(document.metadata) === undefined) throw missingSectionError(file, 'poetry.lock', '[metadata] table', '`poetry lock`');
  const lockVersion = stringAt(tableAt(document.metadata)?.['lock-version']);
  if (lockVersion !== undefined && !SUPPORTED_MAJORS.has(lockVersion.split('.')[0] ?? '')) {
    throw unsupportedVersionError(file, 'poetry.lock', lockVersion, lineOfKey(file.text, 'lock-version'), 'lock-version 1.x and 2.x');
  }

  const tables = tablesAt(document.package);
  const lines = locateEntries(file.text, 'package', tables.length);
  const allocateKey = makeKeyAllocator();
  const skipped: SkippedEntry[] = [];
  const entries: Entry[] = [];
  tables.forEach((table, index) => {
    const line = lines[index];
    const name = stringAt(table.name);
    const version = stringAt(table.version);
    const location = { file: file.path, line };
    if (name === undefined || version === undefined) {
      skipped.push({ location, name, version, ecosystem: 'PyPI', reason: name === undefined ? 'package without a name' : 'package without a version' });
      return;
    }
    const sourceType = stringAt(tableAt(table.source)?.type);
    const category = stringAt(table.category);
    const groups = Array.isArray(table.groups) ? arrayAt(table.groups).filter((group) => typeof group === 'string') : undefined;
    let lockScopes: PackageScope[] | undefined;
    if (category !== undefined) lockScopes = category === 'dev' ? ['dev'] : [];
    else if (groups !== undefined) lockScopes = groups.includes('main') ? [] : ['dev'];
    entries.push({
      key: allocateKey(`${name}@${version}`, file.path, line),
      name,
      version,
      line,
      dependencies: Object.keys(tableAt(table.dependencies) ?? {}),
      lockScopes,
      optional: table.optional === true,
      skipReason:
        sourceType !== undefined && NON_INDEX_SOURCES.has(sourceType)
          ? `${sourceType} source (not from a package index)`
          : undefined,
    });
  });

  const index = indexByName(entries);
  const edges = new Map(entries.map((entry) => [entry.key, entry.dependencies.flatMap((dep) => index.resolve(dep))]));
  const declared = await readDeclaredDependencies(context);
  const direct = declared ? declaredNames(declared) : undefined;
  const rootsOf = (names: ReadonlySet<string>): string[] => [...names].flatMap((name) => index.resolve(name));
  const reachable = declared
    ? classifyByReachability(edges, { main: rootsOf(declared.main), optional: rootsOf(declared.optional), dev: rootsOf(declared.dev) })
    : undefined;

  const packageKeys = new Set(entries.filter((entry) => entry.skipReason === undefined).map((entry) => entry.key));
  const packages: Package[] = [];
  for (const entry of entries) {
    const location = { file: file.path, line: entry.line };
    if (entry.skipReason !== undefined) {
      skipped.push({ location, name: entry.name, version: entry.version, ecosystem: 'PyPI', ...notAudited(entry.skipReason) });
      continue;
    }
    // The lock's own category/groups win; lock-version 2.0 without groups needs the pyproject walk.
    const scopes = new Set<PackageScope>(entry.lockScopes ?? reachable?.get(entry.key) ?? []);
    if (entry.optional) scopes.add('optional');
    packages.push(
      makeLockedPackage(
        entry,
        {
          location,
          direct: direct ? direct.has(normalizePypiName(entry.name)) : 'unknown',
          scopes: [...scopes],
          dependsOn: edges.get(entry.key) ?? [],
        },
        packageKeys,
      ),
    );
  }
  return { packages, skipped, related: declared ? [declared.path] : [] };
}
