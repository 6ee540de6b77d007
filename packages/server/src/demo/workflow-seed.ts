// DEMO DATA: the demo district's workflows beyond the catalog, each in every state it has, done through the
// services as the units and the Center would (so each has its real timeline and audit trail): information systems,
// system plans (submitted, approved, returned), demands (submitted, matched, approved as a topic library, rejected),
// API credentials (in use, revoked), masking profiles (active, waiting for the Center), batches of every outcome
// and a one-source comparison with conflicts. Runs once, after the demo catalog and its data; never outside the demo.
import type { Db } from '../db/database.ts';
import type { AuthService } from '../domains/auth/index.ts';
import type { CatalogService, ListsService } from '../domains/catalog/index.ts';
import { openObjects, type IngestService, type OneSourceService } from '../domains/ingest/index.ts';
import type { MaskingService } from '../domains/masking/index.ts';
import { actorFor } from './catalog-seed.ts';
import { DEMO_BATCH_NAME, generatedRows } from './data-seed.ts';
import * as repo from './demo.repository.ts';

export interface DemoServices {
  auth: AuthService;
  catalog: CatalogService;
  lists: ListsService;
  masking: MaskingService;
  ingest: IngestService;
  oneSource: OneSourceService;
}

/** Information systems the demo units run (one retired), named as a district's systems are. */
const SYSTEMS: [org: string, name: string, description: string, active?: boolean][] = [
  ['gaj', '人口信息管理系统', '户籍登记、迁移和人口统计（公安部门业务系统）'],
  ['gaj', '流动人口服务管理系统', '流动人口居住登记和居住证办理'],
  ['scj', '市场主体登记注册系统', '企业和个体工商户登记、变更、注销'],
  ['mzj', '社会救助信息系统', '低保、特困供养等社会救助对象管理和资金发放'],
  ['zrj', '不动产登记信息管理平台', '不动产登记受理、审核和登簿'],
  ['jyj', '学籍管理系统', '中小学学籍和学校基本信息'],
  ['bjzl', '社区网格化服务管理系统', '网格员巡查、居民户信息和矛盾纠纷排查'],
  ['mcbj', '社区网格化服务管理系统', '网格员巡查、居民户信息和矛盾纠纷排查'],
  ['wjj', '基层卫生健康信息系统', '家庭医生签约和公共卫生服务'],
  ['cgj', '数字城管系统', '城市部件普查和城市管理案件办理'],
  ['cgj', '市容环卫监管系统（旧）', '已由数字城管系统取代，停用', false],
];

