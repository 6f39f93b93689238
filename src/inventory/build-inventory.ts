import path from 'node:path';
import { LockfileParseError, NothingToAuditError, UsageError } from '../core/errors.js';
import type { OnWorkProgress } from '../core/progress.js';
import type { AuditedImage, Inventory, Package, SkippedEntry, SourceFile, SourceLocation } from '../core/types.js';
import { ecosystems, lockfileParsers } from '../ecosystems/registry.js';
import type { DependencyFile, LockfileParser, ParseContext, ParsedDependencyFile } from '../ecosystems/types.js';
import { parseJsonFile } from '../ecosystems/json-file.js';
import { discoverFiles } from './discover.js';
import { displayPath, fileParseContext, readDependencyFile } from './read-file.js';
import { resolveTarget, type AuditTarget, type ResolvedTarget } from './targets/detect.js';
import { INSTALLED_FORMATS, listTreeCandidates, rootFileSystemContext, type TreeCandidate } from './targets/tree-files.js';

/** A file to read as a named format (a parser id such as `requirements.txt`), whatever its name. */
export interface TypedFile {
  readonly format: string;
  readonly path: string;
}

export interface BuildInventoryOptions {
  /** Files or folders to audit. */
  readonly paths: readonly string[];
  /** Paths in reports are shown relative to this folder (default: the current directory). */
  readonly root?: string;
  /** Parsers to use (default: all registered). */
  readonly parsers?: readonly LockfileParser[];
  /**
   * Files read as a named format whatever their name (`--lockfile requirements.txt:reqs/base.txt`,
   * `-r reqs/base.txt`), as osv-scanner's `-L TYPE:PATH` and pip-audit's `-r`.
   */
  readonly typedFiles?: readonly TypedFile[];
  /**
   * Globs (picomatch syntax, `/` separators) of files and folders the search skips, matched
   * against paths relative to each folder searched, e.g. `test/fixtures/**`. A folder or file named
   * on the command line is searched or read whatever they say.
   */
  readonly exclude?: readonly string[];
  /**
   * What the paths are (`vigil audit --target`); by default each path's kind is told from its
   * content (see `resolveTarget`). Installed packages (node_modules, site-packages) are read only
   * in the installed-environment, root file system and image targets.
   */
  readonly target?: AuditTarget;
  /** Told before each file is read (`read`, the file's display path, files done and found). */
  readonly onProgress?: OnWorkProgress;
}

interface ParsedSource {
  readonly file: DependencyFile;
  readonly parser: LockfileParser;
  readonly result: ParsedDependencyFile;
}

/**
 * Finds every supported dependency file below the paths, parses each, and checks every version
 * against its ecosystem's scheme (a package with an invalid one is kept, marked `unparsedVersion`,
 * and is also a skipped entry: never a silent drop).
 * Throws NothingToAuditError when no dependency file is found.
 */
