// Medium-size test support: a fresh database per suite, on PGlite AND on PostgreSQL (describeEachDb).
import { describe, before, after } from 'node:test';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { openDatabase, type Database } from '../db/database.ts';
import { migrateToLatest } from '../db/migrator.ts';
import { buildApp } from '../app.ts';
import { loadConfig, type Config } from '../config.ts';
import { Sm4Box } from '../platform/crypto.ts';
import { systemContext, type Role } from '../platform/context.ts';
import { totpNow } from '../domains/auth/index.ts';
import type { OrgKind } from '../db/schema.ts';
import { CalendarService } from '../domains/calendar/index.ts';
import { CatalogService } from '../domains/catalog/index.ts';

export type DbKind = 'pglite' | 'postgres';
export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_PASSWORD = 'Test#pass2026';

async function probePostgres(): Promise<string | null> {
  const c = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return null;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await c.end().catch(() => {});
  }
}

const pgProblem = await probePostgres();
const ci = process.env.CI === 'true' || process.env.CI === '1';

/** Where PostgreSQL is missing locally the suite says so and skips; under CI=true it fails instead. */
export function dbKinds(): { kind: DbKind; skip: string | false }[] {
  const all: { kind: DbKind; skip: string | false }[] = [
    { kind: 'pglite', skip: false },
    { kind: 'postgres', skip: pgProblem && !ci ? `PostgreSQL not reachable at ${TEST_PG_URL}: ${pgProblem}` : false },
  ];
  // TEST_DB_KINDS=pglite runs a suite on the embedded database only (CI's second pass on Node 22: the full matrix of
  // both databases runs on Node 20); the kinds left out are not registered, not skipped
  const only = process.env.TEST_DB_KINDS?.split(',').map((x) => x.trim());
  return only ? all.filter((k) => only.includes(k.kind)) : all;
}

/**
 * The migrated PGlite every suite of this machine starts from, as a dump: migrating a new PGlite costs about 3 s of
 * CPU, once per suite otherwise (some eighty suites a run, on two Node versions). Kept in the temporary directory
 * under a name that changes with the migrations and the PGlite version, written whole or not at all.
 */
let template: Promise<Blob> | undefined;
const TEMPLATE_PREFIX = 'gongshu-pglite-migrated-';

/** The template's file: named by the migrations, the migrator and the PGlite version. */
function templateFile(): string {
  const migrations = path.join(import.meta.dirname, '../db/migrations');
  const pgliteMain = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const pglitePkg = path.join(
    pgliteMain.slice(0, pgliteMain.lastIndexOf(`${path.sep}dist${path.sep}`)),
    'package.json',
  );
  const h = createHash('sha256').update(readFileSync(pglitePkg));
  h.update(readFileSync(path.join(import.meta.dirname, '../db/migrator.ts')));
  for (const f of readdirSync(migrations).sort()) h.update(f).update(readFileSync(path.join(migrations, f)));
  return path.join(tmpdir(), `${TEMPLATE_PREFIX}${h.digest('hex').slice(0, 16)}.tar`);
}

function migratedTemplate(): Promise<Blob> {
  template ??= (async () => {
    const file = templateFile();
    if (existsSync(file)) return new Blob([readFileSync(file)]);
    // the templates of other migrations are of no more use (this one's is left to the processes reading it)
    for (const f of readdirSync(tmpdir()))
      if (f.startsWith(TEMPLATE_PREFIX) && f.endsWith('.tar') && f !== path.basename(file))
        rmSync(path.join(tmpdir(), f), { force: true });
    const d = await openDatabase({});
    try {
      await migrateToLatest(d.db);
      const dump = await d.dump!();
      const part = `${file}.${process.pid}.part`;
      writeFileSync(part, Buffer.from(await dump.arrayBuffer()));
      renameSync(part, file);
      return dump;
    } finally {
      await d.close();
    }
  })();
  return template;
}

