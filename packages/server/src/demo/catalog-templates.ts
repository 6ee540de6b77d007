// DEMO DATA: realistic resource templates of a district's units, and the information items they use.
// Pure data and a deterministic generator, so the demo seed and the benchmarks build the same kind of catalog.
import type { ItemInput, ResourceInput } from '../domains/catalog/index.ts';

type ItemSpec = [code: string, name: string, type: string, extra?: Partial<ItemInput>];

const I: Record<string, ItemSpec> = {
  id_no: [
    'id_no',
    '公民身份证号码',
    'string',
    { length: 18, piiKind: 'id_card', sensitivity: 'sensitive_personal', maskingRule: 'mask' },
  ],
  person_name: [
    'person_name',
    '姓名',
    'string',
    { length: 50, piiKind: 'name', sensitivity: 'personal', maskingRule: 'mask' },
  ],
  gender: ['gender', '性别', 'string', { length: 2 }],
  birth_date: [
    'birth_date',
    '出生日期',
    'date',
    { piiKind: 'birth_date', sensitivity: 'personal', maskingRule: 'generalize' },
  ],
  ethnicity: ['ethnicity', '民族', 'string', { length: 20 }],
  mobile: [
    'mobile',
    '联系电话',
    'string',
    { length: 20, piiKind: 'mobile', sensitivity: 'personal', maskingRule: 'mask' },
  ],
  address: [
    'address',
    '现住址',
    'string',
    { length: 200, piiKind: 'address', sensitivity: 'personal', maskingRule: 'mask' },
  ],
  hukou_address: [
    'hukou_address',
    '户籍地址',
    'string',
    { length: 200, piiKind: 'address', sensitivity: 'personal', maskingRule: 'mask' },
  ],
  uscc: ['uscc', '统一社会信用代码', 'string', { length: 18 }],
  org_name: ['org_name', '单位名称', 'string', { length: 200 }],
  legal_rep: ['legal_rep', '法定代表人', 'string', { length: 50, piiKind: 'name', sensitivity: 'personal' }],
  reg_capital: ['reg_capital', '注册资本（万元）', 'decimal', { length: 18, precision: 4 }],
  reg_date: ['reg_date', '成立日期', 'date'],
  reg_authority: ['reg_authority', '登记机关', 'string', { length: 100 }],
  business_scope: ['business_scope', '经营范围', 'string', { length: 2000 }],
  house_no: ['house_no', '不动产单元号', 'string', { length: 28 }],
  house_location: ['house_location', '房屋坐落', 'string', { length: 200 }],
  house_area: ['house_area', '建筑面积（平方米）', 'decimal', { length: 12, precision: 2 }],
  bank_account: [
    'bank_account',
    '开户行账号',
    'string',
    { length: 30, piiKind: 'bank_card', sensitivity: 'sensitive_personal', maskingRule: 'mask' },
  ],
  amount: ['amount', '发放金额（元）', 'decimal', { length: 12, precision: 2 }],
  issue_month: ['issue_month', '发放年月', 'string', { length: 7 }],
  school_code: ['school_code', '学校标识码', 'string', { length: 10 }],
  school_name: ['school_name', '学校名称', 'string', { length: 100 }],
  student_no: ['student_no', '全国学籍号', 'string', { length: 19 }],
  grade: ['grade', '年级', 'string', { length: 20 }],
  plate: [
    'plate',
    '号牌号码',
    'string',
    { length: 10, piiKind: 'plate', sensitivity: 'personal', maskingRule: 'mask' },
  ],
  component_no: ['component_no', '部件编码', 'string', { length: 16 }],
  component_type: ['component_type', '部件类型', 'string', { length: 50 }],
  longitude: ['longitude', '经度', 'decimal', { length: 10, precision: 6 }],
  latitude: ['latitude', '纬度', 'decimal', { length: 10, precision: 6 }],
  status: ['status', '状态', 'string', { length: 20 }],
  record_date: ['record_date', '登记日期', 'date'],
  updated_at: ['updated_time', '更新时间', 'datetime'],
  grid_no: ['grid_no', '网格编号', 'string', { length: 20 }],
  community: ['community', '所属社区', 'string', { length: 100 }],
  license_no: ['license_no', '许可证编号', 'string', { length: 50 }],
  valid_until: ['valid_until', '有效期至', 'date'],
  case_no: ['case_no', '案件编号', 'string', { length: 40 }],
  event_type: ['event_type', '事件类型', 'string', { length: 50 }],
  description: ['event_desc', '事件描述', 'string', { length: 1000 }],
  hospital: ['hospital', '医疗机构名称', 'string', { length: 100 }],
  insured_type: ['insured_type', '参保险种', 'string', { length: 50 }],
  pay_base: ['pay_base', '缴费基数（元）', 'decimal', { length: 12, precision: 2 }],
  employer: ['employer', '就业单位', 'string', { length: 200 }],
  marriage_type: ['marriage_type', '登记类型', 'string', { length: 10 }],
  spouse_id_no: [
    'spouse_id_no',
    '配偶身份证号码',
    'string',
    { length: 18, piiKind: 'id_card', sensitivity: 'sensitive_personal', maskingRule: 'mask' },
  ],
};

