// SQL of notifications (notify's own tables) and of who receives the Center's.
import { sql } from 'kysely';
import type { NoticeKind } from './notify.schemas.ts';
import type { DbOrTrx } from '../../db/database.ts';

export interface NewNotice {
  orgId: string;
  kind: NoticeKind;
  objectType: string;
  objectId: string;
  params?: Record<string, unknown>;
  /** the same key twice makes one notification (a reminder sent once per case and step, say) */
  dedupKey?: string | null;
}

export async function insertNotices(db: DbOrTrx, rows: (NewNotice & { id: string })[]) {
  if (!rows.length) return;
  await db
    .insertInto('notification')
    .values(
      rows.map((n) => ({
        id: n.id,
        org_id: n.orgId,
        kind: n.kind,
        object_type: n.objectType,
        object_id: n.objectId,
        params: JSON.stringify(n.params ?? {}),
        dedup_key: n.dedupKey ?? null,
      })),
    )
    .onConflict((oc) => oc.column('dedup_key').doNothing())
    .execute();
}

/** The Center's organisations (kind center): they receive what waits for the Center. */
export async function centerOrgIds(db: DbOrTrx): Promise<string[]> {
  const rows = await db.selectFrom('organisation').select('id').where('kind', '=', 'center').execute();
  return rows.map((r) => r.id);
}

/** A user's unit's notifications, newest first, with whether this user has read each. */
export function listFor(db: DbOrTrx, orgId: string, userId: string, limit: number) {
  return db
    .selectFrom('notification as n')
    .leftJoin('notification_read as r', (j) => j.onRef('r.notification_id', '=', 'n.id').on('r.user_id', '=', userId))
    .select(['n.id', 'n.kind', 'n.object_type', 'n.object_id', 'n.params', 'n.created_at', 'r.read_at'])
    .where('n.org_id', '=', orgId)
    .orderBy('n.created_at', 'desc')
    .orderBy('n.id')
    .limit(limit)
    .execute();
}

export async function unreadCount(db: DbOrTrx, orgId: string, userId: string): Promise<number> {
  const r = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM notification n
    WHERE n.org_id = ${orgId}
      AND NOT EXISTS (SELECT 1 FROM notification_read r WHERE r.notification_id = n.id AND r.user_id = ${userId})`.execute(
    db,
  );
  return r.rows[0]!.n;
}

/** Marks a user's unit's notifications as read by the user (those named, or all). */
export async function markRead(db: DbOrTrx, orgId: string, userId: string, ids: string[] | null) {
  await sql`
    INSERT INTO notification_read (notification_id, user_id)
    SELECT n.id, ${userId} FROM notification n
    WHERE n.org_id = ${orgId} ${ids ? sql`AND n.id = ANY(${ids}::uuid[])` : sql``}
    ON CONFLICT DO NOTHING`.execute(db);
}
