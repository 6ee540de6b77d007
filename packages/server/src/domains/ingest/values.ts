// Every incoming value checked against its information item and turned into PostgreSQL's COPY text form.
// A checker returns the COPY text of the value (`\N` for null) or a problem naming what is wrong.
import { isBankCard, isEmail, isLandline, isMobile, isPlate, isResidentId, isUscc, parseChineseDate } from '../../platform/formats.ts';

export interface ItemSpec {
  code: string;
  name: string;
  dataType: string;
  length: number | null;
  precision: number | null;
  required: boolean;
  primaryKey: boolean;
  piiKind: string | null;
  valueSet: string[];
}

export interface Problem {
  zh: string;
  en: string;
}

export type Checker = (raw: unknown) => string | Problem;

export const NULL_TEXT = '\\N';
const p = (zh: string, en: string): Problem => ({ zh, en });

/** COPY text format: backslash, newline, carriage return and tab are escaped. */
export function copyEscape(s: string): string {
  return /[\\\n\r\t]/.test(s) ? s.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t')) : s;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

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
  // the canonical form first: 2024-01-05 08:30:00
  if (v.length === 19 && v.charCodeAt(10) === 32 && v.charCodeAt(13) === 58 && v.charCodeAt(16) === 58 && parseChineseDate(v.slice(0, 10)) !== null) {
    const h = Number(v.slice(11, 13));
    const mi = Number(v.slice(14, 16));
    const sec = Number(v.slice(17, 19));
    if (/^\d\d:\d\d:\d\d$/.test(v.slice(11)) && h <= 23 && mi <= 59 && sec <= 59) return v;
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
  id_card: [isResidentId, p('不是有效的公民身份号码（GB 11643 校验位或出生日期不符）', 'is not a valid resident ID number (GB 11643 check digit or birth date)')],
  uscc: [isUscc, p('不是有效的统一社会信用代码（GB 32100 校验位不符）', 'is not a valid unified social credit code (GB 32100 check character)')],
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

const SUSPECT = /[\0\uD800-\uDFFF]/;
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
  const valueSet = it.valueSet.length ? new Set(it.valueSet.map((v) => (it.dataType === 'integer' ? String(BigInt(v.trim())) : v.trim()))) : null;
  const notInSet = p(`不在值域内（可选值：${it.valueSet.slice(0, 10).join('、')}${it.valueSet.length > 10 ? '…' : ''}）`, `is not one of the allowed values (${it.valueSet.slice(0, 10).join(', ')}${it.valueSet.length > 10 ? '…' : ''})`);
  const typed = typedChecker(it);
  return (raw) => {
    if (raw === null || raw === undefined) return required ? missing : NULL_TEXT;
    let t = raw instanceof Date && (it.dataType === 'date' || it.dataType === 'datetime') ? raw : asText(raw);
    if (typeof t === 'string') {
      t = t.trim();
      if (t === '') return required ? missing : NULL_TEXT;
      // one scan for the rare cases: NUL, and UTF-16 surrogates (then checked for pairing)
      if (SUSPECT.test(t)) {
        if (t.includes('\0')) return p('含有空字符（\\u0000）', 'contains a NUL character (\\u0000)');
        if (LONE_SURROGATE.test(t)) return p('含有无效的 Unicode 字符', 'contains invalid Unicode (a lone surrogate)');
      }
    } else if (!(t instanceof Date)) return t;
    const out = typed(t);
    if (valueSet && typeof out === 'string' && !valueSet.has(out)) return notInSet;
    return typeof out === 'string' ? copyEscape(out) : out;
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
        const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s);
        if (!m || (m[2] === '' && !m[3])) return bad;
        const int = m[2]!.replace(/^0+/, '') || '0';
        const frac = (m[3] ?? '').replace(/0+$/, '');
        if (it.length) {
          if (int.length > intMax! && int !== '0') return tooBig;
          if (frac.length > scale) return tooPrecise;
        }
        // one text per number (1.50, +1.5 and 01.5 are the same value)
        const sign = m[1] === '-' && (int !== '0' || frac) ? '-' : '';
        return frac ? `${sign}${int}.${frac}` : `${sign}${int}`;
      };
    }
    case 'date': {
      const bad = p('不是有效日期（可写作 2024-01-05、2024/1/5、2024年1月5日 或 20240105）', 'is not a valid date (2024-01-05, 2024/1/5, 2024年1月5日 or 20240105)');
      return (v) => {
        if (v instanceof Date) return Number.isNaN(v.getTime()) ? bad : beijing(v).date;
        return parseChineseDate(v) ?? bad;
      };
    }
    case 'datetime': {
      const bad = p('不是有效的日期时间（如 2024-01-05 08:30:00）', 'is not a valid date-time (e.g. 2024-01-05 08:30:00)');
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
      const tooLong = it.length ? p(`超过最大长度 ${it.length} 个字符`, `is longer than ${it.length} characters`) : null;
      const fmt = it.piiKind ? FORMAT_CHECKS[it.piiKind] : undefined;
      const upper = it.piiKind ? UPPERCASE_KINDS.has(it.piiKind) : false;
      const birth = it.piiKind === 'birth_date';
      const badBirth = p('不是有效日期', 'is not a valid date');
      return (v) => {
        let s = String(v);
        if (upper) s = s.toUpperCase();
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
