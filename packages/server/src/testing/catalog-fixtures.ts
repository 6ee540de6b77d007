// Factories for catalog tests: a valid resource body with overrides.
import type { ResourceInput } from '../domains/catalog/index.ts';

export function itemBody(
  code: string,
  name: string,
  extra: Partial<ResourceInput['items'][number]> = {},
): ResourceInput['items'][number] {
  return {
    code,
    name,
    dataType: 'string',
    length: 50,
    required: false,
    primaryKey: false,
    sensitivity: 'none',
    ...extra,
  };
}

export function resourceBody(overrides: Partial<ResourceInput> = {}): ResourceInput {
  return {
    name: '房屋维修信息登记',
    category: 'department',
    baseLibrary: 'house',
    summary: '辖区内房屋维修申请、审批与完工登记信息',
    keywords: ['房屋', '维修'],
    format: 'table',
    updateCycle: 'monthly',
    shareType: 'conditional',
    shareCondition: '仅用于住房保障与安全监管业务',
    shareBasis: '《中华人民共和国个人信息保护法》第十三条',
    shareMethods: ['api', 'db_sync'],
    openAttribute: 'closed',
    securityGrade: 'L2',
    responsiblePerson: '王伟',
    responsiblePhone: '0951-5100001',
    items: [
      itemBody('repair_no', '维修登记编号', { primaryKey: true, required: true, length: 32 }),
      itemBody('owner_name', '产权人姓名', { piiKind: 'name', sensitivity: 'personal' }),
      itemBody('owner_id_no', '公民身份证号码', { piiKind: 'id_card', sensitivity: 'sensitive_personal', length: 18 }),
      itemBody('address', '房屋坐落地址', { length: 200 }),
      itemBody('finished_on', '完工日期', { dataType: 'date', length: null }),
    ],
    ...overrides,
  };
}
