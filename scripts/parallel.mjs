#!/usr/bin/env node
// Runs npm scripts side by side, two at a time (a 2-core CI machine; tsc and ESLint each use one core), printing
// each one's output whole when it ends; exits non-zero when any fails. Usage: node scripts/parallel.mjs NAME…
import { spawn } from 'node:child_process';

const names = process.argv.slice(2);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let failed = 0;

function runOne(name) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(npm, ['run', '--silent', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    child.on('close', (code, signal) => {
      const text = Buffer.concat(out).toString();
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(`\n> ${name} (${secs} s)\n${text}`);
      if (code !== 0) {
        failed++;
        process.stdout.write(`✖ ${name} failed (${signal ?? `exit ${code}`})\n`);
      }
      resolve();
    });
  });
}

const queue = [...names];
await Promise.all(
  [0, 1].map(async () => {
    while (queue.length) await runOne(queue.shift());
  }),
);
process.exit(failed ? 1 : 0);
