// A plain list as an .xlsx sheet (header row in bold, frozen), for the lists units print and stamp.
import type ExcelJS from 'exceljs';

/** ExcelJS on first use (it adds ~25 MB to a process that never touches a spreadsheet). */
export const loadExcel = async (): Promise<typeof ExcelJS> => (await import('exceljs')).default;
import type { FastifyReply } from 'fastify';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Sends a workbook as a download named `<name>-<date>.xlsx` (UTF-8 file name, ASCII fallback). */
export function sendXlsx(reply: FastifyReply, name: string, buf: Buffer) {
  const file = encodeURIComponent(`${name}-${new Date().toISOString().slice(0, 10)}.xlsx`);
  return reply
    .header('content-type', XLSX_TYPE)
    .header('content-disposition', `attachment; filename="export.xlsx"; filename*=UTF-8''${file}`)
    .send(buf);
}

export async function listToXlsx(
  title: string,
  columns: { header: string; key: string; width?: number }[],
  rows: Record<string, unknown>[],
): Promise<Buffer> {
  const wb = new (await loadExcel()).Workbook();
  wb.creator = 'Gongshu 公数';
  const ws = wb.addWorksheet(title.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c) => ({ header: c.header, key: c.key, width: c.width ?? 16 }));
  ws.getRow(1).font = { bold: true };
  for (const r of rows) {
    const safe: Record<string, unknown> = {};
    for (const c of columns) {
      const v = r[c.key];
      const s = Array.isArray(v) ? v.join('、') : v === null || v === undefined ? '' : v;
      // text that looks like a formula stays text
      safe[c.key] = typeof s === 'string' && /^[=+\-@]/.test(s) ? `'${s}` : s;
    }
    ws.addRow(safe);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
