import { launch, login, logout } from './browser.ts';
const base = 'http://127.0.0.1:8099';
const b = (await launch())!;
const page = await b.newPage({ viewport: { width: 1400, height: 1000 } });
const shot = async (name: string, url: string) => {
  await page.goto(base + url);
  await page.waitForTimeout(2500);
  await page.screenshot({ path: `/tmp/shot-${name}.png`, fullPage: true });
};
await login(page, base, process.argv[2]!, 'Gongshu@2026', process.argv[3]);
for (const [n, u] of [
  ['tickets', '/quality'],
  ['scores', '/quality?tab=scores'],
  ['rules', '/quality?tab=rules'],
])
  await shot(`${process.argv[2]}-${n}`, u!);
const first = await page.evaluate(async () => (await (await fetch('/api/quality/tickets?limit=50')).json()).tickets);
const t = first.find((x: { status: string }) => x.status === 'extension_requested') ?? first[0];
if (t) await shot(`${process.argv[2]}-ticket`, `/quality/tickets/${t.id}`);
const rules = await page.evaluate(async () => await (await fetch('/api/quality/rules')).json());
if (rules[0]) await shot(`${process.argv[2]}-rule`, `/quality/rules/${rules[0].id}`);
if (rules[0]) await shot(`${process.argv[2]}-resource`, `/quality/resources/${rules[0].resourceId}`);
await b.close();
