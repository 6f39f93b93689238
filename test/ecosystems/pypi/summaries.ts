import type { Package, PackageScope } from '../../../src/core/types.js';

/** What the tests compare of a package: everything but the ecosystem and purl. */
export interface PackageSummary {
  readonly version: string;
  readonly line: number | undefined;
  readonly direct: Package['direct'];
  readonly scopes: readonly PackageScope[];
  readonly dependsOn: readonly string[];
}

/** Packages by name, or by `name@version` for a name locked at several versions. */
export function summarizeByName(packages: readonly Package[]): Record<string, PackageSummary> {
  const counts = new Map<string, number>();
  for (const pkg of packages) counts.set(pkg.name, (counts.get(pkg.name) ?? 0) + 1);
  return Object.fromEntries(
    packages.map((pkg) => [
      (counts.get(pkg.name) ?? 0) > 1 ? `${pkg.name}@${pkg.version}` : pkg.name,
      { version: pkg.version, line: pkg.location.line, direct: pkg.direct, scopes: [...pkg.scopes].sort(), dependsOn: [...pkg.dependsOn].sort() },
    ]),
  );
}

/** Every `dependsOn` key names a package of the same result. */
export function danglingEdges(packages: readonly Package[]): string[] {
  const keys = new Set(packages.map((pkg) => pkg.key));
  return packages.flatMap((pkg) => pkg.dependsOn.filter((key) => !keys.has(key)).map((key) => `${pkg.key} -> ${key}`));
}
