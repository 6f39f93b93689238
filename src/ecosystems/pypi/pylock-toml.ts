import { notAudited, type Package, type SkippedEntry } from '../../core/types.js';
import { makePackage } from '../package.js';
import type { DependencyFile, ParsedDependencyFile } from '../types.js';
import { indexByName } from './dependency-graph.js';
import { makeKeyAllocator, missingSectionError, unsupportedVersionError } from './lock-support.js';
import { lineOfKey, locateEntries, parseTomlFile, stringAt, tablesAt } from './toml.js';

/** PEP 751: a tool must refuse a lock-version whose major it does not know. */
const SUPPORTED_MAJOR = '1';

/** Package source keys (PEP 751) whose code does not come from a package index. */
const NON_INDEX_SOURCES = ['vcs', 'directory', 'archive'] as const;

/** Reads a pylock.toml. */
export function parsePylockToml(file: DependencyFile): Promise<ParsedDependencyFile> {
  return Promise.resolve(readPylock(file));
}

function readPylock(file: DependencyFile): ParsedDependencyFile {
  const document = parseTomlFile(file);
  const lockVersion = stringAt(document['lock-version']);
  // PEP 751: lock-version is required.
  if (lockVersion === undefined) throw missingSectionError(file, 'pylock.toml', 'lock-version', 'the locking tool');
  if (lockVersion.split('.')[0] !== SUPPORTED_MAJOR) {
    throw unsupportedVersionError(file, 'pylock.toml', lockVersion, lineOfKey(file.text, 'lock-version'), 'lock-version 1.x');
  }
  const tables = tablesAt(document.packages);
  const lines = locateEntries(file.text, 'packages', tables.length);
  const allocateKey = makeKeyAllocator();
  const skipped: SkippedEntry[] = [];
  const entries: { key: string; name: string; version: string; line: number | undefined; dependencies: unknown }[] = [];
  tables.forEach((table, index) => {
    const line = lines[index];
    const location = { file: file.path, line };
    const name = stringAt(table.name);
    const version = stringAt(table.version);
    const foreign = NON_INDEX_SOURCES.find((key) => key in table);
    if (name === undefined) {
      skipped.push({ location, version, ecosystem: 'PyPI', reason: 'package without a name' });
    } else if (foreign !== undefined) {
      skipped.push({ location, name, version, ecosystem: 'PyPI', ...notAudited(`${foreign} source (not from a package index)`) });
    } else if (version === undefined) {
      skipped.push({ location, name, ecosystem: 'PyPI', reason: 'package without a version' });
    } else {
      entries.push({ key: allocateKey(`${name}@${version}`, file.path, line), name, version, line, dependencies: table.dependencies });
    }
  });

  const index = indexByName(entries);
  const packages: Package[] = entries.map((entry) => {
    const dependsOn = tablesAt(entry.dependencies).flatMap((dep) => {
      const name = stringAt(dep.name);
      return name === undefined ? [] : index.resolve(name, stringAt(dep.version));
    });
    return makePackage({
      ecosystem: 'PyPI',
      name: entry.name,
      version: entry.version,
      key: entry.key,
      location: { file: file.path, line: entry.line },
      direct: 'unknown',
      dependsOn: [...new Set(dependsOn)].filter((key) => key !== entry.key),
    });
  });
  return { packages, skipped, related: [] };
}
