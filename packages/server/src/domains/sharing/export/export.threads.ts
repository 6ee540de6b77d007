// Converts an export's COPY text to its CSV (export.convert.ts) on worker threads: the database formats the rows
// on its core, the workers mask and fingerprint them on theirs, and this thread only moves bytes (ADR 0011). The
// text is cut into pieces of whole lines, handed round to the workers, at most AHEAD pieces each in flight (memory
// stays flat whatever the size), and their CSV comes back in order. An export smaller than a piece, or one whose
// workers cannot start, is converted in this thread. Each worker's code is export.worker.ts bundled once per
// process with esbuild, as the ingest lane's is (no TypeScript loader in the thread).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { workerCode } from '../../../platform/worker-code.ts';
import { ExportConverter, type ConvertInit } from './export.convert.ts';

/** COPY text goes to a worker in pieces of about this size. */
const PIECE = 1 << 20;
const AHEAD = 2;

export type ToConverter = { seq: number; piece: Uint8Array };
export type FromConverter =
  | { type: 'ready' }
  | { type: 'done'; seq: number; data: Uint8Array; rows: number }
  | { type: 'fatal'; message: string };

/** Worker threads started, and exports converted here because workers could not start (for tests and logs). */
export const exportThreads = { started: 0, unavailable: 0 };

let code: Promise<string> | null = null;
function converterCode(): Promise<string> {
  // what the worker takes from masking's index.ts is in its rules (maskValue, the keys): the bundle reads them
  // there, since the index would bring masking's service and everything it imports into the thread
  code ??= workerCode(new URL('./export.worker.ts', import.meta.url), {
    '/masking/index.ts': new URL('../../masking/masking.rules.ts', import.meta.url),
  });
  // a failed build is tried again by the next export
  code.catch(() => (code = null));
  return code;
}

/**
 * Whole lines of COPY text, in pieces of about PIECE bytes (the last line of the input may lack its newline). Each
 * piece is a buffer of its own (it is handed over to a worker whole): the input's chunks are copied into it once.
 */
async function* pieces(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let held: Buffer[] = [];
  let size = 0;
  const take = (n: number) => {
    const piece = Buffer.allocUnsafeSlow(n);
    let at = 0;
    while (at < n) {
      const b = held[0]!;
      const k = Math.min(b.length, n - at);
      b.copy(piece, at, 0, k);
      at += k;
      if (k === b.length) held.shift();
      else held[0] = b.subarray(k);
    }
    size -= n;
    return piece;
  };
  for await (const b of input) {
    held.push(b);
    size += b.length;
    if (size < PIECE) continue;
    // the last newline held: everything up to it goes
    let cut = -1;
    let before = size;
    for (let i = held.length - 1; i >= 0 && cut < 0; i--) {
      before -= held[i]!.length;
      const nl = held[i]!.lastIndexOf(10);
      if (nl >= 0) cut = before + nl;
    }
    if (cut >= 0) yield take(cut + 1);
  }
  if (size) yield take(size);
  held = [];
}

class Converters {
  private readonly workers: Worker[] = [];
  private readonly results = new Map<number, { data: Buffer; rows: number }>();
  private failure: Error | null = null;
  private wake: (() => void) | null = null;

  static async start(init: ConvertInit, count: number): Promise<Converters | null> {
    const c = new Converters();
    try {
      const code = await converterCode();
      for (let i = 0; i < count; i++) {
        const w = new Worker(code, { eval: true, workerData: init, resourceLimits: { maxYoungGenerationSizeMb: 16 } });
        c.workers.push(w);
        await new Promise<void>((resolve, reject) => {
          w.once('message', (m: FromConverter) =>
            m.type === 'ready' ? resolve() : reject(new Error(m.type === 'fatal' ? m.message : m.type)),
          );
          w.once('error', reject);
        });
        w.on('message', (m: FromConverter) => c.receive(m));
        w.on('error', (e) => c.fail(e));
        w.on('exit', (code) => c.fail(new Error(`an export worker exited (${code})`)));
      }
    } catch (e) {
      exportThreads.unavailable++;
      process.emitWarning(
        `an export is converted without worker threads: ${e instanceof Error ? e.message : String(e)}`,
      );
      await c.stop();
      return null;
    }
    exportThreads.started += count;
    return c;
  }

  private receive(m: FromConverter) {
    if (m.type === 'done')
      this.results.set(m.seq, { data: Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength), rows: m.rows });
    else if (m.type === 'fatal') this.failure ??= new Error(m.message);
    this.notify();
  }

  private fail(e: Error) {
    this.failure ??= e;
    this.notify();
  }

  private notify() {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  send(seq: number, piece: Buffer) {
    // the piece's memory goes to the worker (pieces() made it for this)
    const own = new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength);
    this.workers[seq % this.workers.length]!.postMessage({ seq, piece: own } satisfies ToConverter, [
      own.buffer as ArrayBuffer,
    ]);
  }

  async take(seq: number) {
    for (;;) {
      if (this.failure) throw this.failure;
      const r = this.results.get(seq);
      if (r) {
        this.results.delete(seq);
        return r;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  get size() {
    return this.workers.length;
  }

  async stop() {
    for (const w of this.workers) w.removeAllListeners('exit');
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * Workers per export: a core is left to PostgreSQL (on one machine with the platform, its COPY takes one), at most
 * two. On two cores that is one: a second measured no faster there and held twice the memory (docs/benchmarks.md).
 */
function defaultThreads() {
  return Math.max(1, Math.min(2, availableParallelism() - 1));
}

/**
 * The CSV of an export's COPY text, in order: the header first, then each piece's rows. `threads` workers (none:
 * this thread) convert pieces; an input that ends within its first piece is converted here.
 */
export async function* convertExport(
  init: ConvertInit,
  input: AsyncIterable<Buffer>,
  threads = defaultThreads(),
): AsyncGenerator<{ data: Buffer; rows: number }> {
  const here = new ExportConverter(init);
  yield { data: here.header(), rows: 0 };
  const it = pieces(input)[Symbol.asyncIterator]();
  let workers: Converters | null = null;
  try {
    const first = await it.next();
    if (first.done) return;
    const second = await it.next();
    workers = !second.done && threads > 0 ? await Converters.start(init, threads) : null;
    if (!workers) {
      yield here.convert(first.value);
      if (second.done) return;
      yield here.convert(second.value);
      for (let n = await it.next(); !n.done; n = await it.next()) yield here.convert(n.value);
      return;
    }
    const w = workers;
    let sent = 0;
    let taken = 0;
    w.send(sent++, first.value);
    w.send(sent++, second.value);
    let inputDone = false;
    const fill = async () => {
      while (!inputDone && sent - taken < w.size * AHEAD) {
        const n = await it.next();
        if (n.done) inputDone = true;
        else w.send(sent++, n.value);
      }
    };
    await fill();
    while (taken < sent) {
      const r = await w.take(taken++);
      await fill();
      yield r;
    }
  } finally {
    await workers?.stop();
    // ended early (the reader went away, or a worker failed): the input, the database's COPY, is ended too
    await it.return?.(undefined);
  }
}
