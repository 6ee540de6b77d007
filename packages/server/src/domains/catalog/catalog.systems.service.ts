// The information systems a unit registers (a resource names the system its data comes from).
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/database.ts';
import type { RequestContext } from '../../platform/context.ts';
import { errors } from '../../platform/errors.ts';
import { writeAudit } from '../audit/index.ts';
import * as repo from './catalog.repository.ts';
import { authorize, can } from './catalog.policy.ts';

export class InfoSystems {
  constructor(private readonly db: Db) {}

  async list(ctx: RequestContext, orgId?: string) {
    const scope = orgId ?? (ctx.actor && can(ctx.actor, 'system.read', '__any__') ? undefined : ctx.actor?.orgId);
    authorize(ctx.actor, 'system.read', scope ?? '__any__');
    return (await repo.listSystems(this.db, scope)).map((s) => ({
      id: s.id,
      orgId: s.org_id,
      orgName: s.org_name,
      name: s.name,
      description: s.description,
      active: s.active,
    }));
  }

  async create(ctx: RequestContext, body: { name: string; description?: string | null; orgId?: string }) {
    const orgId = body.orgId ?? ctx.actor?.orgId;
    authorize(ctx.actor, 'system.manage', orgId);
    if (await repo.systemNameTaken(this.db, orgId!, body.name))
      throw errors.field('name', '本单位已登记同名系统', 'is already registered for this unit');
    return this.db.transaction().execute(async (trx) => {
      const s = await repo.insertSystem(trx, {
        id: randomUUID(),
        org_id: orgId!,
        name: body.name,
        description: body.description ?? null,
      });
      await writeAudit(trx, ctx, {
        action: 'catalog.system.create',
        objectType: 'info_system',
        objectId: s.id,
        orgId: orgId!,
        diff: { name: [null, s.name] },
      });
      return { id: s.id, orgId: s.org_id, orgName: null, name: s.name, description: s.description, active: s.active };
    });
  }

  async update(
    ctx: RequestContext,
    id: string,
    patch: { name?: string; description?: string | null; active?: boolean },
  ) {
    const s = await repo.findSystem(this.db, id);
    authorize(ctx.actor, 'system.manage', s?.org_id ?? '__missing__');
    if (!s) throw errors.notFound('info_system', id);
    if (patch.name && (await repo.systemNameTaken(this.db, s.org_id, patch.name, id)))
      throw errors.field('name', '本单位已登记同名系统', 'is already registered for this unit');
    return this.db.transaction().execute(async (trx) => {
      const n = await repo.updateSystem(trx, id, patch);
      await writeAudit(trx, ctx, {
        action: 'catalog.system.update',
        objectType: 'info_system',
        objectId: id,
        orgId: s.org_id,
        diff: { name: [s.name, n.name], active: [s.active, n.active] },
      });
      return { id: n.id, orgId: n.org_id, orgName: null, name: n.name, description: n.description, active: n.active };
    });
  }
}
