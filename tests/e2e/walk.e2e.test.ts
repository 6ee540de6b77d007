// Every role walks every menu entry of the demo district in zh-CN: each page has its heading and its menu entry
// marked, and no code word of the code base's own enumerations (roles, PII kinds, masking rules, audit actions,
// policy parameters, statuses, kinds) shows in what a person reads. User names, key ids and resource codes are
// data, not code words. Each role also meets the not-found page and a page its roles do not open.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { Page } from 'playwright-core';
import { describeEachDb } from '../../packages/server/src/testing/test-env.ts';
import { loadDemoCatalog, loadDemoWorkflows } from '../../packages/server/src/demo/load-demo.ts';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '../../packages/server/src/demo/district.ts';
import { findDemoResource } from '../../packages/server/src/demo/demo.repository.ts';
import { AUDIT_ACTIONS } from '../../packages/server/src/domains/audit/audit.words.ts';
import { CODE_TABLES } from '../../packages/server/src/domains/catalog/index.ts';
import { POLICY_PARAMS } from '../../packages/server/src/domains/calendar/index.ts';
import { RULES } from '../../packages/server/src/domains/masking/index.ts';
import { ORG_KINDS, SHARE_PATHS, SHARE_STATUSES } from '../../packages/server/src/db/schema.ts';
import { ROLES } from '../../packages/server/src/platform/context.ts';
import { JOB_STATES } from '../../packages/server/src/platform/jobs.repository.ts';
import { BATCH_OUTCOMES, FRESHNESS } from '../../packages/server/src/domains/ingest/ingest.schemas.ts';
import { go, listen, login, noBrowser, useBrowser } from './browser.ts';

const browser = useBrowser();

/** The code words a person must never read in the zh-CN console. */
const CODE_WORDS = [
  ...ROLES,
  ...CODE_TABLES.pii_kind!.codes.map((c) => c.code).filter((c) => c !== 'name'),
  ...RULES.filter((r) => r !== 'none'),
  ...Object.keys(AUDIT_ACTIONS),
  ...POLICY_PARAMS.map((p) => p.key),
  ...BATCH_OUTCOMES,
  ...FRESHNESS,
  ...JOB_STATES,
  ...SHARE_STATUSES,
  ...SHARE_PATHS,
  'db_sync',
  'suspended',
  'revoked',
  'not_yet',
  'profile_accept',
  'profile_return',
  'uphold',
  'overrule',
  'normative',
  // (the demo's Center and cyberspace office have the codes center and cac: those are data, their kinds are not)
  ...ORG_KINDS.filter((k) => k !== 'center' && k !== 'cac'),
  'draft',
  'submitted',
  'returned',
  'approved',
  'superseded',
  'withdrawn',
  'succeeded',
  'pending_approval',
  'unconditional',
  'conditional',
  'topic_approved',
  'not_aggregated',
  // exports and tracing
  'writing',
  'not_named',
  'no_carriers',
];

/** Data that may look like a code: user names (gaj.admin), key ids, pseudonyms and tokens, resource codes. */
const DATA = [
  /\b[a-z]+\.(admin|security|user|reviewer|supervisor|officer)\b/g,
  /\bgsk_[0-9a-f]+\b/g,
  /\bps_[0-9a-f]+\b/g,
  /\btk1\.[\w-]+/g,
  /\b[0-9]+\/[0-9]+\b/g,
];

/** The code words in a text, once its data is taken out (and the codes of the items on the page, also data). */
function codeWordsIn(text: string, itemCodes: string[] = []): string[] {
  let t = text;
  for (const re of DATA) t = t.replace(re, ' ');
  for (const c of itemCodes) t = t.replace(new RegExp(`(^|[^A-Za-z0-9_])${c}(?![A-Za-z0-9_])`, 'g'), '$1 ');
  return [...new Set(CODE_WORDS)].filter((w) =>
    new RegExp(`(^|[^A-Za-z0-9_.])${w.replace(/\./g, '\\.')}($|[^A-Za-z0-9_])`).test(t),
  );
}

/** The visible text once a page has settled (its data loaded). */
async function settled(page: Page): Promise<string> {
  await page.getByTestId('page-heading').waitFor();
  await page.waitForFunction(
    () => !document.querySelector('[data-testid="page-loading"], .ant-spin-spinning, .ant-table-placeholder .ant-spin'),
    undefined,
    { timeout: 20_000 },
  );
  return page.locator('body').innerText();
}

const WALKERS: { username: string; forbidden: string }[] = [
  { username: 'center.admin', forbidden: '' },
  { username: 'center.reviewer', forbidden: '/audit' },
  { username: 'center.supervisor', forbidden: '/jobs' },
  { username: 'cac.officer', forbidden: '/review' },
  { username: 'gaj.admin', forbidden: '/review' },
  { username: 'gaj.security', forbidden: '/users' },
  { username: 'gaj.user', forbidden: '/audit' },
];

