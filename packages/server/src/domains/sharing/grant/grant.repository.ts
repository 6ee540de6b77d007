// SQL of grants and their daily usage (sharing's own tables).
import { sql, type Insertable, type RawBuilder, type Selectable, type Updateable } from 'kysely';
import type { DbOrTrx } from '../../../db/database.ts';
import type { ShareGrantTable } from '../../../db/schema.ts';

export type GrantRow = Selectable<ShareGrantTable>;

export async function insertGrant(db: DbOrTrx, row: Insertable<ShareGrantTable>) {
  await db.insertInto('share_grant').values(row).execute();
}

export function findGrant(db: DbOrTrx, id: string) {
  return db.selectFrom('share_grant').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findGrantOfApplication(db: DbOrTrx, applicationId: string) {
  return db.selectFrom('share_grant').selectAll().where('application_id', '=', applicationId).executeTakeFirst();
}

export async function updateGrant(db: DbOrTrx, id: string, set: Updateable<ShareGrantTable>) {
  await db.updateTable('share_grant').set(set).where('id', '=', id).execute();
}

export function listGrants(
  db: DbOrTrx,
  f: { orgId?: string | undefined; side?: 'consumer' | 'owner' | undefined; resourceId?: string | undefined },
) {
  let q = db.selectFrom('share_grant').selectAll();
  if (f.orgId)
    q =
      f.side === 'consumer'
        ? q.where('consumer_org_id', '=', f.orgId)
        : f.side === 'owner'
          ? q.where('owner_org_id', '=', f.orgId)
          : q.where((eb) => eb.or([eb('consumer_org_id', '=', f.orgId!), eb('owner_org_id', '=', f.orgId!)]));
  if (f.resourceId) q = q.where('resource_id', '=', f.resourceId);
  return q.orderBy('created_at', 'desc').execute();
}

/**
 * Calls and rows of a group of served calls added to each grant's day, as one statement to run alongside others
 * (a CTE of the group commit): returns each grant's rows of the day, every node's, as committed with these.
 */
export function addUsage(
  rows: { grantId: string; day: string; calls: number; rows: number; refused: number }[],
): RawBuilder<unknown> {
  const values = sql.join(rows.map((u) => sql`(${u.grantId}, ${u.day}, ${u.calls}, ${u.rows}, ${u.refused})`));
  return sql`
    INSERT INTO share_usage AS u (grant_id, day, calls, rows, refused) VALUES ${values}
    ON CONFLICT (grant_id, day) DO UPDATE SET calls = u.calls + excluded.calls, rows = u.rows + excluded.rows,
      refused = u.refused + excluded.refused
    RETURNING grant_id, to_char(day, 'YYYY-MM-DD') AS day, rows`;
}

/** A refused call, counted in its grant's day. */
export async function addRefused(db: DbOrTrx, grantId: string, day: string) {
  await addUsage([{ grantId, day, calls: 0, rows: 0, refused: 1 }]).execute(db);
}

export function usageOf(db: DbOrTrx, grantId: string, day: string) {
  return db
    .selectFrom('share_usage')
    .select(['calls', 'rows', 'refused'])
    .where('grant_id', '=', grantId)
    .where('day', '=', day)
    .executeTakeFirst();
}

export function usageSeries(db: DbOrTrx, grantIds: string[], from: string) {
  if (!grantIds.length) return Promise.resolve([]);
  return db
    .selectFrom('share_usage')
    .select(['grant_id', 'day', 'calls', 'rows', 'refused'])
    .where('grant_id', 'in', grantIds)
    .where('day', '>=', from)
    .orderBy('day')
    .execute();
}

/** What names some grants in records: their case's number. */
export function grantNumbers(db: DbOrTrx, ids: string[]) {
  if (!ids.length) return Promise.resolve([]);
  return db
    .selectFrom('share_grant')
    .innerJoin('share_application', 'share_application.id', 'share_grant.application_id')
    .select(['share_grant.id as id', 'share_application.no as no'])
    .where('share_grant.id', 'in', ids)
    .execute();
}

/** Daily use summed by day, resource, consumer and owner, between two days; a unit's own (as either party) or all. */
export function usageStats(db: DbOrTrx, f: { orgId?: string | undefined; from: string; to: string }) {
  let q = db
    .selectFrom('share_usage as u')
    .innerJoin('share_grant as g', 'g.id', 'u.grant_id')
    .select((eb) => [
      'u.day',
      'g.resource_id',
      'g.consumer_org_id',
      'g.owner_org_id',
      eb.fn.sum<string>('u.calls').as('calls'),
      eb.fn.sum<string>('u.rows').as('rows'),
      eb.fn.sum<string>('u.refused').as('refused'),
    ])
    .where('u.day', '>=', f.from)
    .where('u.day', '<=', f.to);
  if (f.orgId) {
    const org = f.orgId;
    q = q.where((eb) => eb.or([eb('g.consumer_org_id', '=', org), eb('g.owner_org_id', '=', org)]));
  }
  return q.groupBy(['u.day', 'g.resource_id', 'g.consumer_org_id', 'g.owner_org_id']).orderBy('u.day').execute();
}

/**
 * A grant as a data-service call needs it, in one statement: the grant, its resource's current version, the rows
 * it served today and its rate window's committed count (each call pays one round trip for all of them).
 */
export async function findGrantForCall(db: DbOrTrx, id: string, day: string, rateKey: string) {
  const r = await sql<
    Selectable<ShareGrantTable> & {
      resource_version: number;
      used_rows: number | string | null;
      rate_count: number | null;
      rate_ttl: number | null;
    }
  >`
    SELECT g.*, r.current_version AS resource_version, u.rows AS used_rows,
      CASE WHEN c.window_ends > now() THEN c.count END AS rate_count,
      CASE WHEN c.window_ends > now()
        THEN greatest(0, ceil(extract(epoch FROM (c.window_ends - now())) * 1000))::int END AS rate_ttl
    FROM share_grant g
    JOIN resource r ON r.id = g.resource_id
    LEFT JOIN share_usage u ON u.grant_id = g.id AND u.day = ${day}
    LEFT JOIN rate_limit_counter c ON c.key = ${rateKey}
    WHERE g.id = ${id}`.execute(db);
  return r.rows[0];
}

/** Active grants whose validity ends between two days (for the notice before expiry), with their case's number. */
export function listEnding(db: DbOrTrx, from: string, to: string) {
  return db
    .selectFrom('share_grant as g')
    .innerJoin('share_application as a', 'a.id', 'g.application_id')
    .select(['g.id', 'g.valid_until', 'g.consumer_org_id', 'g.owner_org_id', 'a.no'])
    .where('g.state', '=', 'active')
    .where('g.valid_until', '>=', from)
    .where('g.valid_until', '<=', to)
    .execute();
}
