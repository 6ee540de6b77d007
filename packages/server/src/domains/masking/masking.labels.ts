// What records that name masking profiles show of them (platform/labels.ts).
import type { Db } from '../../db/database.ts';
import type { LabelLookup } from '../../platform/labels.ts';
import * as repo from './masking.repository.ts';

export function maskingLabels(db: Db): Record<'masking_profile', LabelLookup> {
  return {
    masking_profile: async (ids) =>
      new Map(
        (await repo.profileNames(db, ids)).map((p) => [
          p.id,
          { name: p.name, code: null, link: `/catalog/${p.resource_id}?tab=masking` },
        ]),
      ),
  };
}
