// Writes audit records inside the caller's transaction, lists and exports them, verifies the chain.
import type { Db, DbOrTrx } from '../../db/database.ts';
import type { RequestContext } from '../../platform/context.ts';
import { actorName } from '../../platform/context.ts';
import {
  AUDIT_DIFF_TEXT_MAX,
  AUDIT_FIELD_MAX,
  ChainVerifier,
  GENESIS_HASH,
  recordHash,
  type ChainProblem,
} from './audit.chain.ts';
import { storableJson, storableText } from '../../platform/text.ts';
import * as repo from './audit.repository.ts';

export interface AuditEntry {
  action: string;
  objectType?: string | null;
  objectId?: string | null;
  outcome?: 'success' | 'denied' | 'failure';
  diff?: unknown;
  /** organisation the record belongs to when it is not the actor's own (e.g. a failed log-in) */
  orgId?: string | null;
}

/** Append one record. Call it inside the same transaction as the change it records. */
export async function writeAudit(trx: DbOrTrx, ctx: RequestContext, e: AuditEntry): Promise<number> {
  const head = await repo.lockChainAndGetHead(trx);
  const a = ctx.actor;
  // Every text is put in its stored form first, so the hash covers exactly what the database keeps.
  const text = (s: string | null | undefined) =>
    s === null || s === undefined ? null : storableText(s, AUDIT_FIELD_MAX);
  const rec = {
    seq: (head?.seq ?? 0) + 1,
    occurred_at: new Date(),
    actor_user_id: a?.kind === 'user' ? a.userId : null,
    actor_name: text(actorName(a)),
    org_id: e.orgId !== undefined ? e.orgId : (a?.orgId ?? null),
    credential_id: a?.kind === 'credential' ? a.credentialId : null,
    action: text(e.action)!,
    object_type: text(e.objectType),
    object_id: text(e.objectId),
    outcome: e.outcome ?? 'success',
    client_ip: text(ctx.ip),
    request_id: text(ctx.requestId),
    diff: e.diff === undefined ? null : storableJson(e.diff, AUDIT_DIFF_TEXT_MAX),
  } as const;
  const prev = head?.hash ?? GENESIS_HASH;
  await repo.insertRecord(trx, { ...rec, prev_hash: prev, hash: recordHash(prev, rec) });
  return rec.seq;
}

/** Compact diff of two flat objects: { field: [before, after] } for fields that changed. Secrets are redacted. */
export function diffOf(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
  redact: string[] = [],
) {
  const out: Record<string, [unknown, unknown]> = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const k of keys) {
    if (k === 'updated_at' || k === 'created_at') continue;
    const b = before?.[k] ?? null;
    const a = after?.[k] ?? null;
    if (JSON.stringify(b) !== JSON.stringify(a)) out[k] = redact.includes(k) ? ['[redacted]', '[redacted]'] : [b, a];
  }
  return out;
}

/** At most this many problems are listed; `problemCount` counts them all. */
export const VERIFY_PROBLEMS_LISTED = 1000;

export interface ChainReport {
  ok: boolean;
  /** records read */
  count: number;
  /** records that verified */
  intact: number;
  head: { seq: number; hash: string } | null;
  /** the first problem (kept for callers that read one) */
  problem: ChainProblem | null;
  /** every problem, in seq order, at most VERIFY_PROBLEMS_LISTED */
  problems: ChainProblem[];
  problemCount: number;
}

/** Walks the whole chain and reports every altered, removed or reordered record. */
export async function verifyChain(db: Db): Promise<ChainReport> {
  const v = new ChainVerifier();
  const problems: ChainProblem[] = [];
  let problemCount = 0;
  for await (const r of repo.streamRecords(db, {}, 'asc')) {
    for (const p of v.check(r)) {
      problemCount++;
      if (problems.length < VERIFY_PROBLEMS_LISTED) problems.push(p);
    }
  }
  return {
    ok: problemCount === 0,
    count: v.count,
    intact: v.intact,
    head: v.head,
    problem: problems[0] ?? null,
    problems,
    problemCount,
  };
}

export { listRecords, streamRecords, type AuditFilter } from './audit.repository.ts';
