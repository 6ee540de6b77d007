// Bad input on every route: malformed JSON, wrong shapes, unknown fields, wrong types, over-long strings,
// NUL characters, bad path and query values. Each must be a 4xx problem+json naming the field, never a 5xx.
import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describeEachDb, type Client, type Reply } from '../testing/test-env.ts';
import { verifyChain } from '../domains/audit/index.ts';
import { storableText } from './text.ts';
import { CENTER_ROLES, ROLES, type CallerRole } from './context.ts';
import type { RouteInfo } from '../app.ts';

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  maxLength?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  pattern?: string;
  format?: string;
  patternProperties?: Record<string, JsonSchema>;
}

function typeOf(s: JsonSchema): string {
  if (s.anyOf) return typeOf(s.anyOf.find((x) => x.type !== 'null') ?? {});
  if (s.const !== undefined) return typeof s.const;
  return Array.isArray(s.type) ? s.type[0]! : (s.type ?? 'any');
}

function wrongValue(s: JsonSchema): unknown {
  switch (typeOf(s)) {
    case 'string':
      return 12345;
    case 'integer':
    case 'number':
      return 'not-a-number';
    case 'boolean':
      return 'yes';
    case 'array':
      return 'not-an-array';
    case 'object':
      return 7;
    default:
      return { unexpected: true };
  }
}

/** A value that passes the field's schema, to build otherwise-valid bodies. */
function goodValue(name: string, s: JsonSchema): unknown {
  if (s.anyOf) return goodValue(name, s.anyOf.find((x) => x.type !== 'null') ?? {});
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  const t = typeOf(s);
  if (t === 'string') {
    if (s.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
    if (s.format === 'date-time') return '2030-01-01T00:00:00Z';
    if (s.format === 'email') return 'a@example.com';
    if (s.pattern?.includes('\\d{4}-')) return '2026-10-09';
    if (s.pattern === '^[0-9]{6}$') return '123456';
    if (name === 'code') return 'abc';
    if (name === 'username') return 'someone';
    return '正常值';
  }
  if (t === 'integer' || t === 'number') return 1;
  if (t === 'boolean') return true;
  if (t === 'array') return [];
  if (t === 'object') return s.patternProperties ? { ticket_fix_days: 6 } : {};
  return null;
}

function goodBody(s: JsonSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of s.required ?? []) out[k] = goodValue(k, s.properties?.[k] ?? {});
  return out;
}

function fillPath(url: string): string {
  return url
    .replace(':ref', '00000000-0000-4000-8000-000000000000')
    .replace(':table', 'pii_kind')
    .replace(':code', 'test_code')
    .replace(/:id/g, '00000000-0000-4000-8000-000000000000')
    .replace(':date', '2026-10-09')
    .replace(':year', '2026')
    .replace(':version', '1');
}

