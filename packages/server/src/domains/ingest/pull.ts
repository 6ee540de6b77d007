// Scheduled pull (SPEC §15): a unit's source database (PostgreSQL or MySQL: a query plus an incremental
// column) or HTTP JSON API (paged), on a schedule from the update cycle or set explicitly. Each run is a
// batch through the same pipeline; connection secrets are sealed with SM4; failures retry with back-off.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { sql, type Selectable } from 'kysely';
import type { Db, DbOrTrx, Trx } from '../../db/database.ts';
import type { BatchMode, PullSourceTable } from '../../db/schema.ts';
import { hasRole, type RequestContext } from '../../platform/context.ts';
import type { Sm4Box } from '../../platform/crypto.ts';
import { AppError, errors, type FieldError } from '../../platform/errors.ts';
import { writeAudit } from '../audit/index.ts';
import type { IngestService } from './ingest.service.ts';
import type { InRow, OpenedSource } from './readers.ts';
import { createHash } from 'node:crypto';
import {
  CONNECTION_FAILED,
  OutboundFailed,
  OutboundRefused,
  type OutboundGuard,
  type Refusal,
  type Target,
} from '../../platform/outbound.ts';

export type PullKind = PullSourceTable['kind'];
type PullRow = Selectable<PullSourceTable>;

/** Minutes between runs for each update cycle when a source does not set its own interval. */
export const CYCLE_INTERVAL_MINUTES: Record<string, number | null> = {
  realtime: 15,
  daily: 1440,
  weekly: 10080,
  monthly: 43200,
  quarterly: 129600,
  half_yearly: 259200,
  yearly: 525600,
  irregular: null,
};
const FETCH = 5000;
/** Largest page an HTTP source may answer with. */
const MAX_API_PAGE = 64 * 1024 * 1024;
const MAX_BACKOFF_MINUTES = 24 * 60;

export interface DbSettings {
  host: string;
  port?: number;
  database: string;
  user: string;
  query: string;
  incrementalColumn?: string;
}
export interface HttpSettings {
  url: string;
  itemsPath?: string;
  pageParam?: string;
  pageSizeParam?: string;
  pageSize?: number;
  firstPage?: number;
  sinceParam?: string;
  incrementalColumn?: string;
  authHeader?: string;
}

export interface PullInput {
  name: string;
  kind: PullKind;
  settings: Record<string, unknown>;
  secret?: string | null;
  mode?: BatchMode;
  intervalMinutes?: number | null;
  active?: boolean;
}

