// Parameters written into a query as literals (for COPY): quoted so that no value ends its literal, placeholders
// found only outside quotes, anything that is not text or a finite number refused; and what PostgreSQL reads
// back is the value itself, on both databases.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { describeEachDb } from '../testing/test-env.ts';
import { inlineParameters, literal } from './database.ts';

const NASTY = ["O'Brien", "'); DROP TABLE x; --", 'back\\slash', "\\'", '$1', '"quoted"', '长城中路街道', '', 'a\nb'];

describe('db: parameters written in as literals', () => {
  it('quotes text, doubles quotes and backslashes, and keeps numbers', () => {
    assert.equal(literal("O'Brien"), "'O''Brien'");
    assert.equal(literal('a\\b'), " E'a\\\\b'");
    assert.equal(literal(42), '42');
    assert.throws(() => literal(Number.NaN), /not finite/);
    assert.throws(() => literal(null), /cannot be written/);
    assert.throws(() => literal('a\u0000b'), /NUL/);
  });

  it('replaces $n outside quotes only, $10 as itself, and refuses a missing parameter', () => {
    const ten = Array.from({ length: 10 }, (_, i) => `v${i + 1}`);
    assert.equal(
      inlineParameters(`SELECT "a$1", '$2', $1, $10 FROM t WHERE x = $2`, ten),
      `SELECT "a$1", '$2', 'v1', 'v10' FROM t WHERE x = 'v2'`,
    );
    assert.equal(inlineParameters(`SELECT 'it''s $1', $1`, ['x']), `SELECT 'it''s $1', 'x'`);
    assert.throws(() => inlineParameters('SELECT $2', ['x']), /no parameter \$2/);
    assert.throws(() => inlineParameters(`SELECT 'open`, []), /unterminated/);
  });
});

describeEachDb('db: literals read back', (env) => {
  it('each value comes back as it went in', async () => {
    const q = sql<
      Record<string, string>
    >`SELECT ${sql.join(NASTY.map((v, i) => sql`${v}::text AS ${sql.raw(`"c${i}"`)}`))}`.compile(env().database.db);
    const text = inlineParameters(q.sql, q.parameters);
    const { rows } = await sql<Record<string, string>>`${sql.raw(text)}`.execute(env().database.db);
    NASTY.forEach((v, i) => assert.equal(rows[0]![`c${i}`], v));
  });
});
