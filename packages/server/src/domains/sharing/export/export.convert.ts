// An export's CSV written from PostgreSQL's COPY text of the granted columns (ADR 0011): the database reads and
// formats the rows, and this turns each line into the CSV line the consumer receives (masked as the grant says,
// fingerprinted, quoted as platform/csv.ts quotes). It works on bytes: a value that needs nothing (no rule, no
// fingerprint, nothing to quote) is copied as it came; the others are decoded, masked and written as the row path
// writes them (export.write.ts), so both paths give the same file. It runs in worker threads (export.threads.ts)
// or, for a small export, in the calling thread.
import iconv from 'iconv-lite';
import { copyUnescape } from '../../../db/copy-text.ts';
import { csvCell } from '../../../platform/csv.ts';
import { Sm3Hmac } from '../../../platform/sm3-hmac.ts';
import {
  keysFromBytes,
  maskValue,
  SQL_FALLBACK,
  type Column,
  type Rule,
  type ScopeKeyBytes,
} from '../../masking/index.ts';
import { embedDecimal, embedFill, embedHex, selectorOfBytes, type Carrier } from './fingerprint.ts';

export interface ConvertColumn {
  /** the header's name for the column */
  name: string;
  column: Column;
  /** the grant's rule for the item; `none` writes the value as the database gave it */
  rule: Rule | undefined;
  carrier: Carrier | null;
  /** the database masked the value (maskSql, masking.repository.ts): one it handed back after SQL_FALLBACK is masked here */
  sqlMasked?: boolean;
}

export interface ConvertInit {
  columns: ConvertColumn[];
  /** the grant's masking keys (pseudonyms and tokens stable within the grant) */
  keys: ScopeKeyBytes;
  /** the export's own fingerprint key */
  prf: Buffer;
  /** one value in how many carries the fingerprint */
  every: number;
  encoding: 'utf-8' | 'gb18030';
  /** the day masking counts ages from (ms since the epoch) */
  today: number;
}

const TAB = 9;
const NL = 10;
const BACKSLASH = 92;
const QUOTE = 34;
const COMMA = 44;

type Mode = 'plain' | 'sql' | 'js';

export class ExportConverter {
  private readonly columns: (ConvertColumn & { mode: Mode })[];
  private readonly keys;
  private readonly prf: Sm3Hmac;
  private readonly today: Date;
  /** every - 1: a value is marked when its selector has none of these bits (every is a power of two) */
  private readonly markMask: number;
  private out = Buffer.allocUnsafeSlow(1 << 20);
  private at = 0;

  constructor(private readonly init: ConvertInit) {
    this.columns = init.columns.map((c) => ({
      ...c,
      // plain: written as read (no rule to apply and no fingerprint); sql: masked by the database; js: here
      mode: c.sqlMasked ? 'sql' : (c.rule?.rule ?? 'suppress') === 'none' && !c.carrier ? 'plain' : 'js',
    }));
    this.keys = keysFromBytes(init.keys);
    this.prf = new Sm3Hmac(init.prf);
    this.today = new Date(init.today);
    this.markMask = Math.max(1, init.every) - 1;
  }

  /** The file's first bytes: a BOM for UTF-8 (Excel reads the file as UTF-8 then) and the header of names. */
  header(): Buffer {
    const text = this.init.columns.map((c) => csvCell(c.name)).join(',') + '\r\n';
    return this.encode(Buffer.from((this.init.encoding === 'utf-8' ? '\uFEFF' : '') + text, 'utf8'));
  }

