// The only file of the catalog domain with SQL.
import { sql, type Insertable, type Selectable } from 'kysely';
import type { Db, DbOrTrx } from '../../db/database.ts';
import type { ResourceItemTable, ResourceVersionTable } from '../../db/schema.ts';
import { indexKeys, normaliseText, queryKeys, queryTerms, tsqueryOf } from './catalog.search-text.ts';

export type VersionRow = Selectable<ResourceVersionTable>;
export type ItemRow = Selectable<ResourceItemTable>;

// ---------------------------------------------------------------- code tables and settings
export function listCodes(db: DbOrTrx) {
  return db.selectFrom('catalog_code').selectAll().orderBy('table_key').orderBy('sort').orderBy('code').execute();
}
export async function insertCodesIfMissing(
  db: DbOrTrx,
  rows: Insertable<import('../../db/schema.ts').CatalogCodeTable>[],
) {
  if (!rows.length) return;
  await db
    .insertInto('catalog_code')
    .values(rows)
    .onConflict((oc) => oc.columns(['table_key', 'code']).doNothing())
    .execute();
}
export async function upsertCode(
  db: DbOrTrx,
  row: { table_key: string; code: string; zh: string; en: string; sort: number; active: boolean },
) {
  await db
    .insertInto('catalog_code')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['table_key', 'code']).doUpdateSet({ zh: row.zh, en: row.en, sort: row.sort, active: row.active }),
    )
    .execute();
}
export function findCode(db: DbOrTrx, table: string, code: string) {
  return db
    .selectFrom('catalog_code')
    .selectAll()
    .where('table_key', '=', table)
    .where('code', '=', code)
    .executeTakeFirst();
}
export async function getMeta(db: DbOrTrx, key: string) {
  return (await db.selectFrom('gongshu_meta').select('value').where('key', '=', key).executeTakeFirst())?.value ?? null;
}
export async function setMeta(db: DbOrTrx, key: string, value: string) {
  await db
    .insertInto('gongshu_meta')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}

// ---------------------------------------------------------------- information systems
export function listSystems(db: DbOrTrx, orgId?: string) {
  let q = db
    .selectFrom('info_system')
    .innerJoin('organisation', 'organisation.id', 'info_system.org_id')
    .selectAll('info_system')
    .select('organisation.name as org_name');
  if (orgId) q = q.where('info_system.org_id', '=', orgId);
  return q.orderBy('organisation.code').orderBy('info_system.name').execute();
}
export function findSystem(db: DbOrTrx, id: string) {
  return db.selectFrom('info_system').selectAll().where('id', '=', id).executeTakeFirst();
}
export async function insertSystem(
  db: DbOrTrx,
  row: { id: string; org_id: string; name: string; description: string | null },
) {
  return db.insertInto('info_system').values(row).returningAll().executeTakeFirstOrThrow();
}
export async function updateSystem(
  db: DbOrTrx,
  id: string,
  patch: { name?: string; description?: string | null; active?: boolean },
) {
  return db.updateTable('info_system').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}
export async function systemNameTaken(db: DbOrTrx, orgId: string, name: string, exceptId?: string) {
  let q = db.selectFrom('info_system').select('id').where('org_id', '=', orgId).where('name', '=', name);
  if (exceptId) q = q.where('id', '<>', exceptId);
  return !!(await q.executeTakeFirst());
}

