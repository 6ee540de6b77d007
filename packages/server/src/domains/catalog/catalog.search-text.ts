// Chinese-aware search keys. A CJK run is indexed as its single characters and its bigrams (as pg_bigm
// does), so any partial term of two or more characters is found by AND-ing its bigrams: 维修信息 →
// 维修 & 修信 & 信息 finds 房屋维修信息登记. A substring check on the normalised text then keeps exactly
// the resources that contain the term. Latin letters and digits are indexed as whole words.

const HAN = /\p{Script=Han}/u;

/** NFKC folds full-width letters and digits (ＡＢＣ１２３) to ASCII; lower-case for case-blind search. */
export function normaliseText(s: string): string {
  return s.normalize('NFKC').toLowerCase();
}

function runs(text: string): { han: boolean; s: string }[] {
  const out: { han: boolean; s: string }[] = [];
  let cur = '';
  let curHan = false;
  for (const ch of normaliseText(text)) {
    const han = HAN.test(ch);
    const word = han || /[a-z0-9]/.test(ch);
    if (!word) {
      if (cur) out.push({ han: curHan, s: cur });
      cur = '';
      continue;
    }
    if (cur && han !== curHan) {
      out.push({ han: curHan, s: cur });
      cur = '';
    }
    cur += ch;
    curHan = han;
  }
  if (cur) out.push({ han: curHan, s: cur });
  return out;
}

/** Index keys for a text: Han unigrams and bigrams, Latin/digit words. */
export function indexKeys(text: string): string[] {
  const keys = new Set<string>();
  for (const r of runs(text)) {
    if (!r.han) {
      keys.add(r.s);
      continue;
    }
    const chars = [...r.s];
    for (let i = 0; i < chars.length; i++) {
      keys.add(chars[i]!);
      if (i + 1 < chars.length) keys.add(chars[i]! + chars[i + 1]!);
    }
  }
  return [...keys];
}

/** Keys a term needs (all of them): bigrams for Han runs (or the single character), Latin words. */
export function queryKeys(term: string): string[] {
  const keys = new Set<string>();
  for (const r of runs(term)) {
    if (!r.han) continue; // Latin fragments are matched by substring only (they may be parts of words)
    const chars = [...r.s];
    if (chars.length === 1) keys.add(chars[0]!);
    for (let i = 0; i + 1 < chars.length; i++) keys.add(chars[i]! + chars[i + 1]!);
  }
  return [...keys];
}

/** Terms of a query: split on white space and common separators, normalised, empty ones dropped. */
export function queryTerms(q: string): string[] {
  return normaliseText(q)
    .split(/[\s,，、;；]+/u)
    .map((t) => t.trim())
    .filter(Boolean)
    .slice(0, 8);
}

/** A tsquery literal ANDing the keys; keys hold only letters, digits and Han, so quoting is enough. */
export function tsqueryOf(keys: string[], weight?: 'A' | 'B' | 'C'): string {
  return keys.map((k) => `'${k.replace(/'/g, "''")}'${weight ? ':' + weight : ''}`).join(' & ');
}
