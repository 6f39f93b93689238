import type { Package } from '../core/types.js';

/** At most this many paths per finding: enough to show every way in, short enough to read. */
export const MAX_PATHS = 10;

/** Reverse dependency graph of an inventory, for tracing a package back to direct dependencies. */
export interface DependencyGraph {
  /** Shortest path from each direct ancestor to the package (`name@version` steps). */
  pathsTo(pkg: Package): readonly (readonly string[])[];
}

export function buildDependencyGraph(packages: readonly Package[]): DependencyGraph {
  const byKey = new Map<string, Package>();
  for (const pkg of packages) byKey.set(pkg.key, pkg);
  const dependents = new Map<string, string[]>();
  for (const pkg of packages) {
    for (const child of pkg.dependsOn) {
      const list = dependents.get(child);
      if (list) list.push(pkg.key);
      else dependents.set(child, [pkg.key]);
    }
  }
  const label = (pkg: Package): string => `${pkg.name}@${pkg.version}`;

  return {
    pathsTo(target) {
      // Breadth-first over reverse edges: the first time a node is reached is on a shortest path,
      // so each direct ancestor yields exactly one shortest path.
      const towardTarget = new Map<string, string | null>([[target.key, null]]);
      const queue: string[] = [target.key];
      const directAncestors: string[] = [];
      for (let head = 0; head < queue.length; head++) {
        const key = queue[head] as string;
        if (byKey.get(key)?.direct === true) directAncestors.push(key);
        for (const parent of dependents.get(key) ?? []) {
          if (towardTarget.has(parent)) continue;
          towardTarget.set(parent, key);
          queue.push(parent);
        }
      }
      const paths: string[][] = [];
      for (const start of directAncestors) {
        const path: string[] = [];
        for (let key: string | null | undefined = start; key != null; key = towardTarget.get(key)) {
          const pkg = byKey.get(key);
          if (pkg) path.push(label(pkg));
        }
        paths.push(path);
        if (paths.length >= MAX_PATHS) break;
      }
      return paths;
    },
  };
}
