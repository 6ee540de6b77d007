// Problem-data tickets and their timeline (quality_ticket, quality_ticket_event).
import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { DbOrTrx } from '../../../db/database.ts';
import type { QualityTicketEventTable, QualityTicketTable, TicketCategory, TicketStatus } from '../../../db/schema.ts';

export type TicketRow = Selectable<QualityTicketTable>;

export async function nextNumber(db: DbOrTrx, year: string): Promise<string> {
  const { rows } = await sql<{ n: number }>`SELECT nextval('quality_ticket_no')::int AS n`.execute(db);
  return `WT${year}${String(rows[0]!.n).padStart(6, '0')}`;
}

export function findTicket(db: DbOrTrx, id: string, opts: { forUpdate?: boolean } = {}) {
  let q = db.selectFrom('quality_ticket').selectAll().where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** The open ticket a rule raised, if any (one per rule). */
export function openTicketOfRule(db: DbOrTrx, ruleId: string) {
  return db
    .selectFrom('quality_ticket')
    .selectAll()
    .where('rule_id', '=', ruleId)
    .where('status', 'not in', ['closed', 'rejected', 'merged'])
    .executeTakeFirst();
}

/** Inserts a ticket; false when a rule already has an open one (the unique index decides, whatever the node). */
export async function insertTicket(db: DbOrTrx, row: Insertable<QualityTicketTable>): Promise<boolean> {
  const r = await db
    .insertInto('quality_ticket')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('rule_id')
        .where('rule_id', 'is not', null)
        .where('status', 'not in', ['closed', 'rejected', 'merged'])
        .doNothing(),
    )
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function updateTicket(db: DbOrTrx, id: string, set: Updateable<QualityTicketTable>) {
  await db
    .updateTable('quality_ticket')
    .set({ ...set, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function insertEvent(db: DbOrTrx, row: Insertable<QualityTicketEventTable>) {
  await db.insertInto('quality_ticket_event').values(row).execute();
}

export function events(db: DbOrTrx, ticketId: string) {
  return db
    .selectFrom('quality_ticket_event as e')
    .leftJoin('organisation as o', 'o.id', 'e.org_id')
    .select([
      'e.id',
      'e.at',
      'e.actor_name',
      'e.org_id',
      'o.name as org_name',
      'e.action',
      'e.from_status',
      'e.to_status',
      'e.comment',
      'e.due_date',
    ])
    .where('e.ticket_id', '=', ticketId)
    .orderBy('e.id')
    .execute();
}

/** Who sees which tickets: all (Center), or a unit's: owned, or reported (private ones by their reporter only). */
export interface TicketScope {
  orgId?: string | undefined;
  userId?: string | undefined;
  privateCategories: readonly TicketCategory[];
}

export interface TicketFilter {
  status?: TicketStatus[] | undefined;
  side?: 'owner' | 'reporter' | undefined;
  resourceId?: string | undefined;
  category?: TicketCategory | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

function scoped(db: DbOrTrx, s: TicketScope, f: TicketFilter) {
  let q = db
    .selectFrom('quality_ticket as t')
    .innerJoin('organisation as ow', 'ow.id', 't.owner_org_id')
    .leftJoin('organisation as rp', 'rp.id', 't.reporter_org_id');
  if (s.orgId) {
    const org = s.orgId;
    const privateCategories = [...s.privateCategories];
    const userId = s.userId ?? '00000000-0000-0000-0000-000000000000';
    q = q.where((eb) => {
      const owner = eb('t.owner_org_id', '=', org);
      const reporter = eb.and([
        eb('t.reporter_org_id', '=', org),
        eb.or([eb('t.category', 'not in', privateCategories), eb('t.reporter_user_id', '=', userId)]),
      ]);
      return f.side === 'owner' ? owner : f.side === 'reporter' ? reporter : eb.or([owner, reporter]);
    });
  }
  if (f.status?.length) q = q.where('t.status', 'in', f.status);
  if (f.resourceId) q = q.where('t.resource_id', '=', f.resourceId);
  if (f.category) q = q.where('t.category', '=', f.category);
  if (f.from) q = q.where('t.created_at', '>=', new Date(`${f.from}T00:00:00+08:00`));
  if (f.to) q = q.where('t.created_at', '<', new Date(Date.parse(`${f.to}T00:00:00+08:00`) + 86400_000));
  return q;
}

export function listTickets(db: DbOrTrx, s: TicketScope, f: TicketFilter, page: { limit: number; offset: number }) {
  return scoped(db, s, f)
    .selectAll('t')
    .select(['ow.name as owner_name', 'rp.name as reporter_name'])
    .orderBy('t.created_at', 'desc')
    .orderBy('t.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

export async function countTickets(db: DbOrTrx, s: TicketScope, f: TicketFilter) {
  const r = await scoped(db, s, f)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Open tickets (the reminders job). */
export function listOpen(db: DbOrTrx) {
  return db
    .selectFrom('quality_ticket')
    .selectAll()
    .where('status', 'in', ['triage', 'assigned', 'extension_requested', 'verifying'])
    .execute();
}

export function ticketNumbers(db: DbOrTrx, ids: string[]) {
  if (!ids.length) return Promise.resolve([]);
  return db.selectFrom('quality_ticket').select(['id', 'no']).where('id', 'in', ids).execute();
}

export function ruleNames(db: DbOrTrx, ids: string[]) {
  if (!ids.length) return Promise.resolve([]);
  return db.selectFrom('quality_rule').select(['id', 'name']).where('id', 'in', ids).execute();
}
