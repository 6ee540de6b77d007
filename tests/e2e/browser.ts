// Shared by the browser tests: Debian's chromium through playwright-core, the built console, log-in steps.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { totpNow } from '../../packages/server/src/domains/auth/index.ts';
import { TEST_PASSWORD } from '../../packages/server/src/testing/test-env.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ci = process.env.CI === 'true' || process.env.CI === '1';
const root = path.resolve(import.meta.dirname, '../..');

export const noBrowser: string | false = !existsSync(CHROMIUM)
  ? `no browser at ${CHROMIUM} (apt-get install chromium)`
  : false;
if (noBrowser && ci) throw new Error(`CI=true and ${noBrowser}`);

/** Builds the console once if it is not built yet. */
export function ensureConsoleBuilt() {
  if (existsSync(path.join(root, 'packages/web/dist/index.html'))) return;
  const r = spawnSync('npm', ['run', 'build', '-w', '@gongshu/web'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('the console build failed');
}

export async function launch(): Promise<Browser | undefined> {
  if (noBrowser) return undefined;
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function login(page: Page, base: string, username: string, password: string, totpSecret?: string) {
  await page.goto(base + '/');
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  if (totpSecret) {
    await page.getByTestId('totp-code').fill(totpNow(totpSecret));
    await page.getByTestId('totp-submit').click();
  }
  await page.getByTestId('main-nav').waitFor();
}

export async function logout(page: Page) {
  // from the top of the page: the user menu's dropdown opens under the header, where nothing covers it (after a
  // long page was scrolled, the content could take the pointer while the dropdown slides in)
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.getByTestId('user-menu').hover();
  await page.getByText(/退出登录|Log out/).click();
  await page.getByTestId('login-username').waitFor();
}

/**
 * Picks an option of an Ant Design select by its visible label, and waits until the choice shows in the select.
 * On a loaded machine a click can land while the dropdown is still sliding in and miss the option; a person
 * would click again, and so does this (three tries).
 */
export async function pick(page: Page, testId: string, title: string) {
  const select = page.getByTestId(testId);
  const chosen = page
    .locator(`[data-testid="${testId}"] [title="${title}"], [data-testid="${testId}"]:has([title="${title}"])`)
    .first();
  for (let attempt = 1; ; attempt++) {
    if (attempt === 1 || !(await page.locator('.ant-select-dropdown:visible').count())) await select.click();
    const option = page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${title}"]`);
    await option.waitFor();
    // a multiple select keeps its dropdown open: never click a chosen option again (that would unchoose it)
    if (attempt === 1 || !(await option.evaluate((el) => el.classList.contains('ant-select-item-option-selected'))))
      await option.click();
    try {
      await chosen.waitFor({ timeout: 5000 });
      return;
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
}

/**
 * A fresh browser context on the console in zh-CN, logged in as `username`; `errors` collects the page's
 * uncaught errors (a test ends by asserting there were none).
 */
export async function openConsole(
  browser: Browser,
  base: string,
  username: string,
  opts: { acceptDownloads?: boolean } = {},
) {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'zh-CN', ...opts });
  const page: Page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await login(page, base, username, TEST_PASSWORD);
  return { ctx, page, errors };
}

/** Serves the app of a test environment on a free port; returns its base URL. */
export async function listen(app: {
  listen(o: { port: number; host: string }): Promise<string>;
  server: { address(): unknown };
}): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address() as { port: number };
  return `http://127.0.0.1:${addr.port}`;
}

/** One browser for a test file: launched before its tests, closed after. */
export function useBrowser(): () => Browser {
  ensureConsoleBuilt();
  let browser: Browser | undefined;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error(noBrowser || 'the browser did not start');
    return browser;
  };
}

/**
 * Opens a page of the console already loaded in `page` the way its own links do (the router's history), not by
 * loading the console again: a page is mounted afresh (through the not-found page, so nothing of the page before
 * it stays on screen) and only its data is fetched. A walk over many pages spends its time on them, not on
 * starting the console each time.
 */
export async function go(page: Page, path: string) {
  const push = (p: string) =>
    page.evaluate((to) => {
      window.history.pushState(null, '', to);
      window.dispatchEvent(new PopStateEvent('popstate'));
    }, p);
  await push('/__walk__');
  await page.getByTestId('page-not-found').waitFor();
  await push(path);
  await page.getByTestId('page-not-found').waitFor({ state: 'detached' });
}
