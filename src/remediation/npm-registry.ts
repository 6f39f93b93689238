import type { EcosystemId } from '../core/types.js';
import type { VersionSource } from './version-source.js';

/** The public npm registry. */
export const DEFAULT_NPM_REGISTRY = 'https://registry.npmjs.org';

/** A registry request that failed; the plan fell back to the advisories for that package. */
export interface RegistryProblem {
  readonly name: string;
  /** The URL requested. */
  readonly url: string;
  readonly message: string;
}

export interface NpmRegistryOptions {
  /** Registry base URL (default the public registry); a trailing `/` is ignored. */
  readonly registry?: string;
  /** Milliseconds before a request is abandoned (default 10 000). */
  readonly timeoutMs?: number;
  /** Called for each failed request, so the caller can show it; the source itself never throws. */
  readonly onProblem?: (problem: RegistryProblem) => void;
  /** The fetch to use (default the global one), e.g. one with a proxy agent. */
  readonly fetch?: typeof fetch;
}

/** A version source reading npm packuments, with their dependency lists for parent bumps. */
export interface NpmRegistry extends VersionSource {
  /**
   * The `dependencies` and `optionalDependencies` (npm installs both) of one published version
   * (name -> range); `undefined` when the packument cannot be read or does not list the version.
   */
  dependenciesOf(name: string, version: string): Promise<Readonly<Record<string, string>> | undefined>;
  /** Every failed request so far. */
  readonly problems: readonly RegistryProblem[];
}

/** The parts of a packument (https://github.com/npm/registry/blob/main/docs/responses/package-metadata.md) read. */
interface Packument {
  readonly versions: Readonly<
    Record<string, { readonly dependencies?: Readonly<Record<string, string>>; readonly optionalDependencies?: Readonly<Record<string, string>> }>
  >;
}

function isPackument(value: unknown): value is Packument {
  if (value === null || typeof value !== 'object') return false;
  const versions = (value as { versions?: unknown }).versions;
  return versions !== null && typeof versions === 'object' && !Array.isArray(versions);
}

/**
 * The packument URL: a scoped name keeps its `@` and encodes its `/` (`@scope%2fname`), as the
 * registry expects (https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md).
 */
export function packumentUrl(registry: string, name: string): string {
  const base = registry.replace(/\/+$/, '');
  const path = name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : encodeURIComponent(name);
  return `${base}/${path}`;
}

/**
 * A version source over the npm registry: one request per package and process (cached, failures
 * included, so an unreachable registry costs one timeout per package, not one per lookup). Network
 * errors, timeouts, non-200 answers and malformed packuments give `undefined` and a
 * `RegistryProblem`; they are never thrown. Other ecosystems get `undefined` without a request.
 */
export function createNpmRegistry(options: NpmRegistryOptions = {}): NpmRegistry {
  const registry = options.registry ?? DEFAULT_NPM_REGISTRY;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const doFetch = options.fetch ?? fetch;
  const cache = new Map<string, Promise<Packument | undefined>>();
  const problems: RegistryProblem[] = [];

  const report = (problem: RegistryProblem): Packument | undefined => {
    problems.push(problem);
    options.onProblem?.(problem);
    return undefined;
  };

  const load = async (name: string): Promise<Packument | undefined> => {
    const url = packumentUrl(registry, name);
    try {
      // The abbreviated form (`corgi`) carries versions and dependencies at a fraction of the size.
      const response = await doFetch(url, {
        headers: { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8' },
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) {
        await response.body?.cancel();
        return report({ name, url, message: `HTTP ${response.status}` });
      }
      const body: unknown = await response.json();
      if (!isPackument(body)) return report({ name, url, message: 'not a packument (no "versions" object)' });
      return body;
    } catch (error) {
      const message =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
          ? `no answer within ${timeoutMs} ms`
          : error instanceof Error
            ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}`
            : String(error);
      return report({ name, url, message });
    }
  };

  const packument = (name: string): Promise<Packument | undefined> => {
    let pending = cache.get(name);
    if (!pending) {
      pending = load(name);
      cache.set(name, pending);
    }
    return pending;
  };

  return {
    problems,
    async publishedVersions(ecosystem: EcosystemId, name: string) {
      if (ecosystem !== 'npm') return undefined;
      const found = await packument(name);
      return found ? Object.keys(found.versions) : undefined;
    },
    async dependenciesOf(name: string, version: string) {
      const found = await packument(name);
      const manifest = found?.versions[version];
      if (!manifest) return undefined;
      return { ...manifest.dependencies, ...manifest.optionalDependencies };
    },
  };
}
