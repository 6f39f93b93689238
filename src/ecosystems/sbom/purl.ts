import { PackageURL } from 'packageurl-js';
import type { EcosystemId, SkippedEntry, SourceLocation } from '../../core/types.js';
import { ecosystems } from '../ecosystems.js';

/** A package URL that names a package of an audited ecosystem at one version. */
export interface PurlPackage {
  readonly kind: 'package';
  readonly ecosystem: EcosystemId;
  /** The name as the package URL writes it, percent-decoded, npm scope included (`@scope/name`). */
  readonly name: string;
  /** The version, percent-decoded. */
  readonly version: string;
}

/** A package URL vigil does not audit, and why; name, version and ecosystem when they could be read. */
export interface PurlSkip {
  readonly kind: 'skipped';
  /** Short reason, e.g. `unsupported package type "maven"`, `no version`. */
  readonly reason: string;
  /** `not-audited` for a package of an ecosystem vigil does not cover. */
  readonly skippedKind?: 'not-audited';
  readonly name?: string;
  readonly version?: string;
  readonly ecosystem?: EcosystemId;
}

/** What a package URL says, as far as auditing goes. */
export type PurlReading = PurlPackage | PurlSkip;

/**
 * Reads a package URL (https://github.com/package-url/purl-spec) into an audited ecosystem, name
 * and version. Qualifiers and subpath are ignored: they say where a package came from or which file
 * of it is meant, not which release it is, and advisories are keyed by name and version.
 *
 * The name is kept as written rather than in packageurl-js's normalised form (which lowercases npm
 * names and rewrites PyPI ones): reports show what the SBOM says, and each ecosystem's
 * `normalizeName` does the comparing.
 */
export function readPackageUrl(purl: string): PurlReading {
  let parsed: PackageURL;
  let raw: ReturnType<typeof PackageURL.parseString>;
  try {
    // fromString validates (scheme, required parts, type rules); parseString keeps the name as written.
    parsed = PackageURL.fromString(purl);
    raw = PackageURL.parseString(purl);
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/^Invalid purl: /, '') : String(error);
    return { kind: 'skipped', reason: `invalid package URL: ${message}` };
  }
  const namespace = raw[1] ?? undefined;
  const rawName = raw[2] ?? parsed.name;
  const version = parsed.version === undefined || parsed.version === '' ? undefined : parsed.version;
  const shownName = namespace === undefined || namespace === '' ? rawName : `${namespace}/${rawName}`;

  const ecosystem = ecosystemOfPurlType(parsed.type);
  if (ecosystem === undefined) {
    return { kind: 'skipped', reason: `unsupported package type "${parsed.type}"`, skippedKind: 'not-audited', name: shownName, ...optionalVersion(version) };
  }
  let name = rawName;
  if (namespace !== undefined && namespace !== '') {
    if (ecosystem === 'npm' && namespace.startsWith('@') && !namespace.includes('/')) {
      // purl-spec npm: the scope is the namespace.
      name = `${namespace}/${rawName}`;
    } else {
      return {
        kind: 'skipped',
        reason: `invalid package URL: unexpected namespace "${namespace}" for type "${parsed.type}"`,
        name: shownName,
        ecosystem,
        ...optionalVersion(version),
      };
    }
  }
  if (version === undefined) return { kind: 'skipped', reason: 'no version', name, ecosystem };
  return { kind: 'package', ecosystem, name, version };
}

/** The audited ecosystem whose package-url type is `type`, if any. */
export function ecosystemOfPurlType(type: string): EcosystemId | undefined {
  const lower = type.toLowerCase();
  for (const ecosystem of Object.values(ecosystems)) {
    // A `pkg:deb` component names no source package, so Debian's and Ubuntu's records cannot be
    // matched from it: dpkg packages are audited from their database (issue 13), not from SBOMs.
    if (ecosystem.purlType === lower && lower !== 'deb') return ecosystem.id;
  }
  return undefined;
}

function optionalVersion(version: string | undefined): { version?: string } {
  return version === undefined ? {} : { version };
}

/**
 * The skipped entry for a component or package whose purl is not audited, carrying whatever of
 * the name, version and ecosystem the purl did give.
 */
export function skippedFromPurl(
  location: SourceLocation,
  written: Pick<SkippedEntry, 'name' | 'version'>,
  reading: PurlSkip,
): SkippedEntry {
  return {
    location,
    ...written,
    ...(reading.name === undefined ? {} : { name: reading.name }),
    ...(reading.version === undefined ? {} : { version: reading.version }),
    ...(reading.ecosystem === undefined ? {} : { ecosystem: reading.ecosystem }),
    reason: reading.reason,
    ...(reading.skippedKind === undefined ? {} : { kind: reading.skippedKind }),
  };
}
