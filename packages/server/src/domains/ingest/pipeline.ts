// The one batch pipeline every way in ends in: map the header to items, check every value, keep rejected
// rows with their reasons, stage accepted rows with COPY (in chunks, outside any transaction), then apply
// them to the data table in one transaction. A batch is atomic: killed before that transaction commits,
// nothing of it is visible and recovery marks it failed.
import { storableJson, storableText } from '../../platform/text.ts';
import { sql } from 'kysely';
import { once } from 'node:events';
import type { BulkSession, CopyIn, Db, DbOrTrx } from '../../db/database.ts';
import type { BatchMode, DataColumn } from '../../db/schema.ts';
import type { RequestContext } from '../../platform/context.ts';
import { writeAudit } from '../audit/index.ts';
import { dataTable, ident } from './data-table.ts';
import { KeySet } from './key-set.ts';
import { runLaneAuto } from './lane-thread.ts';
import { FileError, type InRow, type OpenedSource } from './readers.ts';
import { duplicateKeyError, fieldError, raggedError, type RowError } from './row-errors.ts';
import { compileItem, type ItemSpec, type Problem } from './values.ts';

export const REJECT_REASON_HEADER = '_错误原因';
const CHUNK_ROWS = 5000;
const CHUNK_CHARS = 4 * 1024 * 1024;
const MAX_RAW_CELL = 100_000;

export type { RowError };

export interface HeaderMap {
  /** For each item, its position in the header, or -1. */
  index: number[];
  ignored: string[];
}

const norm = (s: string) =>
  s
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase();

/** Header cells matched to items by code (any case) or by Chinese name; problems name the header. */
export function mapHeader(header: string[], items: ItemSpec[]): HeaderMap | { problems: RowError[] } {
  const problems: RowError[] = [];
  const index = items.map(() => -1);
  const ignored: string[] = [];
  header.forEach((h, pos) => {
    const n = norm(h);
    const i = items.findIndex((it) => it.code.toLowerCase() === n || norm(it.name) === n);
    if (i < 0) {
      if (n !== '') ignored.push(h);
      return;
    }
    if (index[i] !== -1)
      problems.push({
        field: 'header',
        zh: `第 ${pos + 1} 列「${headerCell(h)}」与第 ${index[i]! + 1} 列都对应信息项 ${items[i]!.code}`,
        en: `columns ${index[i]! + 1} and ${pos + 1} ("${headerCell(h)}") both map to item ${items[i]!.code}`,
      });
    else index[i] = pos;
  });
  const missing = items.filter((it, i) => index[i] === -1 && (it.required || it.primaryKey));
  if (missing.length)
    problems.push({
      field: 'header',
      zh: `缺少必填信息项的列：${missing.map((m) => `${m.name}（${m.code}）`).join('、')}`,
      en: `missing the columns of required items: ${missing.map((m) => m.code).join(', ')}`,
    });
  if (!index.some((x) => x >= 0))
    problems.push({
      field: 'header',
      zh: '表头中没有任何一列能对应到资源的信息项（可用信息项代码或名称作表头）',
      en: 'no header cell matches an item of the resource (use item codes or names as headers)',
    });
  return problems.length ? { problems } : { index, ignored };
}

export interface BatchContext {
  db: Db;
  copyIn: CopyIn;
  /** PostgreSQL: a dedicated connection, so the whole batch streams through one COPY inside one transaction. */
  bulkSession?: (() => Promise<BulkSession>) | undefined;
  ctx: RequestContext;
  batchId: string;
  resourceId: string;
  orgId: string;
  version: number;
  table: string;
  columns: DataColumn[];
  items: ItemSpec[];
  mode: BatchMode;
  /** CSV: a row with more or fewer cells than the header is ragged; XLSX and JSON leave out empty cells. */
  strictWidth: boolean;
  /** An incremental pull that finds nothing new is a normal, empty batch; a file or push without rows is an error. */
  allowEmpty?: boolean;
  onProgress?: (p: { received: number; accepted: number; rejected: number; bytes: number }) => void;
}

export interface BatchOutcome {
  received: number;
  accepted: number;
  rejected: number;
  rowCount: number;
  warnings: Problem[];
}

/** A header cell as a message quotes it: storable, at most 60 characters. */
const headerCell = (h: string) => storableText(h, 60);

/**
 * An original value as kept with a rejected row: long texts cut, NUL shown as ␀ and an unpaired surrogate as U+FFFD
 * (jsonb can hold neither); a nested JSON value (from a push) likewise, with its texts cut.
 */
