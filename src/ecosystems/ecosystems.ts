import type { EcosystemId } from '../core/types.js';
import { debian, ubuntu } from './debian/ecosystem.js';
import { npm } from './npm/ecosystem.js';
import { pypi } from './pypi/ecosystem.js';
import type { Ecosystem } from './types.js';

/**
 * Every supported ecosystem, by OSV id. Kept apart from the parser registry so that version and
 * name logic can be used without loading any parser.
 */
export const ecosystems = {
  PyPI: pypi,
  npm,
  Debian: debian,
  Ubuntu: ubuntu,
} as const satisfies Record<EcosystemId, Ecosystem>;

export function ecosystemOf(id: EcosystemId): Ecosystem {
  return ecosystems[id];
}
