import { LockfileParseError } from '../../core/errors.js';
import type { Directness, Package, PackageScope, SourceLocation } from '../../core/types.js';
import { makePackage } from '../package.js';
import type { DependencyFile } from '../types.js';

/**
 * The error for a lockfile whose format version this parser was not written for: reading it
 * anyway could silently miss packages.
 */
export function unsupportedVersionError(
  file: DependencyFile,
  format: string,
  version: string,
  line: number | undefined,
  supported: string,
): LockfileParseError {
  return new LockfileParseError(`unsupported ${format} version ${version}`, {
    location: { file: file.path, line },
    hint: `vigil reads ${format} ${supported}; regenerate the file with a supported tool version or upgrade vigil`,
  });
}

/** Gives each key once: a repeated key gets the file and line appended. */
export function makeKeyAllocator(): (base: string, file: string, line: number | undefined) => string {
  const used = new Set<string>();
  return (base, file, line) => {
    let key = base;
    if (used.has(key)) key = `${base}#${file}:${line ?? '?'}`;
    used.add(key);
    return key;
  };
}

/** A package of a PyPI lockfile: edges kept only to other packages of the same lock, once each, never to itself. */
export function makeLockedPackage(
  entry: { readonly key: string; readonly name: string; readonly version: string },
  fields: {
    readonly location: SourceLocation;
    readonly direct: Directness;
    readonly scopes: readonly PackageScope[];
    readonly dependsOn: Iterable<string>;
  },
  packageKeys: ReadonlySet<string>,
): Package {
  return makePackage({
    ecosystem: 'PyPI',
    name: entry.name,
    version: entry.version,
    key: entry.key,
    location: fields.location,
    direct: fields.direct,
    scopes: fields.scopes,
    dependsOn: [...new Set(fields.dependsOn)].filter((key) => packageKeys.has(key) && key !== entry.key),
  });
}

/**
 * The error for a lockfile that lacks a part its tool always writes (`[metadata]`, `version`):
 * a truncated or hand-made file that still parses must not pass as a lock with fewer packages.
 */
export function missingSectionError(file: DependencyFile, format: string, section: string, tool: string): LockfileParseError {
  return new LockfileParseError(`${format} has no ${section}, which ${tool} always writes: the file is truncated or not a ${format}`, {
    location: { file: file.path },
    hint: `restore the file from version control, or regenerate it with ${tool}`,
  });
}
