// Masking strategies, per value. A masked value never passes for a real one: it is text that shows what was done
// (`139****5678`, `ps_3fa9…`, `1985年`, `60-69岁`, `3000-3999`, `银川市金凤区（以下略）`, `张…`), never a valid
// resident ID, a parseable date or a plain number that could be read as the person's own. Suppressed values are
// null. The engine fails closed: an unknown rule or kind masks the whole value rather than passing it through.
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

const deriveKey = (master: Buffer, label: string, scope: string) =>
  createHmac('sm3', master).update(`gongshu-masking\u0000${label}\u0000${scope}`).digest();

/** A scope's key bytes, as scopeKeys derives them: what a worker thread that masks for the scope is given. */
export interface ScopeKeyBytes {
  hash: Buffer;
  siv: Buffer;
  sm4: Buffer;
}

export function scopeKeyBytes(master: Buffer, scope: string): ScopeKeyBytes {
  return {
    hash: deriveKey(master, 'hash', scope),
    siv: deriveKey(master, 'sm4-iv', scope),
    sm4: deriveKey(master, 'sm4', scope).subarray(0, 16),
  };
}

export function keysFromBytes(b: ScopeKeyBytes): ScopeKeys {
  const ecb = createCipheriv('sm4-ecb', b.sm4, null);
  ecb.setAutoPadding(false);
  return { hash: new HmacSm3(b.hash), siv: new HmacSm3(b.siv), ecb };
}

export function scopeKeys(master: Buffer, scope: string): ScopeKeys {
  return keysFromBytes(scopeKeyBytes(master, scope));
}

/** Only the scope's pseudonym key (the same as scopeKeys(…).hash), for callers that need nothing else. */
export function scopeHash(master: Buffer, scope: string): HmacSm3 {
  return new HmacSm3(deriveKey(master, 'hash', scope));
}

/** Default mask shapes by PII kind (keep first, keep last). */
/** What a value the SQL form of a mask (maskSql, masking.repository.ts) hands back to maskValue starts with. */
export const SQL_FALLBACK = '\u0001';