// ---------------------------------------------------------------- resources and versions
export function findResource(db: DbOrTrx, id: string) {
  return db.selectFrom('resource').selectAll().where('id', '=', id).executeTakeFirst();
}
export function findResourceByCode(db: DbOrTrx, code: string) {
  return db.selectFrom('resource').selectAll().where('code', '=', code).executeTakeFirst();
}
/** Serialises code allocation for one classification prefix; returns the next free sequence number. */
export async function nextSequence(trx: DbOrTrx, prefix: string): Promise<number> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${'catalog-code:' + prefix}))`.execute(trx);
  const r = await sql<{
    n: number | null;
  }>`SELECT max(split_part(code, '/', 2)::bigint) AS n FROM resource WHERE split_part(code, '/', 1) = ${prefix}`.execute(
    trx,
  );
  return Number(r.rows[0]?.n ?? 0) + 1;
}
export async function insertResource(
  db: DbOrTrx,
  row: { id: string; code: string; org_id: string; working_version: number; is_demo?: boolean },
) {
  await db
    .insertInto('resource')
    .values({ ...row, current_version: null })
    .execute();
}
export async function setResourcePointers(
  db: DbOrTrx,
  id: string,
  p: { current_version?: number | null; working_version?: number | null },
) {
  await db.updateTable('resource').set(p).where('id', '=', id).execute();
}
export function findVersion(db: DbOrTrx, id: string, version: number) {
  return db
    .selectFrom('resource_version')
    .selectAll()
    .where('resource_id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
}
export function listVersions(db: DbOrTrx, id: string) {
  return db
    .selectFrom('resource_version')
    .select([
      'version',
      'kind',
      'status',
      'name',
      'change_date',
      'change_reason',
      'submitted_at',
      'reviewed_at',
      'created_at',
      'policy_version',
    ])
    .where('resource_id', '=', id)
    .orderBy('version', 'desc')
    .execute();
}
export function listItems(db: DbOrTrx, id: string, version: number) {
  return db
    .selectFrom('resource_item')
    .selectAll()
    .where('resource_id', '=', id)
    .where('version', '=', version)
    .orderBy('position')
    .execute();
}
export async function insertVersion(db: DbOrTrx, row: Insertable<ResourceVersionTable>) {
  await db.insertInto('resource_version').values(row).execute();
}
export async function updateVersion(
  db: DbOrTrx,
  id: string,
  version: number,
  patch: Partial<Insertable<ResourceVersionTable>>,
) {
  await db
    .updateTable('resource_version')
    .set({ ...patch, updated_at: new Date() })
    .where('resource_id', '=', id)
    .where('version', '=', version)
    .execute();
}
export async function replaceItems(db: DbOrTrx, id: string, version: number, items: Insertable<ResourceItemTable>[]) {
  await db.deleteFrom('resource_item').where('resource_id', '=', id).where('version', '=', version).execute();
  for (let i = 0; i < items.length; i += 200)
    await db
      .insertInto('resource_item')
      .values(items.slice(i, i + 200))
      .execute();
}

/** Rebuilds the search keys of one version: name and keywords weigh most, then item names, then the summary. */
export async function refreshSearch(db: DbOrTrx, id: string, version: number) {
  const v = await findVersion(db, id, version);
  if (!v) return;
  const items = await db
    .selectFrom('resource_item')
    .select('name')
    .where('resource_id', '=', id)
    .where('version', '=', version)
    .execute();
  const res = await findResource(db, id);
  const itemText = items.map((i) => i.name).join(' ');
  const a = indexKeys([v.name, ...v.keywords].join(' '));
  const b = indexKeys(itemText);
  const c = indexKeys(v.summary);
  const text = normaliseText([res?.code ?? '', v.name, v.keywords.join(' '), v.summary, itemText].join(' | '));
  await sql`
    UPDATE resource_version SET
      search_doc = setweight(array_to_tsvector(${a}::text[]), 'A') || setweight(array_to_tsvector(${b}::text[]), 'B') || setweight(array_to_tsvector(${c}::text[]), 'C'),
      search_text = ${text}
    WHERE resource_id = ${id} AND version = ${version}`.execute(db);
}

export interface SearchFilter {
  q?: string | undefined;
  orgId?: string | undefined;
  category?: string | undefined;
  baseLibrary?: string | undefined;
  shareType?: string | undefined;
  openAttribute?: string | undefined;
  updateCycle?: string | undefined;
  securityGrade?: string | undefined;
}

const FACETS = [
  'org_id',
  'category',
  'base_library',
  'share_type',
  'open_attribute',
  'update_cycle',
  'security_grade',
] as const;

/** The district catalog: each resource's approved current version, matching every term of q. */
function searchWhere(f: SearchFilter, except?: (typeof FACETS)[number]) {
  const parts = [sql`rv.status = 'approved'`, sql`rv.version = r.current_version`];
  for (const term of queryTerms(f.q ?? '')) {
    const keys = queryKeys(term);
    const like = '%' + term.replace(/[\\%_]/g, '\\$&') + '%';
    const codeLike = term.replace(/[\\%_]/g, '\\$&') + '%';
    // The GIN index narrows by bigrams; the substring test keeps exactly the resources containing the term.
    // A term of one or two Han characters is its own key, so the index answer is already exact.
    if (keys.length && /^\p{Script=Han}{1,2}$/u.test(term))
      parts.push(sql`rv.search_doc @@ ${tsqueryOf(keys)}::tsquery`);
    else if (keys.length)
      parts.push(sql`(rv.search_doc @@ ${tsqueryOf(keys)}::tsquery AND rv.search_text LIKE ${like})`);
    else parts.push(sql`(rv.search_text LIKE ${like} OR r.code LIKE ${codeLike})`);
  }
  const eq = (col: (typeof FACETS)[number], v: string | undefined) => {
    if (v !== undefined && col !== except) parts.push(sql`${sql.ref('rv.' + col)} = ${v}`);
  };
  if (f.orgId && except !== 'org_id') parts.push(sql`r.org_id = ${f.orgId}`);
  eq('category', f.category);
  eq('base_library', f.baseLibrary);
  eq('share_type', f.shareType);
  eq('open_attribute', f.openAttribute);
  eq('update_cycle', f.updateCycle);
  eq('security_grade', f.securityGrade);
  return sql.join(parts, sql` AND `);
}

export async function search(db: Db, f: SearchFilter, page: { limit: number; offset: number }) {
  const where = searchWhere(f);
  const terms = queryTerms(f.q ?? '');
  const first = terms[0] ? '%' + terms[0].replace(/[\\%_]/g, '\\$&') + '%' : null;
  // Name hits first, then keyword hits, then by code. Both read short columns: a weighted tsquery on the
  // whole search_doc would de-TOAST every match's key set. One sort, and one window for the total.
  const k1 = first ? sql`(lower(rv.name) LIKE ${first})::int` : sql`0::int`;
  const k2 = first ? sql`(lower(array_to_string(rv.keywords, ' ')) LIKE ${first})::int` : sql`0::int`;
  const rows = await sql<{
    resource_id: string;
    code: string;
    org_id: string;
    org_name: string;
    version: number;
    name: string;
    summary: string;
    category: string;
    base_library: string;
    share_type: string;
    open_attribute: string;
    update_cycle: string;
    security_grade: string;
    format: string;
    item_count: number;
    total: number;
  }>`
    WITH hits AS (
      SELECT r.id, rv.version, r.code, ${k1} AS k1, ${k2} AS k2, count(*) OVER ()::int AS total
      FROM resource r JOIN resource_version rv ON rv.resource_id = r.id AND rv.version = r.current_version
      WHERE ${where}
      ORDER BY k1 DESC, k2 DESC, r.code LIMIT ${page.limit} OFFSET ${page.offset}
    )
    SELECT r.id AS resource_id, r.code, r.org_id, o.name AS org_name, rv.version, rv.name, rv.summary, rv.category, rv.base_library, rv.share_type,
           rv.open_attribute, rv.update_cycle, rv.security_grade, rv.format, h.total,
           (SELECT count(*) FROM resource_item i WHERE i.resource_id = r.id AND i.version = rv.version)::int AS item_count
    FROM hits h
    JOIN resource r ON r.id = h.id
    JOIN resource_version rv ON rv.resource_id = h.id AND rv.version = h.version
    JOIN organisation o ON o.id = r.org_id
    ORDER BY h.k1 DESC, h.k2 DESC, h.code`.execute(db);
  return { rows: rows.rows, total: rows.rows[0]?.total ?? (page.offset ? await countOnly(db, f) : 0) };
}

async function countOnly(db: Db, f: SearchFilter) {
  const r = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM resource r JOIN resource_version rv ON rv.resource_id = r.id AND rv.version = r.current_version WHERE ${searchWhere(f)}`.execute(
    db,
  );
  return r.rows[0]?.n ?? 0;
}

