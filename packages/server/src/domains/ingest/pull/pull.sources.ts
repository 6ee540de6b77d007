// The connectors of scheduled pulls: a PostgreSQL or MySQL query (read-only, streamed through a cursor) or a paged
// HTTP JSON API, always to the address the outbound guard checked; and their rows as a pipeline source.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { AppError } from '../../../platform/errors.ts';
import {
  CONNECTION_FAILED,
  OutboundFailed,
  OutboundRefused,
  type OutboundGuard,
  type Target,
} from '../../../platform/outbound.ts';
import type { InRow, OpenedSource } from '../read/read.sources.ts';
import type { DbSettings, HttpSettings, PullKind } from './pull.settings.ts';

const FETCH = 5000;
/** Largest page an HTTP source may answer with. */
const MAX_API_PAGE = 64 * 1024 * 1024;

/** Rows of plain objects as a pipeline source: each object's values by item code (or Chinese name). */
export function objectSource(
  rows: AsyncIterable<Record<string, unknown>>,
  items: { code: string; name: string }[],
  onRow: (r: Record<string, unknown>) => void,
): OpenedSource {
  const hash = createHash('sm3');
  const stats = { bytes: 0, encoding: null, delimiter: null };
  async function* gen(): AsyncGenerator<InRow> {
    let rowNo = 0;
    for await (const r of rows) {
      rowNo++;
      onRow(r);
      const line = JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
      hash.update(line);
      stats.bytes += line.length;
      yield { rowNo, cells: items.map((i) => (i.code in r ? r[i.code] : r[i.name])) };
    }
  }
  return { header: items.map((i) => i.code), rows: gen(), stats, checksum: () => hash.copy().digest('hex') };
}

function getPath(o: unknown, path: string | undefined): unknown {
  if (!path) return o;
  return path
    .split('.')
    .reduce<unknown>((x, k) => (x && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined), o);
}

export const sourceError = (zh: string, en: string) => new AppError(502, 'ingest.pull_source', zh, en);

/** A connection that failed, told the same way whatever the cause (closed, filtered, wrong password); the cause goes to the log. */
function connectFailed(what: { zh: string; en: string }, e: unknown): AppError {
  process.stderr.write(`pull: ${what.en}: ${(e as Error)?.message ?? String(e)}\n`);
  return sourceError(`${what.zh}：${CONNECTION_FAILED.zh}`, `${what.en}: ${CONNECTION_FAILED.en}`);
}
const DB_CONNECT = { zh: '无法连接源数据库', en: 'Cannot connect to the source database' };

/**
 * The source's rows, streamed, from the address the guard checked. A failed connection is told in words that do
 * not say whether the port was open; a query that the source refuses (after log-in) names the source's reason.
 */
/**
 * The source's rows, streamed, from the address the guard checked. A failed connection is told in words that do
 * not say whether the port was open; a query that the source refuses (after log-in) names the source's reason.
 */
export function readSource(
  guard: OutboundGuard,
  kind: PullKind,
  settings: Record<string, unknown>,
  secret: string | null,
  cursor: string | null,
  target: Target | null,
): AsyncGenerator<Record<string, unknown>> {
  if (kind === 'postgres') return readPostgres(settings as unknown as DbSettings, secret, cursor, target!);
  if (kind === 'mysql') return readMysql(settings as unknown as DbSettings, secret, cursor, target!);
  return readHttp(guard, settings as unknown as HttpSettings, secret, cursor);
}

const queryFailed = (e: unknown) =>
  e instanceof AppError
    ? e
    : sourceError(`源数据库查询失败：${(e as Error).message}`, `The source query failed: ${(e as Error).message}`);

