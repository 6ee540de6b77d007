// The one-data-one-source comparison's tables: its runs (source_check_run) and the values found to disagree
// (source_conflict), and the statement that compares one holder item with its source item.
import { sql } from 'kysely';
import type { DbOrTrx } from '../../../db/database.ts';
import { dataTable, ident } from '../table/table.ts';

export async function insertRun(db: DbOrTrx, id: string, actorName: string | null) {
  await db.insertInto('source_check_run').values({ id, actor_name: actorName }).execute();
}

export async function finishRun(db: DbOrTrx, id: string, r: { pairs: number; conflicts: number }) {
  await db
    .updateTable('source_check_run')
    .set({ finished_at: new Date(), pairs: r.pairs, conflicts: r.conflicts })
    .where('id', '=', id)
    .execute();
}

export function latestFinishedRun(db: DbOrTrx) {
  return db
    .selectFrom('source_check_run')
    .selectAll()
    .where('finished_at', 'is not', null)
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** One holder item against its source item, joined on the source's key (mapped to the holder's items). */
export interface Comparison {
  runId: string;
  holderId: string;
  holderOrg: string;
  holderTable: string;
  holderItem: string;
  sourceId: string;
  sourceTable: string;
  sourceItem: string;
  /** source key item → the holder item that carries it */
  keys: [sourceKey: string, holderItem: string][];
  /** Both items have the same type: compared as values; else as text. */
  sameType: boolean;
  limit: number;
}

/** Records each holder row whose value differs from the source's (at most `limit`); returns how many. */
export async function recordConflicts(db: DbOrTrx, c: Comparison): Promise<number> {
  const on = c.keys.map(([s, h]) => `s.${ident(s)}::text = h.${ident(h)}::text`).join(' AND ');
  const keyText =
    c.keys.length === 1
      ? `h.${ident(c.keys[0]![1])}::text`
      : `concat_ws('|', ${c.keys.map(([, h]) => `h.${ident(h)}::text`).join(', ')})`;
  const holderValue = `h.${ident(c.holderItem)}`;
  const sourceValue = `s.${ident(c.sourceItem)}`;
  const [hv, sv] = c.sameType ? [holderValue, sourceValue] : [`${holderValue}::text`, `${sourceValue}::text`];
  const res = await sql`
    INSERT INTO source_conflict
      (run_id, resource_id, org_id, item_code, source_resource_id, source_item_code, key_value, value, source_value)
    SELECT ${c.runId}::uuid, ${c.holderId}::uuid, ${c.holderOrg}::uuid, ${c.holderItem}, ${c.sourceId}::uuid,
      ${c.sourceItem}, ${sql.raw(keyText)}, ${sql.raw(holderValue)}::text, ${sql.raw(sourceValue)}::text
    FROM ${sql.raw(dataTable(c.holderTable))} h JOIN ${sql.raw(dataTable(c.sourceTable))} s ON ${sql.raw(on)}
    WHERE ${sql.raw(holderValue)} IS NOT NULL AND ${sql.raw(hv)} IS DISTINCT FROM ${sql.raw(sv)}
    LIMIT ${c.limit}`.execute(db);
  return Number(res.numAffectedRows ?? 0);
}

/** A run's conflicts as a list shows them: of one resource, or seen by one unit (those it holds or sources). */
export interface ConflictScope {
  runId: string;
  resourceId?: string | undefined;
  /** The unit's id and the ids of its resources; none: every conflict (the Center). */
  unit?: { orgId: string; resourceIds: string[] } | undefined;
}

function conflicts(db: DbOrTrx, f: ConflictScope) {
  let q = db.selectFrom('source_conflict as c').where('c.run_id', '=', f.runId);
  const unit = f.unit;
  if (unit)
    q = q.where((eb) =>
      unit.resourceIds.length
        ? eb.or([eb('c.org_id', '=', unit.orgId), eb('c.source_resource_id', 'in', unit.resourceIds)])
        : eb('c.org_id', '=', unit.orgId),
    );
  if (f.resourceId) q = q.where('c.resource_id', '=', f.resourceId);
  return q;
}

/** Conflicts counted by holder item and source item, the most first. */
export function countConflicts(db: DbOrTrx, f: ConflictScope) {
  return conflicts(db, f)
    .select((eb) => [
      'c.resource_id',
      'c.item_code',
      'c.source_resource_id',
      'c.source_item_code',
      eb.fn.countAll<number>().as('n'),
    ])
    .groupBy(['c.resource_id', 'c.item_code', 'c.source_resource_id', 'c.source_item_code'])
    .orderBy('n', 'desc')
    .execute();
}

export function listConflicts(db: DbOrTrx, f: ConflictScope, page: { limit: number; offset: number }) {
  return conflicts(db, f)
    .select([
      'c.id',
      'c.resource_id',
      'c.item_code',
      'c.key_value',
      'c.value',
      'c.source_value',
      'c.source_resource_id',
      'c.source_item_code',
    ])
    .orderBy('c.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

/** The holder rows (by key) that disagree with their source in a run, and the first of their keys. */
export async function conflictKeysOf(db: DbOrTrx, runId: string, resourceId: string) {
  const r = await db
    .selectFrom('source_conflict')
    .select([
      sql<number>`count(DISTINCT key_value)`.as('keys'),
      sql<string[] | null>`(array_agg(DISTINCT key_value ORDER BY key_value))[1:20]`.as('sample'),
    ])
    .where('run_id', '=', runId)
    .where('resource_id', '=', resourceId)
    .executeTakeFirst();
  return { keys: Number(r?.keys ?? 0), sample: r?.sample ?? [] };
}
