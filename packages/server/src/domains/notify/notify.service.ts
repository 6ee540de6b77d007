// Notifications: other domains address what needs a unit's attention to the unit (inside their own transaction,
// so a notification exists exactly when the change does); each of the unit's users reads the bell and marks
// their own as read. The words are the console's (by kind), never stored text.
import { randomUUID } from 'node:crypto';
import type { Db, DbOrTrx } from '../../db/database.ts';
import type { RequestContext } from '../../platform/context.ts';
import { errors } from '../../platform/errors.ts';
import * as repo from './notify.repository.ts';
import type { NoticeKind } from './notify.schemas.ts';

export type { NewNotice } from './notify.repository.ts';

/** Addresses notifications, in the caller's transaction; `center` sends one to each Center organisation. */
export async function notify(
  trx: DbOrTrx,
  notices: (repo.NewNotice | (Omit<repo.NewNotice, 'orgId'> & { orgId: 'center' }))[],
) {
  const center = notices.some((n) => n.orgId === 'center') ? await repo.centerOrgIds(trx) : [];
  const rows = notices.flatMap((n) =>
    (n.orgId === 'center' ? center : [n.orgId]).map((orgId) => ({
      ...n,
      orgId,
      id: randomUUID(),
      dedupKey: n.dedupKey ? `${n.dedupKey}|${orgId}` : null,
    })),
  );
  await repo.insertNotices(trx, rows);
}

export class NotifyService {
  constructor(private readonly db: Db) {}

  private user(ctx: RequestContext) {
    if (!ctx.actor) throw errors.unauthenticated();
    if (ctx.actor.kind !== 'user') throw errors.forbidden('notifications are for people');
    return ctx.actor;
  }

  /** The caller's unit's latest notifications and how many the caller has not read. */
  async list(ctx: RequestContext, limit = 30) {
    const u = this.user(ctx);
    const [items, unread] = await Promise.all([
      repo.listFor(this.db, u.orgId, u.userId, limit),
      repo.unreadCount(this.db, u.orgId, u.userId),
    ]);
    return {
      unread,
      items: items.map((n) => ({
        id: n.id,
        kind: n.kind as NoticeKind,
        objectType: n.object_type,
        objectId: n.object_id,
        params: n.params as Record<string, string | number | null>,
        createdAt: n.created_at.toISOString(),
        read: !!n.read_at,
      })),
    };
  }

  async markRead(ctx: RequestContext, ids: string[] | undefined) {
    const u = this.user(ctx);
    await repo.markRead(this.db, u.orgId, u.userId, ids ?? null);
  }
}
