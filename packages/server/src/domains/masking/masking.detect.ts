// Finds personal data: from an item's name (a dictionary of the names Chinese systems use) and from sampled
// values (validators with check digits, not only patterns). Each suggestion carries a confidence.
import {
  isBankCard,
  isEmail,
  isLandline,
  isMobile,
  isPlate,
  isResidentId,
  isUscc,
  parseChineseDate,
} from '../../platform/formats.ts';
import { looksLikeName } from './masking.names.ts';

export interface Suggestion {
  kind: string;
  confidence: number; // 0..1
  source: 'name' | 'values' | 'both';
  matched?: number;
  sampled?: number;
}

/** Name fragments per PII kind, most specific first; a fragment's weight is how sure it makes us. */
const NAME_RULES: { kind: string; re: RegExp; weight: number }[] = [
  {
    kind: 'id_card',
    re: /(公民)?身份(证)?(号码|号|证件号)|身份证|证件号码|证件号|id_?(card|no|number)|sfz/i,
    weight: 0.95,
  },
  { kind: 'uscc', re: /统一社会信用代码|信用代码|uscc|credit_?code/i, weight: 0.95 },
  { kind: 'bank_card', re: /银行卡|银行账号|开户行账号|账号|卡号|bank_?(card|account)|account_?no/i, weight: 0.85 },
  { kind: 'mobile', re: /手机|移动电话|联系电话|联系方式|mobile|cellphone|phone_?no/i, weight: 0.85 },
  { kind: 'phone', re: /固定电话|座机|办公电话|telephone|landline/i, weight: 0.85 },
  { kind: 'email', re: /邮箱|电子邮件|e-?mail/i, weight: 0.9 },
  { kind: 'passport', re: /护照|passport/i, weight: 0.9 },
  { kind: 'plate', re: /车牌|号牌|plate/i, weight: 0.9 },
  { kind: 'birth_date', re: /出生日期|出生年月|生日|birth/i, weight: 0.9 },
  { kind: 'address', re: /住址|地址|居住地|户籍地|现居|家庭住址|address|addr/i, weight: 0.8 },
  {
    kind: 'name',
    re: /^(姓名|名字|本人姓名|户主姓名|法定代表人|联系人|负责人|产权人|申请人|监护人|配偶姓名)$|姓名|person_?name|^name$/i,
    weight: 0.85,
  },
];

/** Fragments that look personal but are not (单位名称 is an organisation's name). */
const NOT_PERSONAL = /单位名称|机构名称|企业名称|学校名称|系统名称|项目名称|名称代码|地址编码|单位地址|办公地址/;

export function suggestFromName(name: string): Suggestion | null {
  if (NOT_PERSONAL.test(name)) return null;
  for (const r of NAME_RULES) if (r.re.test(name)) return { kind: r.kind, confidence: r.weight, source: 'name' };
  return null;
}

const VALUE_TESTS: { kind: string; test: (v: string) => boolean }[] = [
  { kind: 'id_card', test: isResidentId },
  { kind: 'uscc', test: isUscc },
  { kind: 'bank_card', test: isBankCard },
  { kind: 'mobile', test: isMobile },
  { kind: 'email', test: isEmail },
  { kind: 'plate', test: isPlate },
  { kind: 'phone', test: (v) => isLandline(v) && !isMobile(v) },
  { kind: 'name', test: looksLikeName },
  {
    kind: 'address',
    test: (v) =>
      /\p{Script=Han}/u.test(v) && /(省|市|区|县|镇|乡|街道|路|街|巷|村|号|小区|栋|单元)/.test(v) && v.length >= 6,
  },
  { kind: 'birth_date', test: (v) => parseChineseDate(v) !== null },
];

/** The kind most sampled values pass, with the share that passes as the confidence. */
export function suggestFromValues(values: unknown[]): Suggestion | null {
  const sample = values
    .filter((v) => v !== null && v !== undefined && String(v).trim() !== '')
    .map((v) => String(v))
    .slice(0, 1000);
  if (!sample.length) return null;
  let best: Suggestion | null = null;
  for (const t of VALUE_TESTS) {
    const matched = sample.filter(t.test).length;
    const share = matched / sample.length;
    // dates are common in non-personal columns: only a name can make a date column personal
    if (t.kind === 'birth_date') continue;
    if (share >= 0.6 && (!best || share > best.confidence))
      best = { kind: t.kind, confidence: +share.toFixed(3), source: 'values', matched, sampled: sample.length };
  }
  return best;
}

/** Both signals: agreement raises the confidence; values win over a name they contradict. */
export function suggest(name: string, values: unknown[] = []): Suggestion | null {
  const byName = suggestFromName(name);
  const byValues = suggestFromValues(values);
  if (byName && byValues) {
    if (byName.kind === byValues.kind)
      return {
        ...byValues,
        kind: byName.kind,
        confidence: Math.min(0.99, +(1 - (1 - byName.confidence) * (1 - byValues.confidence)).toFixed(3)),
        source: 'both',
      };
    return byValues.confidence >= 0.9 ? byValues : byName;
  }
  return byValues ?? byName;
}

/** Sensitivity and default rule a kind implies (ID numbers and bank cards are sensitive personal information). */
export function defaultsForKind(kind: string): {
  sensitivity: 'personal' | 'sensitive_personal' | 'none';
  rule: string;
} {
  if (kind === 'uscc') return { sensitivity: 'none', rule: 'none' };
  if (['id_card', 'bank_card', 'passport'].includes(kind)) return { sensitivity: 'sensitive_personal', rule: 'mask' };
  if (kind === 'birth_date') return { sensitivity: 'personal', rule: 'generalize' };
  return { sensitivity: 'personal', rule: 'mask' };
}
