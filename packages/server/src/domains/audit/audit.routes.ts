import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/database.ts';
import { DateTime, Nullable, Obj, OneOf } from '../../platform/http.ts';
import type { AuditLabels } from './audit.present.ts';
import { ACTION_FAMILIES, AUDIT_ACTIONS, familyOf, OBJECT_TYPES, words } from './audit.words.ts';
import { AuditService } from './audit.service.ts';
import { AUDIT_READERS, AUDIT_VERIFIERS } from './audit.policy.ts';

const Filter = {
  actor: Type.Optional(Type.String({ maxLength: 100 })),
  orgId: Type.Optional(Type.String({ format: 'uuid' })),
  action: Type.Optional(Type.String({ maxLength: 100 })),
  family: Type.Optional(Type.String({ maxLength: 40, pattern: '^[a-z_]+$' })),
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

const Words = Type.Object({ zh: Type.String(), en: Type.String() });
const Record_ = Type.Object({
  seq: Type.Integer(),
  occurredAt: DateTime,
  actorUserId: Nullable(Type.String()),
  actorName: Nullable(Type.String()),
  orgId: Nullable(Type.String()),
  orgName: Nullable(Type.String({ description: 'the unit the record belongs to, by name' })),
  credentialId: Nullable(Type.String()),
  action: Type.String({ description: 'the action code (raw)' }),
  actionWords: Words,
  family: Type.String({ description: 'the action family: the part of the code before its first dot' }),
  familyWords: Words,
  objectType: Nullable(Type.String()),
  objectTypeWords: Nullable(Words),
  objectId: Nullable(Type.String()),
  object: Nullable(
    Type.Object(
      { name: Type.String(), code: Nullable(Type.String()), link: Nullable(Type.String()) },
      { description: 'the object by its name and code, and its console page' },
    ),
  ),
  outcome: OneOf(['success', 'denied', 'failure'], { title: 'AuditOutcome' }),
  outcomeWords: Words,
  clientIp: Nullable(Type.String()),
  requestId: Nullable(Type.String()),
  details: Type.Array(
    Type.Object({
      field: Type.String(),
      label: Words,
      before: Nullable(Words),
      after: Nullable(Words),
      value: Nullable(Words),
    }),
    { description: "the record's details as labelled fields: a change as before → after, a fact as a value" },
  ),
  diff: Type.Unknown({ description: 'the details as recorded (raw)' }),
  prevHash: Type.String(),
  hash: Type.String(),
});

const Vocabulary = Type.Object({
  families: Type.Array(Type.Object({ family: Type.String(), words: Words })),
  actions: Type.Array(Type.Object({ action: Type.String(), family: Type.String(), words: Words })),
  objectTypes: Type.Array(Type.Object({ objectType: Type.String(), words: Words })),
});

const ChainProblem_ = Type.Object({
  seq: Type.Integer(),
  kind: Type.Union([Type.Literal('altered'), Type.Literal('removed'), Type.Literal('reordered')]),
  detail: Type.String(),
});

export const auditRoutes =
  (db: Db, labels: AuditLabels = {}): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['audit'];
    const svc = new AuditService(db, labels);
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
        return svc.browse(req.ctx, f, { limit, offset });
      },
    );

    app.get(
      '/api/audit/vocabulary',
      {
        schema: {
          tags,
          summary: 'The trail in words: action families, actions and kinds of object (zh-CN and en), for filters',
          response: { 200: Vocabulary },
        },
        config: { allow: AUDIT_READERS },
      },
      async () => ({
        families: Object.entries(ACTION_FAMILIES).map(([family, w]) => ({ family, words: words(w) })),
        actions: Object.entries(AUDIT_ACTIONS).map(([action, w]) => ({
          action,
          family: familyOf(action),
          words: words(w),
        })),
        objectTypes: Object.entries(OBJECT_TYPES).map(([objectType, w]) => ({ objectType, words: words(w) })),
      }),
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