  private room(n: number) {
    if (this.at + n <= this.out.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.out.length * 2, this.at + n));
    this.out.copy(bigger, 0, 0, this.at);
    this.out = bigger;
  }

  private text(s: string) {
    this.room(s.length * 3);
    this.at += this.out.write(s, this.at, 'utf8');
  }

  /** A value as the file holds it, as the row path writes it (share.service maskRow, export.write cellOf, csvCell). */
  private cell(c: ConvertColumn & { mode: Mode }, raw: string | null): string {
    if (raw === null) return '';
    let v: unknown = raw;
    if (c.mode === 'js') v = maskValue(raw, c.column, c.rule, this.keys, this.today);
    else if (c.mode === 'sql' && raw.startsWith(SQL_FALLBACK))
      v = maskValue(raw.slice(1), c.column, c.rule, this.keys, this.today);
    if (v === null || v === undefined) return '';
    const s = String(v);
    if (c.carrier === 'fill') return csvCell(embedFill(this.prf, s, this.init.every));
    if (c.carrier === 'decimal') return csvCell(embedDecimal(this.prf, s, this.init.every));
    if (c.carrier === 'hex') return csvCell(embedHex(this.prf, s, this.init.every));
    return csvCell(s);
  }

  private copy(chunk: Buffer, start: number, end: number) {
    this.room(end - start);
    // values are short: a loop costs less than Buffer#copy's checks
    const out = this.out;
    let at = this.at;
    for (let i = start; i < end; i++) out[at++] = chunk[i]!;
    this.at = at;
  }

  /**
   * The bytes of a value that is written as it is, when they can be: a plain value, one the database masked and
   * this export does not mark, a decimal in its shortest form that it does not mark. False: the careful way.
   */
  private fast(c: ConvertColumn & { mode: Mode }, chunk: Buffer, start: number, end: number): boolean {
    if (c.mode === 'plain') {
      if (!plainBytes(chunk, start, end)) return false;
      this.copy(chunk, start, end);
      return true;
    }
    if (c.mode === 'sql') {
      if (chunk[start] === 1 || !plainBytes(chunk, start, end)) return false;
      if (c.carrier === 'fill' && (selectorOfBytes('fill', chunk, start, end) & this.markMask) === 0) return false;
      this.copy(chunk, start, end);
      return true;
    }
    if (c.carrier === 'decimal' && (c.rule?.rule ?? 'suppress') === 'none') {
      const shortest = decimalEnd(chunk, start, end);
      if (shortest < 0 || (selectorOfBytes('decimal', chunk, start, shortest) & this.markMask) === 0) return false;
      this.copy(chunk, start, shortest);
      return true;
    }
    return false;
  }

  /**
   * Whole lines of COPY text (each the granted columns, then any others, which are left out) as CSV lines.
   * Returns the bytes and how many rows they hold.
   */
  convert(chunk: Buffer): { data: Buffer; rows: number } {
    this.at = 0;
    const n = this.columns.length;
    let rows = 0;
    let pos = 0;
    const end = chunk.length;
    while (pos < end) {
      let eol = chunk.indexOf(NL, pos);
      if (eol < 0) eol = end;
      rows++;
      this.room(eol - pos + 2);
      let start = pos;
      for (let i = 0; i < n; i++) {
        // the field's end, and whether it holds a backslash, a quote or a comma
        let j = start;
        let special = false;
        for (; j < eol; j++) {
          const b = chunk[j]!;
          if (b === TAB) break;
          if (b === BACKSLASH || b === QUOTE || b === COMMA) special = true;
        }
        if (i) {
          this.room(1);
          this.out[this.at++] = COMMA;
        }
        const c = this.columns[i]!;
        const len = j - start;
        if (len === 2 && chunk[start] === BACKSLASH && chunk[start + 1] === 78 /* N */) {
          // NULL: an empty cell, whatever the rule
        } else if (special || len === 0 || !this.fast(c, chunk, start, j)) {
          let raw = chunk.toString('utf8', start, j);
          if (special) raw = copyUnescape(raw);
          this.text(this.cell(c, raw));
        }
        start = j + 1;
      }
      this.room(2);
      this.out[this.at++] = 13;
      this.out[this.at++] = NL;
      pos = eol + 1;
    }
    return { data: this.encode(this.out.subarray(0, this.at)), rows };
  }

  private encode(utf8: Buffer): Buffer {
    if (this.init.encoding === 'gb18030') return iconv.encode(utf8.toString('utf8'), 'gb18030');
    // the output buffer itself goes (to the caller, or across to the platform's thread); the next chunk has a new one
    if (utf8.buffer === this.out.buffer) this.out = Buffer.allocUnsafeSlow(this.out.length);
    return utf8;
  }
}

/**
 * Whether csvCell would write these bytes unchanged: no formula start (= @ + -, \t and \r come escaped), nothing at
 * either end that trimming removes (ASCII space and controls, and the non-ASCII spaces: trimmedAt).
 */
function plainBytes(b: Buffer, start: number, end: number): boolean {
  const first = b[start]!;
  if (first <= 32 || first === 61 /* = */ || first === 64 /* @ */ || first === 43 /* + */ || first === 45 /* - */)
    return false;
  if (first >= 0x80 && trimmedAt(b, start, end)) return false;
  const last = b[end - 1]!;
  if (last <= 32) return false;
  if (last >= 0x80) {
    // the last character's first byte (continuation bytes are 10xxxxxx)
    let k = end - 1;
    while (k > start && (b[k]! & 0xc0) === 0x80) k--;
    if (trimmedAt(b, k, end)) return false;
  }
  return true;
}

/** Whether the UTF-8 at `i` is a space String.prototype.trim removes (U+00A0, U+1680, U+2000-200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF). */
function trimmedAt(b: Buffer, i: number, end: number): boolean {
  const b0 = b[i]!;
  const b1 = i + 1 < end ? b[i + 1]! : -1;
  const b2 = i + 2 < end ? b[i + 2]! : -1;
  if (b0 === 0xc2) return b1 === 0xa0;
  if (b0 === 0xe1) return b1 === 0x9a && b2 === 0x80;
  if (b0 === 0xe2)
    return (
      (b1 === 0x80 && ((b2 >= 0x80 && b2 <= 0x8a) || b2 === 0xa8 || b2 === 0xa9 || b2 === 0xaf)) ||
      (b1 === 0x81 && b2 === 0x9f)
    );
  if (b0 === 0xe3) return b1 === 0x80 && b2 === 0x80;
  if (b0 === 0xef) return b1 === 0xbb && b2 === 0xbf;
  return false;
}

/**
 * Where a decimal's shortest form ends (fingerprint.ts shortestDecimal: no trailing zeros after the point, no bare
 * point), or -1 when the bytes are not a decimal as the carrier reads one (-?digits, optionally .digits).
 */
function decimalEnd(b: Buffer, start: number, end: number): number {
  let i = start;
  if (b[i] === 45 /* - */) i++;
  const digits = i;
  while (i < end && b[i]! >= 48 && b[i]! <= 57) i++;
  if (i === digits) return -1;
  if (i === end) return end;
  if (b[i] !== 46 /* . */) return -1;
  const point = i++;
  const frac = i;
  while (i < end && b[i]! >= 48 && b[i]! <= 57) i++;
  if (i !== end || i === frac) return -1;
  let e = end;
  while (e > frac && b[e - 1] === 48) e--;
  return e === frac ? point : e;
}