/** A read-only transaction and a server-side cursor, fetched 5,000 rows at a time. */
async function* readPostgres(
  d: DbSettings,
  secret: string | null,
  cursor: string | null,
  target: Target,
): AsyncGenerator<Record<string, unknown>> {
  const client = new pg.Client({
    host: target.address,
    port: d.port ?? 5432,
    database: d.database,
    user: d.user,
    password: secret ?? undefined,
    connectionTimeoutMillis: 10_000,
    statement_timeout: 600_000,
  });
  // a refused or dropped connection after connect() surfaces as an 'error' event; the query below then fails
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => {});
    throw connectFailed(DB_CONNECT, e);
  }
  try {
    await client.query('BEGIN READ ONLY');
    const inc = d.incrementalColumn;
    const text = inc
      ? `SELECT * FROM (${d.query}) q ${cursor !== null ? `WHERE q."${inc}" > $1 ` : ''}ORDER BY q."${inc}"`
      : d.query;
    await client.query({
      text: `DECLARE gongshu_pull NO SCROLL CURSOR FOR ${text}`,
      values: inc && cursor !== null ? [cursor] : [],
    });
    for (;;) {
      const r = await client.query(`FETCH ${FETCH} FROM gongshu_pull`);
      for (const row of r.rows) yield row as Record<string, unknown>;
      if (r.rows.length < FETCH) break;
    }
    await client.query('COMMIT');
  } catch (e) {
    throw queryFailed(e);
  } finally {
    await client.end().catch(() => {});
  }
}

/** A read-only transaction and a streamed query (mysql2, loaded only when a MySQL source runs). */
async function* readMysql(
  d: DbSettings,
  secret: string | null,
  cursor: string | null,
  target: Target,
): AsyncGenerator<Record<string, unknown>> {
  // loaded when a MySQL source runs (~10 MB a deployment without one does not carry)
  const { default: mysql } = await import('mysql2');
  const conn = mysql.createConnection({
    host: target.address,
    port: d.port ?? 3306,
    database: d.database,
    user: d.user,
    password: secret ?? undefined,
    connectTimeout: 10_000,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  const p = conn.promise();
  try {
    await p.connect();
  } catch (e) {
    conn.destroy();
    throw connectFailed(DB_CONNECT, e);
  }
  try {
    await p.query('START TRANSACTION READ ONLY');
    const inc = d.incrementalColumn;
    const text = inc
      ? `SELECT * FROM (${d.query}) q ${cursor !== null ? `WHERE q.\`${inc}\` > ? ` : ''}ORDER BY q.\`${inc}\``
      : d.query;
    const stream = conn
      .query({ sql: text, values: inc && cursor !== null ? [cursor] : [] })
      .stream({ highWaterMark: FETCH });
    for await (const row of stream) yield row as Record<string, unknown>;
    await p.query('COMMIT');
  } catch (e) {
    throw queryFailed(e);
  } finally {
    await p.end().catch(() => conn.destroy());
  }
}

/** Page after page of a JSON API, through the guard, until a page comes back short (or the API has no pages). */
async function* readHttp(
  guard: OutboundGuard,
  h: HttpSettings,
  secret: string | null,
  cursor: string | null,
): AsyncGenerator<Record<string, unknown>> {
  const pageSize = h.pageSize ?? 500;
  for (let page = h.firstPage ?? 1; ; page++) {
    const url = new URL(h.url);
    if (h.pageParam) url.searchParams.set(h.pageParam, String(page));
    if (h.pageSizeParam) url.searchParams.set(h.pageSizeParam, String(pageSize));
    if (h.sinceParam && cursor !== null) url.searchParams.set(h.sinceParam, cursor);
    let body: unknown;
    try {
      body = await guard.getJson(
        url,
        { accept: 'application/json', ...(secret ? { [h.authHeader ?? 'authorization']: secret } : {}) },
        { timeoutMs: 60_000, maxBytes: MAX_API_PAGE },
      );
    } catch (e) {
      if (e instanceof OutboundRefused) throw sourceError(e.refusal.zh, e.refusal.en);
      throw connectFailed(
        { zh: `接口请求失败（第 ${page} 页）`, en: `The API request failed (page ${page})` },
        e instanceof OutboundFailed ? new Error(e.detail) : e,
      );
    }
    const items = getPath(body, h.itemsPath);
    if (!Array.isArray(items))
      throw sourceError(
        `接口返回中 ${h.itemsPath ?? '（根）'} 不是数组`,
        `${h.itemsPath ?? 'the root'} of the API reply is not an array`,
      );
    for (const it of items) yield (it && typeof it === 'object' ? it : { value: it }) as Record<string, unknown>;
    if (!h.pageParam || items.length < pageSize || items.length === 0) break;
  }
}
