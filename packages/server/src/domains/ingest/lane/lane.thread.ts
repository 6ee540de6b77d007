// Runs the byte lane in a worker thread for files of more than a few megabytes (ingestLimits.threadMinBytes) (smaller ones run it here:
// a thread costs more than it saves). The worker's code is lane.worker.ts bundled once per process to
// plain JavaScript with esbuild, so the thread needs no TypeScript loader (under tsx a worker starts its
// own loader thread: ~40 MB more). This thread keeps reading the input (and hashing it, in the reader),
// hands chunks over as the worker asks for them (at most two ahead, so memory stays flat) and writes the
// COPY text that comes back to the database. When the worker meets a quote it gives back what it has not
// read, with the keys it has seen, and the text reader goes on here.
import { Worker } from 'node:worker_threads';
import { workerCodeSync } from '../../../platform/worker-code.ts';
import { runLane, type LaneContext } from './lane.ts';
import type { CsvLane, InRow } from '../read/read.sources.ts';
import { ingestLimits, type KeySetState } from '../check/check.key-set.ts';
import { FileError, type RowError } from '../check/check.row-errors.ts';
import type { ItemSpec, Problem } from '../check/check.values.ts';

const AHEAD = 2;
/** Input goes to the worker in pieces of this size (readers give 64 KB; fewer, larger messages cost less). */
const PIECE = 1 << 20;

/** Worker threads started, and lanes that ran here because a worker could not start (for tests and logs). */
export const laneThreads = { started: 0, unavailable: 0 };

export interface LaneWorkerInit {
  items: ItemSpec[];
  index: number[];
  width: number;
  keyIdx: number[];
  withRowNo: boolean;
  suffix: string;
  delimiter: number;
  keyLimit: number;
  keyBytesLimit: number;
}

export type ToLane = { type: 'chunk'; chunk: Uint8Array } | { type: 'end' };

interface Progress {
  received: number;
  accepted: number;
  rejects: [number, unknown[], RowError[], number][];
}
type FromLane =
  | { type: 'ready' }
  | ({ type: 'pull'; recycled: Uint8Array | null } & Progress)
  | ({ type: 'copy'; copy: Uint8Array; unchecked: boolean } & Progress)
  | ({
      type: 'bail';
      pending: Uint8Array;
      lastRowNo: number;
      keys: KeySetState | null;
      queued: Uint8Array[];
      consumed: number;
    } & Progress)
  | { type: 'returned'; chunk: Uint8Array }
  | ({ type: 'done' } & Progress)
  | ({ type: 'error'; problem: Problem } & Progress)
  | { type: 'fatal'; message: string };

let workerCode: string | null = null;
function laneWorkerCode(): string {
  workerCode ??= workerCodeSync(new URL('./lane.worker.ts', import.meta.url));
  return workerCode;
}

