// The byte lane for UTF-8 CSV files: rows are split, checked and written as COPY text straight from the
// file's bytes, without a JavaScript string for every value (decoding, splitting and collecting those
// strings cost more than the checks themselves; docs/benchmarks.md). A value already in its canonical
// form — most of them — is checked on its bytes and copied through. Anything else (another date form,
// spaces to trim, a control character or backslash, a value set, a format without a byte check) is
// decoded and goes through the item's ordinary checker, which alone may refuse a value: the lane only
// decides "valid and already canonical", so it can be faster than the text path, never different.
// A line with a quote hands the rest of the file to the text reader (quoted fields may span lines).
import { isUtf8 } from 'node:buffer';
import type { KeySet } from '../check/check.key-set.ts';
import type { CsvLane, InRow } from '../read/read.sources.ts';
import {
  duplicateKeyError,
  fieldError,
  FileError,
  MAX_RECORD,
  raggedError,
  recordTooLarge,
  type RowError,
} from '../check/check.row-errors.ts';
import type { Checker, ItemSpec } from '../check/check.values.ts';
import { fastCheck, type FastCheck } from './lane.checks.ts';

export interface LaneContext {
  items: ItemSpec[];
  checkers: Checker[];
  /** For each item, its position in the header, or -1. */
  index: number[];
  width: number;
  keyIdx: number[];
  keys: KeySet | null;
  /** Staging tables keep the row number first; rows straight into the data table end with the batch id. */
  withRowNo: boolean;
  suffix: string;
  counts: { received: number; accepted: number; rejected: number };
  /** `dataRow`: which data row it is (the rows received so far), when the caller cannot count them itself */
  reject(rowNo: number, cells: unknown[], errs: RowError[], dataRow?: number): void;
  /**
   * Hands COPY text of accepted rows to the sink (and keeps rejected rows and progress moving); the buffer
   * is the receiver's. `unchecked`: rows after the key set filled up, written with their row numbers and
   * without the suffix (staging form); the database refuses their repeated keys when the batch is applied.
   */
  flush(copy: Buffer, unchecked: boolean): Promise<void>;
}

const OUT_SIZE = 1 << 20;

/**
 * Runs the rows of a UTF-8 CSV through the checks. Returns null at the end of the file, or the rows from a
 * line with a quote on, read as text, for the ordinary row loop.
 */
export function runLane(lane: CsvLane, context: LaneContext): Promise<AsyncIterable<InRow[]> | null> {
  return new LaneRun(lane, context).run();
}

/** One file through the byte lane: its working buffers, where the row count is, and what is written. */
class LaneRun {
  private readonly delimiter: number;
  private readonly delimChar: string;
  private readonly items: ItemSpec[];
  private readonly nItems: number;
  private readonly fast: (FastCheck | null)[];
  /** What an empty cell and a missing column give (COPY text or a problem): the same for every row. */
  private readonly emptyOut: ReturnType<Checker>[];
  private readonly absentOut: ReturnType<Checker>[];
  /** Appended to each accepted row (the batch id and a line break, or a line break). */
  private suffix: Buffer;
  /** Rows start with their row number (staging form). */
  private rowNoFirst: boolean;
  /** Past the key set's limit: rows are written unchecked, from `uncheckedFrom` in `out` (-1: none in it). */
  private unchecked = false;
  private uncheckedFrom = -1;
  /** Where each field of the current line starts and ends, and whether it holds a byte the lane leaves alone. */
  private cap: number;
  private starts: Int32Array;
  private ends: Int32Array;
  private special: Uint8Array;
  /** Where each item's COPY text starts and ends in `out` (for the key set). */
  private readonly outStart: Int32Array;
  private readonly outEnd: Int32Array;
  /** COPY text of the accepted rows, and how many bytes of it are written. */
  private out = Buffer.allocUnsafe(OUT_SIZE);
  private written = 0;
  /** The file's row number of the current line (the header is row 1), and the bytes read before this chunk. */
  private rowNo = 1;
  private consumed = 0;

  constructor(
    private readonly lane: CsvLane,
    private readonly c: LaneContext,
  ) {
    this.delimiter = lane.delimiter;
    this.delimChar = String.fromCharCode(lane.delimiter);
    this.items = c.items;
    this.nItems = c.items.length;
    this.fast = c.items.map(fastCheck);
    this.emptyOut = c.checkers.map((check) => check(''));
    this.absentOut = c.checkers.map((check) => check(undefined));
    this.suffix = Buffer.from(`${c.suffix}\n`);
    this.rowNoFirst = c.withRowNo;
    this.cap = Math.max(64, c.width * 2);
    this.starts = new Int32Array(this.cap);
    this.ends = new Int32Array(this.cap);
    this.special = new Uint8Array(this.cap);
    this.outStart = new Int32Array(this.nItems);
    this.outEnd = new Int32Array(this.nItems);
  }

