// Rows out of what units actually send: CSV in UTF-8 (with or without BOM) or GB18030/GBK, any common
// delimiter and quoting; XLSX (first worksheet, streamed); JSON arrays and NDJSON from systems.
// Every reader yields one record at a time, so a file of any size streams.
import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import type ExcelJS from 'exceljs';
import { boundedWorksheets, xlsxLimits } from './read.xlsx.ts';
import type { Problem } from '../check/check.values.ts';
import { csvRecords, type CsvEvent } from './read.csv.ts';
import { FileError, MAX_RECORD, MAX_RECORD_LABEL, recordTooLarge } from '../check/check.row-errors.ts';
import { storableText, unstorable } from '../../../platform/text.ts';

export { FileError };

export interface InRow {
  /** Row number as the user sees it: the header is row 1 in a file, the first object is row 1 in a push. */
  rowNo: number;
  cells: unknown[];
  problem?: Problem;
}

/**
 * A UTF-8 CSV file's bytes after the header line, for the pipeline's byte lane (lane.ts). `rest(bytes)`
 * reads the remaining rows as text from a point the lane cannot handle (a quote), numbering on.
 */
export interface CsvLane {
  delimiter: number;
  body: AsyncIterable<Buffer>;
  rest(pending: Buffer, lastRowNo: number): AsyncIterable<InRow[]>;
}

export interface OpenedSource {
  header: string[];
  /** Rows one by one, or a chunk's worth at a time. */
  rows: AsyncIterable<InRow | InRow[]>;
  /** UTF-8 CSV only: the same rows as bytes (use either this or `rows`, not both). */
  lane?: CsvLane;
  /** Filled as the input is read. */
  stats: { bytes: number; encoding: string | null; delimiter: string | null };
  checksum(): string;
}

const fileError = (zh: string, en: string) => new FileError({ zh, en });

export type Encoding = 'auto' | 'utf-8' | 'gb18030';
export const DELIMITERS: Record<string, string> = { comma: ',', tab: '\t', semicolon: ';', pipe: '|' };

/** Counts bytes and hashes them (SM3) as they pass; the checksum names the input in the batch record. */
class Meter {
  readonly hash = createHash('sm3');
  bytes = 0;
  constructor(private readonly onBytes?: (n: number) => void) {}
  see(chunk: Buffer) {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onBytes?.(this.bytes);
  }
}

async function* chunksOf(input: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  for await (const c of input) yield typeof c === 'string' ? Buffer.from(c) : c;
}

/** Decides the encoding from a sample: a UTF-8 BOM or valid UTF-8 means UTF-8; otherwise GB18030 (a superset of GBK). */
export function sniffEncoding(sample: Buffer): 'utf-8' | 'gb18030' | 'utf-16le' {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8';
  if (sample[0] === 0xff && sample[1] === 0xfe) return 'utf-16le';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return 'utf-8';
  } catch {
    return 'gb18030';
  }
}

