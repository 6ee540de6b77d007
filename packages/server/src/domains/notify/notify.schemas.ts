// The notifications API's schemas.
import { Type } from 'typebox';
import { DateTime, Obj, OneOf, Uuid } from '../../platform/http.ts';

export const NOTICE_KINDS = [
  'share.waiting',
  'share.decided',
  'share.overdue',
  'grant.expiring',
  'ticket.waiting',
  'ticket.decided',
  'ticket.due_soon',
  'ticket.overdue',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export const Notices = Type.Object({
  unread: Type.Integer(),
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      kind: OneOf(NOTICE_KINDS, { title: 'NoticeKind' }),
      objectType: Type.String(),
      objectId: Type.String(),
      params: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Null()])),
      createdAt: DateTime,
      read: Type.Boolean(),
    }),
  ),
});
export const ReadBody = Obj({
  ids: Type.Optional(Type.Array(Uuid, { maxItems: 200, description: 'the notifications read (all when left out)' })),
});