/** Loads the demo workflows once; returns what it made, for the start-up log. */
export async function seedDemoWorkflows(db: Db, s: DemoServices): Promise<string[]> {
  if (await repo.metaIsSet(db, 'demo_workflows_loaded_at')) return [];
  const made: string[] = [];
  const admin = (org: string) => actorFor(db, `${org}.admin`);
  const reviewer = await actorFor(db, 'center.reviewer');
  const resource = async (name: string, org: string) => {
    const id = await repo.findDemoResource(db, name, org);
    if (!id) throw new Error(`demo: no approved resource ${name} of ${org}`);
    return id;
  };

  // information systems, one retired
  for (const [org, name, description, active] of SYSTEMS) {
    const ctx = await admin(org);
    const sys = await s.catalog.systems.create(ctx, { name, description: `${description}（演示数据）` });
    if (active === false) await s.catalog.systems.update(ctx, sys.id, { active: false });
  }
  made.push(`${SYSTEMS.length} information systems`);

  // API credentials of units' systems: two in use, one revoked
  await s.auth.createCredential(await admin('gaj'), {
    systemName: '人口信息管理系统',
    description: '向平台推送户籍人口数据（演示数据）',
  });
  await s.auth.createCredential(await admin('scj'), {
    systemName: '市场主体登记注册系统',
    description: '向平台推送企业登记数据（演示数据）',
  });
  const old = await s.auth.createCredential(await admin('cgj'), {
    systemName: '市容环卫监管系统（旧）',
    description: '系统停用，凭据已吊销（演示数据）',
  });
  await s.auth.revokeCredential(await admin('cgj'), old.id);
  made.push('3 API credentials');

  // system plans (§7): submitted, approved, returned with the Center's comment
  await s.lists.submitPlan(await admin('wjj'), {
    name: '基层医疗卫生机构信息化提升项目（演示）',
    purpose: '建设家庭医生签约和慢病随访管理功能',
    collects: ['姓名', '公民身份证号码', '联系电话', '慢病类型'],
    needs: '需要户籍人口信息核验居民身份',
  });
  const approved = await s.lists.submitPlan(await admin('fgj'), {
    name: '投资项目在线审批监管平台升级（演示）',
    purpose: '投资项目审批、核准、备案全流程网上办理',
    collects: ['项目名称', '统一社会信用代码', '总投资额'],
    needs: '需要企业登记信息',
  });
  await s.lists.reviewPlan(reviewer, approved, { decision: 'approve', comment: '符合全区数据统筹要求，同意建设' });
  const returned = await s.lists.submitPlan(await admin('cgj'), {
    name: '智慧城管平台二期（演示）',
    purpose: '城市部件物联感知和案件智能派遣',
    collects: ['部件编号', '经度', '纬度', '姓名', '公民身份证号码'],
    needs: '',
  });
  await s.lists.reviewPlan(reviewer, returned, {
    decision: 'return',
    comment: '采集姓名和身份证号码的必要性请说明；部件数据已在全区目录中，请复用，不要重复采集',
  });
  made.push('3 system plans');

  // demands (§11-12): waiting for review, matched to a catalog resource, approved as a topic library, rejected
  const hukou = await resource('户籍人口信息', 'gaj');
  const gaj = await s.auth.findOrgByCode('gaj');
  await s.lists.fileDemand(await admin('rsj'), {
    title: '就业困难人员认定需核验户籍信息（演示）',
    dataNeeded: '公民身份证号码、姓名、户籍地址',
    purpose: '就业困难人员认定时核验申请人户籍',
    legalBasis: '《就业促进法》第五十二条',
    holderOrgId: gaj?.id ?? null,
  });
  const matched = await s.lists.fileDemand(await admin('mzj'), {
    title: '低保对象家庭成员户籍核查（演示）',
    dataNeeded: '户籍人口的姓名、身份证号码、户籍地址',
    purpose: '低保申请审核时核查家庭成员',
    legalBasis: '《社会救助暂行办法》第十一条',
    holderOrgId: gaj?.id ?? null,
  });
  await s.lists.reviewDemand(reviewer, matched, {
    outcome: 'matched',
    comment: '全区目录已有户籍人口信息，请按共享申请使用',
    resourceIds: [hukou],
  });
  const topic = await s.lists.fileDemand(await admin('bjzl'), {
    title: '“一老一小”服务对象专题数据（演示）',
    dataNeeded: '高龄老人、低保对象、学龄儿童的基本信息',
    purpose: '街道为老年人和儿童提供上门服务',
    legalBasis: '《金凤区公共数据资源管理办法(试行)》第十二条',
  });
  const members = await Promise.all(['mzj', 'jyj', 'wjj'].map((c) => s.auth.findOrgByCode(c)));
  await s.lists.reviewDemand(reviewer, topic, {
    outcome: 'topic',
    comment: '同意建设专题库，由北京中路街道牵头',
    project: {
      name: '金凤区“一老一小”专题库（演示）',
      kind: 'special',
      description: '汇聚民政、教育、卫健数据，服务街道“一老一小”工作',
      memberOrgIds: members.filter((m) => !!m).map((m) => m!.id),
      targetResourceIds: [await resource('低保救助对象信息', 'mzj')],
    },
  });
  const rejected = await s.lists.fileDemand(await admin('swj'), {
    title: '全区居民手机号码批量获取（演示）',
    dataNeeded: '全部居民的姓名和手机号码',
    purpose: '招商活动短信通知',
    legalBasis: '无',
  });
  await s.lists.reviewDemand(reviewer, rejected, {
    outcome: 'rejected',
    comment: '用途不属于履行法定职责，且涉及个人信息，依据《个人信息保护法》第十三条不予支持',
  });
  made.push('4 demands and a topic library');

  // masking profiles of the household register: a stricter one for grants, and a looser one waiting for the Center
  const gajAdmin = await admin('gaj');
  await s.masking.createProfile(gajAdmin, hukou, {
    name: '共享授权（最小必要）',
    purpose: 'grant',
    rules: { person_name: { rule: 'mask' }, hukou_address: { rule: 'generalize', to: 'district' } },
  });
  await s.masking.createProfile(gajAdmin, hukou, {
    name: '民政核查专用（放宽姓名）',
    purpose: 'grant',
    rules: { person_name: { rule: 'none' } },
  });
  made.push('2 masking profiles');
  await repo.setMetaOnce(db, 'demo_workflows_loaded_at', new Date().toISOString());
  return made;
}

/**
 * Batches of every outcome besides the generated loads (which each have a few rows to fix): one with every row
 * loaded, one with nothing loaded (keys already there, appended), one that failed (its header matches no item);
 * then the one-source comparison, which finds the names the welfare list spells unlike the household register.
 */
export async function seedDemoOutcomes(db: Db, s: DemoServices): Promise<string[]> {
  if (await repo.metaIsSet(db, 'demo_outcomes_loaded_at')) return [];
  const made: string[] = [];
  const load = async (
    name: string,
    org: string,
    mode: 'upsert' | 'append' | 'replace',
    rows: Record<string, unknown>[],
    fileName: string,
  ) => {
    const id = await repo.findDemoResource(db, name, org);
    if (!id) return null;
    const actor = await s.auth.cliActor(`${org}.admin`);
    const text = JSON.stringify(rows);
    const r = await s.ingest.ingest(
      { actor, requestId: 'seed-demo-outcomes', ip: null },
      id,
      { source: 'cli', mode, fileName, fileFormat: 'json', strictWidth: false },
      async () => openObjects(rows, text),
    );
    return r.batch;
  };
  const schoolsId = await repo.findDemoResource(db, '学校基本信息', 'jyj');
  const schoolItems = schoolsId ? ((await s.ingest.meta(db, schoolsId))?.items ?? []) : [];
  const schools = generatedRows(schoolItems, 5);
  if (schools.length) {
    // the schools' list again, corrected: every row loads
    await load('学校基本信息', 'jyj', 'upsert', schools, `${DEMO_BATCH_NAME} 学校名单更正`);
    // the same rows appended once more: every key is already loaded, nothing is
    await load('学校基本信息', 'jyj', 'append', schools, `${DEMO_BATCH_NAME} 重复追加`);
    // a file from another system: none of its columns is an item of the resource, so the batch fails whole
    await load('学校基本信息', 'jyj', 'append', [{ 名称: '某校', 地址: '某地' }], `${DEMO_BATCH_NAME} 错误的文件`);
    made.push('3 batches (all loaded, nothing loaded, failed)');
  }
  const run = await s.oneSource.check({ actor: null, requestId: 'seed-demo-outcomes', ip: null });
  made.push(`one-source comparison (${run.conflicts} conflicts)`);
  await repo.setMetaOnce(db, 'demo_outcomes_loaded_at', new Date().toISOString());
  return made;
}
