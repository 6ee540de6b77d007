// The fingerprint an exported file carries (ADR 0011). It lives in how values are written, never in what they
// say, so no value changes its meaning and none fails a check it passed:
//   - a masked value's fill characters: each `*` is written as `*` or as the full-width `＊` (GBK A3AA);
//   - a decimal: in its shortest form (`1200.5`), or with one trailing zero more (`1200.50`, `1200.0`);
//   - a pseudonym (`ps_` and 16 hex digits): each of its letters a-f in lower or upper case (pseudonyms in a file
//     compare without regard to case).
// Which form a value takes is a bit of HMAC-SM3 under the export's own key, of the value's canonical form (the
// `*` form, the shortest decimal). Each value carries its bits by itself: rows may be reordered, subset or
// re-encoded to GBK and columns dropped, and any surviving value still reads. Unmasked text, integers, dates,
// codes and pseudonyms are written exactly as served: an ID number keeps its check digit.
//
// A large export marks only some of its values: one in `every` (1, 2, 4, 8 or 16, from the export's size; stored
// with the export), picked by a public hash of the value's canonical form (selector), so that a 1M-row export does
// not cost a keyed hash per value (ADR 0011). The others are written in their plain form (`*`, the shortest
// decimal, lower case). Any 10% of a large export still holds thousands of marked values; a small one marks all.
//
// Tracing compares a file's carriers with what each candidate export would have written. A wrong export agrees
// on each distinct carrier bit with probability ½ (HMAC as a PRF), so with n bits compared and m agreeing its
// chance of agreeing as well is P[Bin(n, ½) ≥ m]. An export is named only when that chance, times the number of
// candidates and carrier families tried, is at most FALSE_ATTRIBUTION_BOUND.
import type { ScopeKeys } from '../../masking/index.ts';

export type Carrier = 'fill' | 'decimal' | 'hex';
export const CARRIERS: Carrier[] = ['fill', 'decimal', 'hex'];

export const FULL_STAR = '\uFF0A';
/** The bound on the probability of naming a wrong export, whatever the file. */
export const FALSE_ATTRIBUTION_BOUND = 1e-9;
/** At most this many distinct carriers of a family are compared per candidate (a file may hold millions). */
const MAX_CARRIERS = 512;
/** At most this many distinct carriers of a family are kept from a file (enough for MAX_CARRIERS at EVERY_MAX). */
const MAX_KEPT = 8192;
/** The sparsest marking an export uses (a power of two), and the fewest rows an export has per marked value. */
export const EVERY_MAX = 16;
const ROWS_PER_EVERY = 20_000;

/** One value in how many an export of `rows` rows marks: a power of two, 1 up to 40,000 rows, EVERY_MAX from 320,000. */
export function markEvery(rows: number): number {
  let every = 1;
  while (every < EVERY_MAX && rows >= ROWS_PER_EVERY * every * 2) every *= 2;
  return every;
}

/**
 * The public hash that picks the marked values: FNV-1a over the family's letter, a zero byte and the canonical
 * form's UTF-8 (bytes, so that the CSV converter reads it off COPY text without decoding).
 */
export function selector(kind: Carrier, canonical: string): number {
  let h = Math.imul(Math.imul(0x811c9dc5 ^ kind.charCodeAt(0), 0x01000193), 0x01000193);
  // the UTF-8 bytes of each code point, as they come (no buffer per value)
  for (let i = 0; i < canonical.length; i++) {
    let cp = canonical.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < canonical.length) {
      const lo = canonical.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    if (cp < 0x80) h = Math.imul(h ^ cp, 0x01000193);
    else if (cp < 0x800) {
      h = Math.imul(h ^ (0xc0 | (cp >> 6)), 0x01000193);
      h = Math.imul(h ^ (0x80 | (cp & 0x3f)), 0x01000193);
    } else if (cp < 0x10000) {
      // a lone surrogate is written as U+FFFD, as Buffer.from writes it
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
      h = Math.imul(h ^ (0xe0 | (cp >> 12)), 0x01000193);
      h = Math.imul(h ^ (0x80 | ((cp >> 6) & 0x3f)), 0x01000193);
      h = Math.imul(h ^ (0x80 | (cp & 0x3f)), 0x01000193);
    } else {
      h = Math.imul(h ^ (0xf0 | (cp >> 18)), 0x01000193);
      h = Math.imul(h ^ (0x80 | ((cp >> 12) & 0x3f)), 0x01000193);
      h = Math.imul(h ^ (0x80 | ((cp >> 6) & 0x3f)), 0x01000193);
      h = Math.imul(h ^ (0x80 | (cp & 0x3f)), 0x01000193);
    }
  }
  return h >>> 0;
}