function rawCell(v: unknown): unknown {
  if (typeof v === 'string') {
    const s = storableText(v.includes('\0') ? v.replace(/\0/g, '\u2400') : v);
    return s.length > MAX_RAW_CELL ? `${s.slice(0, MAX_RAW_CELL)}…（截断 / truncated）` : s;
  }
  if (v instanceof Date) return v.toISOString();
  if (v !== null && typeof v === 'object') return storableJson(v, MAX_RAW_CELL);
  return v === undefined ? null : v;
}

export const stagingTable = (batchId: string) => `stg_${batchId.replace(/-/g, '')}`;

/** A staging table's columns: the row number, then the items with their types. */
const stagingColumns = (columns: DataColumn[]) =>
  [`${ident('row_no')} integer NOT NULL`, ...columns.map((c) => `${ident(c.code)} ${c.sqlType}`)].join(', ');

export async function createStaging(db: Db, batchId: string, columns: DataColumn[]) {
  await sql.raw(`CREATE UNLOGGED TABLE ${dataTable(stagingTable(batchId))} (${stagingColumns(columns)})`).execute(db);
}

export async function dropStaging(db: Db, batchId: string) {
  await sql.raw(`DROP TABLE IF EXISTS ${dataTable(stagingTable(batchId))}`).execute(db);
}

