import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/database.ts';
import { Obj } from '../../platform/http.ts';
import { AuditService, listRecords } from './audit.service.ts';
import { AUDIT_READERS, AUDIT_VERIFIERS } from './audit.policy.ts';

const Filter = {
  actor: Type.Optional(Type.String({ maxLength: 100 })),
  orgId: Type.Optional(Type.String({ format: 'uuid' })),
  action: Type.Optional(Type.String({ maxLength: 100 })),
  objectType: Type.Optional(Type.String({ maxLength: 50 })),
  objectId: Type.Optional(Type.String({ maxLength: 100 })),
  outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('denied'), Type.Literal('failure')])),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
};
const ListQuery = Obj({
  ...Filter,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
});
const ExportQuery = Obj(Filter);

const Record_ = Type.Object({
  seq: Type.Integer(),
  occurredAt: Type.String(),
  actorUserId: Type.Union([Type.String(), Type.Null()]),
  actorName: Type.Union([Type.String(), Type.Null()]),
  orgId: Type.Union([Type.String(), Type.Null()]),
  credentialId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  objectType: Type.Union([Type.String(), Type.Null()]),
  objectId: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.String(),
  clientIp: Type.Union([Type.String(), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()]),
  diff: Type.Unknown(),
  hash: Type.String(),
});

const ChainProblem_ = Type.Object({
  seq: Type.Integer(),
  kind: Type.Union([Type.Literal('altered'), Type.Literal('removed'), Type.Literal('reordered')]),
  detail: Type.String(),
});

type Row = Awaited<ReturnType<typeof listRecords>>['rows'][number];
function present(r: Row) {
  return {
    seq: r.seq,
    occurredAt: r.occurred_at.toISOString(),
    actorUserId: r.actor_user_id,
    actorName: r.actor_name,
    orgId: r.org_id,
    credentialId: r.credential_id,
    action: r.action,
    objectType: r.object_type,
    objectId: r.object_id,
    outcome: r.outcome,
    clientIp: r.client_ip,
    requestId: r.request_id,
    diff: r.diff,
    hash: r.hash,
  };
}

export const auditRoutes =
  (db: Db): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['audit'];
    const svc = new AuditService(db);
    app.get(
      '/api/audit',
      {
        schema: {
          tags,
          summary: 'Browse audit records, newest first',
          querystring: ListQuery,
          response: { 200: Type.Object({ total: Type.Integer(), items: Type.Array(Record_) }) },
        },
        config: { allow: AUDIT_READERS },
      },
      async (req) => {
        const { limit = 50, offset = 0, ...f } = req.query;
        const { rows, total } = await svc.browse(req.ctx, f, { limit, offset });
        return { total, items: rows.map(present) };
      },
    );

    app.get(
      '/api/audit/export.csv',
      {
        schema: {
          tags,
          summary: 'Export audit records as CSV (UTF-8 with BOM, opens in Excel)',
          querystring: ExportQuery,
          produces: ['text/csv'],
        },
        config: { allow: AUDIT_READERS },
      },
      async (req, reply) => {
        const lines = await svc.exportCsv(req.ctx, req.query);
        const stamp = new Date().toISOString().slice(0, 10);
        reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="audit-${stamp}.csv"`);
        const { Readable } = await import('node:stream');
        return reply.send(Readable.from(lines));
      },
    );

    app.post(
      '/api/audit/verify',
      {
        schema: {
          tags,
          summary: 'Walk the SM3 hash chain and report every record that was altered, removed or reordered',
          response: {
            200: Type.Object({
              ok: Type.Boolean(),
              count: Type.Integer({ description: 'records read' }),
              intact: Type.Integer({ description: 'records that verified' }),
              head: Type.Union([Type.Object({ seq: Type.Integer(), hash: Type.String() }), Type.Null()]),
              problem: Type.Union([ChainProblem_, Type.Null()], { description: 'the first problem' }),
              problems: Type.Array(ChainProblem_, { description: 'every problem in seq order (at most 1,000 listed)' }),
              problemCount: Type.Integer({ description: 'all problems found' }),
            }),
          },
        },
        config: { allow: AUDIT_VERIFIERS },
      },
      async (req) => svc.verify(req.ctx),
    );
  };
