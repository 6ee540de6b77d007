// An audit record as a person reads it: the action in words, the object by its name and code with its page, the
// unit by name, and the details as labelled fields (a change as before → after), values in words where they are
// the platform's own codes. The raw record stays beside it for auditors.
import type { AuditRecordTable } from '../../db/schema.ts';
import { ROLE_WORDS, ROLES, type Role } from '../../platform/context.ts';
import { uuidsOnly, type LabelLookup, type ObjectLabel } from '../../platform/labels.ts';
import {
  ACTION_FAMILIES,
  actionWords,
  familyOf,
  fieldWords,
  objectTypeWords,
  words,
  type ActionFamily,
} from './audit.words.ts';

/** How to name each kind of object a record may point at (the app gathers them from every domain's index.ts). */
export type AuditLabels = Partial<Record<string, LabelLookup>>;

type Text = { zh: string; en: string };

const OUTCOMES: Record<string, readonly [string, string]> = {
  success: ['成功', 'Succeeded'],
  denied: ['拒绝', 'Denied'],
  failure: ['失败', 'Failed'],
};

/** Values that are the platform's own codes, in words, by the field that carries them. */
const VALUE_WORDS: Record<string, Record<string, readonly [string, string]>> = {
  outcome: {
    ...OUTCOMES,

    all_accepted: ['全部入库', 'All rows loaded'],
    partly_accepted: ['部分入库', 'Partly loaded'],
    none_accepted: ['未入库（全部未通过）', 'Nothing loaded (all rejected)'],
    empty: ['无数据行', 'No rows'],
    failed: ['失败，未写入任何数据', 'Failed, nothing changed'],
  },
  mode: {
    upsert: ['按主键更新', 'Upsert by key'],
    append: ['追加', 'Append'],
    replace: ['全量替换', 'Replace all'],
  },
  reason: {
    rate_limited: ['请求过于频繁', 'Too many requests'],
    role_not_allowed: ['该单位不能拥有此角色', 'A role the organisation may not hold'],
    wrong_password: ['密码错误', 'Wrong password'],
    wrong_totp: ['动态口令错误', 'Wrong one-time code'],
    totp_replay: ['动态口令重复使用', 'One-time code used again'],
    locked: ['账号已临时锁定', 'Account locked for a while'],
    tampered_cursor: ['翻页游标被改动', 'Altered paging cursor'],
    tampered_ref: ['记录引用被改动或伪造', 'Altered or made-up row reference'],
    bad_filter: ['查询条件无法解析', 'Query filter that does not parse'],
    masked_item: ['以脱敏信息项作查询条件', 'Filter or sort on a masked item'],
    outside_grant: ['超出授权范围的信息项', 'Items outside the grant'],
  },
  mfa: {
    totp: ['动态口令', 'One-time code'],
    totp_pending: ['待输入动态口令', 'One-time code next'],
    enrol_required: ['须先绑定动态口令', 'One-time-code set-up required'],
    complete: ['已完成', 'Complete'],
  },
  kind: {
    center: ['运营中心', 'Center'],
    cac: ['网信办', 'Cyberspace office'],
    town_street: ['镇街', 'Town / street'],
    bureau: ['委办局', 'Bureau'],
    institution: ['事业单位', 'Public institution'],
    vertical: ['垂管单位', 'Vertical unit'],
    completeness: ['完整性', 'Completeness'],
    validity: ['有效性', 'Validity'],
    uniqueness: ['唯一性', 'Uniqueness'],
    consistency: ['一致性（比对）', 'Consistency'],
    timeliness: ['及时性', 'Timeliness'],
    single_source: ['一数一源一致性', 'One-source agreement'],
    postgres: ['PostgreSQL 数据库', 'PostgreSQL database'],
    mysql: ['MySQL 数据库', 'MySQL database'],
    http: ['HTTP 接口', 'HTTP API'],
  },
  /** the statuses of catalog versions, demands, system plans and masking profiles */
  status: {
    draft: ['草稿', 'Draft'],
    submitted: ['待审核', 'Submitted'],
    returned: ['退回修改', 'Returned'],
    approved: ['已通过', 'Approved'],
    superseded: ['已被替代', 'Superseded'],
    withdrawn: ['已撤回', 'Withdrawn'],
    matched: ['已匹配资源', 'Matched'],
    topic_approved: ['批准为主题库', 'Approved as a topic library'],
    rejected: ['已驳回', 'Rejected'],
    active: ['启用', 'Active'],
    pending_approval: ['待运营中心审批', 'Awaiting the Center'],
    center_confirm: ['待运营中心确认供给', 'Awaiting the Center’s confirmation'],
    center_review: ['待运营中心审核', 'Awaiting the Center’s review'],
    owner_consent: ['待数据责任单位答复', 'Awaiting the owner’s answer'],
    profile_confirm: ['待确认脱敏方案', 'Awaiting the masking profile’s confirmation'],
    refusal_review: ['待审核不同意理由', 'Refusal under review'],
    granted: ['已授权', 'Granted'],
    denied: ['不予共享', 'Denied'],
    triage: ['待运营中心分派', 'Waiting for the Center'],
    assigned: ['待责任单位处理', 'Waiting for the owner'],
    extension_requested: ['延期待审核', 'Extension asked'],
    verifying: ['待校验', 'Being verified'],
    closed: ['已办结', 'Closed'],
    merged: ['已合并（重复）', 'Merged (duplicate)'],
  },
  check: {
    not_null: ['必填项不为空', 'Required items not empty'],
    row_count: ['数据量不少于', 'At least so many rows'],
    validator: ['格式校验', 'Format check'],
    value_set: ['取值在值域内', 'Value in the value set'],
    range: ['取值范围', 'Value in a range'],
    pattern: ['符合正则表达式', 'Matches a pattern'],
    not_future: ['日期不晚于今天', 'Date not in the future'],
  },
  validator: {
    id_card: ['公民身份号码', 'Resident ID'],
    uscc: ['统一社会信用代码', 'Unified social credit code'],
    mobile: ['手机号码', 'Mobile number'],
    email: ['电子邮箱', 'E-mail address'],
  },
  category: {
    wrong: ['数据错误', 'Wrong'],
    missing: ['数据缺失', 'Missing'],
    outdated: ['数据过时', 'Outdated'],
    duplicate: ['数据重复', 'Duplicate'],
    trade_secret: ['侵犯商业秘密', 'Infringes a trade secret'],
    privacy: ['侵犯个人隐私', 'Infringes personal privacy'],
  },
  source: {
    consumer: ['使用单位反馈', 'A consumer unit'],
    center: ['运营中心发现', 'The Center'],
    rule: ['质量规则发现', 'A quality rule'],
    api: ['接口调用方反馈', 'A consumer system'],
  },
  result: {
    passed: ['全部通过', 'All passed'],
    failed: ['有规则不通过', 'Some rules failed'],
    not_run: ['有规则无法运行', 'Some rules could not run'],
  },
  trigger: {
    batch: ['归集后', 'After a batch'],
    schedule: ['定时', 'Scheduled'],
    manual: ['手动', 'By hand'],
    verify: ['工单校验', 'Ticket verification'],
  },
  scope: {
    district: ['运营中心规则', 'District rule'],
    unit: ['本单位规则', 'Unit rule'],
  },
  state: {
    active: ['有效', 'Active'],
    suspended: ['已暂停', 'Suspended'],
    revoked: ['已撤销', 'Revoked'],
  },
  path: {
    unconditional: ['无条件共享', 'Unconditional'],
    conditional: ['有条件共享', 'Conditional'],
    desensitized: ['脱敏供给', 'Desensitised supply'],
  },
  methods: {
    api: ['接口调用', 'API'],
    file: ['文件下载', 'File export'],
    db_sync: ['库表交换', 'Database sync'],
  },
  purpose: {
    grant: ['共享授权', 'Share grant'],
    release: ['开放发布', 'Open-data release'],
    custom: ['其他', 'Other'],
  },
  decision: { approve: ['通过', 'Approve'], return: ['退回', 'Return'] },
  /** the error codes refusals are recorded with */
  code: {
    'auth.forbidden': ['无权执行此操作', 'Not permitted'],
    'auth.unauthenticated': ['未登录', 'Not logged in'],
    'request.rate_limited': ['请求过于频繁', 'Too many requests'],
    'server.error': ['服务器内部错误', 'Server error'],
    'sharing.bad_cursor': ['翻页游标无效或已被改动', 'Invalid or altered cursor'],
    'sharing.rate_limited': ['调用过于频繁', 'Too many calls'],
    'sharing.quota_exhausted': ['今日数据行数已达上限', 'Rows for today used up'],
    'sharing.grant_expired': ['共享授权已过期', 'Grant expired'],
    'sharing.grant_revoked': ['共享授权已撤销', 'Grant revoked'],
    'sharing.grant_suspended': ['共享授权已暂停', 'Grant suspended'],
    'sharing.grant_not_yet': ['共享授权尚未生效', 'Grant not valid yet'],
    'request.invalid': ['请求内容有误', 'Invalid request'],
  },
  shareType: {
    unconditional: ['无条件共享', 'Unconditional'],
    conditional: ['有条件共享', 'Conditional'],
    none: ['不予共享', 'Not shared'],
  },
};
VALUE_WORDS.share_type = VALUE_WORDS.shareType!;

