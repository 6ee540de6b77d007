// HMAC-SM3 for millions of short values (masking pseudonyms and token IVs). Node's crypto computes SM3
// through OpenSSL at ~1.2 µs per call whatever the input, and createHmac at ~3 µs, while the SM3
// compression of one 64-byte block is a fraction of that. Here the key's inner and outer pad blocks are
// compressed once, so the HMAC of a value up to 55 bytes is two compressions. The compression follows
// GB/T 32905-2016; tests hold it to Node's own SM3 and HMAC-SM3 on the standard vector and on random
// inputs of every length up to several blocks (ADR 0007). Everything else keeps using Node's crypto.

const IV = new Int32Array([
  0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e,
]);
const rotl = (x: number, n: number) => (x << n) | (x >>> (32 - n));
/** T_j rotated left by j mod 32, precomputed. */
const TJ = new Int32Array(64);
for (let j = 0; j < 64; j++) TJ[j] = rotl(j < 16 ? 0x79cc4519 : 0x7a879d8a, j % 32);

const W = new Int32Array(68);
const W1 = new Int32Array(64);

/** Compresses the 64 bytes of `b` at `at` into the state `v` (eight words, changed in place). */
function compress(v: Int32Array, b: Uint8Array, at: number): void {
  for (let j = 0; j < 16; j++) {
    const i = at + j * 4;
    W[j] = (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
  }
  for (let j = 16; j < 68; j++) {
    const x = W[j - 16]! ^ W[j - 9]! ^ rotl(W[j - 3]!, 15);
    W[j] = x ^ rotl(x, 15) ^ rotl(x, 23) ^ rotl(W[j - 13]!, 7) ^ W[j - 6]!;
  }
  for (let j = 0; j < 64; j++) W1[j] = W[j]! ^ W[j + 4]!;
  let a = v[0]!;
  let bb = v[1]!;
  let c = v[2]!;
  let d = v[3]!;
  let e = v[4]!;
  let f = v[5]!;
  let g = v[6]!;
  let h = v[7]!;
  // rounds 0-15 and 16-63 differ only in FF and GG: two loops, no branch per round
  for (let j = 0; j < 16; j++) {
    const a12 = rotl(a, 12);
    const ss1 = rotl((a12 + e + TJ[j]!) | 0, 7);
    const tt1 = ((a ^ bb ^ c) + d + (ss1 ^ a12) + W1[j]!) | 0;
    const tt2 = ((e ^ f ^ g) + h + ss1 + W[j]!) | 0;
    d = c;
    c = rotl(bb, 9);
    bb = a;
    a = tt1;
    h = g;
    g = rotl(f, 19);
    f = e;
    e = tt2 ^ rotl(tt2, 9) ^ rotl(tt2, 17);
  }
  for (let j = 16; j < 64; j++) {
    const a12 = rotl(a, 12);
    const ss1 = rotl((a12 + e + TJ[j]!) | 0, 7);
    const tt1 = (((a & bb) | (a & c) | (bb & c)) + d + (ss1 ^ a12) + W1[j]!) | 0;
    const tt2 = (((e & f) | (~e & g)) + h + ss1 + W[j]!) | 0;
    d = c;
    c = rotl(bb, 9);
    bb = a;
    a = tt1;
    h = g;
    g = rotl(f, 19);
    f = e;
    e = tt2 ^ rotl(tt2, 9) ^ rotl(tt2, 17);
  }
  v[0] = v[0]! ^ a;
  v[1] = v[1]! ^ bb;
  v[2] = v[2]! ^ c;
  v[3] = v[3]! ^ d;
  v[4] = v[4]! ^ e;
  v[5] = v[5]! ^ f;
  v[6] = v[6]! ^ g;
  v[7] = v[7]! ^ h;
}

/**
 * Finishes a hash whose state `v` has absorbed `prefix` bytes already: the message bytes m[0..n), the
 * padding and the bit length of prefix + n. `tail` is scratch space of at least 128 bytes.
 */
function finish(v: Int32Array, prefix: number, m: Uint8Array, n: number, tail: Uint8Array): void {
  let i = 0;
  for (; i + 64 <= n; i += 64) compress(v, m, i);
  const rest = n - i;
  for (let k = 0; k < rest; k++) tail[k] = m[i + k]!;
  tail[rest] = 0x80;
  const blocks = rest + 9 <= 64 ? 1 : 2;
  const end = blocks * 64;
  tail.fill(0, rest + 1, end - 8);
  const bits = (prefix + n) * 8;
  const hi = Math.floor(bits / 0x100000000);
  const lo = bits >>> 0;
  tail[end - 8] = hi >>> 24;
  tail[end - 7] = (hi >>> 16) & 0xff;
  tail[end - 6] = (hi >>> 8) & 0xff;
  tail[end - 5] = hi & 0xff;
  tail[end - 4] = lo >>> 24;
  tail[end - 3] = (lo >>> 16) & 0xff;
  tail[end - 2] = (lo >>> 8) & 0xff;
  tail[end - 1] = lo & 0xff;
  compress(v, tail, 0);
  if (blocks === 2) compress(v, tail, 64);
}

function wordsToBytes(v: Int32Array, out: Uint8Array, at = 0): void {
  for (let j = 0; j < 8; j++) {
    const x = v[j]!;
    out[at + j * 4] = x >>> 24;
    out[at + j * 4 + 1] = (x >>> 16) & 0xff;
    out[at + j * 4 + 2] = (x >>> 8) & 0xff;
    out[at + j * 4 + 3] = x & 0xff;
  }
}

/** SM3 of bytes (for the tests; the platform hashes files with Node's crypto). */
export function sm3(m: Uint8Array): Buffer {
  const v = IV.slice();
  finish(v, 0, m, m.length, new Uint8Array(128));
  const out = Buffer.alloc(32);
  wordsToBytes(v, out);
  return out;
}

/** HMAC-SM3 under one key (any length), with the pad blocks compressed once. */
export class Sm3Hmac {
  private readonly inner = IV.slice();
  private readonly outer = IV.slice();
  private readonly v = new Int32Array(8);
  private readonly tail = new Uint8Array(128);
  private readonly mid = new Uint8Array(32);
  private scratch = Buffer.allocUnsafe(256);

  constructor(key: Uint8Array) {
    let k = key;
    if (k.length > 64) k = sm3(k);
    const pad = new Uint8Array(64);
    for (let i = 0; i < 64; i++) pad[i] = (k[i] ?? 0) ^ 0x36;
    compress(this.inner, pad, 0);
    for (let i = 0; i < 64; i++) pad[i] = (k[i] ?? 0) ^ 0x5c;
    compress(this.outer, pad, 0);
  }

  /** The 32-byte MAC of bytes, written to `out` at `at`. */
  macInto(m: Uint8Array, n: number, out: Uint8Array, at = 0): void {
    const v = this.v;
    v.set(this.inner);
    finish(v, 64, m, n, this.tail);
    wordsToBytes(v, this.mid);
    v.set(this.outer);
    finish(v, 64, this.mid, 32, this.tail);
    wordsToBytes(v, out, at);
  }

  /** The MAC of a text (UTF-8) or bytes. */
  digest(data: string | Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(32);
    if (typeof data === 'string') {
      if (data.length * 3 > this.scratch.length) this.scratch = Buffer.allocUnsafe(data.length * 3);
      const n = this.scratch.write(data, 0);
      this.macInto(this.scratch, n, out);
    } else this.macInto(data, data.length, out);
    return out;
  }
}
