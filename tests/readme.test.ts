// The README's API examples run as printed: every ```sh block of its "API" section is run by bash against a
// server with the demo district loaded (the quick start's), with a credential of 北京中路街道 as $TOKEN, and for the
// sharing examples 民政局's grant of 户籍人口信息 as $GRANT with a bound credential of its system as $SHARE_TOKEN. Each
// `# → …` line names text the block's output must contain. Only the address changes (the test server's port).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { describeEachDb } from '../packages/server/src/testing/test-env.ts';
import { sql } from 'kysely';
import { loadDemoCatalog, loadDemoWorkflows } from '../packages/server/src/demo/load-demo.ts';
import type { ShareMethod } from '../packages/server/src/db/schema.ts';
import { actorFor } from '../packages/server/src/demo/catalog-seed.ts';
import { listen } from './e2e/browser.ts';

const README = readFileSync(path.resolve(import.meta.dirname, '../README.md'), 'utf8');

/** The ```sh blocks of a section (from its `## ` heading to the next), each with the outputs it promises. */
function shellBlocks(section: string): { script: string; expect: string[] }[] {
  const start = README.indexOf(`\n## ${section}\n`);
  assert.ok(start >= 0, `the README has a section "## ${section}"`);
  const end = README.indexOf('\n## ', start + 1);
  const text = README.slice(start, end < 0 ? undefined : end);
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => ({
    script: m[1]!,
    expect: [...m[1]!.matchAll(/^# → (.+)$/gm)].map((x) => x[1]!),
  }));
}

/** A bash script, its exit status and output. */
function run(script: string, opts: { cwd: string; env: NodeJS.ProcessEnv }) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const p = spawn('bash', ['-eo', 'pipefail', '-c', script], opts);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('error', reject);
    p.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

it('the README promises an output for every API example', () => {
  const blocks = shellBlocks('API');
  assert.ok(blocks.length >= 2, 'the API section has its examples');
  for (const b of blocks) assert.ok(b.expect.length, `a block without "# →" lines:\n${b.script}`);
});

describeEachDb('the README examples', (env) => {
  let base = '';
  let token = '';
  let grantId = '';
  let shareToken = '';
  let dir = '';
  before(async () => {
    base = await listen(env().app);
    const db = env().database.db;
    await loadDemoCatalog(db, env().app.services);
    await env().app.services.ingest.ensureAllTables();
    const issued = await env().app.services.auth.createCredential(await actorFor(db, 'bjzl.admin'), {
      systemName: '社区网格化服务管理系统',
    });
    token = issued.token;
    // the sharing examples: the demo's workflows (民政局's grant of 户籍人口信息), a credential of its system bound
    await loadDemoWorkflows(db, env().app.services);
    const mzj = await actorFor(db, 'mzj.admin');
    const grant = await db
      .selectFrom('share_grant')
      .select('id')
      .where('consumer_org_id', '=', mzj.actor!.orgId)
      .where('methods', '@>', sql<ShareMethod[]>`ARRAY['file']::text[]`)
      .executeTakeFirstOrThrow();
    const share = await env().app.services.auth.createCredential(mzj, { systemName: '社会救助信息系统' });
    const g = await env().app.services.grants.get(mzj, grant.id);
    await env().app.services.grants.bind(mzj, grant.id, [...g.credentials.map((c) => c.id), share.id]);
    grantId = grant.id;
    shareToken = share.token;
    dir = mkdtempSync(path.join(tmpdir(), 'gs-readme-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('every API example runs as printed and answers what the README says', async () => {
    for (const b of shellBlocks('API')) {
      const script = b.script.replaceAll('http://localhost:8080', base);
      // not spawnSync: the server answering the script runs in this process
      const r = await run(script, {
        cwd: dir,
        env: { ...process.env, TOKEN: token, GRANT: grantId, SHARE_TOKEN: shareToken, LC_ALL: 'C.UTF-8' },
      });
      assert.equal(r.status, 0, `${b.script}\n${r.stderr}`);
      for (const e of b.expect)
        assert.ok(r.stdout.includes(e), `expected ${e} in the reply of\n${b.script}\n${r.stdout}`);
    }
  });
});
