import { audit, checkFreshness, type AuditResult } from '../audit.js';
import type { AdvisoryStore } from '../advisories/types.js';
import { systemClock, type Clock } from '../core/clock.js';
import { UsageError } from '../core/errors.js';
import type { EcosystemId, Inventory } from '../core/types.js';
import { ecosystems } from '../ecosystems/ecosystems.js';
import type { TypedFile } from '../inventory/build-inventory.js';
import { matchInventory } from '../match/match.js';
import { releaseSupportFindings } from '../match/release-support.js';
import { DEFAULT_POLICY } from '../policy/default-policy.js';
import type { GateResult } from '../policy/gate.js';
import { parsePolicyText } from '../policy/policy-file.js';
import type { Policy } from '../policy/types.js';
import { evaluateAuditGate } from '../policy/unevaluable.js';
import { matchNameOf } from './package-key.js';
import { pushEvent, reconcileRef } from './reconcile.js';
import { lockRefs } from './ref-lock.js';
import type { MonitorDb } from './store/open-monitor-store.js';
import { isValidMonitorName, type FindingChanges } from './types.js';

/** What a push sends: the files `vigil audit` reads (a CycloneDX SBOM among them), or an inventory read already. */
export type PushInput =
  | {
      /** Files or folders, as `vigil audit`'s PATH. */
      readonly paths: readonly string[];
      /** Paths in the inventory are relative to this folder (default: the current one). */
      readonly root?: string;
      readonly typedFiles?: readonly TypedFile[];
      readonly exclude?: readonly string[];
    }
  | { readonly inventory: Inventory };

export interface PushOptions {
  readonly monitor: MonitorDb;
  readonly project: string;
  readonly ref: string;
  readonly input: PushInput;
  /** The ref's `vigil.yaml` text (exceptions included); absent: the default policy. */
  readonly policyText?: string;
  /** The name the policy text is shown under in messages (default `vigil.yaml`). */
  readonly policyFile?: string;
  /** Opens the advisory store, as `AuditOptions.openStore`. */
  readonly openStore: (ecosystems: readonly EcosystemId[]) => Promise<AdvisoryStore>;
  readonly clock?: Clock;
  /** Oldest acceptable advisory data (see `AuditOptions.maxDbAgeMs`); default: the ref policy's `max_db_age`. */
  readonly maxDbAgeMs?: number;
  /**
   * Write an outbox row for each (ref, alias group) this push finds first. Off by default: the
   * pusher (CI) gets the findings in the answer; notifications are for what is found later.
   */
  readonly notify?: boolean;
  /** Who pushes, for the ref's history (the audit log): `token:<name>`, `user:<login>`; default `cli`. */
  readonly actor?: string;
}

/** What a push reports back: the audit of the pushed inventory, as `vigil audit` has it, and what changed. */
export interface PushOutcome {
  readonly result: AuditResult;
  readonly gate: GateResult;
  readonly policy: Policy;
  /** The gate failed (exit 1 of `vigil audit`): blocking, policy error, or unevaluable (fail closed). */
  readonly failed: boolean;
  readonly refId: number;
  readonly changes: FindingChanges;
}

/** Packages written per INSERT (10 columns: well below both databases' parameter limits). */
const PACKAGE_CHUNK = 300;

/**
 * Replaces a ref's inventory and policy and reports its findings: the inventory is matched
 * against the advisory store and gated by the ref's policy exactly as `vigil audit` does, then the
 * packages, the policy and the (ref, alias group) findings are written in one transaction
 * holding the ref's lock (findings no longer present become `fixed`).
 * @throws UsageError for an invalid project or ref name, ConfigError for an invalid policy,
 *   the inventory's and the store's errors as `audit` (stale or missing advisory data fails).
 */
