import type { Package } from '../core/types.js';
import { ecosystems } from '../ecosystems/ecosystems.js';
import { advisoryTargetOf } from '../match/advisory-target.js';

/** The name advisories list a package under (`advisoryTargetOf`), or '' when none is matched on it. */
export function matchNameOf(pkg: Package): string {
  return advisoryTargetOf(pkg, ecosystems[pkg.ecosystem])?.name ?? '';
}

/** `ecosystem\0match name`: the key of the rematch index and of a rematch's scope. */
export function packageKey(ecosystem: string, matchName: string): string {
  return `${ecosystem}\u0000${matchName}`;
}

export function packageKeyOf(pkg: Package): string {
  return packageKey(pkg.ecosystem, matchNameOf(pkg));
}
