// SQL of database sync (sharing's tables share_db_target and share_db_run).
import { sql, type Insertable, type Updateable } from 'kysely';
import type { DbOrTrx } from '../../../db/database.ts';
import type { ShareDbRunTable, ShareDbTargetTable } from '../../../db/schema.ts';

export function findTarget(db: DbOrTrx, grantId: string) {
  return db.selectFrom('share_db_target').selectAll().where('grant_id', '=', grantId).executeTakeFirst();
}

export function recentRuns(db: DbOrTrx, grantId: string, limit: number) {
  return db
    .selectFrom('share_db_run')
    .selectAll()
    .where('grant_id', '=', grantId)
    .orderBy('started_at', 'desc')
    .limit(limit)
    .execute();
}

export function findRun(db: DbOrTrx, id: string) {
  return db.selectFrom('share_db_run').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

export async function saveTarget(
  db: DbOrTrx,
  row: Insertable<ShareDbTargetTable>,
  onUpdate: Updateable<ShareDbTargetTable>,
) {
  await db
    .insertInto('share_db_target')
    .values(row)
    .onConflict((oc) => oc.column('grant_id').doUpdateSet(onUpdate))
    .execute();
}

export async function setCursor(db: DbOrTrx, grantId: string, cursor: unknown) {
  await db
    .updateTable('share_db_target')
    .set({ cursor: JSON.stringify(cursor) })
    .where('grant_id', '=', grantId)
    .execute();
}

/** Targets whose time has come, each claimed by moving its next time on (one node gets each). */
export async function claimDue(db: DbOrTrx) {
  const r = await sql<{ grant_id: string }>`
    UPDATE share_db_target SET next_run_at = now() + interval_minutes * interval '1 minute'
     WHERE active AND next_run_at <= now()
    RETURNING grant_id`.execute(db);
  return r.rows.map((x) => x.grant_id);
}

export async function insertRun(db: DbOrTrx, row: Insertable<ShareDbRunTable>) {
  await db.insertInto('share_db_run').values(row).execute();
}

export async function finishRun(db: DbOrTrx, id: string, set: Updateable<ShareDbRunTable>) {
  await db.updateTable('share_db_run').set(set).where('id', '=', id).execute();
}
