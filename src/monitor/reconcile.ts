import { PostgresAdapter, sql, type Insertable, type Transaction } from 'kysely';
import type { Finding, Package } from '../core/types.js';
import type { MatchWarning } from '../match/match.js';
import type { GateDecision } from '../policy/types.js';
import { matchNameOf, packageKey, packageKeyOf } from './package-key.js';
import type { FindingsTable, MonitorDatabase } from './store/monitor-database.js';
import { NO_CHANGES, OPEN_STATES, type FindingChanges, type FindingPackage, type FindingState } from './types.js';

/** The ref a reconciliation writes. */
export interface RefContext {
  readonly refId: number;
  readonly project: string;
  readonly ref: string;
}

/** What a match of (part of) a ref's inventory found, to be written as the ref's findings. */
export interface ReconcileInput {
  readonly ref: RefContext;
  /**
   * Package keys (`packageKey`) the match covered: findings of these packages are replaced by
   * what it found; other packages' findings are left as they are. `all` for a push.
   */
  readonly scope: ReadonlySet<string> | 'all';
  /** The packages matched (for the unevaluable rows' keys). */
  readonly packages: readonly Package[];
  readonly findings: readonly Finding[];
  readonly decisions: ReadonlyMap<Finding, GateDecision>;
  readonly warnings: readonly MatchWarning[];
  /** What a finding that is no longer found becomes: `fixed` after a push, `withdrawn` after a rematch. */
  readonly closeAs: 'fixed' | 'withdrawn';
  readonly now: string;
  /** Write an outbox row for each new (ref, alias group). */
  readonly notify: boolean;
}

interface Group {
  readonly ids: Set<string>;
  readonly findings: Finding[];
}

interface ExistingRow {
  readonly id: number;
  readonly ids: readonly string[];
  readonly state: FindingState;
  readonly packages: readonly FindingPackage[];
  readonly severity: string;
  readonly due_at: string | null;
  readonly first_seen: string;
}

const RANK: Readonly<Record<string, number>> = { none: 0, low: 1, medium: 2, high: 3, critical: 4 };

/**
 * Writes what a match found as the ref's (ref, alias group) findings, inside the caller's
 * transaction (which holds the ref's lock): new groups are created (and an outbox row written
 * when asked), groups that gained an alias keep their row, groups no longer found in the scope
 * are closed, closed ones found again reopen. Idempotent: the same input twice changes nothing
 * the second time.
 */
export async function reconcileRef(trx: Transaction<MonitorDatabase>, input: ReconcileInput): Promise<FindingChanges> {
  return reconcileRefs(trx, [input]);
}

/** Refs per `IN` list when reading or closing across refs. */
const REF_CHUNK = 400;

/**
 * `reconcileRef` for many refs at once (distinct refs, all locked by the caller's transaction):
 * the same writes, in a few statements per batch instead of several per ref (an advisory on a
 * package 10,000 refs hold reads their findings in 25 queries and writes its 10,000 findings,
 * ids, history lines and outbox rows in multi-row inserts). Each ref's history keeps the order
 * `reconcileRef` gives it: changed rows, then new ones, then closed ones.
 */
export async function reconcileRefs(trx: Transaction<MonitorDatabase>, inputs: readonly ReconcileInput[]): Promise<FindingChanges> {
  if (inputs.length === 0) return NO_CHANGES;
  const existingOf = await readExisting(
    trx,
    inputs.map((input) => input.ref.refId),
  );
  const changes = { ...NO_CHANGES };
  const creations: Creation[] = [];
  const planned: { input: ReconcileInput; existing: readonly ExistingRow[]; touched: ReadonlySet<number> }[] = [];
  for (const input of inputs) {
    const existing = existingOf.get(input.ref.refId) ?? [];
    planned.push({ input, existing, touched: await reconcileGroups(trx, input, existing, creations, changes) });
  }
  await createFindings(trx, creations, changes);
  await closeMissing(trx, planned, changes);
  await writeUnevaluable(trx, inputs);
  return changes;
}

