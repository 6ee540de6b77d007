// The one batch pipeline every way in ends in: map the header to items, check every value, keep rejected
// rows with their reasons, stage accepted rows with COPY (in chunks, outside any transaction), then apply
// them to the data table in one transaction. A batch is atomic: killed before that transaction commits,
// nothing of it is visible and recovery marks it failed.
import { sql } from 'kysely';
import type { CopyIn, Db } from '../../db/database.ts';
import type { BatchMode, DataColumn } from '../../db/schema.ts';
import type { RequestContext } from '../../platform/context.ts';
import { writeAudit } from '../audit/index.ts';
import { dataTable, ident } from './data-table.ts';
import { FileError, type OpenedSource } from './readers.ts';
import { compileItem, type ItemSpec, type Problem } from './values.ts';

export const REJECT_REASON_HEADER = '_错误原因';
const CHUNK_ROWS = 5000;
const CHUNK_CHARS = 4 * 1024 * 1024;
const MAX_RAW_CELL = 100_000;

export interface RowError {
  field: string;
  zh: string;
  en: string;
}

export interface HeaderMap {
  /** For each item, its position in the header, or -1. */
  index: number[];
  ignored: string[];
}

const norm = (s: string) => s.replace(/^\uFEFF/, '').trim().toLowerCase();

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
    if (index[i] !== -1) problems.push({ field: 'header', zh: `第 ${pos + 1} 列「${h}」与第 ${index[i]! + 1} 列都对应信息项 ${items[i]!.code}`, en: `columns ${index[i]! + 1} and ${pos + 1} ("${h}") both map to item ${items[i]!.code}` });
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
    problems.push({ field: 'header', zh: '表头中没有任何一列能对应到资源的信息项（可用信息项代码或名称作表头）', en: 'no header cell matches an item of the resource (use item codes or names as headers)' });
  return problems.length ? { problems } : { index, ignored };
}

