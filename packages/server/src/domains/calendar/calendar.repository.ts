import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';

export function listOverrides(db: DbOrTrx, year?: number) {
  let q = db.selectFrom('calendar_override').selectAll();
  if (year !== undefined) q = q.where('day', '>=', `${year}-01-01`).where('day', '<=', `${year}-12-31`);
  return q.orderBy('day').execute();
}
export function findOverride(db: DbOrTrx, day: string) {
  return db.selectFrom('calendar_override').selectAll().where('day', '=', day).executeTakeFirst();
}
export async function upsertOverride(
  db: DbOrTrx,
  row: { day: string; kind: 'workday' | 'restday'; note: string; created_by: string | null },
) {
  await db
    .insertInto('calendar_override')
    .values({ ...row, created_at: new Date() })
    .onConflict((oc) =>
      oc
        .column('day')
        .doUpdateSet({ kind: row.kind, note: row.note, created_by: row.created_by, created_at: new Date() }),
    )
    .execute();
}
export async function deleteOverride(db: DbOrTrx, day: string) {
  await db.deleteFrom('calendar_override').where('day', '=', day).execute();
}

export function latestPolicy(db: DbOrTrx) {
  return db.selectFrom('policy_version').selectAll().orderBy('version', 'desc').limit(1).executeTakeFirst();
}
export function findPolicy(db: DbOrTrx, version: number) {
  return db.selectFrom('policy_version').selectAll().where('version', '=', version).executeTakeFirst();
}
export function listPolicies(db: DbOrTrx) {
  return db.selectFrom('policy_version').selectAll().orderBy('version', 'desc').execute();
}
export async function insertPolicy(
  db: DbOrTrx,
  row: { version: number; params: unknown; note: string; created_by: string | null },
) {
  await db
    .insertInto('policy_version')
    .values({ ...row, params: JSON.stringify(row.params), created_at: new Date() })
    .execute();
}

/** Held until the transaction ends: concurrent policy edits take turns, so version numbers never collide. */
export async function lockPolicyEdits(trx: DbOrTrx) {
  await sql`SELECT pg_advisory_xact_lock(${0x67_73_70_6f})`.execute(trx);
}
