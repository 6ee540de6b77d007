// Masking outside the platform (the CLI's `mask` command over a CSV file): the rules in force for an approved
// resource — its default profile, or an approved stored profile named by the operator — as a CSV profile.
import type { DbOrTrx } from '../../db/database.ts';
import { findPublished } from '../catalog/index.ts';
import { defaultProfile, type Rules } from './masking.profile.ts';
import * as repo from './masking.repository.ts';
import type { Column } from './masking.rules.ts';
import type { CsvProfile } from './masking.stream.ts';

/** Why a resource's rules cannot be used, in the operator's words. */
export class ProfileUnavailable extends Error {}

export async function csvProfileOf(db: DbOrTrx, resourceCode: string, profileName?: string): Promise<CsvProfile> {
  const res = await findPublished(db, resourceCode);
  if (!res) throw new ProfileUnavailable(`no approved resource with code ${resourceCode}`);
  let rules: Rules = defaultProfile(
    res.items.map((i) => ({ ...i, dataType: i.dataType })),
    res.securityGrade,
  );
  if (profileName) {
    const p = await repo.findProfileByName(db, res.id, profileName);
    if (!p) throw new ProfileUnavailable(`resource ${resourceCode} has no profile named "${profileName}"`);
    if (p.status !== 'active')
      throw new ProfileUnavailable(`profile "${profileName}" loosens the default and is not approved yet`);
    rules = p.rules as Rules;
  }
  const profile: CsvProfile = { columns: {} };
  for (const i of res.items) {
    const entry = {
      rule: rules[i.code] ?? { rule: 'suppress' },
      column: { code: i.code, dataType: i.dataType as Column['dataType'], length: i.length, piiKind: i.piiKind },
    };
    profile.columns[i.code] = entry;
    profile.columns[i.name] = entry;
  }
  return profile;
}