/** The delimiter that splits the header line most often (outside quotes). */
export function sniffDelimiter(firstLine: string): string {
  let best = ',';
  let bestCount = 0;
  for (const d of [',', '\t', ';', '|']) {
    let n = 0;
    let quoted = false;
    for (const ch of firstLine) {
      if (ch === '"') quoted = !quoted;
      else if (ch === d && !quoted) n++;
    }
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}

/** Whether a line's bytes are plain ASCII, UTF-8 with more than ASCII, or something else (GBK/GB18030). */
function lineKind(line: Buffer): 'ascii' | 'utf-8' | 'other' {
  let ascii = true;
  for (let i = 0; i < line.length; i++)
    if (line[i]! >= 0x80) {
      ascii = false;
      break;
    }
  return ascii ? 'ascii' : isUtf8(line) ? 'utf-8' : 'other';
}

const mixedEncoding = (line: number, kind: 'utf-8' | 'other', firstLine: number) =>
  fileError(
    `文件各行的编码不一致：第 ${line} 行${kind === 'utf-8' ? '是 UTF-8' : '不是 UTF-8（像是 GBK/GB18030）'}，而第 ${firstLine} 行${kind === 'utf-8' ? '不是' : '是 UTF-8'}；请在 Excel 或记事本中把文件统一另存为一种编码后再上传`,
    `The file's lines disagree on their encoding: line ${line} is ${kind === 'utf-8' ? 'UTF-8' : 'not UTF-8 (GBK/GB18030?)'}, line ${firstLine} is ${kind === 'utf-8' ? 'not' : 'UTF-8'}; save the whole file in one encoding and upload it again`,
  );

/**
 * Encoding detection that checks every line: the first line with more than ASCII decides (UTF-8 or GB18030), and a
 * later line that does not fit it refuses the file, naming that line. Scans whole lines of `sample`; `carry` and
 * `lines` continue the count on later chunks (see `checkLines`).
 */
class LineEncodingCheck {
  private kind: 'utf-8' | 'other' | null = null;
  private firstLine = 0;
  private lines = 0;
  private carry: Buffer | null = null;

  /** Checks the complete lines of `chunk` (the last, cut line waits for the next chunk, or `end`). */
  see(chunk: Buffer) {
    let start = 0;
    let data = chunk;
    if (this.carry) {
      data = Buffer.concat([this.carry, chunk]);
      this.carry = null;
    }
    for (;;) {
      const nl = data.indexOf(10, start);
      if (nl < 0) break;
      this.line(data.subarray(start, nl));
      start = nl + 1;
    }
    // a line longer than a record is the CSV reader's to refuse
    if (start < data.length) this.carry = data.length - start > MAX_RECORD ? null : Buffer.from(data.subarray(start));
  }

  end() {
    if (this.carry) this.line(this.carry);
    this.carry = null;
  }

  get decided(): 'utf-8' | 'gb18030' | null {
    return this.kind === null ? null : this.kind === 'utf-8' ? 'utf-8' : 'gb18030';
  }

  private line(b: Buffer) {
    this.lines++;
    const k = lineKind(this.lines === 1 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? b.subarray(3) : b);
    if (k === 'ascii') return;
    if (this.kind === null) {
      this.kind = k;
      this.firstLine = this.lines;
    } else if (k !== this.kind) throw mixedEncoding(this.lines, k, this.firstLine);
  }
}

/** Chunks passed through a line check (auto-detected GB18030: a later UTF-8 line would otherwise load as mojibake). */
async function* checkLines(rest: AsyncIterator<Buffer>, check: LineEncodingCheck): AsyncGenerator<Buffer> {
  for (;;) {
    const n = await rest.next();
    if (n.done) break;
    check.see(n.value);
    yield n.value;
  }
  check.end();
}

/** Decoded text chunks; invalid UTF-8 in a file declared or detected as UTF-8 is a file error naming the line. */
async function* decoded(
  first: Buffer[],
  rest: AsyncIterator<Buffer>,
  encoding: string,
  meter: Meter | null,
): AsyncGenerator<string> {
  const dec = new TextDecoder(encoding, { fatal: encoding === 'utf-8' });
  let offset = 0;
  let lines = 0;
  const one = (b: Buffer, done: boolean) => {
    try {
      const text = dec.decode(b, { stream: !done });
      for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lines++;
      return text;
    } catch {
      // the line of the first bad byte: the first line piece of this chunk that is not UTF-8 (the first piece may
      // start inside a character begun in the previous chunk, the last may end inside one)
      const pieces: [number, number][] = [];
      for (let at = 0; ;) {
        const nl = b.indexOf(10, at);
        pieces.push([at, nl < 0 ? b.length : nl]);
        if (nl < 0) break;
        at = nl + 1;
      }
      let k = 0;
      for (; k < pieces.length - 1; k++) {
        let [from] = pieces[k]!;
        const to = pieces[k]![1];
        if (k === 0) while (from < to && from < 3 && (b[from]! & 0xc0) === 0x80) from++;
        if (!isUtf8(b.subarray(from, to))) break;
      }
      const line = lines + 1 + k;
      const at = pieces[k]![0];
      throw fileError(
        `文件第 ${line} 行（约第 ${offset + at + 1} 字节）含有无效的 UTF-8 编码；如果文件是 GBK/GB18030 编码，请在上传时选择该编码`,
        `Line ${line} of the file (about byte ${offset + at + 1}) has invalid UTF-8; if the file is GBK/GB18030, state that encoding when uploading`,
      );
    } finally {
      offset += b.length;
    }
  };
  for (const b of first) {
    const s = one(b, false);
    if (s) yield s;
  }
  for (;;) {
    const n = await rest.next();
    if (n.done) break;
    meter?.see(n.value);
    const s = one(n.value, false);
    if (s) yield s;
  }
  const tail = one(Buffer.alloc(0), true);
  if (tail) yield tail;
}

export async function openCsv(
  input: AsyncIterable<Buffer | string>,
  opts: { encoding?: Encoding; delimiter?: string; onBytes?: (n: number) => void } = {},
): Promise<OpenedSource> {
  const meter = new Meter(opts.onBytes);
  const it = chunksOf(input)[Symbol.asyncIterator]();
  // Sample up to 64 KB for the encoding and the delimiter.
  const first: Buffer[] = [];
  let sampled = 0;
  while (sampled < 65536) {
    const n = await it.next();
    if (n.done) break;
    meter.see(n.value);
    first.push(n.value);
    sampled += n.value.length;
  }
  const sample = Buffer.concat(first);
  if (sample.length === 0 || (sample.length === 3 && sample[0] === 0xef))
    throw fileError('文件为空', 'The file is empty');
  const auto = !opts.encoding || opts.encoding === 'auto';
  let encoding = auto ? sniffEncoding(sample) : opts.encoding!;
  // auto: every line of the sample must agree; past it, a GB18030 file's lines are checked as they come
  // (a UTF-8 file's are checked by its fatal decoder, or the byte lane)
  let lineCheck: LineEncodingCheck | null = null;
  if (auto && encoding !== 'utf-16le') {
    lineCheck = new LineEncodingCheck();
    lineCheck.see(sample.length < 65536 ? Buffer.concat([sample, Buffer.from('\n')]) : sample);
    encoding = lineCheck.decided ?? encoding;
  }
  const stats = { bytes: 0, encoding, delimiter: null as string | null };
  const textSample = new TextDecoder(encoding).decode(sample.subarray(0, Math.min(sample.length, 8192)));
  const firstLine = textSample.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = opts.delimiter ?? sniffDelimiter(firstLine);
  stats.delimiter = delimiter;

  const bodyChunks =
    auto && encoding === 'gb18030' && lineCheck ? checkLines(it, lineCheck)[Symbol.asyncIterator]() : it;
  const records = csvRecords(decoded(first, bodyChunks, encoding, meter), delimiter, MAX_RECORD)[
    Symbol.asyncIterator
  ]();
  // the header is the first record; the rest of its chunk are the first rows
  let pending: CsvEvent[] = [];
  for (;;) {
    const n = await records.next();
    if (n.done) throw fileError('文件没有表头行', 'The file has no header row');
    if (n.value.length) {
      pending = n.value;
      break;
    }
  }
  const head = pending.shift()!;
  if ('error' in head)
    throw head.error === 'too_large'
      ? fileError(
          `表头行超过 ${MAX_RECORD_LABEL}（文件中可能没有换行符）`,
          `The header row is larger than ${MAX_RECORD_LABEL} (the file may have no line breaks)`,
        )
      : fileError('表头行无法读取（引号没有闭合）', 'The header row cannot be read (an unclosed quote)');
  const header = head.record.map((h) => h.trim());
  if (header.every((h) => h === '')) throw fileError('表头行为空', 'The header row is empty');

  async function* rows(): AsyncGenerator<InRow[]> {
    yield* inRows(pending, records, head.lines, 0);
    stats.bytes = meter.bytes;
  }

  // The byte lane: the header is the first line (no quote in it), the rows start after its line break.
  let lane: CsvLane | undefined;
  const bom = sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf ? 3 : 0;
  const nl = sample.indexOf(10, bom);
  if (
    encoding === 'utf-8' &&
    delimiter.length === 1 &&
    delimiter.charCodeAt(0) < 128 &&
    nl >= 0 &&
    sample.subarray(bom, nl).indexOf(34) < 0
  ) {
    const body = async function* () {
      if (nl + 1 < sample.length) yield sample.subarray(nl + 1);
      for (;;) {
        const n = await it.next();
        if (n.done) break;
        meter.see(n.value);
        yield n.value;
      }
      stats.bytes = meter.bytes;
    };
    const bodyIt = body()[Symbol.asyncIterator]();
    lane = {
      delimiter: delimiter.charCodeAt(0),
      body: { [Symbol.asyncIterator]: () => bodyIt },
      rest: (pendingBytes, lastRowNo) => {
        const more = (async function* () {
          for (;;) {
            const n = await bodyIt.next();
            if (n.done) break;
            yield n.value;
          }
        })()[Symbol.asyncIterator]();
        // already metered and hashed on the way through the lane
        const recs = csvRecords(decoded([pendingBytes], more, encoding, null), delimiter, MAX_RECORD)[
          Symbol.asyncIterator
        ]();
        return inRows([], recs, 0, lastRowNo);
      },
    };
  }
  return { header, rows: rows(), ...(lane ? { lane } : {}), stats, checksum: () => meter.hash.copy().digest('hex') };
}

/**
 * CSV events to rows, each numbered by the file's line it starts on (a quoted value may span lines; the header is
 * line 1; a blank line is skipped but counted). `prevLines`: the lines the reader had read before the first event;
 * `lineOffset`: the file's lines before the reader started (the byte lane's, when it hands a file over).
 */
async function* inRows(
  pending: CsvEvent[],
  records: AsyncIterator<CsvEvent[]>,
  prevLines: number,
  lineOffset: number,
): AsyncGenerator<InRow[]> {
  let batch = pending;
  for (;;) {
    const out: InRow[] = [];
    let stop = false;
    for (const e of batch) {
      const rowNo = lineOffset + prevLines + 1;
      prevLines = e.lines;
      if ('error' in e) {
        out.push({
          rowNo,
          cells: [],
          problem:
            e.error === 'unclosed_quote'
              ? {
                  zh: `本行的引号没有闭合，其后到文件末尾（第 ${e.lines + lineOffset} 行起）的内容都无法读取`,
                  en: `A quote opened in this row is never closed; the rest of the file (from line ${e.lines + lineOffset}) cannot be read`,
                }
              : recordTooLarge,
        });
        stop = true;
        break;
      }
      if (e.record.length === 1 && e.record[0] === '') continue; // a blank line
      out.push({ rowNo, cells: e.record });
    }
    if (out.length) yield out;
    if (stop) break;
    const n = await records.next();
    if (n.done) break;
    batch = n.value;
  }
}

/** What a broken workbook's parser said, short and storable (never a stack or a path). */
const excelMessage = (e: unknown) => storableText(String((e as Error)?.message ?? e).split('\n')[0]!, 200);

/** A cell of ExcelJS as a plain value: text, number, boolean or Date; formulas give their cached result. */
function cellValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object' || v instanceof Date) return v;
  const o = v as Record<string, unknown>;
  if (Array.isArray(o.richText)) return (o.richText as { text: string }[]).map((r) => r.text).join('');
  if ('result' in o) return cellValue(o.result);
  if ('formula' in o || 'sharedFormula' in o) return null;
  if ('text' in o) return typeof o.text === 'string' ? o.text : cellValue(o.text);
  if ('error' in o) return String(o.error);
  return String(v);
}

