// PostgreSQL's COPY text format, read back: a field's escapes undone (COPY writes \b \f \n \r \t \v and \\; any other
// escaped character stands for itself). NULL is the field `\N`, which callers tell apart before this.
const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

export function copyUnescape(field: string): string {
  return field.includes('\\') ? field.replace(/\\(.)/gs, (_, c: string) => ESCAPES[c] ?? c) : field;
}
