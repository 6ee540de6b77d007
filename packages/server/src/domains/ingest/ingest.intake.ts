// How a request's body becomes a batch's source: a pushed JSON array or NDJSON stream, or an uploaded CSV or XLSX
// file streamed as the raw body. The routes stay free of content negotiation; each intake says how the batch
// starts, opens its reader once the batch is recorded, and drains what the reader left when it is done.
import { PassThrough, Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type { BatchMode } from '../../db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import type { ResourceMeta, StartBatch } from './ingest.service.ts';

type IncomingHttpHeaders = FastifyRequest['headers'];
import { DELIMITERS, openCsv, openNdjson, openObjects, openXlsx, type Encoding } from './read/read.sources.ts';
import type { OpenedSource } from './read/read.sources.ts';

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const NDJSON = 'application/x-ndjson';
/** Content types that stream through as the raw request (files and NDJSON). */
export const STREAMED_TYPES = [
  'text/csv',
  'text/plain',
  'application/octet-stream',
  XLSX,
  'application/vnd.ms-excel',
  NDJSON,
];
export const MAX_UPLOAD = 2 * 1024 * 1024 * 1024;
export const MAX_JSON_PUSH = 64 * 1024 * 1024;

/** A batch's way in: how it starts, how its rows are read, and what to do when it is over. */
export interface Intake {
  start: StartBatch;
  open: (onBytes: (n: number) => void, resource: ResourceMeta) => Promise<OpenedSource>;
  /** Reads the rest of the body, so the client gets its answer however the batch ended. */
  done(): void;
}

const mediaType = (headers: IncomingHttpHeaders) =>
  String(headers['content-type'] ?? '')
    .split(';')[0]!
    .trim();

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

/** A JSON array is parsed whole: a large push must go as NDJSON, which streams (refused before the body is read). */
export function refuseLargeJsonPush(headers: IncomingHttpHeaders) {
  if (mediaType(headers) === 'application/json' && Number(headers['content-length'] ?? 0) > MAX_JSON_PUSH)
    throw new AppError(
      413,
      'ingest.json_too_large',
      `JSON 数组推送不能超过 ${MAX_JSON_PUSH / 1024 / 1024} MB；更大的批次请用 application/x-ndjson 逐行推送`,
      `A JSON array push may not exceed ${MAX_JSON_PUSH / 1024 / 1024} MB; send larger batches as application/x-ndjson`,
    );
}

/** Rows pushed by a unit's system: an NDJSON stream, or a JSON array of objects keyed by item code. */
export function pushIntake(
  headers: IncomingHttpHeaders,
  body: unknown,
  mode: BatchMode,
  idempotencyKey: string | null,
): Intake {
  const type = mediaType(headers);
  if (type === NDJSON) {
    const piped = detachable(body as Readable);
    return {
      start: { source: 'push', mode, idempotencyKey, fileFormat: 'ndjson', strictWidth: false },
      open: (onBytes, m) =>
        openNdjson(
          piped.stream,
          m.items.map((i) => i.code),
          { onBytes },
        ),
      done: () => piped.drain(),
    };
  }
  if (type !== 'application/json')
    throw new AppError(
      415,
      'request.unsupported_media_type',
      '推送数据请使用 application/json 或 application/x-ndjson',
      'Push rows as application/json or application/x-ndjson',
    );
  if (!Array.isArray(body))
    throw new AppError(
      400,
      'ingest.body_not_array',
      '请求体应为 JSON 数组（每个元素是一行，键为信息项代码），或使用 application/x-ndjson 逐行发送',
      'The body must be a JSON array of row objects keyed by item code, or an application/x-ndjson stream',
      [{ field: 'body', message: { zh: '应为数组', en: 'must be an array' } }],
    );
  if (!body.length)
    throw new AppError(400, 'ingest.no_rows', '请求体是空数组，没有数据行', 'The body is an empty array: no rows', [
      { field: 'body', message: { zh: '至少需要一行', en: 'needs at least one row' } },
    ]);
  const src = openObjects(body, JSON.stringify(body));
  return {
    // the checksum is known before reading: a retried push with another body under the same key is refused
    start: { source: 'push', mode, idempotencyKey, fileFormat: 'json', checksum: src.checksum(), strictWidth: false },
    open: async () => src,
    done: () => {},
  };
}

export interface UploadOptions {
  mode?: BatchMode | undefined;
  fileName?: string | undefined;
  format?: 'auto' | 'csv' | 'xlsx' | undefined;
  encoding?: 'auto' | 'utf-8' | 'gb18030' | 'gbk' | undefined;
  delimiter?: 'auto' | 'comma' | 'tab' | 'semicolon' | 'pipe' | undefined;
}

/** A CSV or XLSX file as the raw body: the format from the query, the content type or the file name. */
export function uploadIntake(headers: IncomingHttpHeaders, body: unknown, q: UploadOptions): Intake {
  if (!(body instanceof Readable))
    throw new AppError(
      415,
      'request.unsupported_media_type',
      '请以文件内容作为请求体上传（Content-Type: text/csv 或 Excel .xlsx）',
      'Upload the file as the request body (Content-Type: text/csv or .xlsx)',
    );
  const fileName = q.fileName ?? null;
  const format =
    q.format && q.format !== 'auto'
      ? q.format
      : mediaType(headers) === XLSX || /\.xlsx$/i.test(fileName ?? '')
        ? 'xlsx'
        : 'csv';
  const encoding: Encoding = q.encoding === 'gbk' ? 'gb18030' : (q.encoding ?? 'auto');
  const delimiter = q.delimiter && q.delimiter !== 'auto' ? { delimiter: DELIMITERS[q.delimiter]! } : {};
  const piped = detachable(body);
  return {
    start: {
      source: 'upload',
      mode: q.mode ?? 'upsert',
      fileName,
      fileFormat: format,
      encoding: format === 'csv' && encoding !== 'auto' ? encoding : null,
      totalBytes: Number(headers['content-length']) || null,
      strictWidth: format === 'csv',
    },
    open: (onBytes) =>
      format === 'xlsx'
        ? openXlsx(piped.stream, { onBytes })
        : openCsv(piped.stream, { encoding, ...delimiter, onBytes }),
    done: () => piped.drain(),
  };
}