/** Reads, checks and stages every row; then applies the batch. Throws FileError for a file that cannot be read. */
export async function runPipeline(b: BatchContext, src: OpenedSource): Promise<BatchOutcome> {
  const warnings: Problem[] = [];
  const mapped = mapHeader(src.header, b.items);
  if ('problems' in mapped)
    throw new FileError({
      zh: mapped.problems.map((p) => p.zh).join('；'),
      en: mapped.problems.map((p) => p.en).join('; '),
    });
  if (mapped.ignored.length) {
    const shown = mapped.ignored.slice(0, 20).map(headerCell);
    const more = mapped.ignored.length - shown.length;
    warnings.push({
      zh: `以下列不是资源的信息项，已忽略：${shown.join('、')}${more > 0 ? `（另有 ${more} 列）` : ''}`,
      en: `these columns are not items of the resource and were ignored: ${shown.join(', ')}${more > 0 ? ` (and ${more} more)` : ''}`,
    });
  }
  const absent = b.items.filter((_, i) => mapped.index[i] === -1);
  if (absent.length)
    warnings.push({
      zh: `文件中没有这些信息项的列${b.mode === 'upsert' ? '，已有数据中的这些值保持不变' : '，写入为空值'}：${absent.map((a) => a.code).join('、')}`,
      en: `the file has no column for ${absent.map((a) => a.code).join(', ')}${b.mode === 'upsert' ? '; existing values are kept' : '; loaded as empty'}`,
    });

  const checkers = b.items.map(compileItem);
  const keyIdx = b.items.map((it, i) => (it.primaryKey ? i : -1)).filter((i) => i >= 0);
  const keys = keyIdx.length ? new KeySet() : null;
  const width = src.header.length;
  const sink: Sink = b.bulkSession ? new StreamSink(b, await b.bulkSession()) : new StagingSink(b);
  try {
    await sink.open();
    // counted here and by the byte lane alike
    const counts = { received: 0, accepted: 0, rejected: 0 };
    let text = '';
    let inChunk = 0;
    let rejects: { batch_id: string; row_no: number; raw: string; errors: string }[] = [];
    // Rejected rows and progress go through the pool while rows stream: tracked, awaited before applying.
    let side: Promise<unknown> = Promise.resolve();
    let sideError: unknown = null;
    const background = (f: () => Promise<unknown>) => {
      side = side.then(f).catch((e: unknown) => (sideError ??= e));
    };
    let lastProgress = 0;
    const progress = (force = false) => {
      const now = Date.now();
      if (!force && now - lastProgress < 500) return;
      lastProgress = now;
      const snap = { ...counts, bytes: src.stats.bytes };
      b.onProgress?.(snap);
      background(() =>
        b.db
          .updateTable('ingest_batch')
          .set({ ...snap, heartbeat_at: new Date(), phase: 'loading' })
          .where('id', '=', b.batchId)
          .execute(),
      );
    };
    const flushRejects = () => {
      if (!rejects.length) return;
      const chunk = rejects;
      rejects = [];
      background(() =>
        b.db
          .insertInto('ingest_rejected')
          .values(chunk)
          .onConflict((oc) => oc.columns(['batch_id', 'row_no']).doNothing())
          .execute(),
      );
    };
    // past the key set's limit, rows are written unchecked, in staging form (row number first, no suffix)
    let unchecked = false;
    const flush = async () => {
      if (text) await sink.write(text, unchecked);
      text = '';
      inChunk = 0;
      flushRejects();
      progress();
      if (sideError) throw sideError;
    };
    const reject = (rowNo: number, cells: unknown[], errs: RowError[]) => {
      counts.rejected++;
      rejects.push({
        batch_id: b.batchId,
        row_no: rowNo,
        raw: JSON.stringify(cells.map(rawCell)),
        errors: JSON.stringify(errs),
      });
    };
    const withRowNo = sink.withRowNo;
    const suffix = sink.suffix;
    let lineRowNo = withRowNo;
    let lineSuffix = suffix;

    const out: string[] = new Array(b.items.length);
    const rowLoop = async (rows: AsyncIterable<InRow | InRow[]>) => {
      for await (const item of rows) {
        for (const row of Array.isArray(item) ? item : [item]) {
          counts.received++;
          if (row.problem) {
            reject(row.rowNo, row.cells, [{ field: 'row', ...row.problem }]);
          } else if (
            b.strictWidth &&
            row.cells.length !== width &&
            !(row.cells.length > width && row.cells.slice(width).every((c) => c === '' || c === null))
          ) {
            reject(row.rowNo, row.cells, [raggedError(row.cells.length, width)]);
          } else {
            let errs: RowError[] | null = null;
            for (let i = 0; i < checkers.length; i++) {
              const pos = mapped.index[i]!;
              const r = checkers[i]!(pos >= 0 ? row.cells[pos] : undefined);
              if (typeof r === 'string') out[i] = r;
              else (errs ??= []).push(fieldError(b.items[i]!, r));
            }
            if (!errs && keys && !unchecked && keys.full) {
              await flush();
              unchecked = true;
              lineRowNo = true;
              lineSuffix = '';
            }
            if (!errs && keys && !unchecked) {
              keyIdx.forEach((k, j) => {
                if (j) keys.separator();
                keys.pushString(out[k]!);
              });
              const first = keys.commit(row.rowNo);
              if (first >= 0) errs = [duplicateKeyError(b.items[keyIdx[0]!]!, first)];
            }
            if (errs) reject(row.rowNo, row.cells, errs);
            else {
              counts.accepted++;
              text += lineRowNo ? `${row.rowNo}\t${out.join('\t')}${lineSuffix}\n` : `${out.join('\t')}${lineSuffix}\n`;
              inChunk++;
            }
          }
          if (inChunk >= CHUNK_ROWS || text.length >= CHUNK_CHARS || rejects.length >= 500) await flush();
        }
      }
    };

    let rows: AsyncIterable<InRow | InRow[]> | null = src.rows;
    if (src.lane) {
      // UTF-8 CSV: the byte lane (in a worker thread for large files), up to a line with a quote if any (lane.ts)
      rows = await runLaneAuto(src.lane, {
        items: b.items,
        checkers,
        index: mapped.index,
        width,
        keyIdx,
        keys,
        withRowNo,
        suffix,
        counts,
        reject,
        flush: async (copy, uncheckedRows) => {
          if (uncheckedRows) unchecked = true;
          if (copy.length) await sink.write(copy, uncheckedRows);
          flushRejects();
          progress();
          if (sideError) throw sideError;
        },
      });
    }
    if (unchecked) {
      lineRowNo = true;
      lineSuffix = '';
    }
    if (rows) await rowLoop(rows);
    await flush();
    progress(true);
    await side;
    if (sideError) throw sideError;
    if (counts.received === 0 && !b.allowEmpty)
      throw new FileError({
        zh: '没有数据行（只有表头或内容为空）',
        en: 'There are no data rows (only a header, or nothing)',
      });
    const outcome = await sink.finish({ ...counts, warnings }, src.header, mapped.index);
    return outcome;
  } finally {
    await sink.close();
  }
}

interface Counts {
  received: number;
  accepted: number;
  rejected: number;
  warnings: Problem[];
}