/** The findings of these refs, each ref's in id order. */
async function readExisting(trx: Transaction<MonitorDatabase>, refIds: readonly number[]): Promise<Map<number, ExistingRow[]>> {
  const existingOf = new Map<number, ExistingRow[]>();
  // PostgreSQL takes the batch's refs as one array parameter: one query however large the batch.
  const chunk = onPostgres(trx) ? ARRAY_CHUNK : REF_CHUNK;
  for (let start = 0; start < refIds.length; start += chunk) {
    const refs = refIds.slice(start, start + chunk);
    const rows = await trx
      .selectFrom('monitor_findings')
      .select(['id', 'ref_id', 'ids', 'state', 'packages', 'severity', 'due_at', 'first_seen'])
      .where((eb) => (onPostgres(trx) ? eb('ref_id', '=', sql<number>`any(${refs}::int[])`) : eb('ref_id', 'in', refs)))
      .orderBy('id')
      .execute();
    for (const row of rows) {
      let list = existingOf.get(row.ref_id);
      if (list === undefined) existingOf.set(row.ref_id, (list = []));
      list.push({
        id: row.id,
        ids: JSON.parse(row.ids) as string[],
        state: row.state as FindingState,
        packages: JSON.parse(row.packages) as FindingPackage[],
        severity: row.severity,
        due_at: row.due_at,
        first_seen: row.first_seen,
      });
    }
  }
  return existingOf;
}

/**
 * Matches the input's alias groups to the ref's rows: updates the rows found again (absorbing
 * rows a group now links), queues the new groups in `creations`; returns the rows it touched.
 */
