import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FilterError, parseFilter, type FilterItem } from './filter.parse.ts';

const text = (code: string, name: string): FilterItem => ({ code, name, check: (v) => v });
const integer = (code: string, name: string): FilterItem => ({
  code,
  name,
  check: (v) => (/^-?\d+$/.test(v) ? v : { zh: '应为整数', en: 'must be an integer' }),
});
const date = (code: string, name: string): FilterItem => ({
  code,
  name,
  check: (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? v : { zh: '不是有效日期', en: 'not a valid date' }),
});
const ITEMS = [
  text('street', '所属街道'),
  integer('age', '年龄'),
  date('reg_date', '登记日期'),
  text('person_name', '姓名'),
  text('income', '月收入（元）'),
];

function problem(f: string): { position: number; zh: string } {
  try {
    parseFilter(f, ITEMS);
  } catch (e) {
    if (e instanceof FilterError) return { position: e.position, zh: e.zh };
    throw e;
  }
  throw new Error(`no problem found in ${f}`);
}

describe('the row filter language', () => {
  it('parses the issue example into a tree of the items by code', () => {
    assert.deepEqual(parseFilter("所属街道 = '长城中路街道' AND 年龄 >= 60", ITEMS), {
      op: 'and',
      args: [
        { op: 'cmp', item: 'street', cmp: '=', value: '长城中路街道' },
        { op: 'cmp', item: 'age', cmp: '>=', value: '60' },
      ],
    });
  });
  it('IN, NOT IN, BETWEEN, IS [NOT] NULL, a prefix, OR, NOT and brackets; codes or names; keywords in any case', () => {
    assert.deepEqual(
      parseFilter(
        "street in ('甲', '乙''丙') or (reg_date between '2024-01-01' and '2024-12-31' and 姓名 IS NOT NULL) OR NOT age NOT IN (1) OR 姓名 like '马%' OR \"月收入（元）\" IS NULL",
        ITEMS,
      ),
      {
        op: 'or',
        args: [
          { op: 'in', item: 'street', values: ['甲', "乙'丙"], negated: false },
          {
            op: 'and',
            args: [
              { op: 'between', item: 'reg_date', low: '2024-01-01', high: '2024-12-31' },
              { op: 'null', item: 'person_name', negated: true },
            ],
          },
          { op: 'not', arg: { op: 'in', item: 'age', values: ['1'], negated: true } },
          { op: 'prefix', item: 'person_name', value: '马' },
          { op: 'null', item: 'income', negated: false },
        ],
      },
    );
    assert.equal(parseFilter('   ', ITEMS), null);
  });
  it('an item outside the grant is refused with its position', () => {
    assert.deepEqual(problem("所属街道 = 'x' AND 身份证号 = '1'"), {
      position: 16,
      zh: '“身份证号”不是本授权中的信息项',
    });
  });
  it('what does not parse is refused where it goes wrong, in words', () => {
    assert.equal(problem('年龄 >= ').position, 7);
    assert.match(problem('年龄 >= ').zh, /应为取值/);
    assert.equal(problem("所属街道 = 'x' AND").position, 15, 'the end, where an item should follow');
    assert.equal(problem('(年龄 > 1').position, 8);
    assert.equal(problem("所属街道 = 'unclosed").position, 8);
    assert.equal(problem('年龄 > 1 年龄').position, 8);
    assert.equal(problem('年龄 ~ 1').position, 4);
    assert.match(problem("姓名 LIKE '%马'").zh, /只支持前缀/);
    assert.match(problem("登记日期 > '2024-02-30x'").zh, /登记日期：不是有效日期/);
    assert.match(problem('年龄 > 1.5').zh, /年龄：应为整数/);
  });
  it('SQL in a value is a value, SQL in a name is a name that is not an item', () => {
    assert.deepEqual(parseFilter("所属街道 = 'x''; DROP TABLE resource; --'", ITEMS), {
      op: 'cmp',
      item: 'street',
      cmp: '=',
      value: "x'; DROP TABLE resource; --",
    });
    assert.match(problem('"street; DROP TABLE resource" = 1').zh, /不是本授权中的信息项/);
    assert.match(problem("所属街道 = 'x'; DELETE FROM resource").zh, /无法识别的字符/);
  });
  it('depth and length are bounded', () => {
    assert.match(problem('('.repeat(40) + '年龄 = 1' + ')'.repeat(40)).zh, /嵌套过深/);
    assert.match(problem(`所属街道 = '${'x'.repeat(5000)}'`).zh, /条件过长/);
  });
});
