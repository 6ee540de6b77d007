// What became of a batch, in one word a person and a program can act on.
import type { BatchOutcomeWord } from './ingest.schemas.ts';

/**
 * What became of a batch, for a person and a program to act on: every row loaded, some rejected, none loaded, no
 * rows at all, or failed (nothing changed). `status` keeps saying whether the batch ran to its end.
 */
export function batchOutcome(b: {
  status: string;
  received: number;
  accepted: number;
  rejected: number;
}): BatchOutcomeWord {
  if (b.status === 'running') return 'running';
  if (b.status === 'failed') return 'failed';
  if (b.received === 0) return 'empty';
  if (b.rejected === 0) return 'all_accepted';
  return b.accepted > 0 ? 'partly_accepted' : 'none_accepted';
}
