// Ingest in a real browser: a unit admin uploads a CSV with a few bad rows, sees the progress and the
// batch report, downloads the rejected rows, fixes and re-uploads them, and browses the data.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, it } from 'node:test';
import { describeEachDb } from '../../packages/server/src/testing/test-env.ts';
import { personCsv, personResource, publish, residentId } from '../../packages/server/src/testing/ingest-fixtures.ts';
import { listen, noBrowser, openConsole, pick, useBrowser } from './browser.ts';

const browser = useBrowser();

describeEachDb('ingest in the browser', (env) => {
  let base = '';
  before(async () => {
    base = await listen(env().app);
  });

  it(
    'upload with bad rows → report → download rejected → fix and re-upload → browse',
    { skip: noBrowser },
    async () => {
      const org = await env().makeOrg({ kind: 'bureau', name: '金凤区民政局（浏览器测试）' });
      const admin = await env().as('unit_admin', org.id);
      const reviewer = await env().as('center_reviewer');
      const res = await publish(admin, reviewer, personResource());

      // 40 rows, 3 of them bad: a wrong check digit, a value outside the value set, an impossible date
      const lines = personCsv(40).split('\r\n');
      lines[5] = lines[5]!.replace(/^\d{17}[\dX]/, '640106199001011234');
      lines[9] = lines[9]!.replace(/,(A|B|C)类,/, ',Z类,');
      lines[20] = lines[20]!.replace(/2024年\d+月\d+日/, '2024年13月1日');
      const file = { name: '低保对象.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\r\n')) };

      const { ctx, page, errors } = await openConsole(browser(), base, admin.username, { acceptDownloads: true });
      await page.getByTestId('main-nav').getByText('数据归集').click();
      await page.getByTestId('ingest-overview').getByText('低保救助对象信息').click();
      await page.getByRole('tab', { name: '数据' }).click();

      // upload: the progress shows, then the report with 37 accepted and 3 rejected
      const chooser = page.waitForEvent('filechooser');
      await page.getByTestId('ingest-upload').click();
      await (await chooser).setFiles(file);
      await page.getByTestId('batch-report').waitFor();
      assert.equal(await page.getByTestId('report-accepted').textContent(), '37');
      assert.equal(await page.getByTestId('report-rejected').textContent(), '3');
      await page.getByTestId('batch-report').getByText('GB 11643').waitFor();

      // download the rejected rows; fix them; upload the fixed file
      const download = page.waitForEvent('download');
      await page.getByTestId('download-rejected').click();
      const rejectedPath = await (await download).path();
      const rejected = readFileSync(rejectedPath, 'utf8')
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
      assert.equal(rejected.length, 4);
      assert.match(rejected[0]!, /_错误原因$/);
      const fixed = [
        rejected[0]!,
        ...rejected
          .slice(1)
          .map((l) =>
            l
              .replace('640106199001011234', residentId('1990-01-01', 999))
              .replace('Z类', 'A类')
              .replace('2024年13月1日', '2024年12月1日'),
          ),
      ].join('\r\n');
      await page.getByRole('button', { name: /OK|确\s*定/ }).click();
      const chooser2 = page.waitForEvent('filechooser');
      await page.getByTestId('ingest-upload').click();
      await (await chooser2).setFiles({ name: '低保对象-修正.csv', mimeType: 'text/csv', buffer: Buffer.from(fixed) });
      await page.getByTestId('batch-report').waitFor();
      assert.equal(await page.getByTestId('report-accepted').textContent(), '3');
      assert.equal(await page.getByTestId('report-rejected').textContent(), '0');
      await page.getByRole('button', { name: /OK|确\s*定/ }).click();
      await page.getByTestId('row-count').getByText('40').waitFor();
      assert.equal(await page.getByTestId('batch-history').locator('tbody tr').count(), 2);

      // browse: personal data is masked by default; the owner's data officer may switch to raw, and filters by name
      await page.getByTestId('data-browser').getByText('张**').first().waitFor();
      await page.getByTestId('raw-switch').click();
      await pick(page, 'filter-item', '姓名（name）');
      await page.getByTestId('filter-value').fill('张伟');
      await page.getByTestId('filter-apply').click();
      await page.getByTestId('data-browser').getByText('张伟35', { exact: true }).waitFor();
      await page.getByTestId('data-browser').getByText('张伟5', { exact: true }).waitFor();
      assert.equal(await page.getByTestId('data-browser').getByText('张芳1', { exact: true }).count(), 0);
      assert.deepEqual(errors, []);

      const info = (await admin.get(`/api/ingest/resources/${res.id}`)).json;
      assert.equal(info.rowCount, 40);
      await ctx.close();
    },
  );
});
