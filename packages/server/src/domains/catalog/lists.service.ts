// The three lists of the regulation (§11-14) and the information-system plan review (§7).
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/database.ts';
import type { RequestContext } from '../../platform/context.ts';
import { AppError, errors } from '../../platform/errors.ts';
import { listToXlsx } from '../../platform/xlsx.ts';
import { writeAudit } from '../audit/index.ts';
import * as repo from './lists.repository.ts';
import { authorizeCaseFiling, authorizeCaseRead, authorizeCaseReview, caseListScope } from './catalog.policy.ts';
import * as catalogRepo from './catalog.repository.ts';

const wrongState = (zh: string, en: string) => new AppError(409, 'catalog.wrong_state', zh, en);
const uid = (ctx: RequestContext) => (ctx.actor?.kind === 'user' ? ctx.actor.userId : null);

const mayRead = (ctx: RequestContext, orgId: string) => authorizeCaseRead(ctx.actor, orgId);
const mayReview = (ctx: RequestContext) => authorizeCaseReview(ctx.actor);
const mayFile = (ctx: RequestContext) => authorizeCaseFiling(ctx.actor);

export const AGGREGATION_NOT_STARTED = 'not_aggregated' as const;
export const AGGREGATED = 'aggregated' as const;

/** What aggregation knows of a resource's data table (the ingest domain answers; the app wires it in). */
export type LoadsOf = (resourceIds: string[]) => Promise<Map<string, { rowCount: number; lastLoadAt: Date | null }>>;

export class ListsService {
  constructor(
    private readonly db: Db,
    private readonly loadsOf: LoadsOf,
  ) {}

  // ------------------------------------------------------------ responsibility list (§13)
  async responsibility(ctx: RequestContext, orgId?: string) {
    if (!ctx.actor) throw errors.unauthenticated();
    const rows = await repo.responsibility(this.db, orgId);
    const loads = await this.loadsOf(rows.map((r) => r.id));
    return rows.map((r) => ({
      id: r.id,
      code: r.code,
      name: r.name,
      orgId: r.org_id,
      orgName: r.org_name,
      responsiblePerson: r.responsible_person,
      responsiblePhone: r.responsible_phone,
      updateCycle: r.update_cycle,
      shareType: r.share_type,
      approvedAt: r.reviewed_at?.toISOString() ?? null,
      // from the resource's data table (ingest): aggregated once a batch has loaded
      aggregationStatus: loads.get(r.id)?.lastLoadAt ? AGGREGATED : AGGREGATION_NOT_STARTED,
      rowCount: loads.get(r.id)?.rowCount ?? null,
      lastLoadAt: loads.get(r.id)?.lastLoadAt?.toISOString() ?? null,
    }));
  }

  async responsibilityXlsx(ctx: RequestContext, orgId: string | undefined, cycleName: (c: string) => string) {
    const rows = await this.responsibility(ctx, orgId);
    await this.db.transaction().execute((trx) =>
      writeAudit(trx, ctx, {
        action: 'catalog.list.export',
        objectType: 'list',
        objectId: 'responsibility',
        diff: { orgId: orgId ?? null, rows: rows.length },
      }),
    );
    return listToXlsx(
      '数据责任清单',
      [
        { header: '资源代码', key: 'code' },
        { header: '资源名称', key: 'name', width: 28 },
        { header: '数据责任单位', key: 'orgName', width: 26 },
        { header: '责任人', key: 'responsiblePerson' },
        { header: '联系电话', key: 'responsiblePhone' },
        { header: '更新周期', key: 'cycle' },
        { header: '归集状态', key: 'status' },
        { header: '数据量（行）', key: 'rowCount' },
        { header: '最近归集时间', key: 'lastLoadAt' },
      ],
      rows.map((r) => ({
        ...r,
        cycle: cycleName(r.updateCycle),
        status: r.aggregationStatus === AGGREGATION_NOT_STARTED ? '未归集' : '已归集',
      })),
    );
  }

  // ------------------------------------------------------------ non-share list (§14)
  async nonShare(ctx: RequestContext) {
    if (!ctx.actor) throw errors.unauthenticated();
    return (await repo.nonShare(this.db)).map((r) => ({
      id: r.id,
      code: r.code,
      name: r.name,
      orgName: r.org_name,
      itemCode: r.item_code,
      itemName: r.item_name,
      reason: r.reason,
      basis: r.basis,
    }));
  }

