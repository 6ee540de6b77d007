// An uploaded workbook read within limits, checked on the inflated bytes while they stream: a zip bomb, a sheet of
// a billion empty rows, a cell of a gigabyte or a row of a million cells stops early with a clear reason instead of
// filling memory, disk or minutes. ExcelJS's streaming reader does the parsing; this subclass replaces only its
// zip loop, so that every entry passes through a byte budget before ExcelJS (or a temporary file) sees it.
import { createRequire } from 'node:module';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { loadExcel } from '../../../platform/xlsx.ts';
import { FileError } from '../check/check.row-errors.ts';

/** The limits of a workbook upload; tests lower them. Excel's own limits where Excel has one. */
export const xlsxLimits = {
  /** inflated bytes of all entries together */
  maxInflated: 1536 * 1024 * 1024,
  /** inflated ÷ uploaded bytes, once more than `ratioAfter` bytes have been inflated */
  maxRatio: 100,
  ratioAfter: 32 * 1024 * 1024,
  /** the shared-strings table, which is held in memory */
  maxSharedStrings: 64 * 1024 * 1024,
  /** bytes between two '<' in the XML: the longest cell text or tag (Excel's cell limit is 32,767 characters) */
  maxRun: 256 * 1024,
  /** the XML of one row */
  maxRowBytes: 16 * 1024 * 1024,
  /** rows per sheet, empty ones included (Excel: 1,048,576) */
  maxRows: 1_048_576,
  /** columns (Excel: 16,384) */
  maxColumns: 16_384,
};

const fail = (zh: string, en: string) => new FileError({ zh, en });
const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;

/** Counts every inflated byte of the workbook against the limits. */
class InflateBudget {
  inflated = 0;
  constructor(private readonly uploaded: () => number) {}

  /** The entry's bytes, checked as they pass. */
  async *pass(entry: AsyncIterable<Buffer>, kind: 'sheet' | 'shared' | 'other'): AsyncGenerator<Buffer> {
    const L = xlsxLimits;
    let own = 0;
    let run = 0;
    let rowBytes = 0;
    for await (const chunk of entry) {
      own += chunk.length;
      this.inflated += chunk.length;
      if (this.inflated > L.maxInflated)
        throw fail(
          `工作簿解压后超过 ${mb(L.maxInflated)}，无法读取`,
          `The workbook inflates to more than ${mb(L.maxInflated)}; it cannot be read`,
        );
      if (this.inflated > L.ratioAfter && this.inflated > L.maxRatio * Math.max(1, this.uploaded()))
        throw fail(
          `工作簿的压缩比异常（解压后超过上传大小的 ${L.maxRatio} 倍），疑似压缩炸弹，已停止读取`,
          `The workbook inflates to more than ${L.maxRatio} times its size (a zip bomb?); reading stopped`,
        );
      if (kind === 'shared' && own > L.maxSharedStrings)
        throw fail(
          `工作簿的共享字符串表超过 ${mb(L.maxSharedStrings)}，无法读取`,
          `The workbook's shared strings exceed ${mb(L.maxSharedStrings)}; it cannot be read`,
        );
      // the longest stretch without '<': one cell's text or one tag
      let at = chunk.indexOf(60);
      if (at < 0) run += chunk.length;
      else {
        if (run + at > L.maxRun) throw tooLong();
        for (;;) {
          const next = chunk.indexOf(60, at + 1);
          if (next < 0) break;
          if (next - at > L.maxRun) throw tooLong();
          at = next;
        }
        run = chunk.length - at;
      }
      if (run > L.maxRun) throw tooLong();
      if (kind === 'sheet') {
        // bytes since the last row began (rows may be self-closing, so the start is what counts)
        const start = chunk.lastIndexOf('<row');
        rowBytes = start < 0 ? rowBytes + chunk.length : chunk.length - start;
        if (rowBytes > L.maxRowBytes)
          throw fail(
            `工作表中有一行超过 ${mb(L.maxRowBytes)}，无法读取`,
            `A row of the worksheet is larger than ${mb(L.maxRowBytes)}; it cannot be read`,
          );
      }
      yield chunk;
    }
  }
}

