// The engines check (scripts/check-engines.mjs) fails on a dependency that does not admit every Node.js version
// the project claims, names it, and passes this repository's own lock file.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const script = path.resolve(import.meta.dirname, '../scripts/check-engines.mjs');
const check = (dir?: string) => spawnSync(process.execPath, [script, ...(dir ? [dir] : [])], { encoding: 'utf8' });

function project(claim: string, packages: Record<string, { version: string; engines?: { node: string } }>) {
  const dir = mkdtempSync(path.join(tmpdir(), 'gongshu-engines-'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'x', engines: { node: claim } }));
  writeFileSync(
    path.join(dir, 'package-lock.json'),
    JSON.stringify({
      lockfileVersion: 3,
      packages: { '': {}, ...Object.fromEntries(Object.entries(packages).map(([n, p]) => [`node_modules/${n}`, p])) },
    }),
  );
  return dir;
}

it('fails on a dependency that needs a newer Node than the claimed range admits, and names it', () => {
  const dir = project('^20.19.0 || ^22.13.0', {
    kysely: { version: '0.29.9', engines: { node: '>=22.0.0' } },
    ok: { version: '1.0.0', engines: { node: '>=18' } },
    free: { version: '1.0.0' },
  });
  try {
    const r = check(dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /kysely@0\.29\.9 needs node >=22\.0\.0/);
    assert.doesNotMatch(r.stderr, /ok@|free@/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('fails when a dependency admits only part of a claimed major (22.13 to 22.17 refused)', () => {
  const dir = project('^20.19.0 || ^22.13.0', {
    vite: { version: '9.0.0', engines: { node: '^20.19.0 || >=22.18.0' } },
  });
  try {
    const r = check(dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /vite@9\.0\.0/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("this repository's lock file admits the claimed range", () => {
  const r = check();
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /every dependency admits node/);
});
