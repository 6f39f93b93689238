// Plain readonly data passed between the pipeline stages. No classes, no I/O.

/**
 * Ecosystem ids are OSV's own strings (https://ossf.github.io/osv-schema/#affectedpackage-field).
 * `Debian` and `Ubuntu` are the bases of open-ended OSV ecosystems (`Debian:12`,
 * `Ubuntu:22.04:LTS`): a package of them names its release in `distro.release`, and is matched
 * against that release's records only.
 */
export const ECOSYSTEM_IDS = ['PyPI', 'npm', 'Debian', 'Ubuntu'] as const;
export type EcosystemId = (typeof ECOSYSTEM_IDS)[number];

export function isEcosystemId(value: string): value is EcosystemId {
  return (ECOSYSTEM_IDS as readonly string[]).includes(value);
}

/** A place in a file, as editors and CI annotations expect it. */
export interface SourceLocation {
  /** Path of the file, relative to the audited root when it lies below it, with `/` separators. */
  readonly file: string;
  /** 1-based line, when the format lets us know it. */
  readonly line?: number;
  /** 1-based column, when known. */
  readonly column?: number;
  /**
   * For a file read from a container image: the digest of the layer that holds it
   * (`sha256:...`, as the image's manifest names it); `file` is then its path in the image.
   */
  readonly layer?: string;
}

/**
 * Whether the project asks for a package itself (`true`), gets it through another package
 * (`false`), or the file does not say (`'unknown'`, e.g. a flat requirements.txt or an SBOM
 * without a dependency graph).
 */
export type Directness = boolean | 'unknown';

/**
 * Why a package is installed beyond the default runtime set. `dev` (development / test groups),
 * `optional` (optional or extra dependencies), `peer` (npm peer dependencies).
 */
export const PACKAGE_SCOPES = ['dev', 'optional', 'peer'] as const;
export type PackageScope = (typeof PACKAGE_SCOPES)[number];

/** One locked package. */
export interface Package {
  /**
   * Identifier unique within its lockfile (e.g. `node_modules/a/node_modules/b` for npm,
   * `name@version` elsewhere); the targets of `dependsOn`.
   */
  readonly key: string;
  readonly ecosystem: EcosystemId;
  /** The name as the lockfile writes it. */
  readonly name: string;
  readonly version: string;
  /** Package URL (https://github.com/package-url/purl-spec). */
  readonly purl: string;
  /** Where the package is locked. */
  readonly location: SourceLocation;
  readonly direct: Directness;
  /** Empty for a default runtime dependency. */
  readonly scopes: readonly PackageScope[];
  /** Keys of the packages (same lockfile) this one depends on; empty when the format has no edges. */
  readonly dependsOn: readonly string[];
  /**
   * Set when the version is not one the ecosystem's scheme can parse (`2.0.0-final` under PEP
   * 440): such a package is matched only against advisories listing its version verbatim, and
   * is also a skipped entry for the ranges.
   */
  readonly unparsedVersion?: true;
  /** For a package a Linux distribution installed (dpkg): what its advisories are matched on. */
  readonly distro?: DistroPackage;
}

/**
 * A distribution package's release and source package. Debian and Ubuntu advisories name source
 * packages (`xz-utils`), not the binaries built from them (`liblzma5`), and one release's records
 * only.
 */
export interface DistroPackage {
  /** The full OSV ecosystem of the release, e.g. `Debian:12`, `Ubuntu:22.04:LTS`. */
  readonly release: string;
  /** The source package (dpkg's `Source:` field; the binary's own name when absent). */
  readonly sourceName: string;
  /** The source package's version (the binary's version unless `Source:` gives another). */
  readonly sourceVersion: string;
  /** dpkg architecture (`amd64`, `all`), when the database gives it. */
  readonly architecture?: string;
  /**
   * Set when the package does not come from the distribution (e.g. nginx.org's `1.23.2-1~bullseye`):
   * why vigil thinks so. Such a package is listed but never matched against the distribution's records.
   */
  readonly foreignOrigin?: string;
  /**
   * What Debian's `debian-security-support` lists installed in the same root file system say of
   * the source package: its security support ended (at or below this version) or is limited.
   */
  readonly securitySupport?: {
    readonly status: 'ended' | 'limited';
    readonly lastVersion?: string;
    readonly endedOn?: string;
    readonly note?: string;
  };
}

/** A lockfile entry we did not audit, and why. Counted and shown in every report. */
export interface SkippedEntry {
  readonly location: SourceLocation;
  /** Package name, when one could be read. */
  readonly name?: string;
  /** The version or specifier as written, when there is one. */
  readonly version?: string;
  readonly ecosystem?: EcosystemId;
  /** Short reason, e.g. `editable install`, `not pinned with == or ===`, `invalid PEP 440 version "1.x"`. */
  readonly reason: string;
  /**
   * Why it was not audited, as the gate weighs it. Absent: vigil could not evaluate it (an unpinned
   * requirement, an entry without a version, an unreadable entry): it fails the gate unless the
   * policy says `unevaluable: warn` (fail closed, so a site that forgets to say fails too).
   * `not-audited`: deliberately outside what advisories cover (a git, local-path, link or
   * workspace dependency, an editable install, a package type of another ecosystem); shown, and
   * fatal only with --strict. `unparsed-version`: a version the ecosystem's scheme cannot parse;
   * the package is still matched against advisories that list versions verbatim, and the matcher
   * reports each range it could not decide.
   */
  readonly kind?: SkippedKind;
}

export type SkippedKind = 'not-audited' | 'unparsed-version';

