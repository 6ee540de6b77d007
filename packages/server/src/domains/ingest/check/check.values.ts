// Every incoming value checked against its information item and turned into PostgreSQL's COPY text form.
// A checker returns the COPY text of the value (`\N` for null) or a problem naming what is wrong.
import {
  isBankCard,
  isEmail,
  isLandline,
  isMobile,
  isPlate,
  isResidentId,
  isUscc,
  parseChineseDate,
} from '../../../platform/formats.ts';
import type { PublishedItem } from '../../catalog/index.ts';

/** An information item as its values are checked: the catalog's published item, without what masking reads. */
export type ItemSpec = Omit<
  PublishedItem,
  'sensitivity' | 'maskingRule' | 'shareType' | 'shareCondition' | 'shareBasis'
>;

export interface Problem {
  zh: string;
  en: string;
}

export type Checker = (raw: unknown) => string | Problem;

export const NULL_TEXT = '\\N';
const p = (zh: string, en: string): Problem => ({ zh, en });

/** COPY text format: backslash, newline, carriage return and tab are escaped. */
export function copyEscape(s: string): string {
  return /[\\\n\r\t]/.test(s)
    ? s.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'))
    : s;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Two digits of s at `at` as a number, or -1. */
function digits2(s: string, at: number): number {
  const a = s.charCodeAt(at) - 48;
  const b = s.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** What String.prototype.trim removes (ASCII controls and spaces, and the Unicode spaces), by code unit. */
function isTrimmed(c: number): boolean {
  return (
    c <= 32 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Whether s has an ASCII lower-case letter. */
function hasLower(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) return true;
  }
  return false;
}

/** A JavaScript Date as Beijing wall-clock time (the platform's time zone for local timestamps). */
function beijing(d: Date): { date: string; time: string } {
  const t = new Date(d.getTime() + 8 * 3600_000);
  return {
    date: `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`,
    time: `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`,
  };
}

/** Date-times as written in district files: 2024-01-05 08:30[:00], 2024/1/5 8:30, 2024年1月5日 8时30分, ISO 8601 with an offset. */
export function parseChineseDateTime(v: string): string | null {
  // the canonical form first, read by hand: 2024-01-05 08:30:00
  if (
    v.length === 19 &&
    v.charCodeAt(10) === 32 &&
    v.charCodeAt(13) === 58 &&
    v.charCodeAt(16) === 58 &&
    v.charCodeAt(4) === 45 &&
    v.charCodeAt(7) === 45
  ) {
    const h = digits2(v, 11);
    const mi = digits2(v, 14);
    const sec = digits2(v, 17);
    if (h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && sec >= 0 && sec <= 59 && parseChineseDate(v.slice(0, 10)) !== null)
      return v;
  }
  const s = v.trim();
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(s)) {
    const d = new Date(s);
    if (Number.isNaN(d.getTime())) return null;
    const b = beijing(d);
    return `${b.date} ${b.time}`;
  }
  const m = /^(.+?)(?:[ T]+)(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2}(?:\.\d{1,6})?)秒?|分)?$/.exec(s);
  if (!m) {
    const d = parseChineseDate(s);
    return d ? `${d} 00:00:00` : null;
  }
  const date = parseChineseDate(m[1]!);
  const [h, mi, sec] = [Number(m[2]), Number(m[3]), m[4] ? Number(m[4]) : 0];
  if (!date || h > 23 || mi > 59 || sec >= 60) return null;
  return `${date} ${pad(h)}:${pad(mi)}:${m[4] ? (m[4].includes('.') ? m[4].padStart(2, '0') : pad(sec)) : '00'}`;
}

const TRUE = new Set(['true', 't', '1', 'y', 'yes', '是', '真', '对']);
const FALSE = new Set(['false', 'f', '0', 'n', 'no', '否', '假', '错']);

const FORMAT_CHECKS: Record<string, [(v: string) => boolean, Problem]> = {
  id_card: [
    isResidentId,
    p(
      '不是有效的公民身份号码（GB 11643 校验位或出生日期不符）',
      'is not a valid resident ID number (GB 11643 check digit or birth date)',
    ),
  ],
  uscc: [
    isUscc,
    p(
      '不是有效的统一社会信用代码（GB 32100 校验位不符）',
      'is not a valid unified social credit code (GB 32100 check character)',
    ),
  ],
  mobile: [isMobile, p('不是有效的手机号码', 'is not a valid mobile number')],
  phone: [(v) => isLandline(v) || isMobile(v), p('不是有效的电话号码', 'is not a valid telephone number')],
  email: [isEmail, p('不是有效的电子邮箱地址', 'is not a valid e-mail address')],
  plate: [isPlate, p('不是有效的机动车号牌', 'is not a valid licence plate')],
  bank_card: [isBankCard, p('不是有效的银行卡号（Luhn 校验不符）', 'is not a valid bank card number (Luhn check)')],
};
const UPPERCASE_KINDS = new Set(['id_card', 'uscc', 'plate', 'passport']);