const tooLong = () =>
  fail(
    `工作簿中有单元格内容超过 ${Math.round(xlsxLimits.maxRun / 1024)} KB（Excel 单元格最多 32767 个字符），无法读取`,
    `A cell of the workbook is longer than ${Math.round(xlsxLimits.maxRun / 1024)} KB (Excel allows 32,767 characters); it cannot be read`,
  );

type Chunks = AsyncIterable<Buffer>;
interface ZipEntry extends Chunks {
  path: string;
  autodrain(): unknown;
}
interface ReaderInternals {
  _parseRels(s: Readable): Promise<void>;
  _parseWorkbook(s: Readable): Promise<void>;
  _parseSharedStrings(s: Readable): AsyncGenerator<unknown>;
  _parseStyles(s: Readable): Promise<void>;
  _parseWorksheet(it: Chunks, sheetNo: string): Generator<unknown>;
  sharedStrings?: unknown[];
  workbookRels?: unknown;
}

/**
 * The worksheets of a workbook, read within `xlsxLimits`. `uploaded()` tells how many bytes of the upload have
 * been read so far (for the compression ratio).
 */
export async function boundedWorksheets(input: Readable, uploaded: () => number): Promise<AsyncIterable<unknown>> {
  const Excel = await loadExcel();
  // ExcelJS's own zip reader, the version it was built against
  const unzipper = createRequire(createRequire(import.meta.url).resolve('exceljs'))('unzipper') as {
    Parse(o: { forceStream: boolean }): NodeJS.ReadWriteStream & AsyncIterable<ZipEntry>;
  };
  const Base = Excel.stream.xlsx.WorkbookReader as unknown as new (input: Readable, o: object) => object;
  const budget = new InflateBudget(uploaded);

  class BoundedWorkbookReader extends Base {
    /** ExcelJS's parse loop, with every entry through the budget and deferred sheets in a temporary folder of ours. */
    async *parse(): AsyncGenerator<{ eventType: string; value: unknown }> {
      const self = this as unknown as ReaderInternals;
      const zip = unzipper.Parse({ forceStream: true });
      input.on('error', (e) => zip.emit('error', e));
      input.pipe(zip);
      const waiting: { sheetNo: string; file: string }[] = [];
      let dir: string | null = null;
      const stream = (entry: ZipEntry, kind: 'shared' | 'other') => Readable.from(budget.pass(entry, kind));
      try {
        for await (const entry of zip) {
          const p = entry.path;
          if (p === 'xl/_rels/workbook.xml.rels') await self._parseRels(stream(entry, 'other'));
          else if (p === 'xl/workbook.xml') await self._parseWorkbook(stream(entry, 'other'));
          else if (p === 'xl/sharedStrings.xml')
            yield* self._parseSharedStrings(stream(entry, 'shared')) as AsyncGenerator<{
              eventType: string;
              value: unknown;
            }>;
          else if (p === 'xl/styles.xml') await self._parseStyles(stream(entry, 'other'));
          else {
            const m = /^xl\/worksheets\/sheet(\d+)\.xml$/.exec(p);
            if (m) {
              if (self.sharedStrings && self.workbookRels)
                yield* self._parseWorksheet(budget.pass(entry, 'sheet'), m[1]!) as Generator<{
                  eventType: string;
                  value: unknown;
                }>;
              else {
                // a sheet before the shared strings (as Excel writes them): kept, within the budget, until they are read
                dir ??= await mkdtemp(path.join(tmpdir(), 'gongshu-xlsx-'));
                const file = path.join(dir, `sheet${m[1]}.xml`);
                await pipeline(Readable.from(budget.pass(entry, 'sheet')), createWriteStream(file));
                waiting.push({ sheetNo: m[1]!, file });
              }
            }
          }
          entry.autodrain();
        }
        // kept sheets were checked on the way in; read back, they pass through unchanged
        for (const { sheetNo, file } of waiting)
          yield* self._parseWorksheet(createReadStream(file), sheetNo) as Generator<{
            eventType: string;
            value: unknown;
          }>;
      } finally {
        if (dir) await rm(dir, { recursive: true, force: true }).catch(() => {});
      }
    }
  }
  const reader = new BoundedWorkbookReader(input, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    worksheets: 'emit',
    entries: 'emit',
  });
  return reader as unknown as AsyncIterable<unknown>;
}
