// Problem-data tickets end to end over the API, on both databases: a consumer reports, the Center triages, the owner
// fixes within its working days (extension approved, refused and capped; urgent), the reporter verifies or reopens;
// rejected and merged at triage; deadlines across National Day with its make-up day, under the policy the ticket
// started with; automatic tickets from a failing rule, once, closed by the rule passing again; privacy reports
// hidden from the reporter's peers; the register as XLSX; every step on the timeline and in the audit trail.
import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../../testing/test-env.ts';
import { grantedCase, ownerResource, sharingWorld, type SharingWorld } from '../../testing/sharing-fixtures.ts';
import { personCsv } from '../../testing/ingest-fixtures.ts';
import { loadExcel } from '../../platform/xlsx.ts';

describeEachDb('quality: problem-data tickets', (env) => {
  let w: SharingWorld;
  let res: { id: string; code: string };

  const report = async (overrides: Record<string, unknown> = {}, who = () => w.consumer) => {
    const r = await who().post('/api/quality/tickets', {
      resourceId: res.id,
      category: 'wrong',
      description: '入户核查发现两户家庭人口数与实际不符',
      keys: ['640106195001010005', '640106195001010013'],
      items: ['members'],
      ...overrides,
    });
    assert.equal(r.status, 201, r.body);
    return r.json as { id: string; no: string; status: string; due: string };
  };
  const get = async (id: string, who = () => w.consumer) => (await who().get(`/api/quality/tickets/${id}`)).json;

  before(async () => {
    w = await sharingWorld(env());
    res = await ownerResource(w, {}, 12);
    await grantedCase(w, res.id);
  });

  it('the whole loop: reported, accepted, more time asked and given within the cap, fixed by a batch, confirmed', async () => {
    const t = await report();
    assert.match(t.no, /^WT\d{10}$/);
    assert.equal(t.status, 'triage');
    assert.ok((await w.reviewer.get('/api/quality/inbox')).json.center >= 1);
    // nobody but the Center triages
    assert.equal((await w.owner.post(`/api/quality/tickets/${t.id}/triage`, { decision: 'accept' })).status, 403);
    assert.equal((await w.consumer.post(`/api/quality/tickets/${t.id}/triage`, { decision: 'accept' })).status, 403);
    const acc = await w.reviewer.post(`/api/quality/tickets/${t.id}/triage`, { decision: 'accept', comment: '请核实' });
    assert.equal(acc.status, 200, acc.body);
    assert.equal(acc.json.status, 'assigned');
    const assigned = await get(t.id, () => w.owner);
    assert.equal(assigned.waitingFor, 'owner');
    assert.equal(assigned.may.fix, true);
    assert.equal(assigned.may.requestExtension, true);
    assert.ok((await w.owner.get('/api/quality/inbox')).json.owner >= 1);

    // more time: 11 days would pass the cap (5 + 11 > 15), 10 is allowed; the Center gives 6 of them
    const tooMuch = await w.owner.post(`/api/quality/tickets/${t.id}/extension`, { days: 11, reason: '需外业核查' });
    assert.equal(tooMuch.status, 400, tooMuch.body);
    assert.equal(tooMuch.json.errors[0].field, 'days');
    const ask = await w.owner.post(`/api/quality/tickets/${t.id}/extension`, { days: 10, reason: '需外业核查' });
    assert.equal(ask.json.status, 'extension_requested', ask.body);
    const give = await w.reviewer.post(`/api/quality/tickets/${t.id}/extension/decision`, { approve: true, days: 6 });
    assert.equal(give.json.status, 'assigned', give.body);
    const afterExt = await get(t.id, () => w.owner);
    assert.equal(afterExt.extensionDays, 6);
    // 4 more days remain under the cap: asking 5 is refused, asking 4 and refusing it leaves the date as it was
    assert.equal(
      (await w.owner.post(`/api/quality/tickets/${t.id}/extension`, { days: 5, reason: '再延' })).status,
      400,
    );
    await w.owner.post(`/api/quality/tickets/${t.id}/extension`, { days: 4, reason: '再延' });
    const noReason = await w.reviewer.post(`/api/quality/tickets/${t.id}/extension/decision`, { approve: false });
    assert.equal(noReason.status, 400);
    const refuse = await w.reviewer.post(`/api/quality/tickets/${t.id}/extension/decision`, {
      approve: false,
      comment: '请按期完成',
    });
    assert.equal(refuse.json.due, afterExt.dueDate, refuse.body);

    // the fix: a note and the batch that corrected the rows (an older batch or another resource's is refused)
    const noData = await w.owner.post(`/api/quality/tickets/${t.id}/fix`, { note: '已更正' });
    assert.equal(noData.status, 400);
    const up = await w.owner.req('POST', `/api/ingest/resources/${res.id}/upload?mode=upsert`, personCsv(2), {
      'content-type': 'text/csv',
    });
    assert.equal(up.json.batch.status, 'succeeded', up.body);
    const fixed = await w.owner.post(`/api/quality/tickets/${t.id}/fix`, {
      note: '已核实并更正家庭人口数',
      batchId: up.json.batch.id,
    });
    assert.equal(fixed.json.status, 'verifying', fixed.body);
    assert.equal((await get(t.id)).may.verify, true);
    assert.equal((await w.owner.post(`/api/quality/tickets/${t.id}/verify`, { decision: 'confirm' })).status, 403);
    const ok = await w.consumer.post(`/api/quality/tickets/${t.id}/verify`, { decision: 'confirm', comment: '已核对' });
    assert.equal(ok.json.status, 'closed', ok.body);

    const done = await get(t.id);
    assert.equal(done.fix.batchId, up.json.batch.id);
    assert.deepEqual(
      done.events.map((e: { action: string }) => e.action),
      [
        'report',
        'accept',
        'extension_request',
        'extension_approve',
        'extension_request',
        'extension_refuse',
        'fix',
        'close',
      ],
    );
    const audit = (await w.centerAdmin.get(`/api/audit?objectId=${t.id}&limit=50`)).json.items.map(
      (r: { action: string }) => r.action,
    );
    for (const a of ['quality.ticket.report', 'quality.ticket.accept', 'quality.ticket.fix', 'quality.ticket.close'])
      assert.ok(audit.includes(a), `${a} in ${audit}`);
  });

  it('reopened by the reporter: back to the owner with the clock started again', async () => {
    const t = await report();
    await w.reviewer.post(`/api/quality/tickets/${t.id}/triage`, { decision: 'accept' });
    await w.owner.post(`/api/quality/tickets/${t.id}/fix`, { note: '经核实数据无误', dataWasRight: true });
    assert.equal((await w.consumer.post(`/api/quality/tickets/${t.id}/verify`, { decision: 'reopen' })).status, 400);
    const r = await w.consumer.post(`/api/quality/tickets/${t.id}/verify`, {
      decision: 'reopen',
      comment: '入户核实人口数仍不符',
    });
    assert.equal(r.json.status, 'assigned', r.body);
    const again = await get(t.id, () => w.owner);
    assert.equal(again.extensionDays, 0);
    assert.equal(again.events.at(-1).action, 'reopen');
  });

  it('rejected at triage with a reason, merged as a duplicate, and the wrong step refused', async () => {
    const a = await report();
    assert.equal((await w.reviewer.post(`/api/quality/tickets/${a.id}/triage`, { decision: 'reject' })).status, 400);
    const rej = await w.reviewer.post(`/api/quality/tickets/${a.id}/triage`, {
      decision: 'reject',
      comment: '所指记录不在本资源中',
    });
    assert.equal(rej.json.status, 'rejected');
    assert.equal(
      (await w.owner.post(`/api/quality/tickets/${a.id}/fix`, { note: 'x', dataWasRight: true })).status,
      409,
    );
    const first = await report();
    const dup = await report();
    const self = await w.reviewer.post(`/api/quality/tickets/${dup.id}/triage`, {
      decision: 'merge',
      mergeInto: dup.id,
    });
    assert.equal(self.status, 400);
    const m = await w.reviewer.post(`/api/quality/tickets/${dup.id}/triage`, {
      decision: 'merge',
      mergeInto: first.id,
    });
    assert.equal(m.json.status, 'merged', m.body);
    assert.equal((await get(dup.id)).mergedInto, first.id);
  });

  it('who may report: a unit holding a grant, its system, the Center; not a unit without one, nor the owner', async () => {
    const other = await env().as('unit_admin', (await env().makeOrg({ kind: 'bureau' })).id);
    const noGrant = await other.post('/api/quality/tickets', {
      resourceId: res.id,
      category: 'wrong',
      description: '错',
    });
    assert.equal(noGrant.status, 403);
    const own = await w.owner.post('/api/quality/tickets', {
      resourceId: res.id,
      category: 'wrong',
      description: '错',
    });
    assert.equal(own.status, 400);
    const sys = await w.system.post('/api/quality/tickets', {
      resourceId: res.id,
      category: 'outdated',
      description: '接口返回的救助类别已过时',
      keys: ['640106195001010005'],
    });
    assert.equal(sys.status, 201, sys.body);
    assert.equal((await get(sys.json.id)).source, 'api');
    const c = await report({}, () => w.reviewer);
    assert.equal((await get(c.id, () => w.reviewer)).source, 'center');
    const bad = await w.consumer.post('/api/quality/tickets', {
      resourceId: res.id,
      category: 'wrong',
      description: '错',
      items: ['no_such_item'],
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.errors[0].field, 'items');
  });

  it('rows seen in the console are reported by their references: the owner gets the keys, the consumer never sees them', async () => {
    const { grantId } = await grantedCase(w, res.id);
    const page = await w.consumerUser.get(`/api/sharing/grants/${grantId}/rows?limit=3`);
    assert.equal(page.status, 200, page.body);
    assert.equal(page.json.refs.length, 3);
    // the key is masked in this grant: the reference does not show it
    assert.ok(page.json.refs.every((r: string) => !/\d{17}/.test(r)));
    assert.notEqual(String(page.json.rows[0].id_no), page.json.refs[0]);
    const t = await w.consumerUser.post('/api/quality/tickets', {
      resourceId: res.id,
      category: 'wrong',
      description: '这三户的救助类别有误',
      grantId,
      refs: page.json.refs,
    });
    assert.equal(t.status, 201, t.body);
    const asOwner = await get(t.json.id, () => w.owner);
    assert.equal(asOwner.keys.length, 3);
    assert.ok(
      asOwner.keys.every((k: string) => /^\d{17}[\dX]$/.test(k)),
      asOwner.keys.join(),
    );
    // the reporter sees the rows it reported as it saw them: masked, never the keys its grant does not give
    const asReporter = await get(t.json.id, () => w.consumerUser);
    assert.equal(asReporter.keys.length, 3);
    assert.ok(
      asReporter.keys.every((k: string) => !asOwner.keys.includes(k)),
      asReporter.keys.join(),
    );
    // a reference from another grant, or made up, names no row
    const forged = await w.consumerUser.post('/api/quality/tickets', {
      resourceId: res.id,
      category: 'wrong',
      description: '伪造',
      grantId,
      refs: ['tk1.AAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    });
    assert.equal(forged.status, 400, forged.body);
    assert.equal(forged.json.errors[0].field, 'refs');
    const refused = (await w.centerAdmin.get('/api/audit?action=access.refused&limit=200')).json.items as {
      diff: { reason?: string };
    }[];
    assert.ok(
      refused.some((x) => x.diff.reason === 'tampered_ref'),
      'a made-up reference is refused on the record',
    );
    const blank = await w.consumerUser.post('/api/quality/tickets', {
      resourceId: res.id,
      category: 'wrong',
      description: '  ',
    });
    assert.equal(blank.status, 400);
    assert.equal(blank.json.errors[0].field, 'description');
    // another unit's staff cannot read the grant's rows
    const other = await env().as('unit_user', (await env().makeOrg({ kind: 'bureau' })).id);
    assert.equal((await other.get(`/api/sharing/grants/${grantId}/rows`)).status, 403);
  });

  it('a report verified by a rule: the Center names it at triage, the fix is checked on the reported rows', async () => {
    const { grantId } = await grantedCase(w, res.id);
    // households of more than 5 are wrong in this list (every sixth row has 6)
    const rule = await w.owner.post('/api/quality/rules', {
      resourceId: res.id,
      kind: 'validity',
      items: ['members'],
      params: { check: 'range', min: '1', max: '5' },
      name: '家庭人口数不超过5人',
    });
    assert.equal(rule.status, 201, rule.body);
    const page = await w.consumer.get(`/api/sharing/grants/${grantId}/rows?limit=12&fields=members`);
    const wrong = page.json.rows
      .map((r: { members: number }, i: number) => (r.members === 6 ? page.json.refs[i] : null))
      .filter(Boolean);
    assert.equal(wrong.length, 2, page.body);
    const t = await w.consumer.post('/api/quality/tickets', {
      resourceId: res.id,
      category: 'wrong',
      description: '家庭人口数为6人，与入户核查不符',
      grantId,
      refs: wrong,
      items: ['members'],
    });
    assert.equal(t.status, 201, t.body);
    const seen = await get(t.json.id, () => w.reviewer);
    assert.ok(
      seen.verifyRules.some((r: { id: string }) => r.id === rule.json.id),
      JSON.stringify(seen.verifyRules),
    );
    const badRule = await w.reviewer.post(`/api/quality/tickets/${t.json.id}/triage`, {
      decision: 'accept',
      ruleId: '00000000-0000-4000-8000-000000000000',
    });
    assert.equal(badRule.status, 400);
    const acc = await w.reviewer.post(`/api/quality/tickets/${t.json.id}/triage`, {
      decision: 'accept',
      ruleId: rule.json.id,
    });
    assert.equal(acc.status, 200, acc.body);
    // a fix without new data: the rule still fails the two rows, reopened at once
    const f1 = await w.owner.post(`/api/quality/tickets/${t.json.id}/fix`, { note: '已核实', dataWasRight: true });
    assert.equal(f1.json.status, 'assigned', f1.body);
    // the owner uploads the corrected rows (5 members) and names the batch: the rule passes them, closed
    const keys = (await get(t.json.id, () => w.owner)).keys as string[];
    const lines = personCsv(12).trim().split('\r\n');
    const fixed = lines
      .filter((l, i) => i === 0 || keys.includes(l.split(',')[0]!))
      .map((l, i) => {
        if (i === 0) return l;
        const c = l.split(',');
        c[4] = '5';
        return c.join(',');
      });
    const up = await w.owner.req(
      'POST',
      `/api/ingest/resources/${res.id}/upload?mode=upsert`,
      fixed.join('\r\n') + '\r\n',
      {
        'content-type': 'text/csv',
      },
    );
    assert.equal(up.json.batch.accepted, 2, up.body);
    const f2 = await w.owner.post(`/api/quality/tickets/${t.json.id}/fix`, {
      note: '已更正为5人',
      batchId: up.json.batch.id,
    });
    assert.equal(f2.json.status, 'closed', f2.body);
    const events = (await get(t.json.id, () => w.reviewer)).events;
    assert.deepEqual(
      events.map((e: { action: string }) => e.action),
      ['report', 'accept', 'fix', 'reopen', 'fix', 'close'],
    );
    assert.match(events.at(-1).comment, /全部通过/);
  });

  it("a privacy report is seen by the Center, the owner and its reporter — not by the reporter's colleagues", async () => {
    const t = await report({ category: 'privacy', description: '公开了住址门牌号' });
    assert.equal((await w.consumer.get(`/api/quality/tickets/${t.id}`)).status, 200);
    assert.equal((await w.owner.get(`/api/quality/tickets/${t.id}`)).status, 200);
    assert.equal((await w.reviewer.get(`/api/quality/tickets/${t.id}`)).status, 200);
    assert.equal((await w.consumerUser.get(`/api/quality/tickets/${t.id}`)).status, 403);
    const peers = (await w.consumerUser.get('/api/quality/tickets?limit=200')).json.tickets.map(
      (x: { id: string }) => x.id,
    );
    assert.ok(!peers.includes(t.id));
    const mine = (await w.consumer.get('/api/quality/tickets?limit=200')).json.tickets.map((x: { id: string }) => x.id);
    assert.ok(mine.includes(t.id));
    // an ordinary report is the whole unit's
    const o = await report();
    assert.equal((await w.consumerUser.get(`/api/quality/tickets/${o.id}`)).status, 200);
  });

  it('urgent: the Center sets its own deadline; deadlines cross National Day under the policy the ticket started with', async () => {
    const svc = env().app.services.tickets;
    const realToday = svc.today;
    try {
      // Wed 30 September 2026: triage has 2 working days (1-7 October are off) → Fri 9 October
      svc.today = () => '2026-09-30';
      const t = await report();
      assert.equal(t.due, '2026-10-09');
      // the Center raises the fix days after the ticket started: the ticket keeps its version
      const p = await w.centerAdmin.post('/api/policy', { params: { ticket_fix_days: 10 }, note: '测试' });
      assert.equal(p.status, 201, p.body);
      try {
        const acc = await w.reviewer.post(`/api/quality/tickets/${t.id}/triage`, { decision: 'accept' });
        // 5 working days from 30 September: Thu 8, Fri 9, Sat 10 (make-up), Mon 12, Tue 13
        assert.equal(acc.json.due, '2026-10-13', acc.body);
        await w.owner.post(`/api/quality/tickets/${t.id}/extension`, { days: 10, reason: '外业' });
        const give = await w.reviewer.post(`/api/quality/tickets/${t.id}/extension/decision`, { approve: true });
        // 15 working days from receipt: …, Mon 26, Tue 27 October
        assert.equal(give.json.due, '2026-10-27', give.body);
        svc.today = () => '2026-10-30';
        const late = await get(t.id, () => w.owner);
        assert.equal(late.overdue, true);
        assert.equal(late.daysOverdue, 3);
        assert.ok((await w.owner.get('/api/quality/inbox')).json.overdue >= 1);
        // reminders: overdue tells the owner and escalates to the Center, once
        const sent = await svc.remind('2026-10-30');
        assert.ok(sent >= 2);
        const bell = (await w.owner.get('/api/notifications')).json.items.filter(
          (n: { kind: string; objectId: string }) => n.kind === 'ticket.overdue' && n.objectId === t.id,
        );
        assert.equal(bell.length, 1);
        await svc.remind('2026-10-30');
        assert.equal(
          (await w.owner.get('/api/notifications')).json.items.filter(
            (n: { kind: string; objectId: string }) => n.kind === 'ticket.overdue' && n.objectId === t.id,
          ).length,
          1,
        );

        // urgent in triage: the owner's deadline is the Center's date once accepted
        svc.today = () => '2026-09-30';
        const u = await report();
        assert.equal(
          (await w.reviewer.post(`/api/quality/tickets/${u.id}/urgent`, { dueDate: '2026-09-29' })).status,
          400,
          'not before today',
        );
        const urg = await w.reviewer.post(`/api/quality/tickets/${u.id}/urgent`, {
          dueDate: '2026-10-08',
          comment: '专项督办',
        });
        assert.equal(urg.status, 200, urg.body);
        const a2 = await w.reviewer.post(`/api/quality/tickets/${u.id}/triage`, { decision: 'accept' });
        assert.equal(a2.json.due, '2026-10-08');
        assert.equal((await get(u.id, () => w.owner)).urgent, true);
        // a ticket started under the new version has 10 working days
        const n = await report();
        const a3 = await w.reviewer.post(`/api/quality/tickets/${n.id}/triage`, { decision: 'accept' });
        assert.equal(a3.json.due, '2026-10-20', a3.body);
      } finally {
        await w.centerAdmin.post('/api/policy', { params: { ticket_fix_days: 5 }, note: '测试：恢复' });
      }
    } finally {
      svc.today = realToday;
    }
  });

  it('a failing rule reports once; the rule passing again closes the verification, failing reopens it', async () => {
    const rule = await w.owner.post('/api/quality/rules', {
      resourceId: res.id,
      kind: 'validity',
      items: ['members'],
      params: { check: 'range', min: '1', max: '3' },
    });
    assert.equal(rule.status, 201, rule.body);
    const first = await w.owner.post(`/api/quality/rules/${rule.json.id}/run`);
    assert.equal(first.json.outcome, 'failed', first.body);
    await w.owner.post(`/api/quality/rules/${rule.json.id}/run`);
    const auto = (await w.reviewer.get(`/api/quality/tickets?resourceId=${res.id}&limit=200`)).json.tickets.filter(
      (t: { ruleId: string | null }) => t.ruleId === rule.json.id,
    );
    assert.equal(auto.length, 1, 'one open ticket per rule');
    const id = auto[0].id;
    assert.equal(auto[0].source, 'rule');
    assert.equal(auto[0].category, 'wrong');
    await w.reviewer.post(`/api/quality/tickets/${id}/triage`, { decision: 'accept' });
    // the owner says the data is right, the rule still fails: reopened at once
    const f1 = await w.owner.post(`/api/quality/tickets/${id}/fix`, { note: '数据无误', dataWasRight: true });
    assert.equal(f1.json.status, 'assigned', f1.body);
    // the Center widens the rule (households of up to 6 are allowed): the next fix is verified by the rule
    assert.equal(
      (await w.reviewer.patch(`/api/quality/rules/${rule.json.id}`, { params: { check: 'range', min: '1', max: '6' } }))
        .status,
      200,
    );
    const f2 = await w.owner.post(`/api/quality/tickets/${id}/fix`, { note: '规则已调整', dataWasRight: true });
    assert.equal(f2.json.status, 'closed', f2.body);
    const events = (await get(id, () => w.reviewer)).events.map((e: { action: string }) => e.action);
    assert.deepEqual(events, ['report', 'accept', 'fix', 'reopen', 'fix', 'close']);
  });

  it('the register: every ticket of the period as XLSX, in words, without the text of privacy reports', async () => {
    const r = await w.reviewer.get('/api/quality/tickets/register.xlsx');
    assert.equal(r.status, 200, r.body);
    assert.equal((await w.owner.get('/api/quality/tickets/register.xlsx')).status, 403);
    const wb = new (await loadExcel()).Workbook();
    await wb.xlsx.load(r.raw as never);
    const ws = wb.worksheets[0]!;
    assert.equal(ws.getRow(1).getCell(1).value, '工单编号');
    const rows: string[] = [];
    ws.eachRow((row, n) => {
      if (n > 1) rows.push((row.values as unknown[]).join('|'));
    });
    assert.ok(rows.length >= 8, `${rows.length} rows`);
    assert.ok(rows.some((x) => x.includes('已办结')));
    assert.ok(!rows.some((x) => x.includes('公开了住址门牌号')), 'privacy text left out');
    assert.ok(rows.some((x) => x.includes('侵犯个人隐私')));
  });
});
