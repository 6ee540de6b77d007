// CSV records from decoded text, fast on what district files mostly are (lines without quotes: one native
// split per line) and RFC 4180 where quotes appear (quoted delimiters, doubled quotes, line breaks inside
// a field). Lenient like the spreadsheets that write these files: a quote inside an unquoted field, or
// text after a closing quote, is kept literally. An unclosed quote ends the file with an error naming
// its row. Written for the ingest pipeline, where csv-parse was the slowest step (see docs/benchmarks.md).

export type CsvEvent = { record: string[]; lines: number } | { error: 'unclosed_quote' | 'too_large'; lines: number };

interface Parsed {
  fields: string[];
  next: number;
  lines: number;
}

/**
 * Parses one record that contains a quote, starting at `start`. Returns null when the buffer ends before
 * the record does and more input may come (`eof` false), or 'unclosed' at the end of input.
 */
function parseQuoted(buf: string, start: number, delim: string, eof: boolean): Parsed | null | 'unclosed' {
  const fields: string[] = [];
  let i = start;
  let lines = 0;
  for (;;) {
    if (buf.charCodeAt(i) === 34 /* " */) {
      // a quoted field
      let val = '';
      let j = i + 1;
      for (;;) {
        const q = buf.indexOf('"', j);
        if (q < 0) return eof ? 'unclosed' : null;
        if (buf.charCodeAt(q + 1) === 34) {
          val += buf.slice(j, q + 1);
          j = q + 2;
          continue;
        }
        if (q + 1 >= buf.length && !eof) return null;
        val += buf.slice(j, q);
        j = q + 1;
        break;
      }
      for (let k = i; k < j; k++) if (buf.charCodeAt(k) === 10) lines++;
      const c = buf[j];
      if (c === delim) {
        fields.push(val);
        i = j + 1;
        continue;
      }
      if (c === undefined || c === '\n' || (c === '\r' && buf[j + 1] === '\n') || (c === '\r' && j + 1 >= buf.length)) {
        fields.push(val);
        if (c === undefined) return { fields, next: j, lines: lines + 1 };
        const next = c === '\n' ? j + 1 : j + 2;
        if (c === '\r' && j + 1 >= buf.length && !eof) return null;
        return { fields, next: Math.min(next, buf.length), lines: lines + 1 };
      }
      // text after the closing quote: the whole field is kept as written
      const end = nextStop(buf, i, delim);
      if (end < 0 && !eof) return null;
      const stop = end < 0 ? buf.length : end;
      fields.push(stripCr(buf.slice(i, stop)));
      if (stop < buf.length && buf[stop] === delim) {
        i = stop + 1;
        continue;
      }
      return { fields, next: stop < buf.length ? stop + 1 : stop, lines: lines + 1 };
    }
    // an unquoted field (a quote inside it is literal)
    const end = nextStop(buf, i, delim);
    if (end < 0) {
      if (!eof) return null;
      fields.push(stripCr(buf.slice(i)));
      return { fields, next: buf.length, lines: lines + 1 };
    }
    fields.push(stripCr(buf.slice(i, end)));
    if (buf[end] === delim) {
      i = end + 1;
      continue;
    }
    return { fields, next: end + 1, lines: lines + 1 };
  }
}

function nextStop(buf: string, from: number, delim: string): number {
  const d = buf.indexOf(delim, from);
  const n = buf.indexOf('\n', from);
  if (d < 0) return n;
  if (n < 0) return d;
  return Math.min(d, n);
}

const stripCr = (s: string) => (s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s);

/** Records, a chunk's worth at a time (one await per chunk, not per record). */
export async function* csvRecords(
  text: AsyncIterable<string>,
  delim: string,
  maxRecord: number,
): AsyncGenerator<CsvEvent[]> {
  let buf = '';
  let line = 0;
  let first = true;
  const it = text[Symbol.asyncIterator]();
  let eof = false;
  // how much of the carried-over text is known to hold neither a line break nor a quote: a line that spans many
  // chunks is scanned once, not again with every chunk (a 50 MB line without a break was quadratic)
  let plain = 0;
  while (!eof) {
    const n = await it.next();
    if (n.done) eof = true;
    else buf += n.value;
    if (first && buf.length) {
      if (buf.charCodeAt(0) === 0xfeff) buf = buf.slice(1);
      first = false;
    }
    let pos = 0;
    let quote = buf.indexOf('"', plain);
    const out: CsvEvent[] = [];
    for (;;) {
      if (pos >= buf.length) break;
      const nl = buf.indexOf('\n', pos === 0 ? plain : pos);
      if (quote >= 0 && quote < pos) quote = buf.indexOf('"', pos);
      if (quote < 0 || (nl >= 0 && quote > nl)) {
        // no quote in this line: split it
        if (nl < 0) {
          if (!eof) {
            plain = buf.length - pos;
            break;
          }
          line++;
          out.push({ record: stripCr(buf.slice(pos)).split(delim), lines: line });
          pos = buf.length;
          break;
        }
        line++;
        out.push({ record: stripCr(buf.slice(pos, nl)).split(delim), lines: line });
        pos = nl + 1;
        continue;
      }
      const r = parseQuoted(buf, pos, delim, eof);
      if (r === null) {
        plain = 0;
        break;
      }
      if (r === 'unclosed') {
        out.push({ error: 'unclosed_quote', lines: line + 1 });
        yield out;
        return;
      }
      line += r.lines;
      out.push({ record: r.fields, lines: line });
      pos = r.next;
    }
    if (out.length) yield out;
    if (pos >= buf.length) plain = 0;
    buf = pos >= buf.length ? '' : buf.slice(pos);
    if (buf.length > maxRecord) {
      yield [{ error: 'too_large', lines: line + 1 }];
      return;
    }
  }
}
