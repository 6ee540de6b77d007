// The pull_source table: a unit's scheduled sources, their cursor and the outcome of their last run.
import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { DbOrTrx } from '../../../db/database.ts';
import type { PullSourceTable } from '../../../db/schema.ts';

export type PullRow = Selectable<PullSourceTable>;

export function findSource(db: DbOrTrx, id: string) {
  return db.selectFrom('pull_source').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listSources(db: DbOrTrx, resourceId: string) {
  return db.selectFrom('pull_source').selectAll().where('resource_id', '=', resourceId).orderBy('created_at').execute();
}

export async function sourceNameTaken(db: DbOrTrx, resourceId: string, name: string): Promise<boolean> {
  return !!(await db
    .selectFrom('pull_source')
    .select('id')
    .where('resource_id', '=', resourceId)
    .where('name', '=', name)
    .executeTakeFirst());
}

export async function insertSource(db: DbOrTrx, row: Insertable<PullSourceTable>) {
  await db.insertInto('pull_source').values(row).execute();
}

/** Settings, schedule, and the outcome of a run. */
export async function updateSource(db: DbOrTrx, id: string, set: Updateable<PullSourceTable>) {
  await db.updateTable('pull_source').set(set).where('id', '=', id).execute();
}

/**
 * Claims every due source: its next run moves an hour on (a lease; the run sets the real next time), so a source
 * claimed by one node is not due for another.
 */
export function claimDue(db: DbOrTrx): Promise<PullRow[]> {
  return db
    .updateTable('pull_source')
    .set({ next_run_at: sql<Date>`now() + interval '1 hour'` })
    .where('active', '=', true)
    .where('next_run_at', '<=', sql<Date>`now()`)
    .returningAll()
    .execute();
}

export function sourceNames(db: DbOrTrx, ids: string[]) {
  return ids.length
    ? db.selectFrom('pull_source').select(['id', 'name', 'resource_id']).where('id', 'in', ids).execute()
    : Promise.resolve([]);
}