function asText(raw: unknown): string | Problem {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'bigint') return String(raw);
  if (typeof raw === 'boolean') return raw ? 'true' : 'false';
  if (raw instanceof Date) {
    const b = beijing(raw);
    return b.time === '00:00:00' ? b.date : `${b.date} ${b.time}`;
  }
  return p('应为文本、数字或布尔值，不能是对象或数组', 'must be a text, number or boolean, not an object or array');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const codePoints = (s: string) => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** Builds the checker of one item. */
export function compileItem(it: ItemSpec): Checker {
  const required = it.required || it.primaryKey;
  const missing = p('必填，不能为空', 'is required');
  const valueSet = it.valueSet.length
    ? new Set(it.valueSet.map((v) => (it.dataType === 'integer' ? String(BigInt(v.trim())) : v.trim())))
    : null;
  const notInSet = p(
    `不在值域内（可选值：${it.valueSet.slice(0, 10).join('、')}${it.valueSet.length > 10 ? '…' : ''}）`,
    `is not one of the allowed values (${it.valueSet.slice(0, 10).join(', ')}${it.valueSet.length > 10 ? '…' : ''})`,
  );
  const typed = typedChecker(it);
  const dateish = it.dataType === 'date' || it.dataType === 'datetime';
  return (raw) => {
    if (raw === null || raw === undefined) return required ? missing : NULL_TEXT;
    let t: string | Date;
    if (typeof raw === 'string') t = raw;
    else if (raw instanceof Date && dateish) t = raw;
    else {
      const a = asText(raw);
      if (typeof a !== 'string') return a;
      t = a;
    }
    // One pass over the text finds what is rare: a control character or backslash (COPY escapes them;
    // NUL is refused) and UTF-16 surrogates (checked for pairing). Most values have none.
    let plain = true;
    if (typeof t === 'string') {
      let n = t.length;
      if (n && (isTrimmed(t.charCodeAt(0)) || isTrimmed(t.charCodeAt(n - 1)))) {
        t = t.trim();
        n = t.length;
      }
      if (n === 0) return required ? missing : NULL_TEXT;
      for (let i = 0; i < n; i++) {
        const c = t.charCodeAt(i);
        if (c < 32 || c === 92 || (c >= 0xd800 && c <= 0xdfff)) {
          plain = false;
          break;
        }
      }
      if (!plain) {
        if (t.includes('\0')) return p('含有空字符（\\u0000）', 'contains a NUL character (\\u0000)');
        if (LONE_SURROGATE.test(t)) return p('含有无效的 Unicode 字符', 'contains invalid Unicode (a lone surrogate)');
      }
    }
    const out = typed(t);
    if (typeof out !== 'string') return out;
    if (valueSet && !valueSet.has(out)) return notInSet;
    // a checker's canonical text (dates, numbers) never holds what COPY escapes; a plain input neither
    return plain ? out : copyEscape(out);
  };
}