const isWords = (v: unknown): v is Text =>
  !!v &&
  typeof v === 'object' &&
  Object.keys(v).length === 2 &&
  typeof (v as Text).zh === 'string' &&
  typeof (v as Text).en === 'string';

const isRole = (v: unknown): v is Role => typeof v === 'string' && (ROLES as readonly string[]).includes(v);

/** A value as text in both languages: codes of the platform in words, lists joined, objects as labelled fields. */
function valueText(field: string, v: unknown, depth = 0): Text {
  if (v === null || v === undefined || v === '') return { zh: '—', en: '—' };
  if (typeof v === 'boolean') return v ? { zh: '是', en: 'yes' } : { zh: '否', en: 'no' };
  if (typeof v === 'number') return { zh: String(v), en: String(v) };
  if (typeof v === 'string') {
    const known = VALUE_WORDS[field]?.[v];
    if (known) return words(known);
    if (isRole(v)) return words(ROLE_WORDS[v]);
    return { zh: v, en: v };
  }
  // a message kept in both languages (a batch's failure reason): the words themselves
  if (isWords(v)) return { zh: v.zh, en: v.en };
  if (Array.isArray(v)) {
    const parts = v.map((x) => valueText(field, x, depth + 1));
    return { zh: parts.map((p) => p.zh).join('、'), en: parts.map((p) => p.en).join(', ') };
  }
  if (typeof v === 'object' && depth < 3) {
    const parts = Object.entries(v as Record<string, unknown>).map(([k, x]) => {
      const label = fieldWords(k);
      const text = valueText(k, x, depth + 1);
      return { zh: `${label.zh}：${text.zh}`, en: `${label.en}: ${text.en}` };
    });
    return { zh: parts.map((p) => p.zh).join('；'), en: parts.map((p) => p.en).join('; ') };
  }
  const s = JSON.stringify(v);
  return { zh: s, en: s };
}

