// The data services of a grant, over the API with the consumer's API credential, on both databases: nothing outside
// the grant leaves (items, rows, counts), values are masked as the grant says, verify says match or no match and
// never a stored value, a tampered cursor and a filter injection are refused and kept on the trail, a grant that is
// suspended, revoked or expired serves nothing, a credential not bound to the grant is refused, the rate limit
// answers 429 with Retry-After, the daily quota holds, and every call has its access record in the SM3 chain.
import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb, type Reply } from '../../testing/test-env.ts';
import { personResource, residentId } from '../../testing/ingest-fixtures.ts';
import { todayInShanghai } from '../calendar/index.ts';
import {
  clearKeyProfile,
  grantedCase,
  ownerResource,
  sharingWorld,
  type SharingWorld,
} from '../../testing/sharing-fixtures.ts';

const ROWS = 30;
/** The generator's row i (testing/ingest-fixtures personCsv). */
const person = (i: number) => ({
  id_no: residentId('1950-01-01', i),
  name: `张${'伟芳娜敏静'[i % 5]}${i}`,
  mobile: `139${String(i).padStart(8, '0')}`,
  members: 1 + (i % 6),
  level: ['A类', 'B类', 'C类'][i % 3]!,
});
const A_ROWS = Array.from({ length: ROWS }, (_, i) => person(i)).filter((p) => p.level === 'A类');
const B_ROW = person(1);

