// Format validators written for Chinese public data: resident ID (GB 11643), unified social credit code
// (GB 32100), mobile and landline numbers, e-mail, bank cards (Luhn), licence plates, Chinese dates.
// Shared by masking (detection) and ingest (validation).
import { checkUscc } from '../domains/auth/uscc.ts';

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function realDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && leap ? 29 : DAYS[m - 1]!);
}

/** Digits of s from `from` to `to` as a number, or -1 if any is not a digit. */
function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** 18-digit resident ID with its check digit and a real birth date; 15-digit legacy IDs by date only. */
export function isResidentId(v: string): boolean {
  const s = v.length === 18 || v.length === 15 ? v : v.trim();
  if (s.length === 18) {
    let sum = 0;
    for (let i = 0; i < 17; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return false;
      sum += ID_WEIGHTS[i]! * c;
    }
    const last = s.charCodeAt(17);
    const want = ID_CHECK.charCodeAt(sum % 11);
    if (last !== want && !(want === 88 /* X */ && last === 120 /* x */)) return false;
    const y = digits(s, 6, 10);
    return y >= 1900 && realDate(y, digits(s, 10, 12), digits(s, 12, 14));
  }
  if (s.length === 15) {
    if (digits(s, 0, 15) < 0) return false;
    return realDate(1900 + digits(s, 6, 8), digits(s, 8, 10), digits(s, 10, 12));
  }
  return false;
}

/** The check character for the first 17 digits of a resident ID. */
export function residentIdCheck(first17: string): string {
  const sum = ID_WEIGHTS.reduce((acc, w, i) => acc + w * Number(first17[i]), 0);
  return ID_CHECK[sum % 11]!;
}

export const isUscc = (v: string) => checkUscc(v.trim().toUpperCase()) === null;
const MOBILE = /^1[3-9]\d{9}$/;
export const isMobile = (v: string) => MOBILE.test(v) || /^(\+?86[- ]?)?1[3-9]\d{9}$/.test(v.replace(/[\s-]/g, ''));
export const isLandline = (v: string) => /^(0\d{2,3}[- ]?)?[2-9]\d{6,7}([- ]?\d{1,4})?$/.test(v.trim());
export const isEmail = (v: string) => /^[^\s@]+@[^\s@]+\.[a-zA-Z]{2,}$/.test(v.trim());
export const isPlate = (v: string) => /^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳]$/.test(v.trim());

export function isBankCard(v: string): boolean {
  const s = v.replace(/\s/g, '');
  if (!/^\d{16,19}$/.test(s)) return false;
  let sum = 0;
  for (let i = 0; i < s.length; i++) {
    let d = Number(s[s.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Common Chinese date forms to ISO: 2024-01-05, 2024/1/5, 2024.1.5, 2024年1月5日, 20240105. Null if none or not a real date. */
export function parseChineseDate(v: string): string | null {
  // the canonical form first, without a regular expression
  if (v.length === 10 && v.charCodeAt(4) === 45 && v.charCodeAt(7) === 45) {
    const y = digits(v, 0, 4);
    const m = digits(v, 5, 7);
    const d = digits(v, 8, 10);
    if (y >= 0 && m >= 0 && d >= 0) return realDate(y, m, d) ? v : null;
  }
  const s = v.trim();
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!realDate(y, mo, d)) return null;
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