const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** Same contract as runLane: null at the end of the file, or the rows from a quote on, read as text. */
export async function runLaneAuto(
  lane: CsvLane,
  c: LaneContext,
  minBytes = ingestLimits.threadMinBytes,
): Promise<AsyncIterable<InRow[]> | null> {
  const it = lane.body[Symbol.asyncIterator]();
  // read ahead up to the threshold: a file that ends before it runs here
  const head: Buffer[] = [];
  let size = 0;
  let ended = false;
  while (size < minBytes) {
    const n = await it.next();
    if (n.done) {
      ended = true;
      break;
    }
    head.push(n.value);
    size += n.value.length;
  }
  const replay = (): AsyncIterable<Buffer> => ({
    async *[Symbol.asyncIterator]() {
      while (head.length) yield head.shift()!;
      if (ended) return;
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        yield n.value;
      }
    },
  });
  const here = () => runLane({ ...lane, body: replay() }, c);
  if (ended) return here();

  const init: LaneWorkerInit = {
    items: c.items,
    index: c.index,
    width: c.width,
    keyIdx: c.keyIdx,
    withRowNo: c.withRowNo,
    suffix: c.suffix,
    delimiter: lane.delimiter,
    keyLimit: ingestLimits.keySetMax,
    keyBytesLimit: ingestLimits.keySetMaxBytes,
  };
  // a small young generation: the lane's garbage is short-lived, and the thread's memory stays low
  let worker: Worker;
  try {
    worker = new Worker(laneWorkerCode(), {
      eval: true,
      workerData: init,
      resourceLimits: { maxYoungGenerationSizeMb: 8 },
    });
  } catch (e) {
    laneThreads.unavailable++;
    process.emitWarning(`the ingest lane runs without a worker thread: ${e instanceof Error ? e.message : String(e)}`);
    return here();
  }
  const inbox: FromLane[] = [];
  let wake: (() => void) | null = null;
  const deliver = (m: FromLane) => {
    inbox.push(m);
    const w = wake;
    wake = null;
    w?.();
  };
  worker.on('message', deliver);
  worker.on('error', (e) => deliver({ type: 'fatal', message: e.stack ?? e.message }));
  worker.on('exit', (code) => deliver({ type: 'fatal', message: `the lane worker exited (${code})` }));
  const receive = async (): Promise<FromLane> => {
    while (!inbox.length) await new Promise<void>((r) => (wake = r));
    return inbox.shift()!;
  };

  try {
    // a worker that cannot start (its code failed to bundle or load, no memory) leaves the lane to this thread
    const first = await receive();
    if (first.type !== 'ready') {
      laneThreads.unavailable++;
      process.emitWarning(
        `the ingest lane runs without a worker thread: ${first.type === 'fatal' ? first.message : first.type}`,
      );
      return await here();
    }
    laneThreads.started++;

    let sent = 0;
    let inputDone = false;
    let left: Buffer | null = null; // the part of a reader's chunk that did not fit the last piece
    const pool: Uint8Array[] = []; // pieces the worker is through with
    const next = async (): Promise<Buffer | null> => {
      if (left) {
        const l = left;
        left = null;
        return l;
      }
      if (head.length) return head.shift()!;
      if (ended) return null;
      const n = await it.next();
      return n.done ? null : n.value;
    };
    const send = async () => {
      if (inputDone) return;
      let piece: Uint8Array | null = null;
      let size = 0;
      for (;;) {
        const b = await next();
        if (!b) break;
        piece ??= pool.pop() ?? new Uint8Array(PIECE);
        if (size === 0 && b.length > piece.length) {
          // a reader's chunk larger than a piece goes as it is
          piece = new Uint8Array(b);
          size = b.length;
          break;
        }
        const take = Math.min(b.length, piece.length - size);
        piece.set(take === b.length ? b : b.subarray(0, take), size);
        size += take;
        if (take < b.length) left = b.subarray(take);
        if (size === piece.length) break;
      }
      if (!piece || size === 0) {
        inputDone = true;
        worker.postMessage({ type: 'end' } satisfies ToLane);
        return;
      }
      const chunk = size === piece.length ? piece : piece.subarray(0, size);
      worker.postMessage({ type: 'chunk', chunk } satisfies ToLane, [chunk.buffer as ArrayBuffer]);
      sent++;
    };
    const apply = (m: Progress) => {
      c.counts.received = m.received;
      c.counts.accepted = m.accepted;
      for (const [rowNo, cells, errs, dataRow] of m.rejects) c.reject(rowNo, cells, errs, dataRow);
    };
    for (let k = 0; k < AHEAD; k++) await send();
    for (;;) {
      const m = await receive();
      switch (m.type) {
        case 'pull':
          apply(m);
          if (m.recycled?.byteLength === PIECE) pool.push(m.recycled);
          await send();
          break;
        case 'copy':
          apply(m);
          await c.flush(asBuffer(m.copy), m.unchecked);
          break;
        case 'done':
          apply(m);
          return null;
        case 'error':
          apply(m);
          throw new FileError(m.problem);
        case 'fatal':
          throw new Error(m.message);
        case 'bail': {
          apply(m);
          const back: Buffer[] = [asBuffer(m.pending), ...m.queued.map(asBuffer)];
          // chunks on their way to the worker when it stopped come back
          for (let outstanding = sent - m.consumed - m.queued.length; outstanding > 0;) {
            const r = await receive();
            if (r.type === 'returned') {
              back.push(asBuffer(r.chunk));
              outstanding--;
            } else if (r.type === 'fatal') throw new Error(r.message);
          }
          if (left) back.push(left);
          back.push(...head.splice(0));
          if (m.keys && c.keys) c.keys.load(m.keys);
          return lane.rest(Buffer.concat(back), m.lastRowNo);
        }
        default:
          break;
      }
    }
  } finally {
    worker.removeAllListeners('exit');
    await worker.terminate();
  }
}
