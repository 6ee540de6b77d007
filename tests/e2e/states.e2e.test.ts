// What a page says when it cannot show what was asked: every page's data refused (403) or failing (500) shows the
// reason in words where the data would be; a missing object, an unknown address and a page the user's roles do not
// open each get their own page with a way back; an empty list says it is empty. Never a blank card, never a toast
// alone, never a silent landing on the home page.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { Page } from 'playwright-core';
import {
  describeEachDb,
  randomUUID,
  TEST_PASSWORD,
  TEST_TOTP_SECRET,
} from '../../packages/server/src/testing/test-env.ts';
import { listen, login, noBrowser, useBrowser } from './browser.ts';

const browser = useBrowser();
// every page of the console (the Center admin sees them all), with an object page
const PAGES = [
  '/',
  '/catalog',
  '/mycatalog',
  '/review',
  '/lists',
  '/plans',
  '/ingest',
  '/catalog-settings',
  '/orgs',
  '/users',
  '/credentials',
  '/audit',
  '/calendar',
  '/policy',
  '/jobs',
];

/** Every data request of the page (not the session, not the page's code) answers with `status`. */
async function failData(page: Page, status: number) {
  await page.route(
    (url) => url.pathname.startsWith('/api/') && !url.pathname.startsWith('/api/auth/'),
    (route) =>
      route.fulfill({
        status,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          type: 'about:blank',
          title: 'refused',
          status,
          code: status === 403 ? 'auth.forbidden' : 'server.error',
          message:
            status === 403
              ? { zh: '无权执行此操作：测试拒绝', en: 'You may not do this: refused by the test' }
              : { zh: '服务器内部错误', en: 'Internal server error' },
        }),
      }),
  );
}

describeEachDb('what a page says when it cannot show its data', (env) => {
  let base = '';
  before(async () => {
    base = await listen(env().app);
  });

  it(
    'every page shows a refusal (403) or a failure (500) of its data in words, with a way on',
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
      const silent: string[] = [];
      // every page with its data refused; three with their data failing (one component shows both)
      const sweeps: [number, string[]][] = [
        [403, [...PAGES, `/catalog/${randomUUID()}`]],
        [500, ['/', '/catalog', `/catalog/${randomUUID()}`]],
      ];
      for (const [status, paths] of sweeps) {
        await failData(page, status);
        // from the account page (it loads nothing), so the first page of the sweep is entered, not already shown
        await page.goto(base + '/account');
        await page.getByTestId('page-heading').waitFor();
        for (const path of paths) {
          // within the app, as the menu does (no reload of the console's code for every page)
          await page.evaluate((p) => {
            window.history.pushState({}, '', p);
            window.dispatchEvent(new PopStateEvent('popstate'));
          }, path);
          await page.waitForURL(base + path);
          // the page's own (the code tables' failure shows above every page, and stays)
          const shown = page.getByTestId('page-content').getByTestId('load-error').first();
          try {
            await shown.waitFor({ timeout: 10_000 });
          } catch {
            silent.push(`${status} ${path}`);
            continue;
          }
          const text = await shown.innerText();
          if (status === 403) assert.match(text, /无权查看[\s\S]*测试拒绝/, `${path}: ${text}`);
          else assert.match(text, /加载失败[\s\S]*服务器内部错误/, `${path}: ${text}`);
        }
        await page.unrouteAll();
      }
      assert.deepEqual(silent, [], 'pages that showed nothing where their data failed');
      // a failure the user can retry: the retry button loads again, and the page shows its data once it works
      await failData(page, 500);
      await page.goto(base + '/orgs');
      await page.getByTestId('load-error').waitFor();
      await page.unrouteAll();
      await page.getByTestId('load-error').getByTestId('state-retry').click();
      await page.getByRole('cell', { name: '测试运营中心' }).waitFor();
      assert.equal(await page.getByTestId('load-error').count(), 0);
      assert.deepEqual(errors, []);
      await ctx.close();
    },
  );

  it(
    'a missing object, an unknown address and a forbidden page each say so, in the user language, with a way back',
    { skip: noBrowser },
    async () => {
      const reviewer = await env().makeUser({ orgId: env().centerOrgId, roles: ['center_reviewer'] });
      const ctx = await browser().newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await login(page, base, reviewer.username, TEST_PASSWORD);

      // a resource that does not exist: the server's 404 in words, not a code, and one message only
      const missing = randomUUID();
      await page.goto(`${base}/catalog/${missing}`);
      const notFound = page.getByTestId('load-error');
      await notFound.waitFor();
      assert.equal(await notFound.getAttribute('data-kind'), 'notFound');
      const text = await notFound.innerText();
      assert.match(text, new RegExp(`未找到该数据资源（${missing}）`));
      assert.doesNotMatch(text, /resource/, 'no code word in the Chinese message');
      assert.equal(await page.locator('.ant-message-notice').count(), 0, 'no toast besides the page');
      await notFound.getByTestId('state-home').click();
      await page.waitForURL(`${base}/`);

      // an address no page answers
      await page.goto(`${base}/no-such-page`);
      await page.getByTestId('page-not-found').waitFor();
      assert.equal(await page.getByTestId('page-heading').innerText(), '没有这个页面');
      assert.equal(new URL(page.url()).pathname, '/no-such-page', 'the address stays as typed');

      // a page the reviewer's role does not open
      await page.goto(`${base}/audit`);
      await page.getByTestId('page-forbidden').waitFor();
      await page.getByText('无权访问此页面').waitFor();
      assert.equal(new URL(page.url()).pathname, '/audit');

      // the same in English, and the page's language follows the switch
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
      await page.getByTestId('lang-switch').getByText('EN').click();
      await page.getByText('You may not open this page').waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
      await page.goto(`${base}/catalog/${missing}`);
      await page.getByText(`No resource ${missing}`).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en', 'after a reload too');
      assert.deepEqual(errors, []);
      await ctx.close();
    },
  );

  it('an empty list says it is empty; the menu marks the page you are on', { skip: noBrowser }, async () => {
    const org = await env().makeOrg({ kind: 'bureau' });
    const user = await env().makeUser({ orgId: org.id, roles: ['unit_admin'] });
    const ctx = await browser().newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    const page = await ctx.newPage();
    await login(page, base, user.username, TEST_PASSWORD);
    await page.goto(`${base}/mycatalog`);
    await page.getByTestId('state-empty').getByText('本单位还没有编制目录').waitFor();
    const selected = async () =>
      (await page.getByTestId('main-nav').locator('.ant-menu-item-selected').innerText()).trim();
    assert.equal(await selected(), '本单位目录');
    await page.goto(`${base}/catalog-settings`);
    await page.getByTestId('main-nav').waitFor();
    assert.equal(await selected(), '信息系统与代码表', '/catalog-settings is not the district catalog');
    await page.goto(`${base}/catalog/${randomUUID()}?from=ingest`);
    await page.getByTestId('load-error').waitFor();
    assert.equal(await selected(), '数据归集', 'an object opened from a list marks that list');
    await ctx.close();
  });
});