/**
 * Counts per facet value in one pass: the text match is computed once, and each facet ignores its own
 * filter (so the other choices stay visible) while applying the others.
 */
export async function facets(db: Db, f: SearchFilter) {
  const textOnly = searchWhere({ q: f.q });
  const filters: Record<(typeof FACETS)[number], string | undefined> = {
    org_id: f.orgId,
    category: f.category,
    base_library: f.baseLibrary,
    share_type: f.shareType,
    open_attribute: f.openAttribute,
    update_cycle: f.updateCycle,
    security_grade: f.securityGrade,
  };
  const branch = (col: (typeof FACETS)[number]) => {
    const conds = FACETS.filter((c) => c !== col && filters[c] !== undefined).map(
      (c) => sql`${sql.ref(c)} = ${filters[c]}`,
    );
    return sql`SELECT ${col} AS facet, ${sql.ref(col)} AS value, count(*)::int AS count FROM m ${conds.length ? sql`WHERE ${sql.join(conds, sql` AND `)}` : sql``} GROUP BY 2`;
  };
  const r = await sql<{ facet: string; value: string; count: number }>`
    WITH m AS MATERIALIZED (
      SELECT r.org_id::text AS org_id, rv.category, rv.base_library, rv.share_type, rv.open_attribute, rv.update_cycle, rv.security_grade
      FROM resource r JOIN resource_version rv ON rv.resource_id = r.id AND rv.version = r.current_version
      WHERE ${textOnly}
    )
    ${sql.join(FACETS.map(branch), sql` UNION ALL `)}`.execute(db);
  const out: Record<string, { value: string; count: number }[]> = Object.fromEntries(FACETS.map((c) => [c, []]));
  for (const row of r.rows) out[row.facet]!.push({ value: row.value, count: row.count });
  for (const c of FACETS) out[c]!.sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  return out;
}

