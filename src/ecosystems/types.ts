import type { EcosystemId, Package, SkippedEntry, SourceLocation } from '../core/types.js';

/**
 * How an upgrade from one version to another changes the release. `security-update`: a newer
 * build of a distribution package in the same release (a Debian or Ubuntu fix), which the
 * release's security archive carries and `apt-get upgrade` installs, whatever its upstream number.
 */
export type UpgradeClass = 'patch' | 'minor' | 'major' | 'security-update' | 'none';

/** An ecosystem's version ordering. Every method but `isValid` throws on an invalid version. */
export interface VersionScheme {
  /** Human name used in messages, e.g. `PEP 440`. */
  readonly name: string;
  /** Whether the string is a version this scheme can order. */
  isValid(version: string): boolean;
  /** Negative, zero or positive as `a` sorts before, with, or after `b`. */
  compare(a: string, b: string): number;
  /**
   * A string equal for exactly the versions `compare` calls equal (`1.0` and `1.0.0` under PEP
   * 440), so long lists of versions can be searched without comparing pair by pair.
   */
  equalityKey(version: string): string;
  /**
   * The kind of change from `from` to `to` (`none` when `to` is not newer). Breaking-ness follows
   * the ecosystem: with npm's caret rule a 0.x minor bump is `major`.
   */
  classifyUpgrade(from: string, to: string): UpgradeClass;
}

/** One OSV ecosystem. */
export interface Ecosystem {
  readonly id: EcosystemId;
  /** The package-url type (https://github.com/package-url/purl-spec), e.g. `pypi`. */
  readonly purlType: string;
  readonly versions: VersionScheme;
  /** The form under which names are compared and indexed (PEP 503 for PyPI). */
  normalizeName(name: string): string;
  /** Package URL of a name and version. */
  purl(name: string, version: string): string;
}

/** A dependency file handed to a parser. */
export interface DependencyFile {
  /** Absolute path on disk. */
  readonly absolutePath: string;
  /** Path shown to users: relative to the audited root, `/` separators. */
  readonly path: string;
  readonly text: string;
}

/** What parsers may ask of their surroundings: files next to or named by the one being read. */
export interface ParseContext {
  /**
   * Reads a file relative to the directory of the file being parsed (e.g. `pyproject.toml`,
   * `package.json`, a `-r other.txt` include). `undefined` when it does not exist.
   */
  readRelated(relativePath: string): Promise<DependencyFile | undefined>;
}

export interface ParsedDependencyFile {
  readonly packages: readonly Package[];
  readonly skipped: readonly SkippedEntry[];
  /** Paths (display form) of the files read through `readRelated`. */
  readonly related: readonly string[];
}

/**
 * Reads one dependency file format. A parser throws `LockfileParseError` (with file and line where
 * known) when the file as a whole cannot be read; a problem with one entry is a `SkippedEntry`.
 * Parsers do not check versions: the inventory stage moves packages with versions invalid for
 * their ecosystem to `skipped`.
 */
export interface LockfileParser {
  /** Stable id, shown in reports, e.g. `poetry.lock`, `package-lock.json`, `cyclonedx-json`. */
  readonly id: string;
  /** Ecosystems it yields packages of. */
  readonly ecosystems: readonly EcosystemId[];
  /** Whether a file of this name (basename) is of this format, judged by name alone. */
  matchesFileName(fileName: string): boolean;
  /**
   * For formats also recognised by their folder (pip's `requirements/*.txt`): whether the file at
   * this path (`/` separators; relative to the audited root for a file found in a folder, absolute
   * for a file named on the command line) is of this format. Discovery takes a
   * file as this format when either this or `matchesFileName` says so.
   */
  matchesPath?(relativePath: string): boolean;
  /**
   * For formats whose file names are not fixed (SBOMs): whether the content is of this format.
   * Called only for files whose name passed `matchesFileName`.
   */
  sniff?(text: string): boolean;
  parse(file: DependencyFile, context: ParseContext): Promise<ParsedDependencyFile>;
}

export type { SourceLocation };