async function reconcileGroups(
  trx: Transaction<MonitorDatabase>,
  input: ReconcileInput,
  existing: readonly ExistingRow[],
  creations: Creation[],
  changes: { -readonly [K in keyof FindingChanges]: number },
): Promise<Set<number>> {
  const { ref, now } = input;
  const inScope = (pkg: FindingPackage): boolean => input.scope === 'all' || input.scope.has(packageKey(pkg.ecosystem, pkg.matchName));
  const byId = new Map<string, ExistingRow>();
  for (const row of existing) for (const id of row.ids) byId.set(id, row);

  const touched = new Set<number>();
  for (const group of groupFindings(input.findings)) {
    const matches = [...new Set([...group.ids].flatMap((id) => byId.get(id) ?? []))].sort((a, b) => a.id - b.id);
    const decisions = group.findings.map((finding) => input.decisions.get(finding));
    const packages = instancesOf(group.findings);
    const summary = group.findings.map((finding) => finding.summary).find((text) => text !== '') ?? '';
    const fixed = [...new Set(group.findings.flatMap((finding) => finding.fixed))];
    const primary = primaryOf(group.findings);
    const survivor = matches[0];
    if (survivor === undefined) {
      const state: FindingState = decisions.every((decision) => decision?.kind === 'allowed-by-exception') ? 'excepted' : 'new';
      creations.push({
        input,
        ids: [...group.ids].sort(),
        first: group.findings[0] as Finding,
        row: {
          ref_id: ref.refId,
          advisory_id: primary,
          ids: JSON.stringify([...group.ids].sort()),
          state,
          severity: severityOf(decisions, group.findings),
          summary,
          packages: JSON.stringify(packages),
          fixed: JSON.stringify(fixed),
          first_seen: now,
          due_at: dueOf(decisions),
          updated_at: now,
          closed_at: null,
        },
      });
      continue;
    }
    // Rows this group now links (a new record naming both as aliases) fold into the oldest.
    const allIds = new Set(group.ids);
    for (const row of matches) for (const id of row.ids) allIds.add(id);
    for (const absorbed of matches.slice(1)) {
      touched.add(absorbed.id);
      await trx.deleteFrom('monitor_finding_ids').where('finding_id', '=', absorbed.id).execute();
      await trx
        .updateTable('monitor_findings')
        .set({ state: 'withdrawn', ids: JSON.stringify([]), updated_at: now, closed_at: now })
        .where('id', '=', absorbed.id)
        .execute();
      await event(trx, ref.refId, absorbed.id, now, absorbed.state, 'withdrawn', { mergedInto: survivor.id });
    }
    touched.add(survivor.id);
    const wasOpen = OPEN_STATES.includes(survivor.state);
    // A closed row's packages are history: only an open one keeps the instances outside the scope.
    const kept = wasOpen ? survivor.packages.filter((pkg) => !inScope(pkg)) : [];
    const allPackages = dedupePackages([...kept, ...packages]);
    const excepted = decisions.every((decision) => decision?.kind === 'allowed-by-exception') && kept.length === 0;
    const state: FindingState = excepted ? 'excepted' : wasOpen && survivor.state !== 'excepted' ? survivor.state : 'new';
    const severity = kept.length > 0 ? maxLevel(survivor.severity, severityOf(decisions, group.findings)) : severityOf(decisions, group.findings);
    const due = minDue(kept.length > 0 ? survivor.due_at : null, dueOf(decisions));
    const next = {
      advisory_id: primary,
      ids: JSON.stringify([...allIds].sort()),
      state,
      severity,
      summary,
      packages: JSON.stringify(allPackages),
      fixed: JSON.stringify(fixed),
      due_at: due,
    };
    const same =
      state === survivor.state &&
      severity === survivor.severity &&
      due === survivor.due_at &&
      JSON.stringify(allPackages) === JSON.stringify(survivor.packages) &&
      sameIds(survivor.ids, allIds) &&
      matches.length === 1;
    if (same) continue;
    await trx
      .updateTable('monitor_findings')
      .set({ ...next, updated_at: now, closed_at: wasOpen || OPEN_STATES.includes(state) ? null : now })
      .where('id', '=', survivor.id)
      .execute();
    if (!sameIds(survivor.ids, allIds) || matches.length > 1) {
      await trx.deleteFrom('monitor_finding_ids').where('finding_id', '=', survivor.id).execute();
      await writeIds(trx, ref.refId, survivor.id, [...allIds]);
    }
    if (state !== survivor.state) await event(trx, ref.refId, survivor.id, now, survivor.state, state, { advisory: primary });
    if (!wasOpen) changes.reopened++;
    else changes.updated++;
  }

  return touched;
}

/**
 * Open findings the match no longer found in its scope: closed, or narrowed to the packages
 * outside the scope that still have them. Closed rows are written together, per batch.
 */
async function closeMissing(
  trx: Transaction<MonitorDatabase>,
  planned: readonly { input: ReconcileInput; existing: readonly ExistingRow[]; touched: ReadonlySet<number> }[],
  changes: { -readonly [K in keyof FindingChanges]: number },
): Promise<void> {
  const closing = new Map<string, { closeAs: 'fixed' | 'withdrawn'; now: string; ids: number[] }>();
  const events: Insertable<MonitorDatabase['monitor_events']>[] = [];
  for (const { input, existing, touched } of planned) {
    const { ref, now } = input;
    const inScope = (pkg: FindingPackage): boolean => input.scope === 'all' || input.scope.has(packageKey(pkg.ecosystem, pkg.matchName));
    for (const row of existing) {
      if (touched.has(row.id) || !OPEN_STATES.includes(row.state)) continue;
      if (!row.packages.some(inScope)) continue;
      const kept = row.packages.filter((pkg) => !inScope(pkg));
      if (kept.length > 0) {
        await trx.updateTable('monitor_findings').set({ packages: JSON.stringify(kept), updated_at: now }).where('id', '=', row.id).execute();
        changes.updated++;
        continue;
      }
      const key = `${input.closeAs}\u0000${now}`;
      let group = closing.get(key);
      if (group === undefined) closing.set(key, (group = { closeAs: input.closeAs, now, ids: [] }));
      group.ids.push(row.id);
      events.push(eventRow(ref.refId, row.id, now, row.state, input.closeAs, {}));
      if (input.closeAs === 'fixed') changes.fixed++;
      else changes.withdrawn++;
    }
  }
  for (const { closeAs, now, ids } of closing.values()) {
    for (let start = 0; start < ids.length; start += REF_CHUNK) {
      await trx
        .updateTable('monitor_findings')
        .set({ state: closeAs, updated_at: now, closed_at: now })
        .where('id', 'in', ids.slice(start, start + REF_CHUNK))
        .execute();
    }
  }
  await insertRows(trx, 'monitor_events', EVENT_COLUMNS, events);
}