/** The type rule of an item on a non-empty, trimmed value: the canonical text, or a problem. */
function typedChecker(it: ItemSpec): (v: string | Date) => string | Problem {
  switch (it.dataType) {
    case 'integer': {
      const bad = p('应为整数', 'must be a whole number');
      const big = p('超出整数范围', 'is out of the integer range');
      return (v) => {
        const s = String(v);
        // the common case: up to 15 digits without sign or leading zero is its own canonical text
        if (s.length <= 15 && (s.length === 1 || s.charCodeAt(0) !== 48)) {
          let i = 0;
          while (i < s.length) {
            const c = s.charCodeAt(i) - 48;
            if (c < 0 || c > 9) break;
            i++;
          }
          if (i === s.length) return s;
        }
        if (!/^[+-]?\d+$/.test(s)) return bad;
        if (s.replace(/^[+-]?0*/, '').length > 18) {
          const n = BigInt(s);
          if (n > 9223372036854775807n || n < -9223372036854775808n) return big;
          return String(n);
        }
        return String(Number(s));
      };
    }
    case 'decimal': {
      const bad = p('应为数值', 'must be a number');
      const scale = it.precision ?? 0;
      const intMax = it.length ? it.length - scale : null;
      const tooBig = p(`整数部分超过 ${intMax} 位`, `has more than ${intMax} digits before the decimal point`);
      const tooPrecise = p(`小数位超过 ${scale} 位`, `has more than ${scale} decimal places`);
      return (v) => {
        const s = String(v);
        // read by hand: [sign] digits [. digits]
        const n = s.length;
        let i = 0;
        const c0 = s.charCodeAt(0);
        const neg = c0 === 45;
        if (neg || c0 === 43) i = 1;
        const i0 = i;
        while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
        const i1 = i;
        let f0 = i;
        let f1 = i;
        const dot = i < n && s.charCodeAt(i) === 46;
        if (dot) {
          f0 = ++i;
          while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
          f1 = i;
        }
        if (i !== n || (i1 === i0 && f1 === f0)) return bad;
        let a = i0;
        while (a < i1 && s.charCodeAt(a) === 48) a++;
        let b = f1;
        while (b > f0 && s.charCodeAt(b - 1) === 48) b--;
        const intLen = i1 - a;
        const fracLen = b - f0;
        if (it.length) {
          if (intLen > intMax! && intLen > 0) return tooBig;
          if (fracLen > scale) return tooPrecise;
        }
        // one text per number (1.50, +1.5 and 01.5 are the same value)
        const sign = neg && (intLen > 0 || fracLen > 0) ? '-' : '';
        const int = intLen ? s.slice(a, i1) : '0';
        // already canonical: the same text
        if (i0 === 0 && a === 0 && intLen > 0 && (dot ? fracLen > 0 && b === n : true)) return s;
        return fracLen ? `${sign}${int}.${s.slice(f0, b)}` : `${sign}${int}`;
      };
    }
    case 'date': {
      const bad = p(
        '不是有效日期（可写作 2024-01-05、2024/1/5、2024年1月5日 或 20240105）',
        'is not a valid date (2024-01-05, 2024/1/5, 2024年1月5日 or 20240105)',
      );
      return (v) => {
        if (v instanceof Date) return Number.isNaN(v.getTime()) ? bad : beijing(v).date;
        return parseChineseDate(v) ?? bad;
      };
    }
    case 'datetime': {
      const bad = p(
        '不是有效的日期时间（如 2024-01-05 08:30:00）',
        'is not a valid date-time (e.g. 2024-01-05 08:30:00)',
      );
      return (v) => {
        if (v instanceof Date) {
          if (Number.isNaN(v.getTime())) return bad;
          const b = beijing(v);
          return `${b.date} ${b.time}`;
        }
        return parseChineseDateTime(v) ?? bad;
      };
    }
    case 'boolean': {
      const bad = p('应为 是/否、true/false 或 1/0', 'must be 是/否, true/false or 1/0');
      return (v) => {
        const s = String(v).toLowerCase();
        return TRUE.has(s) ? 't' : FALSE.has(s) ? 'f' : bad;
      };
    }
    default: {
      // string, geometry (WKT or GeoJSON text) and any extended type stored as text
      const tooLong = it.length
        ? p(`超过最大长度 ${it.length} 个字符`, `is longer than ${it.length} characters`)
        : null;
      const fmt = it.piiKind ? FORMAT_CHECKS[it.piiKind] : undefined;
      const upper = it.piiKind ? UPPERCASE_KINDS.has(it.piiKind) : false;
      const birth = it.piiKind === 'birth_date';
      const badBirth = p('不是有效日期', 'is not a valid date');
      return (v) => {
        let s = String(v);
        if (upper && hasLower(s)) s = s.toUpperCase();
        if (tooLong && s.length > it.length! && codePoints(s) > it.length!) return tooLong;
        if (fmt && !fmt[0](s)) return fmt[1];
        if (birth) return parseChineseDate(s) ?? badBirth;
        return s;
      };
    }
  }
}

/** The PostgreSQL column type of an item, written the way format_type() prints it. */
export function sqlType(it: Pick<ItemSpec, 'dataType' | 'length' | 'precision'>): string {
  switch (it.dataType) {
    case 'string':
      return it.length ? `character varying(${it.length})` : 'text';
    case 'integer':
      return 'bigint';
    case 'decimal':
      return it.length && it.length <= 1000 ? `numeric(${it.length},${it.precision ?? 0})` : 'numeric';
    case 'date':
      return 'date';
    case 'datetime':
      return 'timestamp without time zone';
    case 'boolean':
      return 'boolean';
    default:
      return 'text';
  }
}
