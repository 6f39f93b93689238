import { DeskNotFoundError } from '../../core/errors.js';
import { lockRefs } from '../ref-lock.js';
import type { MonitorDb } from '../store/open-monitor-store.js';

/** Where a finding belongs, for the access check before it is changed. */
export async function findingOwner(monitor: MonitorDb, findingId: number): Promise<{ readonly project: string; readonly ref: string }> {
  const row = await monitor.db
    .selectFrom('monitor_findings as f')
    .innerJoin('monitor_refs as r', 'r.id', 'f.ref_id')
    .innerJoin('monitor_projects as p', 'p.id', 'r.project_id')
    .select(['p.name as project', 'r.name as ref'])
    .where('f.id', '=', findingId)
    .executeTakeFirst();
  if (row === undefined) throw new DeskNotFoundError(`no monitor finding ${findingId}`);
  return row;
}

/** What a deletion removed. */
export interface Deleted {
  /** `project@ref` of every ref deleted, sorted. */
  readonly refs: readonly string[];
}

/**
 * Deletes one ref (with `ref`) or a whole project (without), with their packages, findings,
 * history and undelivered notifications, in one transaction holding the refs' locks (a push or
 * rematch of them waits, then finds them gone). The deletion itself is the caller's to log: the
 * ref's own history goes with it.
 * @throws DeskNotFoundError when there is no such project or ref.
 */
export async function deleteRefs(monitor: MonitorDb, project: string, ref?: string): Promise<Deleted> {
  return monitor.db.transaction().execute(async (trx) => {
    const projectRow = await trx.selectFrom('monitor_projects').select('id').where('name', '=', project).executeTakeFirst();
    let refsQuery = trx.selectFrom('monitor_refs').select(['id', 'name']).where('project_id', '=', projectRow?.id ?? -1);
    if (ref !== undefined) refsQuery = refsQuery.where('name', '=', ref);
    const refs = await refsQuery.execute();
    if (projectRow === undefined || (ref !== undefined && refs.length === 0)) {
      const what = ref === undefined ? `project ${JSON.stringify(project.slice(0, 80))}` : `ref ${JSON.stringify(`${project.slice(0, 80)}@${ref.slice(0, 80)}`)}`;
      throw new DeskNotFoundError(`no monitored ${what}`);
    }
    const ids = refs.map((row) => row.id);
    await lockRefs(trx, monitor.dialect, ids);
    if (ids.length > 0) {
      // Children first: the foreign keys have no cascade, on purpose (findings are never deleted otherwise).
      for (const table of ['monitor_outbox', 'monitor_events', 'monitor_unevaluable', 'monitor_finding_ids', 'monitor_packages'] as const) {
        await trx.deleteFrom(table).where('ref_id', 'in', ids).execute();
      }
      await trx.deleteFrom('monitor_findings').where('ref_id', 'in', ids).execute();
      await trx.deleteFrom('monitor_refs').where('id', 'in', ids).execute();
    }
    if (ref === undefined) await trx.deleteFrom('monitor_projects').where('id', '=', projectRow.id).execute();
    return { refs: refs.map((row) => `${project}@${row.name}`).sort() };
  });
}
