// Sharing in a real browser, on both databases: unit B applies for unit A's conditional resource, the Center
// reviews it, A consents, B's information system queries the grant over the API and gets masked rows, and the
// Center sees the call: in the grant's use of the day, in the usage charts and in the audit log.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { describeEachDb, TEST_PASSWORD, TEST_TOTP_SECRET } from '../../packages/server/src/testing/test-env.ts';
import { ownerResource, sharingWorld, type SharingWorld } from '../../packages/server/src/testing/sharing-fixtures.ts';
import { personCsv } from '../../packages/server/src/testing/ingest-fixtures.ts';
import { listen, login, logout, noBrowser, openConsole, pick, useBrowser } from './browser.ts';

const browser = useBrowser();
const nameOf = (c: SharingWorld['owner']) => (c as unknown as { username: string }).username;

describeEachDb('sharing in the browser', (env) => {
  let base = '';
  before(async () => {
    base = await listen(env().app);
  });

  it(
    'B applies for A\u2019s conditional resource → the Center reviews → A consents → B\u2019s system queries it masked → the Center sees the call',
    { skip: noBrowser },
    async () => {
      const w = await sharingWorld(env());
      const res = await ownerResource(w, {}, 10);
      const { ctx, page, errors } = await openConsole(browser(), base, nameOf(w.consumer));

      // B applies from the resource's page: items with their share types, the commitment accepted
      await page.goto(`${base}/catalog/${res.id}`);
      await page.getByTestId('res-apply').click();
      await page.getByTestId('apply-items').getByText('有条件共享').first().waitFor();
      await page.getByTestId('apply-purpose').fill('核查辖区低保对象家庭情况');
      await page.getByTestId('apply-process').fill('网格员入户核查，结果录入网格化服务管理系统');
      await page.getByTestId('apply-scenario').fill('低保动态管理');
      await page.getByTestId('apply-basis').fill('《社会救助暂行办法》第十一条');
      await pick(page, 'apply-system', w.systemName);
      // without the commitment the form says what is missing
      await page.getByTestId('apply-submit').click();
      await page.getByText('须接受数据使用承诺方可提交').waitFor();
      await page.getByTestId('apply-accept').check();
      await page.getByTestId('apply-submit').click();
      await page.getByTestId('case-no').waitFor();
      await page.getByTestId('share-status').getByText('待运营中心审核').waitFor();
      const caseUrl = page.url();
      const caseNo = (await page.getByTestId('case-no').innerText()).trim();
      await logout(page);

      // the Center finds it in its inbox and passes it to the owner
      await login(page, base, nameOf(w.reviewer), TEST_PASSWORD);
      await page.getByTestId('main-nav').getByText('数据共享').click();
      await page.getByTestId('inbox-center').click();
      await page.locator(`a[href="${new URL(caseUrl).pathname}"]`).click();
      await page.getByTestId('case-review').click();
      await page.getByTestId('step-comment').fill('用途明确，转提供单位答复');
      await page.getByTestId('step-ok').click();
      await page.getByTestId('share-status').getByText('待提供单位答复').waitFor();
      await logout(page);

      // the owner's bell says the case waits for it; from there it consents with the default masking
      await login(page, base, nameOf(w.owner), TEST_PASSWORD);
      await page.getByTestId('notice-count').locator('.ant-badge-count').waitFor();
      await page.getByTestId('notice-bell').click();
      await page
        .getByTestId('notice-list')
        .getByText(new RegExp(`${caseNo}.*等待本单位办理`))
        .click();
      await page.getByTestId('case-no').getByText(caseNo).waitFor();
      await page.getByTestId('case-answer').click();
      await page.getByTestId('step-ok').click();
      await page.getByTestId('share-status').getByText('已授权').waitFor();
      await page.getByTestId('case-grant').click();
      await page.getByTestId('grant-state').getByText('有效').waitFor();
      // the owner previews what the consumer will see: masked
      await page.getByTestId('grant-preview').click();
      await page.getByTestId('grant-preview-table').waitFor();
      const preview = await page.getByTestId('grant-preview-table').innerText();
      const grantId = page.url().split('/').pop()!.split('?')[0]!;
      await logout(page);

      // B's system queries the grant with its credential: masked rows, no stored ID number or mobile in clear
      const raw = personCsv(10);
      const rawIds = raw
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[0]!)
        .filter(Boolean);
      assert.equal(rawIds.length, 10);
      const rows = await w.system.get(`/api/share/grants/${grantId}/rows?limit=10`);
      assert.equal(rows.status, 200, rows.body);
      assert.equal(rows.json.rows.length, 10);
      for (const r of rows.json.rows as Record<string, string>[]) {
        assert.ok(!rawIds.includes(r.id_no!), `the ID number leaves masked: ${r.id_no}`);
        assert.doesNotMatch(String(r.mobile), /^139\d{8}$/, 'the mobile number leaves masked');
      }
      for (const id of rawIds) assert.ok(!preview.includes(id), `the preview shows no ID number in clear: ${preview}`);

      // the Center admin sees the call: in the grant's use of the day and in the audit log
      // (a Center admin of its own: the world's one has used this half-minute's code, and a code is used once)
      const admin = await env().makeUser({
        orgId: env().centerOrgId,
        roles: ['center_admin'],
        totpSecret: TEST_TOTP_SECRET,
      });
      await login(page, base, admin.username, TEST_PASSWORD, TEST_TOTP_SECRET);
      await page.goto(`${base}/sharing/grants/${grantId}`);
      await page.getByTestId('grant-today').getByText('调用 1 次').waitFor();
      await page.getByTestId('grant-today').getByText('返回 10 行').waitFor();
      // … in the usage charts (and the figures beside them)
      await page.goto(`${base}/sharing?tab=usage`);
      await page.getByTestId('usage-daily').locator('canvas').waitFor();
      await page
        .getByTestId('usage-byConsumer')
        .getByText(/长城中路街道/)
        .waitFor();
      const byConsumer = await page.getByTestId('usage-byConsumer').innerText();
      assert.match(byConsumer, /长城中路街道\d+\s+1\s+10\s+0/, byConsumer);
      await page.getByTestId('main-nav').getByText('审计日志').click();
      await page.getByTestId('audit-table').getByText('共享数据查询').first().waitFor();
      assert.deepEqual(errors, [], errors.join('\n'));
      await ctx.close();
    },
  );
});
