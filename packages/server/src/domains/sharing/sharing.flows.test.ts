// Share applications end to end over the API, on both databases: each share type's path, return for more
// material, refusal upheld and overruled, the desensitised supply, deadlines in working days across National Day
// and the Spring Festival (with their make-up days), the policy version a case keeps, who may do what, and the
// attached letter.
import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../../testing/test-env.ts';
import { itemBody } from '../../testing/catalog-fixtures.ts';
import { personResource } from '../../testing/ingest-fixtures.ts';
import {
  applyBody,
  grantedCase,
  monthsAhead,
  ownerResource,
  sharingWorld,
  type SharingWorld,
} from '../../testing/sharing-fixtures.ts';

const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from('盖章申请函'), Buffer.from('\n%%EOF\n')]);

describeEachDb('sharing: applications', (env) => {
  let w: SharingWorld;
  let conditional: { id: string; code: string };
  let unconditional: { id: string; code: string };
  let partlyNotShared: { id: string; code: string };

  const auditOf = async (objectId: string) =>
    (await w.centerAdmin.get(`/api/audit?objectId=${objectId}&limit=50`)).json.items.map(
      (r: { action: string }) => r.action,
    );

  before(async () => {
    w = await sharingWorld(env());
    conditional = await ownerResource(w, {}, 10);
    unconditional = await ownerResource(
      w,
      { name: '养老机构名录', shareType: 'unconditional', shareCondition: null, shareBasis: null },
      5,
    );
    // a conditional resource whose mobile numbers are not shared (§24: item-level share types)
    const items = personResource().items.map((i) =>
      i.code === 'mobile'
        ? {
            ...i,
            shareType: 'none' as const,
            shareCondition: '手机号码属于个人信息，不予共享',
            shareBasis: '《个人信息保护法》第二十八条',
          }
        : i,
    );
    partlyNotShared = await ownerResource(w, { name: '困难群众救助对象', items }, 5);
  });

  it('unconditional: the Center confirms the supply within a working day and a grant issues', async () => {
    const draft = await w.consumer.get(`/api/sharing/draft?resource=${unconditional.code}`);
    assert.equal(draft.status, 200, draft.body);
    assert.equal(draft.json.resource.shareType, 'unconditional');
    assert.ok(draft.json.systems.some((s: { id: string }) => s.id === w.systemId));
    assert.equal(draft.json.commitment.version, 1);
    assert.match(draft.json.commitment.zh, /第三方/);

    const a = await w.consumer.post('/api/sharing/applications', applyBody(w, unconditional.code));
    assert.equal(a.status, 201, a.body);
    assert.equal(a.json.path, 'unconditional');
    assert.equal(a.json.status, 'center_confirm');
    assert.match(a.json.no, /^GX\d{10}$/);
    const id = a.json.id;
    const open = (await w.consumer.get(`/api/sharing/applications/${id}`)).json;
    assert.equal(open.waitingFor, 'center');
    assert.ok(open.due && open.due.date >= new Date().toISOString().slice(0, 10));
    assert.equal(open.commitment.version, 1);
    assert.match(open.commitment.text, /第三方/);
    assert.equal(open.may.center, false, 'the applicant cannot confirm its own case');
    assert.equal((await w.reviewer.get(`/api/sharing/applications/${id}`)).json.may.center, true);
    assert.ok((await w.reviewer.get('/api/sharing/inbox')).json.center >= 1);

    // the applicant and the owner cannot confirm; the reviewer can
    assert.equal((await w.consumer.post(`/api/sharing/applications/${id}/confirm`, {})).status, 403);
    assert.equal((await w.owner.post(`/api/sharing/applications/${id}/confirm`, {})).status, 403);
    const c = await w.reviewer.post(`/api/sharing/applications/${id}/confirm`, { comment: '按接口方式供给' });
    assert.equal(c.status, 200, c.body);
    assert.equal(c.json.status, 'granted');
    const done = (await w.consumer.get(`/api/sharing/applications/${id}`)).json;
    assert.equal(done.status, 'granted');
    assert.equal(done.due, null);
    assert.ok(done.grantId);
    assert.deepEqual(
      done.timeline.map((e: { action: string }) => e.action),
      ['submit', 'confirm'],
    );
    // each step names its unit in words: the consumer's, then the Center's (never an id)
    for (const e of done.timeline) assert.doesNotMatch(e.org, /^[0-9a-f]{8}-/, JSON.stringify(e));
    const g = await w.consumer.get(`/api/sharing/grants/${done.grantId}`);
    assert.equal(g.status, 200, g.body);
    assert.equal(g.json.state, 'active');
    assert.deepEqual(
      g.json.credentials.map((x: { id: string }) => x.id),
      [w.credentialId],
      'the credentials of the system named in the application may call',
    );
    assert.equal((await w.owner.get(`/api/sharing/grants/${done.grantId}`)).status, 200);
    const actions = await auditOf(id);
    for (const x of ['share.application.submit', 'share.application.confirm'])
      assert.ok(actions.includes(x), `${x} in ${actions}`);
    assert.ok((await auditOf(done.grantId)).includes('share.grant.create'));
  });

  it('conditional: returned for more material, resubmitted, passed to the owner, consent with a row filter', async () => {
    const a = await w.consumerUser.post('/api/sharing/applications', applyBody(w, conditional.id));
    assert.equal(a.status, 201, a.body);
    assert.equal(a.json.path, 'conditional');
    assert.equal(a.json.status, 'center_review');
    const id = a.json.id;

    // a return and a denial need their words
    const noWords = await w.reviewer.post(`/api/sharing/applications/${id}/review`, { decision: 'return' });
    assert.equal(noWords.status, 400);
    assert.equal(noWords.json.errors[0].field, 'comment');
    const ret = await w.reviewer.post(`/api/sharing/applications/${id}/review`, {
      decision: 'return',
      comment: '请补充加盖公章的申请函',
    });
    assert.equal(ret.status, 200, ret.body);
    assert.equal(ret.json.status, 'returned');
    assert.ok((await w.consumer.get('/api/sharing/inbox')).json.consumer >= 1);
    const returned = (await w.consumerUser.get(`/api/sharing/applications/${id}`)).json;
    assert.equal(returned.may.resubmit, true);
    assert.equal(returned.waitingFor, 'consumer');

    // the owner cannot resubmit for the applicant; the applicant's answer to the owner step is refused
    const { resource: _r0, ...asOwner } = applyBody(w, conditional.id);
    assert.equal((await w.owner.post(`/api/sharing/applications/${id}/resubmit`, asOwner)).status, 403);
    const att = await w.consumerUser.req(
      'POST',
      `/api/sharing/applications/${id}/attachments?fileName=${encodeURIComponent('申请函.pdf')}`,
      PDF,
      { 'content-type': 'application/pdf' },
    );
    assert.equal(att.status, 201, att.body);
    const { resource: _r, ...again } = applyBody(w, conditional.id, { scenario: '低保动态管理（已补充申请函）' });
    const re = await w.consumerUser.post(`/api/sharing/applications/${id}/resubmit`, again);
    assert.equal(re.status, 200, re.body);
    assert.equal(re.json.status, 'center_review');

    const ok = await w.reviewer.post(`/api/sharing/applications/${id}/review`, { decision: 'approve' });
    assert.equal(ok.status, 200, ok.body);
    assert.equal(ok.json.status, 'owner_consent');
    assert.ok(ok.json.due);
    assert.ok((await w.owner.get('/api/sharing/inbox')).json.owner >= 1);
    assert.equal((await w.owner.get(`/api/sharing/applications/${id}`)).json.may.answer, true);
    assert.equal(
      (await w.consumer.post(`/api/sharing/applications/${id}/answer`, { decision: 'consent' })).status,
      403,
      'the applicant cannot consent for the owner',
    );
    // a filter that names an item outside the application, or does not parse, is refused with its place
    const bad = await w.owner.post(`/api/sharing/applications/${id}/answer`, {
      decision: 'consent',
      rowFilter: "救助类别 = 'A类' AND",
    });
    assert.equal(bad.status, 400, bad.body);
    assert.equal(bad.json.errors[0].field, 'rowFilter');
    assert.match(bad.json.errors[0].message.zh, /第 \d+ 个字符/);
    const consent = await w.owner.post(`/api/sharing/applications/${id}/answer`, {
      decision: 'consent',
      rowFilter: "救助类别 = 'A类'",
      comment: '仅限 A 类对象',
    });
    assert.equal(consent.status, 200, consent.body);
    assert.equal(consent.json.status, 'granted');
    const done = (await w.consumer.get(`/api/sharing/applications/${id}`)).json;
    assert.deepEqual(
      done.timeline.map((e: { action: string }) => e.action),
      ['submit', 'return', 'attach', 'resubmit', 'approve', 'consent'],
    );
    const g = (await w.consumer.get(`/api/sharing/grants/${done.grantId}`)).json;
    assert.equal(g.rowFilter, "救助类别 = 'A类'");
    assert.equal(g.consumer.id, w.consumerOrg);
    assert.equal(g.owner.id, w.ownerOrg);
  });

  it('a refusal must cite its legal basis; the Center upholds one and overrules another (§23)', async () => {
    const toOwner = async () => {
      const a = await w.consumer.post('/api/sharing/applications', applyBody(w, conditional.id));
      assert.equal(a.status, 201, a.body);
      await w.reviewer.post(`/api/sharing/applications/${a.json.id}/review`, { decision: 'approve' });
      return a.json.id as string;
    };
    const first = await toOwner();
    const noBasis = await w.owner.post(`/api/sharing/applications/${first}/answer`, {
      decision: 'refuse',
      basis: { kind: 'law', name: ' ', article: '', reason: '涉及个人隐私' },
    });
    assert.equal(noBasis.status, 400, noBasis.body);
    assert.deepEqual(noBasis.json.errors.map((f: { field: string }) => f.field).sort(), [
      'basis.article',
      'basis.name',
    ]);
    const basis = {
      kind: 'law',
      name: '《中华人民共和国个人信息保护法》',
      article: '第二十八条',
      reason: '身份证号码属于敏感个人信息，申请事项不需要',
    };
    const refused = await w.owner.post(`/api/sharing/applications/${first}/answer`, { decision: 'refuse', basis });
    assert.equal(refused.status, 200, refused.body);
    assert.equal(refused.json.status, 'refusal_review');
    const shown = (await w.consumer.get(`/api/sharing/applications/${first}`)).json;
    assert.deepEqual(shown.refusal, basis);
    assert.equal(
      (await w.reviewer.post(`/api/sharing/applications/${first}/refusal`, { decision: 'uphold' })).status,
      400,
      'a decision on a refusal gives its reasons',
    );
    const upheld = await w.reviewer.post(`/api/sharing/applications/${first}/refusal`, {
      decision: 'uphold',
      comment: '拒绝理由成立',
    });
    assert.equal(upheld.json.status, 'denied');
    assert.equal((await w.consumer.get(`/api/sharing/applications/${first}`)).json.grantId, null);

    const second = await toOwner();
    await w.owner.post(`/api/sharing/applications/${second}/answer`, { decision: 'refuse', basis });
    const overruled = await w.reviewer.post(`/api/sharing/applications/${second}/refusal`, {
      decision: 'overrule',
      comment: '申请单位履行低保核查职责，确需使用，依法应予共享',
    });
    assert.equal(overruled.status, 200, overruled.body);
    assert.equal(overruled.json.status, 'granted');
    assert.ok((await w.consumer.get(`/api/sharing/applications/${second}`)).json.grantId);
    const actions = await auditOf(second);
    for (const x of ['share.application.refuse', 'share.application.overrule'])
      assert.ok(actions.includes(x), `${x} in ${actions}`);
    // a step out of turn
    const late = await w.owner.post(`/api/sharing/applications/${second}/answer`, { decision: 'consent' });
    assert.equal(late.status, 409);
    assert.equal(late.json.code, 'sharing.wrong_state');
  });

  it('not shared: asking for a not-shared item goes the desensitised path; the owner and the Center agree on a profile', async () => {
    const withoutMobile = await w.consumer.post(
      '/api/sharing/applications',
      applyBody(w, partlyNotShared.id, { items: ['id_no', 'name', 'level'] }),
    );
    assert.equal(withoutMobile.json.path, 'conditional');
    const a = await w.consumer.post(
      '/api/sharing/applications',
      applyBody(w, partlyNotShared.id, { items: ['id_no', 'mobile', 'level'] }),
    );
    assert.equal(a.status, 201, a.body);
    assert.equal(a.json.path, 'desensitized');
    const id = a.json.id;
    await w.reviewer.post(`/api/sharing/applications/${id}/review`, { decision: 'approve' });
    const noProfile = await w.owner.post(`/api/sharing/applications/${id}/answer`, { decision: 'consent' });
    assert.equal(noProfile.status, 400);
    assert.equal(noProfile.json.errors[0].field, 'maskingProfileId');
    const consent = await w.owner.post(`/api/sharing/applications/${id}/answer`, {
      decision: 'consent',
      maskingProfileId: 'default',
    });
    assert.equal(consent.json.status, 'profile_confirm');
    const back = await w.reviewer.post(`/api/sharing/applications/${id}/profile`, {
      decision: 'return',
      comment: '手机号码应只保留后四位',
    });
    assert.equal(back.json.status, 'owner_consent');
    await w.owner.post(`/api/sharing/applications/${id}/answer`, { decision: 'consent', maskingProfileId: 'default' });
    const accepted = await w.reviewer.post(`/api/sharing/applications/${id}/profile`, { decision: 'accept' });
    assert.equal(accepted.json.status, 'granted');
    const grantId = (await w.consumer.get(`/api/sharing/applications/${id}`)).json.grantId;
    const g = (await w.owner.get(`/api/sharing/grants/${grantId}`)).json;
    assert.equal(g.maskingProfileId, 'default');
    const mobile = g.items.find((i: { code: string }) => i.code === 'mobile');
    assert.ok(mobile.masking && !/不脱敏|none/.test(mobile.masking.zh), JSON.stringify(mobile));
  });

  it('bad applications are refused naming each field; a unit cannot apply for its own data', async () => {
    const bad = await w.consumer.post(
      '/api/sharing/applications',
      applyBody(w, conditional.id, {
        items: ['id_no', 'nope'],
        methods: ['file'],
        legalBasis: '',
        validUntil: monthsAhead(24),
        commitmentVersion: 9,
        systemId: '00000000-0000-4000-8000-000000000000',
      }),
    );
    assert.equal(bad.status, 400, bad.body);
    assert.deepEqual([...new Set(bad.json.errors.map((f: { field: string }) => f.field))].sort(), [
      'commitmentVersion',
      'items',
      'legalBasis',
      'methods',
      'systemId',
      'validUntil',
    ]);
    const own = await w.owner.post('/api/sharing/applications', applyBody(w, conditional.id, { systemId: null }));
    assert.equal(own.status, 400);
    assert.equal(own.json.errors[0].field, 'resource');
    const missing = await w.consumer.post('/api/sharing/applications', applyBody(w, 'no-such-resource'));
    assert.equal(missing.status, 400);
    assert.equal(missing.json.errors[0].field, 'resource');
  });

  it("an approved demand becomes an application in one step; only the unit's own demand, matched to the resource", async () => {
    const file = (c: typeof w.consumer) =>
      c.post('/api/demands', {
        title: '核查低保对象家庭成员',
        dataNeeded: '姓名、身份证号码',
        purpose: '低保审核',
        legalBasis: '《社会救助暂行办法》第十一条',
      });
    const mine = (await file(w.consumer)).json.id;
    const unmatched = (await file(w.consumer)).json.id;
    const theirs = (await file(w.owner)).json.id;
    const matched = await w.reviewer.post(`/api/demands/${mine}/review`, {
      outcome: 'matched',
      comment: '已有资源',
      resourceIds: [conditional.id],
    });
    assert.equal(matched.status, 200, matched.body);
    const a = await w.consumer.post('/api/sharing/applications', applyBody(w, conditional.id, { demandId: mine }));
    assert.equal(a.status, 201, a.body);
    assert.equal((await w.consumer.get(`/api/sharing/applications/${a.json.id}`)).json.demandId, mine);
    for (const demandId of [unmatched, theirs, '00000000-0000-4000-8000-000000000000']) {
      const r = await w.consumer.post('/api/sharing/applications', applyBody(w, conditional.id, { demandId }));
      assert.equal(r.status, 400, `${demandId}: ${r.body}`);
      assert.equal(r.json.errors[0].field, 'demandId');
    }
    // matched to another resource
    const r = await w.consumer.post('/api/sharing/applications', applyBody(w, unconditional.id, { demandId: mine }));
    assert.equal(r.status, 400);
    assert.match(r.json.errors[0].message.zh, /未经运营中心匹配/);
  });

  it('a case is read by its parties and the Center only; lists are scoped', async () => {
    const { applicationId, grantId } = await grantedCase(w, conditional.id);
    const stranger = await env().as('unit_admin');
    assert.equal((await stranger.get(`/api/sharing/applications/${applicationId}`)).status, 403);
    assert.equal((await stranger.get(`/api/sharing/grants/${grantId}`)).status, 403);
    const list = (await stranger.get('/api/sharing/applications')).json;
    assert.equal(list.total, 0);
    assert.deepEqual((await stranger.get('/api/sharing/grants')).json, []);
    const supervisor = await env().as('supervisor');
    assert.equal((await supervisor.get(`/api/sharing/applications/${applicationId}`)).status, 200);
    const mine = (await w.consumer.get('/api/sharing/applications?side=consumer')).json;
    assert.ok(mine.items.every((a: { consumer: { id: string } }) => a.consumer.id === w.consumerOrg));
    const theirs = (await w.owner.get('/api/sharing/applications?side=owner')).json;
    assert.ok(theirs.total > 0);
    assert.ok(theirs.items.every((a: { owner: { id: string } }) => a.owner.id === w.ownerOrg));
  });

  it('the stamped letter: a PDF or an image, at most 20 MB, downloaded by the parties (audited)', async () => {
    const a = await w.consumer.post('/api/sharing/applications', applyBody(w, conditional.id));
    const id = a.json.id;
    const up = await w.consumer.req(
      'POST',
      `/api/sharing/applications/${id}/attachments?fileName=${encodeURIComponent('申请函（盖章）.pdf')}`,
      PDF,
      { 'content-type': 'application/pdf' },
    );
    assert.equal(up.status, 201, up.body);
    assert.equal(up.json.size, PDF.length);
    const notPdf = await w.consumer.req(
      'POST',
      `/api/sharing/applications/${id}/attachments?fileName=x.pdf`,
      Buffer.from('MZ not a pdf'),
      { 'content-type': 'application/pdf' },
    );
    assert.equal(notPdf.status, 400);
    assert.equal(notPdf.json.errors[0].field, 'file');
    const tooBig = await w.consumer.req(
      'POST',
      `/api/sharing/applications/${id}/attachments?fileName=big.pdf`,
      Buffer.concat([Buffer.from('%PDF-'), Buffer.alloc(20 * 1024 * 1024 + 10)]),
      { 'content-type': 'application/pdf' },
    );
    assert.ok([400, 413].includes(tooBig.status), `${tooBig.status}`);
    assert.ok(tooBig.json?.code, 'a problem document');
    const url = `/api/sharing/applications/${id}/attachments/${up.json.id}`;
    for (const c of [w.consumer, w.owner, w.reviewer]) {
      const d = await c.req('GET', url);
      assert.equal(d.status, 200);
      assert.equal(d.headers['content-type'], 'application/pdf');
      assert.equal(Buffer.from(d.body, 'binary').length > 0, true);
      assert.match(String(d.headers['content-disposition']), /filename\*=UTF-8''/);
    }
    const stranger = await env().as('unit_admin');
    assert.equal((await stranger.req('GET', url)).status, 403);
    assert.ok((await auditOf(id)).includes('share.attachment.download'));
  });

  it('deadlines in working days across National Day and the Spring Festival, under the policy the case started with', async () => {
    const apps = env().app.services.applications;
    const realToday = apps.today;
    try {
      // 2026-09-30 (Wed): the Center has 2 working days; 1-7 October are off → Thu 8, Fri 9 October
      apps.today = () => '2026-09-30';
      const a = await w.consumer.post(
        '/api/sharing/applications',
        applyBody(w, conditional.id, { validUntil: monthsAhead(6, '2026-09-30') }),
      );
      assert.equal(a.status, 201, a.body);
      const started = (await w.consumer.get(`/api/sharing/applications/${a.json.id}`)).json;
      assert.equal(started.timeline[0].due, '2026-10-09');

      // the Center raises the owner's days after the case started: the case keeps its policy version
      const p = await w.centerAdmin.post('/api/policy', {
        params: { share_owner_consent_days: 10 },
        note: '测试：放宽答复期限',
      });
      assert.equal(p.status, 201, p.body);
      try {
        // approved on Fri 9 October: the owner has 5 working days; Sat 10 October is a make-up working day
        apps.today = () => '2026-10-09';
        const ok = await w.reviewer.post(`/api/sharing/applications/${a.json.id}/review`, { decision: 'approve' });
        assert.equal(ok.json.due, '2026-10-15', 'Sat 10, Mon 12, Tue 13, Wed 14, Thu 15');
        const b = await w.consumer.post(
          '/api/sharing/applications',
          applyBody(w, conditional.id, { validUntil: monthsAhead(6, '2026-10-09') }),
        );
        const okB = await w.reviewer.post(`/api/sharing/applications/${b.json.id}/review`, { decision: 'approve' });
        assert.equal(okB.json.due, '2026-10-22', 'a case started under the new version has 10 working days');
      } finally {
        await w.centerAdmin.post('/api/policy', { params: { share_owner_consent_days: 5 }, note: '测试：恢复' });
      }

      // overdue: read on 2026-10-20, the owner's step (due 15 October) is late by 3 working days
      apps.today = () => '2026-10-20';
      const late = (await w.owner.get(`/api/sharing/applications/${a.json.id}`)).json;
      assert.equal(late.due.state, 'overdue');
      assert.equal(late.due.daysOverdue, 3);

      // Spring Festival 2026: 15-23 February off, Sat 14 February a working day
      apps.today = () => '2026-02-13';
      const u = await w.consumer.post(
        '/api/sharing/applications',
        applyBody(w, unconditional.id, { validUntil: monthsAhead(6, '2026-02-13') }),
      );
      assert.equal((await w.consumer.get(`/api/sharing/applications/${u.json.id}`)).json.timeline[0].due, '2026-02-14');
      const c = await w.consumer.post(
        '/api/sharing/applications',
        applyBody(w, conditional.id, { validUntil: monthsAhead(6, '2026-02-13') }),
      );
      assert.equal((await w.consumer.get(`/api/sharing/applications/${c.json.id}`)).json.timeline[0].due, '2026-02-24');
    } finally {
      apps.today = realToday;
    }
  });

  it('withdrawn: the applicant withdraws an open case, and nothing more can happen to it', async () => {
    const a = await w.consumer.post('/api/sharing/applications', applyBody(w, conditional.id));
    const wd = await w.consumer.post(`/api/sharing/applications/${a.json.id}/withdraw`, { comment: '业务调整' });
    assert.equal(wd.json.status, 'withdrawn');
    const r = await w.reviewer.post(`/api/sharing/applications/${a.json.id}/review`, { decision: 'approve' });
    assert.equal(r.status, 409);
    const att = await w.consumer.req('POST', `/api/sharing/applications/${a.json.id}/attachments?fileName=a.pdf`, PDF, {
      'content-type': 'application/pdf',
    });
    assert.equal(att.status, 409);
  });

  it('a grant serves only the items applied for', async () => {
    const r = await ownerResource(
      w,
      {
        name: '独生子女家庭',
        shareType: 'unconditional',
        shareCondition: null,
        shareBasis: null,
        items: [...personResource().items, itemBody('note', '备注', { length: 100 })],
      },
      0,
    );
    const draft = (await w.consumer.get(`/api/sharing/draft?resource=${r.id}`)).json;
    assert.equal(draft.items.length, 9);
    const { grantId } = await grantedCase(w, r.id, { apply: { items: ['id_no', 'name'] } });
    const g = (await w.consumer.get(`/api/sharing/grants/${grantId}`)).json;
    assert.deepEqual(
      g.items.map((i: { code: string }) => i.code),
      ['id_no', 'name'],
    );
  });
});
