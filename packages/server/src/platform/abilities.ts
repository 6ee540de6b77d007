// What the console may offer a user: the pages it shows and the actions it enables. The names and their schema
// live here; what each one is worth for a user is decided by the domains' policies (abilities.policy.ts), and the
// server still checks every request — a hidden button is a courtesy, never the guard.
import { Type, type TObject, type TBoolean } from 'typebox';

export const PAGES = [
  'home',
  'catalog',
  'mycatalog',
  'review',
  'lists',
  'plans',
  'catalogSettings',
  'ingest',
  'sharing',
  'quality',
  'orgs',
  'users',
  'credentials',
  'audit',
  'calendar',
  'policy',
  'jobs',
  'account',
] as const;
export type Page = (typeof PAGES)[number];

export const ABILITIES = [
  'catalog.compile', // draft, edit, submit and change the unit's resources; file lists and plans
  'catalog.review', // approve or return resources, demands and plans
  'catalog.configure', // code tables
  'units.all', // read every unit's cases, users, credentials, audit records and data (the Center)
  'org.create', // create and change any organisation
  'org.update_own_contact', // change the contact of one's own organisation
  'user.manage', // create and change users (of one's own unit, or any for the Center)
  'user.reset_totp',
  'user.grant_center_roles',
  'credential.manage',
  'credential.other_units', // issue a credential for another unit
  'calendar.edit',
  'policy.edit',
  'audit.verify',
  'masking.approve',
  'ingest.one_source.check',
  'sharing.apply', // apply for another unit's data
  'sharing.center', // confirm and review share cases, review refusals (the Center)
  'sharing.trace', // name the export a leaked file came from (the Center)
  'quality.rules', // define and run quality rules (the Center on any resource, a unit's data admin on its own)
  'quality.report', // report problem data (a consumer unit's staff, the Center)
  'quality.center', // triage tickets, decide extensions, mark urgent, export the register (the Center)
  'totp.optional', // may switch one's own second factor off
] as const;
export type Ability = (typeof ABILITIES)[number];

export interface AbilitySet {
  pages: Record<Page, boolean>;
  can: Record<Ability, boolean>;
}

const flags = <K extends string>(names: readonly K[]): TObject<Record<K, TBoolean>> =>
  Type.Object(Object.fromEntries(names.map((n) => [n, Type.Boolean()])) as Record<K, TBoolean>);

export const AbilitySetSchema = Type.Object(
  { pages: flags(PAGES), can: flags(ABILITIES) },
  { description: 'What the console may offer this user (the server checks every request regardless)' },
);

/** Nothing (a session still waiting for its second factor). */
export const NO_ABILITIES: AbilitySet = {
  pages: Object.fromEntries(PAGES.map((p) => [p, false])) as Record<Page, boolean>,
  can: Object.fromEntries(ABILITIES.map((a) => [a, false])) as Record<Ability, boolean>,
};
