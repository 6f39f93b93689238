import type { OsvAffected, OsvRecord, OsvSeverity } from '../advisories/osv.js';
import type { DistroAdvisory, Package } from '../core/types.js';
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

/** What the distribution's records say of one flaw for a package, beyond its ranges. */
export interface DistroNotes {
  /** Debian urgencies (`affected[].ecosystem_specific.urgency`) of the matched entries. */
  readonly urgencies: readonly string[];
  /** Debian no-dsa notes (`ecosystem_specific.nodsa` / `nodsa_reason`, the tracker's names). */
  readonly noDsa: readonly string[];
  /**
   * CVSS scores Canonical's records give per CVE of the entry (`database_specific.cves_map`),
   * where the record itself has no `severity`: they score the finding like an entry's own.
   */
  readonly severities: readonly OsvSeverity[];
}

const asArray = (value: unknown): readonly unknown[] => (Array.isArray(value) ? (value as unknown[]) : []);
const asObject = (value: unknown): Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** The notes of one matched `affected` entry. */
export function distroNotesOf(entry: OsvAffected): DistroNotes {
  const specific = entry.ecosystem_specific ?? {};
  const text = (value: unknown): string[] => (typeof value === 'string' && value.trim() !== '' ? [value.trim()] : []);
  const urgencies = text(specific['urgency']);
  const severities: OsvSeverity[] = [];
  for (const cve of asArray(asObject(entry.database_specific?.['cves_map'])['cves'])) {
    for (const item of asArray(asObject(cve)['severity'])) {
      const { type, score } = asObject(item);
      if (typeof type !== 'string' || typeof score !== 'string') continue;
      if (type === 'Ubuntu') urgencies.push(score);
      else if (type.startsWith('CVSS_')) severities.push({ type, score });
    }
  }
  return { urgencies, noDsa: [...text(specific['nodsa']), ...text(specific['nodsa_reason'])], severities };
}

// Debian's urgencies (security-tracker) and Ubuntu's priorities (ubuntu-cve-tracker), least first.
const URGENCY_RANK: Readonly<Record<string, number>> = { unimportant: 0, negligible: 0, low: 1, medium: 2, high: 3, critical: 4 };

/**
 * The distribution's own classification of a flaw for a package: the highest Debian urgency or
 * Ubuntu priority the matched records give (Debian's `high**` marks are dropped), its no-dsa
 * notes, and whether the release has no fixed package yet.
 */
export function distroAdvisoryOf(records: readonly OsvRecord[], notes: readonly DistroNotes[], fixed: readonly string[]): DistroAdvisory {
  const urgencies = [
    ...notes.flatMap((note) => note.urgencies),
    // Canonical's records: `severity: [{type: "Ubuntu", score: "medium"}]`.
    ...records.flatMap((record) => (record.severity ?? []).filter((severity) => severity.type === 'Ubuntu').map((severity) => severity.score)),
  ].map((urgency) => urgency.replace(/\*+$/, '').toLowerCase());
  const ranked = [...new Set(urgencies)].sort((a, b) => (URGENCY_RANK[b] ?? 5) - (URGENCY_RANK[a] ?? 5));
  const noDsa = [...new Set(notes.flatMap((note) => note.noDsa))];
  return {
    ...(ranked[0] === undefined ? {} : { urgency: ranked[0] }),
    ...(noDsa.length === 0 ? {} : { noDsa: noDsa.join('; ') }),
    unfixed: fixed.length === 0,
  };
}

/** Rank of an urgency for a threshold: unknown ones (`not yet assigned`, `end-of-life`) rank highest (fail closed). */
export function urgencyRank(urgency: string | undefined): number {
  return urgency === undefined ? 5 : (URGENCY_RANK[urgency] ?? 5);
}

/**
 * The package as remediation plans it: for a distribution package, its source name and version
 * and the records narrowed to the entries of its release (so a fix is never taken from another
 * release's archive); for any other package, itself and the records as they are.
 */
export function remediationSubjectOf(
  pkg: Package,
  ecosystem: Ecosystem,
  records: readonly OsvRecord[],
): { readonly name: string; readonly version: string; readonly advisories: readonly OsvRecord[] } {
  const target = pkg.distro === undefined ? undefined : advisoryTargetOf(pkg, ecosystem);
  if (pkg.distro === undefined || target === undefined) return { name: pkg.name, version: pkg.version, advisories: records };
  const narrowed = records.map((record) => ({
    ...record,
    affected: (record.affected ?? []).filter((entry) => entry.package !== undefined && target.appliesTo(entry.package.ecosystem)),
  }));
  return { name: pkg.distro.sourceName, version: pkg.distro.sourceVersion, advisories: narrowed };
}
