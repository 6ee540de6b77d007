import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/database.ts';
import { Obj } from '../../platform/http.ts';
import { hasRole, type RequestContext } from '../../platform/context.ts';
import { errors } from '../../platform/errors.ts';
import { listRecords, streamRecords, verifyChain, writeAudit, type AuditFilter } from './audit.service.ts';
import { csvCell } from '../../platform/csv.ts';

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

/** The Center sees every record; a unit's admin and security officer see their own unit's. */
function scope(ctx: RequestContext, f: AuditFilter): AuditFilter {
  if (hasRole(ctx.actor, 'center_admin', 'supervisor')) return f;
  if (hasRole(ctx.actor, 'unit_admin', 'unit_security_officer', 'cac_officer')) {
    if (f.orgId && f.orgId !== ctx.actor!.orgId) throw errors.forbidden("read another unit's audit records");
    return { ...f, orgId: ctx.actor!.orgId };
  }
  throw errors.forbidden('audit.read');
}

export const auditRoutes =
  (db: Db): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['audit'];
    const readers = ['center_admin', 'supervisor', 'unit_admin', 'unit_security_officer', 'cac_officer'] as const;
    app.get(
      '/api/audit',
      {
        schema: {
          tags,
          summary: 'Browse audit records, newest first',
          querystring: ListQuery,
          response: { 200: Type.Object({ total: Type.Integer(), items: Type.Array(Record_) }) },
        },
        config: { allow: readers },
      },
      async (req) => {
        const { limit = 50, offset = 0, ...f } = req.query;
        const scoped = scope(req.ctx, f);
        const { rows, total } = await listRecords(db, scoped, { limit, offset });
        // Who looked at the trail is part of the trail.
        await db.transaction().execute((trx) =>
          writeAudit(trx, req.ctx, {
            action: 'audit.read',
            objectType: 'audit',
            diff: { filter: scoped, offset, returned: rows.length },
          }),
        );
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
        config: { allow: readers },
      },
      async (req, reply) => {
        const f = scope(req.ctx, req.query);
        await db
          .transaction()
          .execute((trx) =>
            writeAudit(trx, req.ctx, { action: 'audit.export', objectType: 'audit', diff: { filter: f } }),
          );
        const header = [
          '序号 seq',
          '时间 time',
          '操作人 actor',
          '单位 org',
          '凭据 credential',
          '操作 action',
          '对象类型 object type',
          '对象 object',
          '结果 outcome',
          '地址 client ip',
          '请求 request id',
          '变更 diff',
          '哈希 hash',
        ];
        async function* lines() {
          yield '\uFEFF' + header.map(csvCell).join(',') + '\r\n';
          for await (const r of streamRecords(db, f, 'desc')) {
            yield (
              [
                r.seq,
                r.occurred_at.toISOString(),
                r.actor_name,
                r.org_id,
                r.credential_id,
                r.action,
                r.object_type,
                r.object_id,
                r.outcome,
                r.client_ip,
                r.request_id,
                r.diff,
                r.hash,
              ]
                .map(csvCell)
                .join(',') + '\r\n'
            );
          }
        }
        const stamp = new Date().toISOString().slice(0, 10);
        reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="audit-${stamp}.csv"`);
        const { Readable } = await import('node:stream');
        return reply.send(Readable.from(lines()));
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
        config: { allow: ['center_admin', 'supervisor'] },
      },
      async (req) => {
        const result = await verifyChain(db);
        await db.transaction().execute((trx) =>
          writeAudit(trx, req.ctx, {
            action: 'audit.verify',
            objectType: 'audit',
            outcome: result.ok ? 'success' : 'failure',
            diff: { count: result.count, problemCount: result.problemCount, problems: result.problems.slice(0, 20) },
          }),
        );
        return result;
      },
    );
  };
