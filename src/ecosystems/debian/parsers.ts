import { lazyParser } from '../lazy-parser.js';
import type { LockfileParser } from '../types.js';

// Files of a status.d folder that are not package entries (distroless keeps each package's
// md5sums and maintainer scripts beside its entry, as dpkg's info/ folder does).
const NOT_AN_ENTRY = /\.(md5sums|conffiles|list|preinst|postinst|prerm|postrm|config|templates|triggers|shlibs|symbols)$/;

/**
 * Whether the path (relative to the audited root, or absolute for a file named on the command
 * line) is a dpkg database: `var/lib/dpkg/status` or an entry of `var/lib/dpkg/status.d/`, in a
 * root filesystem at the root or below it.
 */
export function isDpkgDatabasePath(path: string): boolean {
  if (/(^|\/)var\/lib\/dpkg\/status$/.test(path)) return true;
  return /(^|\/)var\/lib\/dpkg\/status\.d\/[^/]+$/.test(path) && !NOT_AN_ENTRY.test(path) && !path.endsWith('/.') && !/\/\.[^/]*$/.test(path);
}

/**
 * dpkg's database of installed packages (Debian, Ubuntu): `var/lib/dpkg/status` and distroless
 * `var/lib/dpkg/status.d/*`, with the release from the root filesystem's os-release.
 */
export const dpkgStatusParser: LockfileParser = lazyParser(
  {
    id: 'dpkg-status',
    ecosystems: ['Debian', 'Ubuntu'],
    // `status` alone is too common a name: the path decides (or --lockfile dpkg-status:FILE).
    matchesFileName: () => false,
    matchesPath: isDpkgDatabasePath,
  },
  async () => (await import('./dpkg-status.js')).parseDpkgStatus,
);

/** The Debian and Ubuntu dependency file parsers. */
export const debianParsers: readonly LockfileParser[] = [dpkgStatusParser];
