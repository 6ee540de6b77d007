// Each approved tabular resource's data table kept at its current catalog version: created on first need,
// altered in place when the new version only adds or widens columns, rebuilt and copied otherwise (the old
// table is kept, archived). Each change is audited in the caller's transaction.
import type { Db, Trx } from '../../../db/database.ts';
import type { RequestContext } from '../../../platform/context.ts';
import { writeAudit, type AuditAction } from '../../audit/index.ts';
import { findPublished, listPublished, type PublishedResource } from '../../catalog/index.ts';
import * as registry from '../ingest.repository.ts';
import { baseTableName, columnsOf, planMigration } from './table.ts';
import * as tables from './table.repository.ts';

/** Formats whose items describe columns; files, images and video have no table. */
const NON_TABULAR = new Set(['file', 'media']);
const TABLE_CTX: RequestContext = { actor: null, requestId: 'ingest.table', ip: null };

export const isTabular = (resource: Pick<PublishedResource, 'format' | 'items'>) =>
  resource.items.length > 0 && !NON_TABULAR.has(resource.format);

export type EnsureResult = {
  action: 'none' | 'created' | 'altered' | 'rebuilt' | 'not_tabular';
  table?: string;
  detail?: unknown;
};

export class DataTables {
  constructor(private readonly db: Db) {}

  /** The first of base, base_2, base_3 … that no resource and no table in schema "data" uses. */
  private async freeName(trx: Trx, base: string): Promise<string> {
    for (let n = 0; ; n++) {
      const name = n === 0 ? base : `${base}_${n + 1}`;
      if (!(await registry.dataTableNameTaken(trx, name)) && !(await tables.tableExists(trx, name))) return name;
    }
  }

  /** Creates or migrates the data table of a resource's current version (inside the caller's transaction). */
  async ensure(trx: Trx, resourceId: string): Promise<EnsureResult> {
    const resource = await findPublished(trx, resourceId);
    if (!resource || !isTabular(resource)) return { action: 'not_tabular' };
    const cols = columnsOf(resource.items);
    const keyColumns = cols.filter((c) => c.key).map((c) => c.code);
    const existing = await registry.findDataTable(trx, resource.id, { forUpdate: true });
    const audit = (action: AuditAction, diff: Record<string, unknown>) =>
      writeAudit(trx, TABLE_CTX, {
        action,
        objectType: 'resource',
        objectId: resource.id,
        orgId: resource.orgId,
        diff,
      });

    if (!existing) {
      const name = await this.freeName(trx, baseTableName(resource.code));
      await tables.createDataTable(trx, name, cols);
      await registry.insertDataTable(trx, {
        resourceId: resource.id,
        table: name,
        version: resource.version,
        columns: cols,
        keyColumns,
      });
      await audit('ingest.table.create', { table: name, version: resource.version });
      return { action: 'created', table: name };
    }
    if (existing.version === resource.version) return { action: 'none', table: existing.table_name };

    const actual = await tables.actualColumns(trx, existing.table_name);
    const plan = planMigration(existing.table_name, actual, existing.key_columns, cols);
    if (plan.kind !== 'rebuild') {
      if (plan.kind === 'alter') await tables.alterDataTable(trx, plan.statements);
      await registry.setDataTableVersion(trx, resource.id, { version: resource.version, columns: cols, keyColumns });
      const detail = plan.kind === 'alter' ? { added: plan.added, widened: plan.widened } : {};
      await audit('ingest.table.migrate', {
        table: existing.table_name,
        version: [existing.version, resource.version],
        ...detail,
      });
      return { action: plan.kind === 'alter' ? 'altered' : 'none', table: existing.table_name, detail };
    }

    const name = await this.freeName(trx, `${baseTableName(resource.code)}_v${resource.version}`);
    await tables.createDataTable(trx, name, cols);
    const copied = await tables.copyIntoRebuilt(trx, existing.table_name, name, actual, cols);
    await registry.setRebuiltDataTable(trx, resource.id, {
      table: name,
      version: resource.version,
      columns: cols,
      keyColumns,
      archived: [...existing.archived_tables, existing.table_name],
      rowCount: await tables.countRows(trx, name),
    });
    const detail = { reasons: plan.reasons, copied: copied.copied, of: copied.total, archived: existing.table_name };
    await audit('ingest.table.rebuild', {
      table: [existing.table_name, name],
      version: [existing.version, resource.version],
      ...detail,
    });
    return { action: 'rebuilt', table: name, detail };
  }

  /** Brings every approved tabular resource's table up to its current version (startup, after seeding). */
  async ensureAll(): Promise<number> {
    const [published, registered] = await Promise.all([listPublished(this.db), registry.listDataTables(this.db)]);
    const versionOf = new Map(registered.map((t) => [t.resource_id, t.version]));
    let n = 0;
    for (const r of published) {
      if (versionOf.get(r.id) === r.version) continue;
      const res = await this.db.transaction().execute((trx) => this.ensure(trx, r.id));
      if (res.action !== 'none' && res.action !== 'not_tabular') n++;
    }
    return n;
  }

  /** The resource's table at its current version, created or migrated first when it lags behind. */
  async current(resource: PublishedResource): Promise<registry.DataTableRow> {
    const t = await registry.findDataTable(this.db, resource.id);
    if (t && t.version === resource.version) return t;
    await this.db.transaction().execute((trx) => this.ensure(trx, resource.id));
    const after = await registry.findDataTable(this.db, resource.id);
    if (!after) throw new Error(`no data table for resource ${resource.id} after ensuring it`);
    return after;
  }
}
