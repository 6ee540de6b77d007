// gongshu ingest as a separate process, on the embedded database and on PostgreSQL: a GBK CSV loads as one
// batch with the rejected rows named; wrong arguments and users are refused with exit 2.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createScratchPgDatabase, dbKinds, TEST_PASSWORD } from '@gongshu/server/testing/test-env.ts';
import { gb18030, residentId } from '@gongshu/server/testing/ingest-fixtures.ts';
import { itemBody, resourceBody } from '@gongshu/server/testing/catalog-fixtures.ts';
import { loadConfig, openRuntime } from '@gongshu/server';
import { systemContext } from '@gongshu/server/platform/context.ts';

const BIN = path.resolve(import.meta.dirname, '../bin/gongshu.mjs');

function run(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

for (const { kind, skip } of dbKinds()) {
  describe(`gongshu ingest [${kind}]`, { skip }, () => {
    const env: Record<string, string> = {};
    let scratch: { url: string; drop(): Promise<void> } | null = null;
    let code = '';
    before(async () => {
      env.GONGSHU_DATA_DIR = mkdtempSync(path.join(tmpdir(), 'gs-cli-ingest-'));
      if (kind === 'postgres') {
        scratch = await createScratchPgDatabase('gs_cli_ingest');
        env.DATABASE_URL = scratch.url;
      }
      const rt = await openRuntime(
        loadConfig(
          {},
          {
            env: 'test',
            logLevel: 'silent',
            demo: 'off',
            dataDir: env.GONGSHU_DATA_DIR,
            ...(scratch ? { databaseUrl: scratch.url } : {}),
          },
        ),
      );
      try {
        const ctx = systemContext('cli-ingest-test');
        const gaj = await rt.auth.createOrgAsSystem(ctx, { code: 'gaj', name: '公安分局', kind: 'vertical' });
        const mzj = await rt.auth.createOrgAsSystem(ctx, { code: 'mzj', name: '民政局', kind: 'bureau' });
        const center = await rt.auth.createOrgAsSystem(ctx, { code: 'center', name: '运营中心', kind: 'center' });
        await rt.auth.createUserAsSystem(ctx, {
          orgId: gaj.id,
          username: 'gaj.admin',
          displayName: '管理员',
          password: TEST_PASSWORD,
          roles: ['unit_admin'],
        });
        await rt.auth.createUserAsSystem(ctx, {
          orgId: mzj.id,
          username: 'mzj.admin',
          displayName: '管理员',
          password: TEST_PASSWORD,
          roles: ['unit_admin'],
        });
        await rt.auth.createUserAsSystem(ctx, {
          orgId: center.id,
          username: 'reviewer',
          displayName: '审核员',
          password: TEST_PASSWORD,
          roles: ['center_reviewer'],
        });
        const unit = { ...ctx, actor: await rt.auth.cliActor('gaj.admin') };
        const r = await rt.catalog.create(
          unit,
          resourceBody({
            name: '户籍人口信息',
            items: [
              itemBody('id_no', '公民身份证号码', {
                primaryKey: true,
                required: true,
                length: 18,
                piiKind: 'id_card',
                sensitivity: 'sensitive_personal',
              }),
              itemBody('person_name', '姓名', { length: 50, piiKind: 'name', sensitivity: 'personal' }),
              itemBody('gender', '性别', { length: 2 }),
              itemBody('birth_date', '出生日期', { dataType: 'date', length: null }),
              itemBody('ethnicity', '民族', { length: 20 }),
              itemBody('hukou_address', '户籍地址', { length: 200 }),
              itemBody('record_date', '登记日期', { dataType: 'date', length: null }),
            ],
          }),
        );
        await rt.catalog.submit(unit, r.id);
        await rt.catalog.review({ ...ctx, actor: await rt.auth.cliActor('reviewer') }, r.id, { decision: 'approve' });
        code = r.code;
      } finally {
        await rt.close();
      }
    });
    after(async () => {
      rmSync(env.GONGSHU_DATA_DIR!, { recursive: true, force: true });
      await scratch?.drop();
    });

    it('loads a GBK CSV as one batch, names rejected rows, and refuses bad arguments', () => {
      const dir = env.GONGSHU_DATA_DIR!;
      const good = (i: number) => residentId('1985-01-01', 100 + i);
      const wrong = good(3).slice(0, 17) + (good(3)[17] === '0' ? '1' : '0');
      const text = [
        '公民身份证号码,姓名,性别,出生日期,民族,户籍地址,登记日期',
        `${good(1)},马文,男,1985-01-01,回族,金凤区北京中路1号,2020/5/6`,
        `${good(2)},李娜,女,1985年1月1日,汉族,金凤区黄河东路2号,20200507`,
        `${wrong},错号,男,1985-01-01,汉族,x,2020-05-08`,
      ].join('\r\n');
      writeFileSync(path.join(dir, 'hukou.csv'), gb18030(text));
      const r = run(['ingest', '--resource', code, '--as', 'gaj.admin', path.join(dir, 'hukou.csv')], env);
      assert.equal(r.code, 3, r.out + r.err);
      assert.match(r.out, /3 rows read, 2 loaded, 1 rejected/);
      assert.match(r.out, /第 3 条数据（文件第 4 行） \/ data row 3 \(line 4 of the file\): .*GB 11643/);
      const again = run(
        ['ingest', '--resource', code, '--as', 'gaj.admin', '--mode', 'append', path.join(dir, 'hukou.csv')],
        env,
      );
      assert.match(again.out, /0 loaded, 3 rejected/);
      assert.equal(again.code, 4, 'nothing loaded: exit 4');
      for (const [args, msg] of [
        [['ingest', '--as', 'gaj.admin', 'x.csv'], /--resource CODE is required/],
        [['ingest', '--resource', code, 'x.csv'], /--as USERNAME is required/],
        [['ingest', '--resource', code, '--as', 'gaj.admin', '--mode', 'merge', 'x.csv'], /--mode must be/],
        [['ingest', '--resource', code, '--as', 'gaj.admin', path.join(dir, 'missing.csv')], /no such file/],
        [['ingest', '--resource', code, '--as', 'nobody', path.join(dir, 'hukou.csv')], /No active user named nobody/],
        [['ingest', '--resource', code, '--as', 'mzj.admin', path.join(dir, 'hukou.csv')], /may not/],
      ] as [string[], RegExp][]) {
        const x = run(args, env);
        assert.equal(x.code, 2, `${args.join(' ')}: ${x.out} ${x.err}`);
        assert.match(x.err, msg);
      }
    });
  });
}
