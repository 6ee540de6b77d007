// What records that name the auth domain's objects show of them (platform/labels.ts).
import type { Db } from '../../db/database.ts';
import type { LabelLookup, ObjectLabel } from '../../platform/labels.ts';
import * as repo from './auth.repository.ts';

export function authLabels(db: Db): Record<'organisation' | 'user' | 'credential', LabelLookup> {
  const map = <T extends { id: string }>(rows: T[], f: (r: T) => ObjectLabel) => new Map(rows.map((r) => [r.id, f(r)]));
  return {
    organisation: async (ids) =>
      map(await repo.orgNames(db, ids), (o) => ({ name: o.name, code: o.code, link: '/orgs' })),
    user: async (ids) =>
      map(await repo.userNames(db, ids), (u) => ({ name: u.display_name, code: u.username, link: '/users' })),
    credential: async (ids) =>
      map(await repo.credentialNames(db, ids), (c) => ({ name: c.system_name, code: c.key_id, link: '/credentials' })),
  };
}
