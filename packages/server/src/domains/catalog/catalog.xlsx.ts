// The catalog as a spreadsheet in the national template's layout (政务信息资源目录: one row per information
// item, the resource's columns filled on its first row and merged down), and back again.
// Code-table values are written as their Chinese names and read back from either the name or the code.
import type ExcelJS from 'exceljs';
import { loadExcel } from '../../platform/xlsx.ts';
import type { FieldError } from '../../platform/errors.ts';
import type { ItemInput, ResourceInput } from './catalog.schemas.ts';
import type { PresentedVersion } from './catalog.service.ts';

type Kind = 'text' | 'int' | 'bool' | 'date' | 'list' | { table: string } | { listTable: string };
interface Col {
  key: string;
  header: string;
  of: 'resource' | 'item';
  kind: Kind;
  width?: number;
}

export const SHEET = '公共数据资源目录';
const SHARE = { table: 'share_type' };
const OPEN = { table: 'open_attribute' };

export const COLUMNS: Col[] = [
  { key: 'code', header: '信息资源代码', of: 'resource', kind: 'text', width: 16 },
  { key: 'name', header: '信息资源名称', of: 'resource', kind: 'text', width: 24 },
  { key: 'orgName', header: '信息资源提供方', of: 'resource', kind: 'text', width: 20 },
  { key: 'category', header: '资源分类', of: 'resource', kind: { table: 'category' } },
  { key: 'baseLibrary', header: '基础库', of: 'resource', kind: { table: 'base_library' } },
  { key: 'systemName', header: '所属信息系统', of: 'resource', kind: 'text' },
  { key: 'summary', header: '信息资源摘要', of: 'resource', kind: 'text', width: 30 },
  { key: 'keywords', header: '关键词', of: 'resource', kind: 'list' },
  { key: 'format', header: '信息资源格式', of: 'resource', kind: { table: 'format' } },
  { key: 'updateCycle', header: '更新周期', of: 'resource', kind: { table: 'update_cycle' } },
  { key: 'shareType', header: '共享类型', of: 'resource', kind: SHARE },
  { key: 'shareCondition', header: '共享条件/不予共享理由', of: 'resource', kind: 'text', width: 24 },
  { key: 'shareBasis', header: '共享依据（法律法规）', of: 'resource', kind: 'text', width: 24 },
  { key: 'shareMethods', header: '共享方式', of: 'resource', kind: { listTable: 'share_method' } },
  { key: 'openAttribute', header: '开放属性', of: 'resource', kind: OPEN },
  { key: 'openCondition', header: '开放条件', of: 'resource', kind: 'text' },
  { key: 'securityGrade', header: '安全级别', of: 'resource', kind: { table: 'security_grade' } },
  { key: 'publishDate', header: '发布日期', of: 'resource', kind: 'date' },
  { key: 'relatedCodes', header: '关联资源代码', of: 'resource', kind: 'list' },
  { key: 'responsiblePerson', header: '责任人', of: 'resource', kind: 'text' },
  { key: 'responsiblePhone', header: '联系电话', of: 'resource', kind: 'text' },
  { key: 'item.name', header: '信息项名称', of: 'item', kind: 'text', width: 18 },
  { key: 'item.code', header: '信息项代码', of: 'item', kind: 'text', width: 16 },
  { key: 'item.dataType', header: '数据类型', of: 'item', kind: { table: 'data_type' } },
  { key: 'item.length', header: '数据长度', of: 'item', kind: 'int' },
  { key: 'item.precision', header: '小数位数', of: 'item', kind: 'int' },
  { key: 'item.required', header: '是否必填', of: 'item', kind: 'bool' },
  { key: 'item.primaryKey', header: '是否主键', of: 'item', kind: 'bool' },
  { key: 'item.description', header: '信息项说明', of: 'item', kind: 'text' },
  { key: 'item.sensitivity', header: '敏感程度', of: 'item', kind: { table: 'sensitivity' } },
  { key: 'item.piiKind', header: '个人信息类别', of: 'item', kind: { table: 'pii_kind' } },
  { key: 'item.maskingRule', header: '默认脱敏规则', of: 'item', kind: { table: 'masking_rule' } },
  { key: 'item.shareType', header: '信息项共享类型', of: 'item', kind: SHARE },
  { key: 'item.shareCondition', header: '信息项共享条件', of: 'item', kind: 'text' },
  { key: 'item.shareBasis', header: '信息项共享依据', of: 'item', kind: 'text' },
  { key: 'item.sourceResourceCode', header: '权威来源资源代码', of: 'item', kind: 'text' },
  { key: 'item.sourceItemCode', header: '权威来源信息项代码', of: 'item', kind: 'text' },
  { key: 'item.valueSet', header: '值域（可选值）', of: 'item', kind: 'list' },
];

