// SQL of file exports (sharing's own table share_export).
import type { Insertable } from 'kysely';
import type { DbOrTrx } from '../../../db/database.ts';
import type { ShareExportTable } from '../../../db/schema.ts';

export async function insertExport(db: DbOrTrx, row: Insertable<ShareExportTable>) {
  await db.insertInto('share_export').values(row).execute();
}

export async function finishExport(db: DbOrTrx, id: string, status: 'done' | 'failed', rows: number) {
  await db.updateTable('share_export').set({ status, rows, finished_at: new Date() }).where('id', '=', id).execute();
}

export function exportsOfGrant(db: DbOrTrx, grantId: string, limit: number) {
  return db
    .selectFrom('share_export')
    .selectAll()
    .where('grant_id', '=', grantId)
    .orderBy('started_at', 'desc')
    .limit(limit)
    .execute();
}

/** Every export a file could have come from (its columns say which carry a fingerprint). */
export function traceCandidates(db: DbOrTrx) {
  return db.selectFrom('share_export').selectAll().orderBy('started_at', 'desc').execute();
}

export function findExport(db: DbOrTrx, id: string) {
  return db.selectFrom('share_export').selectAll().where('id', '=', id).executeTakeFirst();
}