export interface ResourceTemplate {
  name: string;
  category: 'base' | 'topic' | 'department';
  baseLibrary: string;
  updateCycle: string;
  shareType: 'unconditional' | 'conditional' | 'none';
  openAttribute?: 'closed' | 'conditional' | 'open';
  format?: string;
  keywords: string[];
  key: string; // item code of the primary key
  items: string[];
  summary: string;
  /** items whose authoritative source (§16, one data one source) is another unit's resource: item → [resource, unit, item] */
  sources?: Record<string, [resource: string, orgCode: string, item: string]>;
}

const T = (
  name: string,
  base: string,
  cycle: string,
  share: ResourceTemplate['shareType'],
  key: string,
  items: string[],
  summary: string,
  keywords: string[],
  extra: Partial<ResourceTemplate> = {},
): ResourceTemplate => ({
  name,
  category: base === 'none' ? 'department' : 'base',
  baseLibrary: base,
  updateCycle: cycle,
  shareType: share,
  key,
  items,
  summary,
  keywords,
  ...extra,
});

/** By organisation code (the demo district's), the resources that unit typically holds. */
export const TEMPLATES: Record<string, ResourceTemplate[]> = {
  gaj: [
    T(
      '户籍人口信息',
      'person',
      'daily',
      'conditional',
      'id_no',
      ['id_no', 'person_name', 'gender', 'birth_date', 'ethnicity', 'hukou_address', 'record_date'],
      '辖区常住户籍人口的基本信息，是人口基础库的权威来源',
      ['户籍', '人口'],
    ),
    T(
      '流动人口居住登记信息',
      'person',
      'weekly',
      'conditional',
      'id_no',
      ['id_no', 'person_name', 'mobile', 'address', 'record_date', 'valid_until'],
      '流动人口居住登记及居住证办理信息',
      ['流动人口', '居住证'],
    ),
    T(
      '机动车登记信息',
      'none',
      'daily',
      'conditional',
      'plate',
      ['plate', 'person_name', 'id_no', 'record_date', 'status'],
      '辖区登记机动车及所有人信息',
      ['机动车'],
    ),
  ],
  scj: [
    T(
      '企业登记信息',
      'legal',
      'daily',
      'unconditional',
      'uscc',
      ['uscc', 'org_name', 'legal_rep', 'reg_capital', 'reg_date', 'reg_authority', 'business_scope', 'status'],
      '辖区企业设立、变更、注销登记信息',
      ['企业', '市场主体'],
      { openAttribute: 'open' },
    ),
    T(
      '个体工商户登记信息',
      'legal',
      'daily',
      'unconditional',
      'uscc',
      ['uscc', 'org_name', 'person_name', 'address', 'reg_date', 'business_scope'],
      '个体工商户登记信息',
      ['个体工商户'],
    ),
    T(
      '食品经营许可信息',
      'none',
      'weekly',
      'unconditional',
      'license_no',
      ['license_no', 'uscc', 'org_name', 'address', 'valid_until'],
      '食品经营许可证核发信息',
      ['食品', '许可'],
      { openAttribute: 'open' },
    ),
  ],
  zrj: [
    T(
      '不动产登记信息',
      'house',
      'daily',
      'conditional',
      'house_no',
      ['house_no', 'house_location', 'house_area', 'person_name', 'id_no', 'record_date'],
      '不动产权利人、坐落、面积等登记信息',
      ['不动产', '产权'],
    ),
    T(
      '国土空间规划地块信息',
      'geo',
      'yearly',
      'unconditional',
      'house_no',
      ['house_no', 'house_location', 'longitude', 'latitude', 'status'],
      '国土空间规划地块边界与用途信息',
      ['规划', '地块'],
      { format: 'spatial' },
    ),
  ],
  mzj: [
    T(
      '低保救助对象信息',
      'person',
      'monthly',
      'conditional',
      'id_no',
      ['id_no', 'person_name', 'hukou_address', 'bank_account', 'amount', 'issue_month'],
      '城乡最低生活保障对象及救助金发放信息',
      ['低保', '社会救助'],
      {
        // the person's identity comes from the household register (§16): the comparison checks it agrees
        sources: {
          id_no: ['户籍人口信息', 'gaj', 'id_no'],
          person_name: ['户籍人口信息', 'gaj', 'person_name'],
          hukou_address: ['户籍人口信息', 'gaj', 'hukou_address'],
        },
      },
    ),
    T(
      '特困供养人员信息',
      'person',
      'monthly',
      'conditional',
      'id_no',
      ['id_no', 'person_name', 'address', 'amount', 'issue_month'],
      '特困人员认定与供养信息',
      ['特困', '救助'],
    ),
    T(
      '婚姻登记信息',
      'person',
      'daily',
      'none',
      'id_no',
      ['id_no', 'person_name', 'spouse_id_no', 'marriage_type', 'record_date'],
      '结婚、离婚登记信息',
      ['婚姻'],
    ),
  ],
  jyj: [
    T(
      '学校基本信息',
      'legal',
      'yearly',
      'unconditional',
      'school_code',
      ['school_code', 'school_name', 'address', 'mobile', 'status'],
      '辖区中小学、幼儿园基本信息',
      ['学校', '教育'],
      { openAttribute: 'open' },
    ),
    T(
      '在校学生学籍信息',
      'person',
      'half_yearly',
      'conditional',
      'student_no',
      ['student_no', 'id_no', 'person_name', 'school_name', 'grade'],
      '在校中小学生学籍信息',
      ['学籍', '学生'],
    ),
  ],
  cgj: [
    T(
      '城市部件普查信息',
      'event',
      'quarterly',
      'unconditional',
      'component_no',
      ['component_no', 'component_type', 'longitude', 'latitude', 'status', 'community'],
      '井盖、路灯、垃圾箱等城市部件普查数据',
      ['城市部件', '普查'],
      { format: 'spatial' },
    ),
    T(
      '城市管理案件信息',
      'event',
      'realtime',
      'conditional',
      'case_no',
      ['case_no', 'event_type', 'description', 'address', 'record_date', 'status'],
      '数字城管受理、派遣、处置案件信息',
      ['城管', '案件'],
    ),
  ],
  wjj: [
    T(
      '医疗机构信息',
      'legal',
      'yearly',
      'unconditional',
      'uscc',
      ['uscc', 'hospital', 'address', 'mobile', 'license_no'],
      '辖区医疗卫生机构执业信息',
      ['医疗机构'],
      { openAttribute: 'open' },
    ),
    T(
      '出生医学证明信息',
      'person',
      'daily',
      'conditional',
      'license_no',
      ['license_no', 'person_name', 'birth_date', 'hospital', 'record_date'],
      '新生儿出生医学证明签发信息',
      ['出生'],
    ),
  ],
  rsj: [
    T(
      '社会保险参保信息',
      'person',
      'monthly',
      'conditional',
      'id_no',
      ['id_no', 'person_name', 'insured_type', 'pay_base', 'employer', 'status'],
      '城镇职工与城乡居民社会保险参保信息',
      ['社保', '参保'],
    ),
    T(
      '就业登记信息',
      'person',
      'monthly',
      'conditional',
      'id_no',
      ['id_no', 'person_name', 'employer', 'record_date'],
      '劳动者就业与失业登记信息',
      ['就业'],
    ),
  ],
  zjj: [
    T(
      '房屋维修信息登记',
      'house',
      'monthly',
      'conditional',
      'house_no',
      ['house_no', 'house_location', 'person_name', 'mobile', 'record_date', 'status'],
      '老旧小区房屋维修申请、审批与完工信息',
      ['房屋', '维修'],
    ),
    T(
      '建设工程施工许可信息',
      'none',
      'weekly',
      'unconditional',
      'license_no',
      ['license_no', 'uscc', 'org_name', 'house_location', 'valid_until'],
      '建设工程施工许可证核发信息',
      ['施工许可'],
      { openAttribute: 'open' },
    ),
  ],
  yjj: [
    T(
      '安全生产行政执法信息',
      'none',
      'monthly',
      'unconditional',
      'case_no',
      ['case_no', 'uscc', 'org_name', 'event_type', 'record_date'],
      '安全生产监督检查与行政处罚信息',
      ['安全生产', '执法'],
    ),
  ],
  ybj: [
    T(
      '医疗保障参保缴费信息',
      'person',
      'monthly',
      'conditional',
      'id_no',
      ['id_no', 'person_name', 'insured_type', 'amount', 'issue_month'],
      '基本医疗保险参保缴费信息',
      ['医保'],
    ),
  ],
  tyj: [
    T(
      '退役军人基本信息',
      'person',
      'quarterly',
      'none',
      'id_no',
      ['id_no', 'person_name', 'birth_date', 'address', 'mobile'],
      '退役军人和其他优抚对象信息',
      ['退役军人', '优抚'],
    ),
  ],
  spj: [
    T(
      '政务服务办件信息',
      'none',
      'realtime',
      'conditional',
      'case_no',
      ['case_no', 'event_type', 'person_name', 'id_no', 'record_date', 'status'],
      '政务服务事项受理与办结信息',
      ['办件', '政务服务'],
    ),
  ],
  // every town or street
  _town: [
    T(
      '网格员信息',
      'none',
      'monthly',
      'conditional',
      'grid_no',
      ['grid_no', 'person_name', 'mobile', 'community'],
      '网格化管理网格员与网格划分信息',
      ['网格'],
    ),
    T(
      '辖区居民户信息',
      'person',
      'monthly',
      'conditional',
      'id_no',
      ['id_no', 'person_name', 'address', 'mobile', 'community'],
      '社区居民户籍与居住情况信息',
      ['居民', '社区'],
    ),
    T(
      '社区矛盾纠纷排查信息',
      'event',
      'weekly',
      'conditional',
      'case_no',
      ['case_no', 'event_type', 'description', 'community', 'record_date', 'status'],
      '矛盾纠纷排查调处信息',
      ['矛盾纠纷'],
    ),
    T(
      '高龄老人津贴发放信息',
      'person',
      'monthly',
      'conditional',
      'id_no',
      ['id_no', 'person_name', 'birth_date', 'bank_account', 'amount', 'issue_month'],
      '高龄老人津贴申领与发放信息',
      ['高龄', '津贴'],
    ),
    T(
      '社区养老服务设施信息',
      'event',
      'quarterly',
      'unconditional',
      'component_no',
      ['component_no', 'org_name', 'address', 'longitude', 'latitude', 'status'],
      '日间照料中心、老年饭桌等养老服务设施信息',
      ['养老', '设施'],
      { openAttribute: 'open' },
    ),
    T(
      '辖区企业走访服务信息',
      'legal',
      'monthly',
      'conditional',
      'case_no',
      ['case_no', 'uscc', 'org_name', 'description', 'record_date'],
      '包抓企业走访与诉求办理信息',
      ['企业服务', '走访'],
    ),
  ],
  // any other bureau or institution
  _unit: [
    T(
      '行政许可信息',
      'none',
      'weekly',
      'unconditional',
      'license_no',
      ['license_no', 'uscc', 'org_name', 'record_date', 'valid_until'],
      '行政许可决定信息（双公示）',
      ['行政许可', '双公示'],
      { openAttribute: 'open' },
    ),
    T(
      '行政处罚信息',
      'none',
      'weekly',
      'unconditional',
      'case_no',
      ['case_no', 'uscc', 'org_name', 'event_type', 'record_date'],
      '行政处罚决定信息（双公示）',
      ['行政处罚', '双公示'],
      { openAttribute: 'open' },
    ),
    T(
      '权责清单信息',
      'none',
      'irregular',
      'unconditional',
      'case_no',
      ['case_no', 'event_type', 'description', 'status'],
      '部门行政权力事项与责任事项清单',
      ['权责清单'],
      { openAttribute: 'open' },
    ),
    T(
      '政务服务事项信息',
      'none',
      'irregular',
      'unconditional',
      'case_no',
      ['case_no', 'event_type', 'description', 'valid_until'],
      '依申请政务服务事项的办理条件、材料和时限',
      ['办事指南', '政务服务'],
      { openAttribute: 'open' },
    ),
  ],
};

