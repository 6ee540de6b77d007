// The lint rules that keep the house in order are shown to fire on code that breaks them (and not on code that
// keeps them): a rule nobody has seen fail is a rule nobody knows works.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: path.resolve(import.meta.dirname, '..') });
const rulesHit = async (code: string, filePath: string) =>
  (await eslint.lintText(code, { filePath }))[0]!.messages.map((m) => m.ruleId);

it('server code may not open outbound connections except through the address guard', async () => {
  const service = 'packages/server/src/domains/sharing/sharing.service.ts';
  assert.ok(
    (await rulesHit(`export const f = () => fetch('http://x/');\n`, service)).includes('no-restricted-globals'),
  );
  for (const mod of ['node:http', 'node:https', 'node:dns/promises', 'undici'])
    assert.ok(
      (await rulesHit(`import * as m from '${mod}';\nexport const f = m;\n`, service)).includes(
        'no-restricted-imports',
      ),
      mod,
    );
  // the guard itself, and tests, may
  assert.deepEqual(
    await rulesHit(
      `import http from 'node:http';\nexport const f = () => [http, fetch];\n`,
      'packages/server/src/platform/outbound.ts',
    ),
    [],
  );
  assert.deepEqual(
    await rulesHit(
      `export const f = () => fetch('http://x/');\n`,
      'packages/server/src/domains/sharing/sharing.api.test.ts',
    ),
    [],
  );
});

it('configuration is read only in config.ts', async () => {
  assert.ok(
    (
      await rulesHit(`export const p = process.env.PORT;\n`, 'packages/server/src/domains/sharing/sharing.service.ts')
    ).includes('no-restricted-syntax'),
  );
  assert.deepEqual(await rulesHit(`export const p = process.env.PORT;\n`, 'packages/server/src/config.ts'), []);
});

it('platform/ and db/ never import a domain; a domain uses another only through its index.ts', async () => {
  const has = async (code: string, file: string) => (await rulesHit(code, file)).includes('no-restricted-imports');
  assert.ok(
    await has(
      `import { AuthService } from '../domains/auth/index.ts';\nexport const a = AuthService;\n`,
      'packages/server/src/platform/http.ts',
    ),
  );
  assert.ok(
    await has(
      `import type { Keys } from '../domains/auth/auth.service.ts';\nexport type K = Keys;\n`,
      'packages/server/src/db/database.ts',
    ),
  );
  assert.ok(
    await has(
      `import { writeAudit } from '../../domains/audit/index.ts';\nexport const w = writeAudit;\n`,
      'packages/server/src/platform/outbound.ts',
    ),
  );
  // another domain's internals: refused from a domain's files, its tests and its sub-folders
  assert.ok(
    await has(
      `import { CatalogService } from '../catalog/catalog.service.ts';\nexport const c = CatalogService;\n`,
      'packages/server/src/domains/sharing/sharing.service.ts',
    ),
  );
  assert.ok(
    await has(
      `import { x } from '../catalog/catalog.repository.ts';\nexport const c = x;\n`,
      'packages/server/src/domains/sharing/sharing.api.test.ts',
    ),
  );
  assert.ok(
    await has(
      `import { x } from '../../catalog/catalog.repository.ts';\nexport const c = x;\n`,
      'packages/server/src/domains/ingest/pull/pull.service.ts',
    ),
  );
  // the public surface, platform and the domain's own files are fine
  for (const ok of [
    `import { CatalogService } from '../catalog/index.ts';`,
    `import { AppError } from '../../platform/errors.ts';`,
    `import { x } from './sharing.repository.ts';`,
  ])
    assert.equal(
      await has(
        `${ok}\nexport const c = [${ok.match(/\{ (\w+) \}/)![1]}];\n`,
        'packages/server/src/domains/sharing/sharing.service.ts',
      ),
      false,
      ok,
    );
});

