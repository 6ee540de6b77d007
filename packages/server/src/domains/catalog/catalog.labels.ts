// What records that name the catalog's objects show of them (platform/labels.ts).
import type { Db } from '../../db/database.ts';
import type { LabelLookup, ObjectLabel } from '../../platform/labels.ts';
import * as repo from './catalog.repository.ts';
import * as lists from './lists.repository.ts';

export function catalogLabels(db: Db): Record<'resource' | 'info_system' | 'demand' | 'system_plan', LabelLookup> {
  const map = <T extends { id: string }>(rows: T[], f: (r: T) => ObjectLabel) => new Map(rows.map((r) => [r.id, f(r)]));
  return {
    resource: async (ids) =>
      map(await repo.resourceNames(db, ids), (r) => ({ name: r.name, code: r.code, link: `/catalog/${r.id}` })),
    info_system: async (ids) =>
      map(await repo.systemNames(db, ids), (s) => ({ name: s.name, code: null, link: '/catalog-settings' })),
    demand: async (ids) =>
      map(await lists.demandTitles(db, ids), (d) => ({ name: d.title, code: null, link: '/lists' })),
    system_plan: async (ids) =>
      map(await lists.planNames(db, ids), (p) => ({ name: p.name, code: null, link: '/plans' })),
  };
}
