// The byte lane's value checks: each decides, on a value's UTF-8 bytes, "valid and already canonical" and then
// copies it through as COPY text, or declines (-1) and leaves the value to the item's ordinary checker. A check
// may only say yes where that checker would accept the value and write the same text (lane.test.ts holds both
// to it).
import { usccBytesValid } from '../../../platform/uscc.ts';
import { realDate, residentIdBytesValid } from '../../../platform/formats.ts';
import type { ItemSpec } from '../check/check.values.ts';

/**
 * Checks the bytes [s, e) of a value. When they are a valid value of the item whose canonical COPY text it
 * can write itself, it writes that text to `out` at `o` and returns the new offset; otherwise -1, and the
 * ordinary checker decides. `out` has room for (e - s) + 2 bytes.
 */
export type FastCheck = (b: Buffer, s: number, e: number, out: Buffer, o: number) => number;
/** The same, for checks whose canonical text is the input itself. */
type Accept = (b: Buffer, s: number, e: number) => boolean;

/** Copies bytes; a loop for short values (Buffer.copy costs more than it moves below ~64 bytes). */
function put(b: Buffer, s: number, e: number, out: Buffer, o: number): number {
  if (e - s > 64) return o + b.copy(out, o, s, e);
  for (let i = s; i < e; i++) out[o++] = b[i]!;
  return o;
}

const through =
  (accept: Accept): FastCheck =>
  (b, s, e, out, o) =>
    accept(b, s, e) ? put(b, s, e, out, o) : -1;

const digit = (c: number | undefined) => c !== undefined && c >= 48 && c <= 57;
const d2 = (b: Buffer, i: number) => (b[i]! - 48) * 10 + (b[i + 1]! - 48);

/** Whether a Unicode space that String.prototype.trim removes starts at b[s] (a multi-byte lead). */
function uniSpaceAt(b: Buffer, s: number): boolean {
  const c = b[s];
  if (c === 0xc2) return b[s + 1] === 0xa0;
  if (c === 0xe1) return b[s + 1] === 0x9a && b[s + 2] === 0x80;
  if (c === 0xe2) {
    const x = b[s + 1];
    const y = b[s + 2]!;
    return (x === 0x80 && (y <= 0x8a || y === 0xa8 || y === 0xa9 || y === 0xaf)) || (x === 0x81 && y === 0x9f);
  }
  if (c === 0xe3) return b[s + 1] === 0x80 && b[s + 2] === 0x80;
  if (c === 0xef) return b[s + 1] === 0xbb && b[s + 2] === 0xbf;
  return false;
}

/** Text that needs no trimming and fits the item's length in characters. */
function plainText(maxChars: number | null): Accept {
  return (b, s, e) => {
    const first = b[s]!;
    const last = b[e - 1]!;
    if (first === 0x20 || last === 0x20) return false;
    if (first >= 0x80 && uniSpaceAt(b, s)) return false;
    if (
      last >= 0x80 &&
      ((e - 2 >= s && b[e - 2] === 0xc2) || (e - 3 >= s && b[e - 3]! >= 0xe0 && uniSpaceAt(b, e - 3)))
    )
      return false;
    if (maxChars !== null && e - s > maxChars) {
      // characters are the bytes that do not continue a multi-byte sequence
      let n = 0;
      for (let i = s; i < e; i++) if ((b[i]! & 0xc0) !== 0x80) n++;
      if (n > maxChars) return false;
    }
    return true;
  };
}

/** The check of a value already in canonical form, or null when the item has none on bytes. */
function acceptCheck(it: ItemSpec): Accept | null {
  switch (it.dataType) {
    case 'integer':
      return (b, s, e) => {
        const n = e - s;
        if (n > 15 || (n > 1 && b[s] === 48)) return false;
        for (let i = s; i < e; i++) if (!digit(b[i])) return false;
        return true;
      };
    case 'decimal': {
      const scale = it.precision ?? 0;
      const intMax = it.length ? it.length - scale : null;
      return (b, s, e) => {
        let i = s;
        while (i < e && digit(b[i])) i++;
        const intEnd = i;
        if (intEnd === s) return false;
        // "0" or no leading zero
        if (b[s] === 48 && intEnd - s > 1) return false;
        let fracLen = 0;
        if (i < e) {
          if (b[i] !== 46) return false;
          i++;
          const f0 = i;
          while (i < e && digit(b[i])) i++;
          fracLen = i - f0;
          if (i !== e || fracLen === 0 || b[e - 1] === 48) return false;
        }
        const intLen = b[s] === 48 ? 0 : intEnd - s;
        return intMax === null || (intLen <= intMax && fracLen <= scale);
      };
    }
    case 'datetime':
      return (b, s, e) =>
        e - s === 19 &&
        b[s + 4] === 45 &&
        b[s + 7] === 45 &&
        b[s + 10] === 32 &&
        b[s + 13] === 58 &&
        b[s + 16] === 58 &&
        canonicalDate(b, s) &&
        digit(b[s + 11]) &&
        digit(b[s + 12]) &&
        digit(b[s + 14]) &&
        digit(b[s + 15]) &&
        digit(b[s + 17]) &&
        digit(b[s + 18]) &&
        d2(b, s + 11) <= 23 &&
        d2(b, s + 14) <= 59 &&
        d2(b, s + 17) <= 59;
    case 'date':
    case 'boolean':
      return null;
    default: {
      const fits = (n: number) => !it.length || n <= it.length;
      switch (it.piiKind) {
        case null:
          return plainText(it.length);
        case 'id_card':
          return (b, s, e) => e - s === 18 && fits(18) && residentIdBytesValid(b, s);
        case 'uscc':
          return (b, s, e) => e - s === 18 && fits(18) && usccBytesValid(b, s);
        case 'mobile':
          return (b, s, e) => {
            if (e - s !== 11 || !fits(11) || b[s] !== 49 || b[s + 1]! < 51 || b[s + 1]! > 57) return false;
            for (let i = s + 2; i < e; i++) if (!digit(b[i])) return false;
            return true;
          };
        // kinds with a format check, an upper-case form or a date: the ordinary checker
        case 'phone':
        case 'email':
        case 'plate':
        case 'bank_card':
        case 'passport':
        case 'birth_date':
          return null;
        default:
          return plainText(it.length);
      }
    }
  }
}