const READ_ONLY = /^\s*(select|with)\b/i;
const COLUMN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function settingsProblems(kind: PullKind, s: Record<string, unknown>): FieldError[] {
  const errs: FieldError[] = [];
  const add = (f: string, zh: string, en: string) => errs.push({ field: `settings.${f}`, message: { zh, en } });
  const str = (k: string, max = 500) =>
    typeof s[k] === 'string' && (s[k] as string).length > 0 && (s[k] as string).length <= max;
  if (kind === 'http') {
    if (!str('url', 2000) || !/^https?:\/\//i.test(String(s.url)))
      add('url', '应为 http(s) 地址', 'must be an http(s) URL');
    for (const k of ['itemsPath', 'pageParam', 'pageSizeParam', 'sinceParam', 'authHeader'])
      if (s[k] !== undefined && !str(k, 100))
        add(k, '应为不超过 100 字的文本', 'must be a text of at most 100 characters');
    for (const k of ['pageSize', 'firstPage'])
      if (s[k] !== undefined && !(Number.isInteger(s[k]) && (s[k] as number) >= 0 && (s[k] as number) <= 100000))
        add(k, '应为 0 到 100000 的整数', 'must be an integer from 0 to 100000');
  } else {
    if (!str('host', 255)) add('host', '必填', 'is required');
    if (!str('database', 100)) add('database', '必填', 'is required');
    if (!str('user', 100)) add('user', '必填', 'is required');
    if (s.port !== undefined && !(Number.isInteger(s.port) && (s.port as number) > 0 && (s.port as number) < 65536))
      add('port', '应为 1 到 65535 的端口号', 'must be a port from 1 to 65535');
    if (!str('query', 10000) || !READ_ONLY.test(String(s.query)))
      add('query', '应为一条 SELECT（或 WITH … SELECT）查询', 'must be one SELECT (or WITH … SELECT) query');
    else if (/;\s*\S/.test(String(s.query))) add('query', '只能是一条查询', 'must be a single statement');
  }
  if (
    s.incrementalColumn !== undefined &&
    !(typeof s.incrementalColumn === 'string' && COLUMN.test(s.incrementalColumn))
  )
    add('incrementalColumn', '应为列名（字母、数字、下划线）', 'must be a column name (letters, digits, _)');
  const known =
    kind === 'http'
      ? [
          'url',
          'itemsPath',
          'pageParam',
          'pageSizeParam',
          'pageSize',
          'firstPage',
          'sinceParam',
          'incrementalColumn',
          'authHeader',
        ]
      : ['host', 'port', 'database', 'user', 'query', 'incrementalColumn'];
  for (const k of Object.keys(s))
    if (!known.includes(k)) add(k, '不是这种数据源的设置项', `is not a setting of a ${kind} source`);
  return errs;
}

/** Rows of plain objects as a pipeline source: each object's values by item code (or Chinese name). */
function objectSource(
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

const sourceError = (zh: string, en: string) => new AppError(502, 'ingest.pull_source', zh, en);

/** A connection that failed, told the same way whatever the cause (closed, filtered, wrong password); the cause goes to the log. */
function connectFailed(what: { zh: string; en: string }, e: unknown): AppError {
  process.stderr.write(`pull: ${what.en}: ${(e as Error)?.message ?? String(e)}\n`);
  return sourceError(`${what.zh}：${CONNECTION_FAILED.zh}`, `${what.en}: ${CONNECTION_FAILED.en}`);
}
const DB_CONNECT = { zh: '无法连接源数据库', en: 'Cannot connect to the source database' };

function targetOf(
  kind: PullKind,
  s: Record<string, unknown>,
): { host: string; port: number; database?: string } | null {
  if (kind === 'http') {
    try {
      const u = new URL(String(s.url));
      return { host: u.hostname, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)) };
    } catch {
      return null;
    }
  }
  if (typeof s.host !== 'string') return null;
  return {
    host: s.host,
    port: typeof s.port === 'number' ? s.port : kind === 'mysql' ? 3306 : 5432,
    ...(kind === 'postgres' && typeof s.database === 'string' ? { database: s.database } : {}),
  };
}

export class PullService {
  constructor(
    private readonly db: Db,
    private readonly ingest: IngestService,
    private readonly sm4: Sm4Box,
    private readonly guard: OutboundGuard,
  ) {}

  /** The guard's answer for a source's address: the address to connect to, or why not (a security refusal, audited). */
  private async guardTarget(
    ctx: RequestContext,
    kind: PullKind,
    settings: Record<string, unknown>,
    orgId: string | null,
    sourceId: string | null,
  ): Promise<{ target: Target | null; refused: Refusal | null }> {
    const t = targetOf(kind, settings);
    if (!t) return { target: null, refused: null };
    const r = await this.guard.target(t.host, t.port, t.database);
    if (!('refused' in r)) return { target: r, refused: null };
    await this.db.transaction().execute((trx) =>
      writeAudit(trx, ctx, {
        action: 'ingest.pull_source.refused',
        objectType: 'pull_source',
        objectId: sourceId,
        orgId,
        outcome: 'denied',
        diff: { kind, host: t.host, port: t.port, reason: r.refused },
      }),
    );
    return { target: null, refused: r.refused };
  }

  private async targetProblems(
    ctx: RequestContext,
    kind: PullKind,
    settings: Record<string, unknown>,
    orgId: string | null,
    sourceId: string | null,
  ): Promise<FieldError[]> {
    const { refused } = await this.guardTarget(ctx, kind, settings, orgId, sourceId);
    return refused ? [{ field: kind === 'http' ? 'settings.url' : 'settings.host', message: refused }] : [];
  }