export async function buildInventory(options: BuildInventoryOptions): Promise<Inventory> {
  const root = path.resolve(options.root ?? process.cwd());
  const parsers = options.parsers ?? lockfileParsers;
  // Found files are judged by their path below the root; a file the user named, by its whole path
  // (`vigil audit requirements/dev.txt` run from inside `requirements/` still means a pip file).
  const claims = (parser: LockfileParser, absolutePath: string, explicit: boolean): boolean =>
    parser.matchesFileName(path.basename(absolutePath)) ||
    (parser.matchesPath?.(explicit ? absolutePath.split(path.sep).join('/') : displayPath(root, absolutePath)) ?? false);
  const forced = new Map<string, LockfileParser>();
  for (const typed of options.typedFiles ?? []) {
    const parser = parsers.find((candidate) => candidate.id === typed.format);
    if (!parser) {
      throw new UsageError(`unknown dependency file format "${typed.format}" for ${typed.path}`, {
        hint: `formats: ${parsers.map((candidate) => candidate.id).join(', ')}`,
      });
    }
    forced.set(path.resolve(typed.path), parser);
  }
  const isExcluded = await excludeMatcher(options.exclude ?? []);
  const targets: ResolvedTarget[] = [];
  for (const given of options.paths) targets.push(await resolveTarget(given, options.target));
  const sourceParsers = parsers.filter((parser) => !INSTALLED_FORMATS.has(parser.id));
  const candidates = await discoverFiles(
    [...targets.filter((target) => target.target === 'files').map((target) => target.given), ...(options.typedFiles ?? []).map((typed) => typed.path)],
    (absolutePath) => sourceParsers.some((parser) => claims(parser, absolutePath, false)),
    isExcluded,
  );

  const parsed: ParsedSource[] = [];
  const unrecognised: SkippedEntry[] = [];
  for (const [index, candidate] of candidates.entries()) {
    options.onProgress?.({ phase: 'read', label: displayPath(root, candidate.absolutePath), done: index, total: candidates.length });
    const file = await readDependencyFile(root, candidate.absolutePath);
    // No format's tool writes an empty file: it is a truncated checkout or a mistake, never a lock
    // of nothing (and an empty requirements file pins nothing either).
    if (file.text.trim() === '') {
      throw new LockfileParseError('the file is empty', {
        location: { file: file.path },
        hint: 'restore it from version control or regenerate it; remove it if the project no longer uses it',
      });
    }
    const parser =
      (candidate.explicit ? forced.get(file.absolutePath) : undefined) ??
      (candidate.explicit ? parsers : sourceParsers).find((p) => claims(p, file.absolutePath, candidate.explicit) && (p.sniff ? p.sniff(file.text) : true));
    if (!parser) {
      if (candidate.explicit) {
        throw new UsageError(`${file.path}: not a supported dependency file`, {
          hint: 'name its format with --lockfile FORMAT:FILE (or -r FILE for a pip requirements file); "vigil audit --help" lists the formats',
        });
      }
      // A file named as an SBOM that is not even JSON is a corrupt SBOM: an input error, not a
      // file to pass over.
      if (file.path.toLowerCase().endsWith('.json')) parseJsonFile(file, 'a file named as an SBOM', 'restore the SBOM or regenerate it');
      // A name that only looked like a dependency file (a `bom.json` that is no SBOM): shown, not
      // silently passed over, and counted as unevaluable, in case it was meant to be audited.
      unrecognised.push({ location: { file: file.path }, reason: 'not a recognised dependency file format (content)' });
      continue;
    }
    parsed.push({ file, parser, result: await parseWith(parser, file, rootFileSystemContext(root, file) ?? fileParseContext(root, file)) });
  }

  const images: AuditedImage[] = [];
  for (const target of targets.filter((resolved) => resolved.target !== 'files')) {
    const listed = await listTreeCandidates(target, root, parsers, isExcluded);
    if (listed.image !== undefined) images.push(listed.image);
    for (const candidate of listed.candidates) {
      const source = await parseTreeCandidate(candidate);
      if ('skipped' in source) unrecognised.push(source.skipped);
      else parsed.push(source);
    }
    if (listed.candidates.length === 0) {
      throw new NothingToAuditError(`no installed package or dependency file found in ${target.given} (read as ${describeTarget(target.target)})`, {
        hint: 'name what it is with --target image|rootfs|python-env|node-modules|files',
      });
    }
  }

  // A file already read as an include of another file of the same format (`-r common.txt`) is
  // not counted twice.
  const includedBy = new Map<string, string>();
  for (const source of parsed) for (const related of source.result.related) includedBy.set(related, source.parser.id);
  const sourcesToUse = parsed.filter((source) => includedBy.get(source.file.path) !== source.parser.id);

  if (sourcesToUse.length === 0) {
    throw new NothingToAuditError(`no dependency file found in ${options.paths.join(', ')}`, {
      hint: 'vigil reads lockfiles (package-lock.json, yarn.lock, pnpm-lock.yaml, poetry.lock, uv.lock, Pipfile.lock, pdm.lock, pylock.toml), requirements*.txt and CycloneDX/SPDX JSON SBOMs',
    });
  }

  const sources: SourceFile[] = [];
  const packages: Package[] = [];
  const skipped: SkippedEntry[] = [...unrecognised];
  for (const { file, parser, result } of sourcesToUse) {
    const kept: Package[] = [];
    const invalid: SkippedEntry[] = [];
    for (const pkg of result.packages) {
      const scheme = ecosystems[pkg.ecosystem].versions;
      if (scheme.isValid(pkg.version)) kept.push(pkg);
      else {
        // Kept, marked: advisories may list the version verbatim (`2.0.0-final`), and OSV's
        // evaluation matches `versions` by string before any range.
        kept.push({ ...pkg, unparsedVersion: true });
        invalid.push({
          location: pkg.location,
          name: pkg.name,
          version: pkg.version,
          ecosystem: pkg.ecosystem,
          reason: `invalid ${scheme.name} version "${pkg.version}" (matched only against versions advisories list)`,
          kind: 'unparsed-version',
        });
      }
    }
    // Keys are unique per file; prefix them so the graph of the whole inventory stays unambiguous
    // (an image's paths are prefixed with the image, two images can hold the same path).
    const prefix = `${layerOf.get(file)?.image ?? ''}${file.path}#`;
    const placed = layerOf.get(file);
    const located = <T extends { readonly location: SourceLocation }>(item: T): T =>
      placed === undefined || item.location.file !== file.path ? item : { ...item, location: { ...item.location, layer: placed.layer } };
    for (const pkg of kept) {
      packages.push(located({ ...pkg, key: prefix + pkg.key, dependsOn: pkg.dependsOn.map((key) => prefix + key) }));
    }
    skipped.push(...result.skipped.map(located), ...invalid.map(located));
    sources.push({
      path: file.path,
      format: parser.id,
      packages: kept.length,
      skipped: result.skipped.length + invalid.length,
      related: result.related,
    });
  }
  return { root, sources, packages, skipped, ...(images.length === 0 ? {} : { images }) };
}

