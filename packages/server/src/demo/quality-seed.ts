// DEMO DATA: quality governance in every state, done through the services as the units and the Center would: the
// suggested rules of the household register, the enterprise register and the welfare list (the Center's, since the
// welfare list is compared with the police's register), a rule that fails (the welfare list is short of the
// households the civil-affairs statistics count) and so raises a ticket by itself, a week of daily scores, and the
// civil-affairs bureau's reports on the household register it receives, in every step of the loop — waiting for
// the Center, assigned, more time asked, fixed and waiting for verification, closed, rejected, merged, urgent, a
// privacy report, and one past its due date. Runs once, after the sharing demo (the reports come through its grant).
import type { Db } from '../db/database.ts';
import type { RuleService, TicketService } from '../domains/quality/index.ts';
import type { GrantService, ShareServer } from '../domains/sharing/index.ts';
import type { CalendarService } from '../domains/calendar/index.ts';
import { todayInShanghai } from '../domains/calendar/index.ts';
import { actorFor } from './catalog-seed.ts';
import * as repo from './demo.repository.ts';

export interface DemoQualityServices {
  calendar: CalendarService;
  rules: RuleService;
  tickets: TicketService;
  grants: GrantService;
  share: ShareServer;
}

/** Loads the demo's rules, runs and tickets once; returns what it made, for the start-up log. */
export async function seedDemoQuality(db: Db, s: DemoQualityServices): Promise<string[]> {
  if (await repo.metaIsSet(db, 'demo_quality_loaded_at')) return [];
  const resource = async (name: string, org: string) => {
    const id = await repo.findDemoResource(db, name, org);
    if (!id) throw new Error(`demo: no approved resource ${name} of ${org}`);
    return id;
  };
  const hukou = await resource('户籍人口信息', 'gaj');
  const enterprises = await resource('企业登记信息', 'scj');
  const welfare = await resource('低保救助对象信息', 'mzj');
  const [gaj, scj, mzj, reviewer] = await Promise.all(
    ['gaj.admin', 'scj.admin', 'mzj.admin', 'center.reviewer'].map((u) => actorFor(db, u)),
  );

  // rules: each unit takes the suggestions for its own register; the Center for the welfare list (it compares it
  // with the police's register, which only the Center may do), plus the statistics' count of households
  await s.rules.acceptSuggestions(gaj!, hukou);
  await s.rules.acceptSuggestions(scj!, enterprises);
  await s.rules.acceptSuggestions(reviewer!, welfare);
  await s.rules.create(reviewer!, {
    resourceId: welfare,
    kind: 'completeness',
    name: '低保对象户数不少于民政统计数（演示）',
    params: { check: 'row_count', minRows: 100 },
  });

  // a week of daily runs: the scores' trend (each day's run reads the data as it is)
  const realRuleDay = s.rules.today;
  const realTicketDay = s.tickets.today;
  const today = todayInShanghai();
  const dayBefore = (n: number) =>
    new Date(Date.parse(`${today}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
  const ctx = { actor: null, requestId: 'seed-demo-quality', ip: null };
  try {
    for (let d = 6; d >= 0; d--) {
      s.rules.today = () => dayBefore(d);
      for (const id of [hukou, enterprises, welfare]) await s.rules.runResource(ctx, id, 'schedule');
    }
  } finally {
    s.rules.today = realRuleDay;
  }

  // the civil-affairs bureau's reports on the household register, from the rows its grant gives it
  const grant = (await s.grants.list(mzj!, { side: 'consumer', resourceId: hukou })).find((g) => g.state === 'active');
  if (!grant) throw new Error('demo: the civil-affairs bureau has no grant of the household register');
  const page = await s.share.browse(mzj!, grant.id, { limit: 20 });
  const refs = (from: number, n: number) => page.refs.slice(from, from + n);
  const report = async (
    category: Parameters<TicketService['report']>[1]['category'],
    description: string,
    from: number,
    n = 2,
  ) =>
    (await s.tickets.report(mzj!, {
      resourceId: hukou,
      category,
      description: `${description}（演示数据）`,
      grantId: grant.id,
      refs: refs(from, n),
    }))!.id;

  // past its due date: reported and assigned four weeks ago, nothing done since
  try {
    const weeksAgo = dayBefore(28);
    s.tickets.today = () => weeksAgo;
    const late = await report('outdated', '户籍地址仍为拆迁前的门牌，入户核查时找不到人', 0);
    await s.tickets.triage(reviewer!, late, { decision: 'accept', comment: '请公安分局核实更新' });
  } finally {
    s.tickets.today = realTicketDay;
  }
  // waiting for the Center
  await report('wrong', '两户的户籍人口数与低保申请时登记的家庭成员数不符', 2);
  // assigned to the police
  const assigned = await report('missing', '部分人员缺少户籍地址，无法核对居住情况', 4);
  await s.tickets.triage(reviewer!, assigned, { decision: 'accept', comment: '请于期限内补录' });
  // more time asked
  const more = await report('wrong', '出生日期与身份证号码中的日期不一致', 6);
  await s.tickets.triage(reviewer!, more, { decision: 'accept' });
  await s.tickets.requestExtension(gaj!, more, { days: 5, reason: '需调取纸质户籍档案逐一核对（演示）' });
  // fixed, waiting for the reporter to verify
  const fixed = await report('wrong', '性别与身份证号码第十七位不符', 8);
  await s.tickets.triage(reviewer!, fixed, { decision: 'accept' });
  await s.tickets.fix(gaj!, fixed, { note: '已核对户籍档案，系统内数据与档案一致（演示）', dataWasRight: true });
  // closed: fixed and confirmed
  const closed = await report('duplicate', '同一人员出现两条户籍记录', 10);
  await s.tickets.triage(reviewer!, closed, { decision: 'accept' });
  await s.tickets.fix(gaj!, closed, { note: '重复记录系迁移时产生，已合并（演示）', dataWasRight: true });
  await s.tickets.verify(mzj!, closed, { decision: 'confirm', comment: '已复核，无重复' });
  // rejected at triage; a duplicate merged into the assigned one
  const rejected = await report('wrong', '人员姓名有生僻字显示为问号', 12, 1);
  await s.tickets.triage(reviewer!, rejected, {
    decision: 'reject',
    comment: '系浏览器字库不全所致，数据本身无误',
  });
  const dup = await report('missing', '户籍地址为空', 4, 1);
  await s.tickets.triage(reviewer!, dup, { decision: 'merge', mergeInto: assigned, comment: '与已分派工单为同一问题' });
  // urgent, with the Center's own deadline
  const urgent = await report('wrong', '救助金发放前须核实的人员身份信息有误', 13);
  await s.tickets.triage(reviewer!, urgent, { decision: 'accept' });
  const soon = await s.calendar.addWorkingDays(today, 2);
  await s.tickets.urgent(reviewer!, urgent, { dueDate: soon, comment: '本月救助金发放前完成' });
  // a privacy report: seen only by the Center, the police and the person who made it
  await report('privacy', '共享数据中包含与低保审核无关的宗教信仰信息', 15, 1);

  await repo.setMetaOnce(db, 'demo_quality_loaded_at', new Date().toISOString());
  return [
    'quality rules on three registers with a week of scores, and problem-data tickets in every state (one raised by a failing rule, one overdue)',
  ];
}