  private present(p: PullRow) {
    return {
      id: p.id,
      resourceId: p.resource_id,
      name: p.name,
      kind: p.kind,
      settings: p.settings,
      hasSecret: !!p.secret_enc,
      mode: p.mode,
      intervalMinutes: p.interval_minutes,
      active: p.active,
      cursor: p.cursor,
      nextRunAt: p.next_run_at?.toISOString() ?? null,
      lastRunAt: p.last_run_at?.toISOString() ?? null,
      lastStatus: p.last_status,
      lastError: p.last_error,
      failures: p.failures,
    };
  }

  private async owned(ctx: RequestContext, ref: string) {
    const info = await this.ingest.resource(ctx, ref);
    const a = ctx.actor!;
    if (!(hasRole(a, 'center_admin') || (a.orgId === info.orgId && hasRole(a, 'unit_admin'))))
      throw errors.forbidden('ingest.pull_source');
    return info;
  }

  async list(ctx: RequestContext, ref: string) {
    const info = await this.owned(ctx, ref);
    const rows = await this.db
      .selectFrom('pull_source')
      .selectAll()
      .where('resource_id', '=', info.id)
      .orderBy('created_at')
      .execute();
    return rows.map((r) => this.present(r));
  }

  private defaultInterval(updateCycle: string) {
    return CYCLE_INTERVAL_MINUTES[updateCycle] ?? null;
  }