/** A database of its own: in-memory PGlite, or a new database on the PostgreSQL server, dropped afterwards. */
export async function freshDatabase(kind: DbKind): Promise<Database & { url?: string }> {
  if (kind === 'pglite') {
    let d: Database;
    try {
      d = await openDatabase({ pgliteFrom: await migratedTemplate() });
    } catch (e) {
      // a template that does not load (damaged on disk): this suite migrates its own, and the next process makes
      // the template again
      template = undefined;
      rmSync(templateFile(), { force: true });
      process.stderr.write(`the migrated PGlite template did not load (${(e as Error).message}): migrating\n`);
      d = await openDatabase({});
    }
    // nothing left to run on a template, which is at the latest migration (this checks it)
    await migrateToLatest(d.db);
    return d;
  }
  const scratch = await createScratchPgDatabase();
  const d = await openDatabase({ databaseUrl: scratch.url });
  await migrateToLatest(d.db);
  return {
    ...d,
    url: scratch.url,
    async close() {
      await d.close();
      await scratch.drop();
    },
  };
}

async function adminQuery(sqlText: string) {
  const a = new pg.Client({ connectionString: TEST_PG_URL });
  await a.connect();
  try {
    await a.query(sqlText);
  } finally {
    await a.end();
  }
}

/** An empty database of its own on the test PostgreSQL server, and a way to drop it. */
export async function createScratchPgDatabase(prefix = 'gs_test'): Promise<{ url: string; drop(): Promise<void> }> {
  if (pgProblem) throw new Error(`PostgreSQL is required (CI=true) but not reachable at ${TEST_PG_URL}: ${pgProblem}`);
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_PG_URL);
  url.pathname = '/' + name;
  return { url: url.toString(), drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** the body's bytes, for files that are not UTF-8 text */
  raw: Buffer;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A caller of the app through inject(): keeps the session cookie and sends the CSRF token. */
export class Client {
  cookie: string | null = null;
  csrf: string | null = null;
  bearer: string | null = null;
  constructor(private readonly app: FastifyInstance) {}

  async req(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = `gongshu_session=${this.cookie}`;
    if (this.csrf && method !== 'GET') h['x-csrf-token'] = this.csrf;
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    let payload: string | Buffer | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const r = await this.app.inject({
      method: method as 'GET',
      url,
      headers: h,
      ...(payload !== undefined ? { payload } : {}),
    });
    const setCookie = r.cookies.find((c) => c.name === 'gongshu_session');
    if (setCookie) this.cookie = setCookie.value || null;
    let json: unknown = null;
    try {
      json = r.body ? JSON.parse(r.body) : null;
    } catch {
      json = null;
    }
    return { status: r.statusCode, headers: r.headers as Reply['headers'], body: r.body, raw: r.rawPayload, json };
  }
  get(url: string) {
    return this.req('GET', url);
  }
  post(url: string, body: unknown = {}) {
    return this.req('POST', url, body);
  }
  patch(url: string, body: unknown) {
    return this.req('PATCH', url, body);
  }
  put(url: string, body: unknown) {
    return this.req('PUT', url, body);
  }
  delete(url: string) {
    return this.req('DELETE', url);
  }

  /** Logs in; answers the TOTP step when a secret is given. Throws if log-in does not complete. */
  async login(username: string, password = TEST_PASSWORD, totpSecret?: string) {
    const r = await this.post('/api/auth/login', { username, password });
    if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${r.body}`);
    this.csrf = r.json.csrfToken;
    if (r.json.next === 'totp') {
      if (!totpSecret) throw new Error(`${username} needs a TOTP code`);
      const v = await this.post('/api/auth/totp/verify', { code: totpNow(totpSecret) });
      if (v.status !== 200) throw new Error(`totp for ${username} failed: ${v.status} ${v.body}`);
    } else if (r.json.next !== 'done') throw new Error(`login ${username}: unexpected next step ${r.json.next}`);
    return this;
  }
}

export interface TestEnv {
  kind: DbKind;
  database: Database & { url?: string };
  app: FastifyInstance;
  config: Config;
  client(): Client;
  makeOrg(
    o?: Partial<{ code: string; name: string; kind: OrgKind; uscc: string }>,
  ): Promise<{ id: string; code: string; name: string; kind: string }>;
  makeUser(o: {
    orgId: string;
    roles: Role[];
    username?: string;
    totpSecret?: string;
    password?: string;
  }): Promise<{ id: string; username: string; totpSecret?: string }>;
  /** A logged-in client holding one role, in a given (or new) organisation. */
  as(role: Role, orgId?: string): Promise<Client & { userId: string; orgId: string; username: string }>;
  centerOrgId: string;
  close(): Promise<void>;
}

export const TEST_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

export async function createTestEnv(kind: DbKind, overrides: Partial<Config> = {}): Promise<TestEnv> {
  const database = await freshDatabase(kind);
  // the pull tests read from sources on this machine (PostgreSQL, MariaDB, a local HTTP server)
  const config = loadConfig(
    {},
    { env: 'test', logLevel: 'silent', demo: 'off', pullAllowLoopback: true, ...overrides, databaseUrl: database.url },
  );
  // the keys of the config when it has them (the multi-node test shares them with its server processes)
  const keys = {
    hmac: config.sessionSecret ? Buffer.from(config.sessionSecret, 'hex') : randomBytes(32),
    sm4: new Sm4Box(config.sm4Key ? Buffer.from(config.sm4Key, 'hex') : randomBytes(16)),
  };
  const calendar = new CalendarService(database.db);
  await calendar.ensurePolicy();
  await new CatalogService(database.db, calendar).codes.ensureCodes();
  const app = await buildApp(config, {
    db: database.db,
    dbKind: database.kind,
    keys,
    copyIn: database.copyIn,
    copyOut: database.copyOut,
    bulkSession: database.bulkSession,
    commitDb: database.commitDb,
    jobBackend: database.jobBackend,
  });
  await app.ready();
  const ctx = systemContext('test');
  let n = 0;
  const makeOrg: TestEnv['makeOrg'] = async (o = {}) => {
    const i = ++n;
    const r = await app.services.auth.createOrgAsSystem(ctx, {
      code: o.code ?? `org${i}-${randomBytes(2).toString('hex')}`,
      name: o.name ?? `测试单位${i}-${randomBytes(2).toString('hex')}`,
      kind: o.kind ?? 'bureau',
      ...(o.uscc ? { uscc: o.uscc } : {}),
    });
    return r;
  };
  const makeUser: TestEnv['makeUser'] = async (o) => {
    const username = o.username ?? `u${++n}-${randomBytes(3).toString('hex')}`;
    const u = await app.services.auth.createUserAsSystem(ctx, {
      orgId: o.orgId,
      username,
      displayName: `测试用户${n}`,
      password: o.password ?? TEST_PASSWORD,
      roles: o.roles,
      ...(o.totpSecret ? { totpSecret: o.totpSecret } : {}),
    });
    return { id: u.id, username: u.username, ...(o.totpSecret ? { totpSecret: o.totpSecret } : {}) };
  };
  const center = await makeOrg({ kind: 'center', code: 'center', name: '测试运营中心' });
  const env: TestEnv = {
    kind,
    database,
    app,
    config,
    centerOrgId: center.id,
    client: () => new Client(app),
    makeOrg,
    makeUser,
    async as(role, orgId) {
      let org = orgId;
      if (!org) {
        if (['center_admin', 'center_reviewer', 'supervisor'].includes(role)) org = center.id;
        else org = (await makeOrg({ kind: role === 'cac_officer' ? 'cac' : 'bureau' })).id;
      }
      const totp = role === 'center_admin' ? TEST_TOTP_SECRET : undefined;
      const u = await makeUser({ orgId: org, roles: [role], ...(totp ? { totpSecret: totp } : {}) });
      const c = new Client(app);
      await c.login(u.username, TEST_PASSWORD, totp);
      return Object.assign(c, { userId: u.id, orgId: org, username: u.username });
    },
    async close() {
      await app.close();
      await database.close();
    },
  };
  return env;
}

/** Runs the suite once per database; `env()` gives the suite's environment. */
export function describeEachDb(title: string, body: (env: () => TestEnv) => void, overrides: Partial<Config> = {}) {
  for (const { kind, skip } of dbKinds()) {
    describe(`${title} [${kind}]`, { skip }, () => {
      let env: TestEnv | undefined;
      before(async () => {
        env = await createTestEnv(kind, overrides);
      });
      after(async () => {
        await env?.close();
      });
      body(() => {
        if (!env) throw new Error('test environment failed to start');
        return env;
      });
    });
  }
}

export { randomUUID };
