// The bell: a sharing case tells the party it waits for, and the applicant of the outcome; each user reads their
// own; a unit sees only its own; the morning's reminders tell of overdue steps and grants about to expire, once.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { describeEachDb } from '../../testing/test-env.ts';
import {
  applyBody,
  grantedCase,
  monthsAhead,
  ownerResource,
  sharingWorld,
  type SharingWorld,
} from '../../testing/sharing-fixtures.ts';

interface Notice {
  id: string;
  kind: string;
  objectId: string;
  params: Record<string, string>;
  read: boolean;
}

describeEachDb('notifications', (env) => {
  let w: SharingWorld;
  let res: { id: string; code: string };
  before(async () => {
    w = await sharingWorld(env());
    res = await ownerResource(w, {}, 3);
  });
  const bell = async (c: SharingWorld['owner']) => {
    const r = await c.get('/api/notifications');
    assert.equal(r.status, 200, r.body);
    return r.json as { unread: number; items: Notice[] };
  };
  const about = (b: { items: Notice[] }, id: string, kind: string) =>
    b.items.filter((n) => n.objectId === id && n.kind === kind);

  it('each step tells the party the case waits for; the outcome tells the applicant; each user reads their own', async () => {
    const a = await w.consumer.post('/api/sharing/applications', applyBody(w, res.id));
    const id = a.json.id as string;
    const center = await bell(w.reviewer);
    const waiting = about(center, id, 'share.waiting');
    assert.equal(waiting.length, 1, 'the Center is told');
    assert.equal(waiting[0]!.params.no, a.json.no);
    assert.equal(about(await bell(w.owner), id, 'share.waiting').length, 0, 'not the owner yet');
    await w.reviewer.post(`/api/sharing/applications/${id}/review`, { decision: 'approve' });
    const owner = await bell(w.owner);
    const asked = about(owner, id, 'share.waiting');
    assert.equal(asked.length, 1, 'now the owner');
    assert.equal(asked[0]!.params.status, 'owner_consent');
    await w.owner.post(`/api/sharing/applications/${id}/answer`, { decision: 'consent' });
    assert.equal(about(await bell(w.consumer), id, 'share.decided').length, 1, 'the applicant hears the outcome');
    // read by one user of the unit, still unread for another
    const before_ = await bell(w.consumerUser);
    const mine = about(await bell(w.consumer), id, 'share.decided')[0]!;
    assert.equal((await w.consumer.post('/api/notifications/read', { ids: [mine.id] })).status, 204);
    const after_ = await bell(w.consumer);
    assert.equal(about(after_, id, 'share.decided')[0]!.read, true);
    assert.equal((await bell(w.consumerUser)).unread, before_.unread, 'another user of the unit has not read it');
    assert.equal((await w.consumerUser.post('/api/notifications/read', {})).status, 204);
    assert.equal((await bell(w.consumerUser)).unread, 0, 'all read');
    // another unit sees none of it, and cannot mark them read
    const stranger = await env().as('unit_admin');
    const theirs = await bell(stranger);
    assert.equal(theirs.items.filter((n) => n.objectId === id).length, 0, 'nothing of another unit’s case');
    assert.equal((await stranger.post('/api/notifications/read', { ids: [asked[0]!.id] })).status, 204);
    assert.equal(about(await bell(w.owner), id, 'share.waiting')[0]!.read, false, 'the owner’s stays unread');
  });

  it('the morning reminders: a step past its due date, a grant about to expire — each told once', async () => {
    const a = await w.consumer.post('/api/sharing/applications', applyBody(w, res.id));
    const id = a.json.id as string;
    await w.reviewer.post(`/api/sharing/applications/${id}/review`, { decision: 'approve' });
    const { applications, grants } = env().app.services;
    const late = await applications.remindOverdue('2099-01-05');
    assert.ok(late >= 1);
    await applications.remindOverdue('2099-01-05');
    const overdue = about(await bell(w.owner), id, 'share.overdue');
    assert.equal(overdue.length, 1, 'told once, however often the job runs');
    // a grant ending within the notice (10 working days by default) tells both parties once
    const validUntil = monthsAhead(6);
    const { grantId } = await grantedCase(w, res.id, { apply: { validUntil } });
    const fiveDaysBefore = new Date(Date.parse(`${validUntil}T00:00:00Z`) - 5 * 86_400_000).toISOString().slice(0, 10);
    const monthBefore = new Date(Date.parse(`${validUntil}T00:00:00Z`) - 40 * 86_400_000).toISOString().slice(0, 10);
    await grants.remindExpiring(monthBefore);
    assert.equal(about(await bell(w.consumer), grantId, 'grant.expiring').length, 0, 'not a month before');
    await grants.remindExpiring(fiveDaysBefore);
    await grants.remindExpiring(fiveDaysBefore);
    for (const c of [w.consumer, w.owner]) {
      const n = about(await bell(c), grantId, 'grant.expiring');
      assert.equal(n.length, 1);
      assert.equal(n[0]!.params.due, validUntil);
    }
  });
});
