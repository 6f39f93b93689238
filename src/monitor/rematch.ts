import { sql, type Transaction } from 'kysely';
import type { OsvRecord } from '../advisories/osv.js';
import { openAdvisoryStore } from '../advisories/store/sqlite-store.js';
import type { AdvisoryStore } from '../advisories/types.js';
import { systemClock, type Clock } from '../core/clock.js';
import { UsageError } from '../core/errors.js';
import type { EcosystemId, Finding, Inventory, Package } from '../core/types.js';
import { matchInventory, type MatchWarning } from '../match/match.js';
import { releaseSupportFindings } from '../match/release-support.js';
import { DEFAULT_POLICY } from '../policy/default-policy.js';
import { evaluateGate } from '../policy/gate.js';
import { parsePolicyText } from '../policy/policy-file.js';
import type { GateDecision, Policy } from '../policy/types.js';
import { collectUnevaluable } from '../policy/unevaluable.js';
import { diffLedger, readAdvisorySnapshot, type RecordVersion } from './advisory-changes.js';
import { packageKey, packageKeyOf, splitPackageKey } from './package-key.js';
import { reconcileRefs, type ReconcileInput } from './reconcile.js';
import { lockRefs } from './ref-lock.js';
import type { MonitorDatabase } from './store/monitor-database.js';
import type { MonitorDb } from './store/open-monitor-store.js';
import { addChanges, NO_CHANGES, type FindingChanges, type FindingPackage } from './types.js';

export interface RematchOptions {
  readonly monitor: MonitorDb;
  /** The advisory store (SQLite file) to match against. */
  readonly storePath: string;
  readonly clock?: Clock;
  /**
   * Refs written per transaction (default 1,000); a batch also ends at 10,000 (ref, package key)
   * pairs, so a record on many packages of every ref keeps each batch's memory bounded.
   */
  readonly batchSize?: number;
}

/** What a rematch did. */
export interface RematchOutcome {
  /** Records new, modified, withdrawn or un-withdrawn since the last rematch. */
  readonly changedRecords: number;
  /** Records the store no longer holds. */
  readonly removedRecords: number;
  /** (ecosystem, name) keys looked up in the inventories' index. */
  readonly lookups: number;
  /** Refs matched again (only those holding a changed record's package or finding). */
  readonly refs: number;
  readonly changes: FindingChanges;
  /** Advisories it could not decide for a package (they fail the ref, as in an audit). */
  readonly unevaluable: number;
}

const CHUNK = 400;

/** Names or ids per array parameter on PostgreSQL (`= any($1)`). */
const ARRAY_CHUNK = 5000;

/**
 * Matches what changed in the advisory store since the last rematch against every stored
 * inventory, through the (ecosystem, name) index: records that differ from the monitor's ledger
 * are looked up by their affected packages, and only the refs holding one are matched again, for
 * those packages only. New (ref, alias group) findings get an outbox row in the same
 * transaction; findings of a withdrawn (or removed) record, or of a range that no longer
 * includes the version, become `withdrawn`. Nothing changed: nothing is matched or written.
 * Safe to run twice or in two processes at once: each ref is written under its lock, and the
 * ledger is moved on only after every ref is written (a run that dies is redone by the next).
 * @throws UsageError for a batch size that is not a positive integer (before reading anything).
 */
