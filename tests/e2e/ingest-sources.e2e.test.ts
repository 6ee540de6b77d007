// Ingest's other console surfaces in a real browser: a unit admin adds a scheduled pull from a paged HTTP
// JSON API and runs it (the batch report and the row count follow); a Center reviewer runs the §16
// one-data-one-source comparison and sees the disagreeing values by resource and unit.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describeEachDb, type Client } from '../../packages/server/src/testing/test-env.ts';
import { itemBody, resourceBody } from '../../packages/server/src/testing/catalog-fixtures.ts';
import {
  personResource,
  publish,
  residentId,
  servePeopleApi,
} from '../../packages/server/src/testing/ingest-fixtures.ts';
import { listen, noBrowser, openConsole, pick, useBrowser } from './browser.ts';

const browser = useBrowser();

describeEachDb('ingest sources in the browser', (env) => {
  let base = '';
  let http: { base: string; close(): Promise<void> };
  let api = '';
  before(async () => {
    base = await listen(env().app);
    // a unit system's paged JSON API: 5 people, 2 per page, under data.list, behind an API key
    http = await servePeopleApi('k-789', '1963-03-03');
    api = `${http.base}/api/people`;
  });
  after(async () => {
    await http.close();
  });

  it(
    'a unit admin adds a pull from an HTTP API, runs it, and sees the batch and the rows',
    { skip: noBrowser },
    async () => {
      const org = await env().makeOrg({ kind: 'bureau', name: '金凤区民政局（抽取浏览器测试）' });
      const admin = await env().as('unit_admin', org.id);
      const reviewer = await env().as('center_reviewer');
      const res = await publish(admin, reviewer, personResource());

      const { ctx, page, errors } = await openConsole(browser(), base, admin.username);
      await page.getByTestId('main-nav').getByText('数据归集').click();
      await page.getByTestId('ingest-overview').getByText('低保救助对象信息').click();
      await page.getByRole('tab', { name: '数据' }).click();

      await page.getByTestId('pull-add').click();
      const dialog = page.getByRole('dialog');
      await pick(page, 'pull-kind', 'HTTP JSON API');
      await dialog.locator('#name').fill('低保业务系统接口');
      await dialog.locator('#url').fill(api);
      await dialog.locator('#itemsPath').fill('data.list');
      await dialog.locator('#pageParam').fill('page');
      await dialog.locator('#pageSizeParam').fill('size');
      await dialog.locator('#pageSize').fill('2');
      await dialog.locator('#authHeader').fill('x-api-key');
      await dialog.locator('#secret').fill('k-789');
      await dialog.getByRole('button', { name: /OK|确\s*定/ }).click();
      await page.getByTestId('pull-sources').getByText('低保业务系统接口').waitFor();

      await page.getByTestId('pull-sources').getByTestId('pull-run').click();
      await page.getByTestId('batch-report').waitFor();
      assert.equal(await page.getByTestId('report-accepted').textContent(), '5');
      await page.getByRole('button', { name: /OK|确\s*定/ }).click();
      await page.getByTestId('row-count').getByText('5').waitFor();
      await page.getByTestId('pull-sources').getByText('已完成').waitFor();
      assert.deepEqual(errors, []);

      // the secret was sealed, never sent back
      const sources = (await admin.get(`/api/ingest/resources/${res.id}/pull-sources`)).json;
      assert.equal(sources[0].hasSecret, true);
      assert.ok(!JSON.stringify(sources).includes('k-789'));
      await ctx.close();
    },
  );

  it(
    'a Center reviewer runs the one-source comparison and sees the conflicts by resource and unit',
    { skip: noBrowser },
    async () => {
      const gaj = await env().makeOrg({ name: '公安分局（比对浏览器测试）' });
      const mzj = await env().makeOrg({ name: '民政局（比对浏览器测试）' });
      const police = await env().as('unit_admin', gaj.id);
      const civil = await env().as('unit_admin', mzj.id);
      const reviewer = await env().as('center_reviewer');
      const src = await publish(
        police,
        reviewer,
        resourceBody({
          name: '户籍人口（比对源）',
          updateCycle: 'daily',
          items: [
            itemBody('id_no', '公民身份号码', {
              primaryKey: true,
              required: true,
              length: 18,
              piiKind: 'id_card',
              sensitivity: 'sensitive_personal',
            }),
            itemBody('person_name', '姓名', { length: 30, piiKind: 'name', sensitivity: 'personal' }),
          ],
        }),
      );
      const holder = await publish(
        civil,
        reviewer,
        resourceBody({
          name: '高龄津贴对象（比对）',
          updateCycle: 'monthly',
          items: [
            itemBody('sfzh', '公民身份号码', {
              primaryKey: true,
              required: true,
              length: 18,
              piiKind: 'id_card',
              sensitivity: 'sensitive_personal',
              sourceResourceCode: src.code,
              sourceItemCode: 'id_no',
            }),
            itemBody('xm', '姓名', {
              length: 30,
              piiKind: 'name',
              sensitivity: 'personal',
              sourceResourceCode: src.code,
              sourceItemCode: 'person_name',
            }),
          ],
        }),
      );
      const ids = [0, 1].map((i) => residentId('1940-04-04', i));
      const push = async (c: Client, id: string, rows: unknown[]) =>
        assert.equal((await c.post(`/api/ingest/resources/${id}/rows`, rows)).json.batch.rejected, 0);
      await push(
        police,
        src.id,
        ids.map((id, i) => ({ id_no: id, person_name: `杨${i}` })),
      );
      await push(civil, holder.id, [
        { sfzh: ids[0], xm: '杨0' },
        { sfzh: ids[1], xm: '杨壹' },
      ]);

      const { ctx, page, errors } = await openConsole(browser(), base, reviewer.username);
      await page.getByTestId('main-nav').getByText('数据归集').click();
      await page.getByRole('tab', { name: '一数一源比对' }).click();
      await page.getByTestId('conflicts-run').click();
      const row = page.getByTestId('conflicts-by-resource').locator('tr', { hasText: '高龄津贴对象（比对）' });
      await row.waitFor();
      assert.match(
        await row.innerText(),
        /民政局（比对浏览器测试）[\s\S]*xm[\s\S]*户籍人口（比对源）（公安分局（比对浏览器测试））[\s\S]*1/,
      );
      await page.getByText('杨壹').first().waitFor();
      assert.deepEqual(errors, []);
      await ctx.close();
    },
  );
});
