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
import { fastCheck } from './lane.checks.ts';

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
  reject(rowNo: number, cells: unknown[], errs: RowError[]): void;
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
export async function runLane(lane: CsvLane, c: LaneContext): Promise<AsyncIterable<InRow[]> | null> {
  const D = lane.delimiter;
  const delimChar = String.fromCharCode(D);
  const { items, checkers, index, width, keyIdx, keys, withRowNo, counts } = c;
  const nItems = items.length;
  const fast = items.map(fastCheck);
  // what an empty cell and a missing column give (COPY text or a problem): the same for every row
  const emptyOut = checkers.map((ch) => ch(''));
  const absentOut = checkers.map((ch) => ch(undefined));
  let suffix = Buffer.from(`${c.suffix}\n`);
  let rowNoFirst = withRowNo;
  // past the key set's limit: where in `out` the unchecked rows start (-1: none in this buffer)
  let unchecked = false;
  let uncheckedFrom = -1;
  let cap = Math.max(64, width * 2);
  let starts = new Int32Array(cap);
  let ends = new Int32Array(cap);
  let special = new Uint8Array(cap);
  const outStart = new Int32Array(nItems);
  const outEnd = new Int32Array(nItems);
  let out = Buffer.allocUnsafe(OUT_SIZE);
  let o = 0;
  let rowNo = 1;
  let consumed = 0;

  const ensure = (n: number) => {
    if (o + n <= out.length) return;
    const next = Buffer.allocUnsafe(Math.max(out.length * 2, o + n + 1024));
    out.copy(next, 0, 0, o);
    out = next;
  };
  const cellsOf = (b: Buffer, ls: number, le: number) => b.toString('utf8', ls, le).split(delimChar);

  /** One line [ls, le) without its line break. False: it has a quote (the text reader takes over). */
  const line = (b: Buffer, ls: number, le: number): boolean => {
    if (le > ls && b[le - 1] === 13) le--;
    if (le === ls) {
      rowNo++; // a blank line: counted, skipped
      return true;
    }
    // one pass: delimiters, control characters and backslashes (for the ordinary checker), quotes
    let nf = 0;
    starts[0] = ls;
    special[0] = 0;
    for (let i = ls; i < le; i++) {
      const ch = b[i]!;
      if (ch === D) {
        ends[nf] = i;
        nf++;
        if (nf + 1 >= cap) {
          cap *= 2;
          const s2 = new Int32Array(cap);
          s2.set(starts);
          starts = s2;
          const e2 = new Int32Array(cap);
          e2.set(ends);
          ends = e2;
          const f2 = new Uint8Array(cap);
          f2.set(special);
          special = f2;
        }
        starts[nf] = i + 1;
        special[nf] = 0;
      } else if (ch < 0x20 || ch === 0x5c) special[nf] = 1;
      else if (ch === 0x22) return false;
    }
    ends[nf] = le;
    nf++;
    rowNo++;
    counts.received++;
    if (nf !== width) {
      let extraEmpty = nf > width;
      for (let k = width; extraEmpty && k < nf; k++) if (ends[k] !== starts[k]) extraEmpty = false;
      if (!extraEmpty) {
        c.reject(rowNo, cellsOf(b, ls, le), [raggedError(nf, width)]);
        return true;
      }
    }
    if (keys && !unchecked && keys.full) {
      // from here on, rows go to staging with their numbers (see LaneContext.flush)
      unchecked = true;
      uncheckedFrom = o;
      rowNoFirst = true;
      suffix = Buffer.from('\n');
    }
    // room for the values copied or written by the byte checks (at most two bytes more each)
    ensure(le - ls + 3 * nItems + suffix.length + 16);
    const rowStart = o;
    if (rowNoFirst) {
      o += out.write(String(rowNo), o, 'latin1');
      out[o++] = 9;
    }
    let errs: RowError[] | null = null;
    for (let i = 0; i < nItems; i++) {
      if (i) out[o++] = 9;
      outStart[i] = o;
      const pos = index[i]!;
      let r: ReturnType<Checker>;
      if (pos < 0) r = absentOut[i]!;
      else {
        const s = starts[pos]!;
        const e = ends[pos]!;
        if (s === e) r = emptyOut[i]!;
        else {
          const f = fast[i];
          if (f && special[pos] === 0) {
            const next = f(b, s, e, out, o);
            if (next >= 0) {
              o = next;
              outEnd[i] = o;
              continue;
            }
          }
          r = checkers[i]!(b.toString('utf8', s, e));
        }
      }
      if (typeof r === 'string') {
        ensure(r.length * 3 + nItems + suffix.length + 16);
        o += out.write(r, o);
      } else (errs ??= []).push(fieldError(items[i]!, r));
      outEnd[i] = o;
    }
    if (!errs && keys && !unchecked) {
      for (let k = 0; k < keyIdx.length; k++) {
        if (k) keys.separator();
        keys.push(out, outStart[keyIdx[k]!]!, outEnd[keyIdx[k]!]!);
      }
      const first = keys.commit(rowNo);
      if (first >= 0) errs = [duplicateKeyError(items[keyIdx[0]!]!, first)];
    }
    if (errs) {
      o = rowStart;
      c.reject(rowNo, cellsOf(b, ls, le), errs);
      return true;
    }
    ensure(suffix.length);
    o += suffix.copy(out, o);
    counts.accepted++;
    return true;
  };

  /** The file is refused whole (as the text path does); the message names the first bad line. */
  const invalidUtf8 = (b: Buffer, from: number, to: number) => {
    let row = rowNo;
    let at = from;
    while (at < to) {
      let nl = b.indexOf(10, at);
      if (nl < 0 || nl >= to) nl = to;
      row++;
      if (!isUtf8(b.subarray(at, nl))) break;
      at = nl + 1;
    }
    const byte = consumed + (at - from) + 1;
    return new FileError({
      zh: `文件第 ${row} 行含有无效的 UTF-8 编码（约第 ${byte} 字节起）；如果文件是 GBK/GB18030 编码，请在上传时选择该编码`,
      en: `The file has invalid UTF-8 in row ${row} (from about byte ${byte}); if it is GBK/GB18030, state that encoding when uploading`,
    });
  };
  // The working buffer is kept; what is handed over is an exact copy the receiver owns (its own memory,
  // never a slice of Node's shared pool, so a worker can transfer it).
  const handOver = async (from: number, to: number, uncheckedRows: boolean) => {
    if (to <= from) return;
    const chunk = Buffer.allocUnsafeSlow(to - from);
    out.copy(chunk, 0, from, to);
    await c.flush(chunk, uncheckedRows);
  };
  const flush = async () => {
    const end = o;
    const split = uncheckedFrom;
    o = 0;
    uncheckedFrom = -1;
    if (split >= 0) {
      await handOver(0, split, false);
      await handOver(split, end, true);
    } else if (end > 0) await handOver(0, end, unchecked);
    // nothing accepted in this chunk: still a call, so rejected rows and progress move on (a file of
    // nothing but bad rows must not pile its rejects up in memory)
    else await c.flush(Buffer.alloc(0), unchecked);
  };

  const it = lane.body[Symbol.asyncIterator]();
  // the start of a line the previous chunk ended in
  let carry: Buffer | null = null;
  for (;;) {
    const n = await it.next();
    if (n.done) break;
    const b = n.value;
    let ls = 0;
    if (carry) {
      // only the cut line is joined, not the whole chunk
      const nl = b.indexOf(10);
      if (nl < 0) {
        carry = Buffer.concat([carry, b]);
        if (carry.length > MAX_RECORD) return tooLarge();
        continue;
      }
      const joined = Buffer.concat([carry, b.subarray(0, nl + 1)]);
      carry = null;
      if (!isUtf8(joined)) throw invalidUtf8(joined, 0, joined.length);
      if (!line(joined, 0, joined.length - 1)) {
        await flush();
        return lane.rest(Buffer.concat([joined, b.subarray(nl + 1)]), rowNo);
      }
      consumed += joined.length;
      ls = nl + 1;
    }
    // complete lines only (a line break never sits inside a UTF-8 character)
    const last = b.lastIndexOf(10);
    if (last < ls) {
      carry = Buffer.from(b.subarray(ls));
      if (carry.length > MAX_RECORD) return tooLarge();
      continue;
    }
    if (!isUtf8(b.subarray(ls, last + 1))) throw invalidUtf8(b, ls, last + 1);
    while (ls <= last) {
      const nl = b.indexOf(10, ls);
      if (!line(b, ls, nl)) {
        await flush();
        return lane.rest(b.subarray(ls), rowNo);
      }
      ls = nl + 1;
    }
    consumed += last + 1;
    carry = last + 1 < b.length ? Buffer.from(b.subarray(last + 1)) : null;
    await flush();
  }
  // the last line, without a line break
  if (carry) {
    if (!isUtf8(carry)) throw invalidUtf8(carry, 0, carry.length);
    if (!line(carry, 0, carry.length)) {
      await flush();
      return lane.rest(carry, rowNo);
    }
  }
  await flush();
  return null;

  async function tooLarge() {
    counts.received++;
    c.reject(rowNo + 1, [], [{ field: 'row', ...recordTooLarge }]);
    await flush();
    return null;
  }
}
