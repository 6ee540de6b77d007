// DEMO DATA. The demo district: Jinfeng District (金凤区), Yinchuan — its Center, cyberspace office,
// towns/streets and bureaus, as they are named in reality. Everything made from this is flagged is_demo.
import type { OrgKind } from '../db/schema.ts';

export interface DemoOrg {
  code: string;
  name: string;
  kind: OrgKind;
}

export const DEMO_REGION_CODE = '640106'; // 宁夏回族自治区银川市金凤区

export const DEMO_ORGS: DemoOrg[] = [
  { code: 'center', name: '金凤区智慧城市运营中心', kind: 'center' },
  { code: 'cac', name: '中共银川市金凤区委网络安全和信息化委员会办公室', kind: 'cac' },
  { code: 'mcbj', name: '满城北街街道办事处', kind: 'town_street' },
  { code: 'hhdl', name: '黄河东路街道办事处', kind: 'town_street' },
  { code: 'bjzl', name: '北京中路街道办事处', kind: 'town_street' },
  { code: 'cczl', name: '长城中路街道办事处', kind: 'town_street' },
  { code: 'shxl', name: '上海西路街道办事处', kind: 'town_street' },
  { code: 'yhjd', name: '阅海街道办事处', kind: 'town_street' },
  { code: 'ltz', name: '良田镇人民政府', kind: 'town_street' },
  { code: 'fdz', name: '丰登镇人民政府', kind: 'town_street' },
  { code: 'fgj', name: '金凤区发展和改革局', kind: 'bureau' },
  { code: 'jyj', name: '金凤区教育局', kind: 'bureau' },
  { code: 'mzj', name: '金凤区民政局', kind: 'bureau' },
  { code: 'sfj', name: '金凤区司法局', kind: 'bureau' },
  { code: 'czj', name: '金凤区财政局', kind: 'bureau' },
  { code: 'rsj', name: '金凤区人力资源和社会保障局', kind: 'bureau' },
  { code: 'zjj', name: '金凤区住房和城乡建设局', kind: 'bureau' },
  { code: 'nyj', name: '金凤区农业农村和水务局', kind: 'bureau' },
  { code: 'swj', name: '金凤区商务和投资促进局', kind: 'bureau' },
  { code: 'wlj', name: '金凤区文化旅游体育广电局', kind: 'bureau' },
  { code: 'wjj', name: '金凤区卫生健康局', kind: 'bureau' },
  { code: 'tyj', name: '金凤区退役军人事务局', kind: 'bureau' },
  { code: 'yjj', name: '金凤区应急管理局', kind: 'bureau' },
  { code: 'sjj', name: '金凤区审计局', kind: 'bureau' },
  { code: 'tjj', name: '金凤区统计局', kind: 'bureau' },
  { code: 'ybj', name: '金凤区医疗保障局', kind: 'bureau' },
  { code: 'spj', name: '金凤区审批服务管理局', kind: 'bureau' },
  { code: 'cgj', name: '金凤区城市管理局', kind: 'bureau' },
  { code: 'gaj', name: '银川市公安局金凤区分局', kind: 'vertical' },
  { code: 'scj', name: '银川市市场监督管理局金凤区分局', kind: 'vertical' },
  { code: 'zrj', name: '银川市自然资源局金凤分局', kind: 'vertical' },
  { code: 'sthj', name: '银川市生态环境局金凤分局', kind: 'vertical' },
  { code: 'cdc', name: '金凤区疾病预防控制中心', kind: 'institution' },
  { code: 'zwfw', name: '金凤区政务服务中心', kind: 'institution' },
];

/** Demo log-ins share one password and the Center admin one TOTP secret, both printed at start and in the README. */
export const DEMO_PASSWORD = 'Gongshu@2026';
export const DEMO_TOTP_SECRET = 'GONGSHUDEMOCENTERADMINTOTP234567';

const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '马',
  '赵',
  '黄',
  '周',
  '吴',
  '徐',
  '孙',
  '胡',
  '朱',
  '高',
  '林',
  '何',
  '郭',
  '罗',
  '欧阳',
  '司马',
];
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀兰',
  '霞',
  '平',
  '刚',
  '建华',
  '海燕',
  '志强',
  '晓东',
  '玉梅',
];

/** A deterministic person name for demo user number i. */
export function demoPersonName(i: number): string {
  return SURNAMES[(i * 7) % SURNAMES.length]! + GIVEN[(i * 11 + 3) % GIVEN.length]!;
}

/** The users each kind of organisation gets: username suffix and roles. */
export function demoUsersFor(kind: OrgKind): { suffix: string; roles: string[]; title: string }[] {
  if (kind === 'center')
    return [
      { suffix: 'admin', roles: ['center_admin'], title: '平台管理员' },
      { suffix: 'reviewer', roles: ['center_reviewer'], title: '审核员' },
      { suffix: 'supervisor', roles: ['supervisor'], title: '考核监督员' },
    ];
  if (kind === 'cac') return [{ suffix: 'officer', roles: ['cac_officer'], title: '网信专员' }];
  return [
    { suffix: 'admin', roles: ['unit_admin'], title: '数据管理员' },
    { suffix: 'security', roles: ['unit_security_officer'], title: '安全责任人' },
    { suffix: 'user', roles: ['unit_user'], title: '业务人员' },
  ];
}
