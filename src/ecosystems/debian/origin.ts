// Telling a distribution's own packages from those a vendor's apt repository installed in the same
// dpkg database. Debian's and Ubuntu's security records describe their archives' builds only: a
// vendor's `nginx 1.23.2-1~bullseye` (nginx.org) is another program with another version line,
// and matching it against Debian's nginx records gives wrong answers both ways.

// Release codenames (distro-info-data's debian.csv and ubuntu.csv). Vendors build one package per
// release and end its version with `~<codename>` (nginx.org `1.23.2-1~bullseye`, Docker
// `5:24.0.7-1~debian.12~bookworm`); Debian and Ubuntu never do: theirs end in `+debNuM`, `~bpoN+M`,
// `~debNuM`, `ubuntuN`, `~build1`, `+bN`.
const CODENAMES = new Set([
  // Debian
  'buzz', 'rex', 'bo', 'hamm', 'slink', 'potato', 'woody', 'sarge', 'etch', 'lenny', 'squeeze', 'wheezy',
  'jessie', 'stretch', 'buster', 'bullseye', 'bookworm', 'trixie', 'forky', 'duke', 'sid',
  // Ubuntu
  'warty', 'hoary', 'breezy', 'dapper', 'edgy', 'feisty', 'gutsy', 'hardy', 'intrepid', 'jaunty', 'karmic',
  'lucid', 'maverick', 'natty', 'oneiric', 'precise', 'quantal', 'raring', 'saucy', 'trusty', 'utopic',
  'vivid', 'wily', 'xenial', 'yakkety', 'zesty', 'artful', 'bionic', 'cosmic', 'disco', 'eoan', 'focal',
  'groovy', 'hirsute', 'impish', 'jammy', 'kinetic', 'lunar', 'mantic', 'noble', 'oracular', 'plucky',
  'questing', 'resolute',
]);

/** Version markers of well-known vendor repositories. */
const VENDOR_MARKERS: readonly { readonly pattern: RegExp; readonly vendor: string }[] = [
  { pattern: /\.pgdg\d/, vendor: 'the PostgreSQL apt repository (pgdg)' },
  { pattern: /nodesource\d*$/, vendor: 'NodeSource' },
];

/** The dpkg fields the decision reads. */
export interface OriginFields {
  readonly version: string;
  /** `Origin:` (rare in a status file; a vendor's control file may set it). */
  readonly origin: string | undefined;
  /** os-release `ID` of the root filesystem (`debian`, `ubuntu`). */
  readonly distribution: string;
  /** os-release `VERSION_CODENAME`, when known. */
  readonly codename: string | undefined;
}

/**
 * Why the package does not come from the distribution, or `undefined` when nothing says so:
 * an `Origin:` naming another vendor, a version ending in `~<release codename>`, or a known
 * vendor's version marker.
 */
export function foreignOriginOf(fields: OriginFields): string | undefined {
  if (fields.origin !== undefined && fields.origin.toLowerCase() !== fields.distribution) {
    return `its Origin field is "${fields.origin}", not ${fields.distribution}`;
  }
  const suffix = /~([a-z]+)$/.exec(fields.version)?.[1];
  if (suffix !== undefined && (CODENAMES.has(suffix) || suffix === fields.codename)) {
    return `its version ends in "~${suffix}", a vendor repository's build for that release (${fields.distribution}'s own versions never do)`;
  }
  for (const marker of VENDOR_MARKERS) {
    if (marker.pattern.test(fields.version)) return `its version is one of ${marker.vendor}`;
  }
  return undefined;
}
