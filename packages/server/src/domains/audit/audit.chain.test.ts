import { it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { describeEachDb } from '../../testing/test-env.ts';
import { systemContext } from '../../platform/context.ts';
import { verifyChain, writeAudit } from './audit.service.ts';
import { canonicalJson } from './audit.chain.ts';
import type { Db } from '../../db/database.ts';

/** Tampering as a database superuser would: with triggers off for this transaction. */
async function tamper(db: Db, statement: ReturnType<typeof sql>) {
  await db.transaction().execute(async (trx) => {
    await sql`SET LOCAL session_replication_role = replica`.execute(trx);
    await statement.execute(trx);
  });
}

async function writeSome(db: Db, n: number) {
  for (let i = 0; i < n; i++)
    await db.transaction().execute((trx) => writeAudit(trx, systemContext('test'), { action: `test.step${i}`, objectType: 'thing', objectId: String(i), diff: { n: [i, i + 1], 名称: ['甲', '乙'] } }));
}

async function lastSeq(db: Db) {
  const r = await db.selectFrom('audit_record').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirstOrThrow();
  return Number(r.m);
}

describeEachDb('audit hash chain', (env) => {
  it('verifies an intact chain and refuses UPDATE, DELETE and TRUNCATE', async () => {
    const db = env().database.db;
    await writeSome(db, 6);
    const ok = await verifyChain(db);
    assert.equal(ok.ok, true, JSON.stringify(ok.problem));
    assert.ok(ok.count >= 6);
    await assert.rejects(sql`UPDATE audit_record SET action = 'x' WHERE seq = 1`.execute(db), /append-only/);
    await assert.rejects(sql`DELETE FROM audit_record WHERE seq = 1`.execute(db), /append-only/);
    await assert.rejects(sql`TRUNCATE audit_record`.execute(db), /append-only/);
  });

  it('names an altered record', async () => {
    const db = env().database.db;
    await writeSome(db, 3);
    const target = (await lastSeq(db)) - 1;
    await tamper(db, sql`UPDATE audit_record SET object_id = 'forged' WHERE seq = ${target}`);
    const r = await verifyChain(db);
    assert.equal(r.ok, false);
    assert.deepEqual([r.problem?.seq, r.problem?.kind], [target, 'altered']);
  });
});

describeEachDb('audit hash chain: removal', (env) => {
  it('names where a record was deleted', async () => {
    const db = env().database.db;
    await writeSome(db, 5);
    await tamper(db, sql`DELETE FROM audit_record WHERE seq = 3`);
    const r = await verifyChain(db);
    assert.equal(r.ok, false);
    assert.equal(r.problem?.kind, 'removed');
    assert.equal(r.problem?.seq, 4);
    assert.match(r.problem!.detail, /3\.\.3 are missing/);
  });
});

describeEachDb('audit hash chain: reordering', (env) => {
  it('names two records swapped', async () => {
    const db = env().database.db;
    await writeSome(db, 5);
    await tamper(db, sql`UPDATE audit_record SET seq = -1 WHERE seq = 2`);
    await tamper(db, sql`UPDATE audit_record SET seq = 2 WHERE seq = 3`);
    await tamper(db, sql`UPDATE audit_record SET seq = 3 WHERE seq = -1`);
    const r = await verifyChain(db);
    assert.equal(r.ok, false);
    assert.deepEqual([r.problem?.seq, r.problem?.kind], [2, 'reordered']);
  });
});

describeEachDb('audit writes in the same transaction as the change', (env) => {
  it('a rolled-back change leaves no audit record, and concurrent writers keep one chain', async () => {
    const db = env().database.db;
    const before = await lastSeq(db);
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await writeAudit(trx, systemContext('test'), { action: 'test.rolled_back' });
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await lastSeq(db), before);
    await Promise.all(Array.from({ length: 8 }, (_, i) => db.transaction().execute((trx) => writeAudit(trx, systemContext('test'), { action: `test.concurrent${i}` }))));
    const r = await verifyChain(db);
    assert.equal(r.ok, true, JSON.stringify(r.problem));
    assert.equal(await lastSeq(db), before + 8);
  });
});

it('canonical JSON does not depend on key order (jsonb reorders keys)', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: '名' } }), canonicalJson({ a: { c: '名', d: [1, { x: 1, y: 2 }] }, b: 1 }));
  assert.notEqual(canonicalJson({ a: 1 }), canonicalJson({ a: '1' }));
});
