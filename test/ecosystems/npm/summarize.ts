import type { Package, SkippedEntry } from '../../../src/core/types.js';

/** `name@version L<line> direct=<d> [scopes]`: one line per package, easy to compare in a table. */
export function describePackage(pkg: Package): string {
  return `${pkg.name}@${pkg.version} L${pkg.location.line ?? '?'} direct=${String(pkg.direct)} [${pkg.scopes.join(',')}]`;
}

/** Packages by key, described. */
export function describeByKey(packages: readonly Package[]): Record<string, string> {
  return Object.fromEntries(packages.map((pkg) => [pkg.key, describePackage(pkg)]));
}

/** `name L<line>: reason` per skipped entry. */
export function describeSkipped(skipped: readonly SkippedEntry[]): string[] {
  return skipped.map((entry) => `${entry.name ?? '?'} L${entry.location.line ?? '?'}: ${entry.reason}`);
}

/** Sorted `name@version` of the packages. */
export function nameVersions(packages: readonly Package[]): string[] {
  return packages.map((pkg) => `${pkg.name}@${pkg.version}`).sort();
}
