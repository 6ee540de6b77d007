// The console in a real browser (Debian's chromium through playwright-core), against the real server.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { describeEachDb, TEST_PASSWORD, TEST_TOTP_SECRET } from '../../packages/server/src/testing/test-env.ts';
import { listen, login, logout, noBrowser, pick, useBrowser } from './browser.ts';

const browser = useBrowser();

describeEachDb(
  'console in the browser',
  (env) => {
    let base = '';
    before(async () => {
      base = await listen(env().app);
    });

    it(
      'Center admin creates a unit and a user; the user logs in and sees both in the audit browser',
      { skip: noBrowser },
      async () => {
        const admin = await env().makeUser({
          orgId: env().centerOrgId,
          roles: ['center_admin'],
          totpSecret: TEST_TOTP_SECRET,
        });
        const ctx = await browser().newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
        const page = await ctx.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));

        await login(page, base, admin.username, TEST_PASSWORD, TEST_TOTP_SECRET);

        // a new unit
        await page.getByTestId('main-nav').getByText('单位管理').click();
        await page.getByTestId('org-new').click();
        await page.getByTestId('org-name').fill('金凤区数据测试街道办事处');
        await page.getByTestId('org-code').fill('e2e-street');
        await pick(page, 'org-kind', '镇街');
        await page.getByTestId('org-save').click();
        await page.getByRole('cell', { name: '金凤区数据测试街道办事处' }).waitFor();

        // a user in it
        await page.getByTestId('main-nav').getByText('用户管理').click();
        await page.getByTestId('user-new').click();
        await page.getByTestId('user-org').click();
        await page.keyboard.type('金凤区数据测试');
        await page.keyboard.press('Enter');
        await page.getByTestId('user-username').fill('e2e.admin');
        await page.getByTestId('user-password').fill('Initial#2026');
        await page.getByTestId('user-displayname').fill('测试管理员');
        await pick(page, 'user-roles', '单位数据管理员');
        await page.keyboard.press('Escape');
        await page.getByTestId('user-save').click();
        await page.getByRole('cell', { name: 'e2e.admin' }).waitFor();

        // log out, log in as the new user, change the initial password
        await logout(page);
        await page.goto(base + '/');
        await page.getByTestId('login-username').fill('e2e.admin');
        await page.getByTestId('login-password').fill('Initial#2026');
        await page.getByTestId('login-submit').click();
        await page.getByTestId('pw-current').fill('Initial#2026');
        await page.getByTestId('pw-new').fill('Changed#2026');
        await page.getByTestId('pw-confirm').fill('Changed#2026');
        await page.getByTestId('pw-submit').click();
        await page.getByTestId('main-nav').waitFor();

        // the unit admin sees its own unit's trail: the unit's creation and its own account's
        await page.getByTestId('main-nav').getByText('审计日志').click();
        // in words (issue 11: actions were codes such as org.create, objects UUIDs), each object by its name
        const table = page.getByTestId('audit-table');
        await table.getByText('新建单位').first().waitFor();
        await table.getByText('新建用户').first().waitFor();
        const rows = await table.locator('tbody tr').allInnerTexts();
        assert.ok(
          rows.some(
            (r) => r.includes('新建单位') && r.includes('金凤区数据测试街道办事处') && r.includes(admin.username),
          ),
          rows.join('\n'),
        );
        assert.ok(
          rows.some((r) => r.includes('新建用户') && r.includes('e2e.admin') && r.includes(admin.username)),
          rows.join('\n'),
        );
        assert.ok(!rows.some((r) => /org\.create|user\.create/.test(r)), 'no action codes');
        // the raw record is one click away
        await table.locator('.ant-table-row-expand-icon').first().click();
        await page
          .getByTestId('audit-raw')
          .first()
          .getByText(/"action": "/)
          .waitFor();

        // the English switch
        await page.getByTestId('lang-switch').getByText('EN').click();
        await page.getByTestId('main-nav').getByText('Audit log').waitFor();
        assert.deepEqual(errors, []);
        await ctx.close();
      },
    );

    it(
      'the Center sees background jobs in words: each kind, its schedule, a job that ran',
      { skip: noBrowser },
      async () => {
        await env().app.jobs.start();
        try {
          // one job through the queue, so the list has a row: a check for due pulls, sent now
          await env().app.jobs.send('ingest.pull.check', {});
          const admin = await env().makeUser({
            orgId: env().centerOrgId,
            roles: ['center_admin'],
            totpSecret: TEST_TOTP_SECRET,
          });
          const ctx = await browser().newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
          const page = await ctx.newPage();
          const errors: string[] = [];
          page.on('pageerror', (e) => errors.push(e.message));
          await login(page, base, admin.username, TEST_PASSWORD, TEST_TOTP_SECRET);
          await page.getByTestId('main-nav').getByText('后台任务').click();
          const jobs = page.getByTestId('jobs-page');
          await jobs.getByText('一数一源比对').first().waitFor();
          await jobs.getByText('定时：0 2 * * *（Asia/Shanghai）').waitFor();
          for (let i = 0; i < 40 && !(await jobs.getByText('已完成').count()); i++) {
            await page.getByRole('button', { name: /刷新/ }).click();
            await page.waitForTimeout(500);
          }
          await jobs.locator('tbody').getByText('查找到期的定时抽取').first().waitFor();
          assert.ok(await jobs.getByText('已完成').count(), 'the job shows as done');
          assert.equal(await jobs.getByText('ingest.pull.check').count(), 0, 'no code words');
          await page.getByTestId('lang-switch').getByText('EN').click();
          await jobs.getByText('One-source comparison').first().waitFor();
          assert.deepEqual(errors, []);
          await ctx.close();
        } finally {
          await env().app.jobs.stop();
        }
      },
    );

    it('serves the console for its routes and a 404 for missing files', async () => {
      const page = await fetch(`${base}/audit`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await page.text(), /<div id="root">/);
      assert.equal((await fetch(`${base}/assets/missing.js`)).status, 404);
      const api = await fetch(`${base}/api/missing`);
      assert.equal(api.status, 404);
      assert.match(api.headers.get('content-type') ?? '', /problem\+json/);
    });

    it(
      'a page whose code cannot be loaded says so and offers a reload; the navigation keeps working',
      { skip: noBrowser },
      async () => {
        const org = await env().makeOrg({ kind: 'bureau' });
        const user = await env().makeUser({ orgId: org.id, roles: ['unit_admin'] });
        const ctx = await browser().newContext({ locale: 'zh-CN' });
        const page = await ctx.newPage();
        await login(page, base, user.username, TEST_PASSWORD);
        // as after a new release: the page's chunk is gone
        await page.route(/\/assets\/AuditPage-[^/]+\.js$/, (r) => r.fulfill({ status: 404, body: 'Not found' }));
        await page.getByTestId('main-nav').getByText('审计日志').click();
        await page.getByTestId('page-error').waitFor();
        await page.getByText('平台已更新，需要重新加载').waitFor();
        await page.getByTestId('page-reload').waitFor();
        await page.getByTestId('main-nav').getByText('首页').click();
        await page.getByTestId('page-error').waitFor({ state: 'detached' });
        await ctx.close();
      },
    );

    it('the navigation shows each role only what it may use', { skip: noBrowser }, async () => {
      const org = await env().makeOrg({ kind: 'bureau' });
      const user = await env().makeUser({ orgId: org.id, roles: ['unit_user'] });
      const ctx = await browser().newContext({ locale: 'zh-CN' });
      const page = await ctx.newPage();
      await login(page, base, user.username, TEST_PASSWORD);
      const nav = page.getByTestId('main-nav');
      const items = (await nav.locator('.ant-menu-item').allInnerTexts()).map((s) => s.trim());
      assert.deepEqual(items, [
        '首页',
        '全区目录',
        '本单位目录',
        '三个清单',
        '系统建设论证',
        '数据归集',
        '数据共享',
        '数据质量',
        '信息系统与代码表',
        '单位管理',
        '工作日历',
        '政策参数',
      ]);
      await ctx.close();
    });
  },
  {},
);