/** A (ref, alias group) seen for the first time, written with the others of the ref in a few statements. */
interface Creation {
  readonly input: ReconcileInput;
  readonly ids: readonly string[];
  readonly first: Finding;
  readonly row: Insertable<FindingsTable>;
}

/** Rows per multi-row INSERT on SQLite: 13 columns, far below its parameter limit. */
const INSERT_CHUNK = 200;

/**
 * Writes the new findings, their ids, their history lines and (when asked) their outbox rows:
 * a few statements per ref whatever the number of findings (a ref that gains 300 findings at once
 * does not cost 1,200 round trips).
 */
async function createFindings(trx: Transaction<MonitorDatabase>, creations: readonly Creation[], changes: { created: number; outbox: number }): Promise<void> {
  if (creations.length === 0) return;
  const idOf = new Map<string, number>();
  // Primary ids are distinct within a ref (each group holds its own), so (ref, primary id) names the new rows.
  const inserted = await insertRows(
    trx,
    'monitor_findings',
    FINDING_COLUMNS,
    creations.map((creation) => creation.row),
    { returning: ['id', 'ref_id', 'advisory_id'] },
  );
  for (const row of inserted.rows) idOf.set(packageKey(String(row.ref_id), String(row.advisory_id)), Number(row.id));
  const findingId = (creation: Creation): number => idOf.get(packageKey(String(creation.input.ref.refId), creation.row.advisory_id)) as number;
  const idRows = creations.flatMap((creation) =>
    [...new Set(creation.ids.map((id) => id.toUpperCase()))].map((id) => ({ ref_id: creation.input.ref.refId, advisory_id: id, finding_id: findingId(creation) })),
  );
  await insertRows(trx, 'monitor_finding_ids', FINDING_ID_COLUMNS, idRows);
  const events = creations.map((creation) => eventRow(creation.input.ref.refId, findingId(creation), creation.input.now, null, creation.row.state, { advisory: creation.row.advisory_id }));
  await insertRows(trx, 'monitor_events', EVENT_COLUMNS, events);
  changes.created += creations.length;
  const outbox = creations
    .filter((creation) => creation.input.notify)
    .map((creation) => ({
      finding_id: findingId(creation),
      ref_id: creation.input.ref.refId,
      project: creation.input.ref.project,
      ref: creation.input.ref.ref,
      advisory_id: creation.row.advisory_id,
      aliases: JSON.stringify(creation.ids.filter((id) => id !== creation.row.advisory_id)),
      severity: creation.row.severity,
      package: creation.first.package.name,
      version: creation.first.package.version,
      fixed: JSON.stringify(creation.first.fixed),
      created_at: creation.input.now,
      delivered_at: null,
    }));
  // One notification per (ref, alias group), whatever runs twice (the unique constraint).
  changes.outbox += await countInserted(trx, 'monitor_outbox', OUTBOX_COLUMNS, outbox, ['ref_id', 'finding_id']);
}

/**
 * Replaces each ref's unevaluable rows of its scope by its match's warnings. The batch's rows are
 * read first (one query; most refs have none), so only refs that hold some are deleted from.
 */
