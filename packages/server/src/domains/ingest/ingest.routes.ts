// The ingest API: the overview, pushes and uploads, batches and their rejected rows, the data browser, scheduled
// pulls and the one-source comparison. Schemas are ingest.schemas.ts's, role lists ingest.policy.ts's (the
// services check the owner unit), and how a body becomes a batch's source is ingest.intake.ts's.
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { BrowseService } from './browse/browse.service.ts';
import {
  MAX_UPLOAD,
  pushIntake,
  refuseLargeJsonPush,
  STREAMED_TYPES,
  uploadIntake,
  type Intake,
} from './ingest.intake.ts';
import {
  ANY_ROLE,
  BATCH_ROLES,
  BROWSE_ROLES,
  CENTER_VIEW_ROLES,
  CHECK_ROLES,
  LOAD_ROLES,
  PULL_ROLES,
} from './ingest.policy.ts';
import {
  BatchOutcome,
  BatchPage,
  BatchReport,
  BrowsePage,
  CheckSummary,
  Conflicts,
  DataResource,
  MaskingPreview,
  OverdueByUnit,
  OverviewRow,
  PullRun,
  PullSource,
  BatchPageQuery,
  BrowseQuery,
  ConflictsQuery,
  IdParams,
  MaskingPreviewQuery,
  OverviewQuery,
  parseFilters,
  PullCreate,
  PullPatch,
  PushHeaders,
  PushQuery,
  RefParams,
  UploadQuery,
} from './ingest.schemas.ts';
import type { IngestService } from './ingest.service.ts';
import type { OneSourceService } from './one-source/one-source.service.ts';
import type { PullService } from './pull/pull.service.ts';

