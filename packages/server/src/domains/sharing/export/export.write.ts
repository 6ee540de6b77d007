// Writes an export as it is read: CSV (UTF-8 with a BOM, so Excel opens it, or GB18030 for the offices whose
// tools want it) from the database's COPY text, converted on worker threads (export.threads.ts), or XLSX (ExcelJS's
// streaming writer) page by page. A 1M-row export never holds the file, or more than a page or a few pieces of it,
// in memory. Each value is written with its fingerprint (fingerprint.ts, ADR 0011).
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import type { ExportColumn } from '../../../db/schema.ts';
import { loadExcel } from '../../../platform/xlsx.ts';
import type { ScopeKeys } from '../../masking/index.ts';
import type { ConvertInit } from './export.convert.ts';
import { convertExport } from './export.threads.ts';
import { embedDecimal, embedFill, embedHex } from './fingerprint.ts';

export type Row = Record<string, unknown>;

export interface ExportPlan {
  columns: (ExportColumn & { numeric: boolean })[];
  /** the export's own key: which form each carrier takes */
  prf: ScopeKeys['hash'];
  /** one value in how many carries the fingerprint */
  every: number;
  /** the masked rows, a page at a time */
  pages: AsyncIterable<Row[]>;
  /** called once, when the file is complete or abandoned (rows written so far, and why it stopped) */
  onEnd(rows: number, error: unknown): Promise<void>;
}

/** A value as the XLSX holds it: the fingerprint's form for carriers, text or number otherwise. */
function cellOf(plan: ExportPlan, c: ExportPlan['columns'][number], v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (c.carrier === 'fill') return embedFill(plan.prf, String(v), plan.every);
  if (c.carrier === 'decimal') return embedDecimal(plan.prf, String(v), plan.every);
  if (c.carrier === 'hex') return embedHex(plan.prf, String(v), plan.every);
  if (c.numeric && typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return v;
}

/**
 * A CSV export: the granted rows as COPY text (`input`, opened when the file is first read), masked, fingerprinted
 * and encoded by export.convert.ts.
 */
export function writeCsv(
  init: ConvertInit,
  input: () => Promise<AsyncIterable<Buffer>>,
  onEnd: (rows: number, error: unknown) => Promise<void>,
): Readable {
  async function* body() {
    let rows = 0;
    // until the last piece is written, a stop is the reader going away (the generator is returned early)
    let error: unknown = 'abandoned';
    try {
      for await (const part of convertExport(init, await input())) {
        rows += part.rows;
        yield part.data;
      }
      error = null;
    } catch (e) {
      error = e;
      throw e;
    } finally {
      await onEnd(rows, error);
    }
  }
  return Readable.from(body());
}

export function writeXlsx(plan: ExportPlan): Readable {
  const out = new PassThrough();
  void (async () => {
    let rows = 0;
    let error: unknown = null;
    try {
      const Excel = await loadExcel();
      const wb = new Excel.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
      wb.creator = 'Gongshu 公数';
      const ws = wb.addWorksheet('data');
      ws.addRow(plan.columns.map((c) => c.name)).commit();
      for await (const page of plan.pages) {
        if (out.destroyed) throw new Error('abandoned');
        for (const r of page) ws.addRow(plan.columns.map((c) => cellOf(plan, c, r[c.code]))).commit();
        rows += page.length;
        // the reader sets the pace: no page is written while the last one still waits to be read
        if (out.writableNeedDrain) await once(out, 'drain');
      }
      ws.commit();
      await wb.commit();
    } catch (e) {
      error = e;
      out.destroy(e instanceof Error ? e : new Error(String(e)));
    } finally {
      await plan.onEnd(rows, error).catch(() => undefined);
    }
  })();
  return out;
}
