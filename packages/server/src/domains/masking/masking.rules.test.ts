import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { detokenize, maskValue, scopeKeys, tokenize, type Column, type Rule } from './masking.rules.ts';
import { suggestFromName, suggestFromValues, suggest } from './masking.detect.ts';
import { defaultProfile, looserItems } from './masking.profile.ts';
import fc from 'fast-check';
import { isBankCard, isResidentId, isUscc, parseChineseDate, residentIdCheck } from '../../platform/formats.ts';

const master = randomBytes(32);
const keys = scopeKeys(master, 'grant-1');
const S = (piiKind: string | null, length: number | null = null): Column => ({
  code: 'x',
  dataType: 'string',
  piiKind,
  length,
});
const mask: Rule = { rule: 'mask' };
const m = (v: unknown, c: Column, r: Rule = mask) => maskValue(v, c, r, keys, new Date('2026-11-29T00:00:00Z'));

describe('mask, by kind', () => {
  it('resident ID keeps 6 + 4, including 15-digit legacy numbers and X check digits', () => {
    assert.equal(m('64010619900307123X', S('id_card')), '640106********123X');
    assert.equal(m('640106900307123', S('id_card')), '640106*****7123');
  });
  it('mobile 3 + 4, bank card 6 + 4, landline, passport, plate, e-mail', () => {
    assert.equal(m('13912345678', S('mobile')), '139****5678');
    assert.equal(m('6222021234567890123', S('bank_card')), '622202*********0123');
    assert.equal(m('0951-5100001', S('phone')), '0951******01');
    assert.equal(m('E12345678', S('passport')), 'E*****678');
    assert.equal(m('宁A12345', S('plate')), '宁A****5');
    assert.equal(m('zhangwei@example.com', S('email')), 'z***@example.com');
  });
  it('names keep the surname, compound surnames included, for 2, 3 and 4 characters', () => {
    assert.equal(m('王伟', S('name')), '王*');
    assert.equal(m('张建华', S('name')), '张**');
    assert.equal(m('欧阳娜娜', S('name')), '欧阳**');
    assert.equal(m('司马光', S('name')), '司马*');
    assert.equal(m('诸葛亮', S('name')), '诸葛*');
  });
  it('addresses keep province / city / district / street and hide the rest, with or without a street', () => {
    assert.equal(
      m('宁夏回族自治区银川市金凤区满城北街街道阅海万家3号楼2单元501', S('address')),
      '宁夏回族自治区银川市金凤区满城北街街道********',
    );
    assert.equal(m('银川市金凤区北京中路168号', S('address')), '银川市金凤区********');
    assert.equal(m('阅海万家小区', S('address')), '******');
    // levels only some of which are there (a level whose words are absent is not searched)
    assert.equal(m('金凤区长城中路街道12号', S('address')), '金凤区长城中路街道***');
    assert.equal(m('兴庆区掌政镇强家庙村', S('address')), '兴庆区掌政镇****');
    assert.equal(m('贺兰县洪广镇', S('address')), '贺兰县洪广镇*');
    assert.equal(m('永宁县望洪镇超市旁', S('address')), '永宁县望洪镇***');
  });
  it('full-width characters, very long values, empty and null values', () => {
    assert.equal(m('１３９１２３４５６７８', S('mobile')), '１３９****５６７８');
    const long = '甲'.repeat(5000);
    assert.equal((m(long, S(null)) as string).length, 5000);
    assert.equal(m('', S('mobile')), '');
    assert.equal(m(null, S('mobile')), null);
    assert.equal(m(undefined, S('mobile')), undefined);
  });
  it('explicit keep-first / keep-last, and values shorter than what they keep', () => {
    assert.equal(m('ABCDEFG', S(null), { rule: 'mask', keepFirst: 1, keepLast: 1, fill: '#' }), 'A#####G');
    assert.equal(m('13', S('mobile')), '1*');
  });
});

