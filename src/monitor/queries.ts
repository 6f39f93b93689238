import { systemClock, type Clock } from '../core/clock.js';
import { DeskNotFoundError, DeskRuleError, UsageError } from '../core/errors.js';
import { isEcosystemId } from '../core/types.js';
import { ecosystems } from '../ecosystems/ecosystems.js';
import { DEFAULT_POLICY } from '../policy/default-policy.js';
import { parsePolicyText } from '../policy/policy-file.js';
import type { Selectable } from 'kysely';
import type { FindingsTable } from './store/monitor-database.js';
import type { MonitorDb } from './store/open-monitor-store.js';
import { isFindingState, OPEN_STATES, type FindingPackage, type FindingState, type MonitorFinding } from './types.js';

const DAY_MS = 86_400_000;

type FindingRow = Selectable<FindingsTable> & { project: string; ref: string };

function toFinding(row: FindingRow): MonitorFinding {
  return {
    id: row.id,
    project: row.project,
    ref: row.ref,
    advisory: row.advisory_id,
    ids: JSON.parse(row.ids) as string[],
    // A state this vigil does not know (a newer one wrote it) reads as new: it is never hidden.
    state: isFindingState(row.state) ? row.state : 'new',
    severity: row.severity,
    summary: row.summary,
    packages: JSON.parse(row.packages) as FindingPackage[],
    fixed: JSON.parse(row.fixed) as string[],
    firstSeen: row.first_seen,
    due: row.due_at ?? undefined,
    closedAt: row.closed_at ?? undefined,
  };
}

function findingsQuery(monitor: MonitorDb) {
  return monitor.db
    .selectFrom('monitor_findings as f')
    .innerJoin('monitor_refs as r', 'r.id', 'f.ref_id')
    .innerJoin('monitor_projects as p', 'p.id', 'r.project_id')
    .selectAll('f')
    .select(['p.name as project', 'r.name as ref']);
}

/**
 * The open findings (new, acknowledged, excepted) of every ref for an advisory, by any id of
 * its alias group (a CVE finds the GHSA group that names it), ordered by project and ref.
 */
export async function refsAffectedBy(monitor: MonitorDb, advisoryId: string): Promise<MonitorFinding[]> {
  const wanted = advisoryId.trim();
  if (wanted === '' || wanted.length > 200) throw new UsageError('an advisory id is 1 to 200 characters');
  const rows = await findingsQuery(monitor)
    .where('f.id', 'in', (eb) => eb.selectFrom('monitor_finding_ids').select('finding_id').where('advisory_id', '=', wanted.toUpperCase()))
    .where('f.state', 'in', [...OPEN_STATES])
    .orderBy('p.name')
    .orderBy('r.name')
    .execute();
  return rows.map(toFinding);
}

/** A ref holding a package. */
export interface RefWithPackage {
  readonly project: string;
  readonly ref: string;
  readonly name: string;
  readonly version: string;
  readonly file: string;
}

/** Refs whose inventory has the package (ecosystem-normalised name), at `version` when given (compared by the ecosystem's scheme). */
export async function refsWithPackage(monitor: MonitorDb, ecosystem: string, name: string, version?: string): Promise<RefWithPackage[]> {
  if (!isEcosystemId(ecosystem)) throw new UsageError(`unknown ecosystem "${ecosystem.slice(0, 40)}" (expected npm, PyPI, Debian or Ubuntu)`);
  const eco = ecosystems[ecosystem];
  const rows = await monitor.db
    .selectFrom('monitor_packages as k')
    .innerJoin('monitor_refs as r', 'r.id', 'k.ref_id')
    .innerJoin('monitor_projects as p', 'p.id', 'r.project_id')
    .select(['p.name as project', 'r.name as ref', 'k.name', 'k.version', 'k.file'])
    .where('k.ecosystem', '=', ecosystem)
    .where('k.normalized_name', '=', eco.normalizeName(name))
    .orderBy('p.name')
    .orderBy('r.name')
    .orderBy('k.file')
    .execute();
  const scheme = eco.versions;
  const same = (a: string, b: string): boolean => a === b || (scheme.isValid(a) && scheme.isValid(b) && scheme.compare(a, b) === 0);
  return rows.filter((row) => version === undefined || same(row.version, version));
}

