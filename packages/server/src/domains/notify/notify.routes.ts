// The bell: a user's unit's notifications, and marking them read.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ROLES } from '../../platform/context.ts';
import type { NotifyService } from './notify.service.ts';
import * as S from './notify.schemas.ts';

export const notifyRoutes =
  (svc: NotifyService): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['notifications'];
    app.get(
      '/api/notifications',
      {
        schema: {
          tags,
          summary: "The caller's unit's latest notifications, and how many the caller has not read",
          response: { 200: S.Notices },
        },
        config: { allow: ROLES },
      },
      async (req) => svc.list(req.ctx),
    );
    app.post(
      '/api/notifications/read',
      {
        schema: {
          tags,
          summary: 'Mark notifications read (for the caller only)',
          body: S.ReadBody,
          response: { 204: Type.Null() },
        },
        config: { allow: ROLES },
      },
      async (req, reply) => {
        await svc.markRead(req.ctx, req.body.ids);
        return reply.status(204).send(null);
      },
    );
  };
