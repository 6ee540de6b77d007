// File export and leak tracing in a real browser, on both databases: unit B's user exports the grant's data from
// the grant page (a CSV, masked and fingerprinted) and sees it in the grant's exports; a tenth of that file,
// reordered, with columns dropped and saved as GBK, is uploaded on the Center's leak-trace page, which names
// unit B, the user and the time.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, it } from 'node:test';
import iconv from 'iconv-lite';
import { describeEachDb, TEST_PASSWORD } from '../../packages/server/src/testing/test-env.ts';
import { grantedCase, ownerResource, sharingWorld } from '../../packages/server/src/testing/sharing-fixtures.ts';
import { listen, login, logout, noBrowser, openConsole, useBrowser } from './browser.ts';

const browser = useBrowser();
const nameOf = (c: unknown) => (c as { username: string }).username;

describeEachDb('export and leak tracing in the browser', (env) => {
  let base = '';
  before(async () => {
    base = await listen(env().app);
  });

  it(
    'B\u2019s user exports a CSV from the grant page → a tenth of it, in GBK, is traced to B, the user and the time',
    { skip: noBrowser },
    async () => {
      const w = await sharingWorld(env());
      const res = await ownerResource(w, { shareMethods: ['api', 'file'] }, 60);
      const { grantId } = await grantedCase(w, res.id, { apply: { methods: ['api', 'file'] } });
      const { ctx, page, errors } = await openConsole(browser(), base, nameOf(w.consumerUser), {
        acceptDownloads: true,
      });
      await page.goto(`${base}/sharing/grants/${grantId}`);
      await page.getByTestId('export-list').getByText('还没有导出过文件').waitFor();
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-run').click()]);
      assert.match(download.suggestedFilename(), /低保救助对象信息-\d{4}-\d{2}-\d{2}-[0-9a-f]{8}\.csv/);
      const file = readFileSync((await download.path())!, 'utf8');
      assert.ok(file.startsWith('\uFEFF'));
      // the grant's exports list it, with who exported it
      await page.getByTestId('export-list').getByText('已完成').waitFor();
      const listed = await page.getByTestId('export-list').innerText();
      assert.match(listed, /60/);

      const [header, ...rows] = file
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
      const cols = header!.split(',');
      const keep = ['联系电话', '公民身份号码'].map((c) => cols.indexOf(c));
      assert.ok(
        keep.every((i) => i >= 0),
        header,
      );
      const tenth = rows.filter((_, i) => i % 10 === 3).reverse();
      const leaked = [
        keep.map((i) => cols[i]).join(','),
        ...tenth.map((r) => keep.map((i) => r.split(',')[i]).join(',')),
      ];
      const dir = mkdtempSync(path.join(tmpdir(), 'gs-leak-'));
      const leakFile = path.join(dir, '外发名单.csv');
      writeFileSync(leakFile, iconv.encode(leaked.join('\r\n'), 'gbk'));
      await logout(page);

      // the Center's reviewer uploads it on the leak-trace page
      await login(page, base, nameOf(w.reviewer), TEST_PASSWORD);
      await page.goto(`${base}/sharing?tab=trace`);
      await page.locator('input[type=file]').setInputFiles(leakFile);
      await page.getByTestId('trace-verdict').getByText('已查明来源').waitFor();
      const consumer = await page.getByTestId('trace-consumer').innerText();
      assert.match(consumer, /长城中路街道/);
      const result = await page.getByTestId('trace-result').innerText();
      assert.match(result, /导出人/);
      assert.match(result, /\d+\/\d+ 位吻合/);
      // in English the verdict reads in words too
      await page.getByTestId('lang-switch').getByText('EN').click();
      await page.getByTestId('trace-verdict').getByText('Source named').waitFor();
      assert.deepEqual(errors, [], errors.join('\n'));
      await ctx.close();
    },
  );
});
