// Aggregation (SPEC §2, §15-18): the batches that load each approved tabular resource's data table, their
// reports and rejected rows, and freshness against the update cycle. The tables themselves are
// table/table.service.ts's; the data browser is browse/browse.service.ts's.
import type { Freshness } from './ingest.schemas.ts';
import { batchOutcome } from './ingest.outcome.ts';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { BulkSession, CopyIn, Db, DbOrTrx, Trx } from '../../db/database.ts';
import type { BatchMode, BatchSource, DataColumn } from '../../db/schema.ts';
import { actorName, type RequestContext } from '../../platform/context.ts';
import { AppError, errors } from '../../platform/errors.ts';
import { csvCell } from '../../platform/csv.ts';
import { storableJson, storableText } from '../../platform/text.ts';
import { writeAudit } from '../audit/index.ts';
import { shiftDays, todayInShanghai, type CalendarService, type WorkingCalendar } from '../calendar/index.ts';
import { findPublished, findResourceOwner, listPublished, type PublishedResource } from '../catalog/index.ts';
import { FileError, rowPlaceOf, rowWhere } from './check/check.row-errors.ts';
import type { Problem } from './check/check.values.ts';
import * as repo from './ingest.repository.ts';
import { authorize, authorizeUnlessScheduled, can, mayReadRejectedValues, unitScope } from './ingest.policy.ts';
import { REJECT_REASON_HEADER, runPipeline } from './pipeline/pipeline.ts';
import { dropStaging } from './pipeline/pipeline.repository.ts';
import type { OpenedSource } from './read/read.sources.ts';
import { DataTables, isTabular, type EnsureResult } from './table/table.service.ts';

/** What a batch keeps of the header it read: at most 1,000 cells of at most 200 characters (a 50 MB header line stays out). */
function headerExcerpt(header: string[]): unknown {
  return storableJson(header.slice(0, 1000), 200);
}

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

export type { Freshness };

/** An approved resource at its current version, as ingest reads it from the catalog. */
export type ResourceMeta = PublishedResource;

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

type Progress = { received: number; accepted: number; rejected: number; bytes: number };
type FreshnessRules = { grace: number; cal: WorkingCalendar; today: string };

const notFound = (ref: string) => errors.notFound('resource', ref);
const inProgress = () =>
  new AppError(
    409,
    'ingest.in_progress',
    '同一幂等键的批次正在处理中',
    'A batch with this idempotency key is still running',
  );
