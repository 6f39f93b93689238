import type Database from 'better-sqlite3';
import { openStoreDatabase, readError } from '../advisories/store/sqlite-store.js';
import { isEcosystemId, type EcosystemId } from '../core/types.js';

// What changed in the advisory store since the monitor last matched it. The store keeps, per
// record, its `modified` time (what OSV says changes whenever the record does) and its
// `withdrawn` time; an import does not keep a per-record import time beyond the first
// (`first_seen`), and `modified` is the data's own date, so a watermark on either misses a
// record re-imported with an older date (a 2024 snapshot imported today). The monitor instead
// keeps a ledger of (id, modified, withdrawn) as last matched and compares: one pass over the
// store's small per-record rows (schema 5 keeps the bodies apart; no body is read), then only
// the records that differ are matched.
//
// This reads the store's schema 5 tables `records` and `affected` directly; the advisory store's
// read interface has no "list record versions" call yet.

/** A record as the ledger compares it. */
export interface RecordVersion {
  readonly modified: string;
  /** Withdrawn by now (its `withdrawn` time has come). */
  readonly withdrawn: boolean;
}

/** The advisory store's records, read once for a rematch. */
export interface AdvisorySnapshot {
  readonly records: ReadonlyMap<string, RecordVersion>;
  /** (ecosystem vigil audits, normalised name) of each record's affected packages, for `ids`. */
  affectedOf(ids: readonly string[]): ReadonlyMap<string, readonly { readonly ecosystem: EcosystemId; readonly name: string }[]>;
  close(): void;
}

const CHUNK = 500;

/**
 * Reads every record's (id, modified, withdrawn) from the store at `storePath`, in one read
 * transaction. `now` decides which withdrawn times have come (ISO 8601 UTC, as the store writes).
 * @throws AdvisoryStoreError when the store is missing, not a store, or damaged.
 */
export function readAdvisorySnapshot(storePath: string, now: string): AdvisorySnapshot {
  const db: Database.Database = openStoreDatabase(storePath);
  try {
    const records = new Map<string, RecordVersion>();
    const rows = db.prepare('SELECT id, modified, withdrawn FROM records').raw().iterate() as IterableIterator<[string, string, string | null]>;
    for (const [id, modified, withdrawn] of rows) records.set(id, { modified, withdrawn: withdrawn !== null && withdrawn <= now });
    const statements = new Map<number, Database.Statement>();
    return {
      records,
      affectedOf(ids) {
        const found = new Map<string, { ecosystem: EcosystemId; name: string }[]>();
        try {
          for (let start = 0; start < ids.length; start += CHUNK) {
            const chunk = ids.slice(start, start + CHUNK);
            let statement = statements.get(chunk.length);
            if (statement === undefined) {
              statement = db.prepare(`SELECT DISTINCT record_id, ecosystem, name FROM affected WHERE record_id IN (${chunk.map(() => '?').join(',')})`);
              statements.set(chunk.length, statement);
            }
            for (const [recordId, ecosystem, name] of statement.raw().all(...chunk) as [string, string, string][]) {
              if (!isEcosystemId(ecosystem)) continue; // an ecosystem vigil does not audit has no inventories
              const list = found.get(recordId);
              if (list === undefined) found.set(recordId, [{ ecosystem, name }]);
              else list.push({ ecosystem, name });
            }
          }
        } catch (error) {
          throw readError(storePath, error);
        }
        return found;
      },
      close: () => db.close(),
    };
  } catch (error) {
    db.close();
    throw readError(storePath, error);
  }
}

/** Records that differ between the ledger and the store: new, modified, newly withdrawn or un-withdrawn, and gone. */
export function diffLedger(
  ledger: ReadonlyMap<string, RecordVersion>,
  store: ReadonlyMap<string, RecordVersion>,
): { readonly changed: string[]; readonly removed: string[] } {
  const changed: string[] = [];
  for (const [id, version] of store) {
    const known = ledger.get(id);
    if (known === undefined || known.modified !== version.modified || known.withdrawn !== version.withdrawn) changed.push(id);
  }
  const removed: string[] = [];
  for (const id of ledger.keys()) if (!store.has(id)) removed.push(id);
  return { changed: changed.sort(), removed: removed.sort() };
}