describeEachDb('every role walks the demo district', (env) => {
  let base = '';
  let hukou = '';
  let hukouItems: string[] = [];
  // the item codes of the resources shared in the demo: data (column names a developer calls by), shown on grant
  // pages and in the audit details of sharing steps
  const sharedItems: string[] = [];
  before(async () => {
    base = await listen(env().app);
    const db = env().database.db;
    await loadDemoCatalog(db, env().app.services);
    await env().app.services.ingest.ensureAllTables();
    await loadDemoWorkflows(db, env().app.services);
    hukou = (await findDemoResource(db, '户籍人口信息', 'gaj'))!;
    hukouItems = ((await env().app.services.ingest.meta(db, hukou))?.items ?? []).map((i) => i.code);
    const shared = await db.selectFrom('share_application').select('resource_id').distinct().execute();
    for (const { resource_id } of shared)
      sharedItems.push(...((await env().app.services.ingest.meta(db, resource_id))?.items ?? []).map((i) => i.code));
  });

  for (const w of WALKERS)
    it(
      `${w.username}: every menu entry has a heading and its mark, and shows words, not codes`,
      { skip: noBrowser },
      async () => {
        const ctx = await browser().newContext({ viewport: { width: 1440, height: 1000 }, locale: 'zh-CN' });
        const page = await ctx.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await login(
          page,
          base,
          w.username,
          DEMO_PASSWORD,
          w.username === 'center.admin' ? DEMO_TOTP_SECRET : undefined,
        );
        const found: string[] = [];
        const menu = page.getByTestId('main-nav');
        const entries = (await menu.locator('.ant-menu-item').allInnerTexts()).map((s) => s.trim());
        assert.ok(entries.length >= 5, `${w.username} sees a menu`);
        for (const entry of entries) {
          await menu.locator('.ant-menu-item', { hasText: entry }).click();
          // the page's heading is the entry's name (waited for: the previous page's heading is there until it goes)
          await page
            .getByTestId('page-heading')
            .filter({ hasText: new RegExp(`^${entry}$`) })
            .waitFor();
          const text = await settled(page);
          const marked = (await menu.locator('.ant-menu-item-selected').innerText()).trim();
          assert.equal(marked, entry, `the menu marks ${entry}`);
          for (const c of codeWordsIn(text, sharedItems)) found.push(`${entry}: ${c}`);
        }
        // a resource with its data and masking, as the unit and the Center see it
        if (w.username === 'center.admin' || w.username === 'gaj.admin')
          for (const tab of ['masking', 'data', 'timeline']) {
            await go(page, `/catalog/${hukou}?tab=${tab}`);
            const text = await settled(page);
            for (const c of codeWordsIn(text, hukouItems)) found.push(`户籍人口信息 ${tab}: ${c}`);
          }
        // the bell's notifications read as words too
        await page.getByTestId('notice-bell').click();
        const notices = await page.getByTestId('notice-list').innerText();
        for (const c of codeWordsIn(notices)) found.push(`bell: ${c}`);
        if (w.username === 'center.admin') assert.match(notices, /GX\d+/, 'the Center is told of the demo cases');
        await page.getByTestId('notice-bell').click();
        await page.getByTestId('notice-list').waitFor({ state: 'hidden' });
        // every sharing case and grant, as the Center (all of them) and as an owner unit's admin (its side, with
        // its actions) read them; the other roles open the same pages with fewer buttons
        if (entries.includes('数据共享') && (w.username === 'center.admin' || w.username === 'gaj.admin'))
          for (const tab of ['', '?tab=grants']) {
            await go(page, `/sharing${tab}`);
            await settled(page);
            const links = await page
              .locator('a[href^="/sharing/applications/"], a[href^="/sharing/grants/"]')
              .evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('href')!))]);
            if (w.username === 'center.admin' && !tab) assert.ok(links.length >= 12, `${links.length} cases`);
            for (const href of links) {
              await go(page, href);
              await page
                .getByTestId(href.includes('/grants/') ? 'grant-state' : 'case-no')
                .first()
                .waitFor();
              const text = await settled(page);
              for (const c of codeWordsIn(text, sharedItems)) found.push(`${href}: ${c}`);
            }
          }
        // the not-found page and a page the roles do not open
        await page.goto(`${base}/no-such-page`);
        await page.getByTestId('page-not-found').waitFor();
        assert.equal(await menu.locator('.ant-menu-item-selected').count(), 0, 'an unknown address marks no entry');
        if (w.forbidden) {
          await page.goto(base + w.forbidden);
          await page.getByTestId('page-forbidden').waitFor();
        }
        // in English the menu widens: no entry's label is cut off
        await page.getByTestId('lang-switch').getByText('EN').click();
        await page.getByTestId('main-nav').getByText('Home').waitFor();
        // the sider's width is animated: measure once it has reached the width it is set to, not mid-transition
        await page.waitForFunction(() => {
          const s = document.querySelector<HTMLElement>('.ant-layout-sider');
          return !!s && Math.abs(s.getBoundingClientRect().width - parseFloat(s.style.width)) < 0.5;
        });
        const cut = await page
          .getByTestId('main-nav')
          .locator('.ant-menu-title-content')
          .evaluateAll((els) =>
            els.filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => (e as HTMLElement).innerText),
          );
        assert.deepEqual(cut, [], 'English menu labels cut off');
        assert.deepEqual(found, [], `${w.username} reads code words`);
        assert.deepEqual(errors, []);
        await ctx.close();
      },
    );
});
