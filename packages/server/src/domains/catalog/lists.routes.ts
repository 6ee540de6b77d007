import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DateTime, Nullable, Obj, OneOf, Uuid } from '../../platform/http.ts';
import { ROLES } from '../../platform/context.ts';
import { sendXlsx, XLSX_TYPE } from '../../platform/xlsx.ts';
import type { ListsService } from './lists.service.ts';
import type { CatalogService } from './catalog.service.ts';

const Id = Obj({ id: Type.String({ format: 'uuid' }) });
const Time = DateTime;

const ResponsibilityRow = Type.Object({
  id: Uuid,
  code: Type.String(),
  name: Type.String(),
  orgId: Uuid,
  orgName: Type.String(),
  responsiblePerson: Nullable(Type.String()),
  responsiblePhone: Nullable(Type.String()),
  updateCycle: Type.String(),
  shareType: Type.String(),
  approvedAt: Nullable(Time),
  aggregationStatus: OneOf(['aggregated', 'not_aggregated'], { description: 'aggregated once a batch has loaded' }),
  rowCount: Nullable(Type.Integer()),
  lastLoadAt: Nullable(Time),
});
const NonShareRow = Type.Object({
  id: Uuid,
  code: Type.String(),
  name: Type.String(),
  orgName: Type.String(),
  itemCode: Nullable(Type.String()),
  itemName: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  basis: Nullable(Type.String()),
});
const Demand = Type.Object({
  id: Uuid,
  orgId: Uuid,
  orgName: Type.String(),
  title: Type.String(),
  dataNeeded: Type.String(),
  purpose: Type.String(),
  legalBasis: Type.String(),
  holderOrgId: Nullable(Uuid),
  holderName: Nullable(Type.String()),
  status: OneOf(['submitted', 'matched', 'topic_approved', 'rejected']),
  reviewComment: Nullable(Type.String()),
  matchedResourceIds: Type.Array(Uuid),
  projectId: Nullable(Uuid),
  projectName: Nullable(Type.String()),
  createdAt: Time,
  reviewedAt: Nullable(Time),
});
const TopicProject = Type.Object({
  id: Uuid,
  name: Type.String(),
  kind: OneOf(['topic', 'special']),
  description: Nullable(Type.String()),
  leadOrgId: Uuid,
  leadName: Nullable(Type.String()),
  memberOrgIds: Type.Array(Uuid),
  targetResourceIds: Type.Array(Uuid),
  createdAt: Time,
});
const Plan = Type.Object({
  id: Uuid,
  orgId: Uuid,
  orgName: Type.String(),
  name: Type.String(),
  purpose: Type.String(),
  collects: Type.Array(Type.String()),
  needs: Type.String(),
  status: OneOf(['submitted', 'approved', 'returned']),
  reviewComment: Nullable(Type.String()),
  reviewedAt: Nullable(Time),
  createdAt: Time,
  updatedAt: Time,
});
const Similar = Type.Object({
  item: Type.String({ description: 'what the plan will collect' }),
  total: Type.Integer({ description: 'catalog resources that match' }),
  resources: Type.Array(Type.Object({ id: Uuid, code: Type.String(), name: Type.String(), orgName: Type.String() })),
});
const XLSX = XLSX_TYPE;
const Txt = (min: number, max: number) => Type.String({ minLength: min, maxLength: max });
const PlanBody = Obj({
  name: Txt(1, 100),
  purpose: Txt(1, 2000),
  collects: Type.Array(Txt(1, 100), { maxItems: 200 }),
  needs: Type.Optional(Txt(0, 2000)),
});

