// Keys for session/credential hashing (HMAC-SM3) and secrets at rest (SM4). Production gives them
// explicitly (config refuses to start otherwise); the embedded default generates them once into the data dir.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import { Sm4Box, type Keys } from './crypto.ts';

export function loadKeys(config: Config): Keys & { generatedAt: string | null } {
  let sessionSecret = config.sessionSecret;
  let sm4Key = config.sm4Key;
  let generatedAt: string | null = null;
  if (!sessionSecret || !sm4Key) {
    const file = path.join(config.dataDir, 'secrets.json');
    let stored: { sessionSecret?: string; sm4Key?: string } = {};
    if (existsSync(file)) {
      try {
        stored = JSON.parse(readFileSync(file, 'utf8')) as typeof stored;
      } catch (e) {
        throw new Error(
          `${file} is not valid JSON (${(e as Error).message}); restore it from a backup: the SM4 key in it decrypts stored secrets`,
        );
      }
    } else {
      mkdirSync(config.dataDir, { recursive: true });
      stored = { sessionSecret: randomBytes(32).toString('hex'), sm4Key: randomBytes(16).toString('hex') };
      writeFileSync(file, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600 });
      generatedAt = file;
    }
    sessionSecret ??= stored.sessionSecret;
    sm4Key ??= stored.sm4Key;
    if (!sessionSecret || !/^[0-9a-f]{64}$/.test(sessionSecret) || !sm4Key || !/^[0-9a-f]{32}$/.test(sm4Key))
      throw new Error(`${file} lacks a valid sessionSecret (64 hex) or sm4Key (32 hex)`);
  }
  return { hmac: Buffer.from(sessionSecret, 'hex'), sm4: new Sm4Box(Buffer.from(sm4Key, 'hex')), generatedAt };
}
