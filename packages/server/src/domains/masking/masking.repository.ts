import type { Insertable, Updateable } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import type { MaskingProfileTable } from '../../db/schema.ts';

export function listProfiles(db: DbOrTrx, resourceId: string) {
  return db
    .selectFrom('masking_profile')
    .selectAll()
    .where('resource_id', '=', resourceId)
    .orderBy('created_at')
    .execute();
}
export function findProfile(db: DbOrTrx, id: string) {
  return db.selectFrom('masking_profile').selectAll().where('id', '=', id).executeTakeFirst();
}
export async function profileNameTaken(db: DbOrTrx, resourceId: string, name: string) {
  return !!(await db
    .selectFrom('masking_profile')
    .select('id')
    .where('resource_id', '=', resourceId)
    .where('name', '=', name)
    .executeTakeFirst());
}
export async function insertProfile(db: DbOrTrx, row: Insertable<MaskingProfileTable>) {
  await db.insertInto('masking_profile').values(row).execute();
}
export async function updateProfile(db: DbOrTrx, id: string, patch: Updateable<MaskingProfileTable>) {
  await db.updateTable('masking_profile').set(patch).where('id', '=', id).execute();
}

export function findProfileByName(db: DbOrTrx, resourceId: string, name: string) {
  return db
    .selectFrom('masking_profile')
    .selectAll()
    .where('resource_id', '=', resourceId)
    .where('name', '=', name)
    .executeTakeFirst();
}

export function profileNames(db: DbOrTrx, ids: string[]) {
  return ids.length
    ? db.selectFrom('masking_profile').select(['id', 'name', 'resource_id']).where('id', 'in', ids).execute()
    : Promise.resolve([]);
}
