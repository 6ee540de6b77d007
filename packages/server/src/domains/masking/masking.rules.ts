// Masking strategies, per value. Every function keeps the value valid for its column's data type, and the
// engine fails closed: an unknown rule or kind masks the whole value rather than passing it through.
import { createCipheriv, createHmac, type Cipher } from 'node:crypto';
import { Sm3Hmac } from '../../platform/sm3-hmac.ts';
import { addressPrefix, surnameOf, ADDRESS_LEVELS, type AddressLevel } from './masking.names.ts';

export const RULES = ['none', 'mask', 'hash', 'tokenize', 'generalize', 'truncate', 'suppress'] as const;
export type RuleName = (typeof RULES)[number];

export interface Rule {
  rule: RuleName | string;
  /** mask: characters kept at the start and the end; truncate: characters kept */
  keepFirst?: number;
  keepLast?: number;
  fill?: string;
  /** generalize: year | month (dates), age_band (birth dates), bucket (numbers), or an address level */
  to?: string;
  bucket?: number;
}

/** Strength, to tell a tighter rule from a looser one (profiles may tighten, never loosen). */
export const RULE_STRENGTH: Record<string, number> = {
  none: 0,
  truncate: 1,
  generalize: 1,
  mask: 2,
  tokenize: 3,
  hash: 3,
  suppress: 4,
};

export type DataType = 'string' | 'integer' | 'decimal' | 'date' | 'datetime' | 'boolean' | 'geometry';

export interface Column {
  code: string;
  dataType: DataType | string;
  length?: number | null;
  piiKind?: string | null;
}

/** HMAC-SM3 under one key (the pad blocks compressed once: platform/sm3-hmac.ts, ADR 0007). */
export class HmacSm3 extends Sm3Hmac {}

/** Keys for one scope (a grant, a release): hash pseudonyms and tokens differ across scopes. */
export interface ScopeKeys {
  hash: HmacSm3;
  siv: HmacSm3;
  /** SM4 in ECB, used only to make CTR key-stream blocks; one long-lived cipher, never finalised */
  ecb: Cipher;
}

export function scopeKeys(master: Buffer, scope: string): ScopeKeys {
  const derive = (label: string) =>
    createHmac('sm3', master).update(`gongshu-masking\u0000${label}\u0000${scope}`).digest();
  const ecb = createCipheriv('sm4-ecb', derive('sm4').subarray(0, 16), null);
  ecb.setAutoPadding(false);
  return { hash: new HmacSm3(derive('hash')), siv: new HmacSm3(derive('sm4-iv')), ecb };
}

/** Default mask shapes by PII kind (keep first, keep last). */
const MASK_DEFAULTS: Record<string, [number, number]> = {
  id_card: [6, 4],
  mobile: [3, 4],
  bank_card: [6, 4],
  phone: [4, 2],
  passport: [1, 3],
  plate: [2, 1],
  uscc: [8, 2],
  birth_date: [4, 0],
};

const SURROGATE = /[\uD800-\uDFFF]/;

