// What records that name share cases and grants show of them (platform/labels.ts): the case's number
// (a grant is named by the number of the case that issued it; the record's object kind says which it is).
import type { Db } from '../../db/database.ts';
import { uuidsOnly, type LabelLookup } from '../../platform/labels.ts';
import { applicationNumbers } from './application/application.repository.ts';
import { grantNumbers } from './grant/grant.repository.ts';

export function sharingLabels(db: Db): Record<'share_application' | 'share_grant', LabelLookup> {
  return {
    share_application: async (ids) =>
      new Map(
        (await applicationNumbers(db, uuidsOnly(ids))).map((a) => [
          a.id,
          { name: a.no, code: null, link: `/sharing/applications/${a.id}` },
        ]),
      ),
    share_grant: async (ids) =>
      new Map(
        (await grantNumbers(db, uuidsOnly(ids))).map((g) => [
          g.id,
          { name: g.no, code: null, link: `/sharing/grants/${g.id}` },
        ]),
      ),
  };
}
