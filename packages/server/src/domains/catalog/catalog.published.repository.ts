// What other domains read of the catalog: approved resources at their current version, with their items.
// Exported through index.ts; the catalog's tables are read nowhere else outside this domain.
import type { DbOrTrx } from '../../db/database.ts';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A resource by id, or by its catalog code (what an integrating system knows). */
const refColumn = (ref: string) => (UUID_RE.test(ref) ? 'id' : 'code');

export interface PublishedItem {
  code: string;
  name: string;
  dataType: string;
  length: number | null;
  precision: number | null;
  required: boolean;
  primaryKey: boolean;
  piiKind: string | null;
  valueSet: string[];
  /** personal, sensitive_personal, trade_secret … or none (what the default masking follows). */
  sensitivity: string;
  /** The rule the catalog names for the item, if any. */
  maskingRule: string | null;
  /** The item's own share type when stricter than the resource's (null: the resource's). */
  shareType: 'unconditional' | 'conditional' | 'none' | null;
  shareCondition: string | null;
  shareBasis: string | null;
}

/** An approved resource at its current version. */
export interface PublishedResource {
  id: string;
  code: string;
  orgId: string;
  name: string;
  version: number;
  format: string;
  updateCycle: string;
  securityGrade: string;
  shareType: 'unconditional' | 'conditional' | 'none';
  shareCondition: string | null;
  shareBasis: string | null;
  shareMethods: string[];
  items: PublishedItem[];
}

/** An approved resource as a list shows it, with its unit. */
export interface PublishedSummary {
  id: string;
  code: string;
  name: string;
  version: number;
  orgId: string;
  orgName: string;
  updateCycle: string;
  format: string;
}

/** The approved resource `ref` (id or code) with its current items, or null (no such resource, or none approved yet). */
export async function findPublished(db: DbOrTrx, ref: string): Promise<PublishedResource | null> {
  const r = await db
    .selectFrom('resource as r')
    .innerJoin('resource_version as v', (j) =>
      j.onRef('v.resource_id', '=', 'r.id').onRef('v.version', '=', 'r.current_version'),
    )
    .select([
      'r.id',
      'r.code',
      'r.org_id',
      'v.name',
      'v.version',
      'v.format',
      'v.update_cycle',
      'v.security_grade',
      'v.share_type',
      'v.share_condition',
      'v.share_basis',
      'v.share_methods',
    ])
    .where(`r.${refColumn(ref)}`, '=', ref)
    .executeTakeFirst();
  if (!r) return null;
  const items = await db
    .selectFrom('resource_item')
    .selectAll()
    .where('resource_id', '=', r.id)
    .where('version', '=', r.version)
    .orderBy('position')
    .execute();
  return {
    id: r.id,
    code: r.code,
    orgId: r.org_id,
    name: r.name,
    version: r.version,
    format: r.format,
    updateCycle: r.update_cycle,
    securityGrade: r.security_grade,
    shareType: r.share_type,
    shareCondition: r.share_condition,
    shareBasis: r.share_basis,
    shareMethods: r.share_methods,
    items: items.map((i) => ({
      code: i.code,
      name: i.name,
      dataType: i.data_type,
      length: i.length,
      precision: i.precision,
      required: i.required,
      primaryKey: i.primary_key,
      piiKind: i.pii_kind,
      valueSet: i.value_set ?? [],
      sensitivity: i.sensitivity,
      maskingRule: i.masking_rule,
      shareType: (i.share_type as PublishedItem['shareType']) ?? null,
      shareCondition: i.share_condition,
      shareBasis: i.share_basis,
    })),
  };
}

/** Whether a resource `ref` exists at all (approved or not), and whose it is. */
export function findResourceOwner(db: DbOrTrx, ref: string): Promise<{ id: string; orgId: string } | undefined> {
  return db.selectFrom('resource').select(['id', 'org_id as orgId']).where(refColumn(ref), '=', ref).executeTakeFirst();
}

/** Every approved resource (of one unit, when given), by unit code and resource code. */
export function listPublished(db: DbOrTrx, f: { orgId?: string | undefined } = {}): Promise<PublishedSummary[]> {
  let q = db
    .selectFrom('resource as r')
    .innerJoin('resource_version as v', (j) =>
      j.onRef('v.resource_id', '=', 'r.id').onRef('v.version', '=', 'r.current_version'),
    )
    .innerJoin('organisation as o', 'o.id', 'r.org_id')
    .select([
      'r.id',
      'r.code',
      'v.name',
      'v.version',
      'r.org_id as orgId',
      'o.name as orgName',
      'v.update_cycle as updateCycle',
      'v.format',
    ])
    .orderBy('o.code')
    .orderBy('r.code');
  if (f.orgId) q = q.where('r.org_id', '=', f.orgId);
  return q.execute();
}

/** Names of resources by id (current version; the last approved name when none is current), with their unit. */
export async function resourceLabels(
  db: DbOrTrx,
  ids: string[],
): Promise<Map<string, { code: string; name: string; orgId: string; orgName: string }>> {
  if (!ids.length) return new Map();
  const rows = await db
    .selectFrom('resource as r')
    .innerJoin('resource_version as v', (j) =>
      j.onRef('v.resource_id', '=', 'r.id').onRef('v.version', '=', 'r.current_version'),
    )
    .innerJoin('organisation as o', 'o.id', 'r.org_id')
    .select(['r.id', 'r.code', 'v.name', 'r.org_id', 'o.name as org_name'])
    .where('r.id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, { code: r.code, name: r.name, orgId: r.org_id, orgName: r.org_name }]));
}

/** Items of approved resources that name an authoritative source (another resource's item): one data, one source. */
export function listSourceReferences(
  db: DbOrTrx,
): Promise<{ holderId: string; holderOrg: string; item: string; sourceId: string; sourceItem: string | null }[]> {
  return db
    .selectFrom('resource as r')
    .innerJoin('resource_item as i', (j) =>
      j.onRef('i.resource_id', '=', 'r.id').onRef('i.version', '=', 'r.current_version'),
    )
    .innerJoin('resource as s', 's.code', 'i.source_resource_code')
    .select([
      'r.id as holderId',
      'r.org_id as holderOrg',
      'i.code as item',
      's.id as sourceId',
      'i.source_item_code as sourceItem',
    ])
    .where('i.source_resource_code', 'is not', null)
    .whereRef('s.id', '<>', 'r.id')
    .execute();
}

/** The ids of a unit's resources. */
export async function resourceIdsOfOrg(db: DbOrTrx, orgId: string): Promise<string[]> {
  return (await db.selectFrom('resource').select('id').where('org_id', '=', orgId).execute()).map((r) => r.id);
}

/**
 * What each version of a resource said of its items' checks (the format, the value set, whether required): which
 * checks ingest made on the rows loaded under that version (quality need not make them again).
 */
export async function itemChecksByVersion(
  db: DbOrTrx,
  resourceId: string,
): Promise<Map<number, Map<string, { piiKind: string | null; valueSet: string[]; required: boolean }>>> {
  const rows = await db
    .selectFrom('resource_item')
    .select(['version', 'code', 'pii_kind', 'value_set', 'required', 'primary_key'])
    .where('resource_id', '=', resourceId)
    .execute();
  const out = new Map<number, Map<string, { piiKind: string | null; valueSet: string[]; required: boolean }>>();
  for (const r of rows) {
    const v = out.get(r.version) ?? new Map();
    v.set(r.code, { piiKind: r.pii_kind, valueSet: r.value_set ?? [], required: r.required || r.primary_key });
    out.set(r.version, v);
  }
  return out;
}
