import { PassThrough, Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../platform/errors.ts';
import { Obj } from '../../platform/http.ts';
import { CENTER_ROLES, ROLES } from '../../platform/context.ts';
import type { IngestService } from './ingest.service.ts';
import type { PullService } from './pull.ts';
import type { OneSourceService } from './one-source.ts';
import { DELIMITERS, openCsv, openNdjson, openObjects, openXlsx, type Encoding } from './readers.ts';

const Any = Type.Unknown();
const Uuid = Type.String({ format: 'uuid' });
/** A resource by id or by its catalog code (what an integrating system knows). */
const Ref = Type.String({
  minLength: 1,
  maxLength: 60,
  pattern:
    '^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9A-Za-z]{1,20}/[0-9]{1,12})$',
  description: 'resource id, or its catalog code (URL-encode the slash: 301001%2F000001)',
});
const Mode = Type.Union([Type.Literal('upsert'), Type.Literal('append'), Type.Literal('replace')]);
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const NDJSON = 'application/x-ndjson';
const FILE_TYPES = ['text/csv', 'text/plain', 'application/octet-stream', XLSX, 'application/vnd.ms-excel'];
const LOADERS = ['center_admin', 'unit_admin', 'unit_user', 'system'] as const;
const BROWSERS = [...CENTER_ROLES, 'unit_admin', 'unit_security_officer', 'unit_user'] as const;
const MAX_UPLOAD = 2 * 1024 * 1024 * 1024;
const MAX_JSON_PUSH = 64 * 1024 * 1024;

const FilterRe = '^[a-z][a-z0-9_]{0,62}:(eq|contains|gt|lt):.{0,200}$';

const Settings = Type.Record(
  Type.String({ maxLength: 40, pattern: '^[A-Za-z]+$' }),
  Type.Union([Type.String({ maxLength: 10000 }), Type.Integer()]),
  {
    description:
      'postgres/mysql: host, port, database, user, query, incrementalColumn; http: url, itemsPath, pageParam, pageSizeParam, pageSize, firstPage, sinceParam, incrementalColumn, authHeader',
  },
);
const Interval = Type.Union([Type.Integer({ minimum: 5, maximum: 525600 }), Type.Null()]);
const PullCreate = Obj({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  kind: Type.Union([Type.Literal('postgres'), Type.Literal('mysql'), Type.Literal('http')]),
  settings: Settings,
  secret: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 1000,
      description: "database password, or the value of the API's auth header; stored sealed with SM4, never returned",
    }),
  ),
  mode: Type.Optional(Mode),
  intervalMinutes: Type.Optional(Interval),
  active: Type.Optional(Type.Boolean()),
});
const PullPatch = Obj({
  settings: Type.Optional(Settings),
  secret: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 1000 }), Type.Null()])),
  mode: Type.Optional(Mode),
  intervalMinutes: Type.Optional(Interval),
  active: Type.Optional(Type.Boolean()),
});

/**
 * A request body handed to a reader through a pipe, so that whatever the reader leaves (a file that failed early)
 * can be drained: the reader's iterator holds its stream, and a stream with such a reader never flows again, so the
 * client's upload would stall until a timeout instead of getting its answer.
 */
function detachable(raw: Readable): { stream: Readable; drain(): void } {
  const stream = new PassThrough({ highWaterMark: 1024 * 1024 });
  raw.pipe(stream);
  return {
    stream,
    drain() {
      if (raw.readableEnded) return;
      raw.unpipe(stream);
      stream.destroy();
      raw.resume();
    },
  };
}

