// A separate process that loads one CSV file through the real pipeline and prints its progress, so a
// test can kill it with SIGKILL in the middle of a batch (ingest.atomic.test.ts).
import { createReadStream } from 'node:fs';
import { loadConfig } from '../config.ts';
import { openRuntime } from '../runtime.ts';
import { openCsv } from '../domains/ingest/index.ts';

const [dataDir, databaseUrl, code, username, file, mode] = process.argv.slice(2);
const rt = await openRuntime(
  loadConfig(
    {},
    { env: 'test', logLevel: 'silent', demo: 'off', dataDir: dataDir!, ...(databaseUrl ? { databaseUrl } : {}) },
  ),
);
const actor = await rt.auth.cliActor(username!);
const res = await rt.ingest.ingest(
  { actor, requestId: 'atomic-test', ip: null },
  code!,
  { source: 'cli', mode: (mode ?? 'append') as 'append', fileName: 'atomic.csv', fileFormat: 'csv', strictWidth: true },
  (onBytes) => openCsv(createReadStream(file!), { onBytes }),
  (p) => process.stdout.write(`progress ${p.received}\n`),
);
process.stdout.write(`done ${res.batch.status} ${res.batch.accepted}\n`);
await rt.close();
