// The per-row reasons every way in gives, in both languages, and the error of a file that cannot be read.
import type { ItemSpec, Problem } from './check.values.ts';

export interface RowError {
  field: string;
  zh: string;
  en: string;
}

export const fieldError = (it: Pick<ItemSpec, 'code' | 'name'>, r: Problem): RowError => ({
  field: it.code,
  zh: `${it.name}：${r.zh}`,
  en: `${it.code}: ${r.en}`,
});

/**
 * How a batch numbers where a row is: the file's line (CSV, NDJSON; a quoted value may span lines, the row is where
 * it starts), the worksheet's row (XLSX), or the entry (a JSON array, a pull's rows), which is also its data row.
 */
export type RowPlace = 'line' | 'sheet_row' | 'entry';

export function rowPlaceOf(fileFormat: string | null | undefined): RowPlace {
  return fileFormat === 'csv' || fileFormat === 'ndjson' ? 'line' : fileFormat === 'xlsx' ? 'sheet_row' : 'entry';
}

/** A position alone, in words, as [before the number, after it] (SQL builds the text of staged repeats with it). */
export function rowAtParts(place: RowPlace): { zh: [string, string]; en: [string, string] } {
  if (place === 'line') return { zh: ['文件第 ', ' 行'], en: ['line ', ' of the file'] };
  if (place === 'sheet_row') return { zh: ['工作表第 ', ' 行'], en: ['row ', ' of the worksheet'] };
  return { zh: ['第 ', ' 条数据'], en: ['data row ', ''] };
}

/** Where a row is, in words that cannot be mistaken: 第 4 条数据（文件第 5 行）, data row 4 (line 5 of the file). */
export function rowWhere(place: RowPlace, rowNo: number, dataRow: number | null): { zh: string; en: string } {
  const at = rowAtParts(place);
  const zhAt = `${at.zh[0]}${rowNo}${at.zh[1]}`;
  const enAt = `${at.en[0]}${rowNo}${at.en[1]}`;
  if (place === 'entry') return { zh: `第 ${dataRow ?? rowNo} 条数据`, en: `data row ${dataRow ?? rowNo}` };
  if (dataRow === null) return { zh: zhAt, en: enAt };
  return { zh: `第 ${dataRow} 条数据（${zhAt}）`, en: `data row ${dataRow} (${enAt})` };
}

export const duplicateKeyError = (it: Pick<ItemSpec, 'code'>, firstRow: number, place: RowPlace): RowError => {
  const at = rowAtParts(place);
  return {
    field: it.code,
    zh: `主键与本批次${at.zh[0]}${firstRow}${at.zh[1]}的数据重复`,
    en: `the key repeats the row at ${at.en[0]}${firstRow}${at.en[1]} of this batch`,
  };
};

export const raggedError = (cells: number, width: number): RowError => ({
  field: 'row',
  zh: `本行有 ${cells} 列，表头有 ${width} 列`,
  en: `the row has ${cells} cells, the header has ${width}`,
});

/** A file (or body) that cannot be read at all: the batch fails with this reason and changes nothing. */
export class FileError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.en);
  }
}

/**
 * The largest record a reader holds (a longer one ends the file with an error for its row): far above any real
 * row (a row of 100 items of 10,000 characters each is 3 MB), small enough that a file without line breaks fails
 * after a few MB instead of holding the whole upload.
 */
export const MAX_RECORD = 4 * 1024 * 1024;
export const MAX_RECORD_LABEL = '4 MB';

/** The reason given for a record over MAX_RECORD. */
export const recordTooLarge: Problem = {
  zh: `本行超过 ${MAX_RECORD_LABEL}，文件无法继续读取`,
  en: `This row is larger than ${MAX_RECORD_LABEL}; the file cannot be read further`,
};
