// Sync (changes since a cursor) over the API on both databases: the first sync is a full copy of the grant's rows
// in pages; then an upsert batch reports the rows it changed and, as deleted, a row that left the grant's filter;
// a replacement reports the keys it removed; a key the grant never served is never named; a copy kept by applying
// the changes equals the grant's rows; a tampered cursor is refused; a grant without the key cannot sync.
import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb, type Reply } from '../../testing/test-env.ts';
import { personCsv } from '../../testing/ingest-fixtures.ts';
import {
  clearKeyProfile,
  grantedCase,
  ownerResource,
  sharingWorld,
  type SharingWorld,
} from '../../testing/sharing-fixtures.ts';

const HEADER = '公民身份号码,姓名,联系电话,救助金额,家庭人口数,批准日期,救助类别,是否在保';
/** personCsv's row i, with its level replaced. */
const rowOf = (i: number, level?: string) => {
  const line = personCsv(1, i).split('\r\n')[1]!.split(',');
  if (level) line[6] = level;
  return line.join(',');
};
const levelOf = (i: number) => ['A类', 'B类', 'C类'][i % 3]!;

type Changes = { changes: { op: 'upsert' | 'delete'; record: Record<string, unknown> }[]; next: string; more: boolean };

describeEachDb('sharing: sync (changes since a cursor)', (env) => {
  let w: SharingWorld;
  let resource: { id: string };
  let grantId: string;
  /** the consumer's copy: key → row */
  const copy = new Map<string, Record<string, unknown>>();
  let cursor = '';

  /** Syncs until nothing more waits, applying the changes to the copy; returns the changes seen. */
  const syncAll = async (limit = 4) => {
    const seen: Changes['changes'] = [];
    for (let n = 0; n < 100; n++) {
      const r: Reply = await w.system.get(
        `/api/share/grants/${grantId}/changes?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      assert.equal(r.status, 200, r.body);
      const got = r.json as Changes;
      for (const c of got.changes) {
        const id = String(c.record.id_no);
        if (c.op === 'upsert') copy.set(id, c.record);
        else copy.delete(id);
      }
      seen.push(...got.changes);
      cursor = got.next;
      if (!got.more) return seen;
    }
    throw new Error('the feed did not end');
  };
  /** The grant's rows now, through the rows service. */
  const served = async () => {
    const rows = new Map<string, Record<string, unknown>>();
    let next: string | null = null;
    do {
      const r: Reply = await w.system.get(
        `/api/share/grants/${grantId}/rows?limit=1000${next ? `&cursor=${next}` : ''}`,
      );
      for (const row of r.json.rows) rows.set(row.id_no, row);
      next = r.json.next;
    } while (next);
    return rows;
  };
  const load = async (mode: 'upsert' | 'replace', lines: string[]) => {
    const up = await w.owner.req(
      'POST',
      `/api/ingest/resources/${resource.id}/upload?mode=${mode}`,
      [HEADER, ...lines].join('\r\n'),
      { 'content-type': 'text/csv' },
    );
    assert.equal(up.status, 200, up.body);
    assert.equal(up.json.batch.rejected, 0, up.body);
  };

  before(async () => {
    w = await sharingWorld(env());
    resource = await ownerResource(w, {}, 30);
    const profileId = await clearKeyProfile(w, resource.id);
    ({ grantId } = await grantedCase(w, resource.id, {
      apply: { items: ['id_no', 'name', 'mobile', 'amount', 'level'] },
      consent: { rowFilter: "救助类别 = 'A类'", maskingProfileId: profileId },
    }));
    const bind = await w.consumer.put(`/api/sharing/grants/${grantId}/credentials`, {
      credentialIds: [w.credentialId],
    });
    assert.equal(bind.status, 200, bind.body);
  });

  it('the first sync is a full copy of the grant’s rows, in pages, masked as the grant says', async () => {
    const seen = await syncAll();
    assert.equal(seen.length, 10, 'the ten A rows of thirty');
    assert.ok(seen.every((c) => c.op === 'upsert'));
    assert.deepEqual(copy, await served());
    for (const row of copy.values()) assert.doesNotMatch(String(row.mobile), /^139\d{8}$/, 'mobiles stay masked');
    // nothing new: an empty page, the same place to go on from
    const again = await w.system.get(`/api/share/grants/${grantId}/changes?cursor=${cursor}`);
    assert.equal(again.status, 200, again.body);
    assert.deepEqual(again.json.changes, []);
    assert.equal(again.json.more, false);
  });

  it('an upsert batch: the rows it changed, a new row, and a row that left the filter as deleted', async () => {
    // row 0 (A) becomes C: it leaves the grant; row 3 (A) is loaded again; row 30 (A) is new; row 1 (B) stays out
    await load('upsert', [rowOf(0, 'C类'), rowOf(3), rowOf(30), rowOf(1)]);
    const seen = await syncAll();
    const ops = seen.map((c) => `${c.op} ${c.record.id_no}`);
    const id = (i: number) => String(personCsv(1, i).split('\r\n')[1]!.split(',')[0]);
    assert.ok(ops.includes(`delete ${id(0)}`), ops.join('\n'));
    assert.ok(ops.includes(`upsert ${id(3)}`));
    assert.ok(ops.includes(`upsert ${id(30)}`));
    assert.ok(!ops.some((o) => o.endsWith(id(1))), 'a row outside the filter is not named at all');
    const del = seen.find((c) => c.op === 'delete')!;
    assert.deepEqual(Object.keys(del.record), ['id_no'], 'a delete names the key only');
    assert.deepEqual(copy, await served());
  });

  it('a replacement: the keys it removed are deleted, the rows it brought back are upserted', async () => {
    // rows 0..20 come back as they were generated; 21..30 are gone
    await load(
      'replace',
      Array.from({ length: 21 }, (_, i) => rowOf(i)),
    );
    const seen = await syncAll(7);
    const deleted = seen.filter((c) => c.op === 'delete').map((c) => String(c.record.id_no));
    const id = (i: number) => String(personCsv(1, i).split('\r\n')[1]!.split(',')[0]);
    for (const i of [21, 24, 27, 30]) assert.ok(deleted.includes(id(i)), `row ${i} (A) deleted`);
    // a key the grant never served is never named, not even as deleted
    for (const i of [22, 23, 25, 26, 28, 29]) assert.ok(!deleted.includes(id(i)), `row ${i} (not A) is not named`);
    for (let i = 0; i <= 20; i++) assert.ok(!deleted.includes(id(i)), `row ${i} came back: not deleted`);
    assert.ok(
      seen.some((c) => c.op === 'upsert' && c.record.id_no === id(0)),
      'row 0 is A again: back in the grant',
    );
    assert.deepEqual(copy, await served());
    assert.equal(copy.size, Array.from({ length: 21 }, (_, i) => levelOf(i)).filter((l) => l === 'A类').length);
  });

  it('a tampered cursor or a cursor of another service is refused; a grant without the key cannot sync', async () => {
    const [body] = cursor.split('.');
    const forged = Buffer.from(JSON.stringify({ c: { seq: 0, phase: 'done', key: null }, q: 'changes' })).toString(
      'base64url',
    );
    assert.notEqual(forged, body);
    const t = await w.system.get(`/api/share/grants/${grantId}/changes?cursor=${forged}.${cursor.split('.')[1]}`);
    assert.equal(t.status, 400, t.body);
    const page = await w.system.get(`/api/share/grants/${grantId}/rows?limit=1`);
    const other = await w.system.get(`/api/share/grants/${grantId}/changes?cursor=${page.json.next}`);
    assert.equal(other.status, 400, other.body);
    const noKey = await grantedCase(w, resource.id, { apply: { items: ['name', 'level'] } });
    await w.consumer.put(`/api/sharing/grants/${noKey.grantId}/credentials`, { credentialIds: [w.credentialId] });
    const r = await w.system.get(`/api/share/grants/${noKey.grantId}/changes`);
    assert.equal(r.status, 409, r.body);
    assert.match(r.json.message.zh, /主键/);
    const trail = await w.centerAdmin.get(`/api/audit?action=share.sync&limit=100`);
    assert.ok(trail.json.items.length >= 5);
  });
});
