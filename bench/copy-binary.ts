// PostgreSQL's COPY binary format, for the benches' baselines: the fastest bare way to hand rows to the server
// (no text parsing on its side). Covers the types the benches' tables use; the bench checks the loaded table
// against the same rows loaded as COPY text, so an encoding mistake fails the bench instead of skewing it.
// Format: https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4

export type BinaryType = 'text' | 'date' | 'timestamp' | 'int8' | 'numeric';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const EPOCH_MS = Date.UTC(2000, 0, 1);
const DAY_MS = 86_400_000;

/** The stream's header: signature, flags (no OIDs), no header extension. */
export function copyBinaryHeader(): Buffer {
  const b = Buffer.alloc(19);
  SIGNATURE.copy(b, 0);
  b.writeInt32BE(0, 11);
  b.writeInt32BE(0, 15);
  return b;
}

/** The stream's trailer: a field count of -1. */
export function copyBinaryTrailer(): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(-1, 0);
  return b;
}

/** `YYYY-MM-DD` as days since 2000-01-01. */
function dateValue(v: string): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(Math.round((Date.parse(`${v}T00:00:00Z`) - EPOCH_MS) / DAY_MS), 0);
  return b;
}

/** `YYYY-MM-DD HH:MM:SS` (no zone) as microseconds since 2000-01-01 00:00:00. */
function timestampValue(v: string): Buffer {
  const ms = Date.parse(`${v.replace(' ', 'T')}Z`);
  if (Number.isNaN(ms)) throw new Error(`not a timestamp: ${v}`);
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(ms - EPOCH_MS) * 1000n, 0);
  return b;
}

function int8Value(v: string): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(v), 0);
  return b;
}

/** A decimal string as PostgreSQL's numeric: base-10000 digits with a weight, a sign and the display scale. */
export function numericValue(v: string): Buffer {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(v);
  if (!m) throw new Error(`not a decimal: ${v}`);
  const negative = m[1] === '-';
  const intPart = (m[2] ?? '').replace(/^0+/, '');
  const fracPart = m[3] ?? '';
  const dscale = fracPart.length;
  const intPadded = intPart.padStart(Math.ceil(intPart.length / 4) * 4, '0');
  const fracPadded = fracPart.padEnd(Math.ceil(fracPart.length / 4) * 4, '0');
  let digits: number[] = [];
  for (let i = 0; i < intPadded.length; i += 4) digits.push(Number(intPadded.slice(i, i + 4)));
  let weight = digits.length - 1;
  for (let i = 0; i < fracPadded.length; i += 4) digits.push(Number(fracPadded.slice(i, i + 4)));
  // leading zero groups lower the weight; trailing ones are dropped
  while (digits.length && digits[0] === 0) {
    digits.shift();
    weight--;
  }
  while (digits.length && digits[digits.length - 1] === 0) digits.pop();
  if (!digits.length) {
    weight = 0;
    digits = [];
  }
  const b = Buffer.alloc(8 + digits.length * 2);
  b.writeInt16BE(digits.length, 0);
  b.writeInt16BE(weight, 2);
  b.writeUInt16BE(negative && digits.length ? 0x4000 : 0, 4);
  b.writeInt16BE(dscale, 6);
  digits.forEach((d, i) => b.writeInt16BE(d, 8 + i * 2));
  return b;
}

function fieldValue(type: BinaryType, v: string): Buffer {
  switch (type) {
    case 'text':
      return Buffer.from(v, 'utf8');
    case 'date':
      return dateValue(v);
    case 'timestamp':
      return timestampValue(v);
    case 'int8':
      return int8Value(v);
    case 'numeric':
      return numericValue(v);
  }
}

/** One row (text values in canonical form; '' is NULL) as a COPY binary tuple. */
export function copyBinaryTuple(types: readonly BinaryType[], values: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  const count = Buffer.alloc(2);
  count.writeInt16BE(types.length, 0);
  parts.push(count);
  types.forEach((type, i) => {
    const v = values[i] ?? '';
    const len = Buffer.alloc(4);
    if (v === '') {
      len.writeInt32BE(-1, 0);
      parts.push(len);
      return;
    }
    const data = fieldValue(type, v);
    len.writeInt32BE(data.length, 0);
    parts.push(len, data);
  });
  return Buffer.concat(parts);
}

/**
 * Splits a COPY binary stream (header to trailer) into streams of at most `rows` tuples each, for a database that
 * takes COPY as one blob at a time (PGlite). Walks the tuples by their length words; copies no field.
 */
export function* splitCopyBinary(stream: Buffer, rows: number): Generator<Buffer> {
  const header = copyBinaryHeader();
  const trailer = copyBinaryTrailer();
  let at = header.length;
  let start = at;
  let n = 0;
  for (;;) {
    const fields = stream.readInt16BE(at);
    if (fields === -1) break;
    at += 2;
    for (let f = 0; f < fields; f++) {
      const len = stream.readInt32BE(at);
      at += 4 + Math.max(len, 0);
    }
    if (++n === rows) {
      yield Buffer.concat([header, stream.subarray(start, at), trailer]);
      start = at;
      n = 0;
    }
  }
  if (n) yield Buffer.concat([header, stream.subarray(start, at), trailer]);
}
