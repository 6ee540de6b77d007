// The fingerprint scheme on its own (ADR 0011), over thousands of exports: any 10% of an export's rows, reordered,
// with columns dropped and re-encoded to GBK, names that export and no other; files no candidate wrote (another
// export's, or masked data that carries no fingerprint) name none; values keep their meaning and form.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { scopeHash, scopeKeys, maskValue } from '../../masking/index.ts';
import { residentId } from '../../../testing/ingest-fixtures.ts';
import {
  CarrierSet,
  embedDecimal,
  embedFill,
  embedHex,
  evidenceFor,
  readHex,
  CARRIERS as ALL,
  FULL_STAR,
  logTail,
  marked,
  markEvery,
  names,
  readDecimal,
  selector,
  selectorOfBytes,
  readFill,
  shortestDecimal,
  type Carrier,
} from './fingerprint.ts';

// a fixed platform key: every run compares the same keys, so a failure replays
const master = Buffer.alloc(32, 0x5a);
const derived = new Map<string, ReturnType<typeof scopeHash>>();
/** An export's key, as the platform derives it (once per export, as the tracer keeps them) */
const keyOf = (id: string) => {
  let k = derived.get(id);
  if (!k) derived.set(id, (k = scopeHash(master, `share-export:${id}`)));
  return k;
};
const grantKeys = scopeKeys(master, 'share-grant:g1');

/** A seeded generator, so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ROWS = 200;
const COLUMNS = ['id_no', 'name', 'mobile', 'amount', 'level', 'pid'] as const;
const CARRIERS: Record<string, Carrier | null> = {
  id_no: 'fill',
  name: 'fill',
  mobile: 'fill',
  amount: 'decimal',
  level: null,
  pid: 'hex',
};
/** The rows as served (masked as a grant's default profile masks them). */
const served = Array.from({ length: ROWS }, (_, i) => ({
  id_no: maskValue(
    residentId('1960-01-01', i),
    { code: 'id_no', dataType: 'string', piiKind: 'id_card' },
    { rule: 'mask' },
    grantKeys,
  ) as string,
  name: maskValue(
    `${'张王李赵刘'[i % 5]}${'伟芳娜敏静'[i % 5]}${'一二三'[i % 3]}`,
    { code: 'name', dataType: 'string', piiKind: 'name' },
    { rule: 'mask' },
    grantKeys,
  ) as string,
  mobile: maskValue(
    `139${String(i).padStart(8, '0')}`,
    { code: 'mobile', dataType: 'string', piiKind: 'mobile' },
    { rule: 'mask' },
    grantKeys,
  ) as string,
  amount: (300 + ((i * 37) % 900) + (i % 4) / 4).toFixed(2),
  level: ['A类', 'B类', 'C类'][i % 3]!,
  // the ID as a pseudonym (a hash rule): `ps_` and 16 hex digits
  pid: maskValue(
    residentId('1960-01-01', i),
    { code: 'pid', dataType: 'string', piiKind: 'id_card' },
    { rule: 'hash' },
    grantKeys,
  ) as string,
}));

/** An export's file as rows of text, each value written with the export's fingerprint. */
function exportOf(id: string): Record<string, string>[] {
  const prf = keyOf(id);
  return served.map((r) =>
    Object.fromEntries(
      COLUMNS.map((c) => [
        c,
        CARRIERS[c] === 'fill'
          ? embedFill(prf, r[c])
          : CARRIERS[c] === 'decimal'
            ? embedDecimal(prf, r[c])
            : CARRIERS[c] === 'hex'
              ? embedHex(prf, r[c])
              : r[c],
      ]),
    ),
  );
}

/** A leak: a tenth of the rows, shuffled, some columns dropped, through GBK and back. */
function leak(rows: Record<string, string>[], rand: () => number, keep: string[]) {
  const picked = rows
    .map((r) => ({ r, k: rand() }))
    .sort((a, b) => a.k - b.k)
    .slice(0, Math.ceil(rows.length / 10))
    .map((x) => x.r);
  const csv = [keep.join(','), ...picked.map((r) => keep.map((c) => r[c]).join(','))].join('\r\n');
  const back = iconv.decode(iconv.encode(csv, 'gbk'), 'gbk');
  const [head, ...lines] = back.split('\r\n');
  const cols = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));
}

function carriersOf(rows: Record<string, string>[]) {
  const set = new CarrierSet();
  for (const r of rows) for (const [c, v] of Object.entries(r)) if (CARRIERS[c]) set.add(CARRIERS[c]!, v);
  return set;
}