describeEachDb('sharing: data services', (env) => {
  let w: SharingWorld;
  let resource: { id: string; code: string };
  let grantId: string;
  let profileId: string;
  const base = () => `/api/share/grants/${grantId}`;
  const q = (params: Record<string, string | number>) =>
    new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();

  const refusals = async (action: 'access.refused' | 'access.denied') =>
    (await w.centerAdmin.get(`/api/audit?action=${action}&limit=200`)).json.items as {
      objectId: string;
      diff: { reason?: string; code?: string };
    }[];

  before(async () => {
    w = await sharingWorld(env());
    resource = await ownerResource(w, {}, ROWS);
    profileId = await clearKeyProfile(w, resource.id);
    ({ grantId } = await grantedCase(w, resource.id, {
      apply: { items: ['id_no', 'name', 'mobile', 'members', 'level'] },
      consent: { rowFilter: "救助类别 = 'A类'", maskingProfileId: profileId },
    }));
  });

  it('query: only the rows of the grant’s filter, only its items, masked as its profile says, in signed cursor pages', async () => {
    const seen: Record<string, unknown>[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: Reply = await w.system.get(`${base()}/rows?${q({ limit: 4, ...(cursor ? { cursor } : {}) })}`);
      assert.equal(r.status, 200, r.body);
      assert.deepEqual(Object.keys(r.json).sort(), ['items', 'next', 'rows'], 'no count of any kind');
      seen.push(...r.json.rows);
      cursor = r.json.next;
      pages++;
    } while (cursor && pages < 10);
    assert.equal(pages, 3);
    assert.deepEqual(seen.map((r) => r.id_no).sort(), A_ROWS.map((p) => p.id_no).sort());
    for (const row of seen) {
      assert.deepEqual(Object.keys(row).sort(), ['id_no', 'level', 'members', 'mobile', 'name']);
      assert.equal(row.level, 'A类');
      const p = A_ROWS.find((x) => x.id_no === row.id_no)!;
      assert.equal(row.name, p.name, 'the profile gives names in clear');
      assert.notEqual(row.mobile, p.mobile, 'mobiles stay masked');
      assert.doesNotMatch(String(row.mobile), /^1[3-9]\d{9}$/, 'a masked mobile is not a mobile');
      assert.equal(typeof row.members, 'number');
    }
    const first = (await w.system.get(`${base()}/rows?limit=1`)).json;
    assert.deepEqual(
      first.items.map((i: { code: string; masked: boolean }) => [i.code, i.masked]),
      [
        ['id_no', false],
        ['name', false],
        ['mobile', true],
        ['members', false],
        ['level', false],
      ],
    );
  });

  it('query: a where and a sort on granted items in clear; a masked item cannot be filtered on', async () => {
    const r = await w.system.get(`${base()}/rows?${q({ where: '家庭人口数 >= 3', sort: 'members', order: 'desc' })}`);
    assert.equal(r.status, 200, r.body);
    const want = A_ROWS.filter((p) => p.members >= 3);
    assert.deepEqual(r.json.rows.map((x: { id_no: string }) => x.id_no).sort(), want.map((p) => p.id_no).sort());
    const members = r.json.rows.map((x: { members: number }) => x.members);
    assert.deepEqual(
      members,
      [...members].sort((a, b) => b - a),
    );
    const fields = await w.system.get(`${base()}/rows?${q({ fields: 'id_no,name', where: "姓名 LIKE '张伟%'" })}`);
    assert.equal(fields.status, 200, fields.body);
    assert.ok(fields.json.rows.every((x: object) => Object.keys(x).join() === 'id_no,name'));

    const masked = await w.system.get(`${base()}/rows?${q({ where: `联系电话 = '${A_ROWS[0]!.mobile}'` })}`);
    assert.equal(masked.status, 400);
    assert.equal(masked.json.errors[0].field, 'where');
    const sorted = await w.system.get(`${base()}/rows?${q({ sort: 'mobile' })}`);
    assert.equal(sorted.status, 400);
    const reasons = (await refusals('access.refused')).map((x) => x.diff.reason);
    assert.ok(reasons.includes('masked_item'), `${reasons}`);
  });

  it('nothing outside the grant: not an item, not a row, not a count', async () => {
    // an item the grant does not give (the amount), in fields, where or sort
    for (const url of [
      `${base()}/rows?${q({ fields: 'id_no,amount' })}`,
      `${base()}/rows?${q({ where: '救助金额 > 0' })}`,
      `${base()}/rows?${q({ sort: 'amount' })}`,
    ]) {
      const r = await w.system.get(url);
      assert.equal(r.status, 400, `${url}: ${r.body}`);
    }
    // the consumer's where cannot widen the grant's filter
    const widen = await w.system.get(
      `${base()}/rows?${q({ where: "救助类别 = 'B类' OR 救助类别 = 'A类'", limit: 100 })}`,
    );
    assert.equal(widen.status, 200, widen.body);
    assert.ok(widen.json.rows.every((x: { level: string }) => x.level === 'A类'));
    const onlyB = await w.system.get(`${base()}/rows?${q({ where: "救助类别 = 'B类'" })}`);
    assert.deepEqual(onlyB.json.rows, [], 'rows outside the filter are not there, and nothing says how many');
    assert.equal(onlyB.json.next, null);
    // a key outside the filter is as absent as a key that does not exist
    const outside = await w.system.get(`${base()}/lookup?${q({ id_no: B_ROW.id_no })}`);
    const nowhere = await w.system.get(`${base()}/lookup?${q({ id_no: residentId('1990-03-07', 123) })}`);
    assert.equal(outside.status, 404);
    assert.equal(nowhere.status, 404);
    assert.deepEqual(outside.json.message, nowhere.json.message);
    const reasons = (await refusals('access.refused')).map((x) => x.diff.reason);
    assert.ok(reasons.includes('outside_grant'), `${reasons}`);
  });

  it('a filter injection is refused with the place of the error, and audited', async () => {
    for (const where of [
      "姓名 = 'x' OR 1=1",
      "姓名 = 'x'; DROP TABLE audit_record; --",
      "姓名 = 'x' UNION SELECT * FROM app_user",
      '姓名 = pg_sleep(5)',
      "\"姓名\" = 'x') OR ('1'='1",
    ]) {
      const r = await w.system.get(`${base()}/rows?${q({ where })}`);
      assert.equal(r.status, 400, `${where}: ${r.body}`);
      assert.equal(r.json.errors[0].field, 'where');
      assert.match(r.json.errors[0].message.zh, /第 \d+ 个字符/);
    }
    const reasons = (await refusals('access.refused')).map((x) => x.diff.reason);
    assert.ok(reasons.includes('bad_filter'), `${reasons}`);
    // the data is still there
    assert.equal((await w.system.get(`${base()}/rows?limit=1`)).status, 200);
  });

  it('a tampered cursor, or one from another query, is refused', async () => {
    const page = (await w.system.get(`${base()}/rows?limit=2`)).json;
    const cursor: string = page.next;
    const [body, mac] = cursor.split('.');
    const decoded = JSON.parse(Buffer.from(body!, 'base64url').toString());
    decoded.e.key = [A_ROWS[0]!.id_no];
    const forged = `${Buffer.from(JSON.stringify(decoded)).toString('base64url')}.${mac}`;
    for (const c of [forged, `${body}.${'A'.repeat(22)}`, 'garbage', `${body}`]) {
      const r = await w.system.get(`${base()}/rows?${q({ limit: 2, cursor: c })}`);
      assert.equal(r.status, 400, r.body);
      assert.equal(r.json.code, 'sharing.bad_cursor');
    }
    const other = await w.system.get(`${base()}/rows?${q({ limit: 2, cursor, where: '家庭人口数 >= 1' })}`);
    assert.equal(other.status, 400);
    assert.equal(other.json.code, 'sharing.cursor_of_another_query');
    const reasons = (await refusals('access.refused')).map((x) => x.diff.reason);
    assert.ok(reasons.includes('tampered_cursor'), `${reasons}`);
  });

  it('lookup by key: the record within the grant, masked; a bad key is named', async () => {
    const p = A_ROWS[1]!;
    const r = await w.system.get(`${base()}/lookup?${q({ id_no: p.id_no })}`);
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.record.name, p.name);
    assert.notEqual(r.json.record.mobile, p.mobile);
    const some = await w.system.get(`${base()}/lookup?${q({ id_no: p.id_no, fields: 'name' })}`);
    assert.deepEqual(some.json.record, { name: p.name });
    const bad = await w.system.get(`${base()}/lookup?${q({ id_no: '640106199003071237' })}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.json.errors[0].field, 'id_no');
    const none = await w.system.get(`${base()}/lookup`);
    assert.equal(none.status, 400);
  });

  it('verify: match or no match per item; no stored value leaves', async () => {
    const p = A_ROWS[2]!;
    const yes = await w.system.post(`${base()}/verify`, { values: { id_no: p.id_no, name: p.name, mobile: p.mobile } });
    assert.equal(yes.status, 200, yes.body);
    assert.deepEqual(yes.json, { result: { id_no: 'match', name: 'match', mobile: 'match' } });
    const wrong = await w.system.post(`${base()}/verify`, {
      values: { id_no: p.id_no, name: '李四', mobile: '13900000000' },
    });
    assert.deepEqual(wrong.json, { result: { id_no: 'match', name: 'no_match', mobile: 'no_match' } });
    for (const v of [p.name, p.mobile, String(p.members)]) assert.ok(!wrong.body.includes(v), `${v} left`);
    const outside = await w.system.post(`${base()}/verify`, { values: { id_no: B_ROW.id_no, name: B_ROW.name } });
    assert.deepEqual(outside.json, { result: { id_no: 'no_match', name: 'no_match' } }, 'outside the filter: no');
    const notGranted = await w.system.post(`${base()}/verify`, { values: { id_no: p.id_no, amount: '100.50' } });
    assert.equal(notGranted.status, 400);
  });

  it('masking is per grant: the same resource under the default profile gives no name in clear', async () => {
    const other = await grantedCase(w, resource.id, { apply: { items: ['id_no', 'name', 'level'] } });
    const r = await w.system.get(`/api/share/grants/${other.grantId}/rows?limit=50`);
    assert.equal(r.status, 200, r.body);
    const names = new Set(Array.from({ length: ROWS }, (_, i) => person(i).name));
    const ids = new Set(Array.from({ length: ROWS }, (_, i) => person(i).id_no));
    assert.equal(r.json.rows.length, ROWS);
    for (const row of r.json.rows) {
      assert.ok(!names.has(row.name), `name ${row.name} in clear`);
      assert.ok(!ids.has(row.id_no), `id ${row.id_no} in clear`);
    }
    // the key is masked here: lookup by key is refused (verify instead)
    const look = await w.system.get(`/api/share/grants/${other.grantId}/lookup?${q({ id_no: person(0).id_no })}`);
    assert.equal(look.status, 400);
    const ver = await w.system.post(`/api/share/grants/${other.grantId}/verify`, {
      values: { id_no: person(0).id_no, name: person(0).name },
    });
    assert.deepEqual(ver.json, { result: { id_no: 'match', name: 'match' } });
  });

  it('credentials: another unit’s system, an unbound and a revoked credential are refused', async () => {
    const stranger = await env().as('unit_admin');
    const theirs = env().client();
    theirs.bearer = (await stranger.post('/api/credentials', { systemName: '别的单位系统' })).json.token;
    const r = await theirs.get(`${base()}/rows?limit=1`);
    assert.equal(r.status, 403);
    const second = await w.consumer.post('/api/credentials', { systemName: '另一系统' });
    const unbound = env().client();
    unbound.bearer = second.json.token;
    assert.equal((await unbound.get(`${base()}/rows?limit=1`)).status, 403);
    // the consumer's admin binds it; then it may call
    const bind = await w.consumer.put(`/api/sharing/grants/${grantId}/credentials`, {
      credentialIds: [w.credentialId, second.json.id],
    });
    assert.equal(bind.status, 200, bind.body);
    assert.equal((await unbound.get(`${base()}/rows?limit=1`)).status, 200);
    // the owner cannot bind the consumer's credentials; a stranger's credential cannot be bound
    assert.equal((await w.owner.put(`/api/sharing/grants/${grantId}/credentials`, { credentialIds: [] })).status, 403);
    const foreign = await w.consumer.put(`/api/sharing/grants/${grantId}/credentials`, {
      credentialIds: [w.credentialId, (await stranger.get('/api/credentials')).json[0].id],
    });
    assert.equal(foreign.status, 400);
    // a revoked credential is no credential at all
    assert.equal((await w.consumer.post(`/api/credentials/${second.json.id}/revoke`)).status, 200);
    assert.equal((await unbound.get(`${base()}/rows?limit=1`)).status, 401);
    // a user's session is not a system
    assert.equal((await w.consumer.get(`${base()}/rows?limit=1`)).status, 403);
    const denied = await refusals('access.denied');
    assert.ok(denied.some((x) => x.objectId.includes('/api/share/grants/:id/rows')));
  });

  it('suspended, resumed, expired and revoked: only an active grant serves', async () => {
    const { grantId: g } = await grantedCase(w, resource.id, { apply: { items: ['id_no', 'level'] } });
    const url = `/api/share/grants/${g}/rows?limit=1`;
    assert.equal((await w.system.get(url)).status, 200);
    const noReason = await w.owner.post(`/api/sharing/grants/${g}/state`, { action: 'suspend' });
    assert.equal(noReason.status, 400);
    assert.equal(
      (await w.consumer.post(`/api/sharing/grants/${g}/state`, { action: 'suspend', reason: 'x' })).status,
      403,
    );
    assert.equal(
      (await w.owner.post(`/api/sharing/grants/${g}/state`, { action: 'suspend', reason: '数据核查期间暂停' })).status,
      204,
    );
    const s = await w.system.get(url);
    assert.equal(s.status, 403);
    assert.equal(s.json.code, 'sharing.grant_suspended');
    assert.equal((await w.reviewer.post(`/api/sharing/grants/${g}/state`, { action: 'resume' })).status, 204);
    assert.equal((await w.system.get(url)).status, 200);

    const share = env().app.services.share;
    const realToday = share.today;
    try {
      share.today = () => '2099-01-01';
      const e = await w.system.get(url);
      assert.equal(e.status, 403);
      assert.equal(e.json.code, 'sharing.grant_expired');
    } finally {
      share.today = realToday;
    }
    assert.equal(
      (await w.reviewer.post(`/api/sharing/grants/${g}/state`, { action: 'revoke', reason: '超范围使用' })).status,
      204,
    );
    const rv = await w.system.get(url);
    assert.equal(rv.json.code, 'sharing.grant_revoked');
    assert.equal((await w.owner.post(`/api/sharing/grants/${g}/state`, { action: 'resume' })).status, 409);
    // revoked is final: nor can its filter or limits be changed
    const edit = await w.owner.patch(`/api/sharing/grants/${g}`, { dailyRows: 5 });
    assert.equal(edit.status, 409);
    assert.equal(edit.json.code, 'sharing.grant_revoked');
    const view = (await w.consumer.get(`/api/sharing/grants/${g}`)).json;
    assert.equal(view.state, 'revoked');
    assert.equal(view.stateReason, '超范围使用');
  });

  it('an item the catalog removes drops out of the grant: no longer listed as served, never returned', async () => {
    const res = await ownerResource(w, { name: '救助对象联系信息' }, 5);
    const { grantId: g } = await grantedCase(w, res.id, { apply: { items: ['id_no', 'name', 'mobile', 'level'] } });
    const before_ = await w.system.get(`/api/share/grants/${g}/rows?limit=2`);
    assert.ok('mobile' in before_.json.rows[0], before_.body);
    // the owner's next version no longer has the mobile number
    const c = await w.owner.post(`/api/catalog/resources/${res.id}/change`, {
      changeDate: todayInShanghai(),
      reason: '不再采集联系电话',
    });
    assert.equal(c.status, 200, c.body);
    const draft = personResource({ name: '救助对象联系信息' });
    const put = await w.owner.put(`/api/catalog/resources/${res.id}/draft`, {
      ...draft,
      items: draft.items.filter((i) => i.code !== 'mobile'),
    });
    assert.equal(put.status, 200, put.body);
    assert.equal((await w.owner.post(`/api/catalog/resources/${res.id}/submit`)).status, 200);
    const ok = await w.reviewer.post(`/api/catalog/resources/${res.id}/review`, { decision: 'approve' });
    assert.equal(ok.status, 200, ok.body);
    const view = (await w.consumer.get(`/api/sharing/grants/${g}`)).json;
    assert.equal(view.items.find((i: { code: string }) => i.code === 'mobile').served, false);
    assert.equal(view.items.find((i: { code: string }) => i.code === 'name').served, true);
    const after_ = await w.system.get(`/api/share/grants/${g}/rows?limit=2`);
    assert.equal(after_.status, 200, after_.body);
    assert.ok(!('mobile' in after_.json.rows[0]), after_.body);
    assert.deepEqual(
      after_.json.items.map((i: { code: string }) => i.code),
      ['id_no', 'name', 'level'],
    );
    const asked = await w.system.get(`/api/share/grants/${g}/rows?fields=id_no,mobile`);
    assert.equal(asked.status, 400, asked.body);
  });

  it('each grant has its own OpenAPI document: its services, with the granted items as typed schemas', async () => {
    const { grantId: g } = await grantedCase(w, resource.id, { apply: { items: ['id_no', 'members', 'level'] } });
    const doc = await w.system.get(`/api/share/grants/${g}/openapi.json`);
    assert.equal(doc.status, 200, doc.body);
    assert.equal(doc.json.openapi, '3.1.0');
    // the API's services (the grant gives no file method: no export)
    assert.deepEqual(Object.keys(doc.json.paths).sort(), [
      `/api/share/grants/${g}/changes`,
      `/api/share/grants/${g}/lookup`,
      `/api/share/grants/${g}/rows`,
      `/api/share/grants/${g}/verify`,
    ]);
    const props = doc.json.components.schemas.Record.properties;
    assert.deepEqual(Object.keys(props), ['id_no', 'members', 'level'], 'only the granted items');
    assert.deepEqual(props.members.type, ['integer', 'null']);
    assert.deepEqual(props.id_no.type, ['string', 'null'], 'a masked item is served as text');
    assert.match(props.id_no.description, /脱敏/);
    assert.deepEqual(
      doc.json.paths[`/api/share/grants/${g}/lookup`].get.parameters.map((p: { name: string }) => p.name),
      ['id_no'],
    );
    // the consumer's users read it in the console; the owner's too; another unit's system does not
    assert.equal((await w.consumerUser.get(`/api/share/grants/${g}/openapi.json`)).status, 200);
    const other = await sharingWorld(env());
    assert.equal((await other.system.get(`/api/share/grants/${g}/openapi.json`)).status, 403);
  });

  it('rate limit: 429 with Retry-After past the grant’s calls a minute; the daily row quota holds', async () => {
    const { grantId: g } = await grantedCase(w, resource.id, { apply: { items: ['id_no', 'level'] } });
    const patch = await w.owner.patch(`/api/sharing/grants/${g}`, { ratePerMinute: 3 });
    assert.equal(patch.status, 200, patch.body);
    assert.equal(patch.json.ratePerMinute, 3);
    const statuses: number[] = [];
    let last: Reply | null = null;
    for (let i = 0; i < 5; i++) {
      const r = await w.system.get(`/api/share/grants/${g}/rows?limit=1`);
      statuses.push(r.status);
      last = r;
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    assert.ok(Number(last!.headers['retry-after']) > 0, 'Retry-After');
    assert.equal(last!.json.code, 'sharing.rate_limited');
    // the refused calls count in the grant's day beside the served ones
    const limited = (await w.consumer.get(`/api/sharing/grants/${g}`)).json;
    assert.deepEqual([limited.today.calls, limited.today.refused], [3, 2]);

    const { grantId: q2 } = await grantedCase(w, resource.id, { apply: { items: ['id_no', 'level'] } });
    assert.equal((await w.owner.patch(`/api/sharing/grants/${q2}`, { dailyRows: 7 })).status, 200);
    const first = await w.system.get(`/api/share/grants/${q2}/rows?limit=5`);
    assert.equal(first.json.rows.length, 5);
    const second = await w.system.get(`/api/share/grants/${q2}/rows?limit=5&cursor=${first.json.next}`);
    assert.equal(second.json.rows.length, 2, 'a page stops at the quota');
    const third = await w.system.get(`/api/share/grants/${q2}/rows?limit=5`);
    assert.equal(third.status, 429);
    assert.equal(third.json.code, 'sharing.quota_exhausted');
    const view = (await w.consumer.get(`/api/sharing/grants/${q2}`)).json;
    assert.equal(view.today.rows, 7);
    assert.equal(view.today.calls, 2);
  });

  it('every call has its access record in the chain: grant, consumer, system, query, rows, items', async () => {
    const before = (await w.centerAdmin.get(`/api/audit?objectId=${grantId}&action=share.query&limit=500`)).json
      .total as number;
    const calls = 12;
    await Promise.all(
      Array.from({ length: calls }, (_, i) =>
        w.system.get(`${base()}/rows?${q({ limit: 2, where: `家庭人口数 >= ${(i % 6) + 1}` })}`),
      ),
    );
    const after = (await w.centerAdmin.get(`/api/audit?objectId=${grantId}&action=share.query&limit=500`)).json;
    assert.equal(after.total - before, calls);
    const rec = after.items[0];
    assert.equal(rec.orgId, w.consumerOrg);
    assert.ok(rec.credentialId, 'the calling system');
    assert.ok(rec.diff.where && rec.diff.items && typeof rec.diff.rows === 'number', JSON.stringify(rec.diff));
    const v = await w.centerAdmin.post('/api/audit/verify');
    assert.equal(v.json.ok, true, JSON.stringify(v.json.problem));
    // the owner sees the calls on its grants as well
    const g = (await w.owner.get(`/api/sharing/grants/${grantId}`)).json;
    assert.ok(g.today.calls >= calls);
  });

  it('usage statistics: per day and by resource, consumer and owner; a unit sees its own grants, the Center all', async () => {
    const today = todayInShanghai();
    const mine = await w.consumer.get('/api/sharing/usage');
    assert.equal(mine.status, 200, mine.body);
    assert.equal(mine.json.to, today);
    assert.equal(mine.json.days.length, 30, 'thirty days, the quiet ones at zero');
    const day = mine.json.days.find((d: { day: string }) => d.day === today);
    assert.ok(day.calls >= 12 && day.rows > 0, JSON.stringify(day));
    assert.equal(mine.json.byConsumer.length, 1);
    assert.equal(mine.json.byConsumer[0].id, w.consumerOrg);
    assert.ok(mine.json.byResource.some((r: { name: string }) => r.name === '低保救助对象信息'));
    assert.ok(mine.json.byConsumer[0].refused >= 2, 'refused calls counted');
    const owner = (await w.owner.get('/api/sharing/usage')).json;
    assert.equal(owner.byOwner[0].calls, mine.json.byOwner[0].calls, 'the owner sees the same calls');
    // another unit sees none of it; the Center sees it among the district's
    const stranger = await env().as('unit_admin');
    const none = (await stranger.get('/api/sharing/usage')).json;
    assert.deepEqual([none.byResource, none.byConsumer], [[], []]);
    assert.ok(none.days.every((d: { calls: number }) => d.calls === 0));
    const center = (await w.reviewer.get('/api/sharing/usage')).json;
    assert.ok(center.byConsumer.some((c: { id: string }) => c.id === w.consumerOrg));
    // bad ranges are refused naming the field
    const back = await w.consumer.get(`/api/sharing/usage?from=${today}&to=2020-01-01`);
    assert.equal(back.status, 400);
    assert.equal(back.json.errors[0].field, 'from');
    const long = await w.consumer.get(`/api/sharing/usage?from=2020-01-01&to=${today}`);
    assert.equal(long.status, 400);
  });
});
