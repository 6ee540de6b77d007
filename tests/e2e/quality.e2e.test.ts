// Quality in a real browser, on both databases: the owner defines a rule in the rule editor and runs it; a consumer
// reports wrong rows from the data its grant gives it; the Center assigns the ticket to the owner with the rule to
// verify by; the owner uploads the corrected rows and states the fix; the rule verifies the reported rows and the
// ticket closes — with every step on its timeline.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { describeEachDb, TEST_PASSWORD } from '../../packages/server/src/testing/test-env.ts';
import {
  grantedCase,
  ownerResource,
  sharingWorld,
  type SharingWorld,
} from '../../packages/server/src/testing/sharing-fixtures.ts';
import { personCsv } from '../../packages/server/src/testing/ingest-fixtures.ts';
import { listen, login, logout, noBrowser, openConsole, pick, useBrowser } from './browser.ts';

const browser = useBrowser();
const nameOf = (c: SharingWorld['owner']) => (c as unknown as { username: string }).username;

describeEachDb('quality in the browser', (env) => {
  let base = '';
  before(async () => {
    base = await listen(env().app);
  });

  it(
    'a consumer reports wrong rows from its data → the Center assigns with a rule → the owner uploads the fix → the rule verifies → closed',
    { skip: noBrowser },
    async () => {
      const w = await sharingWorld(env());
      const resName = '低保救助对象（质量演练）';
      const res = await ownerResource(w, { name: resName }, 12);
      const { grantId } = await grantedCase(w, res.id);
      const { ctx, page, errors } = await openConsole(browser(), base, nameOf(w.owner));

      // the owner: households of more than five are wrong in this list — a rule, made in the editor and run
      await page.getByTestId('main-nav').getByText('数据质量').click();
      await page.getByText('质量规则', { exact: true }).click();
      await page.getByTestId('rule-new').click();
      await page.getByTestId('rule-resource').click();
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: resName }).click();
      await pick(page, 'rule-kind', '有效性');
      await pick(page, 'rule-check', '取值范围');
      await page.getByTestId('rule-items').click();
      await page
        .locator('.ant-select-dropdown:visible .ant-select-item-option')
        .filter({ hasText: '家庭人口数' })
        .click();
      await page.getByTestId('rule-min').fill('1');
      await page.getByTestId('rule-max').fill('5');
      await page.getByTestId('rule-name').fill('家庭人口数不超过5人');
      await page.getByTestId('rule-ok').click();
      await page.getByTestId('rule-run').click();
      await page.getByTestId('run-outcome').getByText('不通过').first().waitFor();
      await logout(page);

      // the consumer: in the grant's data, the households of six are ticked and reported
      await login(page, base, nameOf(w.consumer), TEST_PASSWORD);
      await page.goto(`${base}/sharing/grants/${grantId}`);
      const table = page.getByTestId('grant-data-table');
      await table.locator('tbody tr.ant-table-row').first().waitFor();
      const headers = await table.locator('thead th').allInnerTexts();
      const col = headers.findIndex((h) => h.startsWith('家庭人口数'));
      assert.ok(col > 0, headers.join('|'));
      const rows = table.locator('tbody tr.ant-table-row');
      let ticked = 0;
      for (let i = 0; i < (await rows.count()); i++) {
        const cell = (await rows.nth(i).locator('td').nth(col).innerText()).trim();
        if (cell === '6') {
          await rows.nth(i).locator('input[type="checkbox"]').check();
          ticked++;
        }
      }
      assert.equal(ticked, 2);
      await page.getByTestId('grant-report').click();
      await page.getByTestId('report-description').fill('入户核查发现这两户家庭人口数为5人，名单中为6人');
      await page.getByTestId('report-ok').click();
      await page.getByTestId('ticket-status').getByText('待运营中心分派').waitFor();
      const ticketPath = new URL(page.url()).pathname;
      await logout(page);

      // the Center: from its inbox, accepts and names the rule that will verify the reported rows
      await login(page, base, nameOf(w.reviewer), TEST_PASSWORD);
      await page.getByTestId('main-nav').getByText('数据质量').click();
      await page.getByTestId('qinbox-center').click();
      await page.locator(`a[href="${ticketPath}"]`).click();
      await page.getByTestId('ticket-triage').click();
      await pick(page, 'triage-rule', '家庭人口数不超过5人');
      await page.getByTestId('step-ok').click();
      await page.getByTestId('ticket-status').getByText('待责任单位处理').waitFor();
      await logout(page);

      // the owner uploads the corrected rows, then states the fix naming that batch
      const keys = (await w.owner.get(`/api/quality/tickets${ticketPath.slice('/quality/tickets'.length)}`)).json
        .keys as string[];
      assert.equal(keys.length, 2);
      const lines = personCsv(12).trim().split('\r\n');
      const corrected = [
        lines[0]!,
        ...lines
          .filter((l) => keys.includes(l.split(',')[0]!))
          .map((l) => {
            const c = l.split(',');
            c[4] = '5';
            return c.join(',');
          }),
      ];
      const up = await w.owner.req(
        'POST',
        `/api/ingest/resources/${res.id}/upload?mode=upsert&fileName=${encodeURIComponent('更正家庭人口数.csv')}`,
        corrected.join('\r\n') + '\r\n',
        { 'content-type': 'text/csv' },
      );
      assert.equal(up.json.batch.accepted, 2, up.body);
      await login(page, base, nameOf(w.owner), TEST_PASSWORD);
      await page.goto(`${base}${ticketPath}`);
      await page.getByTestId('ticket-fix').click();
      await page.getByTestId('fix-note').fill('已入户核实，更正为5人');
      await page.getByTestId('fix-batch').click();
      await page
        .locator('.ant-select-dropdown:visible .ant-select-item-option')
        .filter({ hasText: '入库 2 行' })
        .first()
        .click();
      await page.getByTestId('step-ok').click();
      // the rule checks the two rows: both pass, the ticket closes
      await page.getByTestId('ticket-status').getByText('已办结').waitFor();
      const timeline = await page.getByTestId('ticket-event').allInnerTexts();
      assert.ok(
        timeline.some((x) => x.includes('校验通过，办结') && x.includes('全部通过')),
        timeline.join('\n'),
      );
      assert.deepEqual(errors, [], errors.join('\n'));
      await ctx.close();
    },
  );
});
