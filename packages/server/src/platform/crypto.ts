// SM3 / SM4 from Node's own OpenSSL, plus random tokens.
import { createHash, createHmac, createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from 'node:crypto';

export function sm3Hex(data: string | Buffer): string {
  return createHash('sm3').update(data).digest('hex');
}

export function hmacSm3Hex(key: Buffer, data: string): string {
  return createHmac('sm3', key).update(data).digest('hex');
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function safeEqualHex(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/**
 * SM4-CBC with a random IV and an HMAC-SM3 tag (encrypt-then-MAC); Node's OpenSSL has no SM4-GCM.
 * Output: "sm4:v1:" + base64url(iv | ciphertext | tag).
 */
export class Sm4Box {
  private readonly encKey: Buffer;
  private readonly macKey: Buffer;
  constructor(key: Buffer) {
    if (key.length !== 16) throw new Error('SM4 key must be 16 bytes');
    this.encKey = key;
    this.macKey = createHash('sm3')
      .update(Buffer.concat([Buffer.from('gongshu-sm4-mac'), key]))
      .digest();
  }
  seal(plain: string): string {
    const iv = randomBytes(16);
    const c = createCipheriv('sm4-cbc', this.encKey, iv);
    const body = Buffer.concat([iv, c.update(plain, 'utf8'), c.final()]);
    const tag = createHmac('sm3', this.macKey).update(body).digest();
    return 'sm4:v1:' + Buffer.concat([body, tag]).toString('base64url');
  }
  open(sealed: string): string {
    if (!sealed.startsWith('sm4:v1:')) throw new Error('not an SM4 sealed value');
    const raw = Buffer.from(sealed.slice(7), 'base64url');
    if (raw.length < 16 + 16 + 32) throw new Error('sealed value too short');
    const body = raw.subarray(0, raw.length - 32);
    const tag = raw.subarray(raw.length - 32);
    const want = createHmac('sm3', this.macKey).update(body).digest();
    if (!timingSafeEqual(tag, want)) throw new Error('sealed value failed its integrity check');
    const d = createDecipheriv('sm4-cbc', this.encKey, body.subarray(0, 16));
    return Buffer.concat([d.update(body.subarray(16)), d.final()]).toString('utf8');
  }
}

/** The masking master key, derived from the platform HMAC key (rotating that key changes pseudonyms). */
export function maskingMaster(hmacKey: Buffer): Buffer {
  return createHmac('sm3', hmacKey).update('gongshu-masking-master').digest();
}

/** The platform's keys: HMAC-SM3 for session tokens and credential secrets, SM4 for secrets at rest. */
export interface Keys {
  hmac: Buffer;
  sm4: Sm4Box;
}