/** Where accepted rows go, as COPY text lines, until the batch is applied. */
interface Sink {
  /** Lines start with the row number (staging tables keep it, for row-by-row refusals when applying). */
  readonly withRowNo: boolean;
  /** Appended to each line (the batch id, when rows go straight into the data table). */
  readonly suffix: string;
  open(): Promise<void>;
  /** `unchecked`: rows past the key set's limit, in staging form; their repeated keys are refused on apply. */
  write(text: string | Buffer, unchecked?: boolean): Promise<void>;
  finish(counts: Counts, header: string[], index: number[]): Promise<BatchOutcome>;
  close(): Promise<void>;
}

/**
 * PGlite (one connection in this process): rows are staged chunk by chunk in an unlogged table outside any
 * transaction, so the console stays usable; one short transaction applies them at the end.
 */
class StagingSink implements Sink {
  readonly withRowNo = true;
  readonly suffix = '';
  constructor(private readonly b: BatchContext) {}
  async open() {
    await createStaging(this.b.db, this.b.batchId, this.b.columns);
  }
  private overflow = false;
  async write(text: string | Buffer, unchecked = false) {
    if (unchecked) this.overflow = true;
    await this.b.copyIn(
      dataTable(stagingTable(this.b.batchId)),
      [ident('row_no'), ...this.b.columns.map((c) => ident(c.code))],
      text,
    );
  }
  async finish(counts: Counts, header: string[], index: number[]) {
    await this.b.db
      .updateTable('ingest_batch')
      .set({ phase: 'applying', heartbeat_at: new Date() })
      .where('id', '=', this.b.batchId)
      .execute();
    return this.b.db.transaction().execute(async (trx) => {
      await lockTable(trx, this.b);
      return applyRows(
        trx,
        this.b,
        dataTable(stagingTable(this.b.batchId)),
        counts,
        header,
        index,
        true,
        this.overflow ? { againstTable: false } : null,
      );
    });
  }
  async close() {
    await dropStaging(this.b.db, this.b.batchId).catch(() => {});
  }
}

/**
 * PostgreSQL: one dedicated connection and one transaction for the whole batch. Rows stream through a
 * single COPY while the file is still being read: straight into the data table when nothing can clash
 * (a replacement, an empty table, a table without a key), else into a temporary table applied at the end.
 * A killed process drops the connection and PostgreSQL rolls the whole batch back.
 */
class StreamSink implements Sink {
  withRowNo = false;
  suffix = '';
  private direct = false;
  private stream: import('node:stream').Writable | null = null;
  private error: Error | null = null;
  private committed = false;
  constructor(
    private readonly b: BatchContext,
    private readonly s: BulkSession,
  ) {}

  private get staging() {
    return ident(`stg_${this.b.batchId.replace(/-/g, '')}`);
  }

  async open() {
    const b = this.b;
    const db = this.s.db;
    const T = dataTable(b.table);
    await sql`BEGIN`.execute(db);
    await lockTable(db, b);
    const keyed = b.columns.some((c) => c.key);
    if (b.mode === 'replace') await sql.raw(`DELETE FROM ${T}`).execute(db);
    const empty = b.mode === 'replace' || (await sql.raw(`SELECT 1 FROM ${T} LIMIT 1`).execute(db)).rows.length === 0;
    this.direct = empty || (b.mode === 'append' && !keyed);
    if (this.direct) {
      this.suffix = `\t${b.batchId}`;
      this.copyInto(`${T} (${[...b.columns.map((c) => ident(c.code)), ident('batch_id')].join(', ')})`);
    } else {
      this.withRowNo = true;
      await this.copyIntoStaging();
    }
  }

  private copyInto(target: string) {
    this.stream = this.s.copyStream(`COPY ${target} FROM STDIN`);
    this.stream.on('error', (e: Error) => (this.error ??= e));
  }

  /** A temporary staging table for this batch's transaction, and a COPY into it. */
  private async copyIntoStaging() {
    await sql
      .raw(`CREATE TEMP TABLE ${this.staging} (${stagingColumns(this.b.columns)}) ON COMMIT DROP`)
      .execute(this.s.db);
    this.copyInto(`${this.staging} (${[ident('row_no'), ...this.b.columns.map((c) => ident(c.code))].join(', ')})`);
  }

  private overflow = false;
  async write(text: string | Buffer, unchecked = false) {
    if (unchecked && !this.overflow) {
      this.overflow = true;
      // rows straight into the table so far: end that COPY, the rest goes to a staging table
      if (this.direct) {
        await this.endCopy();
        await this.copyIntoStaging();
      }
    }
    if (this.error) throw this.error;
    const stream = this.stream!;
    if (!stream.write(text))
      // wait for the drain, and take both listeners off whichever comes first (they would pile up)
      await new Promise<void>((resolve) => {
        const done = () => {
          stream.off('drain', done);
          stream.off('error', done);
          resolve();
        };
        stream.on('drain', done);
        stream.on('error', done);
      });
    if (this.error) throw this.error;
  }

