// The SM3 hash chain over audit records: each hash covers the previous hash and the record's canonical form.
import { sm3Hex } from '../../platform/crypto.ts';
import type { AuditRecordTable } from '../../db/schema.ts';

export const GENESIS_HASH = '0'.repeat(64);

/** The record as written and read, without its hashes. */
export type ChainFields = Omit<AuditRecordTable, 'prev_hash' | 'hash'>;

/** JSON with object keys sorted, so the same value always serialises the same way (jsonb reorders keys). */
export function canonicalJson(v: unknown): string {
  if (v === undefined) return 'null';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(canonicalJson).join(',') + ']';
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  const o = v as Record<string, unknown>;
  return (
    '{' +
    Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => JSON.stringify(k) + ':' + canonicalJson(o[k]))
      .join(',') +
    '}'
  );
}

/** Longest text kept in a column of the record (indexed columns must stay under PostgreSQL's btree row limit). */
export const AUDIT_FIELD_MAX = 500;
/** Longest text kept inside the record's diff. */
export const AUDIT_DIFF_TEXT_MAX = 4000;

export function recordHash(prevHash: string, r: ChainFields): string {
  const canonical = canonicalJson([
    r.seq,
    r.occurred_at.toISOString(),
    r.actor_user_id,
    r.actor_name,
    r.org_id,
    r.credential_id,
    r.action,
    r.object_type,
    r.object_id,
    r.outcome,
    r.client_ip,
    r.request_id,
    r.diff ?? null,
  ]);
  return sm3Hex(prevHash + '\n' + canonical);
}

export type ChainProblem =
  | { seq: number; kind: 'altered'; detail: string }
  | { seq: number; kind: 'removed'; detail: string }
  | { seq: number; kind: 'reordered'; detail: string };

/**
 * Walks records in seq order and reports every problem, not only the first: after a break it goes on from the
 * record as stored (its seq and hash), so tampering further on is still found. Stateful so it can stream.
 */
export class ChainVerifier {
  private expectedSeq = 1;
  private prevHash = GENESIS_HASH;
  /** records read */
  count = 0;
  /** records that verified */
  intact = 0;
  head: { seq: number; hash: string } | null = null;

  check(r: ChainFields & { prev_hash: string; hash: string }): ChainProblem[] {
    const problems: ChainProblem[] = [];
    if (r.seq > this.expectedSeq)
      problems.push({
        seq: r.seq,
        kind: 'removed',
        detail: `records ${this.expectedSeq}..${r.seq - 1} are missing (deleted)`,
      });
    if (r.seq < this.expectedSeq)
      problems.push({
        seq: r.seq,
        kind: 'reordered',
        detail: `record ${r.seq} appears again after ${this.expectedSeq - 1}`,
      });
    else if (r.prev_hash !== this.prevHash && problems.length === 0)
      problems.push({
        seq: r.seq,
        kind: 'reordered',
        detail: `record ${r.seq} does not link to record ${r.seq - 1}: records were reordered, or one before it was replaced`,
      });
    if (recordHash(r.prev_hash, r) !== r.hash)
      problems.push({ seq: r.seq, kind: 'altered', detail: `record ${r.seq} was altered after it was written` });
    this.expectedSeq = Math.max(this.expectedSeq, r.seq + 1);
    this.prevHash = r.hash;
    this.count++;
    if (problems.length === 0) this.intact++;
    this.head = { seq: r.seq, hash: r.hash };
    return problems;
  }
}
