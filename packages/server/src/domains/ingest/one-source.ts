// One data, one source (SPEC §16): an item that names an authoritative source (resource + item) must agree
// with it. The comparison joins each holder's table to the source's table on the source's key and lists
// the values that disagree, by resource and unit (the input of problem tickets).
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DataColumn } from '../../db/schema.ts';
import { actorName, hasRole, isCenter, type RequestContext } from '../../platform/context.ts';
import { errors } from '../../platform/errors.ts';
import { writeAudit } from '../audit/index.ts';
import { dataTable, ident } from './data-table.ts';

const PER_ITEM_LIMIT = 10_000;

interface Pair {
  holderId: string;
  holderOrg: string;
  holderTable: string;
  holderCols: DataColumn[];
  sourceId: string;
  sourceTable: string;
  sourceCols: DataColumn[];
  /** holder item → source item */
  map: Map<string, string>;
}

export interface CheckSummary {
  runId: string;
  pairs: { holder: string; source: string; compared: string[]; conflicts: number; skipped?: string }[];
  conflicts: number;
}

export class OneSourceService {
  constructor(private readonly db: Db) {}

  private async pairs(): Promise<{ pairs: Pair[]; skipped: CheckSummary['pairs'] }> {
    const refs = await this.db
      .selectFrom('resource as r')
      .innerJoin('resource_item as i', (j) =>
        j.onRef('i.resource_id', '=', 'r.id').onRef('i.version', '=', 'r.current_version'),
      )
      .innerJoin('resource as s', 's.code', 'i.source_resource_code')
      .select([
        'r.id as holder_id',
        'r.org_id as holder_org',
        'i.code as item',
        's.id as source_id',
        'i.source_item_code as source_item',
      ])
      .where('i.source_resource_code', 'is not', null)
      .whereRef('s.id', '<>', 'r.id')
      .execute();
    const tables = new Map(
      (await this.db.selectFrom('data_table').select(['resource_id', 'table_name', 'columns']).execute()).map((t) => [
        t.resource_id,
        t,
      ]),
    );
    const byPair = new Map<string, Pair>();
    const skipped: CheckSummary['pairs'] = [];
    for (const r of refs) {
      const k = `${r.holder_id}|${r.source_id}`;
      const h = tables.get(r.holder_id);
      const s = tables.get(r.source_id);
      if (!h || !s) {
        if (!byPair.has(k) && !skipped.some((x) => x.holder === r.holder_id && x.source === r.source_id))
          skipped.push({
            holder: r.holder_id,
            source: r.source_id,
            compared: [],
            conflicts: 0,
            skipped: 'no data table',
          });
        continue;
      }
      const p = byPair.get(k) ?? {
        holderId: r.holder_id,
        holderOrg: r.holder_org,
        holderTable: h.table_name,
        holderCols: h.columns as DataColumn[],
        sourceId: r.source_id,
        sourceTable: s.table_name,
        sourceCols: s.columns as DataColumn[],
        map: new Map(),
      };
      if (p.holderCols.some((c) => c.code === r.item) && p.sourceCols.some((c) => c.code === r.source_item))
        p.map.set(r.item, r.source_item!);
      byPair.set(k, p);
    }
    return { pairs: [...byPair.values()], skipped };
  }

