#!/usr/bin/env node
// Runs every *.test.ts with Node's own test runner (through tsx), each file in its own process, two at a time.
// Usage: node scripts/test.mjs [filter…]   (a filter keeps the files whose path contains it)
import { readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const dirs = ['packages/server/src', 'packages/cli/src', 'tests'];
const files = [];
function walk(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries) {
    if (e === 'node_modules' || e === 'dist') continue;
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) walk(p);
    else if (e.endsWith('.test.ts')) files.push(path.relative(root, p));
  }
}
for (const d of dirs) walk(path.join(root, d));
const filters = process.argv.slice(2);
// The slowest files start first, so that two run side by side to the end instead of one long file running alone
// at the tail (the demo walk takes minutes per database): CI has 30 minutes on two cores.
const SLOW_FIRST = ['tests/e2e/walk', 'packages/cli/src/cli.test', 'tests/e2e/', 'packages/cli/', 'tests/'];
const rank = (f) => {
  const i = SLOW_FIRST.findIndex((p) => f.startsWith(p));
  return i < 0 ? SLOW_FIRST.length : i;
};
const chosen = files
  .filter((f) => !filters.length || filters.some((x) => f.includes(x)))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
if (!chosen.length) {
  console.error('no test files matched');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/run-tests.mjs'), ...chosen], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, NODE_ENV: 'test' },
});
process.exit(r.status ?? 1);