/** The image and layer each file read from an image came from. */
const layerOf = new WeakMap<DependencyFile, { readonly image: string; readonly layer: string }>();

async function parseWith(parser: LockfileParser, file: DependencyFile, context: ParseContext): Promise<ParsedDependencyFile> {
  try {
    return await parser.parse(file, context);
  } catch (error) {
    if (error instanceof LockfileParseError || error instanceof UsageError) throw error;
    throw new LockfileParseError(`cannot read ${parser.id}: ${error instanceof Error ? error.message : String(error)}`, {
      location: { file: file.path },
      cause: error,
    });
  }
}

/**
 * Reads and parses one file of a tree. A file that cannot be read (a link out of the image, a
 * cycle) is a skipped entry; so is an installed package whose metadata is broken: one package,
 * not the whole environment, is unevaluable. A broken lockfile or dpkg database stays an input
 * error, as in a source tree.
 */
async function parseTreeCandidate(candidate: TreeCandidate): Promise<ParsedSource | { readonly skipped: SkippedEntry }> {
  const read = await candidate.read();
  if ('reason' in read) return { skipped: { location: { file: candidate.display }, reason: read.reason } };
  const { file, layer } = read;
  if (layer !== undefined) layerOf.set(file, { image: `${candidate.tree.label}!`, layer });
  const skip = (reason: string): { readonly skipped: SkippedEntry } => ({
    skipped: { location: { file: file.path, ...(layer === undefined ? {} : { layer }) }, reason },
  });
  if (file.text.trim() === '') {
    if (INSTALLED_FORMATS.has(candidate.parser.id)) return skip('the file is empty');
    throw new LockfileParseError('the file is empty', { location: { file: file.path } });
  }
  try {
    return { file, parser: candidate.parser, result: await parseWith(candidate.parser, file, candidate.context(file)) };
  } catch (error) {
    if (INSTALLED_FORMATS.has(candidate.parser.id) && error instanceof LockfileParseError) return skip(error.format());
    throw error;
  }
}

function describeTarget(target: AuditTarget): string {
  return { image: 'a container image', rootfs: 'a root file system', 'python-env': 'a Python environment', 'node-modules': 'a node_modules tree', files: 'source files' }[target];
}

/** Whether a relative path matches one of the globs; picomatch is loaded only when there are globs. */
async function excludeMatcher(globs: readonly string[]): Promise<(relativePath: string) => boolean> {
  if (globs.length === 0) return () => false;
  const { default: picomatch } = await import('picomatch');
  return picomatch([...globs], { dot: true });
}