  private async endCopy() {
    const stream = this.stream!;
    if (this.error) throw this.error;
    const done = Promise.race([
      once(stream, 'finish'),
      once(stream, 'error').then(([e]) => Promise.reject(e as Error)),
    ]);
    stream.end();
    await done;
  }

  async finish(counts: Counts, header: string[], index: number[]) {
    await this.endCopy();
    await this.b.db
      .updateTable('ingest_batch')
      .set({ phase: 'applying', heartbeat_at: new Date() })
      .where('id', '=', this.b.batchId)
      .execute();
    const staged = !this.direct || this.overflow;
    const outcome = await applyRows(
      this.s.db,
      this.b,
      staged ? this.staging : null,
      counts,
      header,
      index,
      false,
      this.overflow ? { againstTable: this.direct } : null,
    );
    await sql`COMMIT`.execute(this.s.db);
    this.committed = true;
    return outcome;
  }

  async close() {
    if (!this.committed) {
      this.stream?.destroy();
      await sql`ROLLBACK`.execute(this.s.db).catch(() => {});
    }
    this.s.release(!this.committed);
  }
}

async function lockTable(db: DbOrTrx, b: BatchContext) {
  const dt = await db
    .selectFrom('data_table')
    .select(['version', 'table_name'])
    .where('resource_id', '=', b.resourceId)
    .forUpdate()
    .executeTakeFirst();
  if (!dt || dt.table_name !== b.table || dt.version !== b.version)
    throw new FileError({
      zh: '资源目录在本批次处理期间发布了新版本，请重新提交',
      en: 'A new catalog version was approved while this batch ran; submit it again',
    });
  return dt;
}

/**
 * Inside the batch's transaction: refuse appended rows whose key is loaded already, replace or upsert from
 * the staged rows (S), or only record the outcome when the rows went straight into the table (S null).
 */
