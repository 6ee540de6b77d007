// Unified social credit code 统一社会信用代码 (GB 32100-2015): 18 characters, the last a check character.
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** The check character for the first 17 characters, or null if they use characters outside the code set. */
export function usccCheckChar(first17: string): string | null {
  if (first17.length !== 17) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CHARSET.indexOf(first17[i]!);
    if (v < 0) return null;
    sum += v * WEIGHTS[i]!;
  }
  const c = (31 - (sum % 31)) % 31;
  return CHARSET[c]!;
}

export type UsccProblem = 'length' | 'charset' | 'check';

/** Each code character's value (index in CHARSET), -1 for characters outside the code set. */
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < CHARSET.length; i++) VALUE[CHARSET.charCodeAt(i)] = i;

export function checkUscc(code: string): UsccProblem | null {
  if (code.length !== 18) return 'length';
  let sum = 0;
  for (let i = 0; i < 18; i++) {
    const c = code.charCodeAt(i);
    const v = c < 128 ? VALUE[c]! : -1;
    if (v < 0) return 'charset';
    if (i < 17) sum += v * WEIGHTS[i]!;
  }
  return CHARSET.charCodeAt((31 - (sum % 31)) % 31) === code.charCodeAt(17) ? null : 'check';
}

/** Whether the 18 bytes of `b` at `s` are a valid code (upper case, check character right). */
export function usccBytesValid(b: Uint8Array, s: number): boolean {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const c = b[s + i]!;
    const v = c < 128 ? VALUE[c]! : -1;
    if (v < 0) return false;
    sum += v * WEIGHTS[i]!;
  }
  return CHARSET.charCodeAt((31 - (sum % 31)) % 31) === b[s + 17];
}

export const usccMessages: Record<UsccProblem, { zh: string; en: string }> = {
  length: { zh: '统一社会信用代码应为 18 位', en: 'a unified social credit code has 18 characters' },
  charset: {
    zh: '统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V 和小写字母）',
    en: 'contains characters not used in unified social credit codes (no I, O, Z, S, V or lower case)',
  },
  check: { zh: '统一社会信用代码校验位不正确', en: 'the check character of the unified social credit code is wrong' },
};
