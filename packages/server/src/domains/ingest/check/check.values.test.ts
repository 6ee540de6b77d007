// Every value against its item: types, lengths, precision, required, value sets, and the format validators
// (resident ID, unified social credit code, mobile and landline, e-mail, Chinese dates and date-times).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { compileItem, copyEscape, parseChineseDateTime, type ItemSpec } from './check.values.ts';
import { residentIdCheck } from '../../../platform/formats.ts';
import { planMigration, widens, ident } from '../table/table.ts';

const item = (o: Partial<ItemSpec>): ItemSpec => ({
  code: 'x',
  name: 'X',
  dataType: 'string',
  length: null,
  precision: null,
  required: false,
  primaryKey: false,
  piiKind: null,
  valueSet: [],
  ...o,
});
const ok = (spec: Partial<ItemSpec>, raw: unknown) => {
  const r = compileItem(item(spec))(raw);
  assert.equal(typeof r, 'string', `${JSON.stringify(raw)} should pass ${JSON.stringify(spec)}: ${JSON.stringify(r)}`);
  return r as string;
};
const bad = (spec: Partial<ItemSpec>, raw: unknown, re: RegExp) => {
  const r = compileItem(item(spec))(raw);
  assert.notEqual(typeof r, 'string', `${JSON.stringify(raw)} should fail ${JSON.stringify(spec)}`);
  assert.match((r as { zh: string }).zh, re);
};

it('resident ID numbers: check digit (GB 11643), real birth date, lower-case x, 15-digit legacy numbers', () => {
  const f17 = '64010619900307123';
  const id = f17 + residentIdCheck(f17);
  assert.equal(ok({ piiKind: 'id_card', length: 18 }, id), id);
  const x = '11010519491231002';
  assert.equal(residentIdCheck(x), 'X');
  assert.equal(ok({ piiKind: 'id_card' }, `${x}x`), `${x}X`, 'stored upper-case');
  bad({ piiKind: 'id_card' }, f17 + (residentIdCheck(f17) === '0' ? '1' : '0'), /GB 11643/);
  const feb30 = '64010619900230123';
  bad({ piiKind: 'id_card' }, feb30 + residentIdCheck(feb30), /GB 11643/);
  assert.equal(ok({ piiKind: 'id_card' }, '640106900307123'), '640106900307123');
  bad({ piiKind: 'id_card' }, '64010619900307', /GB 11643/);
});

it('unified social credit codes (GB 32100), mobile and landline numbers, e-mail', () => {
  ok({ piiKind: 'uscc' }, '91350100M000100Y43');
  assert.equal(ok({ piiKind: 'uscc' }, '91350100m000100y43'), '91350100M000100Y43');
  bad({ piiKind: 'uscc' }, '91350100M000100Y44', /GB 32100/);
  bad({ piiKind: 'uscc' }, '9135010OM000100Y43', /GB 32100/);
  ok({ piiKind: 'mobile' }, '13909510000');
  ok({ piiKind: 'mobile' }, '+86 139-0951-0000');
  bad({ piiKind: 'mobile' }, '12909510000', /手机号码/);
  ok({ piiKind: 'phone' }, '0951-5100001');
  ok({ piiKind: 'phone' }, '13909510000');
  bad({ piiKind: 'phone' }, '12345', /电话号码/);
  ok({ piiKind: 'email' }, 'wang.wei@jinfeng.gov.cn');
  bad({ piiKind: 'email' }, 'wang.wei@', /电子邮箱/);
});

it('dates in the forms district files use; date-times with or without seconds, Chinese and ISO', () => {
  for (const [raw, want] of [
    ['2024-01-05', '2024-01-05'],
    ['2024/1/5', '2024-01-05'],
    ['2024.1.5', '2024-01-05'],
    ['2024年1月5日', '2024-01-05'],
    ['20240105', '2024-01-05'],
    [' 2024-01-05 ', '2024-01-05'],
    ['2024-02-29', '2024-02-29'],
  ])
    assert.equal(ok({ dataType: 'date' }, raw), want);
  for (const raw of ['2023-02-29', '2024-13-01', '2024年2月30日', '2024-1-32', 'yesterday', '45292'])
    bad({ dataType: 'date' }, raw, /不是有效日期/);
  assert.equal(
    ok({ dataType: 'date' }, new Date(Date.UTC(2024, 0, 4, 16, 0))),
    '2024-01-05',
    'an Excel date is Beijing time',
  );
  for (const [raw, want] of [
    ['2024-01-05 08:30:00', '2024-01-05 08:30:00'],
    ['2024-01-05 8:30', '2024-01-05 08:30:00'],
    ['2024/1/5 08:30:15', '2024-01-05 08:30:15'],
    ['2024年1月5日 8时30分', '2024-01-05 08:30:00'],
    ['2024-01-05T00:30:00Z', '2024-01-05 08:30:00'],
    ['2024-01-05', '2024-01-05 00:00:00'],
  ] as const)
    assert.equal(parseChineseDateTime(raw), want, raw);
  for (const raw of ['2024-01-05 24:00:00', '2024-01-05 08:60', '2024-02-30 08:00:00'])
    assert.equal(parseChineseDateTime(raw), null, raw);
});