export async function pushRef(options: PushOptions): Promise<PushOutcome> {
  for (const [what, value] of [['project', options.project], ['ref', options.ref]] as const) {
    if (!isValidMonitorName(value)) {
      throw new UsageError(`invalid ${what} name ${JSON.stringify(value.slice(0, 80))}`, {
        hint: 'letters, digits and . _ / + @ -, starting with a letter or digit, at most 200 characters',
      });
    }
  }
  const clock = options.clock ?? systemClock;
  // The policy is checked before any work: a broken vigil.yaml stops the push at once.
  const policy = options.policyText === undefined ? DEFAULT_POLICY : parsePolicyText(options.policyText, options.policyFile ?? 'vigil.yaml');
  // The ref's own max_db_age holds unless the caller names one, as for `vigil audit`.
  const result = await auditInput(options, clock, options.maxDbAgeMs ?? policy.maxDbAgeMs);
  const gate = evaluateAuditGate(result, policy, clock);
  const now = result.auditedAt.toISOString();
  const { db, dialect } = options.monitor;

  const written = await db.transaction().execute(async (trx) => {
    await trx.insertInto('monitor_projects').values({ name: options.project, created_at: now }).onConflict((c) => c.column('name').doNothing()).execute();
    const project = await trx.selectFrom('monitor_projects').select('id').where('name', '=', options.project).executeTakeFirstOrThrow();
    await trx
      .insertInto('monitor_refs')
      .values({ project_id: project.id, name: options.ref, policy_text: null, skipped: '[]', sources: '[]', packages: 0, created_at: now, pushed_at: now })
      .onConflict((c) => c.columns(['project_id', 'name']).doNothing())
      .execute();
    const ref = await trx.selectFrom('monitor_refs').select('id').where('project_id', '=', project.id).where('name', '=', options.ref).executeTakeFirstOrThrow();
    await lockRefs(trx, dialect, [ref.id]);

    await trx.deleteFrom('monitor_packages').where('ref_id', '=', ref.id).execute();
    const rows = result.inventory.packages.map((pkg) => ({
      ref_id: ref.id,
      ecosystem: pkg.ecosystem,
      name: pkg.name,
      normalized_name: ecosystems[pkg.ecosystem].normalizeName(pkg.name),
      match_name: matchNameOf(pkg),
      version: pkg.version,
      purl: pkg.purl,
      file: pkg.location.file,
      line: pkg.location.line ?? null,
      package: JSON.stringify(pkg),
    }));
    for (let start = 0; start < rows.length; start += PACKAGE_CHUNK) {
      await trx.insertInto('monitor_packages').values(rows.slice(start, start + PACKAGE_CHUNK)).execute();
    }
    await trx
      .updateTable('monitor_refs')
      .set({
        policy_text: options.policyText ?? null,
        skipped: JSON.stringify(result.inventory.skipped),
        sources: JSON.stringify(result.inventory.sources),
        packages: rows.length,
        pushed_at: now,
      })
      .where('id', '=', ref.id)
      .execute();
    const changes = await reconcileRef(trx, {
      ref: { refId: ref.id, project: options.project, ref: options.ref },
      scope: 'all',
      packages: result.inventory.packages,
      findings: result.findings,
      decisions: gate.decisions,
      warnings: result.warnings,
      closeAs: 'fixed',
      now,
      notify: options.notify === true,
    });
    await pushEvent(trx, ref.id, now, { packages: rows.length, findings: result.findings.length, failed: gate.failed, ...changes }, options.actor ?? 'cli');
    return { refId: ref.id, changes };
  });
  return { result, gate, policy, failed: gate.failed, refId: written.refId, changes: written.changes };
}

/** The audit of what was pushed: `audit` over files; the same stages over an inventory read already. */
async function auditInput(options: PushOptions, clock: Clock, maxDbAgeMs: number): Promise<AuditResult> {
  const input = options.input;
  if ('paths' in input) {
    return audit({
      paths: input.paths,
      ...(input.root === undefined ? {} : { root: input.root }),
      ...(input.typedFiles === undefined ? {} : { typedFiles: input.typedFiles }),
      ...(input.exclude === undefined ? {} : { exclude: input.exclude }),
      openStore: options.openStore,
      clock,
      maxDbAgeMs,
    });
  }
  const inventory = input.inventory;
  const auditedAt = clock.now();
  const audited = new Set<EcosystemId>(inventory.packages.map((pkg) => pkg.ecosystem));
  const store = await options.openStore([...audited].sort());
  try {
    const database = await store.status();
    checkFreshness(database, audited, auditedAt, maxDbAgeMs);
    const { findings, warnings } = await matchInventory(inventory, store);
    return { inventory, findings: [...findings, ...releaseSupportFindings(inventory, auditedAt)], warnings, database, auditedAt };
  } finally {
    store.close();
  }
}