/**
 * A template made into a resource body (the unit's name leads for town-level templates); the contact is the unit's
 * own, as the Organisations page lists it. `sourceCodes` gives the catalog code of each source resource already made.
 */
export function templateToInput(
  t: ResourceTemplate,
  prefix: string,
  contact: { person: string; phone: string },
  sourceCodes: Map<string, string> = new Map(),
): ResourceInput {
  const items: ItemInput[] = t.items.map((k) => {
    const [code, name, dataType, extra] = I[k]!;
    const primaryKey = k === t.key;
    const source = t.sources?.[k];
    const sourceCode = source ? sourceCodes.get(`${source[1]}/${source[0]}`) : undefined;
    return {
      code,
      name,
      dataType,
      required: primaryKey,
      primaryKey,
      sensitivity: 'none',
      ...extra,
      ...(source && sourceCode ? { sourceResourceCode: sourceCode, sourceItemCode: source[2] } : {}),
    };
  });
  const restricted = t.shareType !== 'unconditional';
  return {
    name: prefix + t.name,
    category: t.category,
    baseLibrary: t.baseLibrary,
    summary: t.summary,
    keywords: t.keywords,
    format: t.format ?? 'table',
    updateCycle: t.updateCycle,
    shareType: t.shareType,
    shareCondition: restricted
      ? t.shareType === 'none'
        ? '涉及个人隐私，法律法规禁止共享'
        : '仅限履行法定职责使用，需说明业务场景'
      : null,
    shareBasis: restricted
      ? t.shareType === 'none'
        ? '《中华人民共和国个人信息保护法》第二十八条'
        : '《中华人民共和国个人信息保护法》第十三条；《金凤区公共数据资源管理办法(试行)》第二十四条'
      : null,
    shareMethods: t.shareType === 'none' ? [] : ['api', 'file', 'db_sync'],
    openAttribute: t.openAttribute ?? 'closed',
    openCondition: null,
    securityGrade: items.some((i) => i.sensitivity === 'sensitive_personal')
      ? 'L3'
      : items.some((i) => i.piiKind)
        ? 'L2'
        : 'L1',
    responsiblePerson: contact.person,
    responsiblePhone: contact.phone,
    items,
  };
}

