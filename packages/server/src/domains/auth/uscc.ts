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

export function checkUscc(code: string): UsccProblem | null {
  if (code.length !== 18) return 'length';
  for (let i = 0; i < 18; i++) if (CHARSET.indexOf(code[i]!) < 0) return 'charset';
  return usccCheckChar(code.slice(0, 17)) === code[17] ? null : 'check';
}

export const usccMessages: Record<UsccProblem, { zh: string; en: string }> = {
  length: { zh: '统一社会信用代码应为 18 位', en: 'a unified social credit code has 18 characters' },
  charset: { zh: '统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V 和小写字母）', en: 'contains characters not used in unified social credit codes (no I, O, Z, S, V or lower case)' },
  check: { zh: '统一社会信用代码校验位不正确', en: 'the check character of the unified social credit code is wrong' },
};