  /** Runs the comparison over every holder–source pair; the conflicts of earlier runs stay for the record. */
  async check(ctx: RequestContext): Promise<CheckSummary> {
    if (ctx.actor && !hasRole(ctx.actor, 'center_admin', 'center_reviewer'))
      throw errors.forbidden('ingest.one_source.check');
    const runId = randomUUID();
    await this.db
      .insertInto('source_check_run')
      .values({ id: runId, actor_name: ctx.actor ? actorName(ctx.actor) : '定时比对 / scheduler' })
      .execute();
    const { pairs, skipped } = await this.pairs();
    const out: CheckSummary['pairs'] = [...skipped];
    let total = 0;
    for (const p of pairs) {
      const sourceKey = p.sourceCols.filter((c) => c.key).map((c) => c.code);
      const holderByTarget = new Map([...p.map].map(([h, s]) => [s, h]));
      if (!sourceKey.length || !sourceKey.every((k) => holderByTarget.has(k))) {
        out.push({
          holder: p.holderId,
          source: p.sourceId,
          compared: [],
          conflicts: 0,
          skipped: 'the holder does not map the source key',
        });
        continue;
      }
      const on = sourceKey.map((k) => `s.${ident(k)}::text = h.${ident(holderByTarget.get(k)!)}::text`).join(' AND ');
      const keyText =
        sourceKey.length === 1
          ? `h.${ident(holderByTarget.get(sourceKey[0]!)!)}::text`
          : `concat_ws('|', ${sourceKey.map((k) => `h.${ident(holderByTarget.get(k)!)}::text`).join(', ')})`;
      const compared: string[] = [];
      let n = 0;
      for (const [hItem, sItem] of p.map) {
        if (sourceKey.includes(sItem)) continue;
        const ht = p.holderCols.find((c) => c.code === hItem)!;
        const st = p.sourceCols.find((c) => c.code === sItem)!;
        const same = ht.dataType === st.dataType;
        const hv = same ? `h.${ident(hItem)}` : `h.${ident(hItem)}::text`;
        const sv = same ? `s.${ident(sItem)}` : `s.${ident(sItem)}::text`;
        compared.push(hItem);
        const res =
          await sql`${sql.raw('INSERT INTO source_conflict (run_id, resource_id, org_id, item_code, source_resource_id, source_item_code, key_value, value, source_value) SELECT ')}${runId}::uuid, ${p.holderId}::uuid, ${p.holderOrg}::uuid, ${hItem}, ${p.sourceId}::uuid, ${sItem}${sql.raw(`, ${keyText}, h.${ident(hItem)}::text, s.${ident(sItem)}::text FROM ${dataTable(p.holderTable)} h JOIN ${dataTable(p.sourceTable)} s ON ${on} WHERE h.${ident(hItem)} IS NOT NULL AND ${hv} IS DISTINCT FROM ${sv} LIMIT ${PER_ITEM_LIMIT}`)}`.execute(
            this.db,
          );
        n += Number(res.numAffectedRows ?? 0);
      }
      total += n;
      out.push({ holder: p.holderId, source: p.sourceId, compared, conflicts: n });
    }
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('source_check_run')
        .set({ finished_at: new Date(), pairs: pairs.length, conflicts: total })
        .where('id', '=', runId)
        .execute();
      await writeAudit(trx, ctx, {
        action: 'ingest.one_source.check',
        objectType: 'source_check_run',
        objectId: runId,
        diff: { pairs: pairs.length, conflicts: total },
      });
    });
    return { runId, pairs: out, conflicts: total };
  }

  /** The latest run's conflicts: counts by resource and unit, and the first rows; a unit sees those it holds or sources. */
  async latest(ctx: RequestContext, f: { resourceId?: string; limit: number; offset: number }) {
    const a = ctx.actor;
    if (!a) throw errors.unauthenticated();
    const run = await this.db
      .selectFrom('source_check_run')
      .selectAll()
      .where('finished_at', 'is not', null)
      .orderBy('started_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!run) return { run: null, byResource: [], conflicts: [], total: 0 };
    let q = this.db
      .selectFrom('source_conflict as c')
      .innerJoin('resource as r', 'r.id', 'c.resource_id')
      .innerJoin('resource_version as v', (j) =>
        j.onRef('v.resource_id', '=', 'r.id').onRef('v.version', '=', 'r.current_version'),
      )
      .innerJoin('organisation as o', 'o.id', 'c.org_id')
      .innerJoin('resource as s', 's.id', 'c.source_resource_id')
      .innerJoin('resource_version as sv', (j) =>
        j.onRef('sv.resource_id', '=', 's.id').onRef('sv.version', '=', 's.current_version'),
      )
      .innerJoin('organisation as so', 'so.id', 's.org_id')
      .where('c.run_id', '=', run.id);
    if (!isCenter(a)) q = q.where((eb) => eb.or([eb('c.org_id', '=', a.orgId), eb('s.org_id', '=', a.orgId)]));
    if (f.resourceId) q = q.where('c.resource_id', '=', f.resourceId);
    const byResource = await q
      .select((eb) => [
        'c.resource_id',
        'r.code',
        'v.name',
        'o.name as org_name',
        'c.item_code',
        'sv.name as source_name',
        'so.name as source_org_name',
        'c.source_item_code',
        eb.fn.countAll<number>().as('n'),
      ])
      .groupBy([
        'c.resource_id',
        'r.code',
        'v.name',
        'o.name',
        'c.item_code',
        'sv.name',
        'so.name',
        'c.source_item_code',
      ])
      .orderBy('n', 'desc')
      .execute();
    const rows = await q
      .select([
        'c.id',
        'c.resource_id',
        'v.name',
        'o.name as org_name',
        'c.item_code',
        'c.key_value',
        'c.value',
        'c.source_value',
        'sv.name as source_name',
        'c.source_item_code',
      ])
      .orderBy('c.id')
      .limit(f.limit)
      .offset(f.offset)
      .execute();
    return {
      run: {
        id: run.id,
        startedAt: run.started_at.toISOString(),
        finishedAt: run.finished_at?.toISOString() ?? null,
        pairs: run.pairs,
        conflicts: run.conflicts,
        actorName: run.actor_name,
      },
      byResource: byResource.map((b) => ({
        resourceId: b.resource_id,
        code: b.code,
        name: b.name,
        orgName: b.org_name,
        itemCode: b.item_code,
        sourceName: b.source_name,
        sourceOrgName: b.source_org_name,
        sourceItemCode: b.source_item_code,
        conflicts: Number(b.n),
      })),
      conflicts: rows.map((r) => ({
        id: r.id,
        resourceId: r.resource_id,
        name: r.name,
        orgName: r.org_name,
        itemCode: r.item_code,
        keyValue: r.key_value,
        value: r.value,
        sourceValue: r.source_value,
        sourceName: r.source_name,
        sourceItemCode: r.source_item_code,
      })),
      total: byResource.reduce((s, b) => s + Number(b.n), 0),
    };
  }
}
