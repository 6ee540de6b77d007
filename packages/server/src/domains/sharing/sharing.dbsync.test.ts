// Database sync (库表交换) on both platform databases, into a consumer's PostgreSQL and MariaDB: the consumer's data
// admin sets the target (the password sealed, never shown), a run creates the table and writes the grant's rows
// masked; the next run writes only what changed (an upsert batch, a replacement's deletes); runs are recorded for
// both units and audited; a wrong password fails the run in words; a refused address is audited; only the
// consumer's admin sets it up, and only on a grant with the method.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { describeEachDb, createScratchPgDatabase } from '../../testing/test-env.ts';
import { personCsv } from '../../testing/ingest-fixtures.ts';
import { grantedCase, ownerResource, sharingWorld, type SharingWorld } from '../../testing/sharing-fixtures.ts';

const ci = process.env.CI === 'true' || process.env.CI === '1';
const MYSQL = { host: '127.0.0.1', port: 3306, user: 'root', database: 'test' };

async function mysqlReachable(): Promise<string | false> {
  const { default: mysql } = await import('mysql2/promise');
  try {
    const c = await mysql.createConnection({ ...MYSQL, connectTimeout: 3000 });
    await c.end();
    return false;
  } catch (e) {
    return `MariaDB/MySQL not reachable at ${MYSQL.host}:${MYSQL.port}: ${(e as Error).message}`;
  }
}

const HEADER = '公民身份号码,姓名,联系电话,救助金额,家庭人口数,批准日期,救助类别,是否在保';
const rowOf = (i: number, level?: string) => {
  const line = personCsv(1, i).split('\r\n')[1]!.split(',');
  if (level) line[6] = level;
  return line.join(',');
};

