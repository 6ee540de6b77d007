// Waiting in tests for something another process or a background job does: polls until the check gives a value,
// and fails naming what it waited for. Never a fixed sleep, never a timing assertion.
export interface UntilOptions {
  /** How long to wait before failing (default 30 s). */
  timeoutMs?: number;
  /** Between two checks (default 200 ms). */
  intervalMs?: number;
  /** A check that throws (a node still starting) counts as not yet, instead of failing the wait. */
  retryErrors?: boolean;
}

export async function until<T>(
  what: string | (() => string),
  check: () => Promise<T | null | undefined | false>,
  opts: UntilOptions = {},
): Promise<T> {
  const end = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    const v = opts.retryErrors ? await check().catch(() => null) : await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
  }
}
