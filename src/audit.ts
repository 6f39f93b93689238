import type { AdvisoryStore, StoreStatus } from './advisories/types.js';
import { systemClock, type Clock } from './core/clock.js';
import { formatDuration } from './core/duration.js';
import { AdvisoryStoreError } from './core/errors.js';
import type { EcosystemId, Finding, Inventory } from './core/types.js';
import { buildInventory } from './inventory/build-inventory.js';
import { matchInventory, type MatchWarning } from './match/match.js';

/** Default for `--max-db-age`: advisory data older than this fails the audit (closed). */
export const DEFAULT_MAX_DB_AGE_MS = 7 * 86_400_000;

export interface AuditOptions {
  /** Files or folders to audit. */
  readonly paths: readonly string[];
  /** Paths in results are shown relative to this folder (default: the current directory). */
  readonly root?: string;
  /** Opens the advisory store; called once the inventory is read, so input errors come first. */
  readonly openStore: () => Promise<AdvisoryStore>;
  readonly clock?: Clock;
  /** Oldest acceptable advisory data, in milliseconds since its last import or update. */
  readonly maxDbAgeMs?: number;
}

export interface AuditResult {
  readonly inventory: Inventory;
  readonly findings: readonly Finding[];
  readonly warnings: readonly MatchWarning[];
  readonly database: StoreStatus;
  /** When the audit ran (from the injected clock). */
  readonly auditedAt: Date;
}

/**
 * Reads what the paths depend on and matches it against the advisory store. Fails closed with
 * AdvisoryStoreError when an audited ecosystem has no advisory data or data older than allowed.
 */
export async function audit(options: AuditOptions): Promise<AuditResult> {
  const clock = options.clock ?? systemClock;
  const auditedAt = clock.now();
  const inventory = await buildInventory({ paths: options.paths, ...(options.root ? { root: options.root } : {}) });
  const store = await options.openStore();
  try {
    const database = await store.status();
    const audited = new Set<EcosystemId>(inventory.packages.map((pkg) => pkg.ecosystem));
    checkFreshness(database, audited, auditedAt, options.maxDbAgeMs ?? DEFAULT_MAX_DB_AGE_MS);
    const { findings, warnings } = await matchInventory(inventory, store);
    return { inventory, findings, warnings, database, auditedAt };
  } finally {
    store.close();
  }
}

function checkFreshness(database: StoreStatus, audited: ReadonlySet<EcosystemId>, now: Date, maxAgeMs: number): void {
  const hint = 'run "vigil db update" (or "vigil db import PATH" offline) to refresh the advisory store';
  for (const ecosystem of [...audited].sort()) {
    const status = database.ecosystems.find((entry) => entry.ecosystem === ecosystem);
    if (!status || status.records === 0) {
      throw new AdvisoryStoreError(`advisory store ${database.path} has no ${ecosystem} advisories`, { hint });
    }
    const updatedAt = status.updatedAt ? Date.parse(status.updatedAt) : Number.NaN;
    if (Number.isNaN(updatedAt)) {
      throw new AdvisoryStoreError(`advisory store ${database.path} does not record when its ${ecosystem} data was updated`, { hint });
    }
    const age = now.getTime() - updatedAt;
    if (age > maxAgeMs) {
      throw new AdvisoryStoreError(
        `${ecosystem} advisory data is ${formatDuration(age)} old, older than the allowed ${formatDuration(maxAgeMs)}`,
        { hint: `${hint}, or allow older data with --max-db-age` },
      );
    }
  }
}
