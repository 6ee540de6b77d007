// Quality rules on hand-built data with known failures, on both databases: every kind and check counts exactly
// what it should (and a changed row changes the count), runs are kept with their samples, an item the catalog
// removed makes a rule "not run" (never a pass), a unit's rule cannot read another unit's data, suggestions come
// from the items, scores follow the policy's weights, the SQL format checks agree with the ingest validators, and a
// check carries what it judged to the next run until something other than an append changes (ADR 0012).
import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb, type Client } from '../../testing/test-env.ts';
import { itemBody, resourceBody } from '../../testing/catalog-fixtures.ts';
import { publish, residentId } from '../../testing/ingest-fixtures.ts';
import { isResidentId, isUscc } from '../../platform/formats.ts';
import { sql } from 'kysely';
import { todayInShanghai } from '../calendar/index.ts';

/** Ten rows with known problems (see each column). */
function qualityCsv(): string {
  const lines = ['id_no,name,mobile,amount,birth,level,street,grp,uscc'];
  for (let i = 0; i < 10; i++) {
    let id = residentId(`1980-01-${String(i + 1).padStart(2, '0')}`, i);
    if (i === 3 || i === 7) id = id.slice(0, 17) + (id[17] === '1' ? '2' : '1'); // 2 bad check digits
    lines.push(
      [
        id,
        i === 2 || i === 5 ? '' : `张${i}`, // 2 empty names
        i === 4 ? '12345' : i === 9 ? '' : `139000000${String(i).padStart(2, '0')}`, // 1 bad mobile, 1 empty
        String(i * 150 - 100), // -100, 1100, 1250 outside 0..1000: 3
        i === 6 ? '2099-12-31' : `1980-01-${String(i + 1).padStart(2, '0')}`, // 1 in the future
        i === 1 ? 'D类' : ['A类', 'B类', 'C类'][i % 3], // 1 outside the value set
        i % 2 ? '北京中路街道' : '长城中路街道', // 5 not starting with 长城
        i === 0 || i === 1 ? 'G1' : i >= 5 && i <= 7 ? 'G5' : `U${i}`, // 2 + 3 rows repeat another's group
        i === 8 ? '91640100MA75Y0XX9X' : '91110000100000000Q'.slice(0, 17) + '0', // placeholders, checked below
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

function qualityResource(name: string) {
  return resourceBody({
    name,
    updateCycle: 'monthly',
    shareMethods: ['api', 'file'],
    items: [
      itemBody('id_no', '公民身份号码', {
        primaryKey: true,
        required: true,
        length: 18,
        sensitivity: 'sensitive_personal',
      }),
      itemBody('name', '姓名', { length: 30 }),
      itemBody('mobile', '联系电话', { length: 20 }),
      itemBody('amount', '救助金额', { dataType: 'decimal', length: 10, precision: 2 }),
      itemBody('birth', '出生日期', { dataType: 'date', length: null }),
      itemBody('level', '救助类别', { length: 10 }),
      itemBody('street', '所属街道', { length: 30 }),
      itemBody('grp', '分组', { length: 10 }),
      itemBody('uscc', '统一社会信用代码', { length: 18 }),
    ],
  });
}

describeEachDb('quality: rules', (env) => {
  let owner: Client;
  let other: Client;
  let reviewer: Client;
  let center: Client;
  let res: { id: string; code: string };
  let ref: { id: string; code: string };
  let foreign: { id: string; code: string };

  const rule = async (c: Client, body: Record<string, unknown>) => {
    const r = await c.post('/api/quality/rules', { resourceId: res.id, ...body });
    assert.equal(r.status, 201, r.body);
    return r.json as { id: string; name: string; scope: string };
  };
  const run = async (c: Client, id: string) => {
    const r = await c.post(`/api/quality/rules/${id}/run`);
    assert.equal(r.status, 200, r.body);
    return r.json as {
      outcome: string;
      checked: number;
      failing: number;
      score: number | null;
      sample: string[];
      reason: { zh: string } | null;
    };
  };

  before(async () => {
    const a = await env().makeOrg({ kind: 'bureau', name: '质量测试民政局' });
    const b = await env().makeOrg({ kind: 'bureau', name: '质量测试公安分局' });
    owner = await env().as('unit_admin', a.id);
    other = await env().as('unit_admin', b.id);
    reviewer = await env().as('center_reviewer');
    center = await env().as('center_admin');
    res = await publish(owner, reviewer, qualityResource('质量测试救助名单'));
    const up = await owner.req('POST', `/api/ingest/resources/${res.id}/upload`, qualityCsv(), {
      'content-type': 'text/csv',
    });
    assert.equal(up.json.batch.accepted, 10, up.body);
    // a reference of the same unit holding the first six people; another unit's resource for the refusal
    ref = await publish(owner, reviewer, qualityResource('质量测试户籍参照'));
    const refCsv = qualityCsv().split('\n').slice(0, 7).join('\n') + '\n';
    assert.equal(
      (await owner.req('POST', `/api/ingest/resources/${ref.id}/upload`, refCsv, { 'content-type': 'text/csv' })).json
        .batch.accepted,
      6,
    );
    foreign = await publish(other, reviewer, qualityResource('质量测试他单位资源'));
  });

  it('each check counts exactly the rows that fail it, with their keys', async () => {
    const cases: [Record<string, unknown>, number, number][] = [
      [{ kind: 'completeness', items: ['name'] }, 10, 2],
      [{ kind: 'validity', items: ['id_no'], params: { check: 'validator', validator: 'id_card' } }, 10, 2],
      [{ kind: 'validity', items: ['mobile'], params: { check: 'validator', validator: 'mobile' } }, 9, 1],
      [{ kind: 'validity', items: ['level'], params: { check: 'value_set', values: ['A类', 'B类', 'C类'] } }, 10, 1],
      [{ kind: 'validity', items: ['amount'], params: { check: 'range', min: '0', max: '1000' } }, 10, 3],
      [{ kind: 'validity', items: ['birth'], params: { check: 'not_future' } }, 10, 1],
      [{ kind: 'validity', items: ['street'], params: { check: 'pattern', pattern: '^长城' } }, 10, 5],
      [{ kind: 'uniqueness', items: ['grp'] }, 10, 5],
      [{ kind: 'uniqueness', items: ['id_no'] }, 10, 0],
      [{ kind: 'consistency', items: ['id_no'], params: { refResourceId: ref.id, refItems: ['id_no'] } }, 10, 4],
      [{ kind: 'completeness', params: { check: 'row_count', minRows: 20 } }, 10, 10],
    ];
    for (const [body, checked, failing] of cases) {
      const r = await rule(owner, body);
      const out = await run(owner, r.id);
      assert.equal(out.checked, checked, `${r.name}: checked`);
      assert.equal(out.failing, failing, `${r.name}: failing`);
      assert.equal(out.outcome, failing ? 'failed' : 'passed', r.name);
      if (body.kind !== 'completeness' || !(body.params as { check?: string } | undefined)?.check)
        assert.equal(
          out.sample.length,
          Math.min(failing, body.kind === 'uniqueness' ? 2 : failing),
          `${r.name}: sample`,
        );
    }
    const count = await rule(owner, { kind: 'completeness', params: { check: 'row_count', minRows: 20 } });
    assert.equal((await run(owner, count.id)).score, 50);
  });

  it('a changed row changes the count (upsert one name in)', async () => {
    const r = await rule(owner, { kind: 'completeness', items: ['name'], name: '姓名不为空（变更）' });
    assert.equal((await run(owner, r.id)).failing, 2);
    const line = qualityCsv().split('\n')[3]!.split(',');
    line[1] = '补录姓名';
    const up = await owner.req(
      'POST',
      `/api/ingest/resources/${res.id}/upload?mode=upsert`,
      `${qualityCsv().split('\n')[0]}\n${line.join(',')}\n`,
      { 'content-type': 'text/csv' },
    );
    assert.equal(up.json.batch.accepted, 1, up.body);
    const again = await run(owner, r.id);
    assert.equal(again.failing, 1);
    // the batch ran the resource's rules too (no queue in tests: at once)
    const runs = await owner.get(`/api/quality/runs?ruleId=${r.id}`);
    assert.ok(
      runs.json.runs.some((x: { trigger: string }) => x.trigger === 'batch'),
      runs.body,
    );
  });

  it('timeliness and single-source rules say what they know; a rule over a removed item does not run', async () => {
    const t = await rule(owner, { kind: 'timeliness' });
    assert.equal((await run(owner, t.id)).outcome, 'passed');
    const s = await rule(owner, { kind: 'single_source' });
    const ss = await run(owner, s.id);
    assert.equal(ss.outcome, 'not_run');
    assert.match(ss.reason!.zh, /一数一源/);

    const victim = await publish(owner, reviewer, qualityResource('质量测试将删信息项'));
    const m = await owner.post('/api/quality/rules', {
      resourceId: victim.id,
      kind: 'completeness',
      items: ['mobile'],
    });
    assert.equal(m.status, 201, m.body);
    assert.equal(
      (
        await owner.post(`/api/catalog/resources/${victim.id}/change`, {
          changeDate: todayInShanghai(),
          reason: '不再采集',
        })
      ).status,
      200,
    );
    const draft = qualityResource('质量测试将删信息项');
    const put = await owner.put(`/api/catalog/resources/${victim.id}/draft`, {
      ...draft,
      items: draft.items.filter((i) => i.code !== 'mobile'),
    });
    assert.equal(put.status, 200, put.body);
    assert.equal((await owner.post(`/api/catalog/resources/${victim.id}/submit`)).status, 200);
    assert.equal(
      (await reviewer.post(`/api/catalog/resources/${victim.id}/review`, { decision: 'approve' })).status,
      200,
    );
    const out = await run(owner, m.json.id);
    assert.equal(out.outcome, 'not_run');
    assert.match(out.reason!.zh, /mobile/);
    assert.equal(out.score, null);
  });

  it('rows loaded before the catalog named a format are judged again; rows ingest checked are not lost', async () => {
    const name = '质量测试版本变更';
    const r = await publish(owner, reviewer, qualityResource(name));
    const up = await owner.req('POST', `/api/ingest/resources/${r.id}/upload`, qualityCsv(), {
      'content-type': 'text/csv',
    });
    assert.equal(up.json.batch.accepted, 10, up.body);
    const rule = await owner.post('/api/quality/rules', {
      resourceId: r.id,
      kind: 'validity',
      items: ['id_no'],
      params: { check: 'validator', validator: 'id_card' },
    });
    assert.equal((await run(owner, rule.json.id)).failing, 2);
    // version 2 makes the item a resident ID: ingest checks it from now on, the two old rows stay wrong
    assert.equal(
      (await owner.post(`/api/catalog/resources/${r.id}/change`, { changeDate: todayInShanghai(), reason: '增加校验' }))
        .status,
      200,
    );
    const draft = qualityResource(name);
    const put = await owner.put(`/api/catalog/resources/${r.id}/draft`, {
      ...draft,
      items: draft.items.map((i) => (i.code === 'id_no' ? { ...i, piiKind: 'id_card' } : i)),
    });
    assert.equal(put.status, 200, put.body);
    assert.equal((await owner.post(`/api/catalog/resources/${r.id}/submit`)).status, 200);
    assert.equal((await reviewer.post(`/api/catalog/resources/${r.id}/review`, { decision: 'approve' })).status, 200);
    const more = `${qualityCsv().split('\n')[0]}\n${residentId('1991-03-03', 77)},新增,,,,,,,\n`;
    const up2 = await owner.req('POST', `/api/ingest/resources/${r.id}/upload?mode=upsert`, more, {
      'content-type': 'text/csv',
    });
    assert.equal(up2.json.batch.accepted, 1, up2.body);
    const after = await run(owner, rule.json.id);
    assert.equal(after.checked, 11);
    assert.equal(after.failing, 2, 'the rows of the first batch are still judged');
    // the whole list loaded again under version 2: ingest refuses the two, the rule has nothing left to find
    const again = await owner.req('POST', `/api/ingest/resources/${r.id}/upload?mode=replace`, qualityCsv(), {
      'content-type': 'text/csv',
    });
    assert.equal(again.json.batch.rejected, 2, again.body);
    const clean = await run(owner, rule.json.id);
    assert.equal(clean.checked, 8);
    assert.equal(clean.failing, 0);
  });

  it("a unit's rule reads only its own data; the Center's may compare across units", async () => {
    const refused = await owner.post('/api/quality/rules', {
      resourceId: res.id,
      kind: 'consistency',
      items: ['id_no'],
      params: { refResourceId: foreign.id, refItems: ['id_no'] },
    });
    assert.equal(refused.status, 400, refused.body);
    assert.ok(refused.json.errors.some((e: { field: string }) => e.field === 'params.refResourceId'));
    // another unit cannot define or run rules on, or read the runs of, this unit's resource
    assert.equal((await other.post('/api/quality/rules', { resourceId: res.id, kind: 'timeliness' })).status, 403);
    assert.equal((await other.get(`/api/quality/runs?resourceId=${res.id}`)).status, 403);
    assert.equal((await other.post(`/api/quality/resources/${res.id}/run`)).status, 403);
    const mine = (await other.get('/api/quality/rules')).json as { resourceId: string }[];
    assert.ok(mine.every((r) => r.resourceId !== res.id));
    const cross = await rule(reviewer, {
      kind: 'consistency',
      items: ['id_no'],
      params: { refResourceId: foreign.id, refItems: ['id_no'] },
    });
    assert.equal(cross.scope, 'district');
    assert.equal((await run(reviewer, cross.id)).failing, 10);
    // the unit sees the Center's rule and its runs, and cannot change it
    assert.equal((await owner.get(`/api/quality/rules/${cross.id}`)).json.mayManage, false);
    assert.equal((await owner.patch(`/api/quality/rules/${cross.id}`, { active: false })).status, 403);
  });

  it('bad rules are refused naming the field; nothing is stored', async () => {
    const before_ = (await owner.get(`/api/quality/rules?resourceId=${res.id}`)).json.length;
    const bad: [Record<string, unknown>, string][] = [
      [{ kind: 'completeness', items: ['nope'] }, 'items'],
      [{ kind: 'validity', items: ['street'], params: { check: 'pattern', pattern: '([a-' } }, 'params.pattern'],
      [{ kind: 'validity', items: ['street'], params: { check: 'range', min: '1' } }, 'params'],
      [{ kind: 'validity', items: ['amount'], params: { check: 'range', min: 'abc' } }, 'params.min'],
      [{ kind: 'validity', items: ['street'], params: { check: 'not_future' } }, 'items'],
      [{ kind: 'validity', items: ['street', 'name'], params: { check: 'value_set', values: ['x'] } }, 'items'],
      [{ kind: 'completeness', params: { check: 'row_count', minRows: 0 } }, 'minRows'],
      [
        { kind: 'consistency', items: ['id_no'], params: { refResourceId: ref.id, refItems: ['x', 'y'] } },
        'params.refItems',
      ],
      [{ kind: 'timeliness', items: ['name'] }, 'items'],
    ];
    for (const [body, field] of bad) {
      const r = await owner.post('/api/quality/rules', { resourceId: res.id, ...body });
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.body}`);
      assert.ok(
        (r.json.errors ?? []).some((e: { field: string }) => e.field.includes(field)),
        `${JSON.stringify(body)} should name ${field}: ${r.body}`,
      );
    }
    assert.equal((await owner.get(`/api/quality/rules?resourceId=${res.id}`)).json.length, before_);
  });

  it('suggestions follow the items; accepting them creates each once', async () => {
    const people = await publish(
      owner,
      reviewer,
      resourceBody({
        name: '质量测试建议规则',
        updateCycle: 'monthly',
        items: [
          itemBody('id_no', '公民身份号码', {
            primaryKey: true,
            required: true,
            length: 18,
            piiKind: 'id_card',
            sensitivity: 'sensitive_personal',
          }),
          itemBody('name', '姓名', { required: true, length: 30, piiKind: 'name', sensitivity: 'personal' }),
          itemBody('mobile', '联系电话', { length: 20, piiKind: 'mobile', sensitivity: 'personal' }),
          itemBody('level', '救助类别', { length: 10, valueSet: ['A类', 'B类'] }),
        ],
      }),
    );
    const s = await owner.get(`/api/quality/resources/${people.id}/suggestions`);
    assert.equal(s.status, 200, s.body);
    const kinds = s.json.map((x: { kind: string; params?: { check?: string; validator?: string } }) =>
      [x.kind, x.params?.check, x.params?.validator].filter(Boolean).join(':'),
    );
    for (const k of [
      'completeness:not_null',
      'validity:validator:id_card',
      'validity:validator:mobile',
      'validity:value_set',
      'uniqueness',
      'timeliness',
    ])
      assert.ok(kinds.includes(k), `${k} in ${kinds}`);
    const made = await owner.post(`/api/quality/resources/${people.id}/suggestions`);
    assert.equal(made.status, 201, made.body);
    assert.equal(made.json.length, s.json.length);
    assert.deepEqual((await owner.get(`/api/quality/resources/${people.id}/suggestions`)).json, []);
  });

  it('scores by dimension and overall with the policy weights, a trend, and samples masked for the Center', async () => {
    const scores = await owner.get(`/api/quality/resources/${res.id}/scores`);
    assert.equal(scores.status, 200, scores.body);
    const s = scores.json.scores as Record<string, number>;
    for (const d of ['completeness', 'validity', 'uniqueness', 'consistency', 'timeliness', 'overall'])
      assert.equal(typeof s[d], 'number', `${d} in ${scores.body}`);
    const w = (await center.get('/api/policy')).json.current.params;
    const weights = ['completeness', 'validity', 'uniqueness', 'consistency', 'timeliness'].map(
      (d) => w[`quality_weight_${d}`] as number,
    );
    const expected =
      ['completeness', 'validity', 'uniqueness', 'consistency', 'timeliness'].reduce(
        (a, d, i) => a + weights[i]! * s[d]!,
        0,
      ) / weights.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(expected - s.overall!) < 0.02, `${expected} vs ${s.overall}`);
    assert.equal(scores.json.trend.at(-1).day, todayInShanghai());
    const dash = await center.get('/api/quality/scores');
    assert.ok(
      dash.json.units.some((u: { orgName: string }) => u.orgName === '质量测试民政局'),
      dash.body,
    );
    assert.deepEqual((await other.get('/api/quality/scores')).json.resources, []);
    // failing keys: the owner's admin reads them raw, the Center masked (the key is a resident ID)
    const idRule = (await owner.get(`/api/quality/rules?resourceId=${res.id}`)).json.find(
      (r: { params: { validator?: string } }) => r.params.validator === 'id_card',
    );
    const raw = await owner.get(`/api/quality/runs?ruleId=${idRule.id}&limit=1`);
    const masked = await center.get(`/api/quality/runs?ruleId=${idRule.id}&limit=1`);
    assert.equal(raw.json.rawSamples, true);
    assert.equal(masked.json.rawSamples, false);
    assert.match(raw.json.runs[0].sample[0], /^\d{17}[\dX]$/);
    assert.notEqual(masked.json.runs[0].sample[0], raw.json.runs[0].sample[0]);
  });

  it('a row check judges only the batches loaded since its last run, and every row when anything else changed', async () => {
    const list = await publish(owner, reviewer, qualityResource('质量测试续判名单'));
    const base = await publish(owner, reviewer, qualityResource('质量测试续判参照'));
    const [head, ...people] = qualityCsv().trimEnd().split('\n');
    const load = async (id: string, lines: string[], mode = 'append') => {
      const up = await owner.req(
        'POST',
        `/api/ingest/resources/${id}/upload?mode=${mode}`,
        [head, ...lines].join('\n') + '\n',
        {
          'content-type': 'text/csv',
        },
      );
      assert.equal(up.json.batch.accepted, lines.length, up.body);
    };
    // three more people, none of them in the reference
    const extra = [0, 1, 2].map((i) => {
      const l = people[i]!.split(',');
      l[0] = residentId('1975-05-05', 40 + i);
      return l.join(',');
    });
    await load(base.id, people.slice(0, 6));
    await load(list.id, people);
    const r = await owner.post('/api/quality/rules', {
      resourceId: list.id,
      kind: 'consistency',
      items: ['id_no'],
      params: { refResourceId: base.id, refItems: ['id_no'] },
    });
    assert.equal(r.status, 201, r.body);
    // and a required name (two people have none; the third extra person copies one of them)
    const names = await owner.post('/api/quality/rules', {
      resourceId: list.id,
      kind: 'completeness',
      items: ['name'],
    });
    assert.equal(names.status, 201, names.body);
    const figuresOf = async (id: string) => {
      const x = await run(owner, id);
      return [x.checked, x.failing, x.sample.length];
    };
    const figures = () => figuresOf(r.json.id);
    assert.deepEqual(await figures(), [10, 4, 4]);
    assert.deepEqual(await figuresOf(names.json.id), [10, 2, 2]);
    await load(list.id, extra);
    assert.deepEqual(await figures(), [13, 7, 7]);
    assert.deepEqual(await figuresOf(names.json.id), [13, 3, 3]);
    const db = env().database.db;
    const carried = await db
      .selectFrom('quality_carry')
      .selectAll()
      .where('rule_id', '=', r.json.id)
      .executeTakeFirstOrThrow();
    // carried through the last batch of the list
    const lastBatch = await db
      .selectFrom('ingest_batch')
      .select(sql<string>`max(change_seq)`.as('seq'))
      .where('resource_id', '=', list.id)
      .executeTakeFirstOrThrow();
    assert.equal(carried.through, lastBatch.seq);

    // what the last run judged is carried: a row changed behind ingest's back (never done by the platform) is not
    // judged again while only appends came since …
    const { table_name } = await db
      .selectFrom('data_table')
      .select('table_name')
      .where('resource_id', '=', list.id)
      .executeTakeFirstOrThrow();
    const first = people[0]!.split(',')[0]!;
    await sql`UPDATE ${sql.raw(`data."${table_name}"`)} SET id_no = ${residentId('1975-06-06', 9)}, name = NULL
      WHERE id_no = ${first}`.execute(db);
    assert.deepEqual(await figures(), [13, 7, 7]);
    assert.deepEqual(await figuresOf(names.json.id), [13, 3, 3]);
    // … and an upsert that overwrites a loaded row makes the checks judge every row again (so they see that one too)
    await load(list.id, [people[1]!], 'upsert');
    assert.deepEqual(await figures(), [13, 8, 8]);
    assert.deepEqual(await figuresOf(names.json.id), [13, 4, 4]);
    // the reference loaded again: every row judged again against it
    await load(base.id, extra);
    assert.deepEqual(await figures(), [13, 5, 5]);
    // the rule changed: judged again from scratch (same figures)
    const edited = await owner.patch(`/api/quality/rules/${r.json.id}`, { name: '身份证号在户籍参照中（改名）' });
    assert.equal(edited.status, 200, edited.body);
    assert.deepEqual(await figures(), [13, 5, 5]);
  });

  it('the SQL format checks agree with the ingest validators', async () => {
    const ids = [
      residentId('1990-02-28', 1),
      residentId('2000-02-29', 2),
      residentId('1990-02-28', 3).slice(0, 17) + 'Y',
      '64010619900230001X',
      '640106900228001',
      '640106900230001',
      '11010519491231002x',
      'abc',
      '',
    ];
    const usccs = ['91110000100000000Q', '91640100MA75Y0XX9X', '91110108551385082Q', '9111010855138508IQ', 'x'];
    const db = env().database.db;
    for (const v of ids) {
      const r = await sql<{ ok: boolean | null }>`SELECT quality_resident_id_ok(${v}) AS ok`.execute(db);
      assert.equal(r.rows[0]!.ok, isResidentId(v), `resident ID ${v}`);
    }
    for (const v of usccs) {
      const r = await sql<{ ok: boolean | null }>`SELECT quality_uscc_ok(${v}) AS ok`.execute(db);
      assert.equal(r.rows[0]!.ok, isUscc(v), `USCC ${v}`);
    }
  });
});