  async nonShareXlsx(ctx: RequestContext) {
    const rows = await this.nonShare(ctx);
    await this.db.transaction().execute((trx) =>
      writeAudit(trx, ctx, {
        action: 'catalog.list.export',
        objectType: 'list',
        objectId: 'non_share',
        diff: { rows: rows.length },
      }),
    );
    return listToXlsx(
      '不予共享数据清单',
      [
        { header: '资源代码', key: 'code' },
        { header: '资源名称', key: 'name', width: 26 },
        { header: '数据责任单位', key: 'orgName', width: 26 },
        { header: '不予共享范围', key: 'scope', width: 22 },
        { header: '理由', key: 'reason', width: 30 },
        { header: '法律法规依据', key: 'basis', width: 36 },
      ],
      rows.map((r) => ({ ...r, scope: r.itemName ? `信息项：${r.itemName}（${r.itemCode}）` : '整个资源' })),
    );
  }

  // ------------------------------------------------------------ demand list (§11-12)
  private present(d: Awaited<ReturnType<typeof repo.listDemands>>[number]) {
    return {
      id: d.id,
      orgId: d.org_id,
      orgName: d.org_name,
      title: d.title,
      dataNeeded: d.data_needed,
      purpose: d.purpose,
      legalBasis: d.legal_basis,
      holderOrgId: d.holder_org_id,
      holderName: d.holder_name,
      status: d.status,
      reviewComment: d.review_comment,
      matchedResourceIds: d.matched_resource_ids,
      projectId: d.project_id,
      projectName: d.project_name,
      createdAt: d.created_at.toISOString(),
      reviewedAt: d.reviewed_at?.toISOString() ?? null,
    };
  }

  async demands(ctx: RequestContext) {
    if (!ctx.actor) throw errors.unauthenticated();
    const rows = await repo.listDemands(this.db, caseListScope(ctx.actor));
    return rows.map((d) => this.present(d));
  }

  async fileDemand(
    ctx: RequestContext,
    body: { title: string; dataNeeded: string; purpose: string; legalBasis: string; holderOrgId?: string | null },
  ) {
    mayFile(ctx);
    if (body.holderOrgId && !(await repo.existingOrgs(this.db, [body.holderOrgId])).length)
      throw errors.field('holderOrgId', '单位不存在', 'no such organisation');
    return this.db.transaction().execute(async (trx) => {
      const d = await repo.insertDemand(trx, {
        id: randomUUID(),
        org_id: ctx.actor!.orgId,
        title: body.title,
        data_needed: body.dataNeeded,
        purpose: body.purpose,
        legal_basis: body.legalBasis,
        holder_org_id: body.holderOrgId ?? null,
        status: 'submitted',
        created_by: uid(ctx),
      });
      await writeAudit(trx, ctx, {
        action: 'demand.file',
        objectType: 'demand',
        objectId: d.id,
        diff: { title: [null, d.title] },
      });
      return d.id;
    });
  }