  /** Room for `n` more bytes in `out`. */
  private ensure(n: number) {
    if (this.written + n <= this.out.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.written + n + 1024));
    this.out.copy(next, 0, 0, this.written);
    this.out = next;
  }

  private cellsOf(b: Buffer, ls: number, le: number) {
    return b.toString('utf8', ls, le).split(this.delimChar);
  }

  private grow() {
    this.cap *= 2;
    const starts = new Int32Array(this.cap);
    starts.set(this.starts);
    this.starts = starts;
    const ends = new Int32Array(this.cap);
    ends.set(this.ends);
    this.ends = ends;
    const special = new Uint8Array(this.cap);
    special.set(this.special);
    this.special = special;
  }

  /**
   * One pass over a line [ls, le): where its fields are, and which hold control characters or backslashes (for the
   * ordinary checker). Returns the number of fields, or -1 when the line has a quote (the text reader takes over).
   */
  private splitFields(b: Buffer, ls: number, le: number): number {
    const delimiter = this.delimiter;
    let nf = 0;
    this.starts[0] = ls;
    this.special[0] = 0;
    for (let i = ls; i < le; i++) {
      const ch = b[i]!;
      if (ch === delimiter) {
        this.ends[nf] = i;
        nf++;
        if (nf + 1 >= this.cap) this.grow();
        this.starts[nf] = i + 1;
        this.special[nf] = 0;
      } else if (ch < 0x20 || ch === 0x5c) this.special[nf] = 1;
      else if (ch === 0x22) return -1;
    }
    this.ends[nf] = le;
    return nf + 1;
  }

  /** A line with more or fewer fields than the header is ragged, unless the extra ones are empty. */
  private ragged(nf: number): boolean {
    const width = this.c.width;
    if (nf === width) return false;
    if (nf < width) return true;
    for (let k = width; k < nf; k++) if (this.ends[k] !== this.starts[k]) return true;
    return false;
  }

  /** Each item's value checked and written as COPY text at `written`; the problems, or null. */
  private writeValues(b: Buffer): RowError[] | null {
    const { index, checkers } = this.c;
    let errs: RowError[] | null = null;
    for (let i = 0; i < this.nItems; i++) {
      if (i) this.out[this.written++] = 9;
      this.outStart[i] = this.written;
      const pos = index[i]!;
      let r: ReturnType<Checker>;
      if (pos < 0) r = this.absentOut[i]!;
      else {
        const s = this.starts[pos]!;
        const e = this.ends[pos]!;
        if (s === e) r = this.emptyOut[i]!;
        else {
          const check = this.fast[i];
          if (check && this.special[pos] === 0) {
            // valid and already canonical: copied as it is
            const next = check(b, s, e, this.out, this.written);
            if (next >= 0) {
              this.written = next;
              this.outEnd[i] = next;
              continue;
            }
          }
          r = checkers[i]!(b.toString('utf8', s, e));
        }
      }
      if (typeof r === 'string') {
        this.ensure(r.length * 3 + this.nItems + this.suffix.length + 16);
        this.written += this.out.write(r, this.written);
      } else (errs ??= []).push(fieldError(this.items[i]!, r));
      this.outEnd[i] = this.written;
    }
    return errs;
  }

  /** The row's key against the rows before it (the key set holds them); the problem, or null. */
  private repeatedKey(): RowError[] | null {
    const { keys, keyIdx } = this.c;
    if (!keys || this.unchecked) return null;
    for (let k = 0; k < keyIdx.length; k++) {
      if (k) keys.separator();
      keys.push(this.out, this.outStart[keyIdx[k]!]!, this.outEnd[keyIdx[k]!]!);
    }
    const first = keys.commit(this.rowNo);
    return first >= 0 ? [duplicateKeyError(this.items[keyIdx[0]!]!, first, 'line')] : null;
  }

  /** One line [ls, le) without its line break. False: it has a quote (the text reader takes over). */
  private line(b: Buffer, ls: number, le: number): boolean {
    if (le > ls && b[le - 1] === 13) le--;
    if (le === ls) {
      this.rowNo++; // a blank line: counted, skipped
      return true;
    }
    const nf = this.splitFields(b, ls, le);
    if (nf < 0) return false;
    this.rowNo++;
    this.c.counts.received++;
    if (this.ragged(nf)) {
      this.c.reject(this.rowNo, this.cellsOf(b, ls, le), [raggedError(nf, this.c.width)]);
      return true;
    }
    if (this.c.keys && !this.unchecked && this.c.keys.full) {
      // from here on, rows go to staging with their numbers (see LaneContext.flush)
      this.unchecked = true;
      this.uncheckedFrom = this.written;
      this.rowNoFirst = true;
      this.suffix = Buffer.from('\n');
    }
    // room for the values copied or written by the byte checks (at most two bytes more each)
    this.ensure(le - ls + 3 * this.nItems + this.suffix.length + 32);
    const rowStart = this.written;
    if (this.rowNoFirst) {
      // staging form: where the row is (its line), which data row it is, then the values
      this.written += this.out.write(String(this.rowNo), this.written, 'latin1');
      this.out[this.written++] = 9;
      this.written += this.out.write(String(this.c.counts.received), this.written, 'latin1');
      this.out[this.written++] = 9;
    }
    const errs = this.writeValues(b) ?? this.repeatedKey();
    if (errs) {
      this.written = rowStart;
      this.c.reject(this.rowNo, this.cellsOf(b, ls, le), errs);
      return true;
    }
    this.ensure(this.suffix.length);
    this.written += this.suffix.copy(this.out, this.written);
    this.c.counts.accepted++;
    return true;
  }

  /** The file is refused whole (as the text path does); the message names the first bad line. */
  private invalidUtf8(b: Buffer, from: number, to: number) {
    let row = this.rowNo;
    let at = from;
    while (at < to) {
      let nl = b.indexOf(10, at);
      if (nl < 0 || nl >= to) nl = to;
      row++;
      if (!isUtf8(b.subarray(at, nl))) break;
      at = nl + 1;
    }
    const byte = this.consumed + (at - from) + 1;
    return new FileError({
      zh: `文件第 ${row} 行含有无效的 UTF-8 编码（约第 ${byte} 字节起）；如果文件是 GBK/GB18030 编码，请在上传时选择该编码`,
      en: `The file has invalid UTF-8 in row ${row} (from about byte ${byte}); if it is GBK/GB18030, state that encoding when uploading`,
    });
  }

  /**
   * The working buffer is kept; what is handed over is an exact copy the receiver owns (its own memory,
   * never a slice of Node's shared pool, so a worker can transfer it).
   */
  private async handOver(from: number, to: number, uncheckedRows: boolean) {
    if (to <= from) return;
    const chunk = Buffer.allocUnsafeSlow(to - from);
    this.out.copy(chunk, 0, from, to);
    await this.c.flush(chunk, uncheckedRows);
  }

  private async flush() {
    const end = this.written;
    const split = this.uncheckedFrom;
    this.written = 0;
    this.uncheckedFrom = -1;
    if (split >= 0) {
      await this.handOver(0, split, false);
      await this.handOver(split, end, true);
    } else if (end > 0) await this.handOver(0, end, this.unchecked);
    // nothing accepted in this chunk: still a call, so rejected rows and progress move on (a file of
    // nothing but bad rows must not pile its rejects up in memory)
    else await this.c.flush(Buffer.alloc(0), this.unchecked);
  }

  /** A line longer than a record may be: refused, and the file ends there. */
  private async tooLarge() {
    this.c.counts.received++;
    this.c.reject(this.rowNo + 1, [], [{ field: 'row', ...recordTooLarge }]);
    await this.flush();
    return null;
  }

  /** The rest of the file from a line with a quote, for the text reader. */
  private async handToText(rest: Buffer) {
    await this.flush();
    return this.lane.rest(rest, this.rowNo);
  }

  async run(): Promise<AsyncIterable<InRow[]> | null> {
    const it = this.lane.body[Symbol.asyncIterator]();
    // the start of a line the previous chunk ended in
    let carry: Buffer | null = null;
    for (;;) {
      const next = await it.next();
      if (next.done) break;
      const b = next.value;
      let ls = 0;
      if (carry) {
        // only the cut line is joined, not the whole chunk
        const nl = b.indexOf(10);
        if (nl < 0) {
          carry = Buffer.concat([carry, b]);
          if (carry.length > MAX_RECORD) return this.tooLarge();
          continue;
        }
        const joined = Buffer.concat([carry, b.subarray(0, nl + 1)]);
        carry = null;
        if (!isUtf8(joined)) throw this.invalidUtf8(joined, 0, joined.length);
        if (!this.line(joined, 0, joined.length - 1))
          return this.handToText(Buffer.concat([joined, b.subarray(nl + 1)]));
        this.consumed += joined.length;
        ls = nl + 1;
      }
      // complete lines only (a line break never sits inside a UTF-8 character)
      const last = b.lastIndexOf(10);
      if (last < ls) {
        carry = Buffer.from(b.subarray(ls));
        if (carry.length > MAX_RECORD) return this.tooLarge();
        continue;
      }
      if (!isUtf8(b.subarray(ls, last + 1))) throw this.invalidUtf8(b, ls, last + 1);
      while (ls <= last) {
        const nl = b.indexOf(10, ls);
        if (!this.line(b, ls, nl)) return this.handToText(b.subarray(ls));
        ls = nl + 1;
      }
      this.consumed += last + 1;
      carry = last + 1 < b.length ? Buffer.from(b.subarray(last + 1)) : null;
      await this.flush();
    }
    // the last line, without a line break
    if (carry) {
      if (!isUtf8(carry)) throw this.invalidUtf8(carry, 0, carry.length);
      if (!this.line(carry, 0, carry.length)) return this.handToText(carry);
    }
    await this.flush();
    return null;
  }
}
