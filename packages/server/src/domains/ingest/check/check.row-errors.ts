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

export const duplicateKeyError = (it: Pick<ItemSpec, 'code'>, firstRow: number): RowError => ({
  field: it.code,
  zh: `主键与本批次第 ${firstRow} 行重复`,
  en: `the key repeats row ${firstRow} of this batch`,
});

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
