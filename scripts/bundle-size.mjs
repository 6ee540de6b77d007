#!/usr/bin/env node
// After `vite build`: the JavaScript the log-in page loads (the entry chunk and every chunk it imports statically),
// gzipped, next to the target of 350 KB, and the whole console's JavaScript for comparison. Reads Vite's manifest.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';

const dist = path.resolve(import.meta.dirname, '../packages/web/dist');
const manifest = JSON.parse(readFileSync(path.join(dist, '.vite/manifest.json'), 'utf8'));
const TARGET_KB = 350;
const gz = (file) => gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length;

const entry = Object.entries(manifest).find(([, c]) => c.isEntry);
if (!entry) throw new Error('no entry chunk in the manifest');
const seen = new Set();
const walk = (key) => {
  if (seen.has(key)) return;
  seen.add(key);
  for (const k of manifest[key].imports ?? []) walk(k);
};
walk(entry[0]);
const login = [...seen].reduce((n, k) => n + gz(manifest[k].file), 0);
const all = Object.values(manifest)
  .filter((c) => c.file.endsWith('.js'))
  .reduce((n, c) => n + gz(c.file), 0);
const kb = (n) => Math.round(n / 1024);
console.log(
  `log-in page JavaScript: ${kb(login)} KB gzipped in ${seen.size} chunk(s) (target ≤ ${TARGET_KB} KB); the whole console: ${kb(all)} KB`,
);
console.log(
  JSON.stringify({
    bench: 'bundle',
    login_js_gzip_kb: kb(login),
    target_kb: TARGET_KB,
    all_js_gzip_kb: kb(all),
    ratio: Number((login / all).toFixed(2)),
  }),
);
if (login > TARGET_KB * 1024) {
  console.error(
    `the log-in page loads more than ${TARGET_KB} KB of JavaScript: split what it does not need into lazy chunks`,
  );
  process.exitCode = 1;
}