/** Which candidates the evidence names (the union bound over every candidate and family). */
function trace(set: CarrierSet, candidates: string[], everyOf: (id: string) => number = () => 1) {
  const tried = candidates.length * ALL.length;
  return candidates.filter((id) => names(evidenceFor(keyOf(id), set, ALL, tried, everyOf(id)), tried));
}

/** A large export's rows as served: masked IDs, mobiles and pseudonyms, amounts (distinct enough to mark sparsely). */
function largeServed(rows: number) {
  return Array.from({ length: rows }, (_, i) => ({
    id_no: `640106********${String(i % 10_000).padStart(4, '0')}`,
    mobile: `1${30 + (i % 60)}****${String(i % 10_000).padStart(4, '0')}`,
    amount: (300 + ((i * 37) % 9000) / 4).toFixed(2),
    pid: `ps_${(i * 2654435761).toString(16).padStart(16, '0').slice(-16)}`,
  }));
}

/** An export of `rows`, marked as sparsely as an export of that size is. */
function sparseExportOf(id: string, rows: ReturnType<typeof largeServed>, every: number) {
  const prf = keyOf(id);
  return rows.map((r) => ({
    id_no: embedFill(prf, r.id_no, every),
    mobile: embedFill(prf, r.mobile, every),
    amount: embedDecimal(prf, r.amount, every),
    pid: embedHex(prf, r.pid, every),
  }));
}

