// Format validators written for Chinese public data: resident ID (GB 11643), unified social credit code
// (GB 32100), mobile and landline numbers, e-mail, bank cards (Luhn), licence plates, Chinese dates.
// Shared by masking (detection) and ingest (validation).
import { checkUscc } from './uscc.ts';

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
export function realDate(y: number, m: number, d: number): boolean {
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

/** Whether the 18 bytes of `b` at `s` are a valid 18-digit resident ID (check character upper-case X). */
export function residentIdBytesValid(b: Uint8Array, s: number): boolean {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const c = b[s + i]! - 48;
    if (c < 0 || c > 9) return false;
    sum += ID_WEIGHTS[i]! * c;
  }
  if (b[s + 17] !== ID_CHECK.charCodeAt(sum % 11)) return false;
  const y = (b[s + 6]! - 48) * 1000 + (b[s + 7]! - 48) * 100 + (b[s + 8]! - 48) * 10 + (b[s + 9]! - 48);
  return (
    y >= 1900 && realDate(y, (b[s + 10]! - 48) * 10 + (b[s + 11]! - 48), (b[s + 12]! - 48) * 10 + (b[s + 13]! - 48))
  );
}

/** The check character for the first 17 digits of a resident ID. */
export function residentIdCheck(first17: string): string {
  const sum = ID_WEIGHTS.reduce((acc, w, i) => acc + w * Number(first17[i]), 0);
  return ID_CHECK[sum % 11]!;
}

export const isUscc = (v: string) => {
  const s = v.length === 18 ? v : v.trim();
  return checkUscc(/[a-z]/.test(s) ? s.toUpperCase() : s) === null;
};
const MOBILE = /^1[3-9]\d{9}$/;
export const isMobile = (v: string) => MOBILE.test(v) || /^(\+?86[- ]?)?1[3-9]\d{9}$/.test(v.replace(/[\s-]/g, ''));
export const isLandline = (v: string) => /^(0\d{2,3}[- ]?)?[2-9]\d{6,7}([- ]?\d{1,4})?$/.test(v.trim());
export const isEmail = (v: string) => /^[^\s@]+@[^\s@]+\.[a-zA-Z]{2,}$/.test(v.trim());
export const isPlate = (v: string) =>
  /^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳]$/.test(
    v.trim(),
  );

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

/** Where a month or day of one or two digits starting at `from` ends, or -1 (none, or three digits). */
function shortNumberEnd(s: string, from: number, n: number): number {
  let i = from;
  while (i < n && i - from < 3 && digits(s, i, i + 1) >= 0) i++;
  return i === from || i - from > 2 ? -1 : i;
}

/** Common Chinese date forms to ISO: 2024-01-05, 2024/1/5, 2024.1.5, 2024年1月5日, 20240105. Null if none or not a real date. */
export function parseChineseDate(v: string): string | null {
  // read by hand, without a regular expression: this runs for every date of every ingested row
  const s = v.length >= 8 && v.length <= 11 && v.charCodeAt(0) > 32 && v.charCodeAt(v.length - 1) > 32 ? v : v.trim();
  const n = s.length;
  const y = digits(s, 0, 4);
  if (y < 0) return null;
  if (n === 8) {
    const m = digits(s, 4, 6);
    const d = digits(s, 6, 8);
    // 20240105; 2024/1/5 and 2024.1.5 are eight characters too, and read below
    if (m >= 0 && d >= 0) return realDate(y, m, d) ? `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}` : null;
  }
  if (n < 8 || n > 11) return null;
  const sep1 = s.charCodeAt(4);
  if (sep1 !== 45 && sep1 !== 47 && sep1 !== 46 && sep1 !== 0x5e74 /* 年 */) return null;
  const mEnd = shortNumberEnd(s, 5, n);
  if (mEnd < 0) return null;
  const m = digits(s, 5, mEnd);
  const sep2 = s.charCodeAt(mEnd);
  if (sep2 !== 45 && sep2 !== 47 && sep2 !== 46 && sep2 !== 0x6708 /* 月 */) return null;
  const dEnd = shortNumberEnd(s, mEnd + 1, n);
  if (dEnd < 0) return null;
  const d = digits(s, mEnd + 1, dEnd);
  let i = dEnd;
  if (i < n && s.charCodeAt(i) === 0x65e5 /* 日 */) i++;
  if (i !== n || !realDate(y, m, d)) return null;
  // already canonical: the same text
  if (n === 10 && sep1 === 45 && sep2 === 45 && mEnd === 7 && dEnd === 10) return s;
  return `${s.slice(0, 4)}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}
