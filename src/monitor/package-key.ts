import type { Package } from '../core/types.js';
import { ecosystems } from '../ecosystems/ecosystems.js';
import { advisoryTargetOf } from '../match/advisory-target.js';

/** The name advisories list a package under (`advisoryTargetOf`), or '' when none is matched on it. */
export function matchNameOf(pkg: Package): string {
  return advisoryTargetOf(pkg, ecosystems[pkg.ecosystem])?.name ?? '';
}

/** Between the two parts of a key: no ecosystem or package name has it, and PostgreSQL text may hold it (NUL it may not). */
export const KEY_SEPARATOR = '\u001f';

/** `ecosystem` US `match name`: the key of the rematch index and of a rematch's scope. */
export function packageKey(ecosystem: string, matchName: string): string {
  return `${ecosystem}${KEY_SEPARATOR}${matchName}`;
}

/** The parts of a `packageKey`. */
export function splitPackageKey(key: string): { readonly ecosystem: string; readonly matchName: string } {
  const at = key.indexOf(KEY_SEPARATOR);
  return { ecosystem: key.slice(0, at), matchName: key.slice(at + 1) };
}

export function packageKeyOf(pkg: Package): string {
  return packageKey(pkg.ecosystem, matchNameOf(pkg));
}
