// One error type with a stable code and messages in zh-CN and en; mapped to RFC 9457 in http.ts.
export interface FieldError {
  field: string;
  message: { zh: string; en: string };
}

export class AppError extends Error {
  /** Set for a refusal made for a security reason: the error handler writes an audit record with this reason. */
  securityReason: string | null = null;
  /** For engineers and auditors, never for the console: what was refused (a policy action), kept in the problem's
   * `detail` and the audit record, not in the message a person reads. */
  detail: string | null = null;
  /** For a 429: seconds after which the caller may try again (sent as Retry-After). */
  retryAfter: number | null = null;
  constructor(
    public readonly status: number,
    public readonly code: string,
    public readonly zh: string,
    public readonly en: string,
    public readonly fields: FieldError[] = [],
  ) {
    super(en);
    this.name = 'AppError';
  }

  /** Set when the refusal is audited at most once per key and window, across every app node (a flood of refusals
   * is one record, not thousands). */
  auditOnce: { key: string; windowMs: number } | null = null;

  /** Marks the refusal as made for a security reason, so it is audited whatever its status. */
  audited(reason: string): this {
    this.securityReason = reason;
    return this;
  }

  /** As audited(), but written only for the first such refusal of `key` in `windowMs`. */
  auditedOncePer(reason: string, key: string, windowMs: number): this {
    this.securityReason = reason;
    this.auditOnce = { key, windowMs };
    return this;
  }
}

/** What each kind of object is called, for messages a person reads (a new kind joins here). */
export const OBJECT_NAMES = {
  resource: ['数据资源', 'resource'],
  version: ['目录版本', 'catalog version'],
  demand: ['数据需求', 'data demand'],
  system_plan: ['信息系统建设论证', 'system plan'],
  info_system: ['信息系统', 'information system'],
  organisation: ['单位', 'organisation'],
  user: ['用户', 'user'],
  credential: ['接口凭据', 'API credential'],
  pull_source: ['定时抽取源', 'scheduled pull source'],
  ingest_batch: ['归集批次', 'batch'],
  masking_profile: ['脱敏方案', 'masking profile'],
  policy: ['政策参数版本', 'policy version'],
  share_application: ['共享申请', 'share application'],
  share_attachment: ['申请材料', 'attachment'],
  share_grant: ['共享授权', 'share grant'],
  quality_rule: ['质量规则', 'quality rule'],
  quality_ticket: ['问题数据工单', 'problem-data ticket'],
} as const satisfies Record<string, readonly [string, string]>;
export type ObjectType = keyof typeof OBJECT_NAMES;

export const errors = {
  unauthenticated: () => new AppError(401, 'auth.unauthenticated', '请先登录', 'Please log in first'),
  /** A refusal by role or unit. The message is words only; `what` (often a policy action) goes to `detail`. */
  forbidden: (what = '') => {
    const e = new AppError(403, 'auth.forbidden', '无权执行此操作', 'You may not do this');
    e.detail = what || null;
    return e;
  },
  notFound: (type: ObjectType, id: string) =>
    new AppError(
      404,
      `${type}.not_found`,
      `未找到该${OBJECT_NAMES[type][0]}（${id}），可能已被删除或编号有误`,
      `No ${OBJECT_NAMES[type][1]} ${id}: it may have been removed, or the id is wrong`,
    ),
  validation: (fields: FieldError[]) =>
    new AppError(
      400,
      'request.invalid',
      '请求有误：' + fields.map((f) => `${f.field} ${f.message.zh}`).join('；'),
      'Invalid request: ' + fields.map((f) => `${f.field} ${f.message.en}`).join('; '),
      fields,
    ),
  field: (field: string, zh: string, en: string) => errors.validation([{ field, message: { zh, en } }]),
  conflict: (code: string, zh: string, en: string) => new AppError(409, code, zh, en),
};