export async function openXlsx(
  input: AsyncIterable<Buffer | string>,
  opts: { onBytes?: (n: number) => void } = {},
): Promise<OpenedSource> {
  const meter = new Meter(opts.onBytes);
  const stats = { bytes: 0, encoding: null, delimiter: null };
  async function* metered() {
    for await (const c of chunksOf(input)) {
      meter.see(c);
      yield c;
    }
  }
  const stream = Readable.from(metered());
  const sheets = (await boundedWorksheets(stream, () => meter.bytes))[Symbol.asyncIterator]();
  /** Stops reading (the reader's temporary files go with it) and fails with the file's reason, or a limit's. */
  const abandon = async (e: unknown): Promise<never> => {
    await sheets.return?.(undefined).catch(() => {});
    stream.destroy();
    if (e instanceof FileError) throw e;
    throw fileError(
      `不是有效的 Excel（.xlsx）文件：${excelMessage(e)}`,
      `Not a valid Excel (.xlsx) file: ${excelMessage(e)}`,
    );
  };
  let sheet: AsyncIterator<ExcelJS.Row>;
  try {
    const s = await sheets.next();
    if (s.done) throw fileError('工作簿中没有工作表', 'The workbook has no worksheet');
    sheet = (s.value as unknown as AsyncIterable<ExcelJS.Row>)[Symbol.asyncIterator]();
  } catch (e) {
    return abandon(e);
  }
  let rowsRead = 0;
  const toCells = (r: ExcelJS.Row) => {
    if (++rowsRead > xlsxLimits.maxRows || r.number > xlsxLimits.maxRows)
      throw fileError(
        `工作表超过 ${xlsxLimits.maxRows} 行（Excel 的最大行数），无法读取`,
        `The worksheet has more than ${xlsxLimits.maxRows} rows (Excel's maximum); it cannot be read`,
      );
    const values = r.values as unknown[];
    if (values.length - 1 > xlsxLimits.maxColumns)
      throw fileError(
        `第 ${r.number} 行超过 ${xlsxLimits.maxColumns} 列（Excel 的最大列数），无法读取`,
        `Row ${r.number} has more than ${xlsxLimits.maxColumns} columns (Excel's maximum); it cannot be read`,
      );
    const vals = values.slice(1);
    return Array.from({ length: vals.length }, (_, i) => cellValue(vals[i]));
  };
  let headRow: ExcelJS.Row | undefined;
  try {
    for (;;) {
      const n = await sheet.next();
      if (n.done) break;
      if (toCells(n.value).some((c) => c !== null && String(c).trim() !== '')) {
        headRow = n.value;
        break;
      }
    }
  } catch (e) {
    return abandon(e);
  }
  if (!headRow) throw fileError('第一个工作表是空的', 'The first worksheet is empty');
  const header = toCells(headRow).map((h) => (h === null ? '' : String(h).trim()));
  async function* rows(): AsyncGenerator<InRow> {
    try {
      for (;;) {
        const n = await sheet.next();
        if (n.done) break;
        const cells = toCells(n.value);
        if (cells.every((c) => c === null || (typeof c === 'string' && c.trim() === ''))) continue;
        yield { rowNo: n.value.number, cells };
      }
      // Read the rest of the workbook so the checksum covers the whole file (within the same limits).
      for (;;) {
        const s = await sheets.next();
        if (s.done) break;
        rowsRead = 0;
        for await (const r of s.value as unknown as AsyncIterable<ExcelJS.Row>) toCells(r);
      }
      stats.bytes = meter.bytes;
    } catch (e) {
      await abandon(e);
    }
  }
  return { header, rows: rows(), stats, checksum: () => meter.hash.copy().digest('hex') };
}