export const ingestRoutes =
  (
    svc: IngestService,
    browser: BrowseService,
    pulls: PullService,
    oneSource: OneSourceService,
  ): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['ingest'];
    // Files and NDJSON stream through as the raw request; JSON is parsed (with a larger limit on the push route).
    app.addContentTypeParser(STREAMED_TYPES, { bodyLimit: MAX_UPLOAD }, (_req, payload, done) => done(null, payload));

    /** Runs a batch from its intake; the rest of the body is read whatever happened. */
    const load = async (req: { ctx: Parameters<IngestService['ingest']>[0] }, ref: string, intake: Intake) => {
      try {
        return await svc.ingest(req.ctx, ref, intake.start, intake.open);
      } finally {
        intake.done();
      }
    };

    app.get(
      '/api/ingest/resources',
      {
        schema: {
          tags,
          summary:
            'Approved resources with their data table, row count, last load and freshness (a unit sees its own; the Center all, or one unit)',
          querystring: OverviewQuery,
          response: { 200: Type.Array(OverviewRow) },
        },
        config: { allow: ANY_ROLE },
      },
      async (req) =>
        svc.overview(req.ctx, {
          ...(req.query.orgId ? { orgId: req.query.orgId } : {}),
          ...(req.query.freshness ? { freshness: req.query.freshness } : {}),
        }),
    );

    app.get(
      '/api/ingest/overdue-by-unit',
      {
        schema: {
          tags,
          summary: 'Overdue, due and never-loaded resources counted by unit (Center)',
          response: { 200: Type.Array(OverdueByUnit) },
        },
        config: { allow: CENTER_VIEW_ROLES },
      },
      async (req) => svc.overdueByUnit(req.ctx),
    );

    app.get(
      '/api/ingest/resources/:ref',
      {
        schema: {
          tags,
          summary: "One resource's data table: columns, key, counts, freshness, and what the caller may do",
          params: RefParams,
          response: { 200: DataResource },
        },
        config: { allow: BATCH_ROLES },
      },
      async (req) => svc.resource(req.ctx, req.params.ref),
    );

    app.post(
      '/api/ingest/resources/:ref/rows',
      {
        bodyLimit: MAX_UPLOAD,
        onRequest: async (req) => refuseLargeJsonPush(req.headers),
        schema: {
          tags,
          summary:
            'Push rows from a unit\'s system: a JSON array of objects keyed by item code, or an NDJSON stream (Content-Type: application/x-ndjson). Header Idempotency-Key: a retried push never loads twice. The reply is the batch (201; 200 for a replayed key): check batch.status — a body that cannot be read gives status "failed" with error.zh/en and changes no data; rejected rows are counted and listed with their reasons.',
          params: RefParams,
          querystring: PushQuery,
          headers: PushHeaders,
          response: { 200: BatchOutcome, 201: BatchOutcome },
        },
        config: { allow: LOAD_ROLES, bodyTextPerRow: true },
      },
      async (req, reply) => {
        const key = (req.headers['idempotency-key'] as string | undefined) ?? null;
        const intake = pushIntake(req.headers, req.body, req.query.mode ?? 'upsert', key);
        const res = await load(req, req.params.ref, intake);
        return reply.status(res.replayed ? 200 : 201).send(res);
      },
    );

    app.post(
      '/api/ingest/resources/:ref/upload',
      {
        bodyLimit: MAX_UPLOAD,
        schema: {
          tags,
          summary:
            'Upload a CSV (UTF-8 with or without BOM, or GB18030/GBK, detected or stated; any common delimiter) or XLSX file as the raw body; streamed, validated, loaded as one batch. The reply is the batch: check batch.status — a file that cannot be read gives status "failed" with error.zh/en and changes no data; rejected rows are counted and listed with their reasons',
          params: RefParams,
          querystring: UploadQuery,
          response: { 200: BatchOutcome },
        },
        config: { allow: LOAD_ROLES },
      },
      async (req) => load(req, req.params.ref, uploadIntake(req.headers, req.body, req.query)),
    );

    app.get(
      '/api/ingest/resources/:ref/batches',
      {
        schema: {
          tags,
          summary: "A resource's batch history, newest first",
          params: RefParams,
          querystring: BatchPageQuery,
          response: { 200: BatchPage },
        },
        config: { allow: BATCH_ROLES },
      },
      async (req) =>
        svc.batches(req.ctx, req.params.ref, { limit: req.query.limit ?? 20, offset: req.query.offset ?? 0 }),
    );

    app.get(
      '/api/ingest/batches/:id',
      {
        schema: {
          tags,
          summary:
            'One batch: source, operator, mode, counts, checksum, times, warnings or error, and the first rejected rows',
          params: IdParams,
          response: { 200: BatchReport },
        },
        config: { allow: BATCH_ROLES },
      },
      async (req) => svc.batch(req.ctx, req.params.id),
    );

    app.get(
      '/api/ingest/batches/:id/rejected.csv',
      {
        schema: {
          tags,
          summary:
            "The batch's rejected rows as CSV (UTF-8 with BOM): original values plus the reasons; fix and upload again",
          params: IdParams,
          produces: ['text/csv'],
        },
        config: { allow: BATCH_ROLES },
      },
      async (req, reply) => {
        const gen = svc.rejectedCsv(req.ctx, req.params.id);
        const first = await gen.next(); // authorization and existence are checked before any byte is sent
        reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="rejected-${req.params.id.slice(0, 8)}.csv"`);
        async function* all() {
          if (!first.done) yield first.value;
          yield* gen;
        }
        return reply.send(Readable.from(all()));
      },
    );

    app.get(
      '/api/ingest/resources/:ref/rows',
      {
        schema: {
          tags,
          summary:
            'Browse the current data with paging, sorting and filters (filter=item:op:value, op eq|contains|gt|lt); personal data is masked unless the caller may see it raw',
          params: RefParams,
          querystring: BrowseQuery,
          response: { 200: BrowsePage },
        },
        config: { allow: BROWSE_ROLES },
      },
      async (req) => {
        const q = req.query;
        return browser.browse(req.ctx, req.params.ref, {
          page: q.page ?? 1,
          pageSize: q.pageSize ?? 20,
          ...(q.sort ? { sort: q.sort } : {}),
          ...(q.order ? { order: q.order } : {}),
          filters: parseFilters(q.filter),
          raw: q.raw ?? false,
        });
      },
    );

    app.get(
      '/api/ingest/resources/:ref/pull-sources',
      {
        schema: {
          tags,
          summary: "A resource's scheduled pull sources (secrets are never returned)",
          params: RefParams,
          response: { 200: Type.Array(PullSource) },
        },
        config: { allow: PULL_ROLES },
      },
      async (req) => pulls.list(req.ctx, req.params.ref),
    );

    app.post(
      '/api/ingest/resources/:ref/pull-sources',
      {
        schema: {
          tags,
          summary:
            'Add a scheduled pull: a source PostgreSQL or MySQL query (with an incremental column) or a paged HTTP JSON API; the schedule defaults to the update cycle',
          params: RefParams,
          body: PullCreate,
          response: { 201: PullSource },
        },
        config: { allow: PULL_ROLES },
      },
      async (req, reply) => reply.status(201).send(await pulls.create(req.ctx, req.params.ref, req.body)),
    );

    app.patch(
      '/api/ingest/pull-sources/:id',
      {
        schema: {
          tags,
          summary: 'Change a pull source: settings, secret, mode, interval, or pause and resume it',
          params: IdParams,
          body: PullPatch,
          response: { 200: PullSource },
        },
        config: { allow: PULL_ROLES },
      },
      async (req) => pulls.update(req.ctx, req.params.id, req.body),
    );

    app.post(
      '/api/ingest/pull-sources/:id/run',
      {
        schema: {
          tags,
          summary: 'Run a pull now: one batch; on failure the source backs off and shows the error',
          params: IdParams,
          response: { 200: PullRun },
        },
        config: { allow: PULL_ROLES },
      },
      async (req) => pulls.run(req.ctx, req.params.id),
    );

    app.post(
      '/api/ingest/conflicts/check',
      {
        schema: {
          tags,
          summary:
            'Run the one-data-one-source comparison now (also runs daily): values held by other resources that disagree with the authoritative source',
          response: { 200: CheckSummary },
        },
        config: { allow: CHECK_ROLES },
      },
      async (req) => oneSource.check(req.ctx),
    );

    app.get(
      '/api/ingest/conflicts',
      {
        schema: {
          tags,
          summary:
            'The latest comparison: conflicts counted by resource and unit, and the conflicting values (a unit sees those it holds or is the source of)',
          querystring: ConflictsQuery,
          response: { 200: Conflicts },
        },
        config: { allow: ANY_ROLE },
      },
      async (req) =>
        oneSource.latest(req.ctx, {
          ...(req.query.resourceId ? { resourceId: req.query.resourceId } : {}),
          limit: req.query.limit ?? 100,
          offset: req.query.offset ?? 0,
        }),
    );

    app.get(
      '/api/ingest/resources/:ref/masking-preview',
      {
        schema: {
          tags,
          summary:
            "A masking profile applied to the first loaded rows (values before masking only for the owner unit's officers)",
          params: RefParams,
          querystring: MaskingPreviewQuery,
          response: { 200: MaskingPreview },
        },
        config: { allow: BROWSE_ROLES },
      },
      async (req) => browser.maskingPreview(req.ctx, req.params.ref, req.query.profileId, req.query.limit ?? 10),
    );
  };