export interface CodeNames {
  /** code → Chinese name */
  name(table: string, code: string): string;
  /** Chinese name or code → code, or null */
  code(table: string, text: string): string | null;
}

const LIST_SEP = /[、,，;；\n]+/;

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((r) => r.text).join('');
    if ('text' in v) return String(v.text);
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
    return '';
  }
  return String(v);
}

/** A spreadsheet cell never starts a formula when opened (=, +, -, @ are prefixed with an apostrophe). */
function safe(s: string): string {
  return /^[=+\-@]/.test(s) ? `'${s}` : s;
}

export async function catalogToXlsx(
  versions: (PresentedVersion & { orgName: string; systemName: string | null })[],
  names: CodeNames,
): Promise<Buffer> {
  const wb = new (await loadExcel()).Workbook();
  wb.creator = 'Gongshu 公数';
  const ws = wb.addWorksheet(SHEET, { views: [{ state: 'frozen', ySplit: 1, xSplit: 2 }] });
  ws.columns = COLUMNS.map((c) => ({ header: c.header, key: c.key, width: c.width ?? 12 }));
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2D7D5' } };
  const render = (c: Col, v: unknown): string | number => {
    if (v === null || v === undefined || v === '') return '';
    if (c.kind === 'bool') return v ? '是' : '否';
    if (c.kind === 'int') return Number(v);
    if (c.kind === 'list') return (v as string[]).join('、');
    if (typeof c.kind === 'object' && 'table' in c.kind) return names.name(c.kind.table, String(v));
    if (typeof c.kind === 'object' && 'listTable' in c.kind)
      return (v as string[]).map((x) => names.name((c.kind as { listTable: string }).listTable, x)).join('、');
    return safe(String(v));
  };
  for (const v of versions) {
    const first = ws.rowCount + 1;
    const items = v.items.length ? v.items : [null];
    items.forEach((it, k) => {
      const values: Record<string, string | number> = {};
      for (const c of COLUMNS) {
        if (c.of === 'resource') {
          if (k === 0) values[c.key] = render(c, (v as unknown as Record<string, unknown>)[c.key]);
        } else if (it) values[c.key] = render(c, (it as unknown as Record<string, unknown>)[c.key.slice(5)]);
      }
      ws.addRow(values);
    });
    const last = ws.rowCount;
    if (last > first) COLUMNS.forEach((c, i) => c.of === 'resource' && ws.mergeCells(first, i + 1, last, i + 1));
  }
  ws.eachRow((row) => row.eachCell((cell) => (cell.alignment = { vertical: 'top', wrapText: true })));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export interface ParsedGroup {
  rows: [number, number];
  itemRows: number[];
  code: string | null;
  orgName: string;
  systemName: string;
  input: ResourceInput;
}
export interface RowProblem {
  rows: [number, number];
  name: string;
  errors: (FieldError & { row: number | null })[];
}

/** Reads the template back: resources are groups of rows (a new group starts where the resource name is filled). */
export async function xlsxToCatalog(
  buf: Buffer,
  names: CodeNames,
): Promise<{ groups: ParsedGroup[]; problems: RowProblem[] }> {
  const wb = new (await loadExcel()).Workbook();
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
  } catch (e) {
    throw new Error(`not a readable .xlsx file (${(e as Error).message})`);
  }
  const ws = wb.getWorksheet(SHEET) ?? wb.worksheets[0];
  if (!ws) throw new Error('the workbook has no worksheet');
  const header = Array.from(ws.getRow(1).values as ExcelJS.CellValue[], (v) => cellText(v));
  const colIndex = new Map<string, number>();
  for (const c of COLUMNS) {
    const i = header.findIndex((h) => h.trim() === c.header);
    if (i > 0) colIndex.set(c.key, i);
  }
  const missing = COLUMNS.filter((c) => ['name', 'item.name', 'item.code'].includes(c.key) && !colIndex.has(c.key)).map(
    (c) => c.header,
  );
  if (missing.length) throw new Error(`the header row lacks: ${missing.join(', ')}`);

  const groups: ParsedGroup[] = [];
  const problems: RowProblem[] = [];
  let cur: {
    start: number;
    end: number;
    res: Record<string, string>;
    items: { row: number; cells: Record<string, string> }[];
  } | null = null;
  const flush = () => {
    if (!cur) return;
    const errs: (FieldError & { row: number | null })[] = [];
    const get = (c: Col, text: string, row: number, field: string): unknown => {
      const t = text.replace(/^'/, '').trim();
      if (!t)
        return c.kind === 'list' || (typeof c.kind === 'object' && 'listTable' in c.kind)
          ? []
          : c.kind === 'bool'
            ? false
            : null;
      if (c.kind === 'int') {
        if (!/^\d+$/.test(t))
          errs.push({
            field,
            row,
            message: {
              zh: `第 ${row} 行“${c.header}”应为整数：${t}`,
              en: `row ${row}: ${c.header} must be a whole number: ${t}`,
            },
          });
        return Number(t);
      }
      if (c.kind === 'bool') return /^(是|y|yes|true|1|√)$/i.test(t);
      if (c.kind === 'list')
        return t
          .split(LIST_SEP)
          .map((x) => x.trim())
          .filter(Boolean);
      if (c.kind === 'date') {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(t))
          errs.push({
            field,
            row,
            message: {
              zh: `第 ${row} 行“${c.header}”应为 YYYY-MM-DD：${t}`,
              en: `row ${row}: ${c.header} must be YYYY-MM-DD: ${t}`,
            },
          });
        return t;
      }
      if (typeof c.kind === 'object') {
        const table = 'table' in c.kind ? c.kind.table : c.kind.listTable;
        const parts =
          'listTable' in c.kind
            ? t
                .split(LIST_SEP)
                .map((x) => x.trim())
                .filter(Boolean)
            : [t];
        const codes = parts.map((p) => {
          const code = names.code(table, p);
          if (!code)
            errs.push({
              field,
              row,
              message: {
                zh: `第 ${row} 行“${c.header}”不是有效的值：${p}`,
                en: `row ${row}: ${c.header} is not a known value: ${p}`,
              },
            });
          return code ?? p;
        });
        return 'listTable' in c.kind ? codes : codes[0];
      }
      return t;
    };
    const res: Record<string, unknown> = {};
    for (const c of COLUMNS.filter((x) => x.of === 'resource'))
      res[c.key] = get(c, cur.res[c.key] ?? '', cur.start, c.key);
    const items: ItemInput[] = cur.items.map((it, i) => {
      const o: Record<string, unknown> = {};
      for (const c of COLUMNS.filter((x) => x.of === 'item')) {
        const v = get(c, it.cells[c.key] ?? '', it.row, `items.${i}.${c.key.slice(5)}`);
        if (v !== null) o[c.key.slice(5)] = v;
      }
      o.sensitivity ??= 'none';
      return o as unknown as ItemInput;
    });
    const { code, orgName, systemName, ...fields } = res as Record<string, unknown> & {
      code: string | null;
      orgName: string | null;
      systemName: string | null;
    };
    const input = { ...fields, items } as unknown as ResourceInput;
    for (const k of ['summary'] as const) if (input[k] === null) delete input[k];
    if (errs.length) problems.push({ rows: [cur.start, cur.end], name: String(fields.name ?? ''), errors: errs });
    else
      groups.push({
        rows: [cur.start, cur.end],
        itemRows: cur.items.map((x) => x.row),
        code: code || null,
        orgName: orgName ?? '',
        systemName: systemName ?? '',
        input,
      });
    cur = null;
  };
  for (let r = 2; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const cells: Record<string, string> = {};
    for (const [key, i] of colIndex) {
      const cell = row.getCell(i);
      // a merged cell reads as its master's value on every row; take it on the group's first row only
      cells[key] = cell.isMerged && cell.master !== cell ? '' : cellText(cell.value);
    }
    if (Object.values(cells).every((v) => !v.trim())) continue;
    if (cells.name?.trim()) {
      flush();
      cur = { start: r, end: r, res: cells, items: [] };
    } else if (!cur) {
      problems.push({
        rows: [r, r],
        name: '',
        errors: [
          {
            field: 'name',
            row: r,
            message: {
              zh: `第 ${r} 行没有所属的资源（资源名称为空）`,
              en: `row ${r} belongs to no resource (the resource name is empty)`,
            },
          },
        ],
      });
      continue;
    }
    cur.end = r;
    if (cells['item.name']?.trim() || cells['item.code']?.trim()) {
      const itemCells = Object.fromEntries(Object.entries(cells).filter(([k]) => k.startsWith('item.')));
      cur.items.push({ row: r, cells: itemCells });
    }
  }
  flush();
  return { groups, problems };
}