  async reviewDemand(
    ctx: RequestContext,
    id: string,
    body: {
      outcome: 'matched' | 'topic' | 'rejected';
      comment?: string;
      resourceIds?: string[];
      project?: {
        name: string;
        kind: 'topic' | 'special';
        description?: string;
        memberOrgIds?: string[];
        targetResourceIds?: string[];
      };
    },
  ) {
    mayReview(ctx);
    const d = await repo.findDemand(this.db, id);
    if (!d) throw errors.notFound('demand', id);
    if (d.status !== 'submitted') throw wrongState('该需求已审核', 'This demand has already been reviewed');
    const comment = body.comment?.trim() || null;
    if (body.outcome === 'rejected' && !comment)
      throw errors.field('comment', '驳回须说明理由', 'a rejection needs its reason');
    if (body.outcome === 'matched') {
      const ids = [...new Set(body.resourceIds ?? [])];
      if (!ids.length)
        throw errors.field('resourceIds', '请选择匹配的目录资源', 'choose the matching catalog resources');
      const found = await repo.existingResources(this.db, ids);
      if (found.length !== ids.length || found.some((r) => r.current_version === null))
        throw errors.field('resourceIds', '只能匹配已发布的目录资源', 'only approved catalog resources can be matched');
    }
    if (body.outcome === 'topic') {
      if (!body.project?.name?.trim())
        throw errors.field('project.name', '请填写主题库/专题库名称', 'the library needs a name');
      const members = [...new Set(body.project.memberOrgIds ?? [])];
      if ((await repo.existingOrgs(this.db, members)).length !== members.length)
        throw errors.field('project.memberOrgIds', '有单位不存在', 'an organisation does not exist');
      const targets = [...new Set(body.project.targetResourceIds ?? [])];
      if ((await repo.existingResources(this.db, targets)).length !== targets.length)
        throw errors.field('project.targetResourceIds', '有资源不存在', 'a resource does not exist');
    }
    await this.db.transaction().execute(async (trx) => {
      let projectId: string | null = null;
      if (body.outcome === 'topic') {
        const p = await repo.insertProject(trx, {
          id: randomUUID(),
          name: body.project!.name.trim(),
          kind: body.project!.kind,
          description: body.project!.description ?? null,
          lead_org_id: d.org_id,
          member_org_ids: [...new Set(body.project!.memberOrgIds ?? [])],
          target_resource_ids: [...new Set(body.project!.targetResourceIds ?? [])],
        });
        projectId = p.id;
      }
      const status = body.outcome === 'matched' ? 'matched' : body.outcome === 'topic' ? 'topic_approved' : 'rejected';
      await repo.updateDemand(trx, id, {
        status,
        review_comment: comment,
        matched_resource_ids: body.outcome === 'matched' ? [...new Set(body.resourceIds ?? [])] : [],
        project_id: projectId,
        reviewed_by: uid(ctx),
        reviewed_at: new Date(),
      });
      await writeAudit(trx, ctx, {
        action: `demand.${body.outcome === 'topic' ? 'topic_approved' : body.outcome}`,
        objectType: 'demand',
        objectId: id,
        orgId: d.org_id,
        diff: { status: ['submitted', status], ...(projectId ? { project: projectId } : {}) },
      });
    });
    return (await this.demands(ctx)).find((x) => x.id === id)!;
  }

  async projects(ctx: RequestContext) {
    if (!ctx.actor) throw errors.unauthenticated();
    return (await repo.listProjects(this.db)).map((p) => ({
      id: p.id,
      name: p.name,
      kind: p.kind,
      description: p.description,
      leadOrgId: p.lead_org_id,
      leadName: p.lead_name,
      memberOrgIds: p.member_org_ids,
      targetResourceIds: p.target_resource_ids,
      createdAt: p.created_at.toISOString(),
    }));
  }

  async demandsXlsx(ctx: RequestContext) {
    const rows = await this.demands(ctx);
    await this.db.transaction().execute((trx) =>
      writeAudit(trx, ctx, {
        action: 'catalog.list.export',
        objectType: 'list',
        objectId: 'demand',
        diff: { rows: rows.length },
      }),
    );
    const status: Record<string, string> = {
      submitted: '待审核',
      matched: '已匹配目录资源',
      topic_approved: '纳入主题库/专题库建设',
      rejected: '不予通过',
    };
    return listToXlsx(
      '公共数据资源需求清单',
      [
        { header: '需求单位', key: 'orgName', width: 24 },
        { header: '需求名称', key: 'title', width: 24 },
        { header: '所需数据', key: 'dataNeeded', width: 30 },
        { header: '用途', key: 'purpose', width: 24 },
        { header: '依据', key: 'legalBasis', width: 24 },
        { header: '建议提供单位', key: 'holderName', width: 20 },
        { header: '审核结果', key: 'statusName' },
        { header: '审核意见', key: 'reviewComment', width: 24 },
        { header: '主题库/专题库', key: 'projectName', width: 20 },
        { header: '提出时间', key: 'createdAt' },
      ],
      rows.map((r) => ({ ...r, statusName: status[r.status], createdAt: r.createdAt.slice(0, 10) })),
    );
  }