  async create(ctx: RequestContext, ref: string, input: PullInput) {
    const info = await this.owned(ctx, ref);
    const problems = settingsProblems(input.kind, input.settings);
    if (!problems.length)
      problems.push(...(await this.targetProblems(ctx, input.kind, input.settings, info.orgId, null)));
    if ((input.mode ?? 'upsert') === 'upsert' && !info.keyColumns.length)
      problems.push({
        field: 'mode',
        message: { zh: '资源没有主键，只能追加或全量替换', en: 'the resource has no key; use append or replace' },
      });
    if (problems.length) throw errors.validation(problems);
    if (
      await this.db
        .selectFrom('pull_source')
        .select('id')
        .where('resource_id', '=', info.id)
        .where('name', '=', input.name)
        .executeTakeFirst()
    )
      throw errors.field('name', '已有同名的数据源', 'a source with this name exists');
    const id = randomUUID();
    const interval = input.intervalMinutes ?? this.defaultInterval(info.updateCycle);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('pull_source')
        .values({
          id,
          resource_id: info.id,
          name: input.name,
          kind: input.kind,
          settings: JSON.stringify(input.settings),
          secret_enc: input.secret ? this.sm4.seal(input.secret) : null,
          mode: input.mode ?? 'upsert',
          interval_minutes: interval,
          active: input.active ?? true,
          next_run_at: interval ? new Date(Date.now() + 60_000) : null,
          created_by: ctx.actor?.kind === 'user' ? ctx.actor.userId : null,
        })
        .execute();
      await writeAudit(trx, ctx, {
        action: 'ingest.pull_source.create',
        objectType: 'pull_source',
        objectId: id,
        orgId: info.orgId,
        diff: {
          resource: info.id,
          kind: input.kind,
          settings: input.settings,
          secret: input.secret ? '(sealed)' : null,
        },
      });
    });
    return this.get(id);
  }

  async get(id: string) {
    const r = await this.db.selectFrom('pull_source').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw errors.notFound('pull_source', id);
    return this.present(r);
  }

  async update(ctx: RequestContext, id: string, patch: Partial<PullInput>) {
    const cur = await this.db.selectFrom('pull_source').selectAll().where('id', '=', id).executeTakeFirst();
    if (!cur) throw errors.notFound('pull_source', id);
    const info = await this.owned(ctx, cur.resource_id);
    const settings = patch.settings ?? cur.settings;
    const problems = settingsProblems(cur.kind, settings);
    if (!problems.length) problems.push(...(await this.targetProblems(ctx, cur.kind, settings, info.orgId, id)));
    if (problems.length) throw errors.validation(problems);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('pull_source')
        .set({
          settings: JSON.stringify(settings),
          ...(patch.secret !== undefined ? { secret_enc: patch.secret ? this.sm4.seal(patch.secret) : null } : {}),
          ...(patch.mode ? { mode: patch.mode } : {}),
          ...(patch.intervalMinutes !== undefined ? { interval_minutes: patch.intervalMinutes } : {}),
          ...(patch.active !== undefined
            ? {
                active: patch.active,
                ...(patch.active ? { failures: 0, next_run_at: new Date(Date.now() + 60_000) } : {}),
              }
            : {}),
        })
        .where('id', '=', id)
        .execute();
      await writeAudit(trx, ctx, {
        action: 'ingest.pull_source.update',
        objectType: 'pull_source',
        objectId: id,
        orgId: info.orgId,
        diff: { ...patch, secret: patch.secret !== undefined ? '(changed)' : undefined },
      });
    });
    return this.get(id);
  }

  /** One run now: a batch (returned), the cursor advanced on success, back-off on failure. */
  async run(ctx: RequestContext, id: string) {
    const src = await this.db.selectFrom('pull_source').selectAll().where('id', '=', id).executeTakeFirst();
    if (!src) throw errors.notFound('pull_source', id);
    if (ctx.actor) await this.owned(ctx, src.resource_id);
    return this.execute(src, ctx);
  }

  private async execute(src: PullRow, ctx: RequestContext) {
    const info = await this.ingest.meta(this.db, src.resource_id);
    if (!info) throw errors.notFound('resource', src.resource_id);
    const settings = src.settings as Record<string, unknown>;
    const inc = settings.incrementalColumn as string | undefined;
    let maxCursor: string | null = src.cursor;
    const track = (r: Record<string, unknown>) => {
      if (!inc) return;
      const v = r[inc];
      if (v === null || v === undefined) return;
      const s = v instanceof Date ? v.toISOString() : String(v);
      if (maxCursor === null || compareCursor(s, maxCursor) > 0) maxCursor = s;
    };
    const secret = src.secret_enc ? this.sm4.open(src.secret_enc) : null;
    let failure: { zh: string; en: string } | null = null;
    let batch: Awaited<ReturnType<IngestService['ingest']>>['batch'] | null = null;
    try {
      // checked once before the run; the connection goes to the address that was checked
      const { target, refused } = await this.guardTarget(ctx, src.kind, settings, info.orgId, src.id);
      if (refused) throw sourceError(refused.zh, refused.en);
      const res = await this.ingest.ingest(
        ctx,
        src.resource_id,
        {
          source: 'pull',
          mode: src.mode,
          pullSourceId: src.id,
          fileName: src.name,
          fileFormat: src.kind,
          strictWidth: false,
        },
        async () => objectSource(this.rows(src.kind, settings, secret, src.cursor, target), info.items, track),
      );
      batch = res.batch;
      if (batch.status !== 'succeeded') failure = batch.error ?? { zh: '批次失败', en: 'the batch failed' };
    } catch (e) {
      if (!(e instanceof AppError))
        process.stderr.write(`pull ${src.id} failed: ${(e as Error)?.stack ?? String(e)}\n`);
      failure =
        e instanceof AppError
          ? { zh: e.zh, en: e.en }
          : {
              zh: '抽取失败：服务器内部错误（原因已记入服务器日志）',
              en: 'Pull failed: an internal error (the cause is in the server log)',
            };
    }
    const now = new Date();
    const failures = failure ? src.failures + 1 : 0;
    const interval = src.interval_minutes;
    const next = failure
      ? new Date(
          now.getTime() + Math.min(2 ** (failures - 1), interval ?? MAX_BACKOFF_MINUTES, MAX_BACKOFF_MINUTES) * 60_000,
        )
      : interval
        ? new Date(now.getTime() + interval * 60_000)
        : null;
    await this.db
      .updateTable('pull_source')
      .set({
        last_run_at: now,
        last_status: failure ? 'failed' : 'succeeded',
        last_error: failure ? JSON.stringify(failure) : null,
        failures,
        next_run_at: src.active ? next : null,
        ...(failure ? {} : { cursor: maxCursor }),
      })
      .where('id', '=', src.id)
      .execute();
    return { source: await this.get(src.id), batch, error: failure };
  }

  /**
   * The source's rows, streamed, from the address the guard checked. A failed connection is told in words that do
   * not say whether the port was open; a query that the source refuses (after log-in) names the source's reason.
   */
  private async *rows(
    kind: PullKind,
    s: Record<string, unknown>,
    secret: string | null,
    cursor: string | null,
    target: Target | null,
  ): AsyncGenerator<Record<string, unknown>> {
    if (kind === 'postgres') {
      const d = s as unknown as DbSettings;
      const client = new pg.Client({
        host: target!.address,
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
        if (e instanceof AppError) throw e;
        throw sourceError(
          `源数据库查询失败：${(e as Error).message}`,
          `The source query failed: ${(e as Error).message}`,
        );
      } finally {
        await client.end().catch(() => {});
      }
      return;
    }
    if (kind === 'mysql') {
      const d = s as unknown as DbSettings;
      // loaded when a MySQL source runs (~10 MB a deployment without one does not carry)
      const { default: mysql } = await import('mysql2');
      const conn = mysql.createConnection({
        host: target!.address,
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
        if (e instanceof AppError) throw e;
        throw sourceError(
          `源数据库查询失败：${(e as Error).message}`,
          `The source query failed: ${(e as Error).message}`,
        );
      } finally {
        await p.end().catch(() => conn.destroy());
      }
      return;
    }
    const h = s as unknown as HttpSettings;
    const pageSize = h.pageSize ?? 500;
    for (let page = h.firstPage ?? 1; ; page++) {
      const url = new URL(h.url);
      if (h.pageParam) url.searchParams.set(h.pageParam, String(page));
      if (h.pageSizeParam) url.searchParams.set(h.pageSizeParam, String(pageSize));
      if (h.sinceParam && cursor !== null) url.searchParams.set(h.sinceParam, cursor);
      let body: unknown;
      try {
        body = await this.guard.getJson(
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

  /**
   * Claims every due source: its next run moves an hour on (a lease; the run sets the real next time), so a source
   * claimed by one node is not due for another. Claimed in `trx` when given, with the jobs that run them.
   */
  private async claimDue(db: DbOrTrx): Promise<PullRow[]> {
    return db
      .updateTable('pull_source')
      .set({ next_run_at: sql<Date>`now() + interval '1 hour'` })
      .where('active', '=', true)
      .where('next_run_at', '<=', sql<Date>`now()`)
      .returningAll()
      .execute();
  }

  /** Runs every due source here, now, one at a time (the CLI and tests; the app nodes use the job queue). */
  async tick(): Promise<number> {
    const due = await this.claimDue(this.db);
    for (const src of due)
      await this.execute(src, SCHEDULER).catch((e) =>
        process.stderr.write(`pull ${src.id}: ${(e as Error).message}\n`),
      );
    return due.length;
  }

  /** The scheduled check (job `ingest.pull.check`): each due source becomes one `ingest.pull.run` job, claimed and
   * sent in one transaction, so a source is run once whichever node checks and whichever node runs it. */
  async queueDue(send: (trx: Trx, sourceId: string) => Promise<unknown>): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const due = await this.claimDue(trx);
      for (const src of due) await send(trx, src.id);
      return due.length;
    });
  }

  /** Job `ingest.pull.run`: one claimed source. A source that was removed or switched off meanwhile is skipped. */
  async runQueued(sourceId: string): Promise<void> {
    const src = await this.db.selectFrom('pull_source').selectAll().where('id', '=', sourceId).executeTakeFirst();
    if (!src || !src.active) return;
    await this.execute(src, SCHEDULER);
  }
}

const SCHEDULER: RequestContext = { actor: null, requestId: 'scheduler', ip: null };

/** Incremental cursors compare as numbers when both are numeric, else as text (ISO dates sort as text). */
function compareCursor(a: string, b: string): number {
  if (/^-?\d+(\.\d+)?$/.test(a) && /^-?\d+(\.\d+)?$/.test(b)) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}
