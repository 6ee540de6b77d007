// A published resource ready to take data, valid personal data to load into it, and a unit system's API.
import { createServer } from 'node:http';
import { residentIdCheck } from '../platform/formats.ts';
import type { ResourceInput } from '../domains/catalog/index.ts';
import type { Client } from './test-env.ts';
import { itemBody, resourceBody } from './catalog-fixtures.ts';

/** A valid 18-digit resident ID for a birth date and a sequence. */
export function residentId(birth: string, seq: number): string {
  const first17 = `640106${birth.replace(/-/g, '')}${String(seq % 1000).padStart(3, '0')}`;
  return first17 + residentIdCheck(first17);
}

export function personResource(overrides: Partial<ResourceInput> = {}): ResourceInput {
  return resourceBody({
    name: '低保救助对象信息',
    updateCycle: 'monthly',
    items: [
      itemBody('id_no', '公民身份号码', {
        primaryKey: true,
        required: true,
        length: 18,
        piiKind: 'id_card',
        sensitivity: 'sensitive_personal',
      }),
      itemBody('name', '姓名', { required: true, length: 30, piiKind: 'name', sensitivity: 'personal' }),
      itemBody('mobile', '联系电话', { length: 20, piiKind: 'mobile', sensitivity: 'personal' }),
      itemBody('amount', '救助金额', { dataType: 'decimal', length: 10, precision: 2 }),
      itemBody('members', '家庭人口数', { dataType: 'integer', length: null }),
      itemBody('granted_on', '批准日期', { dataType: 'date', length: null }),
      itemBody('level', '救助类别', { length: 10, valueSet: ['A类', 'B类', 'C类'] }),
      itemBody('active', '是否在保', { dataType: 'boolean', length: null }),
    ],
    ...overrides,
  });
}

/** Creates, submits and approves a resource; returns its id and code. */
export async function publish(
  unit: Client,
  reviewer: Client,
  body: ResourceInput,
): Promise<{ id: string; code: string }> {
  const c = await unit.post('/api/catalog/resources', body);
  if (c.status !== 201) throw new Error(`create: ${c.status} ${c.body}`);
  const s = await unit.post(`/api/catalog/resources/${c.json.id}/submit`);
  if (s.status !== 200) throw new Error(`submit: ${s.status} ${s.body}`);
  const r = await reviewer.post(`/api/catalog/resources/${c.json.id}/review`, { decision: 'approve' });
  if (r.status !== 200) throw new Error(`approve: ${r.status} ${r.body}`);
  return { id: c.json.id, code: c.json.code };
}

/** CSV text of n valid rows for personResource (header by Chinese names). */
export function personCsv(n: number, start = 0): string {
  const lines = ['公民身份号码,姓名,联系电话,救助金额,家庭人口数,批准日期,救助类别,是否在保'];
  for (let i = start; i < start + n; i++) {
    // unique for any i: a thousand sequence numbers per birth date
    const birth = new Date(Date.UTC(1950, 0, 1) + Math.floor(i / 1000) * 86_400_000).toISOString().slice(0, 10);
    lines.push(
      [
        residentId(birth, i),
        `张${'伟芳娜敏静'[i % 5]}${i}`,
        `139${String(i).padStart(8, '0')}`,
        `${(i % 900) + 100}.50`,
        `${1 + (i % 6)}`,
        `2024年${1 + (i % 12)}月${1 + (i % 28)}日`,
        ['A类', 'B类', 'C类'][i % 3],
        i % 2 ? '是' : '否',
      ].join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}

/** GB18030 bytes of a text (Node decodes GB18030 but has no encoder): from the decoder's two-byte table. */
let gbTable: Map<string, number[]> | null = null;
export function gb18030(text: string): Buffer {
  if (!gbTable) {
    gbTable = new Map();
    const dec = new TextDecoder('gb18030');
    for (let hi = 0x81; hi <= 0xfe; hi++)
      for (let lo = 0x40; lo <= 0xfe; lo++) {
        if (lo === 0x7f) continue;
        const ch = dec.decode(Uint8Array.of(hi, lo));
        if (ch.length === 1 && !gbTable.has(ch)) gbTable.set(ch, [hi, lo]);
      }
  }
  const out: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out.push(cp);
    else {
      const b = gbTable.get(ch);
      if (!b) throw new Error(`no GB18030 two-byte code for ${ch}`);
      out.push(...b);
    }
  }
  return Buffer.from(out);
}

/**
 * A unit system's paged JSON API, as scheduled pulls meet them: five people under `data.list`, pages by
 * `page` and `size` query parameters, behind an `x-api-key` header. Listens on 127.0.0.1.
 */
export async function servePeopleApi(key: string, birth: string): Promise<{ base: string; close(): Promise<void> }> {
  const http = createServer((req, resp) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (req.headers['x-api-key'] !== key) {
      resp.writeHead(401).end('{}');
      return;
    }
    const page = Number(u.searchParams.get('page') ?? 1);
    const size = Number(u.searchParams.get('size') ?? 2);
    const all = [0, 1, 2, 3, 4].map((i) => ({ id_no: residentId(birth, i), name: `接口${i}`, amount: '9.90' }));
    resp
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ code: 0, data: { list: all.slice((page - 1) * size, page * size) } }));
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(http.address() as { port: number }).port}`,
    close: () => new Promise<void>((r) => http.close(() => r())),
  };
}
