// A compiled query with its parameters written in as literals, for the one statement that takes none: COPY (a
// file export's rows, streamed by the database). The query is still built with bound values (the serve
// repository's conditions); only here do they become text, each quoted as a PostgreSQL string literal
// (escapeLiteral's rules: quotes doubled, and an E'' literal with doubled backslashes when there are any), so a
// value cannot end its literal whatever it holds. Placeholders are found outside quoted identifiers and literals.

/** A value as a PostgreSQL literal: text quoted, finite numbers as they are. Anything else is refused. */
export function literal(v: unknown): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error('inline: a number that is not finite');
    return String(v);
  }
  if (typeof v !== 'string') throw new Error(`inline: a ${typeof v} parameter cannot be written as a literal`);
  if (v.includes('\u0000')) throw new Error('inline: a text with a NUL character');
  const quoted = `'${v.replace(/'/g, "''")}'`;
  return v.includes('\\') ? ` E${quoted.replace(/\\/g, '\\\\')}` : quoted;
}

/** `sql` with each `$n` outside quotes replaced by parameters[n - 1] as a literal. */
export function inlineParameters(sql: string, parameters: readonly unknown[]): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === '"' || ch === "'") {
      // a quoted identifier or literal, doubled quotes inside: copied as it is
      let j = i + 1;
      for (;;) {
        const k = sql.indexOf(ch, j);
        if (k < 0) throw new Error('inline: an unterminated quote');
        if (sql[k + 1] === ch) j = k + 2;
        else {
          j = k + 1;
          break;
        }
      }
      out += sql.slice(i, j);
      i = j;
      continue;
    }
    if (ch === '$') {
      const m = /^\$(\d+)/.exec(sql.slice(i, i + 12));
      if (m) {
        const n = Number(m[1]);
        if (n < 1 || n > parameters.length) throw new Error(`inline: no parameter $${n}`);
        out += literal(parameters[n - 1]);
        i += m[0].length;
        continue;
      }
    }
    out += ch;
    i++;
  }
  return out;
}