async function applyRows(
  trx: DbOrTrx,
  b: BatchContext,
  S: string | null,
  counts: Counts,
  header: string[],
  index: number[],
  deleteOnReplace: boolean,
  /** Rows past the key set's limit are in S unchecked; `againstTable`: the table holds this batch's earlier rows. */
  dedupe: { againstTable: boolean } | null = null,
): Promise<BatchOutcome> {
  const T = dataTable(b.table);
  const cols = b.columns.map((c) => ident(c.code));
  const keys = b.columns.filter((c) => c.key).map((c) => ident(c.code));
  const present = b.columns.filter((_, i) => index[i]! >= 0 && !b.columns[i]!.key).map((c) => ident(c.code));
  let { accepted, rejected } = counts;
  const warnings = [...counts.warnings];
  const match = keys.map((k) => `t.${k} = s.${k}`).join(' AND ');
  // a staged row's values as sent, in the file's column order (for its rejected-row record)
  const raw = `to_jsonb(ARRAY[${header
    .map((_, pos) => {
      const i = index.indexOf(pos);
      return i >= 0 ? `s.${ident(b.columns[i]!.code)}::text` : 'NULL';
    })
    .join(', ')}]::text[])`;
  const keyCode = b.columns.find((c) => c.key)?.code ?? 'row';
  if (S && dedupe && keys.length) {
    // Past the key set's limit the database finds what it would have: a key that repeats an earlier row of
    // this batch refuses the later row, as the in-process check does.
    if (dedupe.againstTable) {
      const errs = JSON.stringify([
        { field: keyCode, zh: '主键与本批次前面的一行重复', en: 'the key repeats an earlier row of this batch' },
      ]);
      const r =
        await sql`${sql.raw(`INSERT INTO ingest_rejected (batch_id, row_no, raw, errors) SELECT `)}${b.batchId}::uuid${sql.raw(`, s.row_no, ${raw}, `)}${errs}::jsonb${sql.raw(` FROM ${S} s WHERE EXISTS (SELECT 1 FROM ${T} t WHERE ${match}) ON CONFLICT DO NOTHING`)}`.execute(
          trx,
        );
      const n = Number(r.numAffectedRows ?? 0);
      if (n) await sql.raw(`DELETE FROM ${S} s WHERE EXISTS (SELECT 1 FROM ${T} t WHERE ${match})`).execute(trx);
      accepted -= n;
      rejected += n;
    }
    const firsts = `(SELECT row_no, min(row_no) OVER (PARTITION BY ${keys.join(', ')}) AS first FROM ${S})`;
    const r =
      await sql`${sql.raw(`INSERT INTO ingest_rejected (batch_id, row_no, raw, errors) SELECT `)}${b.batchId}::uuid${sql.raw(`, s.row_no, ${raw}, jsonb_build_array(jsonb_build_object('field', `)}${keyCode}::text${sql.raw(`, 'zh', '主键与本批次第 ' || d.first || ' 行重复', 'en', 'the key repeats row ' || d.first || ' of this batch')) FROM ${S} s JOIN ${firsts} d ON d.row_no = s.row_no WHERE d.first < s.row_no ON CONFLICT DO NOTHING`)}`.execute(
        trx,
      );
    const n = Number(r.numAffectedRows ?? 0);
    if (n)
      await sql
        .raw(`DELETE FROM ${S} s USING ${firsts} d WHERE d.row_no = s.row_no AND d.first < s.row_no`)
        .execute(trx);
    accepted -= n;
    rejected += n;
  }
  if (S && b.mode === 'append' && keys.length) {
    // Appending a row whose key is already loaded is refused row by row (upsert replaces it instead).
    const errs = JSON.stringify([
      {
        field: b.columns.find((c) => c.key)!.code,
        zh: '主键已存在（追加模式不覆盖已有数据，如需更新请用更新模式）',
        en: 'the key is already loaded (append never overwrites; use upsert to update)',
      },
    ]);
    const dup =
      await sql`${sql.raw(`INSERT INTO ingest_rejected (batch_id, row_no, raw, errors) SELECT `)}${b.batchId}::uuid${sql.raw(`, s.row_no, ${raw}, `)}${errs}::jsonb${sql.raw(` FROM ${S} s WHERE EXISTS (SELECT 1 FROM ${T} t WHERE ${match})`)}`.execute(
        trx,
      );
    const n = Number(dup.numAffectedRows ?? 0);
    if (n) {
      await sql.raw(`DELETE FROM ${S} s WHERE EXISTS (SELECT 1 FROM ${T} t WHERE ${match})`).execute(trx);
      accepted -= n;
      rejected += n;
    }
  }
  if (b.mode === 'replace' && accepted === 0)
    throw new FileError({
      zh: '全量替换的批次没有一行通过校验，已有数据保持不变',
      en: 'No row of this full replacement passed the checks; the loaded data is unchanged',
    });
  if (b.mode === 'replace' && deleteOnReplace) await sql.raw(`DELETE FROM ${T}`).execute(trx);
  const conflict =
    b.mode === 'upsert'
      ? ` ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${[...present.map((c) => `${c} = EXCLUDED.${c}`), `${ident('batch_id')} = EXCLUDED.${ident('batch_id')}`, `${ident('loaded_at')} = EXCLUDED.${ident('loaded_at')}`].join(', ')}`
      : '';
  if (S)
    await sql`${sql.raw(`INSERT INTO ${T} (${[...cols, ident('batch_id')].join(', ')}) SELECT ${cols.join(', ')}, `)}${b.batchId}::uuid${sql.raw(` FROM ${S} ORDER BY row_no${conflict}`)}`.execute(
      trx,
    );
  const rowCount = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.raw(T)}`.execute(trx)).rows[0]!.n;
  const now = new Date();
  await trx
    .updateTable('data_table')
    .set({ row_count: rowCount, last_load_at: now, last_batch_id: b.batchId })
    .where('resource_id', '=', b.resourceId)
    .execute();
  await trx
    .updateTable('ingest_batch')
    .set({
      status: 'succeeded',
      phase: 'done',
      received: counts.received,
      accepted,
      rejected,
      warnings: JSON.stringify(warnings),
      finished_at: now,
      heartbeat_at: now,
    })
    .where('id', '=', b.batchId)
    .execute();
  await writeAudit(trx, b.ctx, {
    action: 'ingest.batch.load',
    objectType: 'ingest_batch',
    objectId: b.batchId,
    orgId: b.orgId,
    diff: { resource: b.resourceId, mode: b.mode, received: counts.received, accepted, rejected, rowCount },
  });
  return { received: counts.received, accepted, rejected, rowCount, warnings };
}