export const MASK_DEFAULTS: Record<string, [number, number]> = {
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

/** A pseudonym: `ps_` and 16 hex digits (64 bits) of HMAC-SM3 — stable within a scope, never a valid original. */
export const PSEUDONYM_PREFIX = 'ps_';
export function hashValue(keys: ScopeKeys, value: string): string {
  return PSEUDONYM_PREFIX + keys.hash.digest(value).toString('hex', 0, 8);
}

/** What generalising and truncating append: the value says it is not the whole. */
export const OMITTED = '（以下略）';
export const TRUNCATED = '…';

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

/** A date or date-time as `YYYY-MM-DD…` text (a driver may hand a timestamp over as a Date). */
const dateText = (value: unknown) => (value instanceof Date ? value.toISOString() : String(value));

/**
 * Generalises to a range or a period written as one: `2024年`, `2024年7月`, `30-39岁`, `120000-129999` or
 * `[3000, 4000)` for decimals, `宁夏回族自治区银川市金凤区（以下略）`. Whatever the column's type, the result is text
 * that cannot be read as an exact value.
 */
/** What a generalize rule generalises to: its `to`, or by the column (birth dates to age bands, …). */
function generalizeTo(col: Column, r: Rule): string {
  return (
    r.to ??
    (col.piiKind === 'birth_date'
      ? 'age_band'
      : col.piiKind === 'address'
        ? 'district'
        : col.dataType === 'date' || col.dataType === 'datetime'
          ? 'year'
          : 'bucket')
  );
}

function generalize(value: unknown, col: Column, r: Rule, today: Date): string | null {
  const to = generalizeTo(col, r);
  const s = dateText(value);
  if (to === 'year' || to === 'month') {
    const m = /^(\d{4})-(\d{2})/.exec(s);
    if (!m) return null;
    return to === 'year' ? `${m[1]}年` : `${m[1]}年${Number(m[2])}月`;
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
    const lo = Math.floor(Math.max(age, 0) / 10) * 10;
    return `${lo}-${lo + 9}岁`;
  }
  if (to === 'bucket') {
    const n = Number(value);
    if (!Number.isFinite(n)) return null;
    const b = r.bucket ?? 1000;
    const lo = Math.floor(n / b) * b;
    // whole numbers in whole buckets read as an inclusive range; anything else as a half-open interval
    return Number.isInteger(n) && Number.isInteger(b) ? `${lo}-${lo + b - 1}` : `[${lo}, ${lo + b})`;
  }
  if ((ADDRESS_LEVELS as readonly string[]).includes(to)) {
    const kept = addressPrefix(s, to as AddressLevel);
    return kept ? kept + OMITTED : null;
  }
  return null;
}

/**
 * Masks one value. Null and empty values stay as they are. Non-string columns take none, generalize (as text) and
 * suppress; a rule that works on characters (mask, truncate, hash, tokenize) suppresses them.
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
      return (
        chars(String(value))
          .slice(0, rule.keepFirst ?? 1)
          .join('') + TRUNCATED
      );
    case 'hash':
      if (!textual) return null;
      return hashValue(keys, String(value));
    case 'tokenize':
      if (!textual) return null;
      return tokenize(keys, String(value));
    default:
      // fail closed: an unknown rule hides the whole value
      return textual ? '*'.repeat(Math.min(chars(String(value)).length, col.length ?? 64)) : null;
  }
}

function fit(s: string, length?: number | null): string {
  // no longer in UTF-16 units than the length: no longer in characters either
  if (!length || s.length <= length) return s;
  return chars(s).length > length ? chars(s).slice(0, length).join('') : s;
}

const ADDRESS_WORDS: Record<AddressLevel, [string, string]> = {
  province: ['省', 'province'],
  city: ['市', 'city'],
  district: ['区县', 'district'],
  street: ['街道乡镇', 'street or township'],
};

/**
 * A rule in words, with its parameters, as it applies to a column (the defaults of its PII kind included): what the
 * console shows for each item of a masking profile. Written beside maskValue so the words say what the code does.
 */
export function describeRule(r: Rule | undefined, col: Column): { zh: string; en: string } {
  const textual = col.dataType === 'string' || col.dataType === undefined;
  const typed = {
    zh: '屏蔽（该数据类型不能按字符脱敏）',
    en: 'suppressed (this data type cannot be masked by character)',
  };
  switch (r?.rule) {
    case 'none':
      return { zh: '不脱敏', en: 'not masked' };
    case 'suppress':
      return { zh: '屏蔽（不提供该项）', en: 'suppressed (not given)' };
    case 'hash':
      return textual
        ? {
            zh: '哈希假名（ps_ 开头，同一授权内一致，不可还原）',
            en: 'pseudonym (ps_…, stable within a grant, irreversible)',
          }
        : typed;
    case 'tokenize':
      return textual
        ? {
            zh: '可逆令牌（tk1. 开头，仅运营中心管理员可还原）',
            en: 'reversible token (tk1.…, only a Center admin reverses it)',
          }
        : typed;
    case 'truncate':
      return textual
        ? {
            zh: `截断：保留前 ${r.keepFirst ?? 1} 个字，后加“…”`,
            en: `truncated: the first ${r.keepFirst ?? 1} characters, then “…”`,
          }
        : typed;
    case 'mask': {
      if (!textual) return typed;
      const fill = r.fill ?? '*';
      if (r.keepFirst !== undefined || r.keepLast !== undefined)
        return {
          zh: `遮盖：保留前 ${r.keepFirst ?? 0} 位、后 ${r.keepLast ?? 0} 位，其余用“${fill}”`,
          en: `masked: keeps the first ${r.keepFirst ?? 0} and last ${r.keepLast ?? 0}, the rest as “${fill}”`,
        };
      if (col.piiKind === 'name') return { zh: '遮盖：保留姓氏', en: 'masked: keeps the surname' };
      if (col.piiKind === 'address')
        return { zh: '遮盖：保留到街道', en: 'masked: keeps the address down to the street' };
      if (col.piiKind === 'email')
        return { zh: '遮盖：保留首字符和邮箱域名', en: 'masked: keeps the first character and the domain' };
      const d = col.piiKind ? MASK_DEFAULTS[col.piiKind] : undefined;
      return d
        ? { zh: `遮盖：保留前 ${d[0]} 位、后 ${d[1]} 位`, en: `masked: keeps the first ${d[0]} and last ${d[1]}` }
        : { zh: '遮盖：全部遮盖', en: 'masked: every character' };
    }
    case 'generalize': {
      const to = generalizeTo(col, r);
      if (to === 'year') return { zh: '泛化到年份（如“1985年”）', en: 'generalised to the year (e.g. “1985年”)' };
      if (to === 'month')
        return { zh: '泛化到月份（如“1985年7月”）', en: 'generalised to the month (e.g. “1985年7月”)' };
      if (to === 'age_band')
        return { zh: '泛化为年龄段（如“30-39岁”）', en: 'generalised to an age band (e.g. “30-39岁”)' };
      if (to === 'bucket') {
        const b = r.bucket ?? 1000;
        return {
          zh: `泛化为区间（每 ${b} 一档，如“0-${b - 1}”）`,
          en: `generalised to a range (steps of ${b}, e.g. “0-${b - 1}”)`,
        };
      }
      const level = ADDRESS_WORDS[to as AddressLevel];
      if (level)
        return {
          zh: `泛化到${level[0]}（其余写作“${OMITTED}”）`,
          en: `generalised to the ${level[1]} (the rest as “${OMITTED}”)`,
        };
      return { zh: '屏蔽（未知的泛化方式）', en: 'suppressed (unknown generalisation)' };
    }
    default:
      return textual
        ? { zh: '全部遮盖（规则缺失或未知）', en: 'fully masked (missing or unknown rule)' }
        : { zh: '屏蔽（规则缺失或未知）', en: 'suppressed (missing or unknown rule)' };
  }
}
