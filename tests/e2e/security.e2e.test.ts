// Security headers in a real browser: every console page and the API docs load under the Content-Security-Policy
// with no violation, nothing can frame them, and the API answers carry the same headers. And the audit page tells a
// Center admin every record of a tampered chain.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { sql } from 'kysely';
import { describeEachDb, TEST_PASSWORD, TEST_TOTP_SECRET } from '../../packages/server/src/testing/test-env.ts';
import { personResource, publish } from '../../packages/server/src/testing/ingest-fixtures.ts';
import { go, listen, login, noBrowser, useBrowser } from './browser.ts';

const browser = useBrowser();
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
  '/account',
];

describeEachDb('security headers', (env) => {
  let base = '';
  before(async () => {
    base = await listen(env().app);
  });

  it('the console, the API and the API docs send CSP, frame, content-type and referrer headers', async () => {
    for (const path of ['/', '/audit', '/api/health', '/api/docs/', '/api/nothing', '/assets/missing.js']) {
      const r = await fetch(base + path);
      const csp = r.headers.get('content-security-policy') ?? '';
      assert.match(csp, /frame-ancestors 'none'/, `${path}: ${csp}`);
      assert.match(csp, /script-src 'self'(;|$)/, `${path}: no inline script`);
      assert.doesNotMatch(csp, /upgrade-insecure-requests/);
      assert.equal(r.headers.get('x-frame-options'), 'DENY', path);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(r.headers.get('referrer-policy'), 'no-referrer', path);
    }
  });

  it(
    'every console page and the API docs load with no CSP violation; a frame of the console is refused',
    { skip: noBrowser },
    async () => {
      const admin = await env().makeUser({
        orgId: env().centerOrgId,
        roles: ['center_admin'],
        totpSecret: TEST_TOTP_SECRET,
      });
      const unit = await env().as('unit_admin');
      const res = await publish(unit, await env().as('center_reviewer'), personResource());
      const ctx = await browser().newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
      // the listener is installed by the browser itself, before any page script, so the CSP cannot hide it
      await ctx.addInitScript(() => {
        const w = window as unknown as { __csp: string[] };
        w.__csp = [];
        document.addEventListener('securitypolicyviolation', (e) =>
          w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`),
        );
      });
      const page = await ctx.newPage();
      const errors: string[] = [];
      const consoleCsp: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) consoleCsp.push(m.text());
      });
      await login(page, base, admin.username, TEST_PASSWORD, TEST_TOTP_SECRET);
      const violations: string[] = [];
      // the console's pages as its menu opens them (each loads its own chunks under the policy), the API docs by
      // loading them; the violations seen since the last page are taken each time
      const visit = async (path: string, open: () => Promise<unknown>, ready: () => Promise<unknown>) => {
        await open();
        await ready();
        await page.waitForTimeout(300);
        const seen = await page.evaluate(() => {
          const w = window as unknown as { __csp: string[] };
          const v = w.__csp;
          w.__csp = [];
          return v;
        });
        for (const v of seen) violations.push(`${path}: ${v}`);
      };
      const inConsole = (path: string) =>
        visit(
          path,
          () => go(page, path),
          () => page.getByTestId('page-heading').waitFor(),
        );
      for (const path of PAGES) await inConsole(path);
      await inConsole(`/catalog/${res.id}`);
      await visit(
        '/api/docs/',
        () => page.goto(base + '/api/docs/'),
        () => page.locator('.swagger-ui .info').waitFor(),
      );
      assert.deepEqual(violations, []);
      assert.deepEqual(consoleCsp, []);
      assert.deepEqual(errors, []);

      // another site framing the console: the browser refuses the frame
      const framer = await ctx.newPage();
      await framer.setContent(`<iframe id="f" src="${base}/"></iframe>`);
      await framer.waitForTimeout(1500);
      const framed = framer.frames().find((f) => f.url().startsWith(base));
      const loaded = framed ? await framed.evaluate(() => !!document.getElementById('root')).catch(() => false) : false;
      assert.equal(loaded, false, 'the console must not render inside a frame');
      await ctx.close();
    },
  );

  it('the audit page lists every broken record of a tampered chain, in words', { skip: noBrowser }, async () => {
    const db = env().database.db;
    const admin = await env().makeUser({
      orgId: env().centerOrgId,
      roles: ['center_admin'],
      totpSecret: TEST_TOTP_SECRET,
    });
    const { max } = await db
      .selectFrom('audit_record')
      .select((eb) => eb.fn.max('seq').as('max'))
      .executeTakeFirstOrThrow();
    const last = Number(max);
    // tampering as a database superuser would: triggers off for the transaction
    for (const seq of [last - 3, last - 1])
      await db.transaction().execute(async (trx) => {
        await sql`SET LOCAL session_replication_role = replica`.execute(trx);
        await sql`UPDATE audit_record SET object_id = 'forged' WHERE seq = ${seq}`.execute(trx);
      });
    const ctx = await browser().newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    const page = await ctx.newPage();
    await login(page, base, admin.username, TEST_PASSWORD, TEST_TOTP_SECRET);
    await page.goto(base + '/audit');
    await page.getByText('校验哈希链').click();
    const list = page.getByTestId('audit-chain-problems');
    await list.waitFor();
    const items = await list.locator('li').allInnerTexts();
    assert.deepEqual(items, [`第 ${last - 3} 条记录：写入后被篡改`, `第 ${last - 1} 条记录：写入后被篡改`]);
    await page.getByText(/审计哈希链发现 2 处异常/).waitFor();
    await ctx.close();
  });
});
