// The SQL form of the mask rule against maskValue, on both databases: for every kind it handles and values meant to
// trip it (surrogate pairs, compound surnames, spaces at the ends, two @, control characters, short values, the
// item's length), the database's answer, or maskValue of what it hands back, is maskValue's. Common values are
// masked by the database itself.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { describeEachDb } from '../../testing/test-env.ts';
import { maskValue, scopeKeys, SQL_FALLBACK, type Column, type Rule } from './masking.rules.ts';
import { maskSql } from './masking.repository.ts';

const keys = scopeKeys(Buffer.alloc(32, 3), 'sql-test');

const VALUES = [
  '张三',
  '欧阳娜娜',
  '欧阳',
  '欧阳 ',
  '欧阳\u3000',
  ' 张三',
  '张三 ',
  '李',
  '𠀀𠀁名',
  '司马相如',
  'Smith John',
  '13912345678',
  '0951-1234567',
  '64010619900307123X',
  '6222021234567890123',
  'a@b.cn',
  'user.name@example.com',
  '@nolocal.cn',
  'two@at@signs.cn',
  'noat',
  '𠀀x@y.cn',
  '\u0001starts-with-mark',
  '\ttabbed',
  'x',
  'xy',
  '',
  '宁A12345',
  '全角，逗号",引号',
  'a'.repeat(40),
  // and 300 more from a seeded mix of what trips masks
  ...(() => {
    const parts = [
      '欧阳',
      '张',
      '李',
      '𠀀',
      ' ',
      '\u3000',
      '@',
      '.',
      'a',
      'Z',
      '1',
      '\u0001',
      '\t',
      '"',
      ',',
      '名',
      '\u00a0',
      '＊',
    ];
    let seed = 20261207;
    const next = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    return Array.from({ length: 300 }, () =>
      Array.from({ length: 1 + Math.floor(next() * 8) }, () => parts[Math.floor(next() * parts.length)]).join(''),
    );
  })(),
];

const CASES: [Column, Rule][] = [
  [{ code: 'v', dataType: 'string', piiKind: 'name' }, { rule: 'mask' }],
  [{ code: 'v', dataType: 'string', piiKind: 'name', length: 3 }, { rule: 'mask' }],
  [{ code: 'v', dataType: 'string', piiKind: 'mobile' }, { rule: 'mask' }],
  [{ code: 'v', dataType: 'string', piiKind: 'id_card' }, { rule: 'mask' }],
  [{ code: 'v', dataType: 'string', piiKind: 'bank_card' }, { rule: 'mask' }],
  [
    { code: 'v', dataType: 'string', piiKind: 'plate' },
    { rule: 'mask', fill: '#' },
  ],
  [{ code: 'v', dataType: 'string', piiKind: 'email' }, { rule: 'mask' }],
  [{ code: 'v', dataType: 'string', piiKind: 'email', length: 6 }, { rule: 'mask' }],
  [{ code: 'v', dataType: 'string', piiKind: null }, { rule: 'mask' }],
  [
    { code: 'v', dataType: 'string', piiKind: 'name' },
    { rule: 'mask', keepFirst: 1, keepLast: 1 },
  ],
  [
    { code: 'v', dataType: 'string', piiKind: 'mobile' },
    { rule: 'mask', keepLast: 4, fill: "'" },
  ],
];

describeEachDb('masking: the mask rule in SQL', (env) => {
  it('gives what maskValue gives, or hands the value back to it', async () => {
    let inSql = 0;
    for (const [col, rule] of CASES) {
      const expr = maskSql(col, rule);
      assert.ok(expr, `${col.piiKind} ${JSON.stringify(rule)} has SQL`);
      const { rows } = await sql<{ m: string | null }>`
        SELECT ${expr(sql.raw('"v"'))} AS m FROM unnest(${VALUES}::text[]) WITH ORDINALITY AS t("v", i) ORDER BY i`.execute(
        env().database.db,
      );
      VALUES.forEach((v, i) => {
        const got = rows[i]!.m;
        const want = maskValue(v, col, rule, keys);
        const fromSql = got !== null && !got.startsWith(SQL_FALLBACK);
        if (fromSql) inSql++;
        const final = got === null || fromSql ? got : maskValue(got.slice(1), col, rule, keys);
        assert.equal(
          final,
          want,
          `${col.piiKind} ${JSON.stringify(rule)} of ${JSON.stringify(v)}: ${JSON.stringify(got)}`,
        );
        if (got?.startsWith(SQL_FALLBACK)) assert.equal(got.slice(1), v, 'handed back as it is');
      });
    }
    assert.ok(inSql > CASES.length * VALUES.length * 0.6, `most values masked by the database (${inSql})`);
  });

  it('has no SQL for the rules it does not do: addresses, other rules, columns that are not text', () => {
    assert.equal(maskSql({ code: 'v', dataType: 'string', piiKind: 'address' }, { rule: 'mask' }), null);
    assert.equal(maskSql({ code: 'v', dataType: 'string', piiKind: 'name' }, { rule: 'hash' }), null);
    assert.equal(maskSql({ code: 'v', dataType: 'integer' }, { rule: 'mask' }), null);
    assert.equal(maskSql({ code: 'v', dataType: 'string' }, { rule: 'mask', fill: '**' }), null);
    assert.equal(maskSql({ code: 'v', dataType: 'string' }, undefined), null);
  });
});