/** A value set of up to 32 values is matched on bytes; a larger one by the ordinary checker. */
function inSet(values: Buffer[]): Accept {
  return (b, s, e) => {
    const n = e - s;
    for (let k = 0; k < values.length; k++) {
      const v = values[k]!;
      if (v.length !== n) continue;
      let i = 0;
      while (i < n && v[i] === b[s + i]) i++;
      if (i === n) return true;
    }
    return false;
  };
}

/** Dates in the forms of parseChineseDate (2024-01-05, 2024/1/5, 2024.1.5, 2024年1月5日, 20240105), written canonical. */
function dateCheck(b: Buffer, s: number, e: number, out: Buffer, o: number): number {
  const n = e - s;
  for (let k = 0; k < 4; k++) if (!digit(b[s + k])) return -1;
  const y = (b[s]! - 48) * 1000 + (b[s + 1]! - 48) * 100 + d2(b, s + 2);
  let m: number;
  let d: number;
  if (n === 8 && digit(b[s + 4])) {
    for (let k = 4; k < 8; k++) if (!digit(b[s + k])) return -1;
    m = d2(b, s + 4);
    d = d2(b, s + 6);
  } else {
    let i = s + 4;
    // 年 is E5 B9 B4, 月 E6 9C 88, 日 E6 97 A5
    if (b[i] === 45 || b[i] === 47 || b[i] === 46) i++;
    else if (b[i] === 0xe5 && b[i + 1] === 0xb9 && b[i + 2] === 0xb4) i += 3;
    else return -1;
    if (!digit(b[i])) return -1;
    m = b[i++]! - 48;
    if (digit(b[i])) m = m * 10 + b[i++]! - 48;
    if (b[i] === 45 || b[i] === 47 || b[i] === 46) i++;
    else if (b[i] === 0xe6 && b[i + 1] === 0x9c && b[i + 2] === 0x88) i += 3;
    else return -1;
    if (i >= e || !digit(b[i])) return -1;
    d = b[i++]! - 48;
    if (i < e && digit(b[i])) d = d * 10 + b[i++]! - 48;
    if (i + 3 === e && b[i] === 0xe6 && b[i + 1] === 0x97 && b[i + 2] === 0xa5) i += 3;
    if (i !== e) return -1;
  }
  if (!realDate(y, m, d)) return -1;
  for (let k = 0; k < 4; k++) out[o++] = b[s + k]!;
  out[o++] = 45;
  out[o++] = 48 + ((m / 10) | 0);
  out[o++] = 48 + (m % 10);
  out[o++] = 45;
  out[o++] = 48 + ((d / 10) | 0);
  out[o++] = 48 + (d % 10);
  return o;
}

export function fastCheck(it: ItemSpec): FastCheck | null {
  if (it.dataType === 'date' && !it.valueSet.length) return dateCheck;
  const accept = acceptCheck(it);
  if (!accept) return null;
  if (!it.valueSet.length) return through(accept);
  if (it.valueSet.length > 32 || it.dataType === 'decimal' || it.dataType === 'datetime') return null;
  // the set as the checker keeps it (trimmed; integers in canonical form), as bytes
  const values = it.valueSet.map((v) => Buffer.from(it.dataType === 'integer' ? String(BigInt(v.trim())) : v.trim()));
  const member = inSet(values);
  return through((b, s, e) => accept(b, s, e) && member(b, s, e));
}

const DATE_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9];
function canonicalDate(b: Buffer, s: number): boolean {
  for (let k = 0; k < DATE_DIGITS.length; k++) if (!digit(b[s + DATE_DIGITS[k]!])) return false;
  const y = (b[s]! - 48) * 1000 + (b[s + 1]! - 48) * 100 + d2(b, s + 2);
  return realDate(y, d2(b, s + 5), d2(b, s + 8));
}