async function writeUnevaluable(trx: Transaction<MonitorDatabase>, inputs: readonly ReconcileInput[]): Promise<void> {
  const inputOf = new Map(inputs.map((input) => [input.ref.refId, input]));
  const refIds = [...inputOf.keys()];
  const stale = new Map<number, Set<string>>();
  const chunk = onPostgres(trx) ? ARRAY_CHUNK : REF_CHUNK;
  for (let start = 0; start < refIds.length; start += chunk) {
    const refs = refIds.slice(start, start + chunk);
    const rows = await trx
      .selectFrom('monitor_unevaluable')
      .select(['ref_id', 'package_key'])
      .distinct()
      .where((eb) => (onPostgres(trx) ? eb('ref_id', '=', sql<number>`any(${refs}::int[])`) : eb('ref_id', 'in', refs)))
      .execute();
    for (const row of rows) {
      const scope = inputOf.get(row.ref_id)?.scope;
      if (scope === undefined || (scope !== 'all' && !scope.has(row.package_key))) continue;
      let keys = stale.get(row.ref_id);
      if (keys === undefined) stale.set(row.ref_id, (keys = new Set()));
      keys.add(row.package_key);
    }
  }
  for (const [refId, keys] of stale) {
    if (inputOf.get(refId)?.scope === 'all') {
      await trx.deleteFrom('monitor_unevaluable').where('ref_id', '=', refId).execute();
      continue;
    }
    const list = [...keys];
    for (let start = 0; start < list.length; start += REF_CHUNK) {
      await trx.deleteFrom('monitor_unevaluable').where('ref_id', '=', refId).where('package_key', 'in', list.slice(start, start + REF_CHUNK)).execute();
    }
  }
  const rows = inputs.flatMap((input) => {
    if (input.warnings.length === 0) return [];
    const keyOf = new Map<string, string>();
    for (const pkg of input.packages) keyOf.set(`${pkg.location.file}\u0000${pkg.name}@${pkg.version}`, packageKeyOf(pkg));
    return input.warnings.map((warning) => ({
      ref_id: input.ref.refId,
      // A warning of a package not in the list cannot be placed: kept under a key no scope has, so
      // only the next push replaces it (never dropped).
      package_key: keyOf.get(`${warning.location.file}\u0000${warning.package}`) ?? packageKey('?', warning.package),
      advisory_id: warning.advisory,
      package: warning.package,
      file: warning.location.file,
      reason: warning.message,
    }));
  });
  await insertRows(trx, 'monitor_unevaluable', UNEVALUABLE_COLUMNS, rows);
}

/** A column written by `insertRows`, with its PostgreSQL type (for `unnest`). */
type Column = readonly [name: string, type: 'int' | 'text'];

const FINDING_COLUMNS: readonly Column[] = [
  ['ref_id', 'int'],
  ['advisory_id', 'text'],
  ['ids', 'text'],
  ['state', 'text'],
  ['severity', 'text'],
  ['summary', 'text'],
  ['packages', 'text'],
  ['fixed', 'text'],
  ['first_seen', 'text'],
  ['due_at', 'text'],
  ['updated_at', 'text'],
  ['closed_at', 'text'],
];
const FINDING_ID_COLUMNS: readonly Column[] = [
  ['ref_id', 'int'],
  ['advisory_id', 'text'],
  ['finding_id', 'int'],
];
// `actor` is left to its default (`system`): only a push names who did it.
const EVENT_COLUMNS: readonly Column[] = [
  ['ref_id', 'int'],
  ['finding_id', 'int'],
  ['at', 'text'],
  ['kind', 'text'],
  ['from_state', 'text'],
  ['to_state', 'text'],
  ['detail', 'text'],
];
const OUTBOX_COLUMNS: readonly Column[] = [
  ['finding_id', 'int'],
  ['ref_id', 'int'],
  ['project', 'text'],
  ['ref', 'text'],
  ['advisory_id', 'text'],
  ['aliases', 'text'],
  ['severity', 'text'],
  ['package', 'text'],
  ['version', 'text'],
  ['fixed', 'text'],
  ['created_at', 'text'],
  ['delivered_at', 'text'],
];
const UNEVALUABLE_COLUMNS: readonly Column[] = [
  ['ref_id', 'int'],
  ['package_key', 'text'],
  ['advisory_id', 'text'],
  ['package', 'text'],
  ['file', 'text'],
  ['reason', 'text'],
];

