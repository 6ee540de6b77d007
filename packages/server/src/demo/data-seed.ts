// DEMO DATA generator: rows for a few flagship resources of the demo district, loaded through the real
// pipeline as batches named "DEMO 演示数据（生成）", each with a couple of invalid rows so the batch
// report and the rejected-rows download have something to show. Deterministic; never run outside the demo.
import type { Db } from '../db/database.ts';
import type { AuthService } from '../domains/auth/index.ts';
import { openObjects, type IngestService } from '../domains/ingest/index.ts';
import { residentIdCheck } from '../platform/formats.ts';
import { usccCheckChar } from '../platform/uscc.ts';
import { demoPersonName } from './district.ts';
import * as repo from './demo.repository.ts';

export const DEMO_BATCH_NAME = 'DEMO 演示数据（生成）';

/** Resource name → owner organisation code, rows to generate. */
const LOADS: [string, string, number][] = [
  ['户籍人口信息', 'gaj', 400],
  ['流动人口居住登记信息', 'gaj', 120],
  ['企业登记信息', 'scj', 200],
  ['个体工商户登记信息', 'scj', 120],
  ['不动产登记信息', 'zrj', 150],
  ['低保救助对象信息', 'mzj', 80],
  ['学校基本信息', 'jyj', 30],
];

const STREETS = [
  '满城北街街道',
  '黄河东路街道',
  '北京中路街道',
  '长城中路街道',
  '上海西路街道',
  '阅海街道',
  '丰登镇',
  '良田镇',
];
const ETHNIC = ['汉族', '回族', '汉族', '汉族', '回族', '满族'];
const COMPANY = [
  '金凤区宁安商贸有限公司',
  '银川塞上建设工程有限公司',
  '宁夏贺兰山葡萄酒业有限公司',
  '金凤区阅海餐饮店',
  '银川凤城科技有限公司',
  '宁夏黄河物流有限公司',
];

function residentId(i: number): string {
  const birth = new Date(Date.UTC(1950, 0, 1) + ((i * 7919) % 25000) * 86_400_000);
  const f17 = `640106${birth.toISOString().slice(0, 10).replace(/-/g, '')}${String(i % 1000).padStart(3, '0')}`;
  return f17 + residentIdCheck(f17);
}

/** A bank card number with its Luhn check digit (ISO/IEC 7812), as a card printed by the bank has. */
function bankCard(body: string): string {
  let sum = 0;
  for (let k = 0; k < body.length; k++) {
    let d = Number(body[body.length - 1 - k]);
    if (k % 2 === 0) d *= 2;
    sum += d > 9 ? d - 9 : d;
  }
  return body + ((10 - (sum % 10)) % 10);
}

function uscc(i: number): string {
  const f17 = `91640106${String(227000000 + i * 37).padStart(9, '0')}`;
  return f17 + usccCheckChar(f17)!;
}