export async function rematch(options: RematchOptions): Promise<RematchOutcome> {
  // A size that is not a positive integer would write no ref and still move the ledger on.
  const batchSize = options.batchSize ?? DEFAULT_BATCH_REFS;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new UsageError(`invalid rematch batch size ${String(batchSize)}: a positive integer is needed`);
  const clock = options.clock ?? systemClock;
  const now = clock.now().toISOString();
  const { db, dialect } = options.monitor;
  const snapshot = readAdvisorySnapshot(options.storePath, now);
  let store: AdvisoryStore | undefined;
  try {
    const ledger = new Map<string, RecordVersion>();
    for (const row of await db.selectFrom('monitor_ledger').select(['record_id', 'modified', 'withdrawn']).execute()) {
      ledger.set(row.record_id, { modified: row.modified, withdrawn: row.withdrawn === 1 });
    }
    const { changed, removed } = diffLedger(ledger, snapshot.records);
    if (changed.length === 0 && removed.length === 0) {
      return { changedRecords: 0, removedRecords: 0, lookups: 0, refs: 0, changes: NO_CHANGES, unevaluable: 0 };
    }

    // Which refs to match again, and for which package keys: the changed records' packages, by
    // the index; and the packages of findings that carry a changed or removed record's id.
    const keys = new Set<string>();
    for (const list of snapshot.affectedOf(changed).values()) for (const entry of list) keys.add(packageKey(entry.ecosystem, entry.name));
    const scopes = new Map<number, Set<string>>();
    const addScope = (refId: number, key: string): void => {
      let scope = scopes.get(refId);
      if (scope === undefined) scopes.set(refId, (scope = new Set()));
      scope.add(key);
    };
    const byEcosystem = new Map<string, string[]>();
    for (const key of keys) {
      const { ecosystem, matchName: name } = splitPackageKey(key);
      const list = byEcosystem.get(ecosystem);
      if (list === undefined) byEcosystem.set(ecosystem, [name]);
      else list.push(name);
    }
    // Keys are kept as the one string of `keys` each (10,000 refs' scopes share them).
    const keyOf = new Map<string, string>();
    for (const key of keys) keyOf.set(key, key);
    const intern = (key: string): string => {
      const known = keyOf.get(key);
      if (known !== undefined) return known;
      keyOf.set(key, key);
      return key;
    };
    const postgres = dialect === 'postgres';
    for (const [ecosystem, names] of byEcosystem) {
      // PostgreSQL takes the names as one array parameter and gives each ref's names as one array.
      const chunk = postgres ? ARRAY_CHUNK : CHUNK;
      for (let start = 0; start < names.length; start += chunk) {
        const list = names.slice(start, start + chunk);
        if (postgres) {
          const hits = await sql<{ ref_id: number; names: string[] }>`
            SELECT ref_id, array_agg(DISTINCT match_name) AS names FROM monitor_packages
            WHERE ecosystem = ${ecosystem} AND match_name = any(${list}::text[]) GROUP BY ref_id`.execute(db);
          for (const hit of hits.rows) for (const name of hit.names) addScope(hit.ref_id, intern(packageKey(ecosystem, name)));
          continue;
        }
        const hits = await db
          .selectFrom('monitor_packages')
          .select(['ref_id', 'match_name'])
          .distinct()
          .where('ecosystem', '=', ecosystem)
          .where('match_name', 'in', list)
          .execute();
        for (const hit of hits) addScope(hit.ref_id, intern(packageKey(ecosystem, hit.match_name)));
      }
    }
    const ids = [...changed, ...removed].map((id) => id.toUpperCase());
    for (let start = 0; start < ids.length; start += postgres ? ARRAY_CHUNK : CHUNK) {
      const list = ids.slice(start, start + (postgres ? ARRAY_CHUNK : CHUNK));
      const rows = await db
        .selectFrom('monitor_finding_ids as i')
        .innerJoin('monitor_findings as f', 'f.id', 'i.finding_id')
        .select(['f.ref_id', 'f.packages'])
        .where((eb) => (postgres ? eb('i.advisory_id', '=', sql<string>`any(${list}::text[])`) : eb('i.advisory_id', 'in', list)))
        .execute();
      for (const row of rows) for (const pkg of JSON.parse(row.packages) as FindingPackage[]) addScope(row.ref_id, intern(packageKey(pkg.ecosystem, pkg.matchName)));
    }

    store = cachingStore(openAdvisoryStore(options.storePath, { clock }));
    const advisories = store;
    const refIds = [...scopes.keys()].sort((a, b) => a - b);
    let changes = NO_CHANGES;
    let unevaluable = 0;
    const policies = new Map<string, Policy>();
    const policyNumbers = new Map<string, number>();
    const verdicts = new Map<string, KeyVerdict>();
    const writeBatch = async (batch: readonly number[]): Promise<void> => {
      const written = await db.transaction().execute(async (trx) => {
        // Short index probes: compiling them (JIT, chosen on row estimates that a freshly filled
        // table gets wrong) costs more than running them.
        if (postgres) await sql`SET LOCAL jit = off`.execute(trx);
        await lockRefs(trx, dialect, batch);
        const refs = await trx
          .selectFrom('monitor_refs as r')
          .innerJoin('monitor_projects as p', 'p.id', 'r.project_id')
          .select(['r.id', 'r.name', 'r.policy_text', 'p.name as project'])
          .where('r.id', 'in', batch)
          .orderBy('r.id')
          .execute();
        // Policies are parsed once per distinct text (most refs share one).
        const policyOf = new Map<number, Policy>();
        for (const ref of refs) {
          const text = ref.policy_text ?? NO_POLICY_TEXT;
          let policy = policies.get(text);
          if (policy === undefined) {
            policy = ref.policy_text === null ? DEFAULT_POLICY : parsePolicyText(ref.policy_text, `${ref.project}@${ref.name}:vigil.yaml`);
            policies.set(text, policy);
            policyNumbers.set(text, policyNumbers.size);
          }
          policyOf.set(ref.id, policy);
        }
        // Exceptions limited to dependency paths need the whole graph: those refs read their whole
        // inventory; the others only their rows of the scope's names, read for the batch at once.
        const needsGraph = (refId: number): boolean => (policyOf.get(refId) as Policy).exceptions.some((entry) => entry.paths !== undefined);
        const rowsOf = await readScopedPackages(
          trx,
          postgres,
          refs.filter((ref) => !needsGraph(ref.id)).map((ref) => ref.id),
          scopes,
        );
        // Refs of one portfolio hold the same package rows again and again: each distinct row is parsed once per batch.
        const parsed = new Map<string, Package>();
        const parse = (row: string): Package => {
          let pkg = parsed.get(row);
          if (pkg === undefined) parsed.set(row, (pkg = JSON.parse(row) as Package));
          return pkg;
        };
        const inputs: ReconcileInput[] = [];
        let batchUnevaluable = 0;
        for (const ref of refs) {
          const scope = scopes.get(ref.id) ?? new Set<string>();
          const policy = policyOf.get(ref.id) as Policy;
          const policyNumber = policyNumbers.get(ref.policy_text ?? NO_POLICY_TEXT) as number;
          const packageRows = needsGraph(ref.id)
            ? (await trx.selectFrom('monitor_packages').select('package').where('ref_id', '=', ref.id).execute()).map((row) => row.package)
            : (rowsOf.get(ref.id) ?? []);
          const packages = packageRows.map(parse);
          const inScope = packages.filter((pkg) => scope.has(packageKeyOf(pkg)));
          let findings: Finding[] = [];
          let warnings: MatchWarning[] = [];
          const decisions = new Map<Finding, GateDecision>();
          if (needsGraph(ref.id)) {
            const inventory: Inventory = { root: '', sources: [], packages, skipped: [] };
            const matched = await matchInventory(inventory, scopedStore(advisories, scope));
            findings = matched.findings.filter((finding) => scope.has(packageKeyOf(finding.package)));
            warnings = [...matched.warnings];
            for (const [finding, decision] of evaluateGate(findings, policy, clock, { unevaluable: collectUnevaluable(warnings, []) }).decisions) decisions.set(finding, decision);
          } else {
            // The verdict on a package does not depend on the ref, only on the package row and the
            // policy: each distinct (policy, package key, rows of that key) is matched and gated
            // once per rematch, however many refs hold it.
            const byKey = new Map<string, { rows: string[]; packages: Package[] }>();
            packages.forEach((pkg, index) => {
              const key = packageKeyOf(pkg);
              if (!scope.has(key)) return;
              let entry = byKey.get(key);
              if (entry === undefined) byKey.set(key, (entry = { rows: [], packages: [] }));
              entry.rows.push(packageRows[index] as string);
              entry.packages.push(pkg);
            });
            for (const [key, entry] of byKey) {
              // The rows (JSON) name the key's packages; the policy is named by its number in this rematch.
              const memoKey = `${policyNumber}\u0000${entry.rows.join('\u0000')}`;
              let verdict = verdicts.get(memoKey);
              if (verdict === undefined) {
                const keyScope = new Set([key]);
                const matched = await matchInventory({ root: '', sources: [], packages: entry.packages, skipped: [] }, scopedStore(advisories, keyScope));
                const found = matched.findings.filter((finding) => keyScope.has(packageKeyOf(finding.package)));
                const gate = evaluateGate(found, policy, clock, { unevaluable: collectUnevaluable(matched.warnings, []) });
                verdict = { findings: found, warnings: matched.warnings, decisions: gate.decisions };
                if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
                verdicts.set(memoKey, verdict);
              }
              findings.push(...verdict.findings);
              warnings.push(...verdict.warnings);
              for (const [finding, decision] of verdict.decisions) decisions.set(finding, decision);
            }
          }
          // End-of-support findings are per lockfile (one holder package per file): per ref.
          const support = releaseSupportFindings({ root: '', sources: [], packages: inScope, skipped: [] }, clock.now()).filter((finding) => scope.has(packageKeyOf(finding.package)));
          if (support.length > 0) {
            findings = [...findings, ...support];
            for (const [finding, decision] of evaluateGate(support, policy, clock).decisions) decisions.set(finding, decision);
          }
          batchUnevaluable += warnings.length;
          inputs.push({
            ref: { refId: ref.id, project: ref.project, ref: ref.name },
            scope,
            packages: inScope,
            findings,
            decisions,
            warnings,
            closeAs: 'withdrawn',
            now,
            notify: true,
          });
        }
        return { changes: await reconcileRefs(trx, inputs), unevaluable: batchUnevaluable };
      });
      changes = addChanges(changes, written.changes);
      unevaluable += written.unevaluable;
    };
    // On PostgreSQL two batches are in flight (their refs are distinct, each locked by its own
    // transaction): one is matched here while the server writes the other.
    await inLanes(batchesOf(refIds, scopes, batchSize), postgres ? POSTGRES_LANES : 1, writeBatch);

    // Every ref is written: the ledger moves on to what was matched.
    await db.transaction().execute(async (trx) => {
      for (let start = 0; start < removed.length; start += CHUNK) {
        await trx.deleteFrom('monitor_ledger').where('record_id', 'in', removed.slice(start, start + CHUNK)).execute();
      }
      for (let start = 0; start < changed.length; start += CHUNK) {
        const rows = changed.slice(start, start + CHUNK).map((id) => {
          const version = snapshot.records.get(id) as RecordVersion;
          return { record_id: id, modified: version.modified, withdrawn: version.withdrawn ? 1 : 0 };
        });
        await trx
          .insertInto('monitor_ledger')
          .values(rows)
          .onConflict((c) => c.column('record_id').doUpdateSet((eb) => ({ modified: eb.ref('excluded.modified'), withdrawn: eb.ref('excluded.withdrawn') })))
          .execute();
      }
    });
    return { changedRecords: changed.length, removedRecords: removed.length, lookups: keys.size, refs: refIds.length, changes, unevaluable };
  } finally {
    store?.close();
    snapshot.close();
  }
}