/** Rows per `unnest` INSERT on PostgreSQL (one array parameter per column), and refs per `= any(array)`. */
const ARRAY_CHUNK = 5000;

/** Whether the transaction runs on PostgreSQL (arrays and `unnest`) rather than SQLite. */
function onPostgres(trx: Transaction<MonitorDatabase>): boolean {
  return trx.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Inserts rows (objects keyed by column name; a missing value is NULL): on PostgreSQL one
 * `INSERT ... SELECT FROM unnest(...)` per 5,000 rows, with one array parameter per column (a
 * statement and a plan whatever the number of rows); on SQLite, in process, multi-row VALUES.
 * Returns the `returning` columns of the rows written and how many were written (`onConflict`:
 * the unique columns on which a row already there is skipped).
 */
async function insertRows(
  trx: Transaction<MonitorDatabase>,
  table: keyof MonitorDatabase,
  columns: readonly Column[],
  rows: readonly object[],
  options: { readonly returning?: readonly string[]; readonly onConflict?: readonly string[] } = {},
): Promise<{ readonly rows: readonly Record<string, unknown>[]; readonly inserted: number }> {
  const written: Record<string, unknown>[] = [];
  let inserted = 0;
  if (rows.length === 0) return { rows: written, inserted };
  const names = sql.join(columns.map(([name]) => sql.ref(name)));
  const conflict = options.onConflict === undefined ? sql`` : sql` ON CONFLICT (${sql.join(options.onConflict.map((name) => sql.ref(name)))}) DO NOTHING`;
  const returning = options.returning === undefined ? sql`` : sql` RETURNING ${sql.join(options.returning.map((name) => sql.ref(name)))}`;
  const valueOf = (row: object, name: string): unknown => (row as Record<string, unknown>)[name] ?? null;
  const postgres = onPostgres(trx);
  const size = postgres ? ARRAY_CHUNK : INSERT_CHUNK;
  for (let start = 0; start < rows.length; start += size) {
    const chunk = rows.slice(start, start + size);
    const source = postgres
      ? sql`SELECT * FROM unnest(${sql.join(columns.map(([name, type]) => sql`${chunk.map((row) => valueOf(row, name))}::${sql.raw(type)}[]`))})`
      : sql`VALUES ${sql.join(chunk.map((row) => sql`(${sql.join(columns.map(([name]) => valueOf(row, name)))})`))}`;
    const result = await sql<Record<string, unknown>>`INSERT INTO ${sql.table(table)} (${names}) ${source}${conflict}${returning}`.execute(trx);
    written.push(...result.rows);
    inserted += Number(result.numAffectedRows ?? BigInt(result.rows.length));
  }
  return { rows: written, inserted };
}

/** `insertRows` skipping rows already there by `unique` columns; returns how many it wrote. */
async function countInserted(trx: Transaction<MonitorDatabase>, table: keyof MonitorDatabase, columns: readonly Column[], rows: readonly object[], unique: readonly string[]): Promise<number> {
  return (await insertRows(trx, table, columns, rows, { onConflict: unique })).inserted;
}

/** Findings of one ref linked by a shared id (the matcher groups per package instance; a ref groups across them). */
export function groupFindings(findings: readonly Finding[]): Group[] {
  const parent = new Map<string, string>();
  const find = (id: string): string => {
    let root = id;
    while (parent.get(root) !== root) root = parent.get(root) as string;
    parent.set(id, root);
    return root;
  };
  for (const finding of findings) {
    const ids = [finding.id, ...finding.aliases];
    for (const id of ids) if (!parent.has(id)) parent.set(id, id);
    for (const id of ids.slice(1)) {
      const a = find(finding.id);
      const b = find(id);
      if (a !== b) parent.set(a, b);
    }
  }
  const groups = new Map<string, Group>();
  for (const finding of findings) {
    const root = find(finding.id);
    let group = groups.get(root);
    if (group === undefined) {
      group = { ids: new Set(), findings: [] };
      groups.set(root, group);
    }
    group.findings.push(finding);
    for (const id of [finding.id, ...finding.aliases]) group.ids.add(id);
  }
  return [...groups.values()];
}

function primaryOf(findings: readonly Finding[]): string {
  // The matcher's primary id of the instances (GHSA first, then PYSEC), the smallest if they differ.
  return [...new Set(findings.map((finding) => finding.id))].sort()[0] as string;
}

function instancesOf(findings: readonly Finding[]): FindingPackage[] {
  return dedupePackages(
    findings.map((finding) => ({
      ecosystem: finding.package.ecosystem,
      name: finding.package.name,
      matchName: matchNameOf(finding.package),
      version: finding.package.version,
      file: finding.package.location.file,
    })),
  );
}

function dedupePackages(packages: readonly FindingPackage[]): FindingPackage[] {
  const seen = new Map<string, FindingPackage>();
  for (const pkg of packages) seen.set([pkg.ecosystem, pkg.name, pkg.version, pkg.file].join('\u0000'), pkg);
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, pkg]) => pkg);
}