/** The same question answered by a plain ILIKE scan (the benchmark's baseline and the tests' oracle). */
export async function ilikeScan(db: Db, q: string) {
  const terms = queryTerms(q);
  const conds = terms.map((t) => {
    const like = '%' + t.replace(/[\\%_]/g, '\\$&') + '%';
    return sql`(rv.name ILIKE ${like} OR rv.summary ILIKE ${like} OR array_to_string(rv.keywords, ' ') ILIKE ${like} OR r.code ILIKE ${like}
      OR EXISTS (SELECT 1 FROM resource_item i WHERE i.resource_id = r.id AND i.version = rv.version AND i.name ILIKE ${like}))`;
  });
  const r = await sql<{ resource_id: string }>`
    SELECT r.id AS resource_id FROM resource r JOIN resource_version rv ON rv.resource_id = r.id AND rv.version = r.current_version
    WHERE rv.status = 'approved' ${conds.length ? sql`AND ${sql.join(conds, sql` AND `)}` : sql``}`.execute(db);
  return r.rows.map((x) => x.resource_id);
}

export function listOrgResources(db: DbOrTrx, orgId: string) {
  return db
    .selectFrom('resource as r')
    .leftJoin('resource_version as cur', (j) =>
      j.onRef('cur.resource_id', '=', 'r.id').onRef('cur.version', '=', 'r.current_version'),
    )
    .leftJoin('resource_version as wk', (j) =>
      j.onRef('wk.resource_id', '=', 'r.id').onRef('wk.version', '=', 'r.working_version'),
    )
    .select([
      'r.id',
      'r.code',
      'r.org_id',
      'r.current_version',
      'r.working_version',
      'cur.name as current_name',
      'wk.name as working_name',
      'wk.status as working_status',
      'wk.kind as working_kind',
      'wk.review_due',
      'wk.filing_due',
      'wk.submitted_at',
      'wk.updated_at as working_updated_at',
      'cur.reviewed_at as current_approved_at',
    ])
    .where('r.org_id', '=', orgId)
    .where((eb) => eb.or([eb('r.current_version', 'is not', null), eb('r.working_version', 'is not', null)]))
    .orderBy('r.code')
    .execute();
}

