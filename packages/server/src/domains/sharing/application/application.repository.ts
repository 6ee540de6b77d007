// SQL of share applications: the cases, their timeline and their attachments (sharing's own tables).
import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { DbOrTrx } from '../../../db/database.ts';
import type { ShareApplicationTable, ShareAttachmentTable, ShareEventTable, ShareStatus } from '../../../db/schema.ts';

export type ApplicationRow = Selectable<ShareApplicationTable>;

/** The next case number of the year: GX2026000001. */
export async function nextNumber(db: DbOrTrx, year: string): Promise<string> {
  const { rows } = await sql<{ n: number }>`SELECT nextval('share_application_no')::int AS n`.execute(db);
  return `GX${year}${String(rows[0]!.n).padStart(6, '0')}`;
}

export async function insertApplication(db: DbOrTrx, row: Insertable<ShareApplicationTable>) {
  await db.insertInto('share_application').values(row).execute();
}

export function findApplication(db: DbOrTrx, id: string, opts: { forUpdate?: boolean } = {}) {
  let q = db.selectFrom('share_application').selectAll().where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function updateApplication(db: DbOrTrx, id: string, set: Updateable<ShareApplicationTable>) {
  await db
    .updateTable('share_application')
    .set({ ...set, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export interface ApplicationFilter {
  /** a unit: the cases it applied for or owns the data of */
  orgId?: string | undefined;
  /** consumer: its applications; owner: applications for its data */
  side?: 'consumer' | 'owner' | undefined;
  statuses?: ShareStatus[] | undefined;
  resourceId?: string | undefined;
  q?: string | undefined;
  limit: number;
  offset: number;
}

function filtered(db: DbOrTrx, f: Omit<ApplicationFilter, 'limit' | 'offset'>) {
  let q = db.selectFrom('share_application');
  if (f.orgId)
    q =
      f.side === 'consumer'
        ? q.where('consumer_org_id', '=', f.orgId)
        : f.side === 'owner'
          ? q.where('owner_org_id', '=', f.orgId)
          : q.where((eb) => eb.or([eb('consumer_org_id', '=', f.orgId!), eb('owner_org_id', '=', f.orgId!)]));
  if (f.statuses?.length) q = q.where('status', 'in', f.statuses);
  if (f.resourceId) q = q.where('resource_id', '=', f.resourceId);
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    q = q.where((eb) => eb.or([eb('no', 'ilike', like), eb('purpose', 'ilike', like), eb('scenario', 'ilike', like)]));
  }
  return q;
}

export async function listApplications(db: DbOrTrx, f: ApplicationFilter) {
  const rows = await filtered(db, f)
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('no', 'desc')
    .limit(f.limit)
    .offset(f.offset)
    .execute();
  const { n } = await filtered(db, f)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return { rows, total: Number(n) };
}

/** How many cases wait in each status, for a unit's side or for the Center. */
export async function countByStatus(db: DbOrTrx, f: { orgId?: string; side?: 'consumer' | 'owner' }) {
  const rows = await filtered(db, f)
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])) as Partial<Record<ShareStatus, number>>;
}

export async function insertEvent(db: DbOrTrx, row: Insertable<ShareEventTable>) {
  await db.insertInto('share_event').values(row).execute();
}

export function listEvents(db: DbOrTrx, applicationId: string) {
  return db.selectFrom('share_event').selectAll().where('application_id', '=', applicationId).orderBy('id').execute();
}

export async function insertAttachment(db: DbOrTrx, row: Insertable<ShareAttachmentTable>) {
  await db.insertInto('share_attachment').values(row).execute();
}

export function listAttachments(db: DbOrTrx, applicationId: string) {
  return db
    .selectFrom('share_attachment')
    .select(['id', 'file_name', 'content_type', 'size', 'sm3', 'uploaded_by', 'uploaded_at'])
    .where('application_id', '=', applicationId)
    .orderBy('uploaded_at')
    .execute();
}

export function findAttachment(db: DbOrTrx, applicationId: string, id: string) {
  return db
    .selectFrom('share_attachment')
    .selectAll()
    .where('application_id', '=', applicationId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Open cases whose step is due before or on a day (for reminders and the overdue list). */
export function listOpenDue(db: DbOrTrx, day: string) {
  return db
    .selectFrom('share_application')
    .select(['id', 'no', 'status', 'due_date', 'consumer_org_id', 'owner_org_id'])
    .where('due_date', '<=', day)
    .where('status', 'in', ['center_confirm', 'center_review', 'owner_consent', 'profile_confirm', 'refusal_review'])
    .execute();
}

/** Numbers of some cases (for records that name them). */
export function applicationNumbers(db: DbOrTrx, ids: string[]) {
  if (!ids.length) return Promise.resolve([]);
  return db.selectFrom('share_application').select(['id', 'no', 'resource_id']).where('id', 'in', ids).execute();
}
