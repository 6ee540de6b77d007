// Two app nodes (two `gongshu start` processes) on one PostgreSQL: each scheduled job runs once, a session made on
// one node works on the other, and a rate limit counts the requests of both.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createTestEnv, dbKinds, TEST_PASSWORD, type TestEnv } from '../packages/server/src/testing/test-env.ts';
import { personResource, publish, servePeopleApi } from '../packages/server/src/testing/ingest-fixtures.ts';
import { until } from '../packages/server/src/testing/until.ts';

const root = path.resolve(import.meta.dirname, '..');
const pgKind = dbKinds().find((k) => k.kind === 'postgres')!;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Node {
  base: string;
  proc: ChildProcess;
  log: string[];
}

describe('two app nodes on one PostgreSQL', { skip: pgKind.skip }, () => {
  let env: TestEnv;
  let people: { base: string; close(): Promise<void> };
  const nodes: Node[] = [];
  const dirs: string[] = [];
  let sourceId = '';
  let resourceId = '';
  const secrets = { sessionSecret: randomBytes(32).toString('hex'), sm4Key: randomBytes(16).toString('hex') };

  async function startNode(): Promise<Node> {
    const port = await freePort();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gongshu-node-'));
    const webDist = mkdtempSync(path.join(tmpdir(), 'gongshu-noweb-'));
    dirs.push(dataDir, webDist);
    const proc = spawn(process.execPath, [path.join(root, 'packages/cli/bin/gongshu.mjs'), 'start'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        DATABASE_URL: env.database.url,
        PORT: String(port),
        HOST: '127.0.0.1',
        GONGSHU_DATA_DIR: dataDir,
        GONGSHU_WEB_DIST: webDist,
        GONGSHU_DEMO: 'off',
        GONGSHU_SESSION_SECRET: secrets.sessionSecret,
        GONGSHU_SM4_KEY: secrets.sm4Key,
        GONGSHU_PULL_ALLOW_LOOPBACK: 'true',
        GONGSHU_JOB_POLL_SECONDS: '1',
        GONGSHU_JOB_CRON_CHECK_SECONDS: '1',
        GONGSHU_ONE_SOURCE_CRON: '* * * * *',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const node: Node = { base: `http://127.0.0.1:${port}`, proc, log: [] };
    proc.stdout!.on('data', (d: Buffer) => node.log.push(d.toString()));
    proc.stderr!.on('data', (d: Buffer) => node.log.push(d.toString()));
    nodes.push(node);
    await until(
      () => `node on ${port} to answer (exit ${proc.exitCode}; log: ${node.log.join('')})`,
      async () => (await fetch(`${node.base}/api/health`)).status === 200,
      { timeoutMs: 60_000, retryErrors: true },
    );
    return node;
  }

  before(async () => {
    env = await createTestEnv('postgres', { ...secrets, pullAllowLoopback: true });
    people = await servePeopleApi('k-2nodes', '1963-01-01');
    const unit = await env.as('unit_admin');
    const res = await publish(unit, await env.as('center_reviewer'), personResource({ updateCycle: 'daily' }));
    resourceId = res.id;
    const c = await unit.post(`/api/ingest/resources/${res.id}/pull-sources`, {
      name: '两节点接口',
      kind: 'http',
      settings: {
        url: `${people.base}/api/dibao`,
        itemsPath: 'data.list',
        pageParam: 'page',
        pageSizeParam: 'size',
        pageSize: 2,
        authHeader: 'x-api-key',
      },
      secret: 'k-2nodes',
      mode: 'upsert',
    });
    assert.equal(c.status, 201, c.body);
    sourceId = c.json.id;
    // due now: whichever node checks first queues it, whichever node is free runs it
    await env.database.db
      .updateTable('pull_source')
      .set({ next_run_at: new Date(Date.now() - 1000) })
      .where('id', '=', sourceId)
      .execute();
    await Promise.all([startNode(), startNode()]);
  });

  after(async () => {
    for (const n of nodes) n.proc.kill('SIGTERM');
    await Promise.all(
      nodes.map((n) => new Promise((r) => (n.proc.exitCode !== null ? r(null) : n.proc.once('exit', r)))),
    );
    await people?.close();
    await env?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('each scheduled job runs exactly once: one pull of a due source, one one-source comparison per minute', async () => {
    const db = env.database.db;
    const batches = () =>
      db
        .selectFrom('ingest_batch')
        .select(['id', 'status', 'accepted'])
        .where('pull_source_id', '=', sourceId)
        .execute();
    await until(
      'the scheduled pull to finish',
      async () =>
        (await db.selectFrom('pull_source').select('last_status').where('id', '=', sourceId).executeTakeFirst())
          ?.last_status,
      { timeoutMs: 90_000, retryErrors: true },
    );
    await until(
      'the first one-source comparison',
      async () => (await db.selectFrom('source_check_run').select('id').execute()).length > 0,
      { timeoutMs: 90_000, retryErrors: true },
    );
    // several polls of both nodes later: still one batch, one run job for the source
    await new Promise((r) => setTimeout(r, 4000));
    const b = await batches();
    assert.equal(b.length, 1, `one batch, not ${b.length}`);
    assert.deepEqual([b[0]!.status, b[0]!.accepted], ['succeeded', 5]);
    const runJobs = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'ingest.pull.run' AND singleton_key = ${sourceId}`.execute(
      db,
    );
    assert.equal(runJobs.rows[0]!.n, 1);
    // the comparison is scheduled every minute here: at most one job per minute slot, whatever the two nodes did
    const perSlot = await sql<{
      slot: string;
      n: number;
    }>`SELECT date_trunc('minute', created_on)::text AS slot, count(*)::int AS n FROM pgboss.job WHERE name = 'ingest.one_source.check' GROUP BY 1`.execute(
      db,
    );
    assert.ok(perSlot.rows.length >= 1);
    for (const s of perSlot.rows) assert.equal(s.n, 1, `minute ${s.slot}: ${s.n} comparison jobs`);
    const runs = (await db.selectFrom('source_check_run').select('id').execute()).length;
    const done = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'ingest.one_source.check' AND state IN ('active', 'completed')`.execute(
      db,
    );
    assert.ok(runs <= done.rows[0]!.n, `${runs} comparison runs for ${done.rows[0]!.n} jobs`);
  });

  it('a session made on one node works on the other', async () => {
    const org = await env.makeOrg();
    const u = await env.makeUser({ orgId: org.id, roles: ['unit_admin'] });
    const [a, b] = nodes as [Node, Node];
    const login = await fetch(`${a.base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: u.username, password: TEST_PASSWORD }),
    });
    assert.equal(login.status, 200, await login.clone().text());
    const body = (await login.json()) as { next: string; csrfToken: string };
    assert.equal(body.next, 'done');
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const whoOnB = await fetch(`${b.base}/api/auth/session`, { headers: { cookie } });
    assert.equal(whoOnB.status, 200);
    assert.equal(((await whoOnB.json()) as { user: { username: string } }).user.username, u.username);
    // a change on B with the CSRF token A gave out
    const logout = await fetch(`${b.base}/api/auth/logout`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': body.csrfToken },
    });
    assert.ok(logout.status < 300, `logout on B: ${logout.status}`);
    assert.equal(
      (await fetch(`${a.base}/api/ingest/resources/${resourceId}/batches`, { headers: { cookie } })).status,
      401,
      'logged out on A too',
    );
  });

  it('a rate limit counts the requests of both nodes', async () => {
    const [a, b] = nodes as [Node, Node];
    const tryLogin = (n: Node) =>
      fetch(`${n.base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: `nobody-${randomBytes(3).toString('hex')}`, password: 'wrong-Passw0rd' }),
      });
    // 30 log-ins a minute per client: what is left after the first, then alternate nodes until refused
    const first = await tryLogin(a);
    assert.equal(first.status, 401);
    const left = Number(first.headers.get('x-ratelimit-remaining'));
    assert.ok(left >= 10 && left < 30, `remaining ${left}`);
    const answered: number[] = [];
    for (let i = 0; i < left; i++) answered.push((await tryLogin(i % 2 ? a : b)).status);
    assert.ok(
      answered.every((s) => s === 401),
      `the rest of the minute's log-ins are answered on both nodes: ${answered.join(',')}`,
    );
    // one node alone would have allowed 30; together they have used them all
    const since = new Date();
    for (let i = 0; i < 6; i++) assert.equal((await tryLogin(i % 2 ? a : b)).status, 429);
    // the flood on both nodes leaves one record of the refusal in the trail, not one per node or per request
    const refused = await env.database.db
      .selectFrom('audit_record')
      .select(['object_id', 'diff'])
      .where('action', '=', 'access.refused')
      .where('occurred_at', '>=', since)
      .execute();
    assert.equal(refused.length, 1, JSON.stringify(refused));
    assert.match(JSON.stringify(refused[0]!.diff), /rate_limited/);
  });
});
