// Format validators written for Chinese public data: resident ID (GB 11643), unified social credit code
// (GB 32100), mobile and landline numbers, e-mail, bank cards (Luhn), licence plates, Chinese dates.
// Shared by masking (detection) and ingest (validation).
import { checkUscc } from '../domains/auth/uscc.ts';

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

function realDate(y: number, m: number, d: number): boolean {
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

/** 18-digit resident ID with its check digit and a real birth date; 15-digit legacy IDs by date only. */
export function isResidentId(v: string): boolean {
  const s = v.trim().toUpperCase();
  if (/^\d{17}[\dX]$/.test(s)) {
    const y = Number(s.slice(6, 10));
    if (y < 1900 || !realDate(y, Number(s.slice(10, 12)), Number(s.slice(12, 14)))) return false;
    const sum = ID_WEIGHTS.reduce((acc, w, i) => acc + w * Number(s[i]), 0);
    return ID_CHECK[sum % 11] === s[17];
  }
  if (/^\d{15}$/.test(s)) return realDate(1900 + Number(s.slice(6, 8)), Number(s.slice(8, 10)), Number(s.slice(10, 12)));
  return false;
}

/** The check character for the first 17 digits of a resident ID. */
export function residentIdCheck(first17: string): string {
  const sum = ID_WEIGHTS.reduce((acc, w, i) => acc + w * Number(first17[i]), 0);
  return ID_CHECK[sum % 11]!;
}

export const isUscc = (v: string) => checkUscc(v.trim().toUpperCase()) === null;
export const isMobile = (v: string) => /^(\+?86[- ]?)?1[3-9]\d{9}$/.test(v.replace(/[\s-]/g, ''));
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
  const s = v.trim();
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!realDate(y, mo, d)) return null;
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