describe('hash, tokenize, generalize, truncate, suppress, none', () => {
  it('hash is a keyed pseudonym: the same within a scope, different across scopes, and marked as one', () => {
    const a = m('64010619900307123X', S('id_card', 18), { rule: 'hash' });
    assert.equal(a, m('64010619900307123X', S('id_card', 18), { rule: 'hash' }));
    assert.match(a as string, /^ps_[0-9a-f]{16}$/);
    const other = maskValue('64010619900307123X', S('id_card', 18), { rule: 'hash' }, scopeKeys(master, 'grant-2'));
    assert.notEqual(a, other);
  });
  it('tokenize is deterministic and reverses only with the keys of its scope', () => {
    const t = tokenize(keys, '13912345678');
    assert.equal(t, tokenize(keys, '13912345678'));
    assert.equal(detokenize(keys, t), '13912345678');
    assert.throws(() => detokenize(scopeKeys(master, 'grant-2'), t));
    assert.throws(() => detokenize(keys, t.slice(0, -2) + 'AA'));
  });
  it('generalize writes a range or a period as one: a year, a month, an age band, a bucket, an address level', () => {
    const date: Column = { code: 'd', dataType: 'date', piiKind: null };
    assert.equal(m('2024-07-19', date, { rule: 'generalize', to: 'year' }), '2024年');
    assert.equal(m('2024-07-19', date, { rule: 'generalize', to: 'month' }), '2024年7月');
    assert.equal(
      m(new Date('2024-07-19T08:00:00Z'), { code: 't', dataType: 'datetime' }, { rule: 'generalize' }),
      '2024年',
    );
    // the birth date of the issue: 1950-1956 births no longer read as a birthday (1947-01-01)
    assert.equal(m('1990-03-07', S('birth_date'), { rule: 'generalize' }), '30-39岁');
    assert.equal(
      m('1953-05-01', { code: 'b', dataType: 'date', piiKind: 'birth_date' }, { rule: 'generalize' }),
      '70-79岁',
    );
    assert.equal(m(123456, { code: 'n', dataType: 'integer' }, { rule: 'generalize', bucket: 10000 }), '120000-129999');
    assert.equal(m('3456.78', { code: 'n', dataType: 'decimal' }, { rule: 'generalize' }), '[3000, 4000)');
    assert.equal(
      m('宁夏回族自治区银川市金凤区满城北街街道阅海万家', S('address'), { rule: 'generalize', to: 'district' }),
      '宁夏回族自治区银川市金凤区（以下略）',
    );
  });
  it('truncate, suppress and none', () => {
    assert.equal(m('银川市金凤区', S(null), { rule: 'truncate', keepFirst: 3 }), '银川市…');
    assert.equal(m('王伟', S('name'), { rule: 'truncate', keepFirst: 3 }), '王伟…', 'marked even when nothing was cut');
    assert.equal(m('x', S(null), { rule: 'suppress' }), null);
    assert.equal(m('x', S(null), { rule: 'none' }), 'x');
  });
  it('rules that would break a typed column suppress it instead', () => {
    assert.equal(m(42, { code: 'n', dataType: 'integer' }, { rule: 'mask' }), null);
    assert.equal(m('2024-01-01', { code: 'd', dataType: 'date' }, { rule: 'hash' }), null);
  });
});

