// Small advisory records, an in-memory store and findings for the remediation tests.
import type { OsvEvent, OsvRecord } from '../../src/advisories/osv.js';
import type { AdvisoryStore } from '../../src/advisories/types.js';
import type { Directness, EcosystemId, Finding } from '../../src/core/types.js';
import { ecosystems } from '../../src/ecosystems/ecosystems.js';
import { makePackage } from '../../src/ecosystems/package.js';
import { matchInventory } from '../../src/match/match.js';

/** One record affecting one package through ECOSYSTEM ranges (and optional listed versions). */
export function advisory(
  id: string,
  ecosystem: EcosystemId,
  name: string,
  ranges: readonly (readonly OsvEvent[])[],
  options: { versions?: string[]; severity?: string } = {},
): OsvRecord {
  return {
    id,
    modified: '2024-01-01T00:00:00Z',
    published: '2024-01-01T00:00:00Z',
    summary: `${id} in ${name}`,
    ...(options.severity ? { database_specific: { severity: options.severity } } : {}),
    affected: [
      {
        package: { ecosystem, name },
        ranges: ranges.map((events) => ({ type: 'ECOSYSTEM' as const, events: [...events] })),
        ...(options.versions ? { versions: options.versions } : {}),
      },
    ],
  };
}

/** An AdvisoryStore over a fixed list of records. */
export function memoryStore(records: readonly OsvRecord[]): AdvisoryStore {
  return {
    advisoriesFor(ecosystem, normalizedNames) {
      const found = new Map<string, OsvRecord[]>();
      for (const record of records) {
        for (const entry of record.affected ?? []) {
          if (entry.package?.ecosystem !== ecosystem) continue;
          const name = ecosystems[ecosystem].normalizeName(entry.package.name);
          if (!normalizedNames.includes(name)) continue;
          const list = found.get(name) ?? [];
          if (!list.includes(record)) list.push(record);
          found.set(name, list);
        }
      }
      return Promise.resolve(found);
    },
    recordsByAlias: (ids) => Promise.resolve(records.filter((record) => ids.includes(record.id))),
    firstSeen: () => Promise.resolve(new Map<string, string>()),
    status: () => Promise.reject(new Error('not used')),
    close: () => undefined,
  };
}

export interface LockedPackage {
  readonly ecosystem: EcosystemId;
  readonly name: string;
  readonly version: string;
  readonly direct?: Directness;
  readonly file?: string;
}

/** The findings of the matcher for locked packages (one file each), as an audit would give them. */
export async function findingsFor(store: AdvisoryStore, packages: readonly LockedPackage[]): Promise<readonly Finding[]> {
  const inventory = {
    root: '.',
    sources: [],
    skipped: [],
    packages: packages.map((pkg) =>
      makePackage({
        ecosystem: pkg.ecosystem,
        name: pkg.name,
        version: pkg.version,
        location: { file: pkg.file ?? (pkg.ecosystem === 'npm' ? 'package-lock.json' : 'requirements.txt'), line: 1 },
        direct: pkg.direct ?? true,
      }),
    ),
  };
  return (await matchInventory(inventory, store)).findings;
}
