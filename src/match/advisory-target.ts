import type { Package } from '../core/types.js';
import { isSameRelease } from '../ecosystems/debian/os-release.js';
import type { Ecosystem } from '../ecosystems/types.js';

/** What a package is looked up and evaluated as in the advisory records. */
export interface AdvisoryTarget {
  /** The normalised name the records name. */
  readonly name: string;
  /** The version the ranges are evaluated at. */
  readonly version: string;
  /** Whether an `affected` entry of this OSV ecosystem (`PyPI`, `Debian:12`) is about the package. */
  appliesTo(recordEcosystem: string): boolean;
}

function baseOf(value: string): string {
  const colon = value.indexOf(':');
  return colon === -1 ? value : value.slice(0, colon);
}

/**
 * The package as advisories name it. An application package: its own name and version, any entry
 * of its ecosystem. A distribution package: its source package and source version, the entries
 * of its release only (Debian and Ubuntu records name source packages, one release each). A
 * package from another vendor (`distro.foreignOrigin`): none (`undefined`); the inventory already
 * lists it as not audited. A Debian or Ubuntu package without a known release (not one the dpkg
 * parser yields) is matched against every release's entries, so a record is never missed.
 */
export function advisoryTargetOf(pkg: Package, ecosystem: Ecosystem): AdvisoryTarget | undefined {
  const distro = pkg.distro;
  if (distro === undefined) {
    return { name: ecosystem.normalizeName(pkg.name), version: pkg.version, appliesTo: (recordEcosystem) => baseOf(recordEcosystem) === pkg.ecosystem };
  }
  if (distro.foreignOrigin !== undefined) return undefined;
  return {
    name: ecosystem.normalizeName(distro.sourceName),
    version: distro.sourceVersion,
    appliesTo: (recordEcosystem) => isSameRelease(recordEcosystem, distro.release),
  };
}