/** A skipped entry's reason and kind for a dependency deliberately outside what advisories cover. */
export function notAudited(reason: string): { readonly reason: string; readonly kind: 'not-audited' } {
  return { reason, kind: 'not-audited' };
}

/** One dependency file that was read. */
export interface SourceFile {
  /** Path relative to the audited root. */
  readonly path: string;
  /** Id of the parser that read it (e.g. `poetry.lock`). */
  readonly format: string;
  /** Number of packages it contributed. */
  readonly packages: number;
  /** Number of skipped entries it contributed. */
  readonly skipped: number;
  /** Files read because this one pointed at them (`-r` includes, pyproject.toml, package.json). */
  readonly related: readonly string[];
}

/** What is installed: every package of every dependency file found. */
export interface Inventory {
  readonly root: string;
  readonly sources: readonly SourceFile[];
  readonly packages: readonly Package[];
  readonly skipped: readonly SkippedEntry[];
  /** The container images audited (`vigil audit IMAGE`), in the order given; absent when none was. */
  readonly images?: readonly AuditedImage[];
}

/**
 * What identifies an audited container image, read from the image itself (no registry is asked).
 * Every string here comes from the image: bounded in length and count, control characters written
 * visibly, and a name or tag that is no valid image reference is shown but never parsed.
 */
export interface AuditedImage {
  /** The image as given on the command line. */
  readonly path: string;
  /** `docker-save`: an archive with `manifest.json`; `oci-layout`: an OCI image layout (folder or tar). */
  readonly format: 'docker-save' | 'oci-layout';
  /**
   * The names the image records for itself, as written: docker save's `RepoTags`; an OCI layout's
   * `io.containerd.image.name` then `org.opencontainers.image.ref.name` annotations.
   */
  readonly references: readonly string[];
  /** The repository of the first reference that is a valid image reference (`docker.io/library/debian`). */
  readonly repository?: string;
  /** Its tag (`12-slim`); an OCI `ref.name` that is a tag alone gives a tag without repository. */
  readonly tag?: string;
  /**
   * `<algorithm>:<hex>`: an OCI layout's manifest digest, or docker save's image id (the digest of
   * its configuration, from the `Config` path); absent when the image records none vigil can read.
   */
  readonly digest?: string;
  /**
   * What `digest` is the digest of: `manifest` (what a registry pulls by) or `config` (the image
   * id, all a docker save archive records). Present with `digest`.
   */
  readonly digestOf?: 'manifest' | 'config';
  /** Layer digests, bottom first, as package locations name them. */
  readonly layers: readonly string[];
}

/** Severity levels, lowest first. `unknown` is kept apart so a policy can map it (fail closed). */
export const SEVERITY_LEVELS = ['none', 'low', 'medium', 'high', 'critical'] as const;
export type SeverityLevel = (typeof SEVERITY_LEVELS)[number] | 'unknown';

export interface Severity {
  readonly level: SeverityLevel;
  /** Numeric base score (CVSS 0-10) when a vector or score gave it. */
  readonly score?: number;
  /** The CVSS vector it was computed from. */
  readonly vector?: string;
  /**
   * Which record and field gave it, e.g. `GHSA-xxxx:CVSS_V3` or `GHSA-xxxx:database_specific.severity`;
   * `none` when no record carries a severity.
   */
  readonly source: string;
}

/** One vulnerable package instance and one flaw, with every id the flaw is known under. */
export interface Finding {
  /** Primary id (a GHSA id when one matched, else PYSEC, else the first record id). */
  readonly id: string;
  /** Every other id of the flaw (matched records' ids and their aliases), sorted. */
  readonly aliases: readonly string[];
  /** Ids of the store records that matched the package. */
  readonly records: readonly string[];
  readonly package: Package;
  /**
   * Dependency paths from a direct dependency to the package, each as `name@version` steps
   * (shortest first; a direct package has the one-step path to itself). Empty when the format
   * gives no edges.
   */
  readonly paths: readonly (readonly string[])[];
  readonly summary: string;
  readonly severity: Severity;
  /** Versions that fix the flaw for this package's version line, lowest first. */
  readonly fixed: readonly string[];
  /** Earliest publication date of the group's records (ISO 8601). */
  readonly published: string | undefined;
  /**
   * When the advisory store first held one of the group's records (ISO 8601): the SLA clock's
   * start when no record gives a publication date.
   */
  readonly firstSeen: string | undefined;
  /** Latest modification date of the group's records (ISO 8601). */
  readonly modified: string | undefined;
  /** Stable hash of file, package, version and primary id, for suppressions and SARIF. */
  readonly fingerprint: string;
  /** For a distribution package: the distribution's own classification of the flaw. */
  readonly distro?: DistroAdvisory;
  /**
   * Present when the package itself is malicious (an OpenSSF `MAL-` record, see
   * `isMaliciousRecord`): it always blocks, and the plan is to remove it, never to upgrade.
   */
  readonly malicious?: true;
}

/** How Debian's or Ubuntu's security team classifies a flaw for one release. */
export interface DistroAdvisory {
  /**
   * Debian's urgency (`unimportant`, `low`, `medium`, `high`, `end-of-life`, `not yet assigned`)
   * or Ubuntu's priority (`negligible` ... `critical`), the highest the records give; absent when
   * none does.
   */
  readonly urgency?: string;
  /** Debian's no-dsa note (`minor issue`, `ignored`, `postponed`), when a record carries one. */
  readonly noDsa?: string;
  /** Whether the release has no fixed package yet (the advisory names no fix above this version). */
  readonly unfixed: boolean;
}
