// The catalog as spreadsheets: the national template's XLSX (export and import) and JSON for other systems.
import type { Db } from '../../db/database.ts';
import type { RequestContext } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import { writeAudit } from '../audit/index.ts';
import * as repo from './catalog.repository.ts';
import { authorize } from './catalog.policy.ts';
import type { CatalogCodes } from './catalog.codes.service.ts';
import type { PresentedVersion } from './catalog.present.ts';
import type { CatalogService } from './catalog.service.ts';
import { catalogToXlsx, xlsxToCatalog } from './catalog.xlsx.ts';

export interface ImportReport {
  accepted: { rows: [number, number]; code: string; name: string; action: 'created' | 'updated' }[];
  rejected: {
    rows: [number, number];
    name: string;
    errors: { row: number | null; field: string; message: { zh: string; en: string } }[];
  }[];
}

export class CatalogSpreadsheets {
  constructor(
    private readonly db: Db,
    private readonly catalog: CatalogService,
    private readonly codes: CatalogCodes,
  ) {}

  async exportVersions(ctx: RequestContext, scope: 'district' | 'unit', orgId?: string) {
    const unit = scope === 'unit' ? (orgId ?? ctx.actor?.orgId) : undefined;
    if (unit) authorize(ctx.actor, 'catalog.read_working', unit);
    else authorize(ctx.actor, 'catalog.read_district');
    const refs = await repo.listExportRefs(this.db, unit);
    const out: (PresentedVersion & { orgName: string; systemName: string | null })[] = [];
    for (const r of refs) {
      const v = unit && r.working_version !== null ? r.working_version : r.current_version;
      if (v === null) continue;
      out.push({ ...(await this.catalog.presented(r.id, v)), orgName: r.org_name, systemName: r.system_name });
    }
    await this.db.transaction().execute((trx) =>
      writeAudit(trx, ctx, {
        action: 'catalog.export',
        objectType: 'catalog',
        objectId: unit ?? 'district',
        diff: { scope, resources: out.length },
      }),
    );
    return out;
  }

  async exportXlsx(ctx: RequestContext, scope: 'district' | 'unit', orgId?: string) {
    return catalogToXlsx(await this.exportVersions(ctx, scope, orgId), await this.codes.codeNames());
  }

  /** Imports a unit's catalog from the template: new drafts, or updates to its drafts; a report row by row. */
  async importXlsx(ctx: RequestContext, buf: Buffer): Promise<ImportReport> {
    authorize(ctx.actor, 'catalog.compile', ctx.actor?.orgId);
    const orgId = ctx.actor!.orgId;
    let parsed;
    try {
      parsed = await xlsxToCatalog(buf, await this.codes.codeNames());
    } catch (e) {
      throw new AppError(
        400,
        'catalog.import_unreadable',
        `无法读取文件：${(e as Error).message}`,
        `Cannot read the file: ${(e as Error).message}`,
      );
    }
    const report: ImportReport = { accepted: [], rejected: [] };
    for (const p of parsed.problems) report.rejected.push({ rows: p.rows, name: p.name, errors: p.errors });
    const systems = await repo.listSystems(this.db, orgId);
    for (const g of parsed.groups) {
      const rowOf = (field: string) => {
        const m = /^items\.(\d+)\./.exec(field);
        return m ? (g.itemRows[Number(m[1])] ?? null) : g.rows[0];
      };
      const reject = (errs: { field: string; message: { zh: string; en: string } }[]) =>
        report.rejected.push({
          rows: g.rows,
          name: g.input.name,
          errors: errs.map((e) => ({ row: rowOf(e.field), ...e })),
        });
      const input = { ...g.input };
      if (g.systemName) {
        const sys = systems.find((x) => x.name === g.systemName);
        if (!sys) {
          reject([
            {
              field: 'systemName',
              message: {
                zh: `本单位没有登记信息系统“${g.systemName}”`,
                en: `no information system "${g.systemName}" is registered for this unit`,
              },
            },
          ]);
          continue;
        }
        input.systemId = sys.id;
      }
      try {
        if (!g.code) {
          const r = await this.catalog.create(ctx, input);
          report.accepted.push({ rows: g.rows, code: r.code, name: input.name, action: 'created' });
          continue;
        }
        const res = await repo.findResourceByCode(this.db, g.code);
        if (!res || res.org_id !== orgId) {
          reject([
            {
              field: 'code',
              message: { zh: `资源代码 ${g.code} 不属于本单位`, en: `resource ${g.code} is not this unit's` },
            },
          ]);
          continue;
        }
        const w =
          res.working_version !== null ? await repo.findVersion(this.db, res.id, res.working_version) : undefined;
        if (!w || (w.status !== 'draft' && w.status !== 'returned')) {
          reject([
            {
              field: 'code',
              message: {
                zh: `资源 ${g.code} 没有可修改的草稿（已发布的资源请先申请目录变更）`,
                en: `resource ${g.code} has no draft to update (start a change request for an approved resource)`,
              },
            },
          ]);
          continue;
        }
        await this.catalog.saveDraft(ctx, res.id, input);
        report.accepted.push({ rows: g.rows, code: g.code, name: input.name, action: 'updated' });
      } catch (e) {
        if (e instanceof AppError)
          reject(e.fields.length ? e.fields : [{ field: '', message: { zh: e.zh, en: e.en } }]);
        else throw e;
      }
    }
    report.rejected.sort((a, b) => a.rows[0] - b.rows[0]);
    await this.db.transaction().execute((trx) =>
      writeAudit(trx, ctx, {
        action: 'catalog.import',
        objectType: 'catalog',
        objectId: orgId,
        diff: { accepted: report.accepted.length, rejected: report.rejected.length },
      }),
    );
    return report;
  }

  // ---------------------------------------------------------------- information systems
}
