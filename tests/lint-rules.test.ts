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
