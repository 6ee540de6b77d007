// The row filter of a grant and the `where` of a query: a small language over item values, parsed into a tree
// (ingest's Condition) and never pasted into SQL. Items are named by their Chinese name or their code; a name with
// spaces or symbols goes in double quotes. Every value is checked against its item (a date must be a date).
//
//   所属街道 = '长城中路街道' AND 年龄 >= 60
//   status IN ('在册', '迁出') OR (登记日期 BETWEEN '2024-01-01' AND '2024-12-31' AND 手机号码 IS NOT NULL)
//   姓名 LIKE '马%'                       (a prefix: only a trailing %)
//
// A filter that names an item outside the allowed ones, or does not parse, is refused with the position (1-based,
// in characters) of what is wrong.
import type { Condition } from '../../ingest/index.ts';

export interface FilterItem {
  code: string;
  name: string;
  /** the item's value check: its canonical text, or the problem */
  check(value: string): string | { zh: string; en: string };
}

export class FilterError extends Error {
  constructor(
    readonly position: number,
    readonly zh: string,
    readonly en: string,
  ) {
    super(`at ${position}: ${en}`);
  }
}

type Tok =
  | { t: 'word'; v: string; at: number }
  | { t: 'ident'; v: string; at: number }
  | { t: 'string'; v: string; at: number }
  | { t: 'number'; v: string; at: number }
  | { t: 'op'; v: string; at: number }
  | { t: 'end'; at: number };

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'BETWEEN', 'IS', 'NULL', 'LIKE', 'TRUE', 'FALSE']);
const MAX_LENGTH = 4000;
const MAX_DEPTH = 32;

function tokens(text: string): Tok[] {
  const out: Tok[] = [];
  const chars = [...text];
  let i = 0;
  const at = () => i + 1;
  while (i < chars.length) {
    const c = chars[i]!;
    if (/\s/u.test(c)) {
      i++;
      continue;
    }
    const start = at();
    if (c === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= chars.length) throw new FilterError(start, '文本值的引号没有闭合', 'a quoted value is never closed');
        if (chars[i] === "'") {
          if (chars[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += chars[i++];
      }
      out.push({ t: 'string', v, at: start });
      continue;
    }
    if (c === '"') {
      let v = '';
      i++;
      while (i < chars.length && chars[i] !== '"') v += chars[i++];
      if (i >= chars.length)
        throw new FilterError(start, '信息项名称的双引号没有闭合', 'a quoted item name is never closed');
      i++;
      out.push({ t: 'ident', v, at: start });
      continue;
    }
    if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(chars[i + 1] ?? ''))) {
      let v = c;
      i++;
      while (i < chars.length && /[0-9.]/.test(chars[i]!)) v += chars[i++];
      if (!/^-?\d+(\.\d+)?$/.test(v)) throw new FilterError(start, `不是有效的数字：${v}`, `not a number: ${v}`);
      out.push({ t: 'number', v, at: start });
      continue;
    }
    const two = c + (chars[i + 1] ?? '');
    if (['<=', '>=', '<>', '!='].includes(two)) {
      out.push({ t: 'op', v: two === '!=' ? '<>' : two, at: start });
      i += 2;
      continue;
    }
    if ('=<>(),'.includes(c)) {
      out.push({ t: 'op', v: c, at: start });
      i++;
      continue;
    }
    if (/[\p{L}\p{N}_（）·]/u.test(c)) {
      let v = '';
      while (i < chars.length && /[\p{L}\p{N}_（）·]/u.test(chars[i]!)) v += chars[i++];
      out.push(
        KEYWORDS.has(v.toUpperCase()) ? { t: 'word', v: v.toUpperCase(), at: start } : { t: 'ident', v, at: start },
      );
      continue;
    }
    throw new FilterError(start, `无法识别的字符“${c}”`, `unexpected character "${c}"`);
  }
  out.push({ t: 'end', at: chars.length + 1 });
  return out;
}

