// The only file of the auth domain with SQL.
import { sql } from 'kysely';
import type { Db, DbOrTrx } from '../../db/database.ts';
import type { AppUserTable, ApiCredentialTable, OrganisationTable, SessionTable, OrgKind } from '../../db/schema.ts';
import type { Insertable, Selectable, Updateable } from 'kysely';

export type OrgRow = Selectable<OrganisationTable>;
export type UserRow = Selectable<AppUserTable>;
export type SessionRow = Selectable<SessionTable>;
export type CredentialRow = Selectable<ApiCredentialTable>;

// --- organisations
export function findOrg(db: DbOrTrx, id: string) {
  return db.selectFrom('organisation').selectAll().where('id', '=', id).executeTakeFirst();
}
export function findOrgByCode(db: DbOrTrx, code: string) {
  return db.selectFrom('organisation').selectAll().where('code', '=', code).executeTakeFirst();
}
export function listOrgs(db: DbOrTrx, f: { kind?: OrgKind | undefined; q?: string | undefined }) {
  let q = db.selectFrom('organisation').selectAll();
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.q) {
    const like = '%' + f.q.replace(/[%_\\]/g, '\\$&') + '%';
    q = q.where((eb) => eb.or([eb('name', 'like', like), eb('code', 'like', like), eb('uscc', 'like', like)]));
  }
  return q
    .orderBy(
      sql`CASE kind WHEN 'center' THEN 0 WHEN 'cac' THEN 1 WHEN 'town_street' THEN 2 WHEN 'bureau' THEN 3 WHEN 'institution' THEN 4 ELSE 5 END`,
    )
    .orderBy('code')
    .execute();
}
export async function insertOrg(db: DbOrTrx, row: Insertable<OrganisationTable>) {
  return db.insertInto('organisation').values(row).returningAll().executeTakeFirstOrThrow();
}
export async function updateOrg(db: DbOrTrx, id: string, patch: Updateable<OrganisationTable>) {
  return db
    .updateTable('organisation')
    .set({ ...patch, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}
export async function orgNameTaken(db: DbOrTrx, field: 'name' | 'code' | 'uscc', value: string, exceptId?: string) {
  let q = db.selectFrom('organisation').select('id').where(field, '=', value);
  if (exceptId) q = q.where('id', '<>', exceptId);
  return !!(await q.executeTakeFirst());
}
export async function countOrgs(db: DbOrTrx) {
  const r = await db
    .selectFrom('organisation')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

// --- users
export function findUser(db: DbOrTrx, id: string) {
  return db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirst();
}
export function findUserByName(db: DbOrTrx, username: string) {
  return db.selectFrom('app_user').selectAll().where('username', '=', username).executeTakeFirst();
}
export function listUsers(
  db: DbOrTrx,
  f: { orgId?: string | undefined; q?: string | undefined; role?: string | undefined },
) {
  let q = db
    .selectFrom('app_user')
    .innerJoin('organisation', 'organisation.id', 'app_user.org_id')
    .selectAll('app_user')
    .select(['organisation.name as org_name', 'organisation.kind as org_kind']);
  if (f.orgId) q = q.where('app_user.org_id', '=', f.orgId);
  if (f.role) q = q.where(sql<boolean>`${f.role} = ANY(app_user.roles)`);
  if (f.q) {
    const like = '%' + f.q.replace(/[%_\\]/g, '\\$&') + '%';
    q = q.where((eb) => eb.or([eb('app_user.username', 'like', like), eb('app_user.display_name', 'like', like)]));
  }
  return q.orderBy('organisation.code').orderBy('app_user.username').execute();
}
export async function insertUser(db: DbOrTrx, row: Insertable<AppUserTable>) {
  return db.insertInto('app_user').values(row).returningAll().executeTakeFirstOrThrow();
}
export async function updateUser(db: DbOrTrx, id: string, patch: Updateable<AppUserTable>) {
  return db
    .updateTable('app_user')
    .set({ ...patch, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

// --- sessions
export async function insertSession(db: DbOrTrx, row: Insertable<SessionTable>) {
  await db.insertInto('session').values(row).execute();
}
export function findSession(db: DbOrTrx, id: string) {
  return db.selectFrom('session').selectAll().where('id', '=', id).executeTakeFirst();
}
export async function touchSession(db: DbOrTrx, id: string, at: Date) {
  await db.updateTable('session').set({ last_seen_at: at }).where('id', '=', id).execute();
}
export async function setSessionMfa(db: DbOrTrx, id: string, state: SessionRow['mfa_state']) {
  await db.updateTable('session').set({ mfa_state: state }).where('id', '=', id).execute();
}
export async function revokeSession(db: DbOrTrx, id: string) {
  await db
    .updateTable('session')
    .set({ revoked_at: new Date() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .execute();
}
export async function revokeUserSessions(db: DbOrTrx, userId: string, exceptId?: string) {
  let q = db
    .updateTable('session')
    .set({ revoked_at: new Date() })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null);
  if (exceptId) q = q.where('id', '<>', exceptId);
  await q.execute();
}

// --- API credentials
/** A credential with its unit's kind and whether the unit is active, in one round trip (every system call asks). */
export function findCredentialWithOrg(db: DbOrTrx, keyId: string) {
  return db
    .selectFrom('api_credential as c')
    .innerJoin('organisation as o', 'o.id', 'c.org_id')
    .selectAll('c')
    .select(['o.kind as org_kind', 'o.active as org_active'])
    .where('c.key_id', '=', keyId)
    .executeTakeFirst();
}
export function findCredential(db: DbOrTrx, id: string) {
  return db.selectFrom('api_credential').selectAll().where('id', '=', id).executeTakeFirst();
}
export function listCredentials(db: Db, f: { orgId?: string | undefined }) {
  let q = db
    .selectFrom('api_credential')
    .innerJoin('organisation', 'organisation.id', 'api_credential.org_id')
    .selectAll('api_credential')
    .select('organisation.name as org_name');
  if (f.orgId) q = q.where('api_credential.org_id', '=', f.orgId);
  return q.orderBy('api_credential.created_at', 'desc').execute();
}
export async function insertCredential(db: DbOrTrx, row: Insertable<ApiCredentialTable>) {
  return db.insertInto('api_credential').values(row).returningAll().executeTakeFirstOrThrow();
}
export async function updateCredential(db: DbOrTrx, id: string, patch: Updateable<ApiCredentialTable>) {
  return db.updateTable('api_credential').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** The Center organisations (there is normally one). */
export function centerOrgs(db: DbOrTrx) {
  return listOrgs(db, { kind: 'center' });
}

// ---------------------------------------------------------------- labels (records that name these objects)
export function orgNames(db: DbOrTrx, ids: string[]) {
  return ids.length
    ? db.selectFrom('organisation').select(['id', 'name', 'code']).where('id', 'in', ids).execute()
    : [];
}
export function userNames(db: DbOrTrx, ids: string[]) {
  return ids.length
    ? db.selectFrom('app_user').select(['id', 'display_name', 'username']).where('id', 'in', ids).execute()
    : [];
}
export function credentialNames(db: DbOrTrx, ids: string[]) {
  return ids.length
    ? db.selectFrom('api_credential').select(['id', 'system_name', 'key_id']).where('id', 'in', ids).execute()
    : [];
}

/** The active credentials of a unit's information system (by the system's name), for binding to a grant. */
export async function activeCredentialIds(db: DbOrTrx, orgId: string, systemName?: string) {
  let q = db
    .selectFrom('api_credential')
    .select('id')
    .where('org_id', '=', orgId)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', new Date())]));
  if (systemName !== undefined) q = q.where('system_name', '=', systemName);
  return (await q.execute()).map((r) => r.id);
}
