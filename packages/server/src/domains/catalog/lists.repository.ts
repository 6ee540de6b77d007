// SQL for the lists (responsibility, non-share, demands) and information-system plans.
import { sql, type Insertable, type Updateable } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import type { DemandTable, SystemPlanTable, TopicProjectTable } from '../../db/schema.ts';

export function responsibility(db: DbOrTrx, orgId?: string) {
  let q = db
    .selectFrom('resource as r')
    .innerJoin('resource_version as v', (j) =>
      j.onRef('v.resource_id', '=', 'r.id').onRef('v.version', '=', 'r.current_version'),
    )
    .innerJoin('organisation as o', 'o.id', 'r.org_id')
    .select([
      'r.id',
      'r.code',
      'v.name',
      'r.org_id',
      'o.name as org_name',
      'v.responsible_person',
      'v.responsible_phone',
      'v.update_cycle',
      'v.share_type',
      'v.reviewed_at',
    ]);
  if (orgId) q = q.where('r.org_id', '=', orgId);
  return q.orderBy('o.code').orderBy('r.code').execute();
}

/** Resources not shared, and items not shared within otherwise shared resources, with their basis. */
export async function nonShare(db: DbOrTrx) {
  const r = await sql<{
    id: string;
    code: string;
    name: string;
    org_name: string;
    item_code: string | null;
    item_name: string | null;
    reason: string | null;
    basis: string | null;
  }>`
    SELECT r.id, r.code, v.name, o.name AS org_name, NULL AS item_code, NULL AS item_name, v.share_condition AS reason, v.share_basis AS basis
    FROM resource r JOIN resource_version v ON v.resource_id = r.id AND v.version = r.current_version JOIN organisation o ON o.id = r.org_id
    WHERE v.share_type = 'none'
    UNION ALL
    SELECT r.id, r.code, v.name, o.name, i.code, i.name, i.share_condition, i.share_basis
    FROM resource r JOIN resource_version v ON v.resource_id = r.id AND v.version = r.current_version JOIN organisation o ON o.id = r.org_id
    JOIN resource_item i ON i.resource_id = r.id AND i.version = v.version
    WHERE i.share_type = 'none' AND v.share_type <> 'none'
    ORDER BY 4, 2, 5 NULLS FIRST`.execute(db);
  return r.rows;
}

export function listDemands(db: DbOrTrx, orgId?: string) {
  let q = db
    .selectFrom('demand as d')
    .innerJoin('organisation as o', 'o.id', 'd.org_id')
    .leftJoin('organisation as h', 'h.id', 'd.holder_org_id')
    .leftJoin('topic_project as p', 'p.id', 'd.project_id')
    .selectAll('d')
    .select(['o.name as org_name', 'h.name as holder_name', 'p.name as project_name']);
  if (orgId) q = q.where('d.org_id', '=', orgId);
  return q.orderBy('d.created_at', 'desc').execute();
}
export function findDemand(db: DbOrTrx, id: string) {
  return db.selectFrom('demand').selectAll().where('id', '=', id).executeTakeFirst();
}
export async function insertDemand(db: DbOrTrx, row: Insertable<DemandTable>) {
  return db.insertInto('demand').values(row).returningAll().executeTakeFirstOrThrow();
}
export async function updateDemand(db: DbOrTrx, id: string, patch: Updateable<DemandTable>) {
  await db.updateTable('demand').set(patch).where('id', '=', id).execute();
}
export async function insertProject(db: DbOrTrx, row: Insertable<TopicProjectTable>) {
  return db.insertInto('topic_project').values(row).returningAll().executeTakeFirstOrThrow();
}
export function listProjects(db: DbOrTrx) {
  return db
    .selectFrom('topic_project as p')
    .innerJoin('organisation as o', 'o.id', 'p.lead_org_id')
    .selectAll('p')
    .select('o.name as lead_name')
    .orderBy('p.created_at', 'desc')
    .execute();
}
export async function existingResources(db: DbOrTrx, ids: string[]) {
  if (!ids.length) return [];
  return db.selectFrom('resource').select(['id', 'current_version']).where('id', 'in', ids).execute();
}
export async function existingOrgs(db: DbOrTrx, ids: string[]) {
  if (!ids.length) return [];
  return db.selectFrom('organisation').select('id').where('id', 'in', ids).execute();
}

export function listPlans(db: DbOrTrx, orgId?: string) {
  let q = db
    .selectFrom('system_plan as s')
    .innerJoin('organisation as o', 'o.id', 's.org_id')
    .selectAll('s')
    .select('o.name as org_name');
  if (orgId) q = q.where('s.org_id', '=', orgId);
  return q.orderBy('s.updated_at', 'desc').execute();
}
export function findPlan(db: DbOrTrx, id: string) {
  return db.selectFrom('system_plan').selectAll().where('id', '=', id).executeTakeFirst();
}
export async function insertPlan(db: DbOrTrx, row: Insertable<SystemPlanTable>) {
  return db.insertInto('system_plan').values(row).returningAll().executeTakeFirstOrThrow();
}
export async function updatePlan(db: DbOrTrx, id: string, patch: Updateable<SystemPlanTable>) {
  await db
    .updateTable('system_plan')
    .set({ ...patch, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

// ---------------------------------------------------------------- labels (records that name these objects)
export function demandTitles(db: DbOrTrx, ids: string[]) {
  return ids.length
    ? db.selectFrom('demand').select(['id', 'title']).where('id', 'in', ids).execute()
    : Promise.resolve([]);
}
export function planNames(db: DbOrTrx, ids: string[]) {
  return ids.length
    ? db.selectFrom('system_plan').select(['id', 'name']).where('id', 'in', ids).execute()
    : Promise.resolve([]);
}
