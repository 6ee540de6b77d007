// Aggregation (SPEC §2, §15-18): each approved tabular resource's data table, the batches that load it,
// freshness against the update cycle, and the data browser (masked unless the caller may see raw data).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { sql } from 'kysely';
import type { BulkSession, CopyIn, Db, DbOrTrx, Trx } from '../../db/database.ts';
import type { BatchMode, BatchSource, DataColumn } from '../../db/schema.ts';
import { actorName, hasRole, isCenter, type RequestContext } from '../../platform/context.ts';
import { AppError, errors } from '../../platform/errors.ts';
import { csvCell } from '../../platform/csv.ts';
import { writeAudit } from '../audit/index.ts';
import { shiftDays, todayInShanghai, type CalendarService, type WorkingCalendar } from '../calendar/index.ts';
import type { MaskingService } from '../masking/index.ts';
import { maskValue, type Column } from '../masking/index.ts';
import {
  actualColumns,
  baseTableName,
  columnsOf,
  copyIntoRebuilt,
  createTableSql,
  dataTable,
  ident,
  planMigration,
  tableExists,
} from './data-table.ts';
import { dropStaging, REJECT_REASON_HEADER, runPipeline } from './pipeline.ts';
import { FileError, type OpenedSource } from './readers.ts';
import { compileItem, type ItemSpec, type Problem } from './values.ts';
import { storableJson, storableText } from '../../platform/text.ts';

/** What a batch keeps of the header it read: at most 1,000 cells of at most 200 characters (a 50 MB header line stays out). */
function headerExcerpt(header: string[]): unknown {
  return storableJson(header.slice(0, 1000), 200);
}

/** Formats whose items describe columns; files, images and video have no table. */
const NON_TABULAR = new Set(['file', 'media']);
const STALE_AFTER_MS = 120_000;
const HEARTBEAT_MS = 15_000;

/** Days an update cycle allows between loads; irregular resources are never due. */
export const CYCLE_DAYS: Record<string, number | null> = {
  realtime: 1,
  daily: 1,
  weekly: 7,
  monthly: 31,
  quarterly: 92,
  half_yearly: 183,
  yearly: 366,
  irregular: null,
};

export type Freshness = 'fresh' | 'due' | 'overdue' | 'never' | 'irregular' | 'no_table';

export interface ResourceMeta {
  id: string;
  code: string;
  orgId: string;
  name: string;
  version: number;
  format: string;
  updateCycle: string;
  securityGrade: string;
  items: ItemSpec[];
}

export interface StartBatch {
  source: BatchSource;
  mode: BatchMode;
  fileName?: string | null;
  fileFormat?: string | null;
  encoding?: string | null;
  idempotencyKey?: string | null;
  totalBytes?: number | null;
  pullSourceId?: string | null;
  /** Known before reading (JSON bodies): a retried push with another body under the same key is refused. */
  checksum?: string | null;
  strictWidth: boolean;
}