export const listsRoutes =
  (svc: ListsService, catalog: CatalogService): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['lists'];

    app.get(
      '/api/catalog/lists/responsibility',
      {
        schema: {
          tags,
          summary:
            'Responsibility list 责任清单: per approved resource, its owner, responsible person, cycle and aggregation status',
          querystring: Obj({ orgId: Type.Optional(Type.String({ format: 'uuid' })) }),
          response: { 200: Type.Array(ResponsibilityRow) },
        },
        config: { allow: ROLES },
      },
      async (req) => svc.responsibility(req.ctx, req.query.orgId),
    );
    app.get(
      '/api/catalog/lists/responsibility.xlsx',
      {
        schema: {
          tags,
          summary: 'The responsibility list as an Excel workbook',
          querystring: Obj({ orgId: Type.Optional(Type.String({ format: 'uuid' })) }),
          produces: [XLSX],
        },
        config: { allow: ROLES },
      },
      async (req, reply) => {
        const names = await catalog.codes.codeNames();
        return sendXlsx(
          reply,
          '数据责任清单',
          await svc.responsibilityXlsx(req.ctx, req.query.orgId, (c) => names.name('update_cycle', c)),
        );
      },
    );
    app.get(
      '/api/catalog/lists/non-share',
      {
        schema: {
          tags,
          summary: 'Non-share list 不予共享数据清单, with the legal basis of each entry',
          response: { 200: Type.Array(NonShareRow) },
        },
        config: { allow: ROLES },
      },
      async (req) => svc.nonShare(req.ctx),
    );
    app.get(
      '/api/catalog/lists/non-share.xlsx',
      {
        schema: { tags, summary: 'The non-share list as an Excel workbook', produces: [XLSX] },
        config: { allow: ROLES },
      },
      async (req, reply) => sendXlsx(reply, '不予共享数据清单', await svc.nonShareXlsx(req.ctx)),
    );

    const dtags = ['demands'];
    app.get(
      '/api/demands',
      {
        schema: {
          tags: dtags,
          summary: 'Demand list 需求清单 (the Center sees all; a unit its own)',
          response: { 200: Type.Array(Demand) },
        },
        config: { allow: ROLES },
      },
      async (req) => svc.demands(req.ctx),
    );
    app.get(
      '/api/demands.xlsx',
      {
        schema: { tags: dtags, summary: 'The demand list as an Excel workbook', produces: [XLSX] },
        config: { allow: ROLES },
      },
      async (req, reply) => sendXlsx(reply, '公共数据资源需求清单', await svc.demandsXlsx(req.ctx)),
    );
    app.post(
      '/api/demands',
      {
        schema: {
          tags: dtags,
          summary: 'File a data demand',
          body: Obj({
            title: Txt(1, 200),
            dataNeeded: Txt(1, 2000),
            purpose: Txt(1, 2000),
            legalBasis: Txt(1, 1000),
            holderOrgId: Type.Optional(Type.Union([Type.String({ format: 'uuid' }), Type.Null()])),
          }),
          response: { 201: Type.Object({ id: Type.String() }) },
        },
        config: { allow: ['unit_admin', 'center_admin'] },
      },
      async (req, reply) => reply.status(201).send({ id: await svc.fileDemand(req.ctx, req.body) }),
    );
    app.post(
      '/api/demands/:id/review',
      {
        schema: {
          tags: dtags,
          summary: "The Center's outcome: matched to resources, approved as a topic-library project, or rejected",
          params: Id,
          body: Obj({
            outcome: Type.Union([Type.Literal('matched'), Type.Literal('topic'), Type.Literal('rejected')]),
            comment: Type.Optional(Txt(0, 2000)),
            resourceIds: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { maxItems: 100 })),
            project: Type.Optional(
              Obj({
                name: Txt(1, 200),
                kind: Type.Union([Type.Literal('topic'), Type.Literal('special')]),
                description: Type.Optional(Txt(0, 2000)),
                memberOrgIds: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { maxItems: 200 })),
                targetResourceIds: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { maxItems: 500 })),
              }),
            ),
          }),
          response: { 200: Demand },
        },
        config: { allow: ['center_reviewer', 'center_admin'] },
      },
      async (req) => svc.reviewDemand(req.ctx, req.params.id, req.body),
    );
    app.get(
      '/api/topic-projects',
      {
        schema: {
          tags: dtags,
          summary: 'Topic and special libraries approved from demands',
          response: { 200: Type.Array(TopicProject) },
        },
        config: { allow: ROLES },
      },
      async (req) => svc.projects(req.ctx),
    );

    const ptags = ['system plans'];
    app.get(
      '/api/system-plans',
      {
        schema: {
          tags: ptags,
          summary: 'Information-system plans (§7 data coordination review)',
          response: { 200: Type.Array(Plan) },
        },
        config: { allow: ROLES },
      },
      async (req) => svc.plans(req.ctx),
    );
    app.post(
      '/api/system-plans',
      {
        schema: {
          tags: ptags,
          summary: 'Submit a plan for a new information system',
          body: PlanBody,
          response: { 201: Type.Object({ id: Type.String() }) },
        },
        config: { allow: ['unit_admin', 'center_admin'] },
      },
      async (req, reply) => reply.status(201).send({ id: await svc.submitPlan(req.ctx, req.body) }),
    );
    app.put(
      '/api/system-plans/:id',
      {
        schema: {
          tags: ptags,
          summary: 'Resubmit a returned plan',
          params: Id,
          body: PlanBody,
          response: { 204: Type.Null() },
        },
        config: { allow: ['unit_admin', 'center_admin'] },
      },
      async (req, reply) => {
        await svc.resubmitPlan(req.ctx, req.params.id, req.body);
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/api/system-plans/:id/review',
      {
        schema: {
          summary: 'Review a system plan: approve, or return with comments (Center)',
          tags: ptags,
          params: Id,
          body: Obj({
            decision: Type.Union([Type.Literal('approve'), Type.Literal('return')]),
            comment: Type.Optional(Txt(0, 2000)),
          }),
          response: { 204: Type.Null() },
        },
        config: { allow: ['center_reviewer', 'center_admin'] },
      },
      async (req, reply) => {
        await svc.reviewPlan(req.ctx, req.params.id, req.body);
        return reply.status(204).send(null);
      },
    );
    app.get(
      '/api/system-plans/:id/similar',
      {
        schema: {
          tags: ptags,
          summary: 'Catalog resources that already hold the data the plan will collect',
          params: Id,
          response: { 200: Type.Array(Similar) },
        },
        config: { allow: ROLES },
      },
      async (req) => svc.similar(req.ctx, req.params.id),
    );
  };
