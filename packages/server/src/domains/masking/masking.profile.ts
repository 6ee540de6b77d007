// Profiles: which rule each item gets. The default comes from the items' PII kinds and the security grade;
// grants and releases may tighten it freely, and loosen it only with the Center's approval.
import { defaultsForKind } from './masking.detect.ts';
import { RULE_STRENGTH, type Column, type Rule } from './masking.rules.ts';

export interface ProfileItem extends Column {
  name: string;
  sensitivity?: string | null;
  maskingRule?: string | null;
}

export type Rules = Record<string, Rule>;

const HIGH = new Set(['important', 'core']);

/** The default profile of a resource version. Higher grades mask more. */
export function defaultProfile(items: ProfileItem[], grade: string): Rules {
  const out: Rules = {};
  for (const it of items) {
    const sens = it.sensitivity ?? 'none';
    let rule: string =
      it.maskingRule ?? (it.piiKind ? defaultsForKind(it.piiKind).rule : sens !== 'none' ? 'mask' : 'none');
    if (sens !== 'none' && rule !== 'none') {
      if (HIGH.has(grade)) rule = 'suppress';
      else if (grade === 'L4') rule = sens === 'personal' ? strongest(rule, 'hash') : 'suppress';
      else if (grade === 'L3' && (sens === 'sensitive_personal' || sens === 'trade_secret'))
        rule = strongest(rule, 'hash');
    }
    if (sens === 'trade_secret' && (grade === 'L3' || grade === 'L4')) rule = 'suppress';
    out[it.code] = { rule };
  }
  return out;
}

function strongest(a: string, b: string) {
  return (RULE_STRENGTH[a] ?? 5) >= (RULE_STRENGTH[b] ?? 5) ? a : b;
}

/** Items whose rule in `candidate` is weaker than in `base` (a missing rule counts as the strongest). */
export function looserItems(base: Rules, candidate: Rules): string[] {
  return Object.keys(base).filter((code) => {
    const b = RULE_STRENGTH[base[code]!.rule] ?? 5;
    const c = candidate[code] ? (RULE_STRENGTH[candidate[code]!.rule] ?? 5) : 5;
    return c < b;
  });
}