it('numbers: integers in range, decimals within length and precision, one text per value', () => {
  assert.equal(ok({ dataType: 'integer' }, '+042'), '42');
  assert.equal(ok({ dataType: 'integer' }, 7), '7');
  assert.equal(ok({ dataType: 'integer' }, '9223372036854775807'), '9223372036854775807');
  bad({ dataType: 'integer' }, '9223372036854775808', /超出整数范围/);
  bad({ dataType: 'integer' }, '1.5', /整数/);
  bad({ dataType: 'integer' }, '1,234', /整数/);
  assert.equal(ok({ dataType: 'decimal', length: 10, precision: 2 }, '1234.50'), '1234.5');
  assert.equal(ok({ dataType: 'decimal', length: 10, precision: 2 }, '-0.00'), '0');
  assert.equal(ok({ dataType: 'decimal', length: 10, precision: 2 }, 12.25), '12.25');
  bad({ dataType: 'decimal', length: 10, precision: 2 }, '1.234', /小数位超过 2 位/);
  bad({ dataType: 'decimal', length: 5, precision: 2 }, '1234.5', /整数部分超过 3 位/);
  bad({ dataType: 'decimal' }, '1e5', /数值/);
  assert.equal(ok({ dataType: 'boolean' }, '是'), 't');
  assert.equal(ok({ dataType: 'boolean' }, 'FALSE'), 'f');
  bad({ dataType: 'boolean' }, '也许', /是\/否/);
});

it('strings: length in characters (not bytes), required, value sets, hostile text kept as text', () => {
  assert.equal(ok({ length: 4 }, '宁夏银川'), '宁夏银川');
  bad({ length: 3 }, '宁夏银川', /超过最大长度 3/);
  bad({ required: true }, '   ', /必填/);
  bad({ primaryKey: true }, null, /必填/);
  assert.equal(ok({}, ''), '\\N', 'empty is NULL');
  ok({ valueSet: ['A类', 'B类'] }, 'A类');
  bad({ valueSet: ['A类', 'B类'] }, 'C类', /不在值域内（可选值：A类、B类）/);
  assert.equal(ok({ dataType: 'integer', valueSet: ['1', '2'] }, '02'), '2');
  bad({}, 'a\u0000b', /空字符/);
  bad({}, 'a\uD800b', /无效的 Unicode/);
  bad({}, { nested: true }, /不能是对象/);
  assert.equal(ok({}, "=cmd|' /C calc'!A0"), "=cmd|' /C calc'!A0");
  assert.equal(ok({}, 'tab\there\\path\nnew'), 'tab\\there\\\\path\\nnew', 'COPY text escapes');
  assert.equal(copyEscape('plain'), 'plain');
});

it('table migrations: what widens in place, what needs a rebuild; identifiers are always quoted', () => {
  assert.ok(widens('character varying(20)', 'character varying(60)'));
  assert.ok(!widens('character varying(60)', 'character varying(20)'));
  assert.ok(widens('bigint', 'numeric'));
  assert.ok(widens('numeric(10,2)', 'numeric(12,3)'));
  assert.ok(!widens('numeric(10,2)', 'numeric(10,3)'));
  assert.ok(widens('date', 'timestamp without time zone'));
  assert.ok(widens('boolean', 'text'));
  assert.ok(!widens('text', 'bigint'));
  const cols = [
    { code: 'id', name: 'ID', sqlType: 'bigint', dataType: 'integer', key: true },
    { code: 'n', name: 'N', sqlType: 'character varying(60)', dataType: 'string', key: false },
  ];
  const alter = planMigration(
    't',
    new Map([
      ['id', 'bigint'],
      ['n', 'character varying(20)'],
    ]),
    ['id'],
    [...cols, { code: 'x', name: 'X', sqlType: 'date', dataType: 'date', key: false }],
  );
  assert.equal(alter.kind, 'alter');
  assert.deepEqual(alter.kind === 'alter' && [alter.added, alter.widened], [['x'], ['n']]);
  const rebuild = planMigration(
    't',
    new Map([
      ['id', 'bigint'],
      ['n', 'character varying(20)'],
    ]),
    ['n'],
    cols,
  );
  assert.equal(rebuild.kind, 'rebuild');
  assert.equal(ident('a"b'), '"a""b"');
  assert.throws(() => ident('a\u0000b'));
  assert.throws(() => ident('x'.repeat(64)));
});