describe('a masked value never passes for a real one', () => {
  // a fixed seed: the same values every run (a failure names the value and the rule)
  const sample = <T>(arb: fc.Arbitrary<T>, n: number) => fc.sample(arb, { numRuns: n, seed: 20261206 });
  const digits = (n: number) => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`));
  const residentIds = fc
    .tuple(
      fc.integer({ min: 110000, max: 659999 }),
      fc.date({ min: new Date('1930-01-01'), max: new Date('2020-12-31'), noInvalidDate: true }),
      digits(3),
    )
    .map(([region, born, seq]) => {
      const first17 = `${region}${born.toISOString().slice(0, 10).replace(/-/g, '')}${seq}`;
      return first17 + residentIdCheck(first17);
    });
  const mobiles = fc.tuple(fc.constantFrom('13', '15', '17', '18', '19'), digits(9)).map(([a, b]) => a + b);
  const luhn = (body: string) => {
    let sum = 0;
    for (let i = 0; i < body.length; i++) {
      let d = Number(body[body.length - 1 - i]);
      if (i % 2 === 0) d *= 2;
      sum += d > 9 ? d - 9 : d;
    }
    return body + ((10 - (sum % 10)) % 10);
  };
  const bankCards = digits(15).map((b) => luhn('6' + b));
  const dates = fc
    .date({ min: new Date('1930-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10));
  const valid: { kind: string; col: Column; values: string[]; isValid(v: string): boolean }[] = [
    { kind: 'id_card', col: S('id_card', 18), values: sample(residentIds, 200), isValid: isResidentId },
    { kind: 'mobile', col: S('mobile', 11), values: sample(mobiles, 200), isValid: (v) => /^1[3-9][0-9]{9}$/.test(v) },
    { kind: 'bank_card', col: S('bank_card', 19), values: sample(bankCards, 200), isValid: isBankCard },
    {
      kind: 'birth_date',
      col: { code: 'b', dataType: 'date', piiKind: 'birth_date' },
      values: sample(dates, 200),
      isValid: (v) => parseChineseDate(v) !== null,
    },
    {
      kind: 'date',
      col: { code: 'd', dataType: 'date', piiKind: null },
      values: sample(dates, 200),
      isValid: (v) => parseChineseDate(v) !== null,
    },
    {
      kind: 'amount',
      col: { code: 'n', dataType: 'integer', piiKind: null },
      values: sample(fc.integer({ min: 0, max: 10_000_000 }), 200).map(String),
      isValid: (v) => /^-?[0-9]+(\.[0-9]+)?$/.test(v),
    },
  ];
  const rules: Rule[] = [
    { rule: 'mask' },
    { rule: 'hash' },
    { rule: 'tokenize' },
    { rule: 'generalize' },
    { rule: 'generalize', to: 'year' },
    { rule: 'generalize', to: 'month' },
    { rule: 'generalize', to: 'age_band' },
    { rule: 'truncate', keepFirst: 30 },
    { rule: 'suppress' },
    { rule: 'no-such-rule' },
  ];
  for (const v of valid)
    it(`${v.kind}: no strategy's output is a valid ${v.kind} (nor a parseable date, nor a plain number)`, () => {
      for (const r of rules)
        for (const value of v.values) {
          const out = m(value, v.col, r);
          if (out === null) continue; // suppressed: no value at all
          const text = String(out);
          const what = `${r.rule}${r.to ? `/${r.to}` : ''} of ${value} gave ${text}`;
          assert.equal(v.isValid(text), false, what);
          assert.equal(parseChineseDate(text), null, `${what}: reads as a date`);
          assert.ok(!/^-?[0-9]+(\.[0-9]+)?$/.test(text), `${what}: reads as a number`);
          assert.notEqual(text, value, what);
        }
    });
});

describe('fail closed', () => {
  it('an unknown rule masks the whole value; a missing rule too; an unknown kind hides everything', () => {
    assert.equal(m('13912345678', S('mobile'), { rule: 'reveal' }), '***********');
    assert.equal(maskValue('13912345678', S('mobile'), undefined, keys), '***********');
    assert.equal(m('秘密数据', S('martian')), '****');
    assert.equal(m(5, { code: 'n', dataType: 'integer' }, { rule: 'reveal' }), null);
  });
});

