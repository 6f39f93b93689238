import type { EcosystemId } from '../core/types.js';
import { npm } from './npm/ecosystem.js';
import { npmParsers } from './npm/parsers.js';
import { pypi } from './pypi/ecosystem.js';
import { pypiParsers } from './pypi/parsers.js';
import { sbomParsers } from './sbom/parsers.js';
import type { Ecosystem, LockfileParser } from './types.js';

/** Every supported ecosystem, by OSV id. A contract test checks each is complete. */
export const ecosystems = {
  PyPI: pypi,
  npm,
} as const satisfies Record<EcosystemId, Ecosystem>;

export function ecosystemOf(id: EcosystemId): Ecosystem {
  return ecosystems[id];
}

/** Every dependency file format, most specific first. */
export const lockfileParsers: readonly LockfileParser[] = [...pypiParsers, ...npmParsers, ...sbomParsers];
