// Text that PostgreSQL cannot hold as given, found and replaced the same way everywhere (audit chain, request checks,
// rejected rows): a lone UTF-16 surrogate (UTF-8 cannot encode it; drivers would store U+FFFD) and NUL (text and
// jsonb refuse it).

// eslint-disable-next-line no-control-regex -- NUL is what this finds
const UNSTORABLE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|\u0000/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

export type Unstorable = 'nul' | 'surrogate';

/** What in `s` cannot be stored, or null. */
export function unstorable(s: string): Unstorable | null {
  const m = UNSTORABLE.exec(s);
  if (!m) return null;
  return m[0] === '\u0000' ? 'nul' : 'surrogate';
}

/** `s` with every unstorable character as U+FFFD, cut to at most `max` UTF-16 units (ending in …) without splitting a pair. */
export function storableText(s: string, max = Infinity): string {
  let t = UNSTORABLE.test(s) ? s.replace(UNSTORABLE_ALL, '\ufffd') : s;
  if (t.length > max) {
    let cut = max - 1;
    const c = t.charCodeAt(cut - 1);
    if (c >= 0xd800 && c <= 0xdbff) cut--;
    t = t.slice(0, cut) + '…';
  }
  return t;
}

/** The stored form of a JSON-like value: JSON values only, every string and key storable and bounded; walked without recursion. */
export function storableJson(v: unknown, maxText = Infinity): unknown {
  const text = (s: string) => storableText(s, maxText);
  const convert = (x: unknown): unknown => {
    if (x === null || x === undefined) return null;
    if (typeof x === 'string') return text(x);
    if (typeof x === 'number') return Number.isFinite(x) ? x : null;
    if (typeof x === 'boolean') return x;
    if (typeof x === 'bigint') return x.toString();
    if (x instanceof Date) return Number.isNaN(x.getTime()) ? null : x.toISOString();
    if (typeof x === 'object') return Array.isArray(x) ? [] : {};
    return null;
  };
  const root = convert(v);
  const stack: [unknown, unknown][] = root !== null && typeof root === 'object' ? [[v, root]] : [];
  while (stack.length) {
    const [from, to] = stack.pop()!;
    if (Array.isArray(from)) {
      for (const item of from) {
        const out = convert(item);
        (to as unknown[]).push(out);
        if (out !== null && typeof out === 'object') stack.push([item, out]);
      }
    } else {
      for (const [k, item] of Object.entries(from as object)) {
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        const out = convert(item);
        (to as Record<string, unknown>)[text(k)] = out;
        if (out !== null && typeof out === 'object') stack.push([item, out]);
      }
    }
  }
  return root;
}

export interface BodyFault {
  kind: Unstorable | 'depth';
  /** dotted path of the value (or key) at fault; '' for the whole body */
  path: string;
}

/**
 * The first fault in a parsed JSON body: nesting deeper than `maxDepth`, or an unstorable character in a key or a
 * string. Walked with an explicit stack, so a body nested 100,000 deep costs no call stack.
 */
export function findBodyFault(body: unknown, maxDepth: number, checkText = true): BodyFault | null {
  if (typeof body === 'string') {
    const u = checkText ? unstorable(body) : null;
    return u ? { kind: u, path: '' } : null;
  }
  if (body === null || typeof body !== 'object') return null;
  // a file's bytes (an attachment) are not text: their reader checks them
  if (ArrayBuffer.isView(body)) return null;
  const stack: [unknown, string, number][] = [[body, '', 1]];
  while (stack.length) {
    const [v, path, depth] = stack.pop()!;
    if (depth > maxDepth) return { kind: 'depth', path };
    const entries: [string, unknown][] = Array.isArray(v)
      ? v.map((x, i) => [String(i), x])
      : Object.entries(v as object);
    for (const [k, x] of entries) {
      const p = path ? `${path}.${k}` : k;
      if (checkText && !Array.isArray(v)) {
        const u = unstorable(k);
        if (u) return { kind: u, path: p };
      }
      if (typeof x === 'string') {
        const u = checkText ? unstorable(x) : null;
        if (u) return { kind: u, path: p };
      } else if (x !== null && typeof x === 'object' && !ArrayBuffer.isView(x)) stack.push([x, p, depth + 1]);
    }
  }
  return null;
}
