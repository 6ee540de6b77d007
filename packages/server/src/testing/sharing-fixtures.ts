// Two units and the Center for sharing tests: unit A owns a published resource of people with data loaded; unit
// B has an information system with an API credential and applies for A's data.
import type { ResourceInput } from '../domains/catalog/index.ts';
import type { Client, TestEnv } from './test-env.ts';
import { personCsv, personResource, publish } from './ingest-fixtures.ts';

export interface SharingWorld {
  ownerOrg: string;
  consumerOrg: string;
  owner: Client; // unit A's data admin
  consumer: Client; // unit B's data admin
  consumerUser: Client; // unit B's user
  reviewer: Client; // the Center's reviewer
  centerAdmin: Client;
  systemId: string; // unit B's information system
  systemName: string;
  credentialId: string;
  /** unit B's system: calls with its API credential */
  system: Client;
}

let n = 0;

/** Units A and B, the Center, B's system and its credential. */
export async function sharingWorld(env: TestEnv): Promise<SharingWorld> {
  const i = ++n;
  const a = await env.makeOrg({ kind: 'bureau', name: `民政局${i}` });
  const b = await env.makeOrg({ kind: 'town_street', name: `长城中路街道${i}` });
  const owner = await env.as('unit_admin', a.id);
  const consumer = await env.as('unit_admin', b.id);
  const consumerUser = await env.as('unit_user', b.id);
  const reviewer = await env.as('center_reviewer');
  const centerAdmin = await env.as('center_admin');
  const systemName = `网格化服务管理系统${i}`;
  const sys = await consumer.post('/api/catalog/systems', { name: systemName });
  if (sys.status !== 201) throw new Error(`system: ${sys.status} ${sys.body}`);
  const cred = await consumer.post('/api/credentials', { systemName });
  if (cred.status !== 201) throw new Error(`credential: ${cred.status} ${cred.body}`);
  const system = env.client();
  system.bearer = cred.json.token;
  return {
    ownerOrg: a.id,
    consumerOrg: b.id,
    owner,
    consumer,
    consumerUser,
    reviewer,
    centerAdmin,
    systemId: sys.json.id,
    systemName,
    credentialId: cred.json.id,
    system,
  };
}

/** A resource of people published by unit A, with `rows` rows loaded. */
export async function ownerResource(
  w: SharingWorld,
  overrides: Partial<ResourceInput> = {},
  rows = 30,
): Promise<{ id: string; code: string }> {
  const r = await publish(w.owner, w.reviewer, personResource(overrides));
  if (rows) {
    const up = await w.owner.req('POST', `/api/ingest/resources/${r.id}/upload`, personCsv(rows), {
      'content-type': 'text/csv',
    });
    if (up.status !== 200 || up.json.batch.accepted !== rows) throw new Error(`upload: ${up.status} ${up.body}`);
  }
  return r;
}

/** A day `months` months after `from` (default: about half a year from today), as YYYY-MM-DD. */
export function monthsAhead(months = 6, from = new Date().toISOString().slice(0, 10)): string {
  const d = new Date(`${from}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

/** An application body for a resource, valid as it stands. */
export function applyBody(w: SharingWorld, resource: string, overrides: Record<string, unknown> = {}) {
  return {
    resource,
    purpose: '核查辖区低保对象家庭情况，开展入户走访',
    businessProcess: '社区网格员按名单入户核查，结果录入网格化服务管理系统',
    scenario: '低保动态管理',
    legalBasis: '《社会救助暂行办法》第十一条',
    methods: ['api'],
    validUntil: monthsAhead(6),
    systemId: w.systemId,
    commitmentVersion: 1,
    ...overrides,
  };
}

/** Applies and takes the case to a grant by the conditional path (the owner consents). */
export async function grantedCase(
  w: SharingWorld,
  resource: string,
  opts: { apply?: Record<string, unknown>; consent?: Record<string, unknown> } = {},
): Promise<{ applicationId: string; grantId: string }> {
  const a = await w.consumer.post('/api/sharing/applications', applyBody(w, resource, opts.apply));
  if (a.status !== 201) throw new Error(`apply: ${a.status} ${a.body}`);
  const id = a.json.id as string;
  if (a.json.status === 'center_confirm') {
    const c = await w.reviewer.post(`/api/sharing/applications/${id}/confirm`, {});
    if (c.status !== 200) throw new Error(`confirm: ${c.status} ${c.body}`);
  } else {
    const r = await w.reviewer.post(`/api/sharing/applications/${id}/review`, { decision: 'approve' });
    if (r.status !== 200) throw new Error(`review: ${r.status} ${r.body}`);
    const c = await w.owner.post(`/api/sharing/applications/${id}/answer`, { decision: 'consent', ...opts.consent });
    if (c.status !== 200) throw new Error(`consent: ${c.status} ${c.body}`);
    if (c.json.status === 'profile_confirm') {
      const p = await w.reviewer.post(`/api/sharing/applications/${id}/profile`, { decision: 'accept' });
      if (p.status !== 200) throw new Error(`profile: ${p.status} ${p.body}`);
    }
  }
  const got = await w.consumer.get(`/api/sharing/applications/${id}`);
  if (!got.json.grantId) throw new Error(`no grant: ${got.body}`);
  return { applicationId: id, grantId: got.json.grantId };
}

/** A profile of unit A's resource that gives the key and the name in clear (looser: the Center approves it). */
export async function clearKeyProfile(w: SharingWorld, resourceId: string, name = '核查用方案'): Promise<string> {
  const p = await w.owner.post(`/api/masking/resources/${resourceId}/profiles`, {
    name,
    purpose: 'grant',
    rules: { id_no: { rule: 'none' }, name: { rule: 'none' } },
  });
  if (p.status !== 201) throw new Error(`profile: ${p.status} ${p.body}`);
  const ok = await w.centerAdmin.post(`/api/masking/profiles/${p.json.id}/approve`);
  if (ok.status !== 204) throw new Error(`approve profile: ${ok.status} ${ok.body}`);
  return p.json.id;
}