export type DemoState = 'approved' | 'approved_with_change' | 'submitted' | 'returned' | 'draft' | 'withdrawn';
const STATES: DemoState[] = [
  'approved',
  'approved',
  'approved',
  'approved',
  'approved',
  'approved_with_change',
  'submitted',
  'returned',
  'draft',
  'approved',
  'submitted',
  'approved',
  'draft',
  'approved',
  'withdrawn',
];

/** The demo catalog: for each organisation its templates, cycling through the workflow states. */
export function demoCatalogPlan(
  orgs: { code: string; name: string; kind: string }[],
): { orgCode: string; template: ResourceTemplate; prefix: string; state: DemoState }[] {
  const plan: { orgCode: string; template: ResourceTemplate; prefix: string; state: DemoState }[] = [];
  for (const o of orgs) {
    if (o.kind === 'center' || o.kind === 'cac') continue;
    const own = TEMPLATES[o.code] ?? [];
    const shared = o.kind === 'town_street' ? TEMPLATES._town! : TEMPLATES._unit!;
    const prefix = o.kind === 'town_street' ? o.name.replace(/办事处|人民政府/, '') : '';
    // a unit's own flagship resources are in the district catalog; the shared templates show every state
    for (const t of own) plan.push({ orgCode: o.code, template: t, prefix: '', state: 'approved' });
    for (const t of shared)
      plan.push({
        orgCode: o.code,
        template: t,
        prefix: o.kind === 'town_street' ? prefix : o.name.replace(/^金凤区|^银川市/, ''),
        state: STATES[plan.length % STATES.length]!,
      });
  }
  return plan;
}