export interface BatchContext {
  db: Db;
  copyIn: CopyIn;
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

/** An original value as kept with a rejected row: long texts cut, NUL shown as ␀ (jsonb cannot hold it). */
function rawCell(v: unknown): unknown {
  if (typeof v === 'string') {
    const s = v.includes('\0') ? v.replace(/\0/g, '\u2400') : v;
    return s.length > MAX_RAW_CELL ? `${s.slice(0, MAX_RAW_CELL)}…（截断 / truncated）` : s;
  }
  if (v instanceof Date) return v.toISOString();
  return v === undefined ? null : v;
}

export const stagingTable = (batchId: string) => `stg_${batchId.replace(/-/g, '')}`;

export async function createStaging(db: Db, batchId: string, columns: DataColumn[]) {
  const defs = [`${ident('row_no')} integer NOT NULL`, ...columns.map((c) => `${ident(c.code)} ${c.sqlType}`)];
  await sql.raw(`CREATE UNLOGGED TABLE ${dataTable(stagingTable(batchId))} (${defs.join(', ')})`).execute(db);
}

export async function dropStaging(db: Db, batchId: string) {
  await sql.raw(`DROP TABLE IF EXISTS ${dataTable(stagingTable(batchId))}`).execute(db);
}

/** Reads, checks and stages every row; then applies the batch. Throws FileError for a file that cannot be read. */
export async function runPipeline(b: BatchContext, src: OpenedSource): Promise<BatchOutcome> {
  const warnings: Problem[] = [];
  const mapped = mapHeader(src.header, b.items);
  if ('problems' in mapped) throw new FileError({ zh: mapped.problems.map((p) => p.zh).join('；'), en: mapped.problems.map((p) => p.en).join('; ') });
  if (mapped.ignored.length)
    warnings.push({ zh: `以下列不是资源的信息项，已忽略：${mapped.ignored.join('、')}`, en: `these columns are not items of the resource and were ignored: ${mapped.ignored.join(', ')}` });
  const absent = b.items.filter((_, i) => mapped.index[i] === -1);
  if (absent.length)
    warnings.push({
      zh: `文件中没有这些信息项的列${b.mode === 'upsert' ? '，已有数据中的这些值保持不变' : '，写入为空值'}：${absent.map((a) => a.code).join('、')}`,
      en: `the file has no column for ${absent.map((a) => a.code).join(', ')}${b.mode === 'upsert' ? '; existing values are kept' : '; loaded as empty'}`,
    });

  const checkers = b.items.map(compileItem);
  const keyIdx = b.items.map((it, i) => (it.primaryKey ? i : -1)).filter((i) => i >= 0);
  const seenKeys = keyIdx.length ? new Map<string, number>() : null;
  const width = src.header.length;
  const staging = dataTable(stagingTable(b.batchId));
  const stagingCols = [ident('row_no'), ...b.columns.map((c) => ident(c.code))];

  let received = 0;
  let accepted = 0;
  let rejected = 0;
  let text = '';
  let inChunk = 0;
  let rejects: { batch_id: string; row_no: number; raw: string; errors: string }[] = [];

  const flushRejects = async () => {
    if (!rejects.length) return;
    const chunk = rejects;
    rejects = [];
    await b.db.insertInto('ingest_rejected').values(chunk).onConflict((oc) => oc.columns(['batch_id', 'row_no']).doNothing()).execute();
  };
  const flush = async () => {
    if (text) await b.copyIn(staging, stagingCols, text);
    text = '';
    inChunk = 0;
    await flushRejects();
    b.onProgress?.({ received, accepted, rejected, bytes: src.stats.bytes });
    await b.db
      .updateTable('ingest_batch')
      .set({ received, accepted, rejected, bytes: src.stats.bytes, heartbeat_at: new Date(), phase: 'loading' })
      .where('id', '=', b.batchId)
      .execute();
  };
  const reject = (rowNo: number, cells: unknown[], errs: RowError[]) => {
    rejected++;
    rejects.push({ batch_id: b.batchId, row_no: rowNo, raw: JSON.stringify(cells.map(rawCell)), errors: JSON.stringify(errs) });
  };

  const out: string[] = new Array(b.items.length);
  for await (const row of src.rows) {
    received++;
    if (row.problem) {
      reject(row.rowNo, row.cells, [{ field: 'row', ...row.problem }]);
    } else if (b.strictWidth && row.cells.length !== width && !(row.cells.length > width && row.cells.slice(width).every((c) => c === '' || c === null))) {
      reject(row.rowNo, row.cells, [{ field: 'row', zh: `本行有 ${row.cells.length} 列，表头有 ${width} 列`, en: `the row has ${row.cells.length} cells, the header has ${width}` }]);
    } else {
      let errs: RowError[] | null = null;
      for (let i = 0; i < checkers.length; i++) {
        const pos = mapped.index[i]!;
        const r = checkers[i]!(pos >= 0 ? row.cells[pos] : undefined);
        if (typeof r === 'string') out[i] = r;
        else (errs ??= []).push({ field: b.items[i]!.code, zh: `${b.items[i]!.name}：${r.zh}`, en: `${b.items[i]!.code}: ${r.en}` });
      }
      if (!errs && seenKeys) {
        const key = keyIdx.length === 1 ? out[keyIdx[0]!]! : keyIdx.map((i) => out[i]).join('\u0001');
        const first = seenKeys.get(key);
        if (first !== undefined) errs = [{ field: b.items[keyIdx[0]!]!.code, zh: `主键与本批次第 ${first} 行重复`, en: `the key repeats row ${first} of this batch` }];
        else seenKeys.set(key, row.rowNo);
      }
      if (errs) reject(row.rowNo, row.cells, errs);
      else {
        accepted++;
        text += `${row.rowNo}\t${out.join('\t')}\n`;
        inChunk++;
      }
    }
    if (inChunk >= CHUNK_ROWS || text.length >= CHUNK_CHARS || rejects.length >= 500) await flush();
  }
  await flush();
  if (received === 0 && !b.allowEmpty) throw new FileError({ zh: '没有数据行（只有表头或内容为空）', en: 'There are no data rows (only a header, or nothing)' });

  return applyBatch(b, { received, accepted, rejected, warnings }, src.header, mapped.index);
}

/** The one transaction that makes a batch visible. */
async function applyBatch(b: BatchContext, counts: { received: number; accepted: number; rejected: number; warnings: Problem[] }, header: string[], index: number[]): Promise<BatchOutcome> {
  const T = dataTable(b.table);
  const S = dataTable(stagingTable(b.batchId));
  const cols = b.columns.map((c) => ident(c.code));
  const keys = b.columns.filter((c) => c.key).map((c) => ident(c.code));
  const present = b.columns.filter((_, i) => index[i]! >= 0 && !b.columns[i]!.key).map((c) => ident(c.code));
  await b.db.updateTable('ingest_batch').set({ phase: 'applying', heartbeat_at: new Date() }).where('id', '=', b.batchId).execute();
  return b.db.transaction().execute(async (trx) => {
    const dt = await trx.selectFrom('data_table').select(['version', 'table_name']).where('resource_id', '=', b.resourceId).forUpdate().executeTakeFirst();
    if (!dt || dt.table_name !== b.table || dt.version !== b.version)
      throw new FileError({ zh: '资源目录在本批次处理期间发布了新版本，请重新提交', en: 'A new catalog version was approved while this batch ran; submit it again' });
    let { accepted, rejected } = counts;
    const warnings = [...counts.warnings];
    if (b.mode === 'append' && keys.length) {
      // Appending a row whose key is already loaded is refused row by row (upsert replaces it instead).
      const match = keys.map((k) => `t.${k} = s.${k}`).join(' AND ');
      const raw = `to_jsonb(ARRAY[${header.map((_, pos) => {
        const i = index.indexOf(pos);
        return i >= 0 ? `s.${ident(b.columns[i]!.code)}::text` : 'NULL';
      }).join(', ')}]::text[])`;
      const errs = JSON.stringify([{ field: b.columns.find((c) => c.key)!.code, zh: '主键已存在（追加模式不覆盖已有数据，如需更新请用更新模式）', en: 'the key is already loaded (append never overwrites; use upsert to update)' }]);
      const dup = await sql`${sql.raw(`INSERT INTO ingest_rejected (batch_id, row_no, raw, errors) SELECT `)}${b.batchId}::uuid${sql.raw(`, s.row_no, ${raw}, `)}${errs}::jsonb${sql.raw(` FROM ${S} s WHERE EXISTS (SELECT 1 FROM ${T} t WHERE ${match})`)}`.execute(trx);
      const n = Number(dup.numAffectedRows ?? 0);
      if (n) {
        await sql.raw(`DELETE FROM ${S} s WHERE EXISTS (SELECT 1 FROM ${T} t WHERE ${match})`).execute(trx);
        accepted -= n;
        rejected += n;
      }
    }
    if (b.mode === 'replace' && accepted === 0)
      throw new FileError({ zh: '全量替换的批次没有一行通过校验，已有数据保持不变', en: 'No row of this full replacement passed the checks; the loaded data is unchanged' });
    if (b.mode === 'replace') await sql.raw(`DELETE FROM ${T}`).execute(trx);
    const conflict =
      b.mode === 'upsert'
        ? ` ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${[...present.map((c) => `${c} = EXCLUDED.${c}`), `${ident('batch_id')} = EXCLUDED.${ident('batch_id')}`, `${ident('loaded_at')} = EXCLUDED.${ident('loaded_at')}`].join(', ')}`
        : '';
    await sql`${sql.raw(`INSERT INTO ${T} (${[...cols, ident('batch_id')].join(', ')}) SELECT ${cols.join(', ')}, `)}${b.batchId}::uuid${sql.raw(` FROM ${S} ORDER BY row_no${conflict}`)}`.execute(trx);
    const rowCount = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.raw(T)}`.execute(trx)).rows[0]!.n;
    const now = new Date();
    await trx.updateTable('data_table').set({ row_count: rowCount, last_load_at: now, last_batch_id: b.batchId }).where('resource_id', '=', b.resourceId).execute();
    await trx
      .updateTable('ingest_batch')
      .set({ status: 'succeeded', phase: 'done', received: counts.received, accepted, rejected, warnings: JSON.stringify(warnings), finished_at: now, heartbeat_at: now })
      .where('id', '=', b.batchId)
      .execute();
    await writeAudit(trx, b.ctx, {
      action: 'ingest.batch.load',
      objectType: 'ingest_batch',
      objectId: b.batchId,
      orgId: b.orgId,
      diff: { resource: b.resourceId, mode: b.mode, received: counts.received, accepted, rejected, rowCount },
    });
    await sql.raw(`DROP TABLE ${S}`).execute(trx);
    return { received: counts.received, accepted, rejected, rowCount, warnings };
  });
}