/** One ref in the portfolio overview. */
export interface RefOverview {
  readonly project: string;
  readonly ref: string;
  readonly pushedAt: string;
  readonly packages: number;
  /** Open (new or acknowledged) findings per severity level. */
  readonly open: Readonly<Record<string, number>>;
  readonly excepted: number;
  /** Open findings past their SLA due date. */
  readonly overdue: number;
  /** Advisories the matcher could not decide for a package of the ref (they fail it). */
  readonly unevaluable: number;
  /** Exceptions of the ref's policy expiring within its `expiry_warning_days`, or expired. */
  readonly expiringExceptions: readonly { readonly id: string; readonly expiresOn: string; readonly daysLeft: number }[];
}

/** Projects x refs x severities, overdue SLAs and expiring exceptions. */
export async function portfolioOverview(monitor: MonitorDb, clock: Clock = systemClock): Promise<RefOverview[]> {
  const now = clock.now();
  const refs = await monitor.db
    .selectFrom('monitor_refs as r')
    .innerJoin('monitor_projects as p', 'p.id', 'r.project_id')
    .select(['r.id', 'r.name', 'r.policy_text', 'r.pushed_at', 'r.packages', 'p.name as project'])
    .orderBy('p.name')
    .orderBy('r.name')
    .execute();
  const counts = await monitor.db
    .selectFrom('monitor_findings')
    .select((eb) => ['ref_id', 'state', 'severity', eb.fn.countAll<number | string>().as('n')])
    .where('state', 'in', [...OPEN_STATES])
    .groupBy(['ref_id', 'state', 'severity'])
    .execute();
  const overdue = await monitor.db
    .selectFrom('monitor_findings')
    .select((eb) => ['ref_id', eb.fn.countAll<number | string>().as('n')])
    .where('state', 'in', ['new', 'acknowledged'])
    .where('due_at', '<', now.toISOString())
    .groupBy('ref_id')
    .execute();
  const unevaluable = await monitor.db
    .selectFrom('monitor_unevaluable')
    .select((eb) => ['ref_id', eb.fn.countAll<number | string>().as('n')])
    .groupBy('ref_id')
    .execute();
  return refs.map((ref) => {
    const open: Record<string, number> = {};
    let excepted = 0;
    for (const row of counts) {
      if (row.ref_id !== ref.id) continue;
      if (row.state === 'excepted') excepted += Number(row.n);
      else open[row.severity] = (open[row.severity] ?? 0) + Number(row.n);
    }
    let policy = DEFAULT_POLICY;
    try {
      if (ref.policy_text !== null) policy = parsePolicyText(ref.policy_text, 'vigil.yaml');
    } catch {
      // Validated at push; a policy this vigil no longer reads shows no exceptions here, and the
      // next rematch of the ref reports the error.
    }
    const expiringExceptions = policy.exceptions
      .map((entry) => ({ id: entry.id, expiresOn: entry.expiresOn, daysLeft: Math.ceil((Date.parse(`${entry.expiresOn}T00:00:00Z`) + DAY_MS - now.getTime()) / DAY_MS) - 1 }))
      .filter((entry) => entry.daysLeft < policy.expiryWarningDays)
      .sort((a, b) => a.daysLeft - b.daysLeft);
    return {
      project: ref.project,
      ref: ref.name,
      pushedAt: ref.pushed_at,
      packages: ref.packages,
      open,
      excepted,
      overdue: Number(overdue.find((row) => row.ref_id === ref.id)?.n ?? 0),
      unevaluable: Number(unevaluable.find((row) => row.ref_id === ref.id)?.n ?? 0),
      expiringExceptions,
    };
  });
}

