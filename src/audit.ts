import type { AdvisoryStore, StoreStatus } from './advisories/types.js';
import { systemClock, type Clock } from './core/clock.js';
import { formatDuration } from './core/duration.js';
import type { OnWorkProgress } from './core/progress.js';
import { AdvisoryStoreError } from './core/errors.js';
import type { EcosystemId, Finding, Inventory } from './core/types.js';
import { buildInventory, type TypedFile } from './inventory/build-inventory.js';
import type { AuditTarget } from './inventory/targets/detect.js';
import { matchInventory, type MatchWarning } from './match/match.js';
import { releaseSupportFindings } from './match/release-support.js';

/** Default for `--max-db-age`: advisory data older than this fails the audit (closed). */
export const DEFAULT_MAX_DB_AGE_MS = 7 * 86_400_000;

export interface AuditOptions {
  /** Files or folders to audit. */
  readonly paths: readonly string[];
  /** Paths in results are shown relative to this folder (default: the current directory). */
  readonly root?: string;
  /** Files read as a named format whatever their name (see `BuildInventoryOptions.typedFiles`). */
  readonly typedFiles?: readonly TypedFile[];
  /** Globs of files and folders below the root the search skips (see `BuildInventoryOptions.exclude`). */
  readonly exclude?: readonly string[];
  /** What the paths are (an image, a root file system, ...); told from their content by default. */
  readonly target?: AuditTarget;
  /**
   * Opens the advisory store; called once the inventory is read, so input errors come first, with
   * the ecosystems the inventory holds (a first download fetches only those).
   */
  readonly openStore: (ecosystems: readonly EcosystemId[]) => Promise<AdvisoryStore>;
  readonly clock?: Clock;
  /**
   * Oldest acceptable advisory data, in milliseconds: measured from the newest `modified` of an
   * audited ecosystem's records, not from when they were imported.
   */
  readonly maxDbAgeMs?: number;
  /** Told as files are read and packages matched (for a progress line; never needed). */
  readonly onProgress?: OnWorkProgress;
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
  const inventory = await buildInventory({
    paths: options.paths,
    ...(options.root ? { root: options.root } : {}),
    ...(options.typedFiles ? { typedFiles: options.typedFiles } : {}),
    ...(options.exclude ? { exclude: options.exclude } : {}),
    ...(options.target ? { target: options.target } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const audited = new Set<EcosystemId>(inventory.packages.map((pkg) => pkg.ecosystem));
  const store = await options.openStore([...audited].sort());
  try {
    const database = await store.status();
    checkFreshness(database, audited, auditedAt, options.maxDbAgeMs ?? DEFAULT_MAX_DB_AGE_MS);
    const { findings, warnings } = await matchInventory(inventory, store, options.onProgress);
    // A Debian or Ubuntu release past its end of security support is a finding of its own.
    return { inventory, findings: [...findings, ...releaseSupportFindings(inventory, auditedAt)], warnings, database, auditedAt };
  } finally {
    store.close();
  }
}

/**
 * How far ahead of the audit's clock a store timestamp may be before it is an error: clocks of the
 * machine that wrote the store and of the one auditing may disagree a little, never by more.
 */
export const CLOCK_SKEW_MS = 3_600_000;

/**
 * Fails closed unless every audited ecosystem has records whose data is recent: its age is
 * measured from the newest `modified` of the ecosystem's records (what the data says about
 * itself), not from when it was imported, so a 2024 snapshot imported today is two years old.
 * A timestamp in the future (import time or newest `modified`, beyond `CLOCK_SKEW_MS`) is an
 * error too: it would make any data look fresh.
 */
export function checkFreshness(database: StoreStatus, audited: ReadonlySet<EcosystemId>, now: Date, maxAgeMs: number): void {
  const hint = 'run "vigil db update" (or "vigil db import PATH" offline) to refresh the advisory store';
  const futureHint = `check this machine's clock (now ${now.toISOString()}) and the one that wrote the store; ${hint}`;
  for (const ecosystem of [...audited].sort()) {
    const status = database.ecosystems.find((entry) => entry.ecosystem === ecosystem);
    if (!status || status.records === 0) {
      throw new AdvisoryStoreError(`advisory store ${database.path} has no ${ecosystem} advisories`, { hint });
    }
    const updatedAt = status.updatedAt ? Date.parse(status.updatedAt) : Number.NaN;
    if (Number.isNaN(updatedAt)) {
      throw new AdvisoryStoreError(`advisory store ${database.path} does not record when its ${ecosystem} data was updated`, { hint });
    }
    const newest = status.newestModified ? Date.parse(status.newestModified) : Number.NaN;
    if (Number.isNaN(newest)) {
      throw new AdvisoryStoreError(`advisory store ${database.path} does not record the date of its ${ecosystem} data`, { hint });
    }
    if (updatedAt - now.getTime() > CLOCK_SKEW_MS) {
      throw new AdvisoryStoreError(
        `advisory store ${database.path}: its ${ecosystem} data was imported at ${status.updatedAt ?? ''}, ${formatDuration(updatedAt - now.getTime())} in the future`,
        { hint: futureHint },
      );
    }
    if (newest - now.getTime() > CLOCK_SKEW_MS) {
      throw new AdvisoryStoreError(
        `advisory store ${database.path}: its newest ${ecosystem} record was modified at ${status.newestModified ?? ''}, ${formatDuration(newest - now.getTime())} in the future`,
        { hint: futureHint },
      );
    }
    const age = now.getTime() - newest;
    if (age > maxAgeMs) {
      throw new AdvisoryStoreError(
        `${ecosystem} advisory data is ${formatDuration(age)} old (newest record modified ${status.newestModified ?? ''}, imported ${status.updatedAt ?? ''}), older than the allowed ${formatDuration(maxAgeMs)}`,
        { hint: `${hint}, or allow older data with --max-db-age` },
      );
    }
  }
}
