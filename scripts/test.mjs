#!/usr/bin/env node
// Runs every *.test.ts with Node's own test runner (through tsx), each file in its own process.
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
const chosen = files.filter((f) => !filters.length || filters.some((x) => f.includes(x))).sort();
if (!chosen.length) {
  console.error('no test files matched');
  process.exit(1);
}
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=600000', '--test-reporter=spec', ...chosen],
  { stdio: 'inherit', cwd: root, env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(r.status ?? 1);
