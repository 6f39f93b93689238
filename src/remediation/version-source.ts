import type { EcosystemId } from '../core/types.js';

/**
 * Where the versions a package has actually published come from (a registry). Fix targets are
 * chosen among them when known, so a plan never proposes a version that was never released.
 */
export interface VersionSource {
  /**
   * Every published version of the package, in any order; `undefined` when the source cannot say
   * (ecosystem not served, package unknown, network error). Never throws for an unreachable source:
   * the plan then falls back to the advisories' `fixed` versions and says so.
   */
  publishedVersions(ecosystem: EcosystemId, name: string): Promise<readonly string[] | undefined>;
}