describeEachDb('bad input on every route', (env) => {
  let admin: Client;
  const callers = new Map<CallerRole, Client>();
  before(async () => {
    admin = await env().as('center_admin');
    callers.set('center_admin', admin);
    const unit = await env().makeOrg();
    for (const role of ROLES.filter((x) => x !== 'center_admin'))
      callers.set(
        role,
        await env().as(role, CENTER_ROLES.includes(role) || role === 'cac_officer' ? undefined : unit.id),
      );
    const system = env().client();
    system.bearer = (
      await callers.get('unit_admin')!.post('/api/credentials', { systemName: '坏输入测试系统' })
    ).json.token;
    callers.set('system', system);
  });
  /** A caller the route admits (the Center admin where it may), so bad input meets the route's own checks. */
  const callerFor = (r: RouteInfo): Client =>
    typeof r.allow === 'string' || r.allow.includes('center_admin')
      ? admin
      : callers.get(
          (['unit_admin', 'unit_user', 'system', ...ROLES] as CallerRole[]).find((x) => r.allow.includes(x))!,
        )!;

  it('every string field in a body or query has a length limit (or an enum, pattern or format)', () => {
    const unbounded: string[] = [];
    for (const r of env().app.routeTable) {
      for (const part of ['body', 'querystring', 'params'] as const) {
        const s = r.schema?.[part] as JsonSchema | undefined;
        for (const [k, v] of Object.entries(s?.properties ?? {})) {
          const leaf = v.anyOf ? (v.anyOf.find((x) => x.type === 'string') ?? v) : v;
          if (
            typeOf(leaf) === 'string' &&
            leaf.maxLength === undefined &&
            !leaf.enum &&
            !leaf.pattern &&
            !leaf.format &&
            leaf.const === undefined
          )
            unbounded.push(`${r.method} ${r.url} ${part}.${k}`);
        }
      }
    }
    assert.deepEqual(unbounded, []);
  });

  it('malformed and mis-shaped bodies', async () => {
    const problems: string[] = [];
    for (const r of env().app.routeTable.filter((x) => ['POST', 'PUT', 'PATCH'].includes(x.method) && x.schema?.body)) {
      const url = fillPath(r.url);
      const s = r.schema!.body as JsonSchema;
      const bodies: [string, unknown, string | null][] = [
        ['truncated JSON', '{"a":', null],
        ['array instead of object', '[]', null],
        ['null body', 'null', null],
        ['unknown field', { ...goodBody(s), notAField: 1 }, 'notAField'],
      ];
      for (const [k, v] of Object.entries(s.properties ?? {})) {
        bodies.push([`${k} of the wrong type`, { ...goodBody(s), [k]: wrongValue(v) }, k]);
        if (typeOf(v) === 'string') {
          bodies.push([`${k} too long`, { ...goodBody(s), [k]: 'x'.repeat(100_000) }, k]);
          bodies.push([`${k} with NUL`, { ...goodBody(s), [k]: 'a\u0000b' }, k]);
        }
      }
      for (const [label, body, field] of bodies) {
        const res = await callerFor(r).req(r.method, url, body);
        const where = `${r.method} ${r.url} — ${label}`;
        if (res.status < 400 || res.status >= 500) problems.push(`${where}: ${res.status} ${res.body.slice(0, 200)}`);
        else if (!String(res.headers['content-type']).startsWith('application/problem+json'))
          problems.push(`${where}: not problem+json`);
        else if (!res.json?.code || !res.json?.message?.zh || !res.json?.message?.en)
          problems.push(`${where}: no code or messages`);
        else if (
          field &&
          res.status === 400 &&
          !(res.json.errors ?? []).some((e: { field: string }) => e.field === field || e.field.startsWith(field + '.'))
        )
          problems.push(`${where}: errors do not name ${field}: ${JSON.stringify(res.json.errors)}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('bad path parameters and query strings', async () => {
    const problems: string[] = [];
    for (const r of env().app.routeTable.filter((x) => !x.url.startsWith('/api/docs'))) {
      if (r.url.includes(':')) {
        const url = r.url.replace(/:[a-z]+/g, (p) =>
          p === ':year' ? '99999' : p === ':version' ? 'abc' : p === ':date' ? '2026-02-30' : 'not-a-uuid',
        );
        const s = r.schema?.body as JsonSchema | undefined;
        const res = await callerFor(r).req(
          r.method,
          url,
          s ? goodBody(s) : r.method === 'GET' || r.method === 'DELETE' ? undefined : {},
        );
        if (res.status !== 400) problems.push(`${r.method} ${url}: ${res.status} ${res.body.slice(0, 200)}`);
      }
      const q = r.schema?.querystring as JsonSchema | undefined;
      for (const [k, v] of Object.entries(q?.properties ?? {})) {
        const bad =
          typeOf(v) === 'integer'
            ? 'abc'
            : v.format || v.pattern || v.enum || v.anyOf
              ? 'bad%00value'
              : 'x'.repeat(5000);
        const base = fillPath(r.url);
        const valid = Object.fromEntries(
          (q!.required ?? []).filter((x) => x !== k).map((x) => [x, String(goodValue(x, q!.properties![x]!))]),
        );
        const qs = new URLSearchParams({ ...valid }).toString();
        const res = await callerFor(r).req(r.method, `${base}?${qs}${qs ? '&' : ''}${k}=${bad}`);
        if (res.status !== 400)
          problems.push(`${r.method} ${r.url}?${k}=${bad.slice(0, 20)}: ${res.status} ${res.body.slice(0, 200)}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  const SESSION_ENDING = new Set(['/api/auth/logout']);
  it('hostile text in bodies, query strings, path parameters and headers: deep nesting, NUL, lone surrogates, oversize values', async () => {
    const problems: string[] = [];
    const checkReply = (where: string, res: Reply, want400: boolean) => {
      if (res.status >= 500) problems.push(`${where}: ${res.status} ${res.body.slice(0, 200)}`);
      else if (want400 && res.status !== 400)
        problems.push(`${where}: ${res.status}, expected 400 — ${res.body.slice(0, 200)}`);
      else if (res.status >= 400 && !String(res.headers['content-type']).startsWith('application/problem+json'))
        problems.push(`${where}: not problem+json`);
    };
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const deepObj = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    const anon = env().client();
    for (const r of env().app.routeTable.filter((x) => !x.url.startsWith('/api/docs'))) {
      const url = fillPath(r.url);
      const where = `${r.method} ${r.url}`;
      // a route that ends the session (log-out) is called without one: it must still never answer 5xx
      const ending = SESSION_ENDING.has(r.url);
      const admin = ending ? env().client() : callerFor(r);
      const check = (w: string, res: Reply, want400 = true) => checkReply(w, res, want400 && !ending);
      if (['POST', 'PUT', 'PATCH'].includes(r.method)) {
        for (const n of [3000, 10_000]) {
          check(`${where} — array nested ${n} deep`, await admin.req(r.method, url, deep(n)));
          check(`${where} — object nested ${n} deep`, await admin.req(r.method, url, deepObj(n)));
        }
        if (r.allow === 'public')
          check(`${where} — anonymous, nested 10,000 deep`, await anon.req(r.method, url, deepObj(10_000)));
        const s = r.schema?.body as JsonSchema | undefined;
        if (s?.properties) {
          for (const [k, v] of Object.entries(s.properties)) {
            if (typeOf(v) !== 'string') continue;
            check(
              `${where} — ${k} with a lone surrogate`,
              await admin.req(
                r.method,
                url,
                `{${Object.entries(goodBody(s))
                  .map(([a, b]) => `${JSON.stringify(a)}:${JSON.stringify(b)},`)
                  .join('')}${JSON.stringify(k)}:"a\\ud800b"}`,
              ),
            );
          }
          check(`${where} — a key with NUL`, await admin.req(r.method, url, { ...goodBody(s), 'a\u0000b': 1 }));
        }
      }
      // query strings: NUL, a lone surrogate's bytes, invalid percent-encoding, oversize values, on known and unknown names
      const q = r.schema?.querystring as JsonSchema | undefined;
      const names = [...Object.keys(q?.properties ?? {}), 'unknown_param'];
      for (const k of names) {
        for (const bad of ['%00', 'a%00b', '%ED%A0%80', '%E0%A4%A', '%', 'x'.repeat(100_000)]) {
          const res = await admin.req(
            r.method,
            `${url}?${k}=${bad}`,
            ['POST', 'PUT', 'PATCH'].includes(r.method) ? {} : undefined,
          );
          // an unknown or ill-formed name may be ignored (2xx) or refused (4xx); never a 5xx
          check(`${where}?${k}=${bad.slice(0, 12)}`, res, false);
        }
      }
      // path parameters
      if (r.url.includes(':')) {
        for (const bad of ['%00', 'a%00b', '%ED%A0%80', '%E0%A4%A', 'x'.repeat(20_000)]) {
          const res = await admin.req(
            r.method,
            r.url.replace(/:[a-z]+/g, bad),
            ['POST', 'PUT', 'PATCH'].includes(r.method) ? {} : undefined,
          );
          check(`${where} path=${bad.slice(0, 12)}`, res, false);
          if (res.status < 400) problems.push(`${where} path=${bad.slice(0, 12)}: accepted (${res.status})`);
        }
      }
      // headers: oversize, NUL and non-ASCII values in what the server reads (credentials, CSRF, idempotency, content type)
      for (const [h, v] of [
        ['authorization', 'Bearer a\u0000b'],
        ['authorization', 'Bearer ' + 'x'.repeat(50_000)],
        ['x-csrf-token', 'x'.repeat(50_000)],
        ['idempotency-key', 'a\u0000b'],
        ['idempotency-key', 'x'.repeat(50_000)],
        ['content-type', 'application/json; charset=' + 'x'.repeat(5_000)],
        ['accept-language', 'zh\u0000'],
        ['cookie', 'gongshu_session=' + 'x'.repeat(20_000)],
      ] as const) {
        const c = h === 'authorization' || h === 'cookie' ? env().client() : admin;
        const res = await c.req(r.method, url, ['POST', 'PUT', 'PATCH'].includes(r.method) ? {} : undefined, {
          [h]: v,
        });
        check(`${where} header ${h}=${v.slice(0, 16)}`, res, false);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('a bounded fuzz run over every route: random JSON bodies and query strings never answer 5xx', async () => {
    const problems: string[] = [];
    const routes = env().app.routeTable.filter((x) => !x.url.startsWith('/api/docs'));
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const json = fc.jsonValue({ maxDepth: 4 });
    for (const r of routes) {
      const s = r.schema?.body as JsonSchema | undefined;
      const q = r.schema?.querystring as JsonSchema | undefined;
      const qNames = Object.keys(q?.properties ?? {});
      const body = s?.properties
        ? fc.oneof(
            json,
            fc.record(Object.fromEntries(Object.keys(s.properties).map((k) => [k, fc.oneof(json, text)])), {
              requiredKeys: [],
            }),
          )
        : json;
      const query = fc.array(fc.tuple(qNames.length ? fc.oneof(fc.constantFrom(...qNames), text) : text, text), {
        maxLength: 4,
      });
      const admin = SESSION_ENDING.has(r.url) ? env().client() : callerFor(r);
      await fc.assert(
        fc.asyncProperty(body, query, async (b, qs) => {
          const search = qs
            .map(([k, v]) => `${encodeURIComponent(storableText(k))}=${encodeURIComponent(storableText(v))}`)
            .join('&');
          const url = fillPath(r.url) + (search ? `?${search}` : '');
          const res = await admin.req(
            r.method,
            url,
            ['POST', 'PUT', 'PATCH'].includes(r.method) ? JSON.stringify(b) : undefined,
          );
          if (res.status >= 500)
            problems.push(
              `${r.method} ${url} ${JSON.stringify(b).slice(0, 120)}: ${res.status} ${res.body.slice(0, 200)}`,
            );
          return true;
        }),
        { numRuns: 12, seed: 20261202 },
      );
    }
    assert.deepEqual(problems.slice(0, 20), []);
  });

  it('after all of the above, the audit chain still verifies', async () => {
    const r = await verifyChain(env().database.db);
    assert.equal(r.ok, true, JSON.stringify(r.problems.slice(0, 3)));
  });

  it('semantic errors name the field: impossible dates, bad USCC, roles that do not fit the organisation', async () => {
    const d = await admin.get('/api/calendar/working-days?from=2026-02-30&add=1');
    assert.equal(d.status, 400);
    assert.equal(d.json.errors[0].field, 'from');
    const o = await admin.post('/api/orgs', {
      code: 'badcode',
      name: '信用代码错误的单位',
      kind: 'bureau',
      uscc: '91350100M000100Y44',
    });
    assert.equal(o.status, 400);
    assert.equal(o.json.errors[0].field, 'uscc');
    assert.match(o.json.message.zh, /校验位/);
    const unit = await env().makeOrg({ kind: 'town_street' });
    const u = await admin.post('/api/users', {
      orgId: unit.id,
      username: 'wrongrole',
      displayName: '错',
      password: 'Right#pass2026',
      roles: ['center_admin'],
    });
    assert.equal(u.status, 400);
    assert.equal(u.json.errors[0].field, 'roles');
    const p = await admin.post('/api/policy', { params: { no_such_param: 3, ticket_fix_days: 0 }, note: 'x' });
    assert.equal(p.status, 400);
    assert.deepEqual(p.json.errors.map((e: { field: string }) => e.field).sort(), [
      'params.no_such_param',
      'params.ticket_fix_days',
    ]);
  });

  it('a body over the size limit, a wrong content type and an unknown endpoint', async () => {
    const big = await admin.req('POST', '/api/orgs', JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }));
    assert.equal(big.status, 413);
    const form = await admin.req('POST', '/api/orgs', 'name=x', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    assert.equal(form.status, 415);
    const none = await admin.get('/api/nothing-here');
    assert.equal(none.status, 404);
    assert.equal(none.json.code, 'request.not_found');
  });

  it('nothing already accepted is lost: a refused change leaves the object as it was', async () => {
    const org = await env().makeOrg();
    const before_ = await admin.get(`/api/orgs/${org.id}`);
    const bad = await admin.patch(`/api/orgs/${org.id}`, { name: '新名称', uscc: 'BAD' });
    assert.equal(bad.status, 400);
    const after_ = await admin.get(`/api/orgs/${org.id}`);
    assert.deepEqual(after_.json, before_.json);
  });
});