describeEachDb('sharing: database sync', (env) => {
  let w: SharingWorld;
  let resource: { id: string };
  let grantId: string;
  let scratch: { url: string; drop(): Promise<void> };
  let mysqlSkip: string | false = false;

  before(async () => {
    mysqlSkip = await mysqlReachable();
    if (mysqlSkip && ci) throw new Error(`${mysqlSkip} (CI=true: nothing is skipped)`);
    scratch = await createScratchPgDatabase('gs_dbsync');
    w = await sharingWorld(env());
    resource = await ownerResource(w, { shareMethods: ['api', 'db_sync'] }, 30);
    ({ grantId } = await grantedCase(w, resource.id, {
      apply: { items: ['id_no', 'name', 'mobile', 'amount', 'members', 'level'], methods: ['db_sync'] },
      consent: { rowFilter: "救助类别 = 'A类'" },
    }));
  });
  after(async () => {
    await scratch?.drop();
  });

  const load = async (mode: 'upsert' | 'replace', lines: string[]) => {
    const up = await w.owner.req(
      'POST',
      `/api/ingest/resources/${resource.id}/upload?mode=${mode}`,
      [HEADER, ...lines].join('\r\n'),
      { 'content-type': 'text/csv' },
    );
    assert.equal(up.status, 200, up.body);
  };

  describe('into PostgreSQL', () => {
    const rows = async () => {
      const c = new pg.Client({ connectionString: scratch.url });
      await c.connect();
      try {
        return (await c.query('SELECT * FROM welfare_copy ORDER BY id_no')).rows as Record<string, unknown>[];
      } finally {
        await c.end();
      }
    };

    it('the consumer’s admin sets the target; a run creates the table and writes the grant’s rows, masked', async () => {
      const u = new URL(scratch.url);
      const put = await w.consumer.put(`/api/sharing/grants/${grantId}/db-sync`, {
        kind: 'postgres',
        host: u.hostname,
        port: Number(u.port || 5432),
        database: u.pathname.slice(1),
        user: decodeURIComponent(u.username) || 'postgres',
        password: decodeURIComponent(u.password) || null,
        table: 'welfare_copy',
        intervalMinutes: 60,
      });
      assert.equal(put.status, 200, put.body);
      assert.equal(put.json.target.table, 'welfare_copy');
      assert.ok(!JSON.stringify(put.json).includes('"password"'), 'the password never comes back');
      const run = await w.consumer.post(`/api/sharing/grants/${grantId}/db-sync/run`);
      assert.equal(run.status, 200, run.body);
      assert.equal(run.json.status, 'succeeded', run.body);
      assert.equal(run.json.upserts, 10);
      const copied = await rows();
      assert.equal(copied.length, 10);
      assert.ok(copied.every((r) => r.level === 'A类'));
      assert.ok(
        copied.every((r) => !/^139\d{8}$/.test(String(r.mobile))),
        'mobiles are masked in the consumer’s table',
      );
      assert.ok(copied.every((r) => typeof r.members === 'string' || typeof r.members === 'number'));
    });

    it('the next run writes only what changed: an upsert batch, and a replacement’s deletes', async () => {
      await load('upsert', [rowOf(0, 'C类'), rowOf(30)]);
      const r1 = await w.consumer.post(`/api/sharing/grants/${grantId}/db-sync/run`);
      assert.equal(r1.json.status, 'succeeded', r1.body);
      assert.deepEqual([r1.json.upserts, r1.json.deletes], [1, 1], r1.body);
      await load(
        'replace',
        Array.from({ length: 12 }, (_, i) => rowOf(i)),
      );
      const r2 = await w.consumer.post(`/api/sharing/grants/${grantId}/db-sync/run`);
      assert.equal(r2.json.status, 'succeeded', r2.body);
      const copied = await rows();
      // rows 0..11 of which every third is A
      assert.equal(copied.length, 4, JSON.stringify(copied.map((r) => r.id_no)));
      const again = await w.consumer.post(`/api/sharing/grants/${grantId}/db-sync/run`);
      assert.deepEqual([again.json.upserts, again.json.deletes], [0, 0]);
    });

    it('both units see the runs; the trail has them; the owner cannot set the target', async () => {
      const seen = await w.owner.get(`/api/sharing/grants/${grantId}/db-sync`);
      assert.equal(seen.status, 200, seen.body);
      assert.ok(seen.json.runs.length >= 4);
      assert.equal(seen.json.may.configure, false);
      const mine = await w.consumer.get(`/api/sharing/grants/${grantId}/db-sync`);
      assert.equal(mine.json.may.configure, true);
      assert.equal(mine.json.target.hasPassword, !!new URL(scratch.url).password);
      const denied = await w.owner.put(`/api/sharing/grants/${grantId}/db-sync`, {
        kind: 'postgres',
        host: '127.0.0.1',
        database: 'x',
        user: 'x',
        table: 't',
        intervalMinutes: 60,
      });
      assert.equal(denied.status, 403, denied.body);
      const trail = await w.centerAdmin.get('/api/audit?action=share.db_sync.run&limit=20');
      assert.ok(trail.json.items.length >= 4);
      const access = await w.centerAdmin.get('/api/audit?action=share.db_sync&limit=20');
      assert.ok(access.json.items.length >= 1, 'each page written is an access record');
    });

    it('a wrong password fails the run in words and changes nothing; a bad table name is refused', async () => {
      const u = new URL(scratch.url);
      const put = await w.consumer.put(`/api/sharing/grants/${grantId}/db-sync`, {
        kind: 'postgres',
        host: u.hostname,
        port: Number(u.port || 5432),
        database: u.pathname.slice(1),
        user: 'no_such_role_gongshu',
        password: 'wrong',
        table: 'welfare_copy',
        intervalMinutes: 60,
      });
      assert.equal(put.status, 200, put.body);
      const run = await w.consumer.post(`/api/sharing/grants/${grantId}/db-sync/run`);
      assert.equal(run.json.status, 'failed', run.body);
      assert.match(run.json.error.zh, /无法连接目标数据库/);
      // the scheduled job claims the target (its time has come since it was set up) and records its run
      assert.equal(await env().app.services.dbSync.runDue(), 1);
      assert.equal(await env().app.services.dbSync.runDue(), 0, 'claimed: not again before its interval');
      const runs = (await w.consumer.get(`/api/sharing/grants/${grantId}/db-sync`)).json.runs;
      assert.equal(runs[0].trigger, 'schedule');
      assert.equal(runs[0].status, 'failed');
      const bad = await w.consumer.put(`/api/sharing/grants/${grantId}/db-sync`, {
        kind: 'postgres',
        host: u.hostname,
        database: 'x',
        user: 'x',
        table: 'drop table x;--',
        intervalMinutes: 60,
      });
      assert.equal(bad.status, 400, bad.body);
      assert.equal(bad.json.errors[0].field, 'table');
    });
  });

  describe('into MariaDB', () => {
    it('a run creates the table in MariaDB and writes the grant’s rows, masked; the next run what changed', async (t) => {
      if (mysqlSkip) return t.skip(mysqlSkip);
      const { default: mysql } = await import('mysql2/promise');
      const table = `gs_copy_${Math.random().toString(36).slice(2, 8)}`;
      const put = await w.consumer.put(`/api/sharing/grants/${grantId}/db-sync`, {
        kind: 'mysql',
        ...MYSQL,
        password: null,
        table,
        intervalMinutes: 30,
      });
      assert.equal(put.status, 200, put.body);
      const run = await w.consumer.post(`/api/sharing/grants/${grantId}/db-sync/run`);
      assert.equal(run.json.status, 'succeeded', run.body);
      const c = await mysql.createConnection(MYSQL);
      try {
        const [got] = await c.query(`SELECT * FROM \`${table}\` ORDER BY id_no`);
        const list = got as Record<string, unknown>[];
        assert.equal(list.length, 4);
        assert.ok(list.every((r) => r.level === 'A类'));
        await load('upsert', [rowOf(3, 'B类')]);
        const next = await w.consumer.post(`/api/sharing/grants/${grantId}/db-sync/run`);
        assert.deepEqual([next.json.upserts, next.json.deletes], [0, 1], next.body);
        const [after] = await c.query(`SELECT count(*) AS n FROM \`${table}\``);
        assert.equal(Number((after as { n: number }[])[0]!.n), 3);
      } finally {
        await c.query(`DROP TABLE IF EXISTS \`${table}\``).catch(() => {});
        await c.end();
      }
    });
  });
});
