// Rules for a resource and its items, with a field path for every problem (items.3.code …).
// 'save' checks shapes and identifiers; 'submit' adds the completeness rules a reviewer relies on.
import type { FieldError } from '../../platform/errors.ts';
import { codeWords as wordsOf, PII_MIN_SENSITIVITY, SENSITIVITY_ORDER, SHARE_ORDER } from './catalog.codes.ts';
import type { ResourceInput } from './catalog.schemas.ts';

/** Item codes become column names of the resource's data table: never a reserved word or a system column. */
export const RESERVED_ITEM_CODES = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation column concurrently constraint create cross ' +
    'current_catalog current_date current_role current_schema current_time current_timestamp current_user default deferrable desc distinct do else end except ' +
    'false fetch for foreign freeze from full grant group having ilike in initially inner intersect into is isnull join lateral leading left like limit localtime ' +
    'localtimestamp natural not notnull null offset on only or order outer overlaps placing primary references returning right select session_user similar some ' +
    'symmetric system_user table tablesample then to trailing true union unique user using variadic verbose when where window with ' +
    'oid tableoid xmin xmax cmin cmax ctid row_id batch_id loaded_at'
  ).split(' '),
);
export const ITEM_CODE_RE = /^[a-z][a-z0-9_]{0,62}$/;

export type CodeLookup = (table: string, code: string) => boolean;

const m = (zh: string, en: string) => ({ zh, en });

