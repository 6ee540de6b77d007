// DEMO DATA: sharing cases in every state, done through the services as the units and the Center would, so each has
// its real timeline, due dates and audit trail: waiting for the Center's confirmation and review, returned for more
// material, waiting for the owner, a desensitised supply waiting for the Center to agree the profile, a refusal
// under review, one refusal upheld (denied), one overruled (granted), a withdrawn case; grants in use, suspended
// and revoked. Runs once, after the other demo workflows; never outside the demo.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import type { Db } from '../db/database.ts';
import type { AuthService } from '../domains/auth/index.ts';
import type { MaskingService } from '../domains/masking/index.ts';
import type { ApplicationService, DbSyncService, GrantService, ShareServer } from '../domains/sharing/index.ts';
import { currentCommitment } from '../domains/sharing/index.ts';
import type { RequestContext } from '../platform/context.ts';
import { actorFor } from './catalog-seed.ts';
import * as repo from './demo.repository.ts';

export interface DemoSharingServices {
  auth: AuthService;
  masking: MaskingService;
  applications: ApplicationService;
  grants: GrantService;
  share: ShareServer;
  dbSync: DbSyncService;
}

type Method = 'api' | 'file' | 'db_sync';

/** Loads the demo's sharing cases once; returns what it made, for the start-up log. */
export async function seedDemoSharing(db: Db, s: DemoSharingServices, dataDir?: string): Promise<string[]> {
  if (await repo.metaIsSet(db, 'demo_sharing_loaded_at')) return [];
  const admin = (org: string) => actorFor(db, `${org}.admin`);
  const reviewer = await actorFor(db, 'center.reviewer');
  const resource = async (name: string, org: string) => {
    const id = await repo.findDemoResource(db, name, org);
    if (!id) throw new Error(`demo: no approved resource ${name} of ${org}`);
    return id;
  };
  // half a year of use: within the policy's limit (12 months ahead) whenever the demo is loaded
  const nextYear = new Date(Date.now() + 182 * 86_400_000).toISOString().slice(0, 10);
  const apply = async (
    consumer: RequestContext,
    input: {
      resource: string;
      items?: string[];
      purpose: string;
      businessProcess: string;
      scenario: string;
      legalBasis?: string;
      methods?: Method[];
      demandId?: string | null;
    },
  ) =>
    (
      await s.applications.apply(consumer, {
        ...input,
        purpose: `${input.purpose}（演示数据）`,
        methods: input.methods ?? ['api'],
        validUntil: nextYear,
        commitmentVersion: currentCommitment().version,
        legalBasis: input.legalBasis ?? null,
      })
    ).id;

  const hukou = await resource('户籍人口信息', 'gaj');
  const enterprises = await resource('企业登记信息', 'scj');
  const property = await resource('不动产登记信息', 'zrj');
  const welfare = await resource('低保救助对象信息', 'mzj');
  const marriage = await resource('婚姻登记信息', 'mzj');
  const insured = await resource('社会保险参保信息', 'rsj');
  const [mzj, rsj, fgj, swj, zjj, jyj, gaj, scj, zrj, mzjOwner] = await Promise.all(
    ['mzj', 'rsj', 'fgj', 'swj', 'zjj', 'jyj', 'gaj', 'scj', 'zrj', 'mzj'].map(admin),
  );
  const welfareDemand = await repo.findDemoDemand(db, '低保对象家庭成员户籍核查（演示）');
  let sample: Buffer | null = null;

  // granted (conditional, from the matched demand): the Center approves, the police consent with the minimal profile
  const a1 = await apply(mzj!, {
    resource: hukou,
    items: ['id_no', 'person_name', 'gender', 'birth_date', 'hukou_address'],
    purpose: '低保申请审核时核查申请人家庭成员户籍',
    businessProcess: '街道受理低保申请 → 民政局审核 → 核查家庭成员户籍和人数 → 审批公示',
    scenario: '社会救助信息系统在审核环节按身份证号码查询户籍信息',
    legalBasis: '《社会救助暂行办法》第十一条',
    methods: ['api', 'file'],
    demandId: welfareDemand,
  });
  await s.applications.review(reviewer, a1, { decision: 'approve', comment: '用途明确，依据充分，转公安分局答复' });
  // the police's profile for grants: the Center approves it (it differs from the default), the police consent with it
  const minimal = (await s.masking.profiles(gaj!, hukou)).find((p) => p.name === '共享授权（最小必要）');
  if (!minimal) throw new Error('demo: no masking profile 共享授权（最小必要）');
  if (minimal.status === 'pending_approval')
    await s.masking.approveProfile(await actorFor(db, 'center.admin'), minimal.id);
  await s.applications.answer(gaj!, a1, {
    decision: 'consent',
    maskingProfileId: minimal.id,
    rowFilter: null,
    comment: '同意，按最小必要原则脱敏提供',
  });
  // the consumer's system gets its credential and is bound to the grant
  const cred = await s.auth.createCredential(mzj!, {
    systemName: '社会救助信息系统',
    description: '调用户籍人口信息共享接口（演示数据）',
  });
  const g1 = (await s.applications.get(reviewer, a1)).grantId;
  if (g1) {
    await s.grants.bind(mzj!, g1, [cred.id]);
    // the welfare system's first calls, through the data service as any call (masked, audited, counted)
    const system = await s.auth.resolveCredential(cred.token, null);
    if (!system) throw new Error('demo: the welfare system\u2019s credential does not resolve');
    const call = { actor: system, requestId: 'seed-demo-sharing', ip: null };
    const first = await s.share.query(call, g1, { limit: 20 });
    if (first.next) await s.share.query(call, g1, { limit: 20, cursor: first.next });
    await s.share.query(call, g1, { limit: 10, where: "gender = '女'" });
    // the welfare office's officer exports the list as a spreadsheet, the system a CSV: both fingerprinted
    await drain((await s.share.export(mzj!, g1, { format: 'xlsx' })).stream);
    const csv = await s.share.export(call, g1, { format: 'csv', where: "gender = '女'" });
    const text = (await drain(csv.stream)).toString('utf8');
    sample = leakSample(text);
  }

  // granted (unconditional): the Center confirms the supply; then the owner suspends it for a maintenance window
  const a2 = await apply(fgj!, {
    resource: enterprises,
    purpose: '投资项目审批时核验项目单位登记状态',
    businessProcess: '项目单位在线申报 → 核验企业登记状态 → 受理审批',
    scenario: '投资项目在线审批监管平台按统一社会信用代码查询',
    methods: ['api', 'db_sync'],
  });
  await s.applications.confirm(reviewer, a2, { methods: ['api'], comment: '按接口方式供给' });
  const a3 = await apply(swj!, {
    resource: enterprises,
    purpose: '招商引资企业走访名单比对',
    businessProcess: '走访计划制定 → 比对企业存续状态 → 安排走访',
    scenario: '每月同步存续企业名单到本单位招商系统',
    methods: ['db_sync'],
  });
  await s.applications.confirm(reviewer, a3, { comment: '同意按库表交换方式供给' });
  const grantOf = async (id: string) => (await s.applications.get(reviewer, id)).grantId;
  const g3 = await grantOf(a3);
  // the tax bureau names the table of its own database the list goes to (paused while the grant is suspended)
  if (g3)
    await s.dbSync.configure(swj!, g3, {
      kind: 'postgres',
      host: '10.64.12.8',
      database: 'zhaoshang',
      user: 'gongshu_sync',
      password: null,
      table: 'enterprise_list_demo',
      intervalMinutes: 1440,
      active: false,
    });
  if (g3)
    await s.grants.setState(scj!, g3, {
      action: 'suspend',
      reason: '本单位登记系统升级期间暂停供给，完成后恢复（演示）',
    });

  // a refusal overruled (§23: no basis, no refusal): granted, then revoked by the owner when the project ended
  const a4 = await apply(zjj!, {
    resource: property,
    purpose: '老旧小区改造项目核实房屋产权',
    businessProcess: '摸排改造范围 → 核实产权人 → 征求意见 → 实施改造',
    scenario: '按不动产单元号查询权利人和面积',
    legalBasis: '《城镇老旧小区改造工作方案》',
  });
  await s.applications.review(reviewer, a4, { decision: 'approve' });
  await s.applications.answer(zrj!, a4, {
    decision: 'refuse',
    basis: { kind: 'rule', name: '不动产登记资料查询暂行办法', article: '第四条', reason: '权利人信息仅限依法查询' },
  });
  await s.applications.reviewRefusal(reviewer, a4, {
    decision: 'overrule',
    comment: '改造属于住建局法定职责，所引条款不禁止政务部门共享，予以共享',
  });
  const g4 = await grantOf(a4);
  if (g4)
    await s.grants.setState(zrj!, g4, { action: 'revoke', reason: '改造项目已完成，申请单位确认不再使用（演示）' });

  // a refusal upheld: denied
  const a5 = await apply(jyj!, {
    resource: marriage,
    purpose: '核实学生监护人婚姻状况',
    businessProcess: '入学登记 → 核实监护关系',
    scenario: '入学登记时查询',
    legalBasis: '无',
  });
  await s.applications.review(reviewer, a5, { decision: 'approve' });
  await s.applications.answer(mzjOwner!, a5, {
    decision: 'refuse',
    basis: {
      kind: 'law',
      name: '中华人民共和国个人信息保护法',
      article: '第二十八条',
      reason: '婚姻信息属敏感个人信息，入学登记不属于必要情形',
    },
  });
  await s.applications.reviewRefusal(reviewer, a5, { decision: 'uphold', comment: '理由成立，不予共享' });

  // a refusal waiting for the Center's review
  const a6 = await apply(rsj!, {
    resource: welfare,
    purpose: '就业困难人员认定时核查低保身份',
    businessProcess: '受理认定申请 → 核查低保身份 → 认定公示',
    scenario: '按身份证号码核验是否为低保对象',
    legalBasis: '《就业促进法》第五十二条',
  });
  await s.applications.review(reviewer, a6, { decision: 'approve' });
  await s.applications.answer(mzjOwner!, a6, {
    decision: 'refuse',
    basis: {
      kind: 'regulation',
      name: '社会救助暂行办法',
      article: '第六十六条',
      reason: '救助对象信息应予保密，建议改用核验方式',
    },
  });

  // waiting for the owner's answer
  const a7 = await apply(mzj!, {
    resource: property,
    purpose: '低保家庭财产状况核对',
    businessProcess: '受理申请 → 家庭经济状况核对 → 审批',
    scenario: '按身份证号码查询名下不动产',
    legalBasis: '《社会救助暂行办法》第十一条',
  });
  await s.applications.review(reviewer, a7, { decision: 'approve' });

  // waiting for the Center's review; returned for more material; waiting for the Center's confirmation
  await apply(rsj!, {
    resource: hukou,
    purpose: '社保待遇资格认证',
    businessProcess: '待遇领取资格认证 → 核验户籍状态',
    scenario: '按身份证号码核验户籍状态',
    legalBasis: '《社会保险法》第二条',
  });
  const a9 = await apply(jyj!, {
    resource: insured,
    purpose: '教师社保缴纳情况核对',
    businessProcess: '教师招聘 → 核对社保',
    scenario: '招聘时查询',
    legalBasis: '履行教师招聘职责',
  });
  await s.applications.review(reviewer, a9, {
    decision: 'return',
    comment: '请补充盖章的申请函，并写明所依据的法律、法规名称和具体条款',
  });
  await apply(zjj!, {
    resource: enterprises,
    purpose: '建筑企业资质审查时核验企业登记状态',
    businessProcess: '受理资质申请 → 核验登记状态 → 审批',
    scenario: '按统一社会信用代码查询',
  });

  // a desensitised supply (an item not shared): the owner chose the profile, the Center has still to agree
  const a11 = await apply(rsj!, {
    resource: marriage,
    purpose: '统计分析各街道婚育情况，服务生育保险政策评估',
    businessProcess: '提取数据 → 脱敏 → 统计分析',
    scenario: '按月导出脱敏后的数据做统计',
    legalBasis: '《社会保险法》第五十三条',
    methods: ['file'],
  });
  await s.applications.review(reviewer, a11, { decision: 'approve' });
  await s.applications.answer(mzjOwner!, a11, { decision: 'consent', maskingProfileId: 'default' });

  // withdrawn by the applicant
  const a12 = await apply(fgj!, {
    resource: welfare,
    purpose: '价格补贴发放对象核对',
    businessProcess: '补贴发放 → 核对对象',
    scenario: '发放前核对',
    legalBasis: '《价格法》第三十条',
  });
  await s.applications.withdraw(fgj!, a12, { comment: '补贴发放方式调整，不再需要（演示）' });

  await repo.setMetaOnce(db, 'demo_sharing_loaded_at', new Date().toISOString());
  const lines = [
    '12 sharing cases in every state, grants in use (with the welfare system\u2019s first calls and two file exports), suspended (with a paused database sync target) and revoked',
  ];
  if (sample && dataDir) {
    const file = path.join(dataDir, 'demo', DEMO_LEAK_SAMPLE);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, sample);
    lines.push(`a leaked-file sample to trace (gongshu trace, or the console's leak-trace page): ${file}`);
  }
  return lines;
}

/** The demo's leaked-file sample: its name says it is demo data. */
export const DEMO_LEAK_SAMPLE = '泄露样例（演示数据）.csv';

async function drain(stream: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(parts);
}

/**
 * DEMO: what a leak looks like — every tenth row of an export, its rows reversed, the last column dropped, saved
 * as GBK the way a spreadsheet on an office PC saves it.
 */
function leakSample(csv: string): Buffer {
  const lines = csv
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n');
  const [header, ...rows] = lines;
  const kept = rows.filter((_, i) => i % 10 === 0).reverse();
  const dropLast = (l: string) => l.split(',').slice(0, -1).join(',');
  return iconv.encode([header!, ...kept].map(dropLast).join('\r\n') + '\r\n', 'gbk');
}
