// Finding resources: the district catalog's search with facets, a unit's own catalog with its open cases, the
// Center's review queue, and the district's overdue cases (deadlines in working days).
import type { Db } from '../../db/database.ts';
import type { RequestContext } from '../../platform/context.ts';
import type { CalendarService } from '../calendar/index.ts';
import * as repo from './catalog.repository.ts';
import { authorize } from './catalog.policy.ts';
import type { SearchQuery } from './catalog.schemas.ts';

export class CatalogSearch {
  constructor(
    private readonly db: Db,
    private readonly calendar: CalendarService,
    /** Today in Asia/Shanghai (the catalog's clock, which tests set). */
    private readonly today: () => string,
  ) {}

  async search(ctx: RequestContext, q: SearchQuery) {
    authorize(ctx.actor, 'catalog.read_district');
    const { limit = 20, offset = 0, ...f } = q;
    const [{ rows, total }, facets] = await Promise.all([
      repo.search(this.db, f, { limit, offset }),
      repo.facets(this.db, f),
    ]);
    return {
      total,
      items: rows.map((r) => ({
        id: r.resource_id,
        code: r.code,
        orgId: r.org_id,
        orgName: r.org_name,
        version: r.version,
        name: r.name,
        summary: r.summary,
        category: r.category,
        baseLibrary: r.base_library,
        shareType: r.share_type,
        openAttribute: r.open_attribute,
        updateCycle: r.update_cycle,
        securityGrade: r.security_grade,
        format: r.format,
        itemCount: r.item_count,
      })),
      facets: {
        orgId: facets.org_id!,
        category: facets.category!,
        baseLibrary: facets.base_library!,
        shareType: facets.share_type!,
        openAttribute: facets.open_attribute!,
        updateCycle: facets.update_cycle!,
        securityGrade: facets.security_grade!,
      },
    };
  }

  /** A unit's own catalog with both the approved version and any case in progress. */
  async mine(ctx: RequestContext, f: { status?: string; orgId?: string }) {
    const orgId = f.orgId ?? ctx.actor?.orgId;
    authorize(ctx.actor, 'catalog.read_working', orgId ?? '__none__');
    const rows = await repo.listOrgResources(this.db, orgId!);
    const today = this.today();
    const cal = await this.calendar.calendar();
    const out = rows.map((r) => ({
      id: r.id,
      code: r.code,
      name: r.working_name ?? r.current_name ?? '',
      currentVersion: r.current_version,
      workingVersion: r.working_version,
      workingStatus: r.working_status,
      workingKind: r.working_kind,
      status: (r.working_status ?? 'approved') as string,
      reviewDue: r.review_due,
      filingDue: r.filing_due,
      due:
        r.working_status === 'submitted' && r.review_due
          ? cal.dueStatus(r.review_due, today)
          : (r.working_status === 'draft' || r.working_status === 'returned') && r.filing_due
            ? cal.dueStatus(r.filing_due, today)
            : null,
      updatedAt: r.working_updated_at?.toISOString() ?? r.current_approved_at?.toISOString() ?? null,
    }));
    return f.status ? out.filter((r) => r.status === f.status) : out;
  }

  /** The Center's queue: submitted versions, oldest due first, with days left or overdue. */
  async reviewQueue(ctx: RequestContext) {
    authorize(ctx.actor, 'catalog.review');
    const cal = await this.calendar.calendar();
    const today = this.today();
    return (await repo.listWorking(this.db, ['submitted'])).map((r) => ({
      id: r.id,
      code: r.code,
      orgId: r.org_id,
      orgName: r.org_name,
      version: r.version,
      kind: r.kind,
      name: r.name,
      submittedAt: r.submitted_at?.toISOString() ?? null,
      reviewDue: r.review_due,
      changeDate: r.change_date,
      policyVersion: r.policy_version,
      due: r.review_due ? cal.dueStatus(r.review_due, today) : null,
    }));
  }

  /** Overdue cases across the district: reviews past their due date, and changes not filed in time. */
  async overdue(ctx: RequestContext) {
    authorize(ctx.actor, 'catalog.overdue');
    const cal = await this.calendar.calendar();
    const today = this.today();
    const rows = await repo.listWorking(this.db, ['submitted', 'draft', 'returned']);
    return rows
      .map((r) => {
        const kind = r.status === 'submitted' ? ('review' as const) : ('filing' as const);
        const dueDate = kind === 'review' ? r.review_due : r.filing_due;
        return {
          id: r.id,
          code: r.code,
          orgId: r.org_id,
          orgName: r.org_name,
          name: r.name,
          version: r.version,
          status: r.status,
          kind,
          dueDate,
          due: dueDate ? cal.dueStatus(dueDate, today) : null,
        };
      })
      .filter((r) => r.due?.state === 'overdue');
  }
}