describe('export fingerprint', () => {
  it('keeps every value’s meaning and form: a masked ID is still a masked ID, a decimal the same number', () => {
    const prf = keyOf('x');
    for (const r of served) {
      const id = embedFill(prf, r.id_no);
      assert.equal(id.replaceAll(FULL_STAR, '*'), r.id_no);
      assert.equal([...id].length, 18);
      assert.equal(
        id.slice(0, 6) + id.slice(14),
        r.id_no.slice(0, 6) + r.id_no.slice(14),
        'the shown digits are as served',
      );
      const a = embedDecimal(prf, r.amount);
      assert.equal(Number(a), Number(r.amount));
      const short = shortestDecimal(r.amount);
      assert.ok([short, short + (short.includes('.') ? '0' : '.0')].includes(a), a);
      assert.deepEqual(readFill(id)!.canonical, r.id_no);
      assert.equal(readDecimal(a)!.canonical, shortestDecimal(r.amount));
    }
    // a pseudonym keeps its digits; only the case of its letters varies
    const p = embedHex(prf, served[0]!.pid);
    assert.equal(p.toLowerCase(), served[0]!.pid);
    assert.match(p, /^ps_[0-9a-fA-F]{16}$/);
    assert.equal(readHex(p)!.canonical, served[0]!.pid);
    // both forms of the fill survive GBK
    assert.equal(
      iconv.decode(iconv.encode(`640106${FULL_STAR}*${FULL_STAR}`, 'gbk'), 'gbk'),
      `640106${FULL_STAR}*${FULL_STAR}`,
    );
    // text without fill and non-decimals are left alone
    assert.equal(embedFill(prf, 'A类'), 'A类');
    assert.equal(embedDecimal(prf, '2024-01-01'), '2024-01-01');
  });

  it('the binomial tail is exact where it can be checked by hand', () => {
    assert.equal(Math.exp(logTail(1, 1)), 0.5);
    assert.ok(Math.abs(Math.exp(logTail(10, 10)) - 1 / 1024) < 1e-15);
    assert.ok(Math.abs(Math.exp(logTail(10, 8)) - 56 / 1024) < 1e-12);
    assert.equal(logTail(10, 0), 0);
  });

  it('over 2,000 exports: any 10% of one, reordered, columns dropped, in GBK, names it and no other', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `export-${i}`);
    const rand = rng(20261207);
    // every layout keeps a column with enough fill: masked IDs (8 positions) or mobiles (4)
    const layouts = [
      ['id_no', 'name', 'mobile', 'amount', 'level'],
      ['name', 'mobile', 'level'],
      ['mobile', 'amount'],
      ['id_no'],
      ['level', 'id_no'],
      ['pid', 'level'],
    ];
    let traced = 0;
    for (let t = 0; t < 100; t++) {
      const source = ids[Math.floor(rand() * ids.length)]!;
      const keep = layouts[t % layouts.length]!;
      const set = carriersOf(leak(exportOf(source), rand, keep));
      const named = trace(set, ids);
      assert.deepEqual(named, [source], `leak ${t} of ${source} (${keep.join(',')}): ${set.bits} bits`);
      traced++;
    }
    assert.equal(traced, 100);
  });

  it('too little left to tell (names and amounts only): names none rather than a wrong one', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `export-${i}`);
    const rand = rng(11);
    for (let t = 0; t < 10; t++) {
      const source = ids[t * 97]!;
      const named = trace(carriersOf(leak(exportOf(source), rand, ['name', 'amount', 'level'])), ids);
      assert.ok(named.length === 0 || (named.length === 1 && named[0] === source), `${named}`);
    }
  });

  it('names none for a file no candidate wrote: another export’s, or masked data with no fingerprint', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `export-${i}`);
    const rand = rng(7);
    for (let t = 0; t < 20; t++) {
      const outsider = exportOf(`not-a-candidate-${t}`);
      assert.deepEqual(trace(carriersOf(leak(outsider, rand, [...COLUMNS])), ids), []);
    }
    // served rows as they are (every fill `*`, decimals in the database's form): no export wrote them
    const plain = served.map((r) => ({ ...r, amount: r.amount }));
    assert.deepEqual(trace(carriersOf(plain), ids), []);
  });

  it('a large export marks one value in 16: any 10% of it, one column left, still names it and no other', () => {
    const rows = largeServed(20_000);
    // candidates of every density: the tracer reads each with the marking it used
    const ids = Array.from({ length: 600 }, (_, i) => `large-${i}`);
    // (dense markings are the other tests')
    const everyOf = (id: string) => [4, 8, 16][Number(id.split('-')[1]) % 3]!;
    const rand = rng(42);
    for (let t = 0; t < 8; t++) {
      const source = ids[(t * 131 + 4) % ids.length]!;
      const every = everyOf(source);
      const keep = [['id_no'], ['mobile'], ['pid'], ['id_no', 'mobile', 'amount']][t % 4]!;
      const file = sparseExportOf(source, rows, every);
      if (every === 16) {
        // only the picked values are marked, each in its own form; the rest are written plainly
        const plainOnes = file.filter((r, i) => !marked('fill', rows[i]!.mobile, 16));
        assert.ok(plainOnes.every((r) => !r.mobile.includes(FULL_STAR)));
        assert.ok(plainOnes.length > rows.length * 0.9, `${plainOnes.length}`);
      }
      const named = trace(carriersOf(leak(file, rand, keep)), ids, everyOf);
      assert.deepEqual(named, [source], `leak ${t} of ${source} (every ${every}, ${keep.join(',')})`);
    }
    // a file no candidate wrote names none, whatever marking each candidate is read with
    const outsider = sparseExportOf('not-a-candidate', rows, 16);
    assert.deepEqual(trace(carriersOf(leak(outsider, rand, ['id_no', 'mobile', 'amount', 'pid'])), ids, everyOf), []);
    assert.equal(markEvery(1_000_000), 16);
  });

  it('the chance of a wrong export agreeing is what the binomial says: measured over 2,000 wrong keys', () => {
    const set = carriersOf(leak(exportOf('the-source'), rng(3), ['mobile']));
    // every bit compared (no early drop): what each wrong key would have written in place of what the file shows
    let best = 0;
    let agreeing = 0;
    let compared = 0;
    for (let i = 0; i < 2000; i++) {
      let m = 0;
      let n = 0;
      for (const [canonical, seen] of set.families.fill) {
        const bits = readFill(embedFill(keyOf(`wrong-${i}`), canonical))!.bits;
        seen.forEach((b, j) => {
          n++;
          if (bits[j] === b) m++;
        });
      }
      best = Math.max(best, m / n);
      agreeing += m;
      compared += n;
    }
    // on average a wrong key agrees on half the bits, as the scheme assumes
    assert.ok(Math.abs(agreeing / compared - 0.5) < 0.01, `${agreeing / compared}`);
    // 20 rows × 4 fill positions = 80 bits; a wrong key agrees on about half, never on nearly all
    assert.ok(set.bits >= 64, `${set.bits}`);
    assert.ok(best < 0.8, `a wrong key agreed on ${best}`);
    const right = evidenceFor(keyOf('the-source'), set, ['fill'])!;
    assert.equal(right.agreeing, right.bits);
  });
});

describe('export fingerprint: the selector', () => {
  it('hashes the UTF-8 of the canonical form: the same from a string as from its bytes', () => {
    for (const s of [
      '',
      'a',
      '张**',
      '139****5678',
      '𠀀名*',
      'é*',
      '\uD800*',
      'ps_0123456789abcdef',
      '金凤区长城中路街道**',
    ]) {
      const b = Buffer.from(s, 'utf8');
      for (const kind of ALL) assert.equal(selector(kind, s), selectorOfBytes(kind, b, 0, b.length), `${kind} ${s}`);
    }
  });
});
