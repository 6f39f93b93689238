// The ecosystem names OSV defines: the `ecosystemName` enum of the OSV schema
// (https://github.com/ossf/osv-schema/blob/main/validation/schema.json, as of July 2026; also
// https://ossf.github.io/osv-schema/#affectedpackage-field), plus `GIT`, which its
// `ecosystemWithSuffix` pattern accepts too. A record may add a `:suffix` (`Debian:12`,
// `Ubuntu:22.04:LTS`, `Ubuntu:Pro:18.04:LTS`); the name before the first `:` is the one listed here.
export const OSV_ECOSYSTEMS = [
  'AlmaLinux',
  'Alpaquita',
  'Alpine',
  'Android',
  'Azure Linux',
  'BellSoft Hardened Containers',
  'Bioconductor',
  'Bitnami',
  'Chainguard',
  'CleanStart',
  'ConanCenter',
  'CRAN',
  'crates.io',
  'Debian',
  'Docker Hardened Images',
  'Echo',
  'FreeBSD',
  'GHC',
  'GIT',
  'GitHub Actions',
  'Go',
  'Hackage',
  'Hex',
  'Julia',
  'Kubernetes',
  'Linux',
  'Mageia',
  'Maven',
  'MinimOS',
  'npm',
  'NuGet',
  'opam',
  'openEuler',
  'openSUSE',
  'OSS-Fuzz',
  'Packagist',
  'Photon OS',
  'Pub',
  'PyPI',
  'Red Hat',
  'Rocky Linux',
  'Root',
  'RubyGems',
  'SUSE',
  'SwiftURL',
  'TuxCare',
  'Ubuntu',
  'VSCode',
  'Wolfi',
] as const;

const KNOWN = new Set<string>(OSV_ECOSYSTEMS);
const BY_FOLDED = new Map<string, string>(OSV_ECOSYSTEMS.map((name) => [name.toLowerCase(), name]));

/**
 * How an `affected[].package.ecosystem` string relates to OSV's list:
 * - `known`: its base (before any `:`) is an OSV ecosystem, spelt exactly;
 * - `misspelt`: it differs from one only by letter case or surrounding spaces (`pypi`, `" PyPI"`),
 *   which never matches anything, so it is an error; `expected` is the string as OSV spells it;
 * - `unknown`: any other name (perhaps one OSV added after this list), imported as written.
 */
export type EcosystemSpelling =
  | { readonly kind: 'known' }
  | { readonly kind: 'misspelt'; readonly expected: string }
  | { readonly kind: 'unknown'; readonly base: string };

/** Checks one ecosystem string against OSV's ecosystem names. */
export function checkEcosystemSpelling(ecosystem: string): EcosystemSpelling {
  const colon = ecosystem.indexOf(':');
  const base = colon < 0 ? ecosystem : ecosystem.slice(0, colon);
  const suffix = colon < 0 ? '' : ecosystem.slice(colon);
  if (KNOWN.has(base) && ecosystem === ecosystem.trim()) return { kind: 'known' };
  const canonical = BY_FOLDED.get(base.trim().toLowerCase());
  if (canonical !== undefined) return { kind: 'misspelt', expected: `${canonical}${suffix.trimEnd()}` };
  return { kind: 'unknown', base };
}