/** A row object whose key cannot be stored (NUL, an unpaired surrogate) is rejected, naming the key. */
function keyProblem(o: object): Problem | null {
  for (const k of Object.keys(o)) {
    const u = unstorable(k);
    if (u) {
      const shown = JSON.stringify(storableText(k, 40));
      return u === 'nul'
        ? { zh: `键 ${shown} 含有空字符（\\u0000）`, en: `the key ${shown} contains a NUL character (\\u0000)` }
        : {
            zh: `键 ${shown} 含有无效的 Unicode 字符`,
            en: `the key ${shown} contains invalid Unicode (a lone surrogate)`,
          };
    }
  }
  return null;
}

/** Objects from a system: the header is the union of their keys in first-seen order. */
export function openObjects(objects: unknown[], checksumOf: string): OpenedSource {
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const o of objects) {
    if (o && typeof o === 'object' && !Array.isArray(o))
      for (const k of Object.keys(o))
        if (!seen.has(k) && !unstorable(k)) {
          seen.add(k);
          keys.push(k);
        }
  }
  async function* rows(): AsyncGenerator<InRow> {
    let rowNo = 0;
    for (const o of objects) {
      rowNo++;
      if (!o || typeof o !== 'object' || Array.isArray(o)) {
        yield { rowNo, cells: [o], problem: { zh: '每一行应为一个 JSON 对象', en: 'each row must be a JSON object' } };
        continue;
      }
      const r = o as Record<string, unknown>;
      const bad = keyProblem(r);
      yield bad ? { rowNo, cells: keys.map((k) => r[k]), problem: bad } : { rowNo, cells: keys.map((k) => r[k]) };
    }
  }
  const hash = createHash('sm3').update(checksumOf).digest('hex');
  return {
    header: keys,
    rows: rows(),
    stats: { bytes: Buffer.byteLength(checksumOf), encoding: 'utf-8', delimiter: null },
    checksum: () => hash,
  };
}

