import type { Ecosystem } from '../types.js';
import { dpkgScheme } from './version.js';

/**
 * Debian package names are compared as written: Debian Policy 5.6.1 allows only
 * `[a-z0-9][a-z0-9+.-]+`, dpkg refuses any other, and the advisory store indexes them as written.
 */
export function normalizeDebianName(name: string): string {
  return name;
}

/** The purl `distro` qualifier of a release: `debian-12`, `ubuntu-22.04`. */
export function purlDistroOf(release: string): string | undefined {
  const parts = release.split(':');
  const [base, version] = parts;
  if (base === undefined || version === undefined || version === '') return undefined;
  return `${base.toLowerCase()}-${version}`;
}

/**
 * A `pkg:deb` purl (purl-spec, type `deb`: namespace is the vendor, `arch` and `distro`
 * qualifiers, sorted by key): `pkg:deb/debian/curl@7.88.1-10+deb12u5?arch=amd64&distro=debian-12`.
 */
export function debianPurl(vendor: 'debian' | 'ubuntu', name: string, version: string, qualifiers: { arch?: string; distro?: string } = {}): string {
  const query = [
    ...(qualifiers.arch === undefined ? [] : [`arch=${encodeURIComponent(qualifiers.arch)}`]),
    ...(qualifiers.distro === undefined ? [] : [`distro=${encodeURIComponent(qualifiers.distro)}`]),
  ];
  // purl-spec: `:` in the version is percent-encoded (an epoch, `1:2.3-4`); `+` and `~` are kept.
  const path = `pkg:deb/${vendor}/${encodeURIComponent(normalizeDebianName(name))}@${encodeURIComponent(version)}`;
  return query.length === 0 ? path : `${path}?${query.join('&')}`;
}

export const debian: Ecosystem = {
  id: 'Debian',
  purlType: 'deb',
  versions: dpkgScheme,
  normalizeName: normalizeDebianName,
  purl: (name, version) => debianPurl('debian', name, version),
};

export const ubuntu: Ecosystem = {
  id: 'Ubuntu',
  purlType: 'deb',
  versions: dpkgScheme,
  normalizeName: normalizeDebianName,
  purl: (name, version) => debianPurl('ubuntu', name, version),
};