/** Characters (code points), without building an array when the text has no surrogate pairs. */
function charCount(s: string): number {
  if (!SURROGATE.test(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function chars(s: string) {
  return [...s];
}

export function maskChars(value: string, keepFirst: number, keepLast: number, fill = '*'): string {
  if (!SURROGATE.test(value)) {
    // one UTF-16 unit per character: slice directly
    const n = value.length;
    if (n <= keepFirst + keepLast) return n > 1 ? value[0] + fill.repeat(n - 1) : fill.repeat(n);
    return value.slice(0, keepFirst) + fill.repeat(n - keepFirst - keepLast) + value.slice(n - keepLast);
  }
  const c = chars(value);
  if (c.length <= keepFirst + keepLast) return c.map((x, i) => (i < Math.min(1, c.length - 1) ? x : fill)).join('');
  return (
    c.slice(0, keepFirst).join('') +
    fill.repeat(c.length - keepFirst - keepLast) +
    c.slice(c.length - keepLast).join('')
  );
}

function maskByKind(value: string, kind: string | null | undefined, r: Rule): string {
  if (r.keepFirst !== undefined || r.keepLast !== undefined)
    return maskChars(value, r.keepFirst ?? 0, r.keepLast ?? 0, r.fill);
  switch (kind) {
    case 'name': {
      const s = surnameOf(value);
      return s ? s + '*'.repeat(Math.max(1, charCount(value) - charCount(s))) : maskChars(value, 0, 0);
    }
    case 'address': {
      const kept = addressPrefix(value, 'street');
      return kept
        ? kept + '*'.repeat(Math.min(8, Math.max(1, charCount(value) - charCount(kept))))
        : maskChars(value, 0, 0);
    }
    case 'email': {
      const at = value.lastIndexOf('@');
      if (at <= 0) return maskChars(value, 0, 0);
      const local = value.slice(0, at);
      return chars(local)[0] + '***' + value.slice(at);
    }
    default: {
      const d = kind ? MASK_DEFAULTS[kind] : undefined;
      if (d) return maskChars(value, d[0], d[1]);
      return maskChars(value, 0, 0); // no known shape: hide everything
    }
  }
}

export function hashValue(keys: ScopeKeys, value: string, length?: number | null): string {
  const n = Math.max(8, Math.min(length ?? 32, 32));
  return keys.hash
    .digest(value)
    .toString('hex', 0, Math.ceil(n / 2))
    .slice(0, n);
}

/** SM4-CTR key stream from a 16-byte IV, through the scope's ECB cipher. */
function keystream(keys: ScopeKeys, iv: Buffer, n: number): Buffer {
  const blocks = Math.ceil(n / 16);
  const counters = Buffer.alloc(blocks * 16);
  for (let b = 0; b < blocks; b++) {
    iv.copy(counters, b * 16);
    counters.writeUInt32BE((iv.readUInt32BE(12) + b) >>> 0, b * 16 + 12);
  }
  return keys.ecb.update(counters);
}

/**
 * SM4 deterministic encryption (SIV-style: the IV is HMAC-SM3 of the value, then SM4-CTR): the same value
 * gives the same token within a scope, and only the scope's keys reverse it.
 */
export function tokenize(keys: ScopeKeys, value: string): string {
  // one buffer: the 16-byte IV, then the value encrypted in place
  const n = Buffer.byteLength(value);
  const tok = Buffer.allocUnsafe(16 + n);
  tok.write(value, 16);
  const plain = tok.subarray(16);
  const mac = keys.siv.digest(plain);
  mac.copy(tok, 0, 0, 16);
  const ks = keystream(keys, tok.subarray(0, 16), n);
  for (let i = 0; i < n; i++) plain[i]! ^= ks[i]!;
  return 'tk1.' + tok.toString('base64url');
}

export function detokenize(keys: ScopeKeys, token: string): string {
  if (!token.startsWith('tk1.')) throw new Error('not a token');
  const raw = Buffer.from(token.slice(4), 'base64url');
  if (raw.length < 17) throw new Error('token too short');
  const iv = raw.subarray(0, 16);
  const body = Buffer.from(raw.subarray(16));
  const ks = keystream(keys, iv, body.length);
  for (let i = 0; i < body.length; i++) body[i]! ^= ks[i]!;
  // the IV is the value's MAC: a token of another scope, or a forged one, does not verify
  if (!keys.siv.digest(body).subarray(0, 16).equals(iv)) throw new Error('token does not belong to this scope');
  return body.toString('utf8');
}

function generalize(value: unknown, col: Column, r: Rule, today: Date): unknown {
  const to =
    r.to ??
    (col.piiKind === 'birth_date'
      ? 'age_band'
      : col.piiKind === 'address'
        ? 'district'
        : col.dataType === 'date' || col.dataType === 'datetime'
          ? 'year'
          : 'bucket');
  const s = String(value);
  if (to === 'year' || to === 'month') {
    const m = /^(\d{4})-(\d{2})/.exec(s);
    if (!m) return null;
    const date = to === 'year' ? `${m[1]}-01-01` : `${m[1]}-${m[2]}-01`;
    return col.dataType === 'datetime'
      ? `${date}T00:00:00`
      : col.dataType === 'date'
        ? date
        : to === 'year'
          ? m[1]
          : `${m[1]}-${m[2]}`;
  }
  if (to === 'age_band') {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
    if (!m) return null;
    let age = today.getUTCFullYear() - Number(m[1]);
    if (
      today.getUTCMonth() + 1 < Number(m[2]) ||
      (today.getUTCMonth() + 1 === Number(m[2]) && today.getUTCDate() < Number(m[3]))
    )
      age--;
    const lo = Math.floor(age / 10) * 10;
    // an age band is text; a date column cannot hold it, so it keeps the decade's first year instead
    if (col.dataType === 'date' || col.dataType === 'datetime') return `${today.getUTCFullYear() - lo - 9}-01-01`;
    return `${lo}-${lo + 9}`;
  }
  if (to === 'bucket') {
    const n = Number(value);
    if (!Number.isFinite(n)) return null;
    const b = r.bucket ?? 1000;
    const lo = Math.floor(n / b) * b;
    return col.dataType === 'integer' || col.dataType === 'decimal' ? lo : `${lo}-${lo + b - 1}`;
  }
  if ((ADDRESS_LEVELS as readonly string[]).includes(to)) {
    const kept = addressPrefix(s, to as AddressLevel);
    return kept || null;
  }
  return null;
}

/**
 * Masks one value. Null and empty values stay as they are. Non-string columns accept only rules that keep
 * their type (none, generalize, suppress); anything else suppresses them.
 */
export function maskValue(
  value: unknown,
  col: Column,
  r: Rule | undefined,
  keys: ScopeKeys,
  today = new Date(),
): unknown {
  if (value === null || value === undefined || value === '') return value;
  const rule = r ?? { rule: '__missing__' };
  const textual = col.dataType === 'string' || col.dataType === undefined;
  switch (rule.rule) {
    case 'none':
      return value;
    case 'suppress':
      return null;
    case 'generalize':
      return generalize(value, col, rule, today);
    case 'mask':
      if (!textual) return null;
      return fit(maskByKind(String(value), col.piiKind, rule), col.length);
    case 'truncate':
      if (!textual) return null;
      return chars(String(value))
        .slice(0, rule.keepFirst ?? 1)
        .join('');
    case 'hash':
      if (!textual) return null;
      return hashValue(keys, String(value), col.length);
    case 'tokenize':
      if (!textual) return null;
      return tokenize(keys, String(value));
    default:
      // fail closed: an unknown rule hides the whole value
      return textual ? '*'.repeat(Math.min(chars(String(value)).length, col.length ?? 64)) : null;
  }
}

function fit(s: string, length?: number | null): string {
  return length && chars(s).length > length ? chars(s).slice(0, length).join('') : s;
}
