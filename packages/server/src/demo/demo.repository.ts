// DEMO DATA: what the demo generator reads and marks across the platform's tables (it seeds every domain, so it
// reads them all; the seeding itself goes through the domains' services).
import { sql } from 'kysely';
import type { DbOrTrx } from '../db/database.ts';

/** A platform-wide marker (gongshu_meta): set once, never changed. */
export async function metaIsSet(db: DbOrTrx, key: string): Promise<boolean> {
  return !!(await db.selectFrom('gongshu_meta').select('key').where('key', '=', key).executeTakeFirst());
}

export async function setMetaOnce(db: DbOrTrx, key: string, value: string) {
  await db
    .insertInto('gongshu_meta')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
}

export function findUserWithOrg(db: DbOrTrx, username: string) {
  return db
    .selectFrom('app_user')
    .innerJoin('organisation', 'organisation.id', 'app_user.org_id')
    .select(['app_user.id', 'app_user.username', 'app_user.roles', 'app_user.org_id', 'organisation.kind'])
    .where('app_user.username', '=', username)
    .executeTakeFirstOrThrow();
}

export async function userExists(db: DbOrTrx, username: string): Promise<boolean> {
  return !!(await db.selectFrom('app_user').select('id').where('username', '=', username).executeTakeFirst());
}

export function listDemoOrgs(db: DbOrTrx) {
  return db
    .selectFrom('organisation')
    .select(['code', 'name', 'kind', 'contact_name', 'contact_phone'])
    .where('is_demo', '=', true)
    .orderBy('code')
    .execute();
}

export async function anyDemoResource(db: DbOrTrx): Promise<boolean> {
  return !!(await db.selectFrom('resource').select('id').where('is_demo', '=', true).executeTakeFirst());
}

/** A demo resource by its current name and its unit's code. */
export async function findDemoResource(db: DbOrTrx, name: string, orgCode: string): Promise<string | null> {
  const r = await db
    .selectFrom('resource as r')
    .innerJoin('resource_version as v', (j) =>
      j.onRef('v.resource_id', '=', 'r.id').onRef('v.version', '=', 'r.current_version'),
    )
    .innerJoin('organisation as o', 'o.id', 'r.org_id')
    .select(['r.id'])
    .where('v.name', '=', name)
    .where('o.code', '=', orgCode)
    .where('r.is_demo', '=', true)
    .executeTakeFirst();
  return r?.id ?? null;
}

/** The demo users with their unit, the Center first. */
export function listDemoUsers(db: DbOrTrx) {
  return db
    .selectFrom('app_user')
    .innerJoin('organisation', 'organisation.id', 'app_user.org_id')
    .select(['app_user.username', 'app_user.roles', 'app_user.totp_enabled', 'organisation.name'])
    .where('app_user.is_demo', '=', true)
    .orderBy(
      sql`array_position(ARRAY['center','cac','town_street','bureau','vertical','institution'], organisation.kind)`,
    )
    .orderBy('organisation.code')
    .orderBy('app_user.username')
    .execute();
}

export async function findDemoDemand(db: DbOrTrx, title: string): Promise<string | null> {
  const d = await db.selectFrom('demand').select('id').where('title', '=', title).executeTakeFirst();
  return d?.id ?? null;
}
