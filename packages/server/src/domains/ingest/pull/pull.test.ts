// Scheduled pulls from real sources: a PostgreSQL database (incremental), a MySQL (MariaDB) database and a
// paged HTTP JSON API; sealed secrets; failures that back off and show; the scheduler's tick.
import { before, after, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { createScratchPgDatabase, describeEachDb, type Client } from '../../../testing/test-env.ts';
import { personResource, publish, residentId, servePeopleApi } from '../../../testing/ingest-fixtures.ts';

const MYSQL = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };
const ci = process.env.CI === 'true' || process.env.CI === '1';
let mysqlProblem: string | null = null;
try {
  const c = await mysql.createConnection({ ...MYSQL, connectTimeout: 3000 });
  await c.end();
} catch (e) {
  mysqlProblem = (e as Error).message;
  if (ci) throw new Error(`CI=true but MySQL/MariaDB is not reachable at 127.0.0.1:3306: ${mysqlProblem}`);
}

describeEachDb(
  "pull sources may not reach this machine or the platform's own database",
  (env) => {
    it('loopback and link-local addresses, and the platform database, are refused when saved', async () => {
      const unit = await env().as('unit_admin');
      const res = await publish(unit, await env().as('center_reviewer'), personResource());
      const add = (kind: string, settings: Record<string, unknown>) =>
        unit.post(`/api/ingest/resources/${res.id}/pull-sources`, { name: `s${Math.random()}`, kind, settings });
      const db = { port: 5432, database: 'x', user: 'u', query: 'SELECT 1' };
      for (const [kind, settings, field] of [
        ['postgres', { ...db, host: '127.0.0.1' }, 'settings.host'],
        ['mysql', { ...db, host: 'localhost', port: 3306 }, 'settings.host'],
        ['http', { url: 'http://169.254.169.254/latest/meta-data/' }, 'settings.url'],
        ['http', { url: 'http://[::1]:8080/api/ingest' }, 'settings.url'],
      ] as const) {
        const r = await add(kind, settings);
        assert.equal(r.status, 400, `${kind} ${JSON.stringify(settings)}: ${r.body}`);
        assert.equal(r.json.errors[0].field, field);
        assert.match(r.json.message.zh, /不允许/);
      }
      if (env().config.databaseUrl) {
        const u = new URL(env().config.databaseUrl!);
        const own = await add('postgres', { ...db, host: '192.0.2.1', database: u.pathname.slice(1) });
        assert.equal(own.status, 201, 'another host with the same database name is fine');
      }
    });
  },
  { pullAllowLoopback: false },
);