/** Parses a filter against the items it may name. Empty text is no filter (null). */
export function parseFilter(text: string, items: FilterItem[]): Condition | null {
  if (!text.trim()) return null;
  if ([...text].length > MAX_LENGTH)
    throw new FilterError(
      MAX_LENGTH + 1,
      `条件过长（最多 ${MAX_LENGTH} 个字符）`,
      `too long (at most ${MAX_LENGTH} characters)`,
    );
  const toks = tokens(text);
  let p = 0;
  const peek = () => toks[p]!;
  const next = () => toks[p++]!;
  const isWord = (w: string) => peek().t === 'word' && (peek() as { v: string }).v === w;
  const isOp = (o: string) => peek().t === 'op' && (peek() as { v: string }).v === o;
  const describe = (t: Tok) => (t.t === 'end' ? '条件结尾' : `“${(t as { v: string }).v}”`);
  const describeEn = (t: Tok) => (t.t === 'end' ? 'the end' : `"${(t as { v: string }).v}"`);
  const expect = (ok: boolean, zh: string, en: string) => {
    if (!ok) throw new FilterError(peek().at, `${zh}，此处是${describe(peek())}`, `${en}, found ${describeEn(peek())}`);
  };
  const byName = new Map<string, FilterItem>();
  for (const it of items) {
    byName.set(it.code, it);
    byName.set(it.name, it);
  }

  const item = (): FilterItem => {
    const t = peek();
    expect(t.t === 'ident', '应为信息项名称', 'expected an item name');
    next();
    const found = byName.get((t as { v: string }).v);
    if (!found)
      throw new FilterError(
        t.at,
        `“${(t as { v: string }).v}”不是本授权中的信息项`,
        `"${(t as { v: string }).v}" is not an item of this grant`,
      );
    return found;
  };
  const value = (it: FilterItem): string => {
    const t = peek();
    expect(
      t.t === 'string' || t.t === 'number' || (t.t === 'word' && (t.v === 'TRUE' || t.v === 'FALSE')),
      '应为取值（文本用单引号）',
      'expected a value (text in single quotes)',
    );
    next();
    const raw = t.t === 'word' ? t.v.toLowerCase() : (t as { v: string }).v;
    const checked = it.check(raw);
    if (typeof checked !== 'string')
      throw new FilterError(t.at, `${it.name}：${checked.zh}`, `${it.code}: ${checked.en}`);
    return checked;
  };

  const predicate = (): Condition => {
    const it = item();
    if (isWord('IS')) {
      next();
      const negated = isWord('NOT');
      if (negated) next();
      expect(isWord('NULL'), '应为 NULL', 'expected NULL');
      next();
      return { op: 'null', item: it.code, negated };
    }
    const negated = isWord('NOT');
    if (negated) next();
    if (isWord('IN')) {
      next();
      expect(isOp('('), '应为“(”', 'expected "("');
      next();
      const values = [value(it)];
      while (isOp(',')) {
        next();
        values.push(value(it));
      }
      expect(isOp(')'), '应为“)”', 'expected ")"');
      next();
      return { op: 'in', item: it.code, values, negated };
    }
    if (negated) expect(false, 'NOT 之后应为 IN', 'expected IN after NOT');
    if (isWord('BETWEEN')) {
      next();
      const low = value(it);
      expect(isWord('AND'), '应为 AND', 'expected AND');
      next();
      return { op: 'between', item: it.code, low, high: value(it) };
    }
    if (isWord('LIKE')) {
      next();
      const t = peek();
      expect(t.t === 'string', "应为单引号中的前缀，如 '马%'", "expected a prefix in single quotes, like '马%'");
      next();
      const v = (t as { v: string }).v;
      if (!v.endsWith('%') || /[%_]/.test(v.slice(0, -1)))
        throw new FilterError(
          t.at,
          '只支持前缀匹配：以 % 结尾，其余不含 % 或 _',
          'only a prefix is supported: a trailing %, no other % or _',
        );
      return { op: 'prefix', item: it.code, value: v.slice(0, -1) };
    }
    const op = peek();
    expect(
      op.t === 'op' && ['=', '<>', '<', '<=', '>', '>='].includes(op.v),
      '应为比较运算符（= <> < <= > >=）、IN、BETWEEN、LIKE 或 IS',
      'expected a comparison (= <> < <= > >=), IN, BETWEEN, LIKE or IS',
    );
    next();
    return { op: 'cmp', item: it.code, cmp: (op as { v: string }).v as '=', value: value(it) };
  };

  const primary = (depth: number): Condition => {
    if (depth > MAX_DEPTH)
      throw new FilterError(
        peek().at,
        `括号嵌套过深（最多 ${MAX_DEPTH} 层）`,
        `nested too deeply (at most ${MAX_DEPTH})`,
      );
    if (isWord('NOT')) {
      next();
      return { op: 'not', arg: primary(depth + 1) };
    }
    if (isOp('(')) {
      next();
      const inner = or(depth + 1);
      expect(isOp(')'), '应为“)”', 'expected ")"');
      next();
      return inner;
    }
    return predicate();
  };
  const and = (depth: number): Condition => {
    const args = [primary(depth)];
    while (isWord('AND')) {
      next();
      args.push(primary(depth));
    }
    return args.length === 1 ? args[0]! : { op: 'and', args };
  };
  const or = (depth: number): Condition => {
    const args = [and(depth)];
    while (isWord('OR')) {
      next();
      args.push(and(depth));
    }
    return args.length === 1 ? args[0]! : { op: 'or', args };
  };

  const tree = or(0);
  expect(peek().t === 'end', '条件在此处应已结束', 'expected the end of the filter');
  return tree;
}

/** A filter's problem as a field error: where it is and what. */
export function filterProblem(field: string, e: FilterError) {
  return {
    field,
    message: { zh: `第 ${e.position} 个字符处：${e.zh}`, en: `at character ${e.position}: ${e.en}` },
  };
}