export const ingestRoutes =
  (svc: IngestService, pulls: PullService, oneSource: OneSourceService): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['ingest'];
    // Files and NDJSON stream through as the raw request; JSON is parsed (with a larger limit on the push route).
    app.addContentTypeParser([...FILE_TYPES, NDJSON], { bodyLimit: MAX_UPLOAD }, (_req, payload, done) =>
      done(null, payload),
    );

    app.get(
      '/api/ingest/resources',
      {
        schema: {
          tags,
          summary:
            'Approved resources with their data table, row count, last load and freshness (a unit sees its own; the Center all, or one unit)',
          querystring: Obj({
            orgId: Type.Optional(Uuid),
            freshness: Type.Optional(
              Type.Union(['fresh', 'due', 'overdue', 'never', 'irregular', 'no_table'].map((x) => Type.Literal(x))),
            ),
          }),
          response: { 200: Any },
        },
        config: { allow: ROLES },
      },
      async (req) =>
        svc.overview(req.ctx, {
          ...(req.query.orgId ? { orgId: req.query.orgId } : {}),
          ...(req.query.freshness ? { freshness: req.query.freshness as never } : {}),
        }),
    );

    app.get(
      '/api/ingest/overdue-by-unit',
      {
        schema: {
          tags,
          summary: 'Overdue, due and never-loaded resources counted by unit (Center)',
          response: { 200: Any },
        },
        config: { allow: CENTER_ROLES },
      },
      async (req) => svc.overdueByUnit(req.ctx),
    );

    app.get(
      '/api/ingest/resources/:ref',
      {
        schema: {
          tags,
          summary: "One resource's data table: columns, key, counts, freshness, and what the caller may do",
          params: Obj({ ref: Ref }),
          response: { 200: Any },
        },
        config: { allow: [...BROWSERS, 'system'] },
      },
      async (req) => svc.resource(req.ctx, req.params.ref),
    );

    app.post(
      '/api/ingest/resources/:ref/rows',
      {
        bodyLimit: MAX_UPLOAD,
        // A JSON array is parsed whole: large pushes go as NDJSON, which streams.
        onRequest: async (req) => {
          const type = String(req.headers['content-type'] ?? '')
            .split(';')[0]!
            .trim();
          if (type === 'application/json' && Number(req.headers['content-length'] ?? 0) > MAX_JSON_PUSH)
            throw new AppError(
              413,
              'ingest.json_too_large',
              `JSON 数组推送不能超过 ${MAX_JSON_PUSH / 1024 / 1024} MB；更大的批次请用 application/x-ndjson 逐行推送`,
              `A JSON array push may not exceed ${MAX_JSON_PUSH / 1024 / 1024} MB; send larger batches as application/x-ndjson`,
            );
        },
        schema: {
          tags,
          summary:
            'Push rows from a unit\'s system: a JSON array of objects keyed by item code, or an NDJSON stream (Content-Type: application/x-ndjson). Header Idempotency-Key: a retried push never loads twice. The reply is the batch (201; 200 for a replayed key): check batch.status — a body that cannot be read gives status "failed" with error.zh/en and changes no data; rejected rows are counted and listed with their reasons.',
          params: Obj({ ref: Ref }),
          querystring: Obj({ mode: Type.Optional(Mode) }),
          headers: Type.Object({
            'idempotency-key': Type.Optional(
              Type.String({ minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7e]+$' }),
            ),
          }),
          response: { 200: Any, 201: Any },
        },
        config: { allow: LOADERS, bodyTextPerRow: true },
      },
      async (req, reply) => {
        const mode = req.query.mode ?? 'upsert';
        const key = req.headers['idempotency-key'] as string | undefined;
        const type = String(req.headers['content-type'] ?? '')
          .split(';')[0]!
          .trim();
        let res;
        if (type === NDJSON) {
          const body = detachable(req.body as Readable);
          try {
            res = await svc.ingest(
              req.ctx,
              req.params.ref,
              { source: 'push', mode, idempotencyKey: key ?? null, fileFormat: 'ndjson', strictWidth: false },
              (onBytes, m) =>
                openNdjson(
                  body.stream,
                  m.items.map((i) => i.code),
                  { onBytes },
                ),
            );
          } finally {
            body.drain();
          }
        } else if (type === 'application/json') {
          const body = req.body;
          if (!Array.isArray(body))
            throw new AppError(
              400,
              'ingest.body_not_array',
              '请求体应为 JSON 数组（每个元素是一行，键为信息项代码），或使用 application/x-ndjson 逐行发送',
              'The body must be a JSON array of row objects keyed by item code, or an application/x-ndjson stream',
              [{ field: 'body', message: { zh: '应为数组', en: 'must be an array' } }],
            );
          if (!body.length)
            throw new AppError(
              400,
              'ingest.no_rows',
              '请求体是空数组，没有数据行',
              'The body is an empty array: no rows',
              [{ field: 'body', message: { zh: '至少需要一行', en: 'needs at least one row' } }],
            );
          const text = JSON.stringify(body);
          const src = openObjects(body, text);
          res = await svc.ingest(
            req.ctx,
            req.params.ref,
            {
              source: 'push',
              mode,
              idempotencyKey: key ?? null,
              fileFormat: 'json',
              checksum: src.checksum(),
              strictWidth: false,
            },
            async () => src,
          );
        } else
          throw new AppError(
            415,
            'request.unsupported_media_type',
            '推送数据请使用 application/json 或 application/x-ndjson',
            'Push rows as application/json or application/x-ndjson',
          );
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
          params: Obj({ ref: Ref }),
          querystring: Obj({
            mode: Type.Optional(Mode),
            fileName: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
            format: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('csv'), Type.Literal('xlsx')])),
            encoding: Type.Optional(
              Type.Union([Type.Literal('auto'), Type.Literal('utf-8'), Type.Literal('gb18030'), Type.Literal('gbk')]),
            ),
            delimiter: Type.Optional(
              Type.Union([
                Type.Literal('auto'),
                Type.Literal('comma'),
                Type.Literal('tab'),
                Type.Literal('semicolon'),
                Type.Literal('pipe'),
              ]),
            ),
          }),
          response: { 200: Any },
        },
        config: { allow: LOADERS },
      },
      async (req) => {
        if (!(req.body instanceof Readable))
          throw new AppError(
            415,
            'request.unsupported_media_type',
            '请以文件内容作为请求体上传（Content-Type: text/csv 或 Excel .xlsx）',
            'Upload the file as the request body (Content-Type: text/csv or .xlsx)',
          );
        const q = req.query;
        const type = String(req.headers['content-type'] ?? '')
          .split(';')[0]!
          .trim();
        const fileName = q.fileName ?? null;
        const format =
          q.format && q.format !== 'auto'
            ? q.format
            : type === XLSX || /\.xlsx$/i.test(fileName ?? '')
              ? 'xlsx'
              : 'csv';
        const encoding: Encoding = q.encoding === 'gbk' ? 'gb18030' : (q.encoding ?? 'auto');
        const total = Number(req.headers['content-length']) || null;
        const body = detachable(req.body);
        const file = body.stream;
        try {
          return await svc.ingest(
            req.ctx,
            req.params.ref,
            {
              source: 'upload',
              mode: q.mode ?? 'upsert',
              fileName,
              fileFormat: format,
              encoding: format === 'csv' && encoding !== 'auto' ? encoding : null,
              totalBytes: total,
              strictWidth: format === 'csv',
            },
            (onBytes) =>
              format === 'xlsx'
                ? openXlsx(file, { onBytes })
                : openCsv(file, {
                    encoding,
                    ...(q.delimiter && q.delimiter !== 'auto' ? { delimiter: DELIMITERS[q.delimiter]! } : {}),
                    onBytes,
                  }),
          );
        } finally {
          // whatever happened to the batch, the rest of the body is read so the client gets its answer
          body.drain();
        }
      },
    );

    app.get(
      '/api/ingest/resources/:ref/batches',
      {
        schema: {
          tags,
          summary: "A resource's batch history, newest first",
          params: Obj({ ref: Ref }),
          querystring: Obj({
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
            offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
          }),
          response: { 200: Any },
        },
        config: { allow: [...BROWSERS, 'system'] },
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
          params: Obj({ id: Uuid }),
          response: { 200: Any },
        },
        config: { allow: [...BROWSERS, 'system'] },
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
          params: Obj({ id: Uuid }),
          produces: ['text/csv'],
        },
        config: { allow: [...BROWSERS, 'system'] },
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
          params: Obj({ ref: Ref }),
          querystring: Obj({
            page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
            pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
            sort: Type.Optional(Type.String({ maxLength: 63, pattern: '^[a-z][a-z0-9_]*$' })),
            order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
            filter: Type.Optional(Type.Array(Type.String({ maxLength: 270, pattern: FilterRe }), { maxItems: 5 })),
            raw: Type.Optional(Type.Boolean()),
          }),
          response: { 200: Any },
        },
        config: { allow: BROWSERS },
      },
      async (req) => {
        const q = req.query;
        const filters = (q.filter ?? []).map((f) => {
          const [code, op, ...rest] = f.split(':');
          return { code: code!, op: op as 'eq' | 'contains' | 'gt' | 'lt', value: rest.join(':') };
        });
        return svc.browse(req.ctx, req.params.ref, {
          page: q.page ?? 1,
          pageSize: q.pageSize ?? 20,
          ...(q.sort ? { sort: q.sort } : {}),
          ...(q.order ? { order: q.order } : {}),
          filters,
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
          params: Obj({ ref: Ref }),
          response: { 200: Any },
        },
        config: { allow: ['center_admin', 'unit_admin'] },
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
          params: Obj({ ref: Ref }),
          body: PullCreate,
          response: { 201: Any },
        },
        config: { allow: ['center_admin', 'unit_admin'] },
      },
      async (req, reply) => reply.status(201).send(await pulls.create(req.ctx, req.params.ref, req.body)),
    );

    app.patch(
      '/api/ingest/pull-sources/:id',
      {
        schema: {
          tags,
          summary: 'Change a pull source: settings, secret, mode, interval, or pause and resume it',
          params: Obj({ id: Uuid }),
          body: PullPatch,
          response: { 200: Any },
        },
        config: { allow: ['center_admin', 'unit_admin'] },
      },
      async (req) => pulls.update(req.ctx, req.params.id, req.body),
    );

    app.post(
      '/api/ingest/pull-sources/:id/run',
      {
        schema: {
          tags,
          summary: 'Run a pull now: one batch; on failure the source backs off and shows the error',
          params: Obj({ id: Uuid }),
          response: { 200: Any },
        },
        config: { allow: ['center_admin', 'unit_admin'] },
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
          response: { 200: Any },
        },
        config: { allow: ['center_admin', 'center_reviewer'] },
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
          querystring: Obj({
            resourceId: Type.Optional(Uuid),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
            offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
          }),
          response: { 200: Any },
        },
        config: { allow: ROLES },
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
          params: Obj({ ref: Ref }),
          querystring: Obj({
            profileId: Type.Optional(Type.String({ maxLength: 40, pattern: '^(default|[0-9a-fA-F-]{36})$' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
          }),
          response: { 200: Any },
        },
        config: { allow: BROWSERS },
      },
      async (req) => svc.maskingPreview(req.ctx, req.params.ref, req.query.profileId, req.query.limit ?? 10),
    );
  };
