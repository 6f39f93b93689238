import { notAudited, type Package, type PackageScope, type SkippedEntry } from '../../core/types.js';
import type { DependencyFile, ParseContext, ParsedDependencyFile } from '../types.js';
import { indexByName } from './dependency-graph.js';
import { normalizePypiName } from './ecosystem.js';
import { missingEntriesSkipped, type MissingEntry } from '../missing-entries.js';
import { makeKeyAllocator, makeLockedPackage, missingSectionError, unsupportedVersionError } from './lock-support.js';
import { declaredNames, readDeclaredDependencies, type DeclaredDependencies } from './pyproject.js';
import { parseRequirement, readPin } from './requirement.js';
import { arrayAt, lineOfKey, locateEntries, parseTomlFile, stringAt, tableAt, tablesAt } from './toml.js';

/** `lock_version` majors this parser reads (PDM 2.x writes 4.x; 3.x came before `groups`, with `sections`). */
const SUPPORTED_MAJORS = new Set(['3', '4']);

/** Keys of a `[[package]]` entry whose code does not come from a package index. */
const NON_INDEX_KEYS = ['git', 'path', 'url'] as const;

interface Entry {
  readonly key: string;
  readonly name: string;
  readonly version: string;
  readonly line: number | undefined;
  readonly dependencies: string[];
  readonly groups: Set<string>;
  readonly reason: string | undefined;
}

/** Reads a pdm.lock and, when present, the pyproject.toml beside it. */
export async function parsePdmLock(file: DependencyFile, context: ParseContext): Promise<ParsedDependencyFile> {
  const document = parseTomlFile(file);
  if (tableAt(document.metadata) === undefined) throw missingSectionError(file, 'pdm.lock', '[metadata] table', '`pdm lock`');
  const lockVersion = stringAt(tableAt(document.metadata)?.lock_version);
  if (lockVersion !== undefined && !SUPPORTED_MAJORS.has(lockVersion.split('.')[0] ?? '')) {
    throw unsupportedVersionError(file, 'pdm.lock', lockVersion, lineOfKey(file.text, 'lock_version'), 'lock_version 3.x and 4.x');
  }
  const tables = tablesAt(document.package);
  const lines = locateEntries(file.text, 'package', tables.length);
  const allocateKey = makeKeyAllocator();
  const skipped: SkippedEntry[] = [];
  // PDM locks `name[extra]` as a second entry of the same name and version (its `extras` key);
  // both describe one installed distribution, so they are merged.
  const byNameVersion = new Map<string, Entry>();
  const entries: Entry[] = [];
  tables.forEach((table, index) => {
    const line = lines[index];
    const name = stringAt(table.name);
    const version = stringAt(table.version);
    if (name === undefined || version === undefined) {
      skipped.push({
        location: { file: file.path, line },
        name,
        version,
        ecosystem: 'PyPI',
        reason: name === undefined ? 'package without a name' : 'package without a version',
      });
      return;
    }
    const groups = arrayAt(table.groups ?? table.sections).filter((group) => typeof group === 'string');
    const dependencies = arrayAt(table.dependencies).filter((dep) => typeof dep === 'string');
    const identity = `${normalizePypiName(name)}@${version}`;
    const existing = byNameVersion.get(identity);
    if (existing) {
      existing.dependencies.push(...dependencies);
      for (const group of groups) existing.groups.add(group);
      return;
    }
    const foreign = NON_INDEX_KEYS.find((key) => key in table);
    const entry: Entry = {
      key: allocateKey(`${name}@${version}`, file.path, line),
      name,
      version,
      line,
      dependencies: [...dependencies],
      groups: new Set(groups),
      reason: foreign === undefined ? undefined : `${foreign} source (not from a package index)`,
    };
    byNameVersion.set(identity, entry);
    entries.push(entry);
  });

  const index = indexByName(entries);
  const declared = await readDeclaredDependencies(context);
  const direct = declared ? declaredNames(declared) : undefined;
  const packageKeys = new Set(entries.filter((entry) => entry.reason === undefined).map((entry) => entry.key));
  const packages: Package[] = [];
  const missing: MissingEntry[] = [];
  for (const entry of entries) {
    const location = { file: file.path, line: entry.line };
    if (entry.reason !== undefined) {
      skipped.push({ location, name: entry.name, version: entry.version, ecosystem: 'PyPI', ...notAudited(entry.reason) });
      continue;
    }
    const dependsOn = entry.dependencies.flatMap((text) => {
      const requirement = parseRequirement(text);
      if (!requirement) return [];
      const pin = readPin(requirement.specifier);
      const keys = index.resolve(requirement.name, pin.kind === 'pinned' ? pin.version : undefined);
      // PDM locks for every platform by default, so each dependency it lists is locked: one that
      // is not means entries are missing (a file cut short at a line boundary is valid TOML).
      if (keys.length === 0) missing.push({ from: entry.name, dependency: requirement.name, location: { file: file.path, line: entry.line } });
      return keys;
    });
    packages.push(
      makeLockedPackage(
        entry,
        { location, direct: direct ? direct.has(normalizePypiName(entry.name)) : 'unknown', scopes: scopesOf(entry.groups, declared), dependsOn },
        packageKeys,
      ),
    );
  }
  return { packages, skipped: [...skipped, ...missingEntriesSkipped(missing, '`pdm lock`')], related: declared ? [declared.path] : [] };
}

function scopesOf(groups: ReadonlySet<string>, declared: DeclaredDependencies | undefined): PackageScope[] {
  if (groups.size === 0 || groups.has('default')) return [];
  const scopes = new Set<PackageScope>();
  for (const group of groups) scopes.add(declared?.extras.has(group) ? 'optional' : 'dev');
  return [...scopes].sort();
}