export function validateResource(input: ResourceInput, mode: 'save' | 'submit', known: CodeLookup): FieldError[] {
  const errs: FieldError[] = [];
  const add = (field: string, zh: string, en: string) => errs.push({ field, message: m(zh, en) });
  const codeField = (field: string, table: string, value: string | null | undefined) => {
    if (value && !known(table, value)) add(field, `不是有效的代码：${value}`, `is not a code of ${table}: ${value}`);
  };

  codeField('category', 'category', input.category);
  codeField('baseLibrary', 'base_library', input.baseLibrary);
  codeField('format', 'format', input.format);
  codeField('updateCycle', 'update_cycle', input.updateCycle);
  codeField('securityGrade', 'security_grade', input.securityGrade);
  (input.shareMethods ?? []).forEach((x, i) => codeField(`shareMethods.${i}`, 'share_method', x));
  if (new Set(input.shareMethods ?? []).size !== (input.shareMethods ?? []).length)
    add('shareMethods', '有重复项', 'has duplicates');

  if (mode === 'submit') {
    if (input.shareType !== 'unconditional') {
      if (!input.shareCondition?.trim())
        add(
          'shareCondition',
          '有条件共享或不予共享须说明条件或理由',
          'a conditional or not-shared resource needs its condition or reason',
        );
      if (!input.shareBasis?.trim())
        add(
          'shareBasis',
          '有条件共享或不予共享须填写法律法规依据',
          'a conditional or not-shared resource needs its legal basis',
        );
    }
    if (input.shareType !== 'none' && !(input.shareMethods ?? []).length)
      add('shareMethods', '请选择至少一种共享方式', 'choose at least one share method');
    if (input.openAttribute === 'conditional' && !input.openCondition?.trim())
      add('openCondition', '有条件开放须说明开放条件', 'conditional opening needs its conditions');
    if (!input.summary?.trim()) add('summary', '请填写资源摘要', 'a summary is required');
    if (!input.responsiblePerson?.trim())
      add('responsiblePerson', '请填写责任人', 'the responsible person is required');
    if (!input.items.length && input.format === 'table')
      add('items', '库表类资源至少需要一个信息项', 'a tabular resource needs at least one item');
    if (input.format === 'table' && input.items.length && !input.items.some((i) => i.primaryKey))
      add('items', '库表类资源须指定主键信息项', 'a tabular resource needs a primary-key item');
  }

  const seen = new Map<string, number>();
  input.items.forEach((it, i) => {
    const f = (name: string) => `items.${i}.${name}`;
    if (!ITEM_CODE_RE.test(it.code))
      add(
        f('code'),
        '信息项代码须以小写字母开头，只含小写字母、数字和下划线，不超过 63 位',
        'must start with a lower-case letter and contain only a-z, 0-9 and _ (at most 63)',
      );
    else if (RESERVED_ITEM_CODES.has(it.code))
      add(f('code'), `“${it.code}”是保留字，不能用作信息项代码`, `"${it.code}" is a reserved word`);
    if (seen.has(it.code))
      add(f('code'), `与第 ${seen.get(it.code)! + 1} 个信息项代码重复`, `duplicates item ${seen.get(it.code)! + 1}`);
    else seen.set(it.code, i);
    codeField(f('dataType'), 'data_type', it.dataType);
    codeField(f('sensitivity'), 'sensitivity', it.sensitivity);
    codeField(f('piiKind'), 'pii_kind', it.piiKind);
    codeField(f('maskingRule'), 'masking_rule', it.maskingRule);
    if (it.dataType === 'decimal' && it.precision != null && it.length != null && it.precision > it.length)
      add(f('precision'), '小数位数不能大于总长度', 'cannot exceed the length');
    if (it.precision != null && it.dataType !== 'decimal')
      add(f('precision'), '只有数值型可以设置小数位数', 'only decimals have a precision');
    if (it.primaryKey && !it.required)
      add(f('required'), '主键信息项必须为必填', 'a primary-key item must be required');
    if (it.piiKind) {
      const min = PII_MIN_SENSITIVITY[it.piiKind] ?? 'personal';
      if ((SENSITIVITY_ORDER[it.sensitivity ?? 'none'] ?? 0) < SENSITIVITY_ORDER[min]!)
        add(
          f('sensitivity'),
          `个人信息类别为“${wordsOf('pii_kind', it.piiKind).zh}”的信息项，敏感程度至少为“${wordsOf('sensitivity', min).zh}”`,
          `an item of PII kind “${wordsOf('pii_kind', it.piiKind).en}” is at least “${wordsOf('sensitivity', min).en}”`,
        );
    }
    if (it.shareType) {
      if (SHARE_ORDER[it.shareType] < SHARE_ORDER[input.shareType])
        add(
          f('shareType'),
          '信息项的共享类型只能比资源更严格，不能更宽松',
          'may be stricter than the resource\u2019s share type, never looser',
        );
      if (
        mode === 'submit' &&
        it.shareType !== 'unconditional' &&
        SHARE_ORDER[it.shareType] > SHARE_ORDER[input.shareType]
      ) {
        if (!it.shareCondition?.trim()) add(f('shareCondition'), '须说明条件或理由', 'needs its condition or reason');
        if (!it.shareBasis?.trim()) add(f('shareBasis'), '须填写法律法规依据', 'needs its legal basis');
      }
    }
    if (it.valueSet?.length) {
      const seen = new Set<string>();
      it.valueSet.forEach((v, j) => {
        if (seen.has(v.trim())) add(f(`valueSet.${j}`), `值域中重复的值：${v}`, `repeats the value ${v}`);
        seen.add(v.trim());
        if (it.length && it.dataType === 'string' && [...v.trim()].length > it.length)
          add(f(`valueSet.${j}`), `超过信息项长度 ${it.length}`, `is longer than the item length ${it.length}`);
      });
      if (it.dataType !== 'string' && it.dataType !== 'integer')
        add(f('valueSet'), '只有字符型和整数型信息项可以设置值域', 'only string and integer items have a value set');
      if (it.dataType === 'integer' && it.valueSet.some((v) => !/^[+-]?\d{1,18}$/.test(v.trim())))
        add(f('valueSet'), '整数型信息项的值域只能是整数', 'the value set of an integer item holds integers only');
    }
    if ((it.sourceResourceCode && !it.sourceItemCode) || (!it.sourceResourceCode && it.sourceItemCode))
      add(
        f('sourceItemCode'),
        '权威来源须同时填写资源代码和信息项代码',
        'the authoritative source needs both a resource code and an item code',
      );
  });
  return errs;
}