/** A plausible value for an item of the demo templates; by data type for anything else. */
function value(code: string, dataType: string, length: number | null, i: number): unknown {
  const date = (base: number, span: number) =>
    new Date(Date.UTC(base, 0, 1) + ((i * 131) % span) * 86_400_000).toISOString().slice(0, 10);
  switch (code) {
    case 'id_no':
      return residentId(i);
    case 'spouse_id_no':
      return residentId(i + 50_000);
    case 'person_name':
    case 'legal_rep':
      return demoPersonName(i + 300);
    case 'gender':
      return Number(residentId(i)[16]) % 2 ? '男' : '女';
    case 'birth_date': {
      const id = residentId(i);
      return `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
    }
    case 'ethnicity':
      return ETHNIC[i % ETHNIC.length];
    case 'mobile':
      return `139${String(95100000 + i * 13).padStart(8, '0')}`;
    case 'address':
    case 'hukou_address':
    case 'house_location':
      return `宁夏回族自治区银川市金凤区${STREETS[i % STREETS.length]}${(i % 180) + 1}号${(i % 12) + 1}栋${(i % 3) + 1}单元${(i % 30) + 101}室`;
    case 'uscc':
      return uscc(i);
    case 'org_name':
      return `${COMPANY[i % COMPANY.length]!.replace('有限公司', '')}${i}${COMPANY[i % COMPANY.length]!.endsWith('有限公司') ? '有限公司' : ''}`;
    case 'reg_capital':
      return ((i % 50) * 100 + 50).toFixed(4);
    case 'reg_authority':
      return '银川市金凤区市场监督管理局';
    case 'business_scope':
      return '一般项目：技术服务、技术开发；货物进出口（依法须经批准的项目，经相关部门批准后方可开展经营活动）';
    case 'house_no':
      return `640106${String(1000000 + i).padStart(7, '0')}GB${String(i).padStart(5, '0')}F0001`.slice(0, 28);
    case 'house_area':
      return (60 + (i % 90) + 0.25).toFixed(2);
    case 'bank_account':
      return bankCard(`622848${String(100000000000 + i * 17).slice(0, 12)}`);
    case 'amount':
      return (612 + (i % 5) * 10).toFixed(2);
    case 'issue_month':
      return `2026-${String((i % 11) + 1).padStart(2, '0')}`;
    case 'school_code':
      return String(2164010600 + i);
    case 'school_name':
      return `银川市金凤区第${i + 1}小学`;
    case 'status':
      return ['在册', '存续', '在用'][i % 3];
    case 'record_date':
    case 'reg_date':
      return date(2010, 5000);
    case 'valid_until':
      return date(2027, 1500);
  }
  switch (dataType) {
    case 'integer':
      return i;
    case 'decimal':
      return (i * 1.5).toFixed(2);
    case 'date':
      return date(2020, 2000);
    case 'datetime':
      return `${date(2025, 300)} 09:${String(i % 60).padStart(2, '0')}:00`;
    case 'boolean':
      return i % 2 === 0;
    default:
      return `示例${i}`.slice(0, length ?? 50);
  }
}

/** `n` generated rows for a resource's items (the same rows every time). */
export function generatedRows(
  items: { code: string; dataType: string; length: number | null }[],
  n: number,
  from = 0,
): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (let i = from; i < from + n; i++)
    rows.push(Object.fromEntries(items.map((it) => [it.code, value(it.code, it.dataType, it.length, i)])));
  return rows;
}

/**
 * Rows of a holder that a unit typed differently from the authoritative source (§16): the one-source comparison
 * finds them. Every 13th welfare recipient's name carries another character, every 17th lives at another number.
 */
function withSourceConflicts(name: string, rows: Record<string, unknown>[]): Record<string, unknown>[] {
  if (name !== '低保救助对象信息') return rows;
  return rows.map((r, i) => ({
    ...r,
    ...(i % 13 === 6 ? { person_name: demoPersonName(i + 1301) } : {}),
    ...(i % 17 === 9 && typeof r.hukou_address === 'string'
      ? { hukou_address: String(r.hukou_address).replace(/(\d+)号/, (_, n: string) => `${Number(n) + 2}号`) }
      : {}),
  }));
}

/** Loads the demo rows once; returns how many batches it ran. */
export async function seedDemoData(db: Db, ingest: IngestService, auth: AuthService): Promise<number> {
  if (await repo.metaIsSet(db, 'demo_data_loaded_at')) return 0;
  let batches = 0;
  for (const [name, orgCode, n] of LOADS) {
    const resourceId = await repo.findDemoResource(db, name, orgCode);
    if (!resourceId) continue;
    const meta = await ingest.meta(db, resourceId);
    if (!meta || !meta.items.length) continue;
    const rows = withSourceConflicts(name, generatedRows(meta.items, n));
    // two rows a data officer would have to fix: a mistyped resident ID, an impossible date
    const idItem = meta.items.find((it) => it.piiKind === 'id_card');
    const good = residentId(n + 1);
    if (idItem) rows.push({ ...rows[0], [idItem.code]: good.slice(0, 17) + (good[17] === '0' ? '1' : '0') });
    const dateItem = meta.items.find((it) => it.dataType === 'date' && !it.primaryKey);
    const keyItem = meta.items.find((it) => it.primaryKey);
    if (dateItem && keyItem)
      rows.push({
        ...rows[1],
        [keyItem.code]: value(keyItem.code, keyItem.dataType, keyItem.length, n + 2),
        [dateItem.code]: '2026年2月30日',
      });
    const actor = await auth.cliActor(`${orgCode}.admin`);
    const text = JSON.stringify(rows);
    await ingest.ingest(
      { actor, requestId: 'seed-demo-data', ip: null },
      resourceId,
      { source: 'cli', mode: 'replace', fileName: DEMO_BATCH_NAME, fileFormat: 'json', strictWidth: false },
      async () => openObjects(rows, text),
    );
    batches++;
  }
  await repo.setMetaOnce(db, 'demo_data_loaded_at', new Date().toISOString());
  return batches;
}