/** Refs per rematch transaction by default: few round trips per ref (each costs milliseconds on a busy machine), a lock held well under a second. */
const DEFAULT_BATCH_REFS = 1000;

/** (ref, package key) pairs per batch at most: what a batch reads and matches is bounded whatever the record. */
const MAX_BATCH_PAIRS = 10_000;

/** Batch transactions at once on PostgreSQL (a pool connection each). */
const POSTGRES_LANES = 2;

/**
 * Runs `work` on each item, `lanes` at a time, in order of taking. After a failure no item is
 * started; the others running are awaited (nothing is left running on a store about to close),
 * then the first failure is thrown.
 */
async function inLanes<T>(items: readonly T[], lanes: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const outcomes = await Promise.allSettled(Array.from({ length: Math.min(lanes, items.length) }, lane));
  const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
}

/** The refs in order, cut into batches of at most `size` refs and `MAX_BATCH_PAIRS` scope pairs (at least one ref each). */
function batchesOf(refIds: readonly number[], scopes: ReadonlyMap<number, ReadonlySet<string>>, size: number): number[][] {
  const batches: number[][] = [];
  let batch: number[] = [];
  let pairs = 0;
  for (const refId of refIds) {
    const scopeSize = scopes.get(refId)?.size ?? 0;
    if (batch.length > 0 && (batch.length >= size || pairs + scopeSize > MAX_BATCH_PAIRS)) {
      batches.push(batch);
      batch = [];
      pairs = 0;
    }
    batch.push(refId);
    pairs += scopeSize;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** What matching and gating one package key's rows under one policy gave (shared by the refs that have them). */
interface KeyVerdict {
  readonly findings: readonly Finding[];
  readonly warnings: readonly MatchWarning[];
  readonly decisions: ReadonlyMap<Finding, GateDecision>;
}

/** The memo of verdicts is dropped when it reaches this size (memory bounded whatever the portfolio). */
const MAX_VERDICTS = 20_000;

/** The policy text of a ref without a vigil.yaml (no text is this: it is not valid YAML for a policy). */
const NO_POLICY_TEXT = '\u0000default';

/**
 * Each ref's package rows (JSON) whose match name is one of its scope's, sorted, for many refs in
 * a few queries: on PostgreSQL the (ref, name) pairs as two arrays joined to the ref's index (one
 * query, only the rows wanted); on SQLite IN lists of refs and names, filtered per ref.
 */
async function readScopedPackages(
  trx: Transaction<MonitorDatabase>,
  postgres: boolean,
  refIds: readonly number[],
  scopes: ReadonlyMap<number, ReadonlySet<string>>,
): Promise<Map<number, string[]>> {
  const rowsOf = new Map<number, string[]>();
  const add = (refId: number, row: string): void => {
    let list = rowsOf.get(refId);
    if (list === undefined) rowsOf.set(refId, (list = []));
    list.push(row);
  };
  const wanted = new Map<number, Set<string>>();
  for (const refId of refIds) wanted.set(refId, new Set([...(scopes.get(refId) ?? [])].map((key) => splitPackageKey(key).matchName)));
  if (postgres) {
    const pairRefs: number[] = [];
    const pairNames: string[] = [];
    for (const [refId, names] of wanted) {
      for (const name of names) {
        pairRefs.push(refId);
        pairNames.push(name);
      }
    }
    for (let start = 0; start < pairRefs.length; start += ARRAY_CHUNK) {
      // A lateral probe per pair, kept apart by OFFSET 0: as a plain join the planner may sort the
      // whole table for a merge join with a few thousand pairs (300 ms instead of 20 at 1,000 refs).
      const rows = await sql<{ ref_id: number; package: string }>`
        SELECT w.ref_id, x.package FROM unnest(${pairRefs.slice(start, start + ARRAY_CHUNK)}::int[], ${pairNames.slice(start, start + ARRAY_CHUNK)}::text[]) AS w(ref_id, match_name)
        CROSS JOIN LATERAL (SELECT p.package FROM monitor_packages p WHERE p.ref_id = w.ref_id AND p.match_name = w.match_name OFFSET 0) AS x`.execute(trx);
      for (const row of rows.rows) add(row.ref_id, row.package);
    }
  } else {
    const names = new Set<string>();
    for (const list of wanted.values()) for (const name of list) names.add(name);
    const nameList = [...names].sort();
    for (let from = 0; from < refIds.length; from += CHUNK) {
      const refs = refIds.slice(from, from + CHUNK);
      for (let start = 0; start < nameList.length; start += CHUNK) {
        const rows = await trx
          .selectFrom('monitor_packages')
          .select(['ref_id', 'match_name', 'package'])
          .where('ref_id', 'in', refs)
          .where('match_name', 'in', nameList.slice(start, start + CHUNK))
          .execute();
        // Only the names of the ref's own scope, as a read per ref would give.
        for (const row of rows) if (wanted.get(row.ref_id)?.has(row.match_name) ?? false) add(row.ref_id, row.package);
      }
    }
  }
  for (const list of rowsOf.values()) list.sort();
  return rowsOf;
}

/** The store, each (ecosystem, name) read once per rematch however many refs hold it. */
function cachingStore(store: AdvisoryStore): AdvisoryStore {
  const cache = new Map<string, readonly OsvRecord[]>();
  return {
    async advisoriesFor(ecosystem: EcosystemId, names: readonly string[]) {
      const missing = [...new Set(names)].filter((name) => !cache.has(packageKey(ecosystem, name)));
      if (missing.length > 0) {
        const found = await store.advisoriesFor(ecosystem, missing);
        for (const name of missing) cache.set(packageKey(ecosystem, name), found.get(name) ?? []);
      }
      const result = new Map<string, readonly OsvRecord[]>();
      for (const name of names) {
        const records = cache.get(packageKey(ecosystem, name)) ?? [];
        if (records.length > 0) result.set(name, records);
      }
      return result;
    },
    recordsByAlias: (ids) => store.recordsByAlias(ids),
    firstSeen: (ids) => store.firstSeen(ids),
    status: () => store.status(),
    close: () => {
      store.close();
    },
  };
}

/** The store as seen for the scope's packages only (the others are matched only for their paths). */
function scopedStore(store: AdvisoryStore, scope: ReadonlySet<string>): AdvisoryStore {
  return {
    ...store,
    advisoriesFor: (ecosystem, names) => store.advisoriesFor(ecosystem, names.filter((name) => scope.has(packageKey(ecosystem, name)))),
    recordsByAlias: (ids) => store.recordsByAlias(ids),
    firstSeen: (ids) => store.firstSeen(ids),
    status: () => store.status(),
    close: () => undefined,
  };
}
