// The catalog's code tables (national codes, and the ones the Center extends) and the resource code format.
import type { Db } from '../../db/database.ts';
import type { RequestContext } from '../../platform/context.ts';
import { errors } from '../../platform/errors.ts';
import { writeAudit } from '../audit/index.ts';
import * as repo from './catalog.repository.ts';
import { authorize } from './catalog.policy.ts';
import { CODE_TABLES } from './catalog.codes.ts';
import type { CodeLookup } from './catalog.validation.ts';
import type { CodeNames } from './catalog.xlsx.ts';

const ENUM_NAMES: Record<string, Record<string, string>> = {
  share_type: { unconditional: '无条件共享', conditional: '有条件共享', none: '不予共享' },
  open_attribute: { closed: '不开放', conditional: '有条件开放', open: '无条件开放' },
};

const NATIONAL_DATA_TYPES: Record<string, string> = {
  c: 'string',
  m: 'string',
  g: 'string',
  n: 'decimal',
  y: 'decimal',
  b: 'decimal',
  f: 'decimal',
  i: 'integer',
  d: 'date',
  t: 'datetime',
  l: 'boolean',
};

export interface CodeFormat {
  itemLength: number;
  subItemLength: number;
  sequenceLength: number;
}
export const DEFAULT_FORMAT: CodeFormat = { itemLength: 2, subItemLength: 3, sequenceLength: 6 };

export class CatalogCodes {
  constructor(private readonly db: Db) {}

  /** Inserts the built-in codes that are missing. Idempotent; Center edits are kept. */
  async ensureCodes() {
    const rows = Object.entries(CODE_TABLES).flatMap(([table, t]) =>
      t.codes.map((c, i) => ({ table_key: table, code: c.code, zh: c.zh, en: c.en, sort: i * 10, builtin: true })),
    );
    await repo.insertCodesIfMissing(this.db, rows);
  }

  async codeLookup(): Promise<CodeLookup> {
    const rows = await repo.listCodes(this.db);
    const set = new Set(rows.filter((r) => r.active).map((r) => `${r.table_key}\u0000${r.code}`));
    return (table, code) => set.has(`${table}\u0000${code}`);
  }

  async codeTables() {
    const rows = await repo.listCodes(this.db);
    return Object.entries(CODE_TABLES).map(([key, t]) => ({
      key,
      zh: t.zh,
      en: t.en,
      extendable: t.extendable,
      codes: rows
        .filter((r) => r.table_key === key)
        .map((r) => ({ code: r.code, zh: r.zh, en: r.en, sort: r.sort, active: r.active, builtin: r.builtin })),
    }));
  }

  async putCode(
    ctx: RequestContext,
    table: string,
    code: string,
    body: { zh: string; en: string; sort?: number; active?: boolean },
  ) {
    authorize(ctx.actor, 'catalog.configure');
    const def = CODE_TABLES[table];
    if (!def) throw errors.field('table', `没有代码表 ${table}`, `no code table ${table}`);
    const before = await repo.findCode(this.db, table, code);
    if (!before && !def.extendable)
      throw errors.field(
        'code',
        `代码表“${def.zh}”由国家标准规定，不能新增代码`,
        `the ${def.en} table is fixed by the national standard`,
      );
    await this.db.transaction().execute(async (trx) => {
      await repo.upsertCode(trx, {
        table_key: table,
        code,
        zh: body.zh,
        en: body.en,
        sort: body.sort ?? before?.sort ?? 1000,
        active: body.active ?? before?.active ?? true,
      });
      await writeAudit(trx, ctx, {
        action: before ? 'catalog.code.update' : 'catalog.code.create',
        objectType: 'catalog_code',
        objectId: `${table}/${code}`,
        diff: {
          zh: [before?.zh ?? null, body.zh],
          en: [before?.en ?? null, body.en],
          active: [before?.active ?? null, body.active ?? true],
        },
      });
    });
    return (await this.codeTables()).find((t) => t.key === table)!;
  }

  async codeFormat(): Promise<CodeFormat> {
    const raw = await repo.getMeta(this.db, 'catalog.code_format');
    return raw ? { ...DEFAULT_FORMAT, ...(JSON.parse(raw) as Partial<CodeFormat>) } : DEFAULT_FORMAT;
  }

  async setCodeFormat(ctx: RequestContext, f: CodeFormat) {
    authorize(ctx.actor, 'catalog.configure');
    const before = await this.codeFormat();
    await this.db.transaction().execute(async (trx) => {
      await repo.setMeta(trx, 'catalog.code_format', JSON.stringify(f));
      await writeAudit(trx, ctx, {
        action: 'catalog.settings.update',
        objectType: 'catalog_settings',
        objectId: 'code_format',
        diff: { before, after: f },
      });
    });
    return f;
  }

  // ---------------------------------------------------------------- compiling

  /** Names of codes for spreadsheets, and codes from the names or English words a spreadsheet may hold. */
  async codeNames(): Promise<CodeNames> {
    const rows = await repo.listCodes(this.db);
    const byCode = new Map<string, string>();
    const byText = new Map<string, string>();
    const put = (table: string, code: string, zh: string, en: string) => {
      byCode.set(`${table}\u0000${code}`, zh);
      for (const k of [code, zh, en]) byText.set(`${table}\u0000${k.toLowerCase()}`, code);
    };
    for (const r of rows) put(r.table_key, r.code, r.zh, r.en);
    for (const [table, m] of Object.entries(ENUM_NAMES))
      for (const [code, zh] of Object.entries(m)) put(table, code, zh, code);
    // the national template's data-type letters (C string, N number, D date, …)
    for (const [letter, code] of Object.entries(NATIONAL_DATA_TYPES)) byText.set(`data_type\u0000${letter}`, code);
    return {
      name: (table, code) => byCode.get(`${table}\u0000${code}`) ?? code,
      code: (table, text) => byText.get(`${table}\u0000${text.toLowerCase()}`) ?? null,
    };
  }

  /** Versions for export: the district catalog (approved), or one unit's catalog (its working versions where there are any). */
}
