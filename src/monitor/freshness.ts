import { checkFreshness } from '../audit.js';
import { openAdvisoryStore } from '../advisories/store/sqlite-store.js';
import type { Clock } from '../core/clock.js';
import type { EcosystemId } from '../core/types.js';
import type { MonitorDb } from './store/open-monitor-store.js';

/**
 * Checks the advisory store's data age for the ecosystems the stored inventories hold, as
 * `vigil audit` checks it for the files it reads (newest record's `modified`, no ecosystem
 * without records, no timestamp in the future). Nothing stored yet: nothing to check.
 * @throws AdvisoryStoreError when the data is too old, missing for an ecosystem, or unreadable.
 */
export async function checkMonitorFreshness(monitor: MonitorDb, storePath: string, clock: Clock, maxAgeMs: number): Promise<void> {
  const rows = await monitor.db.selectFrom('monitor_packages').select('ecosystem').distinct().execute();
  if (rows.length === 0) return;
  const store = openAdvisoryStore(storePath, { clock });
  try {
    checkFreshness(await store.status(), new Set(rows.map((row) => row.ecosystem as EcosystemId)), clock.now(), maxAgeMs);
  } finally {
    store.close();
  }
}