describe('profiles', () => {
  const items = [
    {
      code: 'id_no',
      name: '公民身份证号码',
      dataType: 'string',
      piiKind: 'id_card',
      sensitivity: 'sensitive_personal',
    },
    { code: 'person_name', name: '姓名', dataType: 'string', piiKind: 'name', sensitivity: 'personal' },
    { code: 'amount', name: '金额', dataType: 'decimal', sensitivity: 'none' },
  ];
  it('defaults follow the PII kinds; higher grades mask more', () => {
    assert.deepEqual(defaultProfile(items, 'L2'), {
      id_no: { rule: 'mask' },
      person_name: { rule: 'mask' },
      amount: { rule: 'none' },
    });
    assert.equal(defaultProfile(items, 'L3').id_no!.rule, 'hash');
    assert.equal(defaultProfile(items, 'L4').id_no!.rule, 'suppress');
    assert.equal(defaultProfile(items, 'important').person_name!.rule, 'suppress');
  });
  it('a profile that loosens an item is told apart from one that tightens', () => {
    const base = defaultProfile(items, 'L2');
    assert.deepEqual(looserItems(base, { ...base, id_no: { rule: 'none' } }), ['id_no']);
    assert.deepEqual(looserItems(base, { ...base, id_no: { rule: 'suppress' } }), []);
  });
});

describe('validators and detection', () => {
  it('resident IDs by check digit and real date; USCC; bank cards by Luhn; Chinese dates', () => {
    const first17 = '64010619900307123';
    const id = first17 + residentIdCheck(first17);
    assert.equal(isResidentId(id), true);
    assert.equal(isResidentId(first17 + (residentIdCheck(first17) === '0' ? '1' : '0')), false);
    assert.equal(isResidentId('640106199002301234'), false, 'February 30th');
    assert.equal(isUscc('91350100M000100Y43'), true);
    assert.equal(isBankCard('6222021234567890123'), false);
    assert.equal(isBankCard('4111111111111111'), true);
    for (const [v, want] of [
      ['2024-01-05', '2024-01-05'],
      ['2024/1/5', '2024-01-05'],
      ['2024年1月5日', '2024-01-05'],
      ['20240105', '2024-01-05'],
      ['2024-02-30', null],
    ] as const)
      assert.equal(parseChineseDate(v), want);
  });

  it('detection precision on a labelled sample of item names', () => {
    const labelled: [string, string | null][] = [
      ['公民身份号码', 'id_card'],
      ['身份证号', 'id_card'],
      ['证件号码', 'id_card'],
      ['联系电话', 'mobile'],
      ['手机', 'mobile'],
      ['手机号码', 'mobile'],
      ['姓名', 'name'],
      ['产权人', 'name'],
      ['法定代表人', 'name'],
      ['住址', 'address'],
      ['户籍地址', 'address'],
      ['家庭住址', 'address'],
      ['开户行账号', 'bank_card'],
      ['银行卡号', 'bank_card'],
      ['统一社会信用代码', 'uscc'],
      ['电子邮箱', 'email'],
      ['车牌号码', 'plate'],
      ['出生日期', 'birth_date'],
      ['单位名称', null],
      ['登记日期', null],
      ['金额', null],
      ['状态', null],
      ['办公地址编码', null],
      ['学校名称', null],
      ['备注', null],
      ['经营范围', null],
    ];
    let correct = 0;
    for (const [name, kind] of labelled) if ((suggestFromName(name)?.kind ?? null) === kind) correct++;
    assert.ok(correct / labelled.length >= 0.95, `precision ${correct}/${labelled.length}`);
  });

  it('detection from values uses validators: check digits, not only patterns', () => {
    const ids = Array.from({ length: 20 }, (_, i) => {
      const f = `6401061990030${String(1000 + i).slice(-4)}`;
      return f + residentIdCheck(f);
    });
    assert.equal(suggestFromValues(ids)?.kind, 'id_card');
    const fake = ids.map((x) => x.slice(0, 17) + (x[17] === '0' ? '1' : '0')); // 18 digits, wrong check digit
    assert.notEqual(suggestFromValues(fake)?.kind, 'id_card');
    assert.equal(suggestFromValues(['13912345678', '18600001111', '15299998888'])?.kind, 'mobile');
    assert.equal(suggestFromValues(['王伟', '欧阳娜娜', '张建华', '李静'])?.kind, 'name');
    assert.equal(suggestFromValues(['开会', '已办结', '通过'])?.kind ?? null, null);
    const both = suggest('联系电话', ['13912345678', '18600001111']);
    assert.equal(both?.source, 'both');
    assert.ok(both!.confidence > 0.9);
  });
});
