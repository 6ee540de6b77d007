// The sharing API: applications and their steps, attachments and grants for the console and units' systems
// (/api/sharing/…), and the data services of a grant for the consumer's information systems (/api/share/…).
// Thin: each route calls one service method; the services check the parties and the steps.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import type { ShareStatus } from '../../db/schema.ts';
import type { CallerRole, RequestContext } from '../../platform/context.ts';
import type { ApplicationService } from './application/application.service.ts';
import type { GrantService } from './grant/grant.service.ts';
import type { ShareServer } from './serve/share.service.ts';
import type { TraceService } from './export/trace.service.ts';
import type { DbSyncService } from './dbsync/dbsync.service.ts';
import { XLSX_TYPE } from '../../platform/xlsx.ts';
import { errors } from '../../platform/errors.ts';
import { SHARING_READERS } from './sharing.policy.ts';
import * as S from './sharing.schemas.ts';

const APPLICANTS = ['unit_admin', 'unit_user'] as const;
const DEFAULT_LIMIT = 50;

export const sharingRoutes =
  (apps: ApplicationService, grants: GrantService, dbSync: DbSyncService): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['sharing'];
    // attachments come as their own body: the stamped letter as PDF or an image
    app.addContentTypeParser(
      ['application/pdf', 'image/png', 'image/jpeg'],
      { parseAs: 'buffer', bodyLimit: 21 * 1024 * 1024 },
      (_req, body, done) => done(null, body),
    );

    app.get(
      '/api/sharing/draft',
      {
        schema: {
          tags,
          summary: 'What an applicant sees before applying: the items with their share types, systems, commitment',
          querystring: S.DraftQuery,
          response: { 200: S.Draft },
        },
        config: { allow: APPLICANTS },
      },
      async (req) => apps.draft(req.ctx, req.query.resource),
    );
    app.post(
      '/api/sharing/applications',
      {
        schema: {
          tags,
          summary: 'Apply for a resource (or some of its items), accepting the usage commitment',
          body: S.ApplyBody,
          response: { 201: S.Applied },
        },
        config: { allow: APPLICANTS },
      },
      async (req, reply) => reply.status(201).send(await apps.apply(req.ctx, req.body)),
    );
    app.get(
      '/api/sharing/applications',
      {
        schema: {
          tags,
          summary: 'Share applications: a unit sees those it applied for or owns the data of, the Center all',
          querystring: S.ListQuery,
          response: { 200: S.ApplicationList },
        },
        config: { allow: SHARING_READERS },
      },
      async (req) => {
        const { limit = DEFAULT_LIMIT, offset = 0, ...f } = req.query;
        return apps.list(req.ctx, { ...f, limit, offset });
      },
    );
    app.get(
      '/api/sharing/inbox',
      {
        schema: { tags, summary: 'How many cases wait for the caller, by side', response: { 200: S.Inbox } },
        config: { allow: SHARING_READERS },
      },
      async (req) => apps.inbox(req.ctx),
    );
    app.get(
      '/api/sharing/applications/:id',
      {
        schema: {
          tags,
          summary: 'One application with its due date, timeline and attachments',
          params: S.IdParams,
          response: { 200: S.ApplicationDetail },
        },
        config: { allow: SHARING_READERS },
      },
      async (req) => apps.get(req.ctx, req.params.id),
    );

    // a step of a case: its body, who may call it (the service checks the case and the party), the new status
    const step = (
      path: string,
      summary: string,
      body: TSchema,
      allow: readonly CallerRole[],
      run: (ctx: RequestContext, id: string, b: never) => Promise<{ status: ShareStatus; due: string | null }>,
    ) =>
      app.post(
        path,
        {
          schema: { tags, summary, params: S.IdParams, body, response: { 200: S.Moved } },
          config: { allow },
        },
        async (req) => run(req.ctx, (req.params as { id: string }).id, req.body as never),
      );

    step(
      '/api/sharing/applications/:id/confirm',
      'The Center confirms an unconditional supply: a grant issues',
      S.ConfirmBody,
      ['center_admin', 'center_reviewer'],
      (ctx, id, b) => apps.confirm(ctx, id, b),
    );
    step(
      '/api/sharing/applications/:id/review',
      'The Center reviews a conditional case: to the owner, back to the applicant, or denied',
      S.ReviewBody,
      ['center_admin', 'center_reviewer'],
      (ctx, id, b) => apps.review(ctx, id, b),
    );
    step(
      '/api/sharing/applications/:id/resubmit',
      'The applicant sends a returned case again',
      S.ResubmitBody,
      APPLICANTS,
      (ctx, id, b) => apps.resubmit(ctx, id, b),
    );
    step(
      '/api/sharing/applications/:id/answer',
      'The owner consents (filter, masking profile) or refuses with its legal basis',
      S.AnswerBody,
      ['unit_admin'],
      (ctx, id, b) => apps.answer(ctx, id, b),
    );
    step(
      '/api/sharing/applications/:id/profile',
      "The Center accepts or returns the owner's masking profile of a desensitised supply",
      S.ProfileBody,
      ['center_admin', 'center_reviewer'],
      (ctx, id, b) => apps.confirmProfile(ctx, id, b),
    );
    step(
      '/api/sharing/applications/:id/refusal',
      "The Center reviews the owner's refusal: upheld, or overruled",
      S.RefusalBody,
      ['center_admin', 'center_reviewer'],
      (ctx, id, b) => apps.reviewRefusal(ctx, id, b),
    );
    step(
      '/api/sharing/applications/:id/withdraw',
      'The applicant withdraws an open case',
      S.WithdrawBody,
      APPLICANTS,
      (ctx, id, b) => apps.withdraw(ctx, id, b),
    );

    app.post(
      '/api/sharing/applications/:id/attachments',
      {
        schema: {
          tags,
          summary:
            'Attach a document (the stamped request letter): the body is the PDF, PNG or JPEG file, at most 20 MB',
          params: S.IdParams,
          querystring: S.AttachQuery,
          consumes: ['application/pdf', 'image/png', 'image/jpeg'],
          response: { 201: S.Attached },
        },
        config: { allow: APPLICANTS },
        bodyLimit: 21 * 1024 * 1024,
      },
      async (req, reply) =>
        reply.status(201).send(await apps.attach(req.ctx, req.params.id, req.query.fileName, req.body as Buffer)),
    );
    app.get(
      '/api/sharing/applications/:id/attachments/:attachmentId',
      {
        schema: {
          tags,
          summary: 'Download a document of a case (its parties and the Center; audited)',
          params: S.AttachmentParams,
          produces: ['application/pdf', 'image/png', 'image/jpeg'],
        },
        config: { allow: SHARING_READERS },
      },
      async (req, reply) => {
        const f = await apps.attachment(req.ctx, req.params.id, req.params.attachmentId);
        return reply
          .header('content-type', f.content_type)
          .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(f.file_name)}`)
          .send(f.content);
      },
    );

    // ---------------------------------------------------------------- grants
    app.get(
      '/api/sharing/grants',
      {
        schema: {
          tags,
          summary: 'Grants: a unit sees those it receives or gives, the Center all',
          querystring: S.GrantListQuery,
          response: { 200: Type.Array(S.GrantView) },
        },
        config: { allow: SHARING_READERS },
      },
      async (req) => grants.list(req.ctx, req.query),
    );
    app.get(
      '/api/sharing/grants/:id',
      {
        schema: { tags, summary: 'One grant', params: S.IdParams, response: { 200: S.GrantView } },
        config: { allow: SHARING_READERS },
      },
      async (req) => grants.get(req.ctx, req.params.id),
    );
    app.post(
      '/api/sharing/grants/:id/state',
      {
        schema: {
          tags,
          summary: 'Suspend, resume or revoke a grant (the owner or the Center; a reason for suspending or revoking)',
          params: S.IdParams,
          body: S.GrantStateBody,
          response: { 204: Type.Null() },
        },
        config: { allow: ['center_admin', 'center_reviewer', 'unit_admin'] },
      },
      async (req, reply) => {
        await grants.setState(req.ctx, req.params.id, req.body);
        return reply.status(204).send(null);
      },
    );
    app.patch(
      '/api/sharing/grants/:id',
      {
        schema: {
          tags,
          summary: "Change a grant's row filter, masking profile or limits (the owner or the Center)",
          params: S.IdParams,
          body: S.GrantPatch,
          response: { 200: S.GrantView },
        },
        config: { allow: ['center_admin', 'center_reviewer', 'unit_admin'] },
      },
      async (req) => grants.update(req.ctx, req.params.id, req.body),
    );
    app.put(
      '/api/sharing/grants/:id/credentials',
      {
        schema: {
          tags,
          summary: "Which of the consumer unit's API credentials may call the grant",
          params: S.IdParams,
          body: S.BindBody,
          response: { 200: S.GrantView },
        },
        config: { allow: ['unit_admin'] },
      },
      async (req) => grants.bind(req.ctx, req.params.id, req.body.credentialIds),
    );
    app.get(
      '/api/sharing/usage',
      {
        schema: {
          tags,
          summary:
            'Use of the data services per day and by resource, consumer and owner (the Center: all; a unit: its grants)',
          querystring: S.UsageQuery,
          response: { 200: S.Usage },
        },
        config: { allow: SHARING_READERS },
      },
      async (req) => grants.usage(req.ctx, req.query),
    );
    app.get(
      '/api/share/grants/:id/openapi.json',
      {
        schema: {
          tags: ['share'],
          summary: "The grant's own OpenAPI 3.1 document: its services with the granted items as typed schemas",
          params: S.IdParams,
          response: { 200: Type.Object({}, { additionalProperties: true }) },
        },
        config: { allow: ['system', ...SHARING_READERS] },
      },
      async (req) => grants.openapi(req.ctx, req.params.id),
    );
    app.get(
      '/api/sharing/grants/:id/exports',
      {
        schema: {
          tags,
          summary: "The grant's file exports: who exported which rows when, as what (the parties and the Center)",
          params: S.IdParams,
          response: { 200: S.ExportList },
        },
        config: { allow: SHARING_READERS },
      },
      async (req) => grants.exports(req.ctx, req.params.id),
    );
    app.get(
      '/api/sharing/grants/:id/db-sync',
      {
        schema: {
          tags,
          summary: "The grant's database sync: the consumer's target table (never its password) and the recent runs",
          params: S.IdParams,
          response: { 200: S.DbSyncView },
        },
        config: { allow: SHARING_READERS },
      },
      async (req) => dbSync.get(req.ctx, req.params.id),
    );
    app.put(
      '/api/sharing/grants/:id/db-sync',
      {
        schema: {
          tags,
          summary:
            "Set the consumer's target (PostgreSQL or MySQL) the platform writes the grant's data to, and how often",
          params: S.IdParams,
          body: S.DbTargetBody,
          response: { 200: S.DbSyncView },
        },
        config: { allow: ['unit_admin'] },
      },
      async (req) => dbSync.configure(req.ctx, req.params.id, req.body),
    );
    app.post(
      '/api/sharing/grants/:id/db-sync/run',
      {
        schema: {
          tags,
          summary: 'Run the database sync now: the run, with what it wrote or why it failed',
          params: S.IdParams,
          response: { 200: S.DbRunView },
        },
        config: { allow: ['unit_admin'] },
      },
      async (req) => dbSync.runNow(req.ctx, req.params.id),
    );
    app.get(
      '/api/sharing/grants/:id/preview',
      {
        schema: {
          tags,
          summary: 'What the consumer will see: the first rows, filtered and masked (the owner and the Center)',
          params: S.IdParams,
          response: { 200: S.GrantPreview },
        },
        config: { allow: ['center_admin', 'center_reviewer', 'unit_admin'] },
      },
      async (req) => grants.preview(req.ctx, req.params.id),
    );
  };

/** Tracing a leaked file, for the Center: the file comes as its own body, streamed (only its carriers are kept). */
export const traceRoutes =
  (trace: TraceService): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['sharing'];
    app.addContentTypeParser(['text/csv', 'text/plain', 'application/octet-stream', XLSX_TYPE], (_req, payload, done) =>
      done(null, payload),
    );
    app.post(
      '/api/sharing/trace',
      {
        schema: {
          tags,
          summary:
            'Trace a leaked file (CSV in any encoding, or XLSX, as the body) to the export it came from: grant, consumer, system, user, time',
          querystring: S.TraceQuery,
          consumes: ['text/csv', 'application/octet-stream', XLSX_TYPE],
          response: { 200: S.TraceResult },
        },
        config: { allow: ['center_admin', 'center_reviewer'] },
      },
      async (req) => {
        const body = req.body as AsyncIterable<Buffer> | undefined;
        if (!body || !(Symbol.asyncIterator in Object(body)))
          throw errors.field('body', '请上传要追溯的文件', 'send the file to trace as the body');
        return trace.trace(req.ctx, body, req.query.fileName ?? null);
      },
    );
  };

/** The data services, for information systems (API credentials) bound to a grant. */
export const shareRoutes =
  (server: ShareServer): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['share'];
    const fieldsOf = (f: string | undefined) =>
      f
        ?.split(',')
        .map((x) => x.trim())
        .filter(Boolean);
    app.get(
      '/api/sharing/grants/:id/rows',
      {
        schema: {
          tags: ['sharing'],
          summary:
            "The consumer unit's staff read a grant's data in the console: rows as a system gets them, each with a reference a problem report can name",
          params: S.IdParams,
          querystring: S.RowsQuery,
          response: { 200: S.BrowsePage },
        },
        config: { allow: APPLICANTS },
      },
      async (req) => {
        const { fields, ...q } = req.query;
        return server.browse(req.ctx, req.params.id, { ...q, fields: fieldsOf(fields) });
      },
    );
    app.get(
      '/api/share/grants/:id/rows',
      {
        schema: {
          tags,
          summary: 'Rows of a grant: a where over its items, fields, a sort, cursor pages; masked as the grant says',
          params: S.IdParams,
          querystring: S.RowsQuery,
          response: { 200: S.RowsPage },
        },
        config: { allow: ['system'], auditedByRoute: true },
      },
      async (req) => {
        const { fields, ...q } = req.query;
        return server.query(req.ctx, req.params.id, { ...q, fields: fieldsOf(fields) });
      },
    );
    app.get(
      '/api/share/grants/:id/lookup',
      {
        schema: {
          tags,
          summary: 'One record of a grant by its key (the key items as query parameters)',
          params: S.IdParams,
          querystring: S.LookupQuery,
          response: { 200: S.Lookup },
        },
        config: { allow: ['system'], auditedByRoute: true },
      },
      async (req) => {
        const { fields, ...key } = req.query as Record<string, string>;
        return server.lookup(req.ctx, req.params.id, key, fieldsOf(fields));
      },
    );
    app.get(
      '/api/share/grants/:id/changes',
      {
        schema: {
          tags,
          summary:
            'What changed since a cursor (rows inserted or updated, keys deleted), for a consumer that keeps a copy; masked as the grant says',
          params: S.IdParams,
          querystring: S.ChangesQuery,
          response: { 200: S.Changes },
        },
        config: { allow: ['system'], auditedByRoute: true },
      },
      async (req) => server.sync(req.ctx, req.params.id, req.query),
    );
    app.get(
      '/api/share/grants/:id/export',
      {
        schema: {
          tags,
          summary:
            "A file of the grant's rows (CSV in UTF-8 with BOM or GB18030, or XLSX), masked, streamed and fingerprinted; the consumer's systems and staff",
          params: S.IdParams,
          querystring: S.ExportQuery,
          produces: ['text/csv', XLSX_TYPE],
        },
        config: { allow: ['system', 'unit_admin', 'unit_user'], auditedByRoute: true },
      },
      async (req, reply) => {
        const { fields, ...q } = req.query;
        const f = await server.export(req.ctx, req.params.id, { ...q, fields: fieldsOf(fields) });
        return reply
          .header('content-type', f.contentType)
          .header(
            'content-disposition',
            `attachment; filename="export.${q.format}"; filename*=UTF-8''${encodeURIComponent(f.fileName)}`,
          )
          .header('x-export-id', f.id)
          .header('x-export-rows', String(f.rows))
          .send(f.stream);
      },
    );
    app.post(
      '/api/share/grants/:id/verify',
      {
        schema: {
          tags,
          summary:
            'Verify values against a record of a grant: match or no match per item; the stored values never leave',
          params: S.IdParams,
          body: S.VerifyBody,
          response: { 200: S.Verified },
        },
        config: { allow: ['system'], auditedByRoute: true },
      },
      async (req) => server.verify(req.ctx, req.params.id, req.body.values),
    );
  };
