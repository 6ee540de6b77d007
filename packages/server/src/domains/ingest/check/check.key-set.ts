// The keys seen in one batch, to refuse a row whose key repeats an earlier row of the same batch.
// Exact (keys are compared byte for byte) and compact: each key lives behind a 4-byte length in 1 MB blocks
// that are filled and never copied, and an open-addressing table of three 32-bit words per slot (hash,
// place, row number) points at it — the hash settles most probes without touching the key. About 50
// bytes per keyed row for an 18-character ID, outside the JavaScript heap, instead of ~100 bytes of Map
// entry and string that the collector has to walk.

import { FileError } from './check.row-errors.ts';

const EMPTY = -1;

/**
 * How many keys a batch checks in memory (about 45 MB for a million 18-character keys). Beyond it, rows go
 * on unchecked into a staging table and the database refuses their repeats when the batch is applied, so
 * memory stays flat whatever the file size. Tests lower it.
 */
export const ingestLimits = { keySetMax: 1_000_000, keySetMaxBytes: 64 * 1024 * 1024, threadMinBytes: 4 * 1024 * 1024 };
const BLOCK = 1 << 20;
/** A key's place: its block's index times BLOCK plus where it starts in the block (below BLOCK). */
const placeOf = (block: number, pos: number) => block * BLOCK + pos;

export interface KeySetState {
  blocks: Uint8Array[];
  slots: Int32Array<ArrayBufferLike>;
  mask: number;
  count: number;
}

// unreachable while `full` is heeded (64 MB of key text by default), kept as a clear refusal
const tooMany = () =>
  new FileError({
    zh: '本批次的主键文本超过 2 GB，无法检查重复，请拆分文件',
    en: 'The keys of this batch exceed 2 GB of text and cannot be checked for repeats; split the file',
  });

function fnv(a: Uint8Array, s: number, e: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = s; i < e; i++) h = Math.imul(h ^ a[i]!, 0x01000193);
  return h;
}

const readLen = (a: Uint8Array, at: number) => a[at]! | (a[at + 1]! << 8) | (a[at + 2]! << 16) | (a[at + 3]! << 24);

export class KeySet {
  private blocks: Buffer[] = [Buffer.allocUnsafe(BLOCK)];
  /** The block being filled, and where the key being built starts in it: its 4-byte length, then its bytes up to `tail`. */
  private cur = this.blocks[0]!;
  private start = 0;
  private tail = 4;
  private mask = (1 << 12) - 1;
  private slots: Int32Array<ArrayBufferLike> = new Int32Array(3 << 12).fill(EMPTY);
  private count = 0;
  /** bytes of the blocks allocated */
  private allocated = BLOCK;

  constructor(
    private readonly limit = ingestLimits.keySetMax,
    /** and at most this much key text (long keys reach it before the count) */
    private readonly maxBytes = ingestLimits.keySetMaxBytes,
  ) {}

  get size(): number {
    return this.count;
  }

  /** At a limit: keys after this are not kept (their rows are checked by the database). */
  get full(): boolean {
    return this.count >= this.limit || this.allocated >= this.maxBytes;
  }

  /** Room for n more bytes of the key being built: a full block passes the key on to a new one. */
  private reserve(n: number) {
    if (this.tail + n <= this.cur.length) return;
    const partial = this.tail - this.start;
    if (this.blocks.length >= 2047) throw tooMany();
    const next = Buffer.allocUnsafe(Math.max(BLOCK, (partial + n) * 2));
    this.allocated += next.length;
    this.cur.copy(next, 0, this.start, this.tail);
    this.blocks.push(next);
    this.cur = next;
    this.start = 0;
    this.tail = partial;
  }

  /** Appends bytes of the key being built. */
  push(src: Buffer, s: number, e: number): void {
    this.reserve(e - s);
    const a = this.cur;
    let t = this.tail;
    for (let i = s; i < e; i++) a[t++] = src[i]!;
    this.tail = t;
  }

  /** Appends a text part of the key being built (UTF-8). */
  pushString(text: string): void {
    this.reserve(Buffer.byteLength(text));
    this.tail += this.cur.write(text, this.tail);
  }

  /** Separates the parts of a composite key. */
  separator(): void {
    this.reserve(1);
    this.cur[this.tail++] = 1;
  }

  /**
   * Ends the key being built: -1 if it is new (kept, with this row number), or the row number of the
   * earlier row with the same key (this key is dropped).
   */
  commit(rowNo: number): number {
    const a = this.cur;
    const s = this.start + 4;
    const e = this.tail;
    const len = e - s;
    const h = fnv(a, s, e);
    const slots = this.slots;
    let slot = h & this.mask;
    for (;;) {
      const at = slot * 3;
      const place = slots[at + 1]!;
      if (place === EMPTY) {
        a.writeInt32LE(len, this.start);
        slots[at] = h;
        slots[at + 1] = placeOf(this.blocks.length - 1, this.start);
        slots[at + 2] = rowNo;
        break;
      }
      if (slots[at] === h) {
        const blk = this.blocks[Math.floor(place / BLOCK)]!;
        const off = place % BLOCK;
        if (readLen(blk, off) === len) {
          let i = 0;
          const o = off + 4;
          while (i < len && blk[o + i] === a[s + i]) i++;
          if (i === len) {
            this.tail = s; // drop the repeated key's bytes
            return slots[at + 2]!;
          }
        }
      }
      slot = (slot + 1) & this.mask;
    }
    // the next key starts here; a block's starts stay below BLOCK (a longer key got a block of its own)
    this.start = e;
    this.tail = e + 4;
    if (this.start >= BLOCK || this.tail > this.cur.length) {
      if (this.blocks.length >= 2047) throw tooMany();
      this.cur = Buffer.allocUnsafe(BLOCK);
      this.allocated += BLOCK;
      this.blocks.push(this.cur);
      this.start = 0;
      this.tail = 4;
    }
    if (++this.count * 4 > (this.mask + 1) * 3) this.grow();
    return -1;
  }

  /** The whole set, to carry it across threads. */
  state(): KeySetState {
    return { blocks: this.blocks, slots: this.slots, mask: this.mask, count: this.count };
  }

  /** Takes over a set carried from another thread (what this one held is replaced); new keys go to a new block. */
  load(st: KeySetState): void {
    this.blocks = st.blocks.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    this.allocated = this.blocks.reduce((n, b) => n + b.length, BLOCK);
    this.cur = Buffer.allocUnsafe(BLOCK);
    this.blocks.push(this.cur);
    this.start = 0;
    this.tail = 4;
    this.slots = st.slots;
    this.mask = st.mask;
    this.count = st.count;
  }

  private grow() {
    const old = this.slots;
    const size = (this.mask + 1) * 2;
    this.mask = size - 1;
    const slots = (this.slots = new Int32Array(size * 3).fill(EMPTY));
    for (let at = 0; at < old.length; at += 3) {
      if (old[at + 1] === EMPTY) continue;
      let slot = old[at]! & this.mask;
      while (slots[slot * 3 + 1] !== EMPTY) slot = (slot + 1) & this.mask;
      slots[slot * 3] = old[at]!;
      slots[slot * 3 + 1] = old[at + 1]!;
      slots[slot * 3 + 2] = old[at + 2]!;
    }
  }
}
