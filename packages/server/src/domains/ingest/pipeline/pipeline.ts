// The one batch pipeline every way in ends in: map the header to items, check every value, keep rejected
// rows with their reasons, stage accepted rows with COPY (in chunks, outside any transaction), then apply
// them to the data table in one transaction. A batch is atomic: killed before that transaction commits,
// nothing of it is visible and recovery marks it failed.
import { storableJson, storableText } from '../../../platform/text.ts';
import * as registry from '../ingest.repository.ts';
import { KeySet } from '../check/check.key-set.ts';
import { runLaneAuto } from '../lane/lane.thread.ts';
import type { InRow, OpenedSource } from '../read/read.sources.ts';
import { duplicateKeyError, fieldError, FileError, raggedError, type RowError } from '../check/check.row-errors.ts';
import { compileItem, type ItemSpec, type Problem } from '../check/check.values.ts';
import { StagingSink, StreamSink, type Sink } from './pipeline.sinks.ts';
import type { BatchContext, BatchOutcome } from './pipeline.types.ts';

export type { BatchContext, BatchOutcome } from './pipeline.types.ts';
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

/** What the batch's header means for the rows: columns that are no item, and items without a column. */
function headerWarnings(batch: BatchContext, mapped: HeaderMap): Problem[] {
  const warnings: Problem[] = [];
  if (mapped.ignored.length) {
    const shown = mapped.ignored.slice(0, 20).map(headerCell);
    const more = mapped.ignored.length - shown.length;
    warnings.push({
      zh: `以下列不是资源的信息项，已忽略：${shown.join('、')}${more > 0 ? `（另有 ${more} 列）` : ''}`,
      en: `these columns are not items of the resource and were ignored: ${shown.join(', ')}${more > 0 ? ` (and ${more} more)` : ''}`,
    });
  }
  const absent = batch.items.filter((_, i) => mapped.index[i] === -1);
  if (absent.length)
    warnings.push({
      zh: `文件中没有这些信息项的列${batch.mode === 'upsert' ? '，已有数据中的这些值保持不变' : '，写入为空值'}：${absent.map((a) => a.code).join('、')}`,
      en: `the file has no column for ${absent.map((a) => a.code).join(', ')}${batch.mode === 'upsert' ? '; existing values are kept' : '; loaded as empty'}`,
    });
  return warnings;
}

/** Writes that go through the pool while rows stream (rejected rows, progress): in order, awaited before applying. */
class SideWrites {
  private chain: Promise<unknown> = Promise.resolve();
  private error: unknown = null;
  run(write: () => Promise<unknown>) {
    this.chain = this.chain.then(write).catch((e: unknown) => (this.error ??= e));
  }
  /** The first write that failed fails the batch. */
  throwIfFailed() {
    if (this.error) throw this.error;
  }
  async settle() {
    await this.chain;
    this.throwIfFailed();
  }
}

/** Reads, checks and stages every row; then applies the batch. Throws FileError for a file that cannot be read. */
export async function runPipeline(batch: BatchContext, src: OpenedSource): Promise<BatchOutcome> {
  const mapped = mapHeader(src.header, batch.items);
  if ('problems' in mapped)
    throw new FileError({
      zh: mapped.problems.map((p) => p.zh).join('；'),
      en: mapped.problems.map((p) => p.en).join('; '),
    });
  const warnings = headerWarnings(batch, mapped);

  const checkers = batch.items.map(compileItem);
  const keyIdx = batch.items.map((it, i) => (it.primaryKey ? i : -1)).filter((i) => i >= 0);
  const keys = keyIdx.length ? new KeySet() : null;
  const width = src.header.length;
  const sink: Sink = batch.bulkSession ? new StreamSink(batch, await batch.bulkSession()) : new StagingSink(batch);
  try {
    await sink.open();
    // counted here and by the byte lane alike
    const counts = { received: 0, accepted: 0, rejected: 0 };
    let text = '';
    let inChunk = 0;
    let rejects: { batch_id: string; row_no: number; data_row: number; raw: string; errors: string }[] = [];
    const side = new SideWrites();
    let lastProgress = 0;
    const progress = (force = false) => {
      const now = Date.now();
      if (!force && now - lastProgress < 500) return;
      lastProgress = now;
      const snapshot = { ...counts, bytes: src.stats.bytes };
      batch.onProgress?.(snapshot);
      side.run(() => registry.setBatchProgress(batch.db, batch.batchId, snapshot));
    };
    const flushRejects = () => {
      if (!rejects.length) return;
      const chunk = rejects;
      rejects = [];
      side.run(() => registry.insertRejected(batch.db, chunk));
    };
    // past the key set's limit, rows are written unchecked, in staging form (row number first, no suffix)
    let unchecked = false;
    const flush = async () => {
      if (text) await sink.write(text, unchecked);
      text = '';
      inChunk = 0;
      flushRejects();
      progress();
      side.throwIfFailed();
    };
    // the data row is the count of rows received so far (the byte lane's worker hands its own count over)
    const reject = (rowNo: number, cells: unknown[], errs: RowError[], dataRow = counts.received) => {
      counts.rejected++;
      rejects.push({
        batch_id: batch.batchId,
        row_no: rowNo,
        data_row: dataRow,
        raw: JSON.stringify(cells.map(rawCell)),
        errors: JSON.stringify(errs),
      });
    };
    const withRowNo = sink.withRowNo;
    const suffix = sink.suffix;
    let lineRowNo = withRowNo;
    let lineSuffix = suffix;

    const out: string[] = new Array(batch.items.length);
    const rowLoop = async (rows: AsyncIterable<InRow | InRow[]>) => {
      for await (const item of rows) {
        for (const row of Array.isArray(item) ? item : [item]) {
          counts.received++;
          if (row.problem) {
            reject(row.rowNo, row.cells, [{ field: 'row', ...row.problem }]);
          } else if (
            batch.strictWidth &&
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
              else (errs ??= []).push(fieldError(batch.items[i]!, r));
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
              if (first >= 0) errs = [duplicateKeyError(batch.items[keyIdx[0]!]!, first, batch.place)];
            }
            if (errs) reject(row.rowNo, row.cells, errs);
            else {
              counts.accepted++;
              text += lineRowNo
                ? `${row.rowNo}\t${counts.received}\t${out.join('\t')}${lineSuffix}\n`
                : `${out.join('\t')}${lineSuffix}\n`;
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
        items: batch.items,
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
          side.throwIfFailed();
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
    await side.settle();
    if (counts.received === 0 && !batch.allowEmpty)
      throw new FileError({
        zh: '没有数据行（只有表头或内容为空）',
        en: 'There are no data rows (only a header, or nothing)',
      });
    const outcome = await sink.finish({ ...counts, warnings, bytes: src.stats.bytes }, src.header, mapped.index);
    return outcome;
  } finally {
    await sink.close();
  }
}