it("a domain's sub-folder uses its own parts freely and another domain only through its index.ts", async () => {
  const has = async (code: string, file: string) => (await rulesHit(code, file)).includes('no-restricted-imports');
  const pull = 'packages/server/src/domains/ingest/pull/pull.service.ts';
  for (const ok of [
    `import { x } from '../../catalog/index.ts';`,
    `import { x } from '../table/table.ts';`,
    `import { x } from '../ingest.repository.ts';`,
    `import { x } from '../../../platform/errors.ts';`,
  ])
    assert.equal(await has(`${ok}\nexport const c = x;\n`, pull), false, ok);
  assert.ok(await has(`import { x } from '../../masking/masking.rules.ts';\nexport const c = x;\n`, pull));
});

it('SQL is written only in repository files (and migrations, tests and test helpers)', async () => {
  const sqlRule = 'house/sql-in-repository';
  const violations = [
    `import { sql } from 'kysely';\nexport const f = (db: never) => sql\`SELECT 1\`.execute(db);\n`,
    `export const f = (db: any) => db.selectFrom('resource').selectAll().execute();\n`,
    `export const f = (trx: any) => trx.insertInto('ingest_batch').values({}).execute();\n`,
    `export const f = (db: any) => db.updateTable('pull_source').set({}).execute();\n`,
    `export const f = (db: any) => db.deleteFrom('session').execute();\n`,
    `import { CompiledQuery } from 'kysely';\nexport const f = (db: any) => db.executeQuery(CompiledQuery.raw('SELECT 1'));\n`,
  ];
  for (const file of [
    'packages/server/src/domains/sharing/sharing.service.ts',
    'packages/server/src/domains/ingest/pull/pull.service.ts',
    'packages/server/src/platform/jobs.ts',
    'packages/server/src/demo/seed-demo.ts',
    'packages/cli/src/cli.ts',
  ])
    for (const code of violations) assert.ok((await rulesHit(code, file)).includes(sqlRule), `${file}: ${code}`);
  // a type-only import of kysely is no SQL
  assert.ok(
    !(
      await rulesHit(
        `import type { Selectable } from 'kysely';\nexport type R = Selectable<{ a: number }>;\n`,
        'packages/server/src/domains/sharing/sharing.service.ts',
      )
    ).includes(sqlRule),
  );
  for (const file of [
    'packages/server/src/domains/quality/quality.repository.ts',
    'packages/server/src/domains/ingest/pull/pull.repository.ts',
    'packages/server/src/db/migrations/0099_example.ts',
    'packages/server/src/domains/sharing/sharing.api.test.ts',
    'packages/server/src/testing/test-env.ts',
  ])
    for (const code of violations) assert.ok(!(await rulesHit(code, file)).includes(sqlRule), `${file}: ${code}`);
});

it('role checks are made only in policy files', async () => {
  const rule = 'house/role-check-in-policy';
  const code = `import { hasRole, isCenter } from '../../platform/context.ts';\nexport const f = (a: never) => hasRole(a, 'center_admin') || isCenter(a);\n`;
  for (const file of [
    'packages/server/src/domains/sharing/sharing.service.ts',
    'packages/server/src/domains/sharing/sharing.routes.ts',
    'packages/server/src/domains/ingest/pull/pull.service.ts',
  ])
    assert.ok((await rulesHit(code, file)).includes(rule), file);
  for (const file of [
    'packages/server/src/domains/sharing/sharing.policy.ts',
    'packages/server/src/domains/sharing/sharing.api.test.ts',
  ])
    assert.ok(!(await rulesHit(code, file)).includes(rule), file);
  // a role check written out by hand, in a service or in the console (which shows what the session's abilities say)
  const byHand = `export const f = (me: { user: { roles: string[] } }) => me.user.roles.includes('center_admin');\n`;
  assert.ok((await rulesHit(byHand, 'packages/server/src/domains/sharing/sharing.service.ts')).includes(rule));
  assert.ok((await rulesHit(byHand, 'packages/web/src/domains/sharing/SharingPage.tsx')).includes(rule));
  const cast = `export const f = (a: { roles: unknown }) => (a.roles as string[]).some((r) => r === 'supervisor') || (a.roles as string[])!.includes('x');\n`;
  assert.ok((await rulesHit(cast, 'packages/server/src/domains/sharing/sharing.service.ts')).includes(rule));
  // listing the roles is no check
  assert.ok(
    !(
      await rulesHit(
        `export const f = (me: { user: { roles: string[] } }) => me.user.roles.map((r) => r.length);\n`,
        'packages/web/src/domains/sharing/SharingPage.tsx',
      )
    ).includes(rule),
  );
});