  // ------------------------------------------------------------ system plans (§7)
  private presentPlan(p: Awaited<ReturnType<typeof repo.listPlans>>[number]) {
    return {
      id: p.id,
      orgId: p.org_id,
      orgName: p.org_name,
      name: p.name,
      purpose: p.purpose,
      collects: p.collects,
      needs: p.needs,
      status: p.status,
      reviewComment: p.review_comment,
      reviewedAt: p.reviewed_at?.toISOString() ?? null,
      createdAt: p.created_at.toISOString(),
      updatedAt: p.updated_at.toISOString(),
    };
  }

  async plans(ctx: RequestContext) {
    if (!ctx.actor) throw errors.unauthenticated();
    return (await repo.listPlans(this.db, caseListScope(ctx.actor))).map((p) => this.presentPlan(p));
  }

  async submitPlan(ctx: RequestContext, body: { name: string; purpose: string; collects: string[]; needs?: string }) {
    mayFile(ctx);
    return this.db.transaction().execute(async (trx) => {
      const p = await repo.insertPlan(trx, {
        id: randomUUID(),
        org_id: ctx.actor!.orgId,
        name: body.name,
        purpose: body.purpose,
        collects: body.collects,
        needs: body.needs ?? '',
        status: 'submitted',
        created_by: uid(ctx),
      });
      await writeAudit(trx, ctx, {
        action: 'system_plan.submit',
        objectType: 'system_plan',
        objectId: p.id,
        diff: { name: [null, p.name] },
      });
      return p.id;
    });
  }

  async resubmitPlan(
    ctx: RequestContext,
    id: string,
    body: { name: string; purpose: string; collects: string[]; needs?: string },
  ) {
    mayFile(ctx);
    const p = await repo.findPlan(this.db, id);
    if (!p) throw errors.notFound('system_plan', id);
    if (p.org_id !== ctx.actor!.orgId) throw errors.forbidden("another unit's plan");
    if (p.status !== 'returned')
      throw wrongState('只有退回修改的方案可以重新提交', 'Only a returned plan can be resubmitted');
    await this.db.transaction().execute(async (trx) => {
      await repo.updatePlan(trx, id, {
        name: body.name,
        purpose: body.purpose,
        collects: body.collects,
        needs: body.needs ?? '',
        status: 'submitted',
      });
      await writeAudit(trx, ctx, {
        action: 'system_plan.resubmit',
        objectType: 'system_plan',
        objectId: id,
        diff: { status: ['returned', 'submitted'] },
      });
    });
  }

  async reviewPlan(ctx: RequestContext, id: string, body: { decision: 'approve' | 'return'; comment?: string }) {
    mayReview(ctx);
    const p = await repo.findPlan(this.db, id);
    if (!p) throw errors.notFound('system_plan', id);
    if (p.status !== 'submitted') throw wrongState('该方案不在待审核状态', 'This plan is not waiting for review');
    if (body.decision === 'return' && !body.comment?.trim())
      throw errors.field('comment', '退回须填写论证意见', 'a return needs a comment');
    const status = body.decision === 'approve' ? 'approved' : 'returned';
    await this.db.transaction().execute(async (trx) => {
      await repo.updatePlan(trx, id, {
        status,
        review_comment: body.comment?.trim() || null,
        reviewed_by: uid(ctx),
        reviewed_at: new Date(),
      });
      await writeAudit(trx, ctx, {
        action: `system_plan.${body.decision}`,
        objectType: 'system_plan',
        objectId: id,
        orgId: p.org_id,
        diff: { status: ['submitted', status] },
      });
    });
  }

  /** For each data item the plan will collect, the catalog resources that already hold it (duplicates show). */
  async similar(ctx: RequestContext, id: string) {
    const p = await repo.findPlan(this.db, id);
    if (!p) throw errors.notFound('system_plan', id);
    mayRead(ctx, p.org_id);
    const out = [];
    for (const item of p.collects) {
      const { rows, total } = await catalogRepo.search(this.db, { q: item }, { limit: 5, offset: 0 });
      out.push({
        item,
        total,
        resources: rows.map((r) => ({ id: r.resource_id, code: r.code, name: r.name, orgName: r.org_name })),
      });
    }
    return out;
  }
}
