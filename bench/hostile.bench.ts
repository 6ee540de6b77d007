// npm run bench:hostile — one server (the quick start: `gongshu start` on a fresh embedded database with the demo
// district, or PostgreSQL with BENCH_DATABASE_URL) under a bounded hostile run from loopback: every attack class
// of the hardening issue, as an anonymous caller and as demo users, with pairs of hostile uploads at once. Counts
// answers by status (target: no 5xx), watches that the process never dies, reads its peak RSS from the kernel
// (VmHWM) next to its idle RSS after start (the baseline), samples /api/health while uploads run, and ends by
// verifying the audit chain through the API. Prints one JSON line.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TOTP, Secret } from 'otpauth';
import { workbook } from '../packages/server/src/testing/zip.ts';
import { gb18030 } from '../packages/server/src/testing/ingest-fixtures.ts';

const BUDGET_MB = 1024;
const PORT = 18000 + Math.floor(Math.random() * 2000);
const BASE = `http://127.0.0.1:${PORT}`;
const root = path.resolve(import.meta.dirname, '..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'gongshu-hostile-'));
const dbUrl = process.env.BENCH_DATABASE_URL;

const statuses = new Map<number, number>();
const fiveXx: string[] = [];
const classes = new Map<string, number>();
let requests = 0;

const server = spawn(process.execPath, [path.join(root, 'packages/cli/bin/gongshu.mjs'), 'start'], {
  cwd: root,
  env: {
    ...process.env,
    PORT: String(PORT),
    HOST: '127.0.0.1',
    GONGSHU_DATA_DIR: dataDir,
    GONGSHU_DEMO: 'on',
    LOG_LEVEL: 'error',
    ...(dbUrl ? { DATABASE_URL: dbUrl } : {}),
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
let exited: number | null = null;
server.on('exit', (code, signal) => (exited = code ?? (signal ? 128 : 0)));

const status = (field: 'VmRSS' | 'VmHWM') => {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
};

class Caller {
  cookie = '';
  csrf = '';
  async req(method: string, url: string, body?: string | Buffer, headers: Record<string, string> = {}, cls = 'misc') {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrf && method !== 'GET') h['x-csrf-token'] = this.csrf;
    if (body !== undefined) h['content-type'] ??= 'application/json';
    let res: Response;
    try {
      res = await fetch(BASE + url, { method, headers: h, ...(body !== undefined ? { body } : {}) });
    } catch (e) {
      throw new Error(`${cls} ${method} ${url.slice(0, 80)}: no answer (${(e as Error).message})`);
    }
    requests++;
    classes.set(cls, (classes.get(cls) ?? 0) + 1);
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    const text = await res.text();
    if (res.status >= 500) fiveXx.push(`${cls}: ${method} ${url.slice(0, 80)} → ${res.status} ${text.slice(0, 120)}`);
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0]!;
    let json: any = null; // eslint-disable-line @typescript-eslint/no-explicit-any
    try {
      json = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, json, text };
  }
  async login(username: string, totp?: string) {
    const r = await this.req(
      'POST',
      '/api/auth/login',
      JSON.stringify({ username, password: 'Gongshu@2026' }),
      {},
      'login',
    );
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${r.text}`);
    this.csrf = r.json.csrfToken;
    if (r.json.next === 'totp') {
      const code = new TOTP({ secret: Secret.fromBase32(totp!), digits: 6, period: 30 }).generate();
      const v = await this.req('POST', '/api/auth/totp/verify', JSON.stringify({ code }), {}, 'login');
      if (v.status !== 200) throw new Error(`totp ${username}: ${v.status} ${v.text}`);
    }
    return this;
  }
}

async function main() {
  for (let i = 0; ; i++) {
    if (exited !== null) throw new Error(`the server exited with ${exited} while starting`);
    try {
      const r = await fetch(`${BASE}/api/health`);
      if (r.status === 200) break;
    } catch {
      /* not yet */
    }
    if (i > 1200) throw new Error('the server did not start in 10 minutes');
    await new Promise((r) => setTimeout(r, 500));
  }
  await new Promise((r) => setTimeout(r, 2000));
  const baseline = status('VmRSS');
  // the peak counts from here (the demo's first load is not an upload): reset the kernel's high-water mark
  try {
    writeFileSync(`/proc/${server.pid}/clear_refs`, '5');
  } catch {
    console.log('(cannot reset the peak RSS: it includes start-up)');
  }
  console.log(`server up on ${dbUrl ? 'PostgreSQL' : 'PGlite'}; idle RSS ${baseline.toFixed(0)} MB`);

  const anon = new Caller();
  const unit = await new Caller().login('mzj.admin');
  const center = await new Caller().login('center.admin', 'GONGSHUDEMOCENTERADMINTOTP234567');
  const resources = (await unit.req('GET', '/api/ingest/resources')).json as { id: string; name: string }[];
  const target = (
    Array.isArray(resources)
      ? resources
      : (resources as unknown as { resources: { id: string; name: string }[] }).resources
  ).find((r) => r.name === '低保救助对象信息');
  if (!target) throw new Error('the demo resource 低保救助对象信息 is missing');
  const upload = (body: Buffer | string, q: string, type = 'text/csv', cls = 'upload') =>
    unit.req('POST', `/api/ingest/resources/${target.id}/upload${q}`, body, { 'content-type': type }, cls);

  // 1. bodies nested deep, anonymously and signed in
  const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
  for (const n of [3000, 10_000, 100_000]) {
    await anon.req('POST', '/api/auth/login', deep(n), {}, 'deep-json');
    await unit.req('POST', '/api/catalog/resources', deep(n), {}, 'deep-json');
    await unit.req('POST', `/api/ingest/resources/${target.id}/rows`, '[' + deep(n) + ']', {}, 'deep-json');
  }
  // 2. NUL, surrogates and broken percent-encoding in query strings and paths
  for (const bad of ['%00', 'a%00b', '%ED%A0%80', '%E0%A4%A', '%', 'x'.repeat(100_000)]) {
    for (const url of [
      '/api/catalog/resources?q=',
      '/api/orgs?q=',
      '/api/users?q=',
      '/api/audit?actor=',
      '/api/ingest/resources?orgId=',
      '/api/orgs/',
    ])
      await center.req('GET', url + bad, undefined, {}, 'query-path');
  }
  // 3. the audit-chain breaker: hostile user names at the anonymous log-in
  for (const name of [
    '"\\ud800"',
    '"\\udfff\\ud800"',
    '"a\\u0000b"',
    JSON.stringify('e\u0301'.normalize('NFD')),
    JSON.stringify('x'.repeat(100_000)),
  ])
    await anon.req('POST', '/api/auth/login', `{"username":${name},"password":"x"}`, {}, 'login-text');
  // 4. pull sources pointing at this machine or the metadata service, in every spelling
  for (const host of [
    '127.0.0.1',
    '127.1',
    '2130706433',
    '[::1]',
    '[0:0:0:0:0:0:0:1]',
    '[::ffff:127.0.0.1]',
    '[::ffff:169.254.169.254]',
    '169.254.169.254',
    '[64:ff9b::a9fe:a9fe]',
    '[2002:a9fe:a9fe::]',
    '0.0.0.0',
    'localhost',
  ])
    await unit.req(
      'POST',
      `/api/ingest/resources/${target.id}/pull-sources`,
      JSON.stringify({ name: `probe ${host}`, kind: 'http', settings: { url: `http://${host}:${PORT}/api/health` } }),
      {},
      'ssrf',
    );
  // 5. guessing a password through signed-in routes (a throwaway session: it gets locked)
  const guesser = await new Caller().login('mzj.user');
  for (let i = 0; i < 8; i++)
    await guesser.req(
      'POST',
      '/api/auth/password',
      JSON.stringify({ currentPassword: `guess${i}`, newPassword: 'Another#pass2026' }),
      {},
      'password-guess',
    );
  // 6. hostile rows in pushes
  await unit.req(
    'POST',
    `/api/ingest/resources/${target.id}/rows`,
    '[{"id_no":"a\\ud800"},{"x\\u0000":1},{"id_no":"\\u0000"}]',
    {},
    'push-rows',
  );
  await unit.req(
    'POST',
    `/api/ingest/resources/${target.id}/rows`,
    '{"id_no":"\\ud800"}\n{"a\\u0000":1}\n',
    { 'content-type': 'application/x-ndjson' },
    'push-rows',
  );
  // 7. every route of the OpenAPI document, as an anonymous caller, a unit admin and a Center admin: hostile bodies,
  // query values and path parameters, then seeded random JSON (fast-check)
  const spec = (await anon.req('GET', '/api/openapi.json', undefined, {}, 'openapi')).json as {
    paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>;
  };
  const sessionEnding = new Set(['/api/auth/logout', '/api/auth/password', '/api/auth/totp/disable']);
  const random = fc.sample(fc.jsonValue({ maxDepth: 3 }), { numRuns: 4, seed: 20261202 });
  for (const [route, ops] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const m = method.toUpperCase();
      const hasBody = ['POST', 'PUT', 'PATCH'].includes(m);
      const fill = (v: string) => route.replace(/\{[^}]+\}/g, v);
      const queryNames = (op.parameters ?? []).filter((x) => x.in === 'query').map((x) => x.name);
      for (const who of [anon, unit, center]) {
        if (who !== anon && sessionEnding.has(route)) continue;
        const url = fill('00000000-0000-4000-8000-000000000000');
        if (hasBody) {
          await who.req(m, url, deep(5000), {}, 'route-deep-body');
          await who.req(m, url, '{"a\\u0000":"\\ud800","b":"' + 'x'.repeat(200_000) + '"}', {}, 'route-text-body');
          for (const v of random) await who.req(m, url, JSON.stringify(v), {}, 'route-fuzz');
        } else
          for (const v of random)
            await who.req(m, `${url}?q=${encodeURIComponent(JSON.stringify(v))}`, undefined, {}, 'route-fuzz');
        for (const q of [...queryNames, 'x'])
          await who.req(m, `${url}?${q}=%00%ED%A0%80`, hasBody ? '{}' : undefined, {}, 'route-query');
        if (route.includes('{'))
          for (const bad of ['%00', '%ED%A0%80', 'x'.repeat(5000)])
            await who.req(m, fill(bad), hasBody ? '{}' : undefined, {}, 'route-path');
      }
    }
  }

  // 8. hostile files, two at a time, while the health check is sampled
  const cols = (await unit.req('GET', `/api/ingest/resources/${target.id}`)).json.items as {
    code: string;
    name: string;
    primaryKey: boolean;
  }[];
  const key = cols.find((c) => c.primaryKey) ?? cols[0]!;
  const header = [key.name, cols.find((c) => c !== key)?.name ?? 'x'];
  const emptyRows = workbook([header], {
    tail: Buffer.from(Array.from({ length: 2_000_000 }, (_, i) => `<row r="${i + 2}"/>`).join('')),
  });
  const bigCell = workbook([header], {
    tail: `<row r="2"><c r="A2" t="inlineStr"><is><t>${'x'.repeat(50_000_000)}</t></is></c></row>`,
  });
  const bomb = workbook([header], {
    tail: Buffer.alloc(400 * 1024 * 1024, '<row><c t="inlineStr"><is><t>aaaaaaaa</t></is></c></row>'),
  });
  const wideRow = workbook([header], {
    tail: `<row r="2">${'<c t="inlineStr"><is><t>a</t></is></c>'.repeat(1_000_000)}</row>`,
  });
  const noNewline = Buffer.alloc(50 * 1024 * 1024, 'a');
  const mixed = Buffer.concat([
    Buffer.from('公民身份号码,姓名\r\n640106199003071234,马文\r\n'),
    gb18030('640106199003071234,回族张三\r\n'),
  ]);
  const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  const files: [string, Buffer, string, string][] = [
    ['xlsx-empty-rows', emptyRows, '?fileName=rows.xlsx', XLSX],
    ['xlsx-big-cell', bigCell, '?fileName=cell.xlsx', XLSX],
    ['xlsx-zip-bomb', bomb, '?fileName=bomb.xlsx', XLSX],
    ['xlsx-wide-row', wideRow, '?fileName=wide.xlsx', XLSX],
    ['csv-no-newline', noNewline, '?fileName=a.csv', 'text/csv'],
    ['csv-mixed-encoding', mixed, '?fileName=m.csv&encoding=auto', 'text/csv'],
  ];
  let healthWorst = 0;
  let uploading = true;
  const sampler = (async () => {
    while (uploading) {
      const t = performance.now();
      await anon.req('GET', '/api/health', undefined, {}, 'health');
      healthWorst = Math.max(healthWorst, performance.now() - t);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const outcomes: string[] = [];
  for (let i = 0; i < files.length; i++) {
    const pair = [files[i]!, files[(i + 1) % files.length]!];
    const t = performance.now();
    const rs = await Promise.all(pair.map(([cls, body, q, type]) => upload(body, q, type, cls)));
    rs.forEach((r, k) =>
      outcomes.push(
        `${pair[k]![0]}: ${r.json?.batch?.status ?? r.status} — ${(r.json?.batch?.error?.en ?? '').slice(0, 90)}`,
      ),
    );
    console.log(
      `pair ${pair.map((p) => p[0]).join(' + ')}: ${((performance.now() - t) / 1000).toFixed(1)} s, RSS ${status('VmRSS').toFixed(0)} MB`,
    );
  }
  uploading = false;
  await sampler;
  const peak = status('VmHWM');

  // 9. the trail after all of it
  const verify = await center.req('POST', '/api/audit/verify', '{}', {}, 'audit-verify');
  const alive = exited === null;
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });

  console.log('\nclass                 requests');
  for (const [k, v] of classes) console.log(`${k.padEnd(22)}${v}`);
  console.log(
    `\nanswers by status: ${[...statuses]
      .sort((a, b) => a[0] - b[0])
      .map(([s, n]) => `${s}×${n}`)
      .join(', ')}`,
  );
  console.log(outcomes.map((o) => '  ' + o).join('\n'));
  if (fiveXx.length) console.log('5xx:\n' + fiveXx.join('\n'));
  console.log(
    `peak RSS ${peak.toFixed(0)} MB (idle ${baseline.toFixed(0)} MB, budget ${BUDGET_MB} MB); worst health check during uploads ${healthWorst.toFixed(0)} ms`,
  );
  console.log(
    `audit chain: ${verify.json?.ok ? 'intact' : 'BROKEN'}, ${verify.json?.count} records, ${verify.json?.problemCount} problems`,
  );
  console.log(
    JSON.stringify({
      bench: 'hostile',
      database: dbUrl ? 'postgres' : 'pglite',
      requests,
      classes: classes.size,
      status_5xx: fiveXx.length,
      crashes: alive ? 0 : 1,
      peak_rss_mb: Math.round(peak),
      baseline_rss_mb: Math.round(baseline),
      ratio: Number((peak / baseline).toFixed(2)),
      budget_mb: BUDGET_MB,
      within_budget: peak <= BUDGET_MB,
      health_worst_ms: Math.round(healthWorst),
      audit_chain_ok: !!verify.json?.ok,
      audit_records: verify.json?.count ?? null,
    }),
  );
  process.exitCode = fiveXx.length || !alive || !verify.json?.ok ? 1 : 0;
}

main().catch((e) => {
  console.error(e);
  server.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
  process.exitCode = 1;
});