/**
 * NDJSON: one JSON object per line, streamed. The header is fixed by the item codes (the objects are
 * mapped by key), since the stream cannot be read twice.
 */
export async function openNdjson(
  input: AsyncIterable<Buffer | string>,
  keys: string[],
  opts: { onBytes?: (n: number) => void } = {},
): Promise<OpenedSource & { unknownKeys: Set<string> }> {
  const meter = new Meter(opts.onBytes);
  const unknownKeys = new Set<string>();
  const known = new Set(keys);
  const stats = { bytes: 0, encoding: 'utf-8', delimiter: null };
  async function* rows(): AsyncGenerator<InRow> {
    const dec = new TextDecoder('utf-8', { fatal: true });
    let buf = '';
    let rowNo = 0;
    const line = (l: string): InRow | null => {
      const t = l.trim();
      rowNo++;
      if (!t) {
        rowNo--;
        return null;
      }
      let o: unknown;
      try {
        o = JSON.parse(t);
      } catch (e) {
        return {
          rowNo,
          cells: [t.slice(0, 1000)],
          problem: { zh: `不是有效的 JSON：${(e as Error).message}`, en: `is not valid JSON: ${(e as Error).message}` },
        };
      }
      if (!o || typeof o !== 'object' || Array.isArray(o))
        return {
          rowNo,
          cells: [t.slice(0, 1000)],
          problem: { zh: '每一行应为一个 JSON 对象', en: 'each line must be a JSON object' },
        };
      const r = o as Record<string, unknown>;
      const bad = keyProblem(r);
      if (bad) return { rowNo, cells: keys.map((k) => r[k]), problem: bad };
      for (const k of Object.keys(r)) if (!known.has(k) && unknownKeys.size < 100) unknownKeys.add(storableText(k, 60));
      return { rowNo, cells: keys.map((k) => r[k]) };
    };
    for await (const c of chunksOf(input)) {
      meter.see(c);
      try {
        buf += dec.decode(c, { stream: true });
      } catch {
        throw fileError(
          `请求体含有无效的 UTF-8 编码（约第 ${meter.bytes} 字节之前）`,
          `The body has invalid UTF-8 (before about byte ${meter.bytes})`,
        );
      }
      if (buf.includes('\n')) {
        const parts = buf.split('\n');
        buf = parts.pop()!;
        for (const l of parts) {
          const r = line(l);
          if (r) yield r;
        }
      }
      if (buf.length > MAX_RECORD)
        throw fileError(
          `第 ${rowNo + 1} 行超过 ${MAX_RECORD_LABEL}`,
          `Line ${rowNo + 1} is larger than ${MAX_RECORD_LABEL}`,
        );
    }
    const r = line(buf);
    if (r) yield r;
    stats.bytes = meter.bytes;
  }
  return { header: keys, rows: rows(), stats, unknownKeys, checksum: () => meter.hash.copy().digest('hex') };
}