/** The highest level the policy judged the instances at; the finding's own when undecided. */
function severityOf(decisions: readonly (GateDecision | undefined)[], findings: readonly Finding[]): string {
  let best = 'none';
  decisions.forEach((decision, index) => {
    const level = decision?.level ?? findings[index]?.severity.level ?? 'unknown';
    best = maxLevel(best, level);
  });
  return best;
}

function maxLevel(a: string, b: string): string {
  // `unknown` (no decision) ranks above everything: fail closed.
  const rank = (level: string): number => RANK[level] ?? 5;
  return rank(b) > rank(a) ? b : a;
}

function dueOf(decisions: readonly (GateDecision | undefined)[]): string | null {
  let due: string | null = null;
  for (const decision of decisions) {
    if (decision?.kind === 'blocking' && decision.due !== undefined) due = minDue(due, decision.due);
  }
  return due;
}

function minDue(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}

function sameIds(a: readonly string[], b: ReadonlySet<string>): boolean {
  return a.length === b.size && a.every((id) => b.has(id));
}

async function writeIds(trx: Transaction<MonitorDatabase>, refId: number, findingId: number, ids: readonly string[]): Promise<void> {
  // Upper-cased: ids are looked up whatever their case (`ghsa-jchw-...` finds `GHSA-jchw-...`).
  const rows = [...new Set(ids.map((id) => id.toUpperCase()))].map((id) => ({ ref_id: refId, advisory_id: id, finding_id: findingId }));
  for (let start = 0; start < rows.length; start += 300) await trx.insertInto('monitor_finding_ids').values(rows.slice(start, start + 300)).execute();
}

function eventRow(
  refId: number,
  findingId: number | null,
  at: string,
  from: string | null,
  to: string | null,
  detail: Record<string, unknown>,
): Insertable<MonitorDatabase['monitor_events']> {
  return { ref_id: refId, finding_id: findingId, at, kind: findingId === null ? 'push' : 'state', from_state: from, to_state: to, detail: JSON.stringify(detail) };
}

async function event(
  trx: Transaction<MonitorDatabase>,
  refId: number,
  findingId: number | null,
  at: string,
  from: string | null,
  to: string | null,
  detail: Record<string, unknown>,
): Promise<void> {
  await trx.insertInto('monitor_events').values(eventRow(refId, findingId, at, from, to, detail)).execute();
}

/** Records a push in the ref's history, with who pushed. */
export async function pushEvent(trx: Transaction<MonitorDatabase>, refId: number, at: string, detail: Record<string, unknown>, actor: string): Promise<void> {
  await trx.insertInto('monitor_events').values({ ...eventRow(refId, null, at, null, null, detail), actor }).execute();
}
