// A worker thread's code: its TypeScript entry bundled to plain JavaScript with esbuild (the caller keeps it for
// the process), so the thread needs no TypeScript loader (under tsx a worker starts a loader thread of
// its own: ~40 MB more). Run with `new Worker(code, { eval: true })`. `replace` points imports whose path ends
// with a key at another file (a domain's index.ts at the part of it the thread needs).
import { fileURLToPath } from 'node:url';
import { build, buildSync, type BuildOptions } from 'esbuild';

function options(entry: URL): BuildOptions & { write: false } {
  return {
    entryPoints: [fileURLToPath(entry)],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
  };
}

/** The bundle, built now (the ingest lane's: it starts within a request that is already reading). */
export function workerCodeSync(entry: URL): string {
  return buildSync(options(entry)).outputFiles[0]!.text;
}

/** The bundle, built without holding the thread; imports ending with a key of `replace` read its file instead. */
export async function workerCode(entry: URL, replace: Record<string, URL> = {}): Promise<string> {
  const swaps = Object.entries(replace).map(([end, to]) => [end, fileURLToPath(to)] as const);
  const r = await build({
    ...options(entry),
    plugins: swaps.length
      ? [
          {
            name: 'replace',
            setup(b) {
              b.onResolve({ filter: /.*/ }, (args) => {
                const hit = swaps.find(([end]) => args.path.endsWith(end));
                return hit ? { path: hit[1] } : undefined;
              });
            },
          },
        ]
      : [],
  });
  return r.outputFiles[0]!.text;
}
