import { it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { describeEachDb } from '../../testing/test-env.ts';
import { systemContext } from '../../platform/context.ts';
import { AuditBatcher, verifyChain, writeAudit } from './audit.service.ts';
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
    await db.transaction().execute((trx) =>
      writeAudit(trx, systemContext('test'), {
        // actions and kinds the vocabulary does not know: the chain stores and hashes any text
        action: `test.step${i}` as never,
        objectType: 'thing' as never,
        objectId: String(i),
        diff: { n: [i, i + 1], 名称: ['甲', '乙'] },
      }),
    );
}

async function lastSeq(db: Db) {
  const r = await db
    .selectFrom('audit_record')
    .select((eb) => eb.fn.max('seq').as('m'))
    .executeTakeFirstOrThrow();
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
        await writeAudit(trx, systemContext('test'), { action: 'test.rolled_back' as never });
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await lastSeq(db), before);
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        db
          .transaction()
          .execute((trx) => writeAudit(trx, systemContext('test'), { action: `test.concurrent${i}` as never })),
      ),
    );
    const r = await verifyChain(db);
    assert.equal(r.ok, true, JSON.stringify(r.problem));
    assert.equal(await lastSeq(db), before + 8);
  });
});

describeEachDb('audit group commit (AuditBatcher)', (env) => {
  const ctx = systemContext('test');
  // text an array literal would misread unless every element is quoted and escaped
  const awkward = ['NULL', 'a"b\\c{d},e', '', ' 空 格 ', '\u0000'];
  const entry = (i: number) => ({
    action: `test.grouped${i}` as never,
    objectId: awkward[i % awkward.length]!,
    diff: { i, 名称: '甲\u0000乙', lone: '\ud800' },
  });

  it('a group is one statement while its batcher holds the head; losing the race to another writer costs one retry under the lock, and the chain stays whole', async () => {
    const db = env().database.db;
    const before = await lastSeq(db);
    const a = new AuditBatcher(db);
    // the first group reads the head under the lock; the next ones chain from what this batcher wrote
    for (let g = 0; g < 3; g++)
      await Promise.all(Array.from({ length: 4 }, (_, i) => a.append(ctx, entry(i), undefined)));
    const fast = a.stats.fast;
    assert.ok(fast >= 2, `${fast} groups in one statement`);
    assert.deepEqual(a.stats, { fast, raced: 0, locked: 1 });
    // another writer appends: the batcher's head is stale, its next group loses the race and is written under the lock
    await writeSome(db, 1);
    await a.append(ctx, entry(99), undefined);
    assert.deepEqual(a.stats, { fast, raced: 1, locked: 2 });
    // two batchers (two nodes) and ordinary writers at once
    const b = new AuditBatcher(db);
    await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => a.append(ctx, entry(i), undefined)),
      ...Array.from({ length: 40 }, (_, i) => b.append(ctx, entry(i), undefined)),
      writeSome(db, 5),
    ]);
    assert.equal(await lastSeq(db), before + 12 + 1 + 1 + 80 + 5);
    const r = await verifyChain(db);
    assert.equal(r.ok, true, JSON.stringify(r.problem));
    const stored = await db
      .selectFrom('audit_record')
      .select(['diff', 'object_id'])
      .where('seq', '>', before)
      .where('seq', '<=', before + 5)
      .orderBy('seq')
      .execute();
    assert.deepEqual(
      stored.map((r) => (r.diff as { i: number }).i),
      [0, 1, 2, 3, 0],
    );
    assert.deepEqual(
      stored.map((r) => r.object_id),
      ['NULL', 'a"b\\c{d},e', '', ' 空 格 ', 'NULL'],
    );
  });

  it("the owner's writes go in the same statement: when one fails, the group's records are not written and every call is refused", async () => {
    const db = env().database.db;
    const before = await lastSeq(db);
    let fail = false;
    let seen: unknown[] = [];
    const a = new AuditBatcher<string>(db, {
      group: (keys) => ({
        also: {
          counts: fail
            ? sql`INSERT INTO rate_limit_counter (key, count, window_ends) VALUES (NULL, 1, now()) RETURNING key`
            : sql`INSERT INTO rate_limit_counter (key, count, window_ends) VALUES (${keys[0]!}, ${keys.length}, now())
                  ON CONFLICT (key) DO UPDATE SET count = rate_limit_counter.count + excluded.count RETURNING key, count`,
        },
        committed: (r) => (seen = r.counts!),
      }),
    });
    await Promise.all([a.append(ctx, entry(1), 'test-batch-key'), a.append(ctx, entry(2), 'test-batch-key')]);
    assert.equal(await lastSeq(db), before + 2);
    assert.deepEqual(seen, [{ key: 'test-batch-key', count: 2 }]);
    fail = true;
    const calls = [a.append(ctx, entry(3), 'x'), a.append(ctx, entry(4), 'x')];
    for (const c of calls) await assert.rejects(c, /null value|not-null|NOT NULL/i);
    assert.equal(await lastSeq(db), before + 2);
    fail = false;
    await a.append(ctx, entry(5), 'test-batch-key');
    assert.equal(await lastSeq(db), before + 3);
    assert.deepEqual(seen, [{ key: 'test-batch-key', count: 3 }]);
    assert.equal((await verifyChain(db)).ok, true);
  });
});

