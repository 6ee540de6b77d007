import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Obj } from '../../platform/http.ts';
import { ROLES } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import { sendXlsx, XLSX_TYPE } from '../../platform/xlsx.ts';
import type { CatalogService } from './catalog.service.ts';
import * as S from './catalog.schemas.ts';

const Id = Obj({ id: Type.String({ format: 'uuid' }) });
const IdVersion = Obj({ id: Type.String({ format: 'uuid' }), version: Type.Integer({ minimum: 1, maximum: 100000 }) });
const ALL = [...ROLES, 'system'] as const;
const COMPILERS = ['unit_admin', 'center_admin'] as const;
const REVIEWERS = ['center_reviewer', 'center_admin'] as const;

export const catalogRoutes =
  (svc: CatalogService): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['catalog'];
    app.get(
      '/api/catalog/resources',
      {
        schema: {
          tags,
          summary: 'Search the district catalog (approved resources) with facets; partial Chinese terms match',
          querystring: S.SearchQuery,
          response: { 200: S.SearchResult },
        },
        config: { allow: ALL },
      },
      async (req) => svc.find.search(req.ctx, req.query),
    );

    app.get(
      '/api/catalog/mine',
      {
        schema: {
          tags,
          summary: "A unit's own catalog, with cases in progress and their due dates",
          querystring: S.MineQuery,
          response: { 200: Type.Array(S.MineRow) },
        },
        config: { allow: ROLES },
      },
      async (req) => svc.find.mine(req.ctx, req.query),
    );

    app.post(
      '/api/catalog/resources',
      {
        schema: {
          tags,
          summary: "Compile a new resource (a draft of the caller's unit); its code is generated",
          body: S.ResourceCreate,
          response: { 201: Type.Object({ id: Type.String(), code: Type.String() }) },
        },
        config: { allow: COMPILERS },
      },
      async (req, reply) => reply.status(201).send(await svc.create(req.ctx, req.body)),
    );

    app.get(
      '/api/catalog/resources/:id',
      {
        schema: {
          tags,
          summary: 'A resource: its approved version and, for its unit and the Center, the version in progress',
          params: Id,
          response: { 200: S.ResourceOut },
        },
        config: { allow: ALL },
      },
      async (req) => svc.get(req.ctx, req.params.id),
    );

    app.put(
      '/api/catalog/resources/:id/draft',
      {
        schema: {
          tags,
          summary: 'Save the working draft (fields and items)',
          params: Id,
          body: S.ResourceInput,
          response: { 200: S.Version },
        },
        config: { allow: COMPILERS },
      },
      async (req) => svc.saveDraft(req.ctx, req.params.id, req.body),
    );

    app.post(
      '/api/catalog/resources/:id/submit',
      {
        schema: {
          tags,
          summary: "Submit the working version for the Center's review",
          params: Id,
          response: { 200: S.Version },
        },
        config: { allow: COMPILERS },
      },
      async (req) => svc.submit(req.ctx, req.params.id),
    );

    app.post(
      '/api/catalog/resources/:id/review',
      {
        schema: {
          tags,
          summary: 'Approve, or return with comments on the resource and on items',
          params: Id,
          body: S.ReviewBody,
          response: { 200: S.Version },
        },
        config: { allow: REVIEWERS },
      },
      async (req) => svc.review(req.ctx, req.params.id, req.body),
    );

    app.post(
      '/api/catalog/resources/:id/change',
      {
        schema: {
          tags,
          summary: 'Start a change request: a new version of an approved resource',
          params: Id,
          body: S.ChangeBody,
          response: { 200: S.Version },
        },
        config: { allow: COMPILERS },
      },
      async (req) => svc.startChange(req.ctx, req.params.id, req.body),
    );

    app.post(
      '/api/catalog/resources/:id/withdraw',
      {
        schema: {
          tags,
          summary: 'Withdraw the working draft (the approved version stays in force)',
          params: Id,
          response: { 204: Type.Null() },
        },
        config: { allow: COMPILERS },
      },
      async (req, reply) => {
        await svc.withdraw(req.ctx, req.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/catalog/resources/:id/versions',
      {
        schema: {
          tags,
          summary: "A resource's versions, newest first",
          params: Id,
          response: { 200: Type.Array(S.VersionSummary) },
        },
        config: { allow: ALL },
      },
      async (req) => svc.versions(req.ctx, req.params.id),
    );

    app.get(
      '/api/catalog/resources/:id/versions/:version',
      {
        schema: {
          tags,
          summary: 'One version of a resource, with its items',
          params: IdVersion,
          response: { 200: S.Version },
        },
        config: { allow: ALL },
      },
      async (req) => svc.getVersion(req.ctx, req.params.id, req.params.version),
    );

    app.get(
      '/api/catalog/resources/:id/diff',
      {
        schema: {
          tags,
          summary: 'Field-by-field and item-by-item differences between two versions',
          params: Id,
          querystring: Obj({
            from: Type.Integer({ minimum: 1, maximum: 100000 }),
            to: Type.Integer({ minimum: 1, maximum: 100000 }),
          }),
          response: { 200: S.VersionDiff },
        },
        config: { allow: ALL },
      },
      async (req) => svc.diff(req.ctx, req.params.id, req.query.from, req.query.to),
    );

    app.get(
      '/api/catalog/resources/:id/timeline',
      {
        schema: {
          tags,
          summary: 'Who did what, when, with which comment',
          params: Id,
          response: { 200: Type.Array(S.TimelineEvent) },
        },
        config: { allow: ROLES },
      },
      async (req) => svc.timeline(req.ctx, req.params.id),
    );

    app.get(
      '/api/catalog/review-queue',
      {
        schema: {
          tags,
          summary: 'Submitted versions waiting for the Center, with due dates in working days',
          response: { 200: Type.Array(S.QueueRow) },
        },
        config: { allow: REVIEWERS },
      },
      async (req) => svc.find.reviewQueue(req.ctx),
    );

    app.get(
      '/api/catalog/overdue',
      {
        schema: {
          tags,
          summary: 'Overdue cases by unit: reviews past due, change requests not filed in time',
          response: { 200: Type.Array(S.OverdueRow) },
        },
        config: { allow: ['center_admin', 'center_reviewer', 'supervisor'] },
      },
      async (req) => svc.find.overdue(req.ctx),
    );

    const XLSX = XLSX_TYPE;
    app.addContentTypeParser(
      [XLSX, 'application/octet-stream'],
      { parseAs: 'buffer', bodyLimit: 20 * 1024 * 1024 },
      (_req, body, done) => done(null, body),
    );
    const ExportQuery = Obj({
      scope: Type.Optional(Type.Union([Type.Literal('district'), Type.Literal('unit')])),
      orgId: Type.Optional(Type.String({ format: 'uuid' })),
    });

    app.get(
      '/api/catalog/export.xlsx',
      {
        schema: {
          tags,
          summary: "The district catalog, or a unit's (scope=unit), as XLSX in the national template layout",
          querystring: ExportQuery,
          produces: [XLSX],
        },
        config: { allow: ALL },
      },
      async (req, reply) => {
        const scope = req.query.scope ?? 'district';
        const buf = await svc.sheets.exportXlsx(req.ctx, scope, req.query.orgId);
        return sendXlsx(reply, scope === 'district' ? '全区公共数据资源目录' : '本单位公共数据资源目录', buf);
      },
    );

    app.get(
      '/api/catalog/export.json',
      {
        schema: {
          tags,
          summary: "The same catalog as JSON (each resource's version with its items)",
          querystring: ExportQuery,
          response: { 200: Type.Array(S.ExportedVersion) },
        },
        config: { allow: ALL },
      },
      async (req) => svc.sheets.exportVersions(req.ctx, req.query.scope ?? 'district', req.query.orgId),
    );

    app.post(
      '/api/catalog/import',
      {
        schema: {
          tags,
          summary:
            "Import the unit's catalog from the XLSX template (body: the .xlsx file): new drafts or updates to drafts, with a row-by-row report",
          consumes: [XLSX],
          response: { 200: S.ImportReport },
        },
        config: { allow: COMPILERS },
      },
      async (req) => {
        if (!Buffer.isBuffer(req.body) || !req.body.length)
          throw new AppError(
            400,
            'catalog.import_unreadable',
            '请上传 .xlsx 文件（Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet）',
            'Upload an .xlsx file (Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet)',
          );
        return svc.sheets.importXlsx(req.ctx, req.body);
      },
    );

    app.get(
      '/api/catalog/code-tables',
      {
        schema: {
          tags,
          summary: "The catalog's code tables (categories, update cycles, data types, …)",
          response: { 200: Type.Array(S.CodeTable) },
        },
        config: { allow: ALL },
      },
      async () => svc.codes.codeTables(),
    );

    app.put(
      '/api/catalog/code-tables/:table/:code',
      {
        schema: {
          tags,
          summary: 'Add or change a code (Center admin; national tables are fixed)',
          params: Obj({
            table: Type.String({ maxLength: 40, pattern: '^[a-z_]+$' }),
            code: Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_]+$' }),
          }),
          body: S.CodeBody,
          response: { 200: S.CodeTable },
        },
        config: { allow: ['center_admin'] },
      },
      async (req) => svc.codes.putCode(req.ctx, req.params.table, req.params.code, req.body),
    );

    app.get(
      '/api/catalog/settings',
      {
        schema: { tags, summary: 'Resource code format: segment lengths', response: { 200: S.CodeFormat } },
        config: { allow: ALL },
      },
      async () => svc.codes.codeFormat(),
    );

    app.put(
      '/api/catalog/settings',
      {
        schema: {
          tags,
          summary: 'Change the resource code format (Center admin)',
          body: S.SettingsBody,
          response: { 200: S.CodeFormat },
        },
        config: { allow: ['center_admin'] },
      },
      async (req) => svc.codes.setCodeFormat(req.ctx, req.body),
    );

    app.get(
      '/api/catalog/systems',
      {
        schema: {
          tags,
          summary: "Information systems (a unit's own; the Center sees all)",
          querystring: Obj({ orgId: Type.Optional(Type.String({ format: 'uuid' })) }),
          response: { 200: Type.Array(S.InfoSystem) },
        },
        config: { allow: ROLES },
      },
      async (req) => svc.systems.list(req.ctx, req.query.orgId),
    );

    app.post(
      '/api/catalog/systems',
      {
        schema: {
          tags,
          summary: 'Register an information system',
          body: S.SystemBody,
          response: { 201: S.InfoSystem },
        },
        config: { allow: ['unit_admin', 'center_admin'] },
      },
      async (req, reply) => reply.status(201).send(await svc.systems.create(req.ctx, req.body)),
    );

    app.patch(
      '/api/catalog/systems/:id',
      {
        schema: {
          tags,
          summary: 'Change an information system',
          params: Id,
          body: S.SystemPatch,
          response: { 200: S.InfoSystem },
        },
        config: { allow: ['unit_admin', 'center_admin'] },
      },
      async (req) => svc.systems.update(req.ctx, req.params.id, req.body),
    );
  };
