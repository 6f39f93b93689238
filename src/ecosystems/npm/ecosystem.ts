import type { Ecosystem } from '../types.js';
import { semverScheme } from './version.js';

/**
 * npm names are compared lowercased: the registry refuses new names that differ from an
 * existing one only in case, and advisories sometimes spell a name with capitals ("Axios").
 */
export function normalizeNpmName(name: string): string {
  return name.toLowerCase();
}

export const npm: Ecosystem = {
  id: 'npm',
  purlType: 'npm',
  versions: semverScheme,
  normalizeName: normalizeNpmName,
  purl(name, version) {
    // purl-spec: the scope is the namespace, `@` percent-encoded.
    const slash = name.startsWith('@') ? name.indexOf('/') : -1;
    const path =
      slash > 0
        ? `${encodeURIComponent(name.slice(0, slash))}/${encodeURIComponent(name.slice(slash + 1))}`
        : encodeURIComponent(name);
    return `pkg:npm/${path}@${encodeURIComponent(version)}`;
  },
};