/** Working versions in a state, across the district (review queue, overdue list). */
export function listWorking(db: DbOrTrx, statuses: string[]) {
  return db
    .selectFrom('resource as r')
    .innerJoin('resource_version as wk', (j) =>
      j.onRef('wk.resource_id', '=', 'r.id').onRef('wk.version', '=', 'r.working_version'),
    )
    .innerJoin('organisation as o', 'o.id', 'r.org_id')
    .select([
      'r.id',
      'r.code',
      'r.org_id',
      'o.name as org_name',
      'wk.version',
      'wk.kind',
      'wk.status',
      'wk.name',
      'wk.submitted_at',
      'wk.review_due',
      'wk.filing_due',
      'wk.change_date',
      'wk.policy_version',
    ])
    .where('wk.status', 'in', statuses as never[])
    .orderBy('wk.review_due')
    .orderBy('wk.filing_due')
    .orderBy('r.code')
    .execute();
}

export async function addEvent(
  db: DbOrTrx,
  e: {
    resource_id: string;
    version: number;
    actor_user_id: string | null;
    actor_name: string | null;
    action: string;
    comment?: string | null;
    details?: unknown;
  },
) {
  await db
    .insertInto('catalog_event')
    .values({ ...e, comment: e.comment ?? null, details: e.details === undefined ? null : JSON.stringify(e.details) })
    .execute();
}
export function listEvents(db: DbOrTrx, id: string) {
  return db.selectFrom('catalog_event').selectAll().where('resource_id', '=', id).orderBy('id').execute();
}

/** Resources to export: all with an approved version (district), or a unit's with either version. */
export function listExportRefs(db: DbOrTrx, orgId?: string) {
  let q = db
    .selectFrom('resource as r')
    .innerJoin('organisation as o', 'o.id', 'r.org_id')
    .leftJoin('resource_version as v', (j) =>
      j
        .onRef('v.resource_id', '=', 'r.id')
        .on((eb) =>
          eb(
            'v.version',
            '=',
            orgId ? eb.fn.coalesce('r.working_version', 'r.current_version') : eb.ref('r.current_version'),
          ),
        ),
    )
    .leftJoin('info_system as s', 's.id', 'v.system_id')
    .select([
      'r.id',
      'r.code',
      'r.current_version',
      'r.working_version',
      'o.name as org_name',
      's.name as system_name',
    ]);
  if (orgId)
    q = q
      .where('r.org_id', '=', orgId)
      .where((eb) => eb.or([eb('r.current_version', 'is not', null), eb('r.working_version', 'is not', null)]));
  else q = q.where('r.current_version', 'is not', null);
  return q.orderBy('o.code').orderBy('r.code').execute();
}

// ---------------------------------------------------------------- labels (records that name these objects)
/** Resources by id with the name of their approved version, or of the draft when none is approved yet. */
export function resourceNames(db: DbOrTrx, ids: string[]) {
  if (!ids.length) return Promise.resolve([]);
  return db
    .selectFrom('resource as r')
    .innerJoin('resource_version as v', (j) =>
      j
        .onRef('v.resource_id', '=', 'r.id')
        .on((eb) => eb('v.version', '=', eb.fn.coalesce('r.current_version', 'r.working_version'))),
    )
    .select(['r.id', 'r.code', 'v.name'])
    .where('r.id', 'in', ids)
    .execute();
}
export function systemNames(db: DbOrTrx, ids: string[]) {
  return ids.length
    ? db.selectFrom('info_system').select(['id', 'name']).where('id', 'in', ids).execute()
    : Promise.resolve([]);
}
