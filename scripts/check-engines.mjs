#!/usr/bin/env node
// Every installed package must admit every Node.js version the project claims (package.json "engines").
// `engine-strict` (.npmrc) makes `npm ci` fail on the Node that runs it; this check covers the other claimed
// versions too, from the lock file, so a dependency that needs Node 22 cannot slip in while CI runs on 20.
// Usage: node scripts/check-engines.mjs [project directory, default this repository]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';

const root = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '..'));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
const claim = pkg.engines?.node;
if (!claim || !semver.validRange(claim)) {
  console.error(`package.json: engines.node is missing or not a semver range (${claim})`);
  process.exit(1);
}

const bad = [];
for (const [where, entry] of Object.entries(lock.packages ?? {})) {
  if (!where || entry.link) continue;
  const need = entry.engines?.node;
  if (!need || typeof need !== 'string') continue;
  // A dependency that only the optional, other-platform builds need does not run here.
  if (entry.optional && entry.os && !entry.os.includes(process.platform)) continue;
  if (!semver.validRange(need)) continue;
  if (!semver.subset(claim, need, { includePrerelease: false })) {
    const name = where.replace(/^.*node_modules\//, '');
    bad.push(`${name}@${entry.version} needs node ${need}`);
  }
}
if (bad.length) {
  console.error(`These dependencies do not admit every Node.js version the project claims (${claim}):`);
  for (const b of bad) console.error(`  ${b}`);
  process.exit(1);
}
console.log(`engines: every dependency admits node ${claim}`);