/** One line of a ref's history. */
export interface RefEvent {
  readonly at: string;
  readonly kind: 'push' | 'state';
  /** The finding's primary id, for a state change. */
  readonly advisory?: string;
  readonly from?: string;
  readonly to?: string;
  readonly detail: Readonly<Record<string, unknown>>;
  /** Who: `token:<name>`, `user:<login>`, `cli`, or `system` (the re-matcher). */
  readonly actor: string;
}

/** The pushes and finding state changes of a ref, oldest first. */
export async function refHistory(monitor: MonitorDb, project: string, ref: string): Promise<RefEvent[]> {
  const refRow = await findRef(monitor, project, ref);
  const rows = await monitor.db
    .selectFrom('monitor_events as e')
    .leftJoin('monitor_findings as f', 'f.id', 'e.finding_id')
    .select(['e.at', 'e.kind', 'e.from_state', 'e.to_state', 'e.detail', 'e.actor', 'f.advisory_id'])
    .where('e.ref_id', '=', refRow.id)
    .orderBy('e.id')
    .execute();
  return rows.map((row) => ({
    at: row.at,
    kind: row.kind === 'push' ? 'push' : 'state',
    ...(row.advisory_id === null ? {} : { advisory: row.advisory_id }),
    ...(row.from_state === null ? {} : { from: row.from_state }),
    ...(row.to_state === null ? {} : { to: row.to_state }),
    detail: JSON.parse(row.detail) as Record<string, unknown>,
    actor: row.actor,
  }));
}

/** The findings of a ref, open ones first. */
export async function refFindings(monitor: MonitorDb, project: string, ref: string): Promise<MonitorFinding[]> {
  const refRow = await findRef(monitor, project, ref);
  const rows = await findingsQuery(monitor).where('f.ref_id', '=', refRow.id).orderBy('f.id').execute();
  const findings = rows.map(toFinding);
  const open = (finding: MonitorFinding): number => (OPEN_STATES.includes(finding.state) ? 0 : 1);
  return findings.sort((a, b) => open(a) - open(b) || a.id - b.id);
}

/** Marks an open finding acknowledged (someone is on it); refused for a closed or excepted one. */
export async function acknowledgeFinding(monitor: MonitorDb, findingId: number, clock: Clock = systemClock, actor = 'cli'): Promise<void> {
  const now = clock.now().toISOString();
  await monitor.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('monitor_findings').select(['ref_id', 'state']).where('id', '=', findingId).executeTakeFirst();
    if (row === undefined) throw new DeskNotFoundError(`no monitor finding ${findingId}`);
    if (row.state === 'acknowledged') return;
    if (row.state !== 'new') throw new DeskRuleError(`monitor finding ${findingId} is ${row.state as FindingState}; only a new finding can be acknowledged`);
    await trx.updateTable('monitor_findings').set({ state: 'acknowledged', updated_at: now }).where('id', '=', findingId).execute();
    await trx
      .insertInto('monitor_events')
      .values({ ref_id: row.ref_id, finding_id: findingId, at: now, kind: 'state', from_state: 'new', to_state: 'acknowledged', detail: '{}', actor })
      .execute();
  });
}

async function findRef(monitor: MonitorDb, project: string, ref: string): Promise<{ id: number }> {
  const row = await monitor.db
    .selectFrom('monitor_refs as r')
    .innerJoin('monitor_projects as p', 'p.id', 'r.project_id')
    .select('r.id')
    .where('p.name', '=', project)
    .where('r.name', '=', ref)
    .executeTakeFirst();
  if (row === undefined) throw new DeskNotFoundError(`no monitored ref ${JSON.stringify(`${project.slice(0, 80)}@${ref.slice(0, 80)}`)}`);
  return row;
}