const INTERRUPTED = {
  zh: '处理中断：处理该批次的进程已退出，本批次没有写入任何数据',
  en: 'Interrupted: the process handling this batch ended; none of the batch was loaded',
};

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function presentBatch(b: repo.BatchRow) {
  return {
    id: b.id,
    resourceId: b.resource_id,
    version: b.version,
    source: b.source,
    mode: b.mode,
    status: b.status,
    outcome: batchOutcome(b),
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

/** A batch's reason for the caller: a file's or a rule's; anything else (database, V8, network) stays in the log. */
function failureReason(e: unknown, batchId: string): Problem {
  if (e instanceof FileError) return e.problem;
  if (e instanceof AppError) return { zh: e.zh, en: e.en };
  return {
    zh: `处理失败：服务器内部错误，本批次没有写入任何数据（批次 ${batchId}，原因已记入服务器日志）`,
    en: `Processing failed: an internal error; none of the batch was loaded (batch ${batchId}; the cause is in the server log)`,
  };
}

export class IngestService {
  private readonly host = hostname();
  private readonly owner = `${this.host}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly active = new Set<string>();
  private readonly tables: DataTables;
  today: () => string = () => todayInShanghai();

  constructor(
    private readonly db: Db,
    private readonly copyIn: CopyIn,
    private readonly calendar: CalendarService,
    private readonly bulkSession?: () => Promise<BulkSession>,
  ) {
    this.tables = new DataTables(db);
  }

  // ------------------------------------------------------------------ resources and their tables
  meta(db: DbOrTrx, ref: string): Promise<ResourceMeta | null> {
    return findPublished(db, ref);
  }

  static tabular(resource: Pick<ResourceMeta, 'format' | 'items'>) {
    return isTabular(resource);
  }

  /** Creates or migrates the data table of a resource's current version (inside the caller's transaction). */
  ensureTable(trx: Trx, resourceId: string): Promise<EnsureResult> {
    return this.tables.ensure(trx, resourceId);
  }

  /** Brings every approved tabular resource's table up to its current version (startup, after seeding). */
  ensureAllTables(): Promise<number> {
    return this.tables.ensureAll();
  }

  private async published(ref: string): Promise<ResourceMeta> {
    const resource = await findPublished(this.db, ref);
    if (!resource) throw notFound(ref);
    return resource;
  }

  /** The resource a batch loads: approved, with a table. */
  private async loadable(ref: string): Promise<ResourceMeta> {
    const resource = await findPublished(this.db, ref);
    if (!resource) {
      if (!(await findResourceOwner(this.db, ref))) throw notFound(ref);
      throw new AppError(
        409,
        'ingest.not_approved',
        '资源尚未通过目录审核，不能归集数据',
        'The resource is not approved in the catalog yet; it cannot take data',
      );
    }
    if (!isTabular(resource))
      throw new AppError(
        409,
        'ingest.not_tabular',
        '该资源是文件或影像类资源，没有数据表',
        'This resource is a file or media resource; it has no data table',
      );
    return resource;
  }

  /** Rows and last load of the resources that have a data table (for the catalog's responsibility list). */
  async loadsOf(resourceIds: string[]): Promise<Map<string, { rowCount: number; lastLoadAt: Date | null }>> {
    const tables = await repo.listDataTables(this.db, [...new Set(resourceIds)]);
    return new Map(tables.map((t) => [t.resource_id, { rowCount: t.row_count, lastLoadAt: t.last_load_at }]));
  }

  // ------------------------------------------------------------------ batches
  /**
   * A batch under the same idempotency key as an earlier one: replayed when that one succeeded (with the same
   * body), refused while it runs; a failed attempt frees its key for the retry.
   */
  private async priorBatch(resource: ResourceMeta, start: StartBatch) {
    if (!start.idempotencyKey) return null;
    const prior = await repo.findBatchByKey(this.db, resource.id, start.idempotencyKey);
    if (!prior) return null;
    if (prior.status === 'running') throw inProgress();
    if (prior.status === 'succeeded') {
      if (start.checksum && prior.checksum && start.checksum !== prior.checksum)
        throw new AppError(
          422,
          'ingest.idempotency_mismatch',
          '该幂等键已用于内容不同的另一批数据',
          'This idempotency key was used for a different body',
        );
      return prior;
    }
    await repo.releaseIdempotencyKey(this.db, prior.id);
    return null;
  }

  /** Records a new running batch owned by this process. */
  private async startBatch(ctx: RequestContext, resource: ResourceMeta, start: StartBatch): Promise<string> {
    const id = randomUUID();
    const actor = ctx.actor;
    try {
      await repo.insertBatch(this.db, {
        id,
        resource_id: resource.id,
        org_id: resource.orgId,
        version: resource.version,
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
      });
    } catch (e) {
      // the unique index on (resource, key): another request under the same key got there first
      if ((e as { code?: string }).code === '23505') throw inProgress();
      throw e;
    }
    return id;
  }

  /**
   * Runs one batch end to end. `open` is called once the batch is recorded; a file that cannot be read
   * fails the batch with the reason and changes no data.
   */
  async ingest(
    ctx: RequestContext,
    ref: string,
    start: StartBatch,
    open: (onBytes: (n: number) => void, resource: ResourceMeta) => Promise<OpenedSource>,
    onProgress?: (p: Progress) => void,
  ) {
    const resource = await this.loadable(ref);
    // A scheduled pull runs as the platform itself (no actor); every other batch has someone behind it.
    if (start.source === 'pull') authorizeUnlessScheduled(ctx.actor, 'ingest.load', resource.orgId);
    else authorize(ctx.actor, 'ingest.load', resource.orgId);
    const table = await this.tables.current(resource);
    if (start.mode === 'upsert' && !table.key_columns.length)
      throw errors.field(
        'mode',
        '资源没有主键信息项，只能使用追加（append）或全量替换（replace）',
        'the resource has no key items; use append or replace',
      );
    const prior = await this.priorBatch(resource, start);
    if (prior) return { replayed: true, batch: await this.report(prior.id) };

    const id = await this.startBatch(ctx, resource, start);
    this.active.add(id);
    // Not a job: the heartbeat says this process is still driving this batch, so only this process can beat.
    const beat = setInterval(() => void repo.heartbeat(this.db, id).catch(() => {}), HEARTBEAT_MS);
    beat.unref();
    let lastBytes = 0;
    try {
      const src = await open((n) => (lastBytes = n), resource);
      await repo.setBatchHeader(this.db, id, headerExcerpt(src.header), src.stats.encoding ?? start.encoding ?? null);
      await runPipeline(
        {
          db: this.db,
          copyIn: this.copyIn,
          bulkSession: this.bulkSession,
          ctx,
          batchId: id,
          resourceId: resource.id,
          orgId: resource.orgId,
          version: resource.version,
          table: table.table_name,
          columns: table.columns as DataColumn[],
          place: rowPlaceOf(start.fileFormat),
          fileName: start.fileName ?? null,
          items: resource.items,
          mode: start.mode,
          strictWidth: start.strictWidth,
          allowEmpty: start.source === 'pull',
          ...(onProgress ? { onProgress } : {}),
        },
        src,
      );
      await repo.setBatchChecksum(this.db, id, src.checksum(), Math.max(src.stats.bytes, lastBytes));
    } catch (e) {
      await this.fail(ctx, resource, id, failureReason(e, id), lastBytes, start.fileName ?? null).catch(
        (err: unknown) => process.stderr.write(`ingest batch ${id}: could not record the failure: ${String(err)}\n`),
      );
      // Not the caller's input: keep the cause in the log, answer with the batch.
      if (!(e instanceof FileError) && !(e instanceof AppError))
        process.stderr.write(`ingest batch ${id} failed: ${(e as Error).stack ?? String(e)}\n`);
    } finally {
      clearInterval(beat);
      this.active.delete(id);
    }
    const batch = await this.report(id);
    if (batch.status === 'succeeded')
      for (const listener of this.batchListeners) await listener({ batchId: id, resourceId: resource.id });
    return { replayed: false, batch };
  }

  private readonly batchListeners: ((b: { batchId: string; resourceId: string }) => Promise<void>)[] = [];
  /** Called after each batch that succeeded (quality runs its rules): a listener should only queue work. */
  onBatchSucceeded(listener: (b: { batchId: string; resourceId: string }) => Promise<void>) {
    this.batchListeners.push(listener);
  }

  /** Marks the batch failed with a bounded reason, and audits the failure with the same reason. */
  private async fail(
    ctx: RequestContext,
    resource: ResourceMeta,
    id: string,
    problem: Problem,
    bytes: number,
    fileName: string | null = null,
  ) {
    const reason = { zh: storableText(problem.zh, 2000), en: storableText(problem.en, 2000) };
    await this.db.transaction().execute(async (trx) => {
      await repo.setBatchFailed(trx, id, reason, bytes);
      await writeAudit(trx, ctx, {
        action: 'ingest.batch.fail',
        objectType: 'ingest_batch',
        objectId: id,
        orgId: resource.orgId,
        outcome: 'failure',
        diff: { resource: resource.id, outcome: 'failed', ...(fileName ? { file: fileName } : {}), bytes, reason },
      });
    });
  }

  /** A running batch nobody drives any more: no heartbeat for two minutes, or its process of this host is gone. */
  private isStale(b: { id: string; owner: string | null; heartbeat_at: Date | null }): boolean {
    if (this.active.has(b.id)) return false;
    if (!b.heartbeat_at || Date.now() - b.heartbeat_at.getTime() > STALE_AFTER_MS) return true;
    const [host, pidText, nonce] = (b.owner ?? '').split(':');
    if (host !== this.host) return false;
    const pid = Number(pidText);
    return pid === process.pid ? `${host}:${pid}:${nonce}` !== this.owner : !alive(pid);
  }

  /** A batch whose process died never finishes: marked failed (its staged rows were never visible). */
  async recoverStale(): Promise<number> {
    let n = 0;
    for (const b of await repo.listRunningBatches(this.db)) {
      if (!this.isStale(b)) continue;
      await repo.setBatchFailed(this.db, b.id, INTERRUPTED);
      await dropStaging(this.db, b.id).catch(() => {});
      n++;
    }
    return n;
  }

  async batch(ctx: RequestContext, id: string) {
    const [b] = await repo.listBatches(this.db, { id, limit: 1, offset: 0 });
    if (!b) throw errors.notFound('ingest_batch', id);
    authorize(ctx.actor, 'ingest.browse_or_load', b.org_id);
    return this.report(id, mayReadRejectedValues(ctx.actor, b.org_id));
  }

  /** A batch with its first rejected rows (no access check: for the caller that ran it). */
  private async report(id: string, withValues = true) {
    const [b] = await repo.listBatches(this.db, { id, limit: 1, offset: 0 });
    if (!b) throw errors.notFound('ingest_batch', id);
    const sample = await repo.listRejected(this.db, id, { after: -1, limit: 20 });
    const place = rowPlaceOf(b.file_format);
    return {
      ...presentBatch(b),
      rejectedSample: sample.map((r) => ({
        rowNo: r.row_no,
        dataRow: r.data_row,
        where: rowWhere(place, r.row_no, r.data_row),
        raw: withValues ? r.raw : null,
        errors: r.errors,
      })),
    };
  }

  async batches(ctx: RequestContext, ref: string, page: { limit: number; offset: number }) {
    const resource = await this.published(ref);
    authorize(ctx.actor, 'ingest.browse_or_load', resource.orgId);
    await this.recoverStale();
    const rows = await repo.listBatches(this.db, { resourceId: resource.id, ...page });
    return { total: await repo.countBatches(this.db, resource.id), batches: rows.map(presentBatch) };
  }

  /** Rejected rows as CSV (UTF-8 with BOM, for Excel): the original columns plus the reasons, ready to fix and upload again. */
  async *rejectedCsv(ctx: RequestContext, id: string): AsyncGenerator<string> {
    const [b] = await repo.listBatches(this.db, { id, limit: 1, offset: 0 });
    if (!b) throw errors.notFound('ingest_batch', id);
    authorize(ctx.actor, 'ingest.browse_or_load', b.org_id);
    if (!mayReadRejectedValues(ctx.actor, b.org_id)) authorize(ctx.actor, 'ingest.rejected_rows', b.org_id);
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
      const rows = await repo.listRejected(this.db, id, { after, limit: 1000 });
      if (!rows.length) break;
      let out = '';
      for (const r of rows) {
        const cells = header.length ? header.map((_, i) => r.raw[i]) : r.raw;
        // A row the reader could not split (no cells) keeps its place with its reason.
        const where = rowWhere(rowPlaceOf(b.file_format), r.row_no, r.data_row).zh;
        out += [...cells, `${where}：${r.errors.map((e) => e.zh).join('；')}`].map(csvCell).join(',') + '\r\n';
        after = r.row_no;
      }
      yield out;
    }
  }

  // ------------------------------------------------------------------ freshness and the overview
  /** What freshness needs from the calendar domain, read once for a whole list. */
  private async freshnessRules(): Promise<FreshnessRules> {
    const [policy, cal] = await Promise.all([this.calendar.currentPolicy(), this.calendar.calendar()]);
    return { grace: policy.params.ingest_overdue_grace_days ?? 3, cal, today: this.today() };
  }

  /** Fresh until the update cycle has passed since the last load; due within the grace (working days); then overdue. */
  freshnessOf(
    rules: FreshnessRules,
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
    if (!ctx.actor) throw errors.unauthenticated();
    const [resources, tables, rules] = await Promise.all([
      listPublished(this.db, { orgId: unitScope(ctx.actor, f.orgId) }),
      repo.listDataTables(this.db),
      this.freshnessRules(),
    ]);
    const tableOf = new Map(tables.map((t) => [t.resource_id, t]));
    const out = [];
    for (const r of resources) {
      const t = tableOf.get(r.id);
      const fr = this.freshnessOf(rules, r.updateCycle, t?.last_load_at ?? null, !!t);
      if (f.freshness && fr.freshness !== f.freshness) continue;
      out.push({
        id: r.id,
        code: r.code,
        name: r.name,
        orgId: r.orgId,
        orgName: r.orgName,
        updateCycle: r.updateCycle,
        format: r.format,
        table: t ? `data.${t.table_name}` : null,
        rowCount: t ? (t.row_count ?? 0) : null,
        lastLoadAt: t?.last_load_at?.toISOString() ?? null,
        ...fr,
      });
    }
    return out;
  }

  /** A resource's freshness, rows and last load, with no access check (quality's timeliness rule). */
  async freshnessFor(resourceId: string) {
    const resource = await findPublished(this.db, resourceId);
    if (!resource) return null;
    const t = await repo.findDataTable(this.db, resource.id);
    const fr = this.freshnessOf(await this.freshnessRules(), resource.updateCycle, t?.last_load_at ?? null, !!t);
    return { ...fr, updateCycle: resource.updateCycle, rowCount: t ? Number(t.row_count ?? 0) : null };
  }

  /**
   * The batches that loaded a resource's rows, in the order they committed: the catalog version each was checked
   * against, whether it only added rows, and how many it loaded.
   */
  async succeededBatches(
    resourceId: string,
    /** the caller's transaction, to read them in the same snapshot as its data */
    db: DbOrTrx = this.db,
  ): Promise<{ id: string; version: number; changeSeq: number | null; insertOnly: boolean; accepted: number }[]> {
    return repo.succeededBatches(db, resourceId);
  }

  /** A batch of a resource as a fix names it (no access check: the caller checks the owner). */
  async batchOf(id: string): Promise<{ resourceId: string; status: string; startedAt: Date } | null> {
    const [b] = await repo.listBatches(this.db, { id, limit: 1, offset: 0 });
    return b ? { resourceId: b.resource_id, status: b.status, startedAt: b.started_at } : null;
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
    const resource = await this.published(ref);
    authorize(ctx.actor, 'ingest.browse_or_load', resource.orgId);
    const t = await repo.findDataTable(this.db, resource.id);
    const fr = this.freshnessOf(await this.freshnessRules(), resource.updateCycle, t?.last_load_at ?? null, !!t);
    return {
      id: resource.id,
      code: resource.code,
      name: resource.name,
      orgId: resource.orgId,
      version: resource.version,
      updateCycle: resource.updateCycle,
      tabular: isTabular(resource),
      table: t ? `data.${t.table_name}` : null,
      tableVersion: t?.version ?? null,
      archivedTables: t?.archived_tables ?? [],
      rowCount: t?.row_count ?? null,
      lastLoadAt: t?.last_load_at?.toISOString() ?? null,
      keyColumns: t?.key_columns ?? [],
      items: resource.items.map((i) => ({
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
      mayLoad: can(ctx.actor, 'ingest.load', resource.orgId),
      mayManagePulls: can(ctx.actor, 'ingest.pull_source', resource.orgId),
      rawAllowed: can(ctx.actor, 'ingest.browse_raw', resource.orgId),
      ...fr,
    };
  }
}
