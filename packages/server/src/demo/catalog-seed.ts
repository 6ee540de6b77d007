// DEMO DATA: loads the demo catalog through the catalog service, as the units and the Center would have
// compiled and reviewed it, so every resource has a real timeline and audit trail.
import type { Db } from '../db/database.ts';
import type { CatalogService } from '../domains/catalog/index.ts';
import { shiftDays } from '../domains/calendar/index.ts';
import type { RequestContext, Role } from '../platform/context.ts';
import { demoCatalogPlan, templateToInput } from './catalog-templates.ts';
import * as repo from './demo.repository.ts';

/** A demo user's request context, as if they had logged in (the demo acts through the services). */
export async function actorFor(db: Db, username: string): Promise<RequestContext> {
  const u = await repo.findUserWithOrg(db, username);
  return {
    actor: {
      kind: 'user',
      userId: u.id,
      username: u.username,
      orgId: u.org_id,
      orgKind: u.kind,
      roles: u.roles as Role[],
      sessionId: 'seed-demo',
    },
    requestId: 'seed-demo',
    ip: null,
  };
}

export async function seedDemoCatalog(db: Db, catalog: CatalogService): Promise<number> {
  const orgs = await repo.listDemoOrgs(db);
  // a resource's contact is its unit's, as the Organisations page lists it: one set of people and phones
  const contact = new Map(
    orgs.map((o) => [o.code, { person: o.contact_name ?? '数据管理员', phone: o.contact_phone ?? '0951-5100000' }]),
  );
  /** catalog codes of the resources made so far, by `unit/name` (sources are made before the resources naming them) */
  const codes = new Map<string, string>();
  const reviewer = await actorFor(db, 'center.reviewer');
  const plan = demoCatalogPlan(orgs);
  const today = catalog.today();
  let n = 0;
  for (const p of plan) {
    const unit = await actorFor(db, `${p.orgCode}.admin`);
    const input = templateToInput(p.template, p.prefix, contact.get(p.orgCode)!, codes);
    const { id, code } = await catalog.create(unit, input, { isDemo: true });
    codes.set(`${p.orgCode}/${input.name}`, code);
    n++;
    if (p.state === 'draft') continue;
    if (p.state === 'withdrawn') {
      await catalog.withdraw(unit, id);
      continue;
    }
    await catalog.submit(unit, id);
    if (p.state === 'submitted') continue;
    if (p.state === 'returned') {
      const pii = input.items.find((i) => i.piiKind);
      await catalog.review(reviewer, id, {
        decision: 'return',
        comment: '请核实更新周期与共享方式',
        ...(pii ? { itemComments: { [pii.code]: '敏感个人信息请说明脱敏方式' } } : {}),
      });
      continue;
    }
    await catalog.review(reviewer, id, { decision: 'approve', comment: '同意纳入全区目录' });
    if (p.state === 'approved_with_change') {
      const changed = await catalog.startChange(unit, id, {
        changeDate: shiftDays(today, -3),
        reason: '业务系统升级，新增数据更新时间',
      });
      await catalog.saveDraft(unit, id, {
        ...input,
        items: [
          ...input.items.map((i) => ({ ...i })),
          { code: 'updated_time', name: '数据更新时间', dataType: 'datetime', sensitivity: 'none' },
        ].filter((i, k, all) => all.findIndex((x) => x.code === i.code) === k),
      });
      void changed;
    }
  }
  return n;
}