export interface Detail {
  field: string;
  label: Text;
  /** a change: the value before and after */
  before: Text | null;
  after: Text | null;
  /** a fact of the record (no change) */
  value: Text | null;
}

/** The details of a record as labelled fields; `[before, after]` pairs are changes. */
export function detailsOf(diff: unknown): Detail[] {
  if (!diff || typeof diff !== 'object' || Array.isArray(diff)) return [];
  return Object.entries(diff as Record<string, unknown>).map(([field, v]) => {
    const change = Array.isArray(v) && v.length === 2 && field !== 'roles' && field !== 'looser';
    return {
      field,
      label: fieldWords(field),
      before: change ? valueText(field, v[0]) : null,
      after: change ? valueText(field, v[1]) : null,
      value: change ? null : valueText(field, v),
    };
  });
}

type Row = AuditRecordTable;

/** Looks up every object and unit the rows name, one query per kind of object. */
async function labelsFor(rows: Row[], labels: AuditLabels) {
  const byType = new Map<string, string[]>();
  for (const r of rows)
    if (r.object_type && r.object_id)
      (byType.get(r.object_type) ?? byType.set(r.object_type, []).get(r.object_type)!).push(r.object_id);
  const found = new Map<string, ObjectLabel>();
  for (const [type, ids] of byType) {
    const lookup = labels[type];
    if (!lookup) continue;
    for (const [id, label] of await lookup(uuidsOnly(ids))) found.set(`${type}:${id}`, label);
  }
  const orgs = labels.organisation ? await labels.organisation(uuidsOnly(rows.map((r) => r.org_id))) : new Map();
  return { objects: found, orgs };
}

export async function presentRecords(rows: Row[], labels: AuditLabels) {
  const { objects, orgs } = await labelsFor(rows, labels);
  return rows.map((r) => {
    const family = familyOf(r.action);
    const familyWords = (ACTION_FAMILIES as Record<string, readonly [string, string]>)[family];
    return {
      seq: r.seq,
      occurredAt: r.occurred_at.toISOString(),
      actorUserId: r.actor_user_id,
      actorName: r.actor_name,
      orgId: r.org_id,
      orgName: (r.org_id && orgs.get(r.org_id)?.name) ?? null,
      credentialId: r.credential_id,
      action: r.action,
      actionWords: actionWords(r.action),
      family,
      familyWords: familyWords ? words(familyWords) : { zh: family, en: family },
      objectType: r.object_type,
      objectTypeWords: objectTypeWords(r.object_type),
      objectId: r.object_id,
      object: (r.object_type && r.object_id && objects.get(`${r.object_type}:${r.object_id}`)) || null,
      outcome: r.outcome,
      outcomeWords: words(OUTCOMES[r.outcome] ?? [r.outcome, r.outcome]),
      clientIp: r.client_ip,
      requestId: r.request_id,
      details: detailsOf(r.diff),
      diff: r.diff,
      prevHash: r.prev_hash,
      hash: r.hash,
    };
  });
}

export type PresentedRecord = Awaited<ReturnType<typeof presentRecords>>[number];
export type { ActionFamily };
