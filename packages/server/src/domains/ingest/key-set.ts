// The keys seen in one batch, to refuse a row whose key repeats an earlier row of the same batch.
// Exact (keys are compared byte for byte) and compact: the key bytes live in one growing arena and an
// open-addressing table of typed arrays points into it — about 40 bytes per keyed row for an 18-character
// ID, outside the JavaScript heap, instead of ~100 bytes of Map entry and string that the collector walks.

const EMPTY = -1;

/** Each slot is four 32-bit words side by side (one cache line per probe): hash, offset (or -1), length, row. */
export class KeySet {
  private arena = Buffer.allocUnsafe(1 << 16);
  private tail = 0;
  private start = 0;
  private mask = (1 << 12) - 1;
  private slots = new Int32Array(4 << 12).fill(EMPTY);
  private count = 0;

  get size(): number {
    return this.count;
  }

  private reserve(n: number) {
    if (this.tail + n <= this.arena.length) return;
    let len = this.arena.length * 2;
    while (this.tail + n > len) len *= 2;
    const next = Buffer.allocUnsafe(len);
    this.arena.copy(next, 0, 0, this.tail);
    this.arena = next;
  }

  /** Appends bytes of the key being built. */
  push(src: Buffer, s: number, e: number): void {
    this.reserve(e - s);
    const a = this.arena;
    let t = this.tail;
    for (let i = s; i < e; i++) a[t++] = src[i]!;
    this.tail = t;
  }

  /** Appends a text part of the key being built (UTF-8). */
  pushString(text: string): void {
    this.reserve(Buffer.byteLength(text));
    this.tail += this.arena.write(text, this.tail);
  }

  /** Separates the parts of a composite key. */
  separator(): void {
    this.reserve(1);
    this.arena[this.tail++] = 1;
  }

  /**
   * Ends the key being built: -1 if it is new (kept, with this row number), or the row number of the
   * earlier row with the same key (this key is dropped).
   */
  commit(rowNo: number): number {
    const a = this.arena;
    const s = this.start;
    const e = this.tail;
    // FNV-1a
    let h = 0x811c9dc5 | 0;
    for (let i = s; i < e; i++) h = Math.imul(h ^ a[i]!, 0x01000193);
    const len = e - s;
    const slots = this.slots;
    let slot = h & this.mask;
    for (;;) {
      const at = slot << 2;
      const off = slots[at + 1]!;
      if (off === EMPTY) {
        slots[at] = h;
        slots[at + 1] = s;
        slots[at + 2] = len;
        slots[at + 3] = rowNo;
        break;
      }
      if (slots[at] === h && slots[at + 2] === len) {
        let i = 0;
        while (i < len && a[off + i] === a[s + i]) i++;
        if (i === len) {
          this.tail = s; // drop the repeated key's bytes
          return slots[at + 3]!;
        }
      }
      slot = (slot + 1) & this.mask;
    }
    this.start = e;
    if (++this.count * 2 > this.mask + 1) this.grow();
    return -1;
  }

  private grow() {
    const old = this.slots;
    const size = (this.mask + 1) * 2;
    this.mask = size - 1;
    this.slots = new Int32Array(size * 4).fill(EMPTY);
    for (let at = 0; at < old.length; at += 4) {
      if (old[at + 1] === EMPTY) continue;
      let slot = old[at]! & this.mask;
      while (this.slots[(slot << 2) + 1] !== EMPTY) slot = (slot + 1) & this.mask;
      this.slots.set(old.subarray(at, at + 4), slot << 2);
    }
  }
}
