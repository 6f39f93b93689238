import type { PackageScope } from '../../core/types.js';
import { normalizePypiName } from './ecosystem.js';

/** A locked entry as far as edges are concerned. */
export interface GraphNode {
  /** Key of the package (or of a node that is not a package, such as a project member). */
  readonly key: string;
  readonly name: string;
  readonly version: string | undefined;
}

/** Finds the keys an edge `name` (optionally `version`) points at, by PEP 503 name. */
export interface NameIndex {
  /** Keys of the nodes of that name; only the one of that version when `version` is given and locked. */
  resolve(name: string, version?: string): readonly string[];
}

/** Indexes nodes by normalised name; a name may be locked at several versions (uv forks). */
export function indexByName(nodes: readonly GraphNode[]): NameIndex {
  const byName = new Map<string, GraphNode[]>();
  for (const node of nodes) {
    const normalized = normalizePypiName(node.name);
    const list = byName.get(normalized) ?? [];
    list.push(node);
    byName.set(normalized, list);
  }
  return {
    resolve(name, version) {
      const candidates = byName.get(normalizePypiName(name)) ?? [];
      if (version !== undefined) {
        const exact = candidates.filter((node) => node.version === version);
        if (exact.length > 0) return exact.map((node) => node.key);
      }
      return candidates.map((node) => node.key);
    },
  };
}

/** Starting points of a dependency walk, by why the project wants them. */
export interface Roots {
  readonly main: readonly string[];
  readonly optional: readonly string[];
  readonly dev: readonly string[];
}

/**
 * Scopes of every node reachable from the roots: `[]` when reachable from a main root (runtime
 * wins: a package needed at runtime is audited as such even if a dev tool also pulls it), else
 * `optional` and/or `dev` after the roots that reach it. Nodes reached from no root are absent.
 */
export function classifyByReachability(
  edges: ReadonlyMap<string, readonly string[]>,
  roots: Roots,
): Map<string, PackageScope[]> {
  const reach = (starts: readonly string[]): Set<string> => {
    const seen = new Set<string>();
    const queue = [...starts];
    while (queue.length > 0) {
      const key = queue.pop();
      if (key === undefined || seen.has(key)) continue;
      seen.add(key);
      for (const next of edges.get(key) ?? []) if (!seen.has(next)) queue.push(next);
    }
    return seen;
  };
  const main = reach(roots.main);
  const optional = reach(roots.optional);
  const dev = reach(roots.dev);
  const scopes = new Map<string, PackageScope[]>();
  for (const key of main) scopes.set(key, []);
  for (const key of new Set([...optional, ...dev])) {
    if (main.has(key)) continue;
    const list: PackageScope[] = [];
    if (dev.has(key)) list.push('dev');
    if (optional.has(key)) list.push('optional');
    scopes.set(key, list);
  }
  return scopes;
}
