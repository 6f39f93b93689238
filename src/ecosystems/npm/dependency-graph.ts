import type { PackageScope } from '../../core/types.js';

/** One dependency edge between lockfile nodes. */
export interface DependencyEdge {
  /** Key of the node depended on. */
  readonly target: string;
  /** Whether the dependent can be installed without it (`optionalDependencies`, optional peers). */
  readonly optional: boolean;
}

/** A place the project itself asks for a package (a manifest's dependency of some kind). */
export interface DependencyRoot {
  readonly target: string;
  /** From `devDependencies`. */
  readonly dev: boolean;
  /** From `optionalDependencies`. */
  readonly optional: boolean;
}

/** How a node was reached from the project's own manifests. */
export interface Reach {
  /** Reached through some path from a non-dev root. */
  readonly byProduction: boolean;
  /** Reached through some path made only of non-optional roots and edges. */
  readonly byRequired: boolean;
}

const PRODUCTION = 1;
const REQUIRED = 2;

/**
 * Walks the graph from the roots the way npm computes its `dev` and `optional` flags
 * (https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json#packages): a node is dev when
 * only dev roots reach it, optional when every path to it crosses an optional edge. Each node is
 * visited at most once per combination of the two properties, so the walk is linear.
 */
export function reachFrom(
  roots: readonly DependencyRoot[],
  edgesOf: (key: string) => readonly DependencyEdge[],
): Map<string, Reach> {
  const seen = new Map<string, number>();
  const queue: { key: string; state: number }[] = [];
  const push = (key: string, state: number): void => {
    const states = seen.get(key) ?? 0;
    const bit = 1 << state;
    if (states & bit) return;
    seen.set(key, states | bit);
    queue.push({ key, state });
  };
  for (const root of roots) push(root.target, (root.dev ? 0 : PRODUCTION) | (root.optional ? 0 : REQUIRED));
  for (let index = 0; index < queue.length; index++) {
    const next = queue[index];
    if (!next) continue;
    for (const edge of edgesOf(next.key)) push(edge.target, edge.optional ? next.state & ~REQUIRED : next.state);
  }
  const reach = new Map<string, Reach>();
  for (const [key, states] of seen) {
    let byProduction = false;
    let byRequired = false;
    for (let state = 0; state < 4; state++) {
      if (!(states & (1 << state))) continue;
      if (state & PRODUCTION) byProduction = true;
      if (state & REQUIRED) byRequired = true;
    }
    reach.set(key, { byProduction, byRequired });
  }
  return reach;
}

/** Scopes of a reached node; an unreached one (extraneous, or roots unknown) gets none: fail closed. */
export function scopesOfReach(reach: Reach | undefined): PackageScope[] {
  if (!reach) return [];
  const scopes: PackageScope[] = [];
  if (!reach.byProduction) scopes.push('dev');
  if (!reach.byRequired) scopes.push('optional');
  return scopes;
}
