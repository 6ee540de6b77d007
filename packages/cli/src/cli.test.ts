// The gongshu command end to end, as a separate process, on the embedded database and on PostgreSQL.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createScratchPgDatabase, dbKinds } from '@gongshu/server/testing/test-env.ts';

const BIN = path.resolve(import.meta.dirname, '../bin/gongshu.mjs');

function run(args: string[], env: Record<string, string>, input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    input: input ?? '',
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

it('usage errors exit 2 with a clear message', () => {
  const env = { GONGSHU_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'gs-cli-')) };
  const cases: [string[], RegExp][] = [
    [[], /Usage:/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['calendar', 'add', '2026-02-30', '3'], /not a date/],
    [['calendar', 'add', '2026-09-30', 'three'], /not a whole number/],
    [['calendar', 'add'], /usage: gongshu calendar add/],
    [['audit'], /usage: gongshu audit verify/],
    [['user', 'create', '--username', 'x'], /--name/],
    [['user', 'create', '--username', 'abc', '--name', 'A', '--role', 'emperor'], /unknown role/],
    [['user', 'create', '--bogus'], /Unknown option '--bogus'/],
    [['migrate', 'now'], /takes no arguments/],
  ];
  for (const [args, msg] of cases) {
    const r = run(args, env);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.out} ${r.err}`);
    assert.match(r.out + r.err, msg);
  }
  // masking a CSV offline with a JSON profile
  const dir = env.GONGSHU_DATA_DIR;
  writeFileSync(path.join(dir, 'in.csv'), '姓名,身份证号,手机,备注\n欧阳娜娜,64010619900307123X,13912345678,机密\n');
  writeFileSync(
    path.join(dir, 'p.json'),
    JSON.stringify({
      columns: {
        姓名: { rule: 'mask', kind: 'name' },
        身份证号: { rule: 'hash', kind: 'id_card', length: 18 },
        手机: 'mask',
      },
    }),
  );
  const masked = run(['mask', '--profile', path.join(dir, 'p.json'), path.join(dir, 'in.csv')], env);
  assert.equal(masked.code, 0, masked.err);
  const [, row] = masked.out.trim().split('\n');
  const cells = row!.split(',');
  assert.equal(cells[0], '欧阳**');
  assert.match(cells[1]!, /^ps_[0-9a-f]{16}$/, 'a pseudonym says it is one');
  assert.equal(cells[3], '**', 'a column the profile does not name is masked whole');
  assert.match(masked.err, /Masked 1 rows/);
  writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ columns: { 姓名: 'reveal' } }));
  const bad = run(['mask', '--profile', path.join(dir, 'bad.json'), path.join(dir, 'in.csv')], env);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /unknown rule "reveal"/);
  assert.equal(run(['mask', path.join(dir, 'in.csv')], env).code, 2);
  const badEnv = run(['migrate'], { ...env, PORT: 'eighty' });
  assert.equal(badEnv.code, 2);
  assert.match(badEnv.err, /PORT must be an integer/);
  rmSync(dir, { recursive: true, force: true });
});

for (const { kind, skip } of dbKinds()) {
  describe(`gongshu commands [${kind}]`, { skip }, () => {
    const env: Record<string, string> = {};
    let scratch: { url: string; drop(): Promise<void> } | null = null;
    before(async () => {
      env.GONGSHU_DATA_DIR = mkdtempSync(path.join(tmpdir(), 'gs-cli-'));
      if (kind === 'postgres') {
        scratch = await createScratchPgDatabase('gs_cli');
        env.DATABASE_URL = scratch.url;
      }
    });
    after(async () => {
      rmSync(env.GONGSHU_DATA_DIR!, { recursive: true, force: true });
      await scratch?.drop();
    });

    it('migrate, calendar add, user create, audit verify', () => {
      const m = run(['migrate'], env);
      assert.equal(m.code, 0, m.err);
      const c = run(['calendar', 'add', '2026-09-30', '1'], env);
      assert.equal(c.code, 0, c.err);
      assert.equal(c.out.trim(), '2026-10-08');
      const u = run(
        [
          'user',
          'create',
          '--username',
          'chief',
          '--name',
          '王主任',
          '--role',
          'center_admin',
          '--org-name',
          '测试区运营中心',
        ],
        env,
      );
      assert.equal(u.code, 0, u.err);
      assert.match(u.out, /Created the Center organisation "测试区运营中心"/);
      assert.match(u.out, /Initial password \(shown once.*\): \S+/);
      const dup = run(['user', 'create', '--username', 'chief', '--name', '重复', '--role', 'center_reviewer'], env);
      assert.equal(dup.code, 2);
      assert.match(dup.err, /username: is already taken/);
      const weak = run(
        ['user', 'create', '--username', 'rev', '--name', '李', '--role', 'center_reviewer', '--password-stdin'],
        env,
        'weak\n',
      );
      assert.equal(weak.code, 2);
      assert.match(weak.err, /password/);
      const ok = run(
        ['user', 'create', '--username', 'rev', '--name', '李', '--role', 'center_reviewer', '--password-stdin'],
        env,
        'Strong#pass2026\n',
      );
      assert.equal(ok.code, 0, ok.err);
      const v = run(['audit', 'verify'], env);
      assert.equal(v.code, 0, v.err);
      assert.match(v.out, /Audit chain intact: \d+ records/);
    });

    it('audit verify exits 1 and names the record when the chain was tampered with', async () => {
      if (kind === 'pglite') {
        // Tamper through the same embedded files the CLI uses.
        const { openDatabase } = await import('@gongshu/server/db/database.ts');
        const { sql } = await import('kysely');
        const d = await openDatabase({ pgliteDir: path.join(env.GONGSHU_DATA_DIR!, 'pglite') });
        await d.db.transaction().execute(async (trx) => {
          await sql`SET LOCAL session_replication_role = replica`.execute(trx);
          await sql`UPDATE audit_record SET actor_name = 'mallory' WHERE seq = 2`.execute(trx);
        });
        await d.close();
      } else {
        const c = new pg.Client({ connectionString: env.DATABASE_URL });
        await c.connect();
        await c.query(
          'BEGIN; SET LOCAL session_replication_role = replica; UPDATE audit_record SET actor_name = $$mallory$$ WHERE seq = 2; COMMIT;',
        );
        await c.end();
      }
      const v = run(['audit', 'verify'], env);
      assert.equal(v.code, 1);
      assert.match(v.err, /AUDIT CHAIN BROKEN at record #2 \(altered\)/);
    });

    it('seed-demo loads the demo district once', () => {
      const s = run(['seed-demo'], env);
      assert.equal(s.code, 0, s.err);
      assert.match(s.out, /DEMO DISTRICT/);
      assert.match(s.out, /center\.admin/);
      const n = Number(/Demo catalog: (\d+) resources/.exec(s.out)?.[1]);
      assert.ok(n >= 150, `demo catalog has ${n} resources`);
      const d = Number(/Demo data: (\d+) resources loaded/.exec(s.out)?.[1]);
      assert.ok(d >= 5, `demo data for ${d} resources: ${s.out}`);
      assert.match(s.out, /12 sharing cases in every state/);
      const again = run(['seed-demo'], env);
      assert.match(again.out, /already loaded/);
    });

    it('trace names the export a leaked file came from; says so when none can be named; refuses what it cannot read', () => {
      // the demo's leaked-file sample: a tenth of the welfare system's export, reordered, a column dropped, in GBK
      const file = path.join(env.GONGSHU_DATA_DIR!, 'demo', '泄露样例（演示数据）.csv');
      const t = run(['trace', file], env);
      assert.equal(t.code, 0, t.out + t.err);
      assert.match(t.out, /source named/);
      assert.match(t.out, /社会救助信息系统/);
      assert.match(t.out, /民政局/);
      const json = run(['trace', '--json', file], env);
      assert.equal(JSON.parse(json.out).verdict, 'named');
      const plain = path.join(env.GONGSHU_DATA_DIR!, 'plain.csv');
      writeFileSync(plain, '姓名,性别\n张*,男\n王**,女\n');
      const none = run(['trace', plain], env);
      assert.equal(none.code, 3, none.out + none.err);
      const empty = path.join(env.GONGSHU_DATA_DIR!, 'empty.csv');
      writeFileSync(empty, '');
      const bad = run(['trace', empty], env);
      assert.equal(bad.code, 1, bad.out + bad.err);
      assert.match(bad.err, /文件为空|empty/);
      assert.equal(run(['trace'], env).code, 2);
      assert.equal(run(['trace', path.join(env.GONGSHU_DATA_DIR!, 'nope.csv')], env).code, 2);
    });
  });
}