const notFound = (ref: string) => errors.notFound('resource', ref);
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class IngestService {
  private readonly host = hostname();
  private readonly owner = `${this.host}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly active = new Set<string>();
  today: () => string = () => todayInShanghai();

  constructor(
    private readonly db: Db,
    private readonly copyIn: CopyIn,
    private readonly calendar: CalendarService,
    private readonly masking: MaskingService,
    private readonly bulkSession?: () => Promise<BulkSession>,
  ) {}

  // ------------------------------------------------------------------ resources and their tables
  async meta(db: DbOrTrx, ref: string): Promise<ResourceMeta | null> {
    const r = await db
      .selectFrom('resource as r')
      .innerJoin('resource_version as v', (j) =>
        j.onRef('v.resource_id', '=', 'r.id').onRef('v.version', '=', 'r.current_version'),
      )
      .select(['r.id', 'r.code', 'r.org_id', 'v.name', 'v.version', 'v.format', 'v.update_cycle', 'v.security_grade'])
      .where(UUID_RE.test(ref) ? 'r.id' : 'r.code', '=', ref)
      .executeTakeFirst();
    if (!r) return null;
    const items = await db
      .selectFrom('resource_item')
      .selectAll()
      .where('resource_id', '=', r.id)
      .where('version', '=', r.version)
      .orderBy('position')
      .execute();
    return {
      id: r.id,
      code: r.code,
      orgId: r.org_id,
      name: r.name,
      version: r.version,
      format: r.format,
      updateCycle: r.update_cycle,
      securityGrade: r.security_grade,
      items: items.map((i) => ({
        code: i.code,
        name: i.name,
        dataType: i.data_type,
        length: i.length,
        precision: i.precision,
        required: i.required,
        primaryKey: i.primary_key,
        piiKind: i.pii_kind,
        valueSet: i.value_set ?? [],
      })),
    };
  }

  static tabular(m: Pick<ResourceMeta, 'format' | 'items'>) {
    return m.items.length > 0 && !NON_TABULAR.has(m.format);
  }

  private async freeName(trx: Trx, base: string): Promise<string> {
    for (let n = 0; ; n++) {
      const name = n === 0 ? base : `${base}_${n + 1}`;
      const taken = await trx
        .selectFrom('data_table')
        .select('resource_id')
        .where('table_name', '=', name)
        .executeTakeFirst();
      if (!taken && !(await tableExists(trx, name))) return name;
    }
  }

  /** Creates or migrates the data table of a resource's current version (inside the caller's transaction). */
  async ensureTable(
    trx: Trx,
    resourceId: string,
  ): Promise<{ action: 'none' | 'created' | 'altered' | 'rebuilt' | 'not_tabular'; table?: string; detail?: unknown }> {
    const m = await this.meta(trx, resourceId);
    if (!m || !IngestService.tabular(m)) return { action: 'not_tabular' };
    const cols = columnsOf(m.items);
    const keyCols = cols.filter((c) => c.key).map((c) => c.code);
    const existing = await trx
      .selectFrom('data_table')
      .selectAll()
      .where('resource_id', '=', m.id)
      .forUpdate()
      .executeTakeFirst();
    if (!existing) {
      const name = await this.freeName(trx, baseTableName(m.code));
      await sql.raw(createTableSql(name, cols)).execute(trx);
      await trx
        .insertInto('data_table')
        .values({
          resource_id: m.id,
          table_name: name,
          version: m.version,
          columns: JSON.stringify(cols),
          key_columns: keyCols,
        })
        .execute();
      await writeAudit(
        trx,
        { actor: null, requestId: 'ingest.table', ip: null },
        {
          action: 'ingest.table.create',
          objectType: 'resource',
          objectId: m.id,
          orgId: m.orgId,
          diff: { table: name, version: m.version },
        },
      );
      return { action: 'created', table: name };
    }
    if (existing.version === m.version) return { action: 'none', table: existing.table_name };
    const actual = await actualColumns(trx, existing.table_name);
    const plan = planMigration(existing.table_name, actual, existing.key_columns, cols);
    if (plan.kind !== 'rebuild') {
      if (plan.kind === 'alter') for (const s of plan.statements) await sql.raw(s).execute(trx);
      await trx
        .updateTable('data_table')
        .set({ version: m.version, columns: JSON.stringify(cols), key_columns: keyCols, migrated_at: new Date() })
        .where('resource_id', '=', m.id)
        .execute();
      const detail = plan.kind === 'alter' ? { added: plan.added, widened: plan.widened } : {};
      await writeAudit(
        trx,
        { actor: null, requestId: 'ingest.table', ip: null },
        {
          action: 'ingest.table.migrate',
          objectType: 'resource',
          objectId: m.id,
          orgId: m.orgId,
          diff: { table: existing.table_name, version: [existing.version, m.version], ...detail },
        },
      );
      return { action: plan.kind === 'alter' ? 'altered' : 'none', table: existing.table_name, detail };
    }
    const name = await this.freeName(trx, `${baseTableName(m.code)}_v${m.version}`);
    await sql.raw(createTableSql(name, cols)).execute(trx);
    const copied = await copyIntoRebuilt(trx, existing.table_name, name, actual, cols);
    const rowCount = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.raw(dataTable(name))}`.execute(trx))
      .rows[0]!.n;
    await trx
      .updateTable('data_table')
      .set({
        table_name: name,
        version: m.version,
        columns: JSON.stringify(cols),
        key_columns: keyCols,
        migrated_at: new Date(),
        archived_tables: [...existing.archived_tables, existing.table_name],
        row_count: rowCount,
      })
      .where('resource_id', '=', m.id)
      .execute();
    const detail = { reasons: plan.reasons, copied: copied.copied, of: copied.total, archived: existing.table_name };
    await writeAudit(
      trx,
      { actor: null, requestId: 'ingest.table', ip: null },
      {
        action: 'ingest.table.rebuild',
        objectType: 'resource',
        objectId: m.id,
        orgId: m.orgId,
        diff: { table: [existing.table_name, name], version: [existing.version, m.version], ...detail },
      },
    );
    return { action: 'rebuilt', table: name, detail };
  }

  /** Brings every approved tabular resource's table up to its current version (startup, after seeding). */
  async ensureAllTables(): Promise<number> {
    const rows = await this.db
      .selectFrom('resource as r')
      .leftJoin('data_table as d', 'd.resource_id', 'r.id')
      .select(['r.id'])
      .where('r.current_version', 'is not', null)
      .where((eb) => eb.or([eb('d.resource_id', 'is', null), eb('d.version', '<>', eb.ref('r.current_version'))]))
      .execute();
    let n = 0;
    for (const r of rows) {
      const res = await this.db.transaction().execute((trx) => this.ensureTable(trx, r.id));
      if (res.action !== 'none' && res.action !== 'not_tabular') n++;
    }
    return n;
  }

  // ------------------------------------------------------------------ authorization
  private mayLoad(ctx: RequestContext, m: ResourceMeta) {
    const a = ctx.actor;
    if (!a) throw errors.unauthenticated();
    if (hasRole(a, 'center_admin')) return;
    if (a.orgId === m.orgId && hasRole(a, 'unit_admin', 'unit_user', 'system')) return;
    throw errors.forbidden('ingest.load');
  }

  private mayBrowse(ctx: RequestContext, orgId: string) {
    const a = ctx.actor;
    if (!a) throw errors.unauthenticated();
    if (hasRole(a, 'center_admin', 'center_reviewer', 'supervisor')) return;
    if (a.orgId === orgId && hasRole(a, 'unit_admin', 'unit_security_officer', 'unit_user')) return;
    throw errors.forbidden('ingest.browse');
  }

  /** Raw personal data in the console: only the owner unit's data and security officers. */
  private mayReadRaw(ctx: RequestContext, orgId: string) {
    const a = ctx.actor;
    return !!a && a.orgId === orgId && hasRole(a, 'unit_admin', 'unit_security_officer');
  }

  private async loadable(ctx: RequestContext, ref: string) {
    const m = await this.meta(this.db, ref);
    if (!m) {
      const any = await this.db
        .selectFrom('resource')
        .select(['id', 'org_id'])
        .where(UUID_RE.test(ref) ? 'id' : 'code', '=', ref)
        .executeTakeFirst();
      if (!any) throw notFound(ref);
      throw new AppError(
        409,
        'ingest.not_approved',
        '资源尚未通过目录审核，不能归集数据',
        'The resource is not approved in the catalog yet; it cannot take data',
      );
    }
    if (!IngestService.tabular(m))
      throw new AppError(
        409,
        'ingest.not_tabular',
        '该资源是文件或影像类资源，没有数据表',
        'This resource is a file or media resource; it has no data table',
      );
    return m;
  }

  private async tableOf(m: ResourceMeta) {
    let t = await this.db.selectFrom('data_table').selectAll().where('resource_id', '=', m.id).executeTakeFirst();
    if (!t || t.version !== m.version) {
      await this.db.transaction().execute((trx) => this.ensureTable(trx, m.id));
      t = await this.db.selectFrom('data_table').selectAll().where('resource_id', '=', m.id).executeTakeFirstOrThrow();
    }
    return t;
  }

  // ------------------------------------------------------------------ batches
  /**
   * Runs one batch end to end. `open` is called once the batch is recorded; a file that cannot be read
   * fails the batch with the reason and changes no data.
   */
  async ingest(
    ctx: RequestContext,
    ref: string,
    start: StartBatch,
    open: (onBytes: (n: number) => void, resource: ResourceMeta) => Promise<OpenedSource>,
    onProgress?: (p: { received: number; accepted: number; rejected: number; bytes: number }) => void,
  ) {
    const m = await this.loadable(ctx, ref);
    // A scheduled pull runs as the platform itself (no actor); every other batch has someone behind it.
    if (ctx.actor || start.source !== 'pull') this.mayLoad(ctx, m);
    const table = await this.tableOf(m);
    const columns = table.columns as DataColumn[];
    if (start.mode === 'upsert' && !table.key_columns.length)
      throw errors.field(
        'mode',
        '资源没有主键信息项，只能使用追加（append）或全量替换（replace）',
        'the resource has no key items; use append or replace',
      );

    if (start.idempotencyKey) {
      const prior = await this.db
        .selectFrom('ingest_batch')
        .selectAll()
        .where('resource_id', '=', m.id)
        .where('idempotency_key', '=', start.idempotencyKey)
        .executeTakeFirst();
      if (prior) {
        if (prior.status === 'running')
          throw new AppError(
            409,
            'ingest.in_progress',
            '同一幂等键的批次正在处理中',
            'A batch with this idempotency key is still running',
          );
        if (prior.status === 'succeeded') {
          if (start.checksum && prior.checksum && start.checksum !== prior.checksum)
            throw new AppError(
              422,
              'ingest.idempotency_mismatch',
              '该幂等键已用于内容不同的另一批数据',
              'This idempotency key was used for a different body',
            );
          return { replayed: true, batch: await this.report(prior.id) };
        }
        // A failed attempt frees its key for the retry.
        await this.db.updateTable('ingest_batch').set({ idempotency_key: null }).where('id', '=', prior.id).execute();
      }
    }

    const id = randomUUID();
    const actor = ctx.actor;
    try {
      await this.db
        .insertInto('ingest_batch')
        .values({
          id,
          resource_id: m.id,
          org_id: m.orgId,
          version: m.version,
          source: start.source,
          mode: start.mode,
          status: 'running',
          phase: 'receiving',
          file_name: start.fileName ?? null,
          file_format: start.fileFormat ?? null,
          encoding: start.encoding ?? null,
          operator_user_id: actor?.kind === 'user' ? actor.userId : null,
          credential_id: actor?.kind === 'credential' ? actor.credentialId : null,
          actor_name: actor ? actorName(actor) : '定时抽取 / scheduler',
          pull_source_id: start.pullSourceId ?? null,
          idempotency_key: start.idempotencyKey ?? null,
          total_bytes: start.totalBytes ?? null,
          owner: this.owner,
          heartbeat_at: new Date(),
        })
        .execute();
    } catch (e) {
      if ((e as { code?: string }).code === '23505')
        throw new AppError(
          409,
          'ingest.in_progress',
          '同一幂等键的批次正在处理中',
          'A batch with this idempotency key is still running',
        );
      throw e;
    }
    this.active.add(id);
    const beat = setInterval(() => {
      this.db
        .updateTable('ingest_batch')
        .set({ heartbeat_at: new Date() })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .execute()
        .catch(() => {});
    }, HEARTBEAT_MS);
    beat.unref();
    let lastBytes = 0;
    try {
      const src = await open((n) => (lastBytes = n), m);
      await this.db
        .updateTable('ingest_batch')
        .set({
          header: JSON.stringify(headerExcerpt(src.header)),
          encoding: src.stats.encoding ?? start.encoding ?? null,
        })
        .where('id', '=', id)
        .execute();
      const outcome = await runPipeline(
        {
          db: this.db,
          copyIn: this.copyIn,
          bulkSession: this.bulkSession,
          ctx,
          batchId: id,
          resourceId: m.id,
          orgId: m.orgId,
          version: m.version,
          table: table.table_name,
          columns,
          items: m.items,
          mode: start.mode,
          strictWidth: start.strictWidth,
          allowEmpty: start.source === 'pull',
          ...(onProgress ? { onProgress } : {}),
        },
        src,
      );
      await this.db
        .updateTable('ingest_batch')
        .set({ checksum: src.checksum(), bytes: Math.max(src.stats.bytes, lastBytes) })
        .where('id', '=', id)
        .execute();
      void outcome;
    } catch (e) {
      // A file's or a rule's reason is for the caller; anything else (database, V8, network) stays in the log.
      const problem: Problem =
        e instanceof FileError
          ? e.problem
          : e instanceof AppError
            ? { zh: e.zh, en: e.en }
            : {
                zh: `处理失败：服务器内部错误，本批次没有写入任何数据（批次 ${id}，原因已记入服务器日志）`,
                en: `Processing failed: an internal error; none of the batch was loaded (batch ${id}; the cause is in the server log)`,
              };
      await this.fail(ctx, m, id, problem, lastBytes).catch((err: unknown) =>
        process.stderr.write(`ingest batch ${id}: could not record the failure: ${String(err)}\n`),
      );
      if (!(e instanceof FileError) && !(e instanceof AppError)) {
        // Not the caller's input: keep the cause in the batch and in the log, answer with the batch.
        process.stderr.write(`ingest batch ${id} failed: ${(e as Error).stack ?? String(e)}\n`);
      }
    } finally {
      clearInterval(beat);
      this.active.delete(id);
    }
    return { replayed: false, batch: await this.report(id) };
  }

  /** Marks the batch failed with a bounded reason, and audits the failure with the same reason. */
  private async fail(ctx: RequestContext, m: ResourceMeta, id: string, problem: Problem, bytes: number) {
    const reason = { zh: storableText(problem.zh, 2000), en: storableText(problem.en, 2000) };
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('ingest_batch')
        .set({
          status: 'failed',
          phase: 'done',
          error: JSON.stringify(reason),
          finished_at: new Date(),
          bytes,
          idempotency_key: null,
        })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .execute();
      await writeAudit(trx, ctx, {
        action: 'ingest.batch.fail',
        objectType: 'ingest_batch',
        objectId: id,
        orgId: m.orgId,
        outcome: 'failure',
        diff: { resource: m.id, bytes, reason },
      });
    });
  }

  /**
   * A batch whose process died never finishes: marked failed (its staged rows were never visible).
   * Stale: no heartbeat for two minutes, or owned by a process of this host that no longer runs.
   */
  async recoverStale(): Promise<number> {
    const running = await this.db
      .selectFrom('ingest_batch')
      .select(['id', 'owner', 'heartbeat_at'])
      .where('status', '=', 'running')
      .execute();
    let n = 0;
    for (const b of running) {
      if (this.active.has(b.id)) continue;
      const [host, pidText, nonce] = (b.owner ?? '').split(':');
      const pid = Number(pidText);
      const stale =
        !b.heartbeat_at ||
        Date.now() - b.heartbeat_at.getTime() > STALE_AFTER_MS ||
        (host === this.host && (pid === process.pid ? `${host}:${pid}:${nonce}` !== this.owner : !alive(pid)));
      if (!stale) continue;
      await this.db
        .updateTable('ingest_batch')
        .set({
          status: 'failed',
          phase: 'done',
          finished_at: new Date(),
          idempotency_key: null,
          error: JSON.stringify({
            zh: '处理中断：处理该批次的进程已退出，本批次没有写入任何数据',
            en: 'Interrupted: the process handling this batch ended; none of the batch was loaded',
          }),
        })
        .where('id', '=', b.id)
        .where('status', '=', 'running')
        .execute();
      await dropStaging(this.db, b.id).catch(() => {});
      n++;
    }
    return n;
  }

  private presentBatch(b: Awaited<ReturnType<IngestService['batchRows']>>[number]) {
    return {
      id: b.id,
      resourceId: b.resource_id,
      version: b.version,
      source: b.source,
      mode: b.mode,
      status: b.status,
      phase: b.phase,
      fileName: b.file_name,
      fileFormat: b.file_format,
      encoding: b.encoding,
      header: b.header,
      actorName: b.actor_name,
      pullSourceId: b.pull_source_id,
      idempotencyKey: b.idempotency_key,
      checksum: b.checksum,
      bytes: b.bytes,
      totalBytes: b.total_bytes,
      received: b.received,
      accepted: b.accepted,
      rejected: b.rejected,
      warnings: b.warnings,
      error: b.error,
      startedAt: b.started_at.toISOString(),
      finishedAt: b.finished_at?.toISOString() ?? null,
    };
  }

  private batchRows(resourceId: string | null, id?: string, limit = 50, offset = 0) {
    let q = this.db.selectFrom('ingest_batch').selectAll();
    if (resourceId) q = q.where('resource_id', '=', resourceId);
    if (id) q = q.where('id', '=', id);
    return q.orderBy('started_at', 'desc').limit(limit).offset(offset).execute();
  }

  async batch(ctx: RequestContext, id: string) {
    const [b] = await this.batchRows(null, id);
    if (!b) throw errors.notFound('ingest_batch', id);
    this.mayBrowseOrLoad(ctx, b.org_id);
    return this.report(id, this.mayReadRejected(ctx, b.org_id));
  }

  /**
   * Rejected rows hold the values as sent, unmasked: only the owner unit (its people and its systems),
   * who must fix them, see those values; others see row numbers and reasons.
   */
  private mayReadRejected(ctx: RequestContext, orgId: string) {
    const a = ctx.actor;
    return !a || (a.orgId === orgId && hasRole(a, 'unit_admin', 'unit_user', 'unit_security_officer', 'system'));
  }

  /** A batch with its first rejected rows (no access check: for the caller that ran it). */
  private async report(id: string, withValues = true) {
    const [b] = await this.batchRows(null, id);
    if (!b) throw errors.notFound('ingest_batch', id);
    const sample = await this.db
      .selectFrom('ingest_rejected')
      .selectAll()
      .where('batch_id', '=', id)
      .orderBy('row_no')
      .limit(20)
      .execute();
    return {
      ...this.presentBatch(b),
      rejectedSample: sample.map((r) => ({ rowNo: r.row_no, raw: withValues ? r.raw : null, errors: r.errors })),
    };
  }

  private mayBrowseOrLoad(ctx: RequestContext, orgId: string) {
    const a = ctx.actor;
    if (a && a.kind === 'credential' && a.orgId === orgId) return;
    this.mayBrowse(ctx, orgId);
  }

  async batches(ctx: RequestContext, ref: string, page: { limit: number; offset: number }) {
    const m = await this.meta(this.db, ref);
    if (!m) throw notFound(ref);
    this.mayBrowseOrLoad(ctx, m.orgId);
    await this.recoverStale();
    const rows = await this.batchRows(m.id, undefined, page.limit, page.offset);
    const total = (
      await this.db
        .selectFrom('ingest_batch')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('resource_id', '=', m.id)
        .executeTakeFirstOrThrow()
    ).n;
    return { total: Number(total), batches: rows.map((b) => this.presentBatch(b)) };
  }

  /** Rejected rows as CSV (UTF-8 with BOM, for Excel): the original columns plus the reasons, ready to fix and upload again. */
  async *rejectedCsv(ctx: RequestContext, id: string): AsyncGenerator<string> {
    const b = await this.db
      .selectFrom('ingest_batch')
      .select(['org_id', 'header', 'resource_id'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!b) throw errors.notFound('ingest_batch', id);
    this.mayBrowseOrLoad(ctx, b.org_id);
    if (!this.mayReadRejected(ctx, b.org_id))
      throw errors.forbidden('ingest.rejected_rows (unmasked values, for the owner unit)');
    await this.db.transaction().execute((trx) =>
      writeAudit(trx, ctx, {
        action: 'ingest.rejected.export',
        objectType: 'ingest_batch',
        objectId: id,
        orgId: b.org_id,
      }),
    );
    const header = b.header ?? [];
    yield '\uFEFF' + [...header, REJECT_REASON_HEADER].map(csvCell).join(',') + '\r\n';
    let after = 0;
    for (;;) {
      const rows = await this.db
        .selectFrom('ingest_rejected')
        .select(['row_no', 'raw', 'errors'])
        .where('batch_id', '=', id)
        .where('row_no', '>', after)
        .orderBy('row_no')
        .limit(1000)
        .execute();
      if (!rows.length) break;
      let out = '';
      for (const r of rows) {
        const raw = r.raw;
        const cells = header.length ? header.map((_, i) => raw[i]) : raw;
        // A row the reader could not split (no cells) keeps its place with its reason.
        out += [...cells, `第 ${r.row_no} 行：${r.errors.map((e) => e.zh).join('；')}`].map(csvCell).join(',') + '\r\n';
        after = r.row_no;
      }
      yield out;
    }
  }

  // ------------------------------------------------------------------ freshness and the overview
  /** What freshness needs from the calendar domain, read once for a whole list. */
  private async freshnessRules(): Promise<{ grace: number; cal: WorkingCalendar; today: string }> {
    const [policy, cal] = await Promise.all([this.calendar.currentPolicy(), this.calendar.calendar()]);
    return { grace: policy.params.ingest_overdue_grace_days ?? 3, cal, today: this.today() };
  }

  /** Fresh until the update cycle has passed since the last load; due within the grace (working days); then overdue. */
  freshnessOf(
    rules: { grace: number; cal: WorkingCalendar; today: string },
    updateCycle: string,
    lastLoad: Date | null,
    hasTable: boolean,
  ): { freshness: Freshness; dueDate: string | null } {
    if (!hasTable) return { freshness: 'no_table', dueDate: null };
    const days = CYCLE_DAYS[updateCycle];
    if (days === null) return { freshness: 'irregular', dueDate: null };
    if (!lastLoad) return { freshness: 'never', dueDate: null };
    const dueDate = shiftDays(todayInShanghai(lastLoad), days ?? 31);
    if (rules.today < dueDate) return { freshness: 'fresh', dueDate };
    return { freshness: rules.today <= rules.cal.addWorkingDays(dueDate, rules.grace) ? 'due' : 'overdue', dueDate };
  }

  /** Every approved resource with its table, counts, last load and freshness: the unit's own, or all for the Center. */
  async overview(ctx: RequestContext, f: { orgId?: string; freshness?: Freshness }) {
    const a = ctx.actor;
    if (!a) throw errors.unauthenticated();
    const orgId = isCenter(a) ? f.orgId : a.orgId;
    let q = this.db
      .selectFrom('resource as r')
      .innerJoin('resource_version as v', (j) =>
        j.onRef('v.resource_id', '=', 'r.id').onRef('v.version', '=', 'r.current_version'),
      )
      .innerJoin('organisation as o', 'o.id', 'r.org_id')
      .leftJoin('data_table as d', 'd.resource_id', 'r.id')
      .select([
        'r.id',
        'r.code',
        'v.name',
        'r.org_id',
        'o.name as org_name',
        'v.update_cycle',
        'v.format',
        'd.table_name',
        'd.row_count',
        'd.last_load_at',
        'd.last_batch_id',
      ])
      .orderBy('o.code')
      .orderBy('r.code');
    if (orgId) q = q.where('r.org_id', '=', orgId);
    const rows = await q.execute();
    const rules = await this.freshnessRules();
    const out = [];
    for (const r of rows) {
      const fr = this.freshnessOf(rules, r.update_cycle, r.last_load_at, !!r.table_name);
      if (f.freshness && fr.freshness !== f.freshness) continue;
      out.push({
        id: r.id,
        code: r.code,
        name: r.name,
        orgId: r.org_id,
        orgName: r.org_name,
        updateCycle: r.update_cycle,
        format: r.format,
        table: r.table_name ? `data.${r.table_name}` : null,
        rowCount: r.table_name ? (r.row_count ?? 0) : null,
        lastLoadAt: r.last_load_at?.toISOString() ?? null,
        ...fr,
      });
    }
    return out;
  }

  /** Overdue and never-loaded resources counted by unit (the Center's view). */
  async overdueByUnit(ctx: RequestContext) {
    const list = await this.overview(ctx, {});
    const by = new Map<
      string,
      { orgId: string; orgName: string; overdue: number; never: number; due: number; total: number }
    >();
    for (const r of list) {
      if (r.freshness === 'no_table') continue;
      const e = by.get(r.orgId) ?? { orgId: r.orgId, orgName: r.orgName, overdue: 0, never: 0, due: 0, total: 0 };
      e.total++;
      if (r.freshness === 'overdue') e.overdue++;
      if (r.freshness === 'never') e.never++;
      if (r.freshness === 'due') e.due++;
      by.set(r.orgId, e);
    }
    return [...by.values()].sort((x, y) => y.overdue + y.never - (x.overdue + x.never));
  }

  async resource(ctx: RequestContext, ref: string) {
    const m = await this.meta(this.db, ref);
    if (!m) throw notFound(ref);
    this.mayBrowseOrLoad(ctx, m.orgId);
    const t = await this.db.selectFrom('data_table').selectAll().where('resource_id', '=', m.id).executeTakeFirst();
    const fr = this.freshnessOf(await this.freshnessRules(), m.updateCycle, t?.last_load_at ?? null, !!t);
    return {
      id: m.id,
      code: m.code,
      name: m.name,
      orgId: m.orgId,
      version: m.version,
      updateCycle: m.updateCycle,
      tabular: IngestService.tabular(m),
      table: t ? `data.${t.table_name}` : null,
      tableVersion: t?.version ?? null,
      archivedTables: t?.archived_tables ?? [],
      rowCount: t?.row_count ?? null,
      lastLoadAt: t?.last_load_at?.toISOString() ?? null,
      keyColumns: t?.key_columns ?? [],
      items: m.items.map((i) => ({
        code: i.code,
        name: i.name,
        dataType: i.dataType,
        length: i.length,
        precision: i.precision,
        required: i.required,
        primaryKey: i.primaryKey,
        piiKind: i.piiKind,
        valueSet: i.valueSet,
      })),
      mayLoad: this.can(() => this.mayLoad(ctx, m)),
      rawAllowed: this.mayReadRaw(ctx, m.orgId),
      ...fr,
    };
  }

  private can(f: () => void) {
    try {
      f();
      return true;
    } catch {
      return false;
    }
  }

  // ------------------------------------------------------------------ masking on real rows
  /**
   * A masking profile applied to the first rows of the resource's loaded data. The values before masking
   * are shown only to callers who may read the data raw (the owner unit's officers); the Center sees the
   * result alone.
   */
  async maskingPreview(ctx: RequestContext, ref: string, profileId: string | undefined, limit: number) {
    const m = await this.meta(this.db, ref);
    if (!m) throw notFound(ref);
    this.mayBrowse(ctx, m.orgId);
    const t = await this.db.selectFrom('data_table').selectAll().where('resource_id', '=', m.id).executeTakeFirst();
    if (!t || !t.last_load_at)
      throw new AppError(
        409,
        'ingest.no_data',
        '该资源还没有归集数据，请先上传或推送数据，或在上方粘贴样例行',
        'The resource has no loaded data yet; load some first, or paste sample rows',
      );
    const { rules } = await this.masking.rulesFor(ctx, m.id, profileId);
    const present = await actualColumns(this.db, t.table_name);
    const shown = m.items.filter((i) => present.has(i.code));
    const order = t.key_columns.length ? t.key_columns.map(ident).join(', ') : ident('loaded_at');
    const { rows } = await sql<
      Record<string, string | null>
    >`SELECT ${sql.join(shown.map((i) => sql.raw(`${ident(i.code)}::text AS ${ident(i.code)}`)))} FROM ${sql.raw(dataTable(t.table_name))} ORDER BY ${sql.raw(order)} LIMIT ${limit}`.execute(
      this.db,
    );
    const raw = this.mayReadRaw(ctx, m.orgId);
    const keys = this.masking.keys(`preview:${m.id}`);
    const cols: Column[] = shown.map((i) => ({
      code: i.code,
      dataType: i.dataType as Column['dataType'],
      length: i.length,
      piiKind: i.piiKind,
    }));
    await this.db.transaction().execute((trx) =>
      writeAudit(trx, ctx, {
        action: 'masking.preview',
        objectType: 'resource',
        objectId: m.id,
        orgId: m.orgId,
        diff: { profile: profileId ?? 'default', rows: rows.length, source: 'loaded data', before: raw },
      }),
    );
    return {
      items: shown.map((i) => ({ code: i.code, name: i.name, piiKind: i.piiKind, rule: rules[i.code] ?? null })),
      before: raw,
      rows: rows.map((r) =>
        Object.fromEntries(
          cols.map((c) => [
            c.code,
            {
              ...(raw ? { before: r[c.code] ?? null } : {}),
              after: maskValue(r[c.code] ?? null, c, rules[c.code], keys),
            },
          ]),
        ),
      ),
    };
  }

  // ------------------------------------------------------------------ the data browser
  async browse(
    ctx: RequestContext,
    ref: string,
    q: {
      page: number;
      pageSize: number;
      sort?: string;
      order?: 'asc' | 'desc';
      filters: { code: string; op: 'eq' | 'contains' | 'gt' | 'lt'; value: string }[];
      raw?: boolean;
    },
  ) {
    const m = await this.meta(this.db, ref);
    if (!m) throw notFound(ref);
    this.mayBrowse(ctx, m.orgId);
    const t = await this.db.selectFrom('data_table').selectAll().where('resource_id', '=', m.id).executeTakeFirst();
    if (!t) throw new AppError(409, 'ingest.no_table', '该资源还没有数据表', 'This resource has no data table yet');
    const items = m.items;
    const byCode = new Map(items.map((i) => [i.code, i]));
    const problems: { field: string; message: Problem }[] = [];
    if (q.sort && !byCode.has(q.sort) && q.sort !== 'loaded_at')
      problems.push({
        field: 'sort',
        message: { zh: `资源中没有信息项 ${q.sort}`, en: `the resource has no item ${q.sort}` },
      });
    const where: ReturnType<typeof sql>[] = [];
    q.filters.forEach((f, n) => {
      const it = byCode.get(f.code);
      if (!it)
        return problems.push({
          field: `filter.${n}`,
          message: { zh: `资源中没有信息项 ${f.code}`, en: `the resource has no item ${f.code}` },
        });
      const col = sql.raw(ident(f.code));
      if (f.op === 'contains')
        return where.push(sql`${col}::text ILIKE ${'%' + f.value.replace(/[\\%_]/g, (c) => '\\' + c) + '%'}`);
      const v = compileItem({ ...it, required: true, valueSet: [] })(f.value);
      if (typeof v !== 'string')
        return problems.push({
          field: `filter.${n}`,
          message: { zh: `${it.name}：${v.zh}`, en: `${it.code}: ${v.en}` },
        });
      const val = v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c));
      const type = sql.raw((t.columns as DataColumn[]).find((c) => c.code === f.code)?.sqlType ?? 'text');
      where.push(
        f.op === 'eq'
          ? sql`${col} = CAST(${val} AS ${type})`
          : f.op === 'gt'
            ? sql`${col} > CAST(${val} AS ${type})`
            : sql`${col} < CAST(${val} AS ${type})`,
      );
    });
    const raw = !!q.raw && this.mayReadRaw(ctx, m.orgId);
    if (q.raw && !raw) throw errors.forbidden('ingest.browse_raw');
    let rules: Awaited<ReturnType<MaskingService['rulesFor']>>['rules'] = {};
    if (!raw) {
      // Filtering or sorting on a masked item would tell what the mask hides (is this ID number here?).
      rules = (await this.masking.rulesFor(ctx, m.id)).rules;
      const masked = (code: string) => !!rules[code] && rules[code]!.rule !== 'none';
      q.filters.forEach((f, n) => {
        if (masked(f.code))
          problems.push({
            field: `filter.${n}`,
            message: {
              zh: `${f.code} 已脱敏显示，不能按它筛选`,
              en: `${f.code} is shown masked and cannot be filtered on`,
            },
          });
      });
      if (q.sort && masked(q.sort))
        problems.push({
          field: 'sort',
          message: {
            zh: `${q.sort} 已脱敏显示，不能按它排序`,
            en: `${q.sort} is shown masked and cannot be sorted on`,
          },
        });
    }
    if (problems.length) throw errors.validation(problems);
    const T = sql.raw(dataTable(t.table_name));
    const whereSql = where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``;
    const present = await actualColumns(this.db, t.table_name);
    const shown = items.filter((i) => present.has(i.code));
    const select = sql.join([
      ...shown.map((i) => sql.raw(`${ident(i.code)}::text AS ${ident(i.code)}`)),
      sql.raw(
        `to_char(${ident('loaded_at')} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS') AS ${ident('loaded_at')}`,
      ),
    ]);
    // A masked key must not order the page (masked ID numbers in key order tell the order of birth dates), nor may
    // ties fall back to the file's order: masked views go by load order, then by a keyed pseudonym of the row's key.
    const keyMasked = !raw && t.key_columns.some((k) => !!rules[k] && rules[k]!.rule !== 'none');
    const pseudonym = () => {
      const salt = this.masking.keys(`browse-order:${m.id}`).hash.digest('order').toString('hex');
      const keyText = t.key_columns.length
        ? t.key_columns.map((k) => `coalesce(${ident(k)}::text, '')`).join(` || '|' || `)
        : `${ident('batch_id')}::text`;
      return sql.raw(`md5('${salt}' || ${keyText})`);
    };
    const order = sql.raw(q.order === 'desc' ? 'DESC' : 'ASC');
    const orderBy = q.sort
      ? keyMasked
        ? sql`${sql.raw(ident(q.sort))} ${order} NULLS LAST, ${pseudonym()}`
        : sql`${sql.raw(ident(q.sort))} ${order} NULLS LAST`
      : keyMasked
        ? sql`${sql.raw(ident('loaded_at'))} ${order}, ${pseudonym()} ${order}`
        : t.key_columns.length
          ? sql`${sql.raw(t.key_columns.map(ident).join(', '))} ${order} NULLS LAST`
          : sql`${sql.raw(ident('loaded_at'))} ${order} NULLS LAST`;
    const offset = (q.page - 1) * q.pageSize;
    const { rows } = await sql<
      Record<string, string | null>
    >`SELECT ${select} FROM ${T} ${whereSql} ORDER BY ${orderBy} LIMIT ${q.pageSize} OFFSET ${offset}`.execute(this.db);
    const total = where.length
      ? (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${T} ${whereSql}`.execute(this.db)).rows[0]!.n
      : Number(t.row_count);
    let out: Record<string, unknown>[] = rows.map((r) => {
      const o: Record<string, unknown> = { ...r };
      for (const i of shown) if (i.dataType === 'boolean' && o[i.code] !== null) o[i.code] = o[i.code] === 'true';
      return o;
    });
    let maskedItems: string[] = [];
    if (!raw) {
      const keys = this.masking.keys(`browse:${m.id}`);
      const cols: Column[] = shown.map((i) => ({
        code: i.code,
        dataType: i.dataType as Column['dataType'],
        length: i.length,
        piiKind: i.piiKind,
      }));
      maskedItems = cols.filter((c) => rules[c.code] && rules[c.code]!.rule !== 'none').map((c) => c.code);
      out = out.map((r) => {
        const o = { ...r };
        for (const c of cols)
          if (maskedItems.includes(c.code)) o[c.code] = maskValue(r[c.code] ?? null, c, rules[c.code], keys);
        return o;
      });
    }
    await this.db.transaction().execute((trx) =>
      writeAudit(trx, ctx, {
        action: 'ingest.data.browse',
        objectType: 'resource',
        objectId: m.id,
        orgId: m.orgId,
        diff: { page: q.page, rows: out.length, raw, filters: q.filters.length },
      }),
    );
    return {
      columns: shown.map((i) => ({
        code: i.code,
        name: i.name,
        dataType: i.dataType,
        primaryKey: i.primaryKey,
        masked: maskedItems.includes(i.code),
      })),
      rows: out,
      total,
      page: q.page,
      pageSize: q.pageSize,
      raw,
      rawAllowed: this.mayReadRaw(ctx, m.orgId),
    };
  }
}
