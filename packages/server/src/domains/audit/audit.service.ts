// Writes audit records inside the caller's transaction, lists and exports them, verifies the chain.
import type { Db, DbOrTrx } from '../../db/database.ts';
import type { RequestContext } from '../../platform/context.ts';
import { actorName } from '../../platform/context.ts';
import { ChainVerifier, GENESIS_HASH, recordHash, type ChainProblem } from './audit.chain.ts';
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
  const rec = {
    seq: (head?.seq ?? 0) + 1,
    occurred_at: new Date(),
    actor_user_id: a?.kind === 'user' ? a.userId : null,
    actor_name: actorName(a),
    org_id: e.orgId !== undefined ? e.orgId : (a?.orgId ?? null),
    credential_id: a?.kind === 'credential' ? a.credentialId : null,
    action: e.action,
    object_type: e.objectType ?? null,
    object_id: e.objectId ?? null,
    outcome: e.outcome ?? 'success',
    client_ip: ctx.ip,
    request_id: ctx.requestId,
    diff: e.diff === undefined ? null : JSON.parse(JSON.stringify(e.diff)),
  } as const;
  const prev = head?.hash ?? GENESIS_HASH;
  await repo.insertRecord(trx, { ...rec, prev_hash: prev, hash: recordHash(prev, rec) });
  return rec.seq;
}

/** Compact diff of two flat objects: { field: [before, after] } for fields that changed. Secrets are redacted. */
export function diffOf(before: Record<string, unknown> | null, after: Record<string, unknown> | null, redact: string[] = []) {
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

export async function verifyChain(db: Db): Promise<{ ok: boolean; count: number; head: { seq: number; hash: string } | null; problem: ChainProblem | null }> {
  const v = new ChainVerifier();
  for await (const r of repo.streamRecords(db, {}, 'asc')) {
    const problem = v.check(r);
    if (problem) return { ok: false, count: v.count, head: v.head, problem };
  }
  return { ok: true, count: v.count, head: v.head, problem: null };
}

export { listRecords, streamRecords, type AuditFilter } from './audit.repository.ts';
