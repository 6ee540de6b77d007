// An export's converter in a worker thread (export.threads.ts drives it and bundles this file to plain JavaScript):
// pieces of COPY text come in numbered, CSV goes back under the same number.
import { parentPort, workerData } from 'node:worker_threads';
import { ExportConverter, type ConvertInit } from './export.convert.ts';
import type { FromConverter, ToConverter } from './export.threads.ts';

const port = parentPort!;
const converter = new ExportConverter(workerData as ConvertInit);
const send = (m: FromConverter, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

port.on('message', (m: ToConverter) => {
  try {
    const piece = Buffer.from(m.piece.buffer, m.piece.byteOffset, m.piece.byteLength);
    const { data, rows } = converter.convert(piece);
    // the CSV's memory goes across whole (the converter writes the next piece into a new buffer); so does a
    // GB18030 encoding's, when it has a buffer of its own
    const out = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const own = data.byteLength > 4096 && data.byteOffset === 0;
    send(
      { type: 'done', seq: m.seq, data: own ? out : new Uint8Array(out), rows },
      own ? [out.buffer as ArrayBuffer] : [],
    );
  } catch (e) {
    send({ type: 'fatal', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
send({ type: 'ready' });