it("a repository writes only its domain's tables and reads another's only where that domain shares it", async () => {
  const hits = async (code: string, file: string) =>
    (await eslint.lintText(code, { filePath: file }))[0]!.messages
      .filter((m) => m.ruleId === 'house/table-owner')
      .map((m) => m.message);
  const head = `import { sql } from 'kysely';\nimport type { Db } from '../../db/database.ts';\n`;
  const ingest = 'packages/server/src/domains/ingest/ingest.repository.ts';
  const catalog = 'packages/server/src/domains/catalog/catalog.repository.ts';
  // another domain's table, read by the builder, joined, or named in raw SQL
  assert.match(
    (
      await hits(
        `${head}export const f = (db: Db) => db.selectFrom('resource_version').selectAll().execute();\n`,
        ingest,
      )
    )[0]!,
    /resource_version belongs to catalog/,
  );
  assert.match(
    (
      await hits(
        `${head}export const f = (db: Db) => db.selectFrom('ingest_batch as b').innerJoin('resource_item as i', 'i.resource_id', 'b.resource_id').selectAll().execute();\n`,
        ingest,
      )
    )[0]!,
    /resource_item belongs to catalog/,
  );
  assert.match(
    (
      await hits(
        `${head}export const f = (db: Db) => sql\`SELECT v.name FROM resource_version v\`.execute(db);\n`,
        ingest,
      )
    )[0]!,
    /resource_version belongs to catalog/,
  );
  // another domain's table written, even one it shares for reading
  assert.match(
    (
      await hits(
        `${head}export const f = (db: Db) => db.updateTable('organisation').set({ name: 'x' }).execute();\n`,
        catalog,
      )
    )[0]!,
    /only auth's repositories change it/,
  );
  assert.match(
    (
      await hits(
        `${head}export const f = (db: Db) => sql\`UPDATE app_user SET active = false\`.execute(db);\n`,
        catalog,
      )
    )[0]!,
    /app_user belongs to auth/,
  );
  // a table nobody declared, from a new domain's repository or platform/
  assert.match(
    (
      await hits(
        `${head}export const f = (db: Db) => db.insertInto('portal_release' as never).values({} as never).execute();\n`,
        'packages/server/src/domains/portal/portal.repository.ts',
      )
    )[0]!,
    /portal_release has no owner/,
  );
  assert.match(
    (
      await hits(
        `${head}export const f = (db: Db) => db.selectFrom('session').selectAll().execute();\n`,
        'packages/server/src/platform/jobs.repository.ts',
      )
    )[0]!,
    /session belongs to auth/,
  );
  // allowed: its own tables, a shared read (a unit's name), CTEs, functions, system catalogs, ON CONFLICT DO UPDATE
  assert.deepEqual(
    await hits(
      `${head}export const f = (db: Db) => db.selectFrom('resource as r').innerJoin('organisation as o', 'o.id', 'r.org_id').selectAll().execute();
export const g = (db: Db) => sql\`WITH hits AS (SELECT id FROM resource) SELECT * FROM hits JOIN organisation o ON true, unnest(ARRAY[1]) u\`.execute(db);
export const h = (db: Db) => sql\`INSERT INTO catalog_code (k) VALUES (1) ON CONFLICT (k) DO UPDATE SET k = 2\`.execute(db);
export const i = (db: Db) => sql\`SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace\`.execute(db);
export const j = (db: Db) => sql\`SELECT extract(epoch FROM now())\`.execute(db);
`,
      catalog,
    ),
    [],
  );
});
