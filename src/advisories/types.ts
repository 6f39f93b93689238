import type { EcosystemId } from '../core/types.js';
import type { OsvRecord } from './osv.js';

export type { OsvRecord } from './osv.js';

/** Records and freshness of one ecosystem in the store. */
export interface EcosystemStatus {
  /** OSV ecosystem string as the records write it (may be one vigil does not audit, e.g. `Go`). */
  readonly ecosystem: string;
  /** Records with an `affected` entry of this ecosystem (withdrawn ones included). */
  readonly records: number;
  /**
   * Newest `modified` of this ecosystem's records (ISO 8601): the date of the data itself, what
   * `max_db_age` is measured from.
   */
  readonly newestModified: string | undefined;
  /** When this ecosystem's data was last imported or downloaded (ISO 8601); shown, not its age. */
  readonly updatedAt: string | undefined;
  /** Where it came from: a mirror URL or the imported paths. */
  readonly source: string | undefined;
  /** When a mirror was last asked for this ecosystem's changes, whether or not it had any (ISO 8601). */
  readonly checkedAt: string | undefined;
}

export interface StoreStatus {
  /** Path of the store file. */
  readonly path: string;
  /** All records, withdrawn included. */
  readonly records: number;
  readonly withdrawn: number;
  /** Newest `modified` over all records (ISO 8601), the age of the data itself. */
  readonly newestModified: string | undefined;
  /** Last successful import or update of any ecosystem (ISO 8601). */
  readonly updatedAt: string | undefined;
  readonly ecosystems: readonly EcosystemStatus[];
}

/** Read side of the advisory store, all the matcher needs. */
export interface AdvisoryStore {
  /**
   * Advisories, not withdrawn (a record is withdrawn once its `withdrawn` time has come, by the
   * store's clock), with an `affected` entry for one of the packages, keyed by
   * ecosystem-normalised name (the same key given in `normalizedNames`).
   */
  advisoriesFor(
    ecosystem: EcosystemId,
    normalizedNames: readonly string[],
  ): Promise<ReadonlyMap<string, readonly OsvRecord[]>>;
  /** Records whose id or one of whose aliases is one of `ids` (withdrawn excluded). */
  recordsByAlias(ids: readonly string[]): Promise<readonly OsvRecord[]>;
  /** When the store first held each of these record ids (ISO 8601); ids never held are absent. */
  firstSeen(ids: readonly string[]): Promise<ReadonlyMap<string, string>>;
  status(): Promise<StoreStatus>;
  close(): void;
}
