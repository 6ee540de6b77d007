// One data, one source (SPEC §16): an item that names an authoritative source (resource + item) must agree
// with it. The comparison joins each holder's table to the source's table on the source's key and lists
// the values that disagree, by resource and unit (the input of problem tickets).
import { randomUUID } from 'node:crypto';
import type { Db } from '../../../db/database.ts';
import type { DataColumn } from '../../../db/schema.ts';
import { actorName, type RequestContext } from '../../../platform/context.ts';
import { errors } from '../../../platform/errors.ts';
import { writeAudit } from '../../audit/index.ts';
import { listSourceReferences, resourceIdsOfOrg, resourceLabels } from '../../catalog/index.ts';
import { listDataTables } from '../ingest.repository.ts';
import { authorizeUnlessScheduled, unitScope } from '../ingest.policy.ts';
import * as repo from './one-source.repository.ts';

const PER_ITEM_LIMIT = 10_000;

/** A holder resource and the source resource some of its items name, with both tables. */
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

  /** Every holder–source pair with both tables; the pairs without one are listed as skipped. */
  private async pairs(): Promise<{ pairs: Pair[]; skipped: CheckSummary['pairs'] }> {
    const [refs, registered] = await Promise.all([listSourceReferences(this.db), listDataTables(this.db)]);
    const tables = new Map(registered.map((t) => [t.resource_id, t]));
    const byPair = new Map<string, Pair>();
    const skipped: CheckSummary['pairs'] = [];
    for (const r of refs) {
      const pairKey = `${r.holderId}|${r.sourceId}`;
      const holderTable = tables.get(r.holderId);
      const sourceTable = tables.get(r.sourceId);
      if (!holderTable || !sourceTable) {
        if (!byPair.has(pairKey) && !skipped.some((x) => x.holder === r.holderId && x.source === r.sourceId))
          skipped.push({
            holder: r.holderId,
            source: r.sourceId,
            compared: [],
            conflicts: 0,
            skipped: 'no data table',
          });
        continue;
      }
      const pair = byPair.get(pairKey) ?? {
        holderId: r.holderId,
        holderOrg: r.holderOrg,
        holderTable: holderTable.table_name,
        holderCols: holderTable.columns as DataColumn[],
        sourceId: r.sourceId,
        sourceTable: sourceTable.table_name,
        sourceCols: sourceTable.columns as DataColumn[],
        map: new Map(),
      };
      if (pair.holderCols.some((c) => c.code === r.item) && pair.sourceCols.some((c) => c.code === r.sourceItem))
        pair.map.set(r.item, r.sourceItem!);
      byPair.set(pairKey, pair);
    }
    return { pairs: [...byPair.values()], skipped };
  }

  /** Compares every mapped item of one pair; null when the holder does not carry the source's whole key. */
  private async comparePair(runId: string, p: Pair): Promise<{ compared: string[]; conflicts: number } | null> {
    const sourceKey = p.sourceCols.filter((c) => c.key).map((c) => c.code);
    const holderByTarget = new Map([...p.map].map(([holder, source]) => [source, holder]));
    if (!sourceKey.length || !sourceKey.every((k) => holderByTarget.has(k))) return null;
    const keys = sourceKey.map((k): [string, string] => [k, holderByTarget.get(k)!]);
    const compared: string[] = [];
    let conflicts = 0;
    for (const [holderItem, sourceItem] of p.map) {
      if (sourceKey.includes(sourceItem)) continue;
      const holderType = p.holderCols.find((c) => c.code === holderItem)!.dataType;
      const sourceType = p.sourceCols.find((c) => c.code === sourceItem)!.dataType;
      compared.push(holderItem);
      conflicts += await repo.recordConflicts(this.db, {
        runId,
        holderId: p.holderId,
        holderOrg: p.holderOrg,
        holderTable: p.holderTable,
        holderItem,
        sourceId: p.sourceId,
        sourceTable: p.sourceTable,
        sourceItem,
        keys,
        sameType: holderType === sourceType,
        limit: PER_ITEM_LIMIT,
      });
    }
    return { compared, conflicts };
  }

  /** Runs the comparison over every holder–source pair; the conflicts of earlier runs stay for the record. */
  async check(ctx: RequestContext): Promise<CheckSummary> {
    authorizeUnlessScheduled(ctx.actor, 'ingest.one_source.check');
    const runId = randomUUID();
    await repo.insertRun(this.db, runId, ctx.actor ? actorName(ctx.actor) : '定时比对 / scheduler');
    const { pairs, skipped } = await this.pairs();
    const out: CheckSummary['pairs'] = [...skipped];
    let total = 0;
    for (const p of pairs) {
      const r = await this.comparePair(runId, p);
      if (!r) {
        out.push({
          holder: p.holderId,
          source: p.sourceId,
          compared: [],
          conflicts: 0,
          skipped: 'the holder does not map the source key',
        });
        continue;
      }
      total += r.conflicts;
      out.push({ holder: p.holderId, source: p.sourceId, ...r });
    }
    await this.db.transaction().execute(async (trx) => {
      await repo.finishRun(trx, runId, { pairs: pairs.length, conflicts: total });
      await writeAudit(trx, ctx, {
        action: 'ingest.one_source.check',
        objectType: 'source_check_run',
        objectId: runId,
        diff: { pairs: pairs.length, conflicts: total },
      });
    });
    return { runId, pairs: out, conflicts: total };
  }

  /**
   * What the latest finished comparison found of one holder resource: the rows (keys) whose values disagree with
   * their source, and the first keys; null before any comparison has run (no access check: quality's rule).
   */
  async conflictsOf(resourceId: string): Promise<{ runAt: Date; keys: number; sample: string[] } | null> {
    const run = await repo.latestFinishedRun(this.db);
    if (!run) return null;
    const r = await repo.conflictKeysOf(this.db, run.id, resourceId);
    return { runAt: run.started_at, ...r };
  }

  /** The latest run's conflicts: counts by resource and unit, and the first rows; a unit sees those it holds or sources. */
  async latest(ctx: RequestContext, f: { resourceId?: string; limit: number; offset: number }) {
    const a = ctx.actor;
    if (!a) throw errors.unauthenticated();
    const run = await repo.latestFinishedRun(this.db);
    if (!run) return { run: null, byResource: [], conflicts: [], total: 0 };
    const scope: repo.ConflictScope = {
      runId: run.id,
      resourceId: f.resourceId,
      unit: unitScope(a) ? { orgId: a.orgId, resourceIds: await resourceIdsOfOrg(this.db, a.orgId) } : undefined,
    };
    const [counts, rows] = await Promise.all([
      repo.countConflicts(this.db, scope),
      repo.listConflicts(this.db, scope, f),
    ]);
    const labels = await resourceLabels(this.db, [
      ...counts.flatMap((c) => [c.resource_id, c.source_resource_id]),
      ...rows.flatMap((r) => [r.resource_id, r.source_resource_id]),
    ]);
    // a conflict names two approved resources; one that has none current any more is left out, as before
    const named = <T extends { resource_id: string; source_resource_id: string }>(list: T[]) =>
      list.flatMap((x) => {
        const holder = labels.get(x.resource_id);
        const source = labels.get(x.source_resource_id);
        return holder && source ? [{ ...x, holder, source }] : [];
      });
    const byResource = named(counts).map((b) => ({
      resourceId: b.resource_id,
      code: b.holder.code,
      name: b.holder.name,
      orgName: b.holder.orgName,
      itemCode: b.item_code,
      sourceName: b.source.name,
      sourceOrgName: b.source.orgName,
      sourceItemCode: b.source_item_code,
      conflicts: Number(b.n),
    }));
    return {
      run: {
        id: run.id,
        startedAt: run.started_at.toISOString(),
        finishedAt: run.finished_at?.toISOString() ?? null,
        pairs: run.pairs,
        conflicts: run.conflicts,
        actorName: run.actor_name,
      },
      byResource,
      conflicts: named(rows).map((r) => ({
        id: r.id,
        resourceId: r.resource_id,
        name: r.holder.name,
        orgName: r.holder.orgName,
        itemCode: r.item_code,
        keyValue: r.key_value,
        value: r.value,
        sourceValue: r.source_value,
        sourceName: r.source.name,
        sourceItemCode: r.source_item_code,
      })),
      total: byResource.reduce((s, b) => s + b.conflicts, 0),
    };
  }
}
