// Quality rules and their runs (quality_rule, quality_run), and the daily scores (quality_score).
import { sql, type Insertable, type Updateable } from 'kysely';
import type { DbOrTrx } from '../../../db/database.ts';
import type { QualityDimension, QualityRuleTable, QualityRunTable } from '../../../db/schema.ts';

export type RuleRow = Awaited<ReturnType<typeof findRule>> & {};

export function findRule(db: DbOrTrx, id: string) {
  return db.selectFrom('quality_rule').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listRules(
  db: DbOrTrx,
  f: { resourceId?: string | undefined; orgId?: string | undefined; kind?: string | undefined; active?: boolean },
) {
  let q = db.selectFrom('quality_rule').selectAll();
  if (f.resourceId) q = q.where('resource_id', '=', f.resourceId);
  if (f.orgId) q = q.where('org_id', '=', f.orgId);
  if (f.kind) q = q.where('kind', '=', f.kind as never);
  if (f.active !== undefined) q = q.where('active', '=', f.active);
  return q.orderBy('created_at').orderBy('id').execute();
}

/** Resources that have at least one active rule (the schedule runs them). */
export async function resourcesWithRules(db: DbOrTrx): Promise<string[]> {
  const rows = await db
    .selectFrom('quality_rule')
    .select('resource_id')
    .distinct()
    .where('active', '=', true)
    .execute();
  return rows.map((r) => r.resource_id);
}

export async function insertRule(db: DbOrTrx, row: Insertable<QualityRuleTable>) {
  await db.insertInto('quality_rule').values(row).execute();
}

export async function updateRule(db: DbOrTrx, id: string, set: Updateable<QualityRuleTable>) {
  await db
    .updateTable('quality_rule')
    .set({ ...set, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function insertRuns(db: DbOrTrx, rows: Insertable<QualityRunTable>[]) {
  if (rows.length) await db.insertInto('quality_run').values(rows).execute();
}

export function listRuns(
  db: DbOrTrx,
  f: { ruleId?: string | undefined; resourceId?: string | undefined; limit: number; offset: number },
) {
  let q = db.selectFrom('quality_run').selectAll();
  if (f.ruleId) q = q.where('rule_id', '=', f.ruleId);
  if (f.resourceId) q = q.where('resource_id', '=', f.resourceId);
  return q.orderBy('started_at', 'desc').orderBy('id').limit(f.limit).offset(f.offset).execute();
}

export async function countRuns(db: DbOrTrx, f: { ruleId?: string | undefined; resourceId?: string | undefined }) {
  let q = db.selectFrom('quality_run').select((eb) => eb.fn.countAll<number>().as('n'));
  if (f.ruleId) q = q.where('rule_id', '=', f.ruleId);
  if (f.resourceId) q = q.where('resource_id', '=', f.resourceId);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/** The latest run of each of the given rules. */
export function latestRuns(db: DbOrTrx, ruleIds: string[]) {
  if (!ruleIds.length) return Promise.resolve([]);
  return db
    .selectFrom('quality_run')
    .selectAll()
    .distinctOn('rule_id')
    .where('rule_id', 'in', ruleIds)
    .orderBy('rule_id')
    .orderBy('started_at', 'desc')
    .orderBy('id')
    .execute();
}

/** A resource's scores of a day, replaced whole (the day's last run of its rules decides). */
export async function putScores(
  db: DbOrTrx,
  s: { day: string; resourceId: string; orgId: string; policyVersion: number },
  scores: { dimension: QualityDimension | 'overall'; score: number }[],
) {
  await db.deleteFrom('quality_score').where('resource_id', '=', s.resourceId).where('day', '=', s.day).execute();
  if (scores.length)
    await db
      .insertInto('quality_score')
      .values(
        scores.map((x) => ({
          day: s.day,
          resource_id: s.resourceId,
          org_id: s.orgId,
          dimension: x.dimension,
          score: x.score,
          policy_version: s.policyVersion,
        })),
      )
      .execute();
}

/** Each resource's scores on its latest scored day. */
export function latestScores(db: DbOrTrx, f: { orgId?: string | undefined; resourceId?: string | undefined }) {
  let q = db
    .selectFrom('quality_score as s')
    .innerJoin(
      (eb) =>
        eb
          .selectFrom('quality_score')
          .select(['resource_id', (e) => e.fn.max('day').as('day')])
          .groupBy('resource_id')
          .as('l'),
      (j) => j.onRef('l.resource_id', '=', 's.resource_id').onRef('l.day', '=', 's.day'),
    )
    .select(['s.resource_id', 's.org_id', 's.day', 's.dimension', 's.score', 's.policy_version']);
  if (f.orgId) q = q.where('s.org_id', '=', f.orgId);
  if (f.resourceId) q = q.where('s.resource_id', '=', f.resourceId);
  return q.execute();
}

/**
 * The daily trend of overall scores since a day, for one resource, one unit, or the district: each day's mean over
 * the resources scored on or before it (a resource keeps its last score until it is scored again).
 */
export async function trend(
  db: DbOrTrx,
  f: { since: string; until: string; orgId?: string | undefined; resourceId?: string | undefined },
) {
  const where = [
    sql`s.dimension = 'overall'`,
    ...(f.orgId ? [sql`s.org_id = ${f.orgId}::uuid`] : []),
    ...(f.resourceId ? [sql`s.resource_id = ${f.resourceId}::uuid`] : []),
  ];
  const r = await sql<{ day: string; score: string; resources: number }>`
    SELECT d.day::date::text AS day, round(avg(last.score), 2) AS score, count(*)::int AS resources
    FROM generate_series(${f.since}::date, ${f.until}::date, interval '1 day') AS d(day)
    CROSS JOIN LATERAL (
      SELECT DISTINCT ON (s.resource_id) s.score FROM quality_score s
      WHERE ${sql.join(where, sql` AND `)} AND s.day <= d.day::date
      ORDER BY s.resource_id, s.day DESC
    ) last
    GROUP BY d.day ORDER BY d.day`.execute(db);
  return r.rows.map((x) => ({ day: x.day, score: Number(x.score), resources: x.resources }));
}

/** What the rules' row checks judged at their last runs (quality_carry), by rule. */
export async function carries(db: DbOrTrx, ruleIds: string[]) {
  if (!ruleIds.length) return new Map<string, Carry>();
  const rows = await db.selectFrom('quality_carry').selectAll().where('rule_id', 'in', ruleIds).execute();
  return new Map(
    rows.map((r) => [
      r.rule_id,
      {
        basis: r.basis,
        through: r.through === null ? null : Number(r.through),
        checked: Number(r.checked),
        failing: Number(r.failing),
        sample: r.sample,
      },
    ]),
  );
}

export interface Carry {
  basis: string;
  /** the change_seq of the last batch whose rows were judged (batches commit in that order, per resource) */
  through: number | null;
  checked: number;
  failing: number;
  sample: string[];
}

export async function saveCarries(db: DbOrTrx, rows: (Carry & { ruleId: string })[]) {
  for (const r of rows)
    await db
      .insertInto('quality_carry')
      .values({
        rule_id: r.ruleId,
        basis: r.basis,
        through: r.through,
        checked: r.checked,
        failing: r.failing,
        sample: r.sample,
      })
      .onConflict((oc) =>
        oc.column('rule_id').doUpdateSet((eb) => ({
          basis: eb.ref('excluded.basis'),
          through: eb.ref('excluded.through'),
          checked: eb.ref('excluded.checked'),
          failing: eb.ref('excluded.failing'),
          sample: eb.ref('excluded.sample'),
          updated_at: sql`now()`,
        })),
      )
      .execute();
}