describeEachDb('scheduled pull', (env) => {
  let unit: Client;
  let res: { id: string; code: string };
  let source: { url: string; drop(): Promise<void> };
  let srcDb: string;
  let http: { base: string; close(): Promise<void> };
  let httpBase = '';
  const exec = async (q: string, values: unknown[] = []) => {
    const c = new pg.Client({ connectionString: source.url });
    await c.connect();
    try {
      await c.query(q, values);
    } finally {
      await c.end();
    }
  };

  before(async () => {
    const org = await env().makeOrg({ name: '区民政局（抽取测试）' });
    unit = await env().as('unit_admin', org.id);
    res = await publish(unit, await env().as('center_reviewer'), personResource({ updateCycle: 'daily' }));
    source = await createScratchPgDatabase('gs_pull_src');
    srcDb = new URL(source.url).pathname.slice(1);
    await exec('CREATE TABLE dibao (sfzh text PRIMARY KEY, xm text, je numeric(10,2), updated timestamptz)');
    for (let i = 0; i < 3; i++)
      await exec('INSERT INTO dibao VALUES ($1, $2, $3, $4)', [
        residentId('1960-01-01', i),
        `源${i}`,
        100 + i,
        `2026-11-0${i + 1}T08:00:00+08:00`,
      ]);
    // a paged JSON API: 5 items, 2 per page, under data.list
    http = await servePeopleApi('k-123', '1961-01-01');
    httpBase = http.base;
  });
  after(async () => {
    await source.drop();
    await http.close();
  });

  const pgSettings = () => ({
    host: '127.0.0.1',
    port: 5432,
    database: srcDb,
    user: 'postgres',
    query: 'SELECT sfzh AS id_no, xm AS name, je AS amount, updated FROM dibao',
    incrementalColumn: 'updated',
  });

  it('from PostgreSQL: the query with an incremental column, one batch per run; the secret is sealed with SM4', async () => {
    const c = await unit.post(`/api/ingest/resources/${res.id}/pull-sources`, {
      name: '低保业务库',
      kind: 'postgres',
      settings: pgSettings(),
      secret: 'pg-secret-pass',
      mode: 'upsert',
    });
    assert.equal(c.status, 201, c.body);
    assert.equal(c.json.intervalMinutes, 1440, 'a daily resource is pulled daily');
    assert.equal(c.json.hasSecret, true);
    assert.equal(c.json.secret, undefined);
    const stored = await env()
      .database.db.selectFrom('pull_source')
      .select('secret_enc')
      .where('id', '=', c.json.id)
      .executeTakeFirstOrThrow();
    assert.match(stored.secret_enc!, /^sm4:v1:/);
    assert.doesNotMatch(stored.secret_enc!, /pg-secret-pass/);

    const r1 = await unit.post(`/api/ingest/pull-sources/${c.json.id}/run`);
    assert.equal(r1.status, 200, r1.body);
    assert.equal(r1.json.batch.status, 'succeeded', JSON.stringify(r1.json));
    assert.equal(r1.json.batch.source, 'pull');
    assert.equal(r1.json.batch.accepted, 3);
    assert.equal(r1.json.source.lastStatus, 'succeeded');
    assert.ok(r1.json.source.cursor?.startsWith('2026-11-03'));

    await exec('INSERT INTO dibao VALUES ($1, $2, $3, $4)', [
      residentId('1960-01-01', 9),
      '新增',
      50,
      '2026-11-20T08:00:00+08:00',
    ]);
    await exec("UPDATE dibao SET xm = '改名', updated = '2026-11-21T08:00:00+08:00' WHERE sfzh = $1", [
      residentId('1960-01-01', 0),
    ]);
    const r2 = await unit.post(`/api/ingest/pull-sources/${c.json.id}/run`);
    assert.equal(r2.json.batch.received, 2, 'only the rows changed since the last run');
    const rows = (
      await unit.get(`/api/ingest/resources/${res.id}/rows?raw=true&filter=name:eq:${encodeURIComponent('改名')}`)
    ).json.rows;
    assert.equal(rows.length, 1);
    assert.equal((await unit.get(`/api/ingest/resources/${res.id}`)).json.rowCount, 4);
  });

  it('a failing source backs off (1, 2 … minutes) and shows its error; bad settings are refused by name', async () => {
    const c = await unit.post(`/api/ingest/resources/${res.id}/pull-sources`, {
      name: '错误的库',
      kind: 'postgres',
      settings: { ...pgSettings(), database: 'no_such_database_xyz' },
      intervalMinutes: 60,
    });
    assert.equal(c.status, 201, c.body);
    const r1 = await unit.post(`/api/ingest/pull-sources/${c.json.id}/run`);
    assert.equal(r1.status, 200);
    assert.match(r1.json.error.zh, /无法连接源数据库/);
    assert.equal(r1.json.batch.status, 'failed');
    assert.equal(r1.json.source.failures, 1);
    const wait1 = new Date(r1.json.source.nextRunAt).getTime() - Date.now();
    assert.ok(wait1 > 30_000 && wait1 <= 60_000, `first retry in about a minute, not ${wait1} ms`);
    const r2 = await unit.post(`/api/ingest/pull-sources/${c.json.id}/run`);
    assert.equal(r2.json.source.failures, 2);
    const wait2 = new Date(r2.json.source.nextRunAt).getTime() - Date.now();
    assert.ok(wait2 > 90_000 && wait2 <= 120_000, `second retry in about two minutes, not ${wait2} ms`);
    const list = (await unit.get(`/api/ingest/resources/${res.id}/pull-sources`)).json;
    assert.equal(list.find((s: { id: string }) => s.id === c.json.id).lastStatus, 'failed');

    const bad = await unit.post(`/api/ingest/resources/${res.id}/pull-sources`, {
      name: '删除',
      kind: 'postgres',
      settings: { ...pgSettings(), query: 'DELETE FROM dibao', incrementalColumn: 'x; drop' },
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json.errors.map((e: { field: string }) => e.field).sort(), [
      'settings.incrementalColumn',
      'settings.query',
    ]);
    const other = await env().as('unit_admin');
    assert.equal((await other.post(`/api/ingest/pull-sources/${c.json.id}/run`)).status, 403);
    if (env().config.databaseUrl) {
      const own = await unit.post(`/api/ingest/resources/${res.id}/pull-sources`, {
        name: '平台库',
        kind: 'postgres',
        settings: { ...pgSettings(), database: new URL(env().config.databaseUrl!).pathname.slice(1) },
      });
      assert.equal(own.status, 400);
      assert.match(own.json.message.zh, /平台自身的数据库/);
    }
  });

  it('from a paged HTTP JSON API with an auth header; the scheduler runs what is due', async () => {
    const c = await unit.post(`/api/ingest/resources/${res.id}/pull-sources`, {
      name: '接口',
      kind: 'http',
      settings: {
        url: `${httpBase}/api/dibao`,
        itemsPath: 'data.list',
        pageParam: 'page',
        pageSizeParam: 'size',
        pageSize: 2,
        authHeader: 'x-api-key',
      },
      secret: 'k-123',
      mode: 'upsert',
    });
    assert.equal(c.status, 201, c.body);
    await env()
      .database.db.updateTable('pull_source')
      .set({ next_run_at: new Date(Date.now() - 1000) })
      .where('id', '=', c.json.id)
      .execute();
    const ran = await env().app.services.pull.tick();
    assert.ok(ran >= 1);
    const src = (await unit.get(`/api/ingest/resources/${res.id}/pull-sources`)).json.find(
      (s: { id: string }) => s.id === c.json.id,
    );
    assert.equal(src.lastStatus, 'succeeded', JSON.stringify(src.lastError));
    const b = (await unit.get(`/api/ingest/resources/${res.id}/batches?limit=1`)).json.batches[0];
    assert.deepEqual([b.source, b.accepted, b.actorName], ['pull', 5, '定时抽取 / scheduler']);
  });

  it('from MySQL (MariaDB)', { skip: mysqlProblem ? `MySQL not reachable: ${mysqlProblem}` : false }, async () => {
    const name = `gs_pull_${randomBytes(4).toString('hex')}`;
    const admin = await mysql.createConnection(MYSQL);
    try {
      await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
      await admin.query(
        `CREATE TABLE ${name}.jz (id_no varchar(18) PRIMARY KEY, xm varchar(30), je decimal(10,2), gx datetime)`,
      );
      await admin.query(
        `INSERT INTO ${name}.jz VALUES (?, '马六', 12.5, '2026-11-01 09:00:00'), (?, '回七', 7, '2026-11-02 09:00:00')`,
        [residentId('1962-01-01', 1), residentId('1962-01-01', 2)],
      );
      const c = await unit.post(`/api/ingest/resources/${res.id}/pull-sources`, {
        name: 'MySQL 业务库',
        kind: 'mysql',
        settings: {
          host: '127.0.0.1',
          port: 3306,
          database: name,
          user: 'root',
          query: 'SELECT id_no, xm AS name, je AS amount, gx FROM jz',
          incrementalColumn: 'gx',
        },
      });
      assert.equal(c.status, 201, c.body);
      const r = await unit.post(`/api/ingest/pull-sources/${c.json.id}/run`);
      assert.equal(r.json.batch?.status, 'succeeded', JSON.stringify(r.json));
      assert.equal(r.json.batch.accepted, 2);
      assert.equal(r.json.source.cursor, '2026-11-02 09:00:00');
      const again = await unit.post(`/api/ingest/pull-sources/${c.json.id}/run`);
      assert.deepEqual(
        [again.json.batch.status, again.json.batch.received],
        ['succeeded', 0],
        'nothing new: an empty batch, not a failure',
      );
      assert.equal(again.json.source.failures, 0);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    }
  });
});

describeEachDb('pull errors do not tell a port scanner which ports are open; refusals are audited', (env) => {
  it('a closed port and an open port that speaks something else give the same words; a refused address at save and at run is audited', async () => {
    const unit = await env().as('unit_admin');
    const res = await publish(unit, await env().as('center_reviewer'), personResource());
    const http = await servePeopleApi('k', '1963-01-01');
    try {
      const openPort = Number(new URL(http.base).port);
      const errorsFor = async (port: number, kind: 'postgres' | 'mysql') => {
        const c = await unit.post(`/api/ingest/resources/${res.id}/pull-sources`, {
          name: `p${port}${kind}${Math.random()}`,
          kind,
          settings: { host: '127.0.0.1', port, database: 'x', user: 'u', query: 'SELECT 1' },
          secret: 'pw',
        });
        assert.equal(c.status, 201, c.body);
        return (await unit.post(`/api/ingest/pull-sources/${c.json.id}/run`)).json.error;
      };
      for (const kind of ['postgres', 'mysql'] as const) {
        const closed = await errorsFor(1, kind);
        const open = await errorsFor(openPort, kind);
        assert.deepEqual(open, closed, `${kind}: the same words for a closed and an open port`);
        assert.match(closed.zh, /无法连接源数据库/);
        assert.doesNotMatch(closed.en, /ECONNREFUSED|refused by|ETIMEDOUT|HTTP|protocol/i);
      }
    } finally {
      await http.close();
    }
  });

  it('refusals at save are audited with the reason', async () => {
    const unit = await env().as('unit_admin');
    const res = await publish(unit, await env().as('center_reviewer'), personResource());
    const r = await unit.post(`/api/ingest/resources/${res.id}/pull-sources`, {
      name: '元数据',
      kind: 'http',
      settings: { url: 'http://[::ffff:169.254.169.254]/latest/meta-data/' },
    });
    assert.equal(r.status, 400);
    const rec = await env()
      .database.db.selectFrom('audit_record')
      .selectAll()
      .where('action', '=', 'ingest.pull_source.refused')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(rec.outcome, 'denied');
    assert.match(JSON.stringify(rec.diff), /link-local/);
  });
});