it('canonical JSON does not depend on key order (jsonb reorders keys)', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: '名' } }),
    canonicalJson({ a: { c: '名', d: [1, { x: 1, y: 2 }] }, b: 1 }),
  );
  assert.notEqual(canonicalJson({ a: 1 }), canonicalJson({ a: '1' }));
});

/** Text a hostile caller can send: every audited field must store and hash it the same way on both databases. */
const HOSTILE_TEXTS = [
  '\ud800',
  'a\udfffb',
  '\udc00\ud800',
  'NUL\u0000inside',
  '\u0000',
  'e\u0301\u0302\u0303', // combining marks
  '\u1e9b\u0323', // ẛ̣: differs in all four normalisation forms
  ...(['NFC', 'NFD', 'NFKC', 'NFKD'] as const).map((f) => '\u1e9b\u0323 Å ﬁ 한글 ①'.normalize(f)),
  '😀'.repeat(3000), // pairs across every cut point
  'x'.repeat(200_000),
  '\u202e\u200b\ufeff', // bidi override, zero-width, BOM
];

describeEachDb('audit hash chain: hostile text', (env) => {
  it('text with lone surrogates, NUL, combining marks, every normalisation form and long strings keeps the chain intact in every field', async () => {
    const db = env().database.db;
    for (const t of HOSTILE_TEXTS) {
      const ctx = {
        actor: {
          kind: 'user',
          userId: '00000000-0000-4000-8000-000000000001',
          username: t,
          displayName: t,
          orgId: null,
          roles: [],
        } as never,
        requestId: t,
        ip: t,
      };
      await db.transaction().execute((trx) =>
        writeAudit(trx, ctx, {
          action: t as never,
          objectType: t as never,
          objectId: t,
          outcome: 'denied',
          diff: { [t]: [t, { [t]: t }], plain: t, n: 1.5, big: 1234567890123456, deep: [[[[t]]]] },
        }),
      );
    }
    const r = await verifyChain(db);
    assert.equal(r.ok, true, JSON.stringify(r.problems.slice(0, 3)));
    assert.equal(r.problemCount, 0);
  });

  it('hostile user names at the anonymous log-in leave the chain intact', async () => {
    const anon = env().client();
    for (const t of HOSTILE_TEXTS) {
      const res = await anon.req('POST', '/api/auth/login', `{"username":${JSON.stringify(t)},"password":"wrong"}`);
      assert.ok(res.status >= 400 && res.status < 500, `${res.status} ${res.body.slice(0, 200)}`);
    }
    // a lone surrogate written as a JSON escape, as the probe sent it
    const raw = await anon.req('POST', '/api/auth/login', '{"username":"\\ud800","password":"\\udc00x"}');
    assert.equal(raw.status, 400);
    assert.equal(raw.json.code, 'request.invalid_unicode');
    const r = await verifyChain(env().database.db);
    assert.equal(r.ok, true, JSON.stringify(r.problems.slice(0, 3)));
  });
});

describeEachDb('audit hash chain: every problem is reported', (env) => {
  it('two altered records and a removal further on are all named, not only the first', async () => {
    const db = env().database.db;
    await writeSome(db, 8);
    const last = await lastSeq(db);
    await tamper(db, sql`UPDATE audit_record SET object_id = 'forged' WHERE seq = ${last - 6}`);
    await tamper(db, sql`UPDATE audit_record SET action = 'forged' WHERE seq = ${last - 3}`);
    await tamper(db, sql`DELETE FROM audit_record WHERE seq = ${last - 1}`);
    const r = await verifyChain(db);
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.problems.map((p) => [p.seq, p.kind]),
      [
        [last - 6, 'altered'],
        [last - 3, 'altered'],
        [last, 'removed'],
      ],
    );
    assert.equal(r.problemCount, 3);
    assert.equal(r.count, last - 1);
    assert.equal(r.intact, last - 1 - 3);
    assert.deepEqual(r.problem, r.problems[0]);
  });
});
