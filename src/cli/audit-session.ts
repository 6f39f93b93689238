import { existsSync } from 'node:fs';
import path from 'node:path';
import type { EcosystemId } from '../core/types.js';
import { POLICY_FILE_NAME } from '../policy/load-policy.js';
import { openAdvisoryStore } from '../advisories/store/sqlite-store.js';
import type { AdvisoryStore } from '../advisories/types.js';
import type { AuditResult } from '../audit.js';
import type { Clock } from '../core/clock.js';
import type { OnWorkProgress } from '../core/progress.js';
import { parseDuration } from '../core/duration.js';
import { AdvisoryStoreError, UsageError } from '../core/errors.js';
import type { Policy } from '../policy/types.js';
import { isInteractive, type CliIo } from './io.js';
import { progressBar } from './progress.js';
import { resolveStorePath } from './store-path.js';

// What every command that audits (audit, plan, fix, report) does the same way: where the store
// is, how a missing one is fetched, how old its data may be, what is logged about the inputs.

export interface StoreFlags {
  /** `--db`. */
  readonly db?: string | undefined;
  /** `--offline`: never download. */
  readonly offline: boolean;
  /** `--mirror`. */
  readonly mirror?: string | undefined;
  /** `--quiet`: no progress bar. */
  readonly quiet: boolean;
}

/**
 * Opens the advisory store; when there is none yet, downloads it first (unless offline, which
 * fails closed with exit 3).
 */
export function storeOpener(
  flags: StoreFlags,
  io: CliIo,
  clock: Clock,
  log: (line: string) => void,
): (ecosystems: readonly EcosystemId[]) => Promise<AdvisoryStore> {
  const storePath = resolveStorePath(flags.db, io.env);
  return async (ecosystems) => {
    if (!existsSync(storePath)) {
      if (flags.offline) {
        throw new AdvisoryStoreError(`no advisory store at ${storePath}`, {
          hint: 'run "vigil db import PATH" with OSV records, or "vigil db update" where the network is reachable (or with --mirror URL); see "Offline use" in the README',
        });
      }
      // The downloader (zip, schema validation) is loaded only when a download is needed.
      const { DEFAULT_OSV_MIRROR, updateAdvisories } = await import('../advisories/update.js');
      const mirror = flags.mirror ?? io.env['VIGIL_OSV_MIRROR'] ?? DEFAULT_OSV_MIRROR;
      // The first download fetches what the audited files need (an npm lockfile: npm's dump only).
      const wanted = ecosystems.length > 0 ? ecosystems : undefined;
      log(`vigil: no advisory store yet; downloading ${wanted === undefined ? 'advisories' : wanted.join(' and ')} from ${mirror}`);
      const progress = progressBar(io.stderr, isInteractive(io) && !flags.quiet);
      try {
        await updateAdvisories({ storePath, mirror, clock, onProgress: progress.sink, ...(wanted === undefined ? {} : { ecosystems: wanted }) });
      } finally {
        progress.done();
      }
    }
    return openAdvisoryStore(storePath, { clock });
  };
}

/** How long an audit runs before its progress line appears: shorter ones leave no trace. */
export const AUDIT_PROGRESS_DELAY_MS = 1000;

/**
 * The progress line of an audit (files read, packages matched), on stderr, for a person at a
 * terminal: shown only when the audit takes more than about a second, never in CI, with
 * `--quiet` or when stdout carries machine output (`enabled` false).
 */
export function auditProgress(io: CliIo, enabled: boolean): { onProgress: OnWorkProgress; done(): void; readonly shown: boolean } {
  const shown = enabled && isInteractive(io);
  const bar = progressBar(io.stderr, shown, { delayMs: AUDIT_PROGRESS_DELAY_MS });
  return {
    /** Whether a bar is drawn: when not, reporting progress is wasted work (one event per package). */
    shown,
    onProgress: (event) => {
      if (event.phase === 'read') {
        bar.sink({ phase: event.phase, label: `reading ${event.label} (file ${event.done + 1} of ${event.total ?? '?'})`, done: event.done, ...(event.total === undefined ? {} : { total: event.total }) });
      } else {
        bar.sink({ phase: event.phase, label: `matching ${event.label}`, done: event.done, ...(event.total === undefined ? {} : { total: event.total }) });
      }
    },
    done: () => {
      bar.done();
    },
  };
}

/** `--max-db-age` when given (validated), else the policy's `max_db_age`. */
export function maxDbAgeOf(command: string, flag: string | undefined, policy: Policy): number {
  if (flag === undefined) return policy.maxDbAgeMs;
  const parsed = parseDuration(flag);
  if (parsed === undefined) throw new UsageError(`${command}: invalid --max-db-age "${flag}" (e.g. 12h, 7d, 2w)`);
  return parsed;
}

/** The files read and the advisory data used, one line each. */
export function logAuditInputs(result: AuditResult, log: (line: string) => void): void {
  for (const source of result.inventory.sources) {
    const related = source.related.length > 0 ? `, with ${source.related.join(', ')}` : '';
    // A complete file of its format that lists nothing (a project without dependencies) is said
    // so, rather than read as a lock of everything being fine.
    const empty = source.packages === 0 && source.skipped === 0 ? ' (an empty lock: it lists no dependencies)' : '';
    log(`read ${source.path} (${source.format}): ${source.packages} packages, ${source.skipped} skipped${related}${empty}`);
  }
  const { database } = result;
  log(`advisories: ${database.path}, ${database.records} records, updated ${database.updatedAt ?? 'never'}`);
}

/**
 * A `vigil.yaml` beside an audited file that is not the policy in force is named, with how to use
 * it: a subfolder's policy never applies (it could loosen the gate), but it must not be ignored
 * without a word either.
 */
export function logPoliciesNotInForce(result: AuditResult, policySource: string | undefined, log: (line: string) => void): void {
  const inForce = policySource === undefined ? undefined : path.resolve(policySource);
  const folders = new Set(result.inventory.sources.map((source) => path.dirname(source.path)));
  for (const folder of [...folders].sort()) {
    if (folder === '.') continue;
    const candidate = path.join(result.inventory.root, folder, POLICY_FILE_NAME);
    if (candidate === inForce || !existsSync(candidate)) continue;
    const shown = `${folder}/${POLICY_FILE_NAME}`;
    log(`policy: ${shown} is not in force (vigil reads the policy of the folder it runs in); run vigil in ${folder}/, or pass --policy ${shown}`);
  }
}