export function selectorOfBytes(kind: Carrier, b: Uint8Array, start: number, end: number): number {
  let h = Math.imul(Math.imul(0x811c9dc5 ^ kind.charCodeAt(0), 0x01000193), 0x01000193);
  for (let i = start; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}

/** Whether a value is marked in an export that marks one value in `every`. */
export const marked = (kind: Carrier, canonical: string, every: number) =>
  every <= 1 || (selector(kind, canonical) & (every - 1)) === 0;
/** A candidate that agrees on fewer than this share of its first bits is dropped before the rest are computed. */
const EARLY_SHARE = 0.7;
const EARLY_BITS = 32;

type Prf = ScopeKeys['hash'];

/**
 * Digests already computed, per key: masked values repeat (a surname and its fill, a street and its fill), so an
 * export computes each distinct value's bits once. Bounded: past the bound, the oldest half is forgotten.
 */
const memo = new WeakMap<Prf, Map<string, Buffer>>();
const MEMO_MAX = 20_000;

function bitsOf(prf: Prf, kind: Carrier, canonical: string, remember = false): Buffer {
  const input = kind[0] + '\u0000' + canonical;
  // tracing compares each value once per export: nothing to remember there
  if (!remember) return prf.digest(input);
  let m = memo.get(prf);
  if (!m) memo.set(prf, (m = new Map()));
  let d = m.get(input);
  if (!d) {
    d = prf.digest(input);
    if (m.size >= MEMO_MAX) {
      let drop = MEMO_MAX / 2;
      for (const k of m.keys()) {
        m.delete(k);
        if (--drop <= 0) break;
      }
    }
    m.set(input, d);
  }
  return d;
}
const bit = (d: Buffer, i: number) => (d[(i >> 3) % d.length]! >> (i & 7)) & 1;

/** Writes a masked value's `*` fill as `*` or `＊`, bit by bit (at most 256 carry; the rest stay `*`). */
export function embedFill(prf: Prf, masked: string, every = 1): string {
  if (!masked.includes('*') || !marked('fill', masked, every)) return masked;
  const d = bitsOf(prf, 'fill', masked, true);
  let out = '';
  let k = 0;
  for (const ch of masked) {
    if (ch === '*') out += k < 256 && bit(d, k++) ? FULL_STAR : '*';
    else out += ch;
  }
  return out;
}

const DECIMAL = /^-?\d+(?:\.\d+)?$/;

/** A decimal's shortest form: no trailing zeros after the point, no bare point. */
export function shortestDecimal(text: string): string {
  if (!text.includes('.')) return text;
  const t = text.replace(/0+$/, '');
  return t.endsWith('.') ? t.slice(0, -1) : t;
}

/** Writes a decimal in its shortest form or with one zero more, by its bit. */
export function embedDecimal(prf: Prf, text: string, every = 1): string {
  if (!DECIMAL.test(text)) return text;
  const s = shortestDecimal(text);
  if (!marked('decimal', s, every)) return s;
  return bit(bitsOf(prf, 'decimal', s, true), 0) ? s + (s.includes('.') ? '0' : '.0') : s;
}

const PSEUDONYM = /^ps_[0-9a-f]{16}$/;
const PSEUDONYM_ANY_CASE = /^ps_[0-9a-fA-F]{16}$/;

/** Writes a pseudonym's hex letters in lower or upper case, bit by bit. */
export function embedHex(prf: Prf, pseudonym: string, every = 1): string {
  if (!PSEUDONYM.test(pseudonym) || !marked('hex', pseudonym, every)) return pseudonym;
  const d = bitsOf(prf, 'hex', pseudonym, true);
  let out = 'ps_';
  let k = 0;
  for (let i = 3; i < pseudonym.length; i++) {
    const ch = pseudonym[i]!;
    out += ch >= 'a' && bit(d, k++) ? ch.toUpperCase() : ch;
  }
  return out;
}

/** A carrier as read from a file: its canonical form and the bits it shows. */
export interface ReadCarrier {
  canonical: string;
  bits: number[];
}

/** What a cell of a fill column shows: null when it has no fill. */
export function readFill(cell: string): ReadCarrier | null {
  if (!cell.includes('*') && !cell.includes(FULL_STAR)) return null;
  let canonical = '';
  const bits: number[] = [];
  for (const ch of cell) {
    if (ch === '*' || ch === FULL_STAR) {
      canonical += '*';
      if (bits.length < 256) bits.push(ch === FULL_STAR ? 1 : 0);
    } else canonical += ch;
  }
  return { canonical, bits };
}

/** What a cell of a decimal column shows: null when it is not a decimal in one of the two forms written. */
export function readDecimal(cell: string): ReadCarrier | null {
  const t = cell.trim();
  if (!DECIMAL.test(t)) return null;
  const s = shortestDecimal(t);
  if (t === s) return { canonical: s, bits: [0] };
  if (t === s + (s.includes('.') ? '0' : '.0')) return { canonical: s, bits: [1] };
  return null; // two zeros more, or a fixed scale: not a form an export writes
}

/** What a cell of a pseudonym column shows: null when it is not a pseudonym or has no letters. */
export function readHex(cell: string): ReadCarrier | null {
  const t = cell.trim();
  if (!PSEUDONYM_ANY_CASE.test(t)) return null;
  const bits: number[] = [];
  for (let i = 3; i < t.length; i++) {
    const ch = t[i]!;
    if (/[a-f]/i.test(ch)) bits.push(ch >= 'a' ? 0 : 1);
  }
  return bits.length ? { canonical: t.toLowerCase(), bits } : null;
}

const READERS: Record<Carrier, (cell: string) => ReadCarrier | null> = {
  fill: readFill,
  decimal: readDecimal,
  hex: readHex,
};

/**
 * A file's carriers by family, distinct by canonical form (the first seen counts), at most MAX_KEPT each; those that
 * every marking would mark (selector divisible by EVERY_MAX) are kept first, so a sparse export's carriers are there.
 */
export class CarrierSet {
  readonly families: Record<Carrier, Map<string, number[]>> = { fill: new Map(), decimal: new Map(), hex: new Map() };
  /** the kept carriers of each family that the sparsest marking leaves plain (they give way to those it marks) */
  private readonly loose: Record<Carrier, string[]> = { fill: [], decimal: [], hex: [] };
  /** each kept carrier's selector (worked out once, read for every candidate) */
  private readonly selectors = new Map<string, number>();

  /** Whether an export marking one value in `every` marked this carrier. */
  markedIn(kind: Carrier, canonical: string, every: number): boolean {
    if (every <= 1) return true;
    const sel = this.selectors.get(kind[0] + canonical) ?? selector(kind, canonical);
    return (sel & (every - 1)) === 0;
  }
  /** `auto`: a column whose export is not known (no header): a pseudonym or a fill, by the cell's look */
  add(kind: Carrier | 'auto', cell: unknown) {
    if (cell === null || cell === undefined) return;
    let text = typeof cell === 'string' ? cell : String(cell);
    // a value the CSV writer kept from reading as a formula (platform/csv.ts) carries its bits after the quote
    if (/^'[=+\-@\t\r]/.test(text)) text = text.slice(1);
    if (kind === 'auto') kind = PSEUDONYM_ANY_CASE.test(text.trim()) ? 'hex' : 'fill';
    const c = READERS[kind](text);
    const f = this.families[kind];
    if (!c || !c.bits.length || f.has(c.canonical)) return;
    const sel = selector(kind, c.canonical);
    const strong = (sel & (EVERY_MAX - 1)) === 0;
    if (f.size >= MAX_KEPT) {
      // full: a carrier every marking reads takes the place of one that only dense markings read
      const out = strong ? this.loose[kind].pop() : undefined;
      if (out === undefined) return;
      f.delete(out);
      this.selectors.delete(kind[0] + out);
    }
    f.set(c.canonical, c.bits);
    this.selectors.set(kind[0] + c.canonical, sel);
    if (!strong) this.loose[kind].push(c.canonical);
  }
  bitsOf(family: Carrier) {
    let n = 0;
    for (const b of this.families[family].values()) n += b.length;
    return n;
  }
  get bits() {
    return CARRIERS.reduce((n, f) => n + this.bitsOf(f), 0);
  }
}

/** ln P[Bin(n, ½) ≥ m], exactly (log-sum of the binomial terms), for n up to a few hundred thousand. */
export function logTail(n: number, m: number): number {
  if (m <= 0) return 0;
  if (m > n) return -Infinity;
  // ln C(n, k) by lgamma-free recurrence from k = m upwards, summed in log space
  let lc = lnChoose(n, m);
  let acc = lc;
  for (let k = m + 1; k <= n; k++) {
    lc += Math.log((n - k + 1) / k);
    if (lc < acc - 50) break; // the rest no longer counts
    acc = acc > lc ? acc + Math.log1p(Math.exp(lc - acc)) : lc + Math.log1p(Math.exp(acc - lc));
  }
  return acc - n * Math.LN2;
}

function lnChoose(n: number, k: number): number {
  k = Math.min(k, n - k);
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log((n - k + i) / i);
  return s;
}

export interface Evidence {
  family: Carrier;
  bits: number;
  agreeing: number;
  /** ln of the chance that an export that did not write the file agrees as well */
  logChance: number;
}

/** The fewest bits that, all agreeing, could name an export among `tried` (a family with fewer is not read). */
export function bitsNeeded(tried: number): number {
  return Math.ceil((Math.log(Math.max(1, tried)) - Math.log(FALSE_ATTRIBUTION_BOUND)) / Math.LN2);
}

/**
 * How far a candidate export's key explains a file's carriers, per family; the strongest family counts. A family
 * too small to name anything among `tried` is skipped, and a candidate whose first bits agree no better than
 * chance is dropped early: neither can change whether an export is named.
 */
export function evidenceFor(
  prf: Prf,
  carriers: CarrierSet,
  families: Carrier[],
  tried = 1,
  every = 1,
): Evidence | null {
  let best: Evidence | null = null;
  const needed = bitsNeeded(tried);
  for (const family of families) {
    // only the values this export marked say anything about its key
    const compared: [string, number[]][] = [];
    let available = 0;
    for (const entry of carriers.families[family]) {
      if (compared.length >= MAX_CARRIERS) break;
      if (!carriers.markedIn(family, entry[0], every)) continue;
      compared.push(entry);
      available += entry[1].length;
    }
    if (available < needed) continue;
    let n = 0;
    let m = 0;
    for (const [canonical, seen] of compared) {
      const d = bitsOf(prf, family, canonical);
      for (let i = 0; i < seen.length; i++) {
        n++;
        if (bit(d, i) === seen[i]) m++;
      }
      // most candidates are someone else's: drop them once their first bits disagree as chance does
      if (n >= EARLY_BITS && m < n * EARLY_SHARE) break;
    }
    if (!n) continue;
    const e: Evidence = { family, bits: n, agreeing: m, logChance: logTail(n, m) };
    if (!best || e.logChance < best.logChance) best = e;
  }
  return best;
}

/**
 * Whether evidence names its export: its chance, times the candidates and families tried (a union bound), is at
 * most FALSE_ATTRIBUTION_BOUND.
 */
export function names(e: Evidence | null, tried: number): boolean {
  return !!e && e.logChance + Math.log(Math.max(1, tried)) <= Math.log(FALSE_ATTRIBUTION_BOUND);
}

/** The probability in words a person can read: `< 1e-300` when it is smaller than a double holds. */
export function chanceText(logChance: number, tried: number): string {
  const l10 = (logChance + Math.log(Math.max(1, tried))) / Math.LN10;
  if (l10 < -300) return '< 1e-300';
  return `${Math.pow(10, l10 - Math.floor(l10)).toFixed(1)}e${Math.floor(l10)}`;
}
