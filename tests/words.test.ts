// What a person reads is words, never codes: the audit trail has words for every action the code base writes
// (and the compiler holds writeAudit to them), the roles read the same on the server and in the console, and every
// operation of the API has a summary.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import {
  ACTION_FAMILIES,
  AUDIT_ACTIONS,
  familyOf,
  OBJECT_TYPES,
} from '../packages/server/src/domains/audit/audit.words.ts';
import { ROLE_WORDS, ROLES } from '../packages/server/src/platform/context.ts';
import { dict } from '../packages/web/src/messages.ts';

const root = path.resolve(import.meta.dirname, '..');

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (e.endsWith('.ts') && !e.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

it('every audit action the server writes has words in zh-CN and en, and a family with words', () => {
  const written = new Set<string>();
  const literal = /\baction:\s*'([a-z_]+(?:\.[a-z_]+)+)'/g;
  const argument = /(?:recordRead|recordFailure|confirmPassword|audit)\([^)]*?'([a-z_]+\.[a-z_.]+)'/g;
  const conditional = /\baction:[^,\n]*\?\s*'([a-z_]+\.[a-z_.]+)'\s*:\s*'?([a-z_]+\.[a-z_.]+)?'?/g;
  for (const file of sources(path.join(root, 'packages/server/src'))) {
    const text = readFileSync(file, 'utf8');
    for (const re of [literal, argument, conditional])
      for (const m of text.matchAll(re)) for (const a of m.slice(1)) if (a) written.add(a);
  }
  // the checks catch the forms the code uses: a literal, a helper's argument, a choice between two
  for (const known of ['auth.login', 'user.read', 'catalog.code.create', 'access.refused', 'ingest.table.create'])
    assert.ok(written.has(known), `the scan finds ${known}`);
  const table = AUDIT_ACTIONS as Record<string, readonly [string, string]>;
  assert.deepEqual(
    [...written].filter((a) => !(a in table)),
    [],
    'actions written without words',
  );
  for (const [action, [zh, en]] of Object.entries(table)) {
    assert.ok(familyOf(action) in ACTION_FAMILIES, `${action}: its family has words`);
    assert.ok(zh && en && zh !== action && en !== action, `${action}: words, not the code`);
    assert.doesNotMatch(zh, /[a-z_]{3,}\.[a-z_]/, `${action}: no code inside the Chinese words`);
  }
  for (const [type, [zh, en]] of Object.entries(OBJECT_TYPES as Record<string, readonly [string, string]>))
    assert.ok(zh && en && zh !== type, `${type}: words`);
});

it('the roles read the same on the server (audit details, start-up list) and in the console', () => {
  for (const r of ROLES) {
    const key = `role.${r}` as keyof typeof dict;
    assert.deepEqual([...dict[key]], [...ROLE_WORDS[r]], r);
  }
});

it('every operation of the API has a summary, and the document carries the platform name', () => {
  const doc = JSON.parse(readFileSync(path.join(root, 'docs/openapi.json'), 'utf8')) as {
    info: { title: string };
    paths: Record<string, Record<string, { summary?: string }>>;
  };
  assert.match(doc.info.title, /公数 Gongshu|Gongshu 公数/);
  const without = Object.entries(doc.paths).flatMap(([p, ops]) =>
    Object.entries(ops)
      .filter(([, o]) => !o.summary?.trim())
      .map(([m]) => `${m.toUpperCase()} ${p}`),
  );
  assert.deepEqual(without, []);
});
