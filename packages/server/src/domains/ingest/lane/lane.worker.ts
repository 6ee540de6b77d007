// The byte lane in a worker thread (lane.thread.ts drives it and bundles this file to plain JavaScript):
// input chunks come in as they are asked for, COPY text and rejected rows go out. The platform's thread
// keeps reading, hashing and writing to the database meanwhile, and this thread's small heap is collected
// cheaply.
import { parentPort, workerData } from 'node:worker_threads';
import { KeySet } from '../check/check.key-set.ts';
import { runLane } from './lane.ts';
import type { InRow } from '../read/read.sources.ts';
import { FileError, type RowError } from '../check/check.row-errors.ts';
import { compileItem } from '../check/check.values.ts';
import type { LaneWorkerInit, ToLane } from './lane.thread.ts';

const port = parentPort!;
const init = workerData as LaneWorkerInit;
const queue: (Buffer | null)[] = [];
let waiting: ((b: Buffer | null) => void) | null = null;
let bailed = false;
let consumed = 0;
let rejects: [number, unknown[], RowError[], number][] = [];
const counts = { received: 0, accepted: 0, rejected: 0 };
const progress = () => {
  const r = rejects;
  rejects = [];
  return { received: counts.received, accepted: counts.accepted, rejects: r };
};

port.on('message', (m: ToLane) => {
  if (bailed) {
    // chunks already on their way when the text reader took over go back
    if (m.type === 'chunk') port.postMessage({ type: 'returned', chunk: m.chunk }, [m.chunk.buffer as ArrayBuffer]);
    return;
  }
  const item = m.type === 'chunk' ? Buffer.from(m.chunk.buffer, m.chunk.byteOffset, m.chunk.byteLength) : null;
  if (waiting) {
    const w = waiting;
    waiting = null;
    w(item);
  } else queue.push(item);
});

async function* body(): AsyncGenerator<Buffer> {
  let done: Buffer | null = null;
  for (;;) {
    const next = queue.length ? queue.shift()! : await new Promise<Buffer | null>((r) => (waiting = r));
    if (next === null) return;
    consumed++;
    // the lane is through with the previous chunk (it copies what it keeps): its memory goes back for reuse
    const recycled = done ? new Uint8Array(done.buffer) : null;
    port.postMessage({ type: 'pull', recycled, ...progress() }, recycled ? [recycled.buffer as ArrayBuffer] : []);
    done = next;
    yield next;
  }
}

let bail: { pending: Buffer; lastRowNo: number } | null = null;
const keys = init.keyIdx.length ? new KeySet(init.keyLimit, init.keyBytesLimit) : null;

async function main() {
  port.postMessage({ type: 'ready' });
  const rest = await runLane(
    {
      delimiter: init.delimiter,
      body: body(),
      rest: (pending: Buffer, lastRowNo: number): AsyncIterable<InRow[]> => {
        bail = { pending: Buffer.from(pending), lastRowNo };
        return (async function* () {})();
      },
    },
    {
      items: init.items,
      checkers: init.items.map(compileItem),
      index: init.index,
      width: init.width,
      keyIdx: init.keyIdx,
      keys,
      withRowNo: init.withRowNo,
      suffix: init.suffix,
      counts,
      reject: (rowNo, cells, errs) => {
        counts.rejected++;
        rejects.push([rowNo, cells, errs, counts.received]);
      },
      flush: async (copy, unchecked) => {
        // an empty hand-over carries only rejected rows and progress (and must not detach a shared buffer)
        const out = copy.length ? new Uint8Array(copy.buffer, copy.byteOffset, copy.byteLength) : new Uint8Array(0);
        port.postMessage(
          { type: 'copy', copy: out, unchecked, ...progress() },
          copy.length ? [out.buffer as ArrayBuffer] : [],
        );
      },
    },
  );
  if (rest && bail) {
    bailed = true;
    const b = bail as { pending: Buffer; lastRowNo: number };
    const queued = queue.filter((q): q is Buffer => q !== null);
    port.postMessage({
      type: 'bail',
      pending: b.pending,
      lastRowNo: b.lastRowNo,
      keys: keys?.state() ?? null,
      queued,
      consumed,
      ...progress(),
    });
  } else port.postMessage({ type: 'done', ...progress() });
}

main().catch((e: unknown) => {
  if (e instanceof FileError) port.postMessage({ type: 'error', problem: e.problem, ...progress() });
  else port.postMessage({ type: 'fatal', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
});
