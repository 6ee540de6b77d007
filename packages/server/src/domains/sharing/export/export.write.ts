// Writes an export as it is read, page by page: CSV (UTF-8 with a BOM, so Excel opens it, or GB18030 for the
// offices whose tools want it) or XLSX (ExcelJS's streaming writer). A 1M-row export never holds the file, or
// more than a page of rows, in memory. Each value is written with its fingerprint (fingerprint.ts, ADR 0011).
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import iconv from 'iconv-lite';
import type { ExportColumn } from '../../../db/schema.ts';
import { csvCell } from '../../../platform/csv.ts';
import { loadExcel } from '../../../platform/xlsx.ts';
import type { ScopeKeys } from '../../masking/index.ts';
import { embedDecimal, embedFill, embedHex } from './fingerprint.ts';

export type Row = Record<string, unknown>;

export interface ExportPlan {
  format: 'csv' | 'xlsx';
  encoding: 'utf-8' | 'gb18030';
  columns: (ExportColumn & { numeric: boolean })[];
  /** the export's own key: which form each carrier takes */
  prf: ScopeKeys['hash'];
  /** the masked rows, a page at a time */
  pages: AsyncIterable<Row[]>;
  /** called once, when the file is complete or abandoned (rows written so far, and why it stopped) */
  onEnd(rows: number, error: unknown): Promise<void>;
}

/** A value as the file holds it: the fingerprint's form for carriers, text or number otherwise. */
function cellOf(plan: ExportPlan, c: ExportPlan['columns'][number], v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (c.carrier === 'fill') return embedFill(plan.prf, String(v));
  if (c.carrier === 'decimal') return embedDecimal(plan.prf, String(v));
  if (c.carrier === 'hex') return embedHex(plan.prf, String(v));
  if (plan.format === 'xlsx' && c.numeric && typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return v;
}

export function writeExport(plan: ExportPlan): Readable {
  return plan.format === 'csv' ? writeCsv(plan) : writeXlsx(plan);
}

function writeCsv(plan: ExportPlan): Readable {
  const encode = (s: string) => (plan.encoding === 'gb18030' ? iconv.encode(s, 'gb18030') : Buffer.from(s, 'utf8'));
  async function* body() {
    let rows = 0;
    // until the last page is written, a stop is the reader going away (the generator is returned early)
    let error: unknown = 'abandoned';
    try {
      const header = plan.columns.map((c) => csvCell(c.name)).join(',') + '\r\n';
      yield encode((plan.encoding === 'utf-8' ? '\uFEFF' : '') + header);
      for await (const page of plan.pages) {
        let text = '';
        for (const r of page) {
          let line = '';
          for (let i = 0; i < plan.columns.length; i++) {
            const c = plan.columns[i]!;
            if (i) line += ',';
            line += csvCell(cellOf(plan, c, r[c.code]));
          }
          text += line + '\r\n';
        }
        rows += page.length;
        yield encode(text);
      }
      error = null;
    } catch (e) {
      error = e;
      throw e;
    } finally {
      await plan.onEnd(rows, error);
    }
  }
  return Readable.from(body());
}

function writeXlsx(plan: ExportPlan): Readable {
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
