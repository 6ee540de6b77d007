// Policy parameters (SPEC §35): every deadline is data with the regulation's value as default, versioned.
export interface PolicyParamDef {
  key: string;
  default: number;
  unit: 'working_days' | 'months' | 'per_minute' | 'rows' | 'percent';
  min: number;
  max: number;
  clause: string;
  zh: string;
  en: string;
}

export const POLICY_PARAMS: PolicyParamDef[] = [
  {
    key: 'catalog_change_filing_days',
    default: 10,
    unit: 'working_days',
    min: 1,
    max: 60,
    clause: '§10',
    zh: '目录变更申请时限（自变更之日起）',
    en: 'Catalog change filing limit (from the change)',
  },
  {
    key: 'catalog_review_days',
    default: 5,
    unit: 'working_days',
    min: 1,
    max: 60,
    clause: '§10',
    zh: '运营中心目录审核时限（自收到申请之日起）',
    en: 'Center catalog review limit (from receipt)',
  },
  {
    key: 'share_center_confirm_days',
    default: 1,
    unit: 'working_days',
    min: 1,
    max: 30,
    clause: '§25',
    zh: '运营中心确认无条件共享供给方式时限',
    en: 'Center confirmation of an unconditional share',
  },
  {
    key: 'share_center_review_days',
    default: 2,
    unit: 'working_days',
    min: 1,
    max: 30,
    clause: '§25',
    zh: '运营中心审核有条件共享申请时限',
    en: 'Center review of a conditional share request',
  },
  {
    key: 'share_owner_consent_days',
    default: 5,
    unit: 'working_days',
    min: 1,
    max: 60,
    clause: '§25',
    zh: '数据责任单位答复有条件共享申请时限',
    en: 'Owner answer to a conditional share request',
  },
  {
    key: 'share_refusal_review_days',
    default: 5,
    unit: 'working_days',
    min: 1,
    max: 30,
    clause: '§25',
    zh: '运营中心审核不同意共享理由时限',
    en: "Center review of an owner's refusal",
  },
  {
    key: 'share_grant_max_months',
    default: 12,
    unit: 'months',
    min: 1,
    max: 60,
    clause: '§23',
    zh: '共享授权最长有效期',
    en: 'Longest validity of a share grant',
  },
  {
    key: 'share_grant_expiry_notice_days',
    default: 10,
    unit: 'working_days',
    min: 1,
    max: 60,
    clause: '§23',
    zh: '共享授权到期提醒（到期前）',
    en: 'Notice before a share grant expires',
  },
  {
    key: 'share_rate_per_minute',
    default: 600,
    unit: 'per_minute',
    min: 1,
    max: 100000,
    clause: '§26',
    zh: '共享接口默认调用频率上限',
    en: 'Default call rate limit of a share grant',
  },
  {
    key: 'share_verify_per_minute',
    default: 60,
    unit: 'per_minute',
    min: 1,
    max: 100000,
    clause: '§26',
    zh: '核验接口调用频率上限（防止枚举）',
    en: 'Rate limit of verification calls (against enumeration)',
  },
  {
    key: 'share_daily_rows',
    default: 1000000,
    unit: 'rows',
    min: 1,
    max: 1000000000,
    clause: '§26',
    zh: '共享授权默认每日数据行数上限',
    en: 'Default daily row quota of a share grant',
  },
  {
    key: 'ticket_fix_days',
    default: 5,
    unit: 'working_days',
    min: 1,
    max: 60,
    clause: '§19',
    zh: '问题数据处理时限',
    en: 'Problem-data fix limit',
  },
  {
    key: 'ticket_extension_cap_days',
    default: 15,
    unit: 'working_days',
    min: 1,
    max: 120,
    clause: '§19',
    zh: '问题数据延期上限（合计）',
    en: 'Problem-data extension cap (total)',
  },
  {
    key: 'ticket_triage_days',
    default: 2,
    unit: 'working_days',
    min: 1,
    max: 30,
    clause: '§19',
    zh: '运营中心分派问题数据时限',
    en: 'Center triage of a problem-data report',
  },
  {
    key: 'ticket_verify_days',
    default: 5,
    unit: 'working_days',
    min: 1,
    max: 30,
    clause: '§19',
    zh: '问题数据修正后的校验时限',
    en: 'Verification of a fixed problem-data report',
  },
  {
    key: 'ticket_reminder_days',
    default: 1,
    unit: 'working_days',
    min: 0,
    max: 10,
    clause: '§19',
    zh: '问题数据到期前提醒',
    en: 'Reminder before a problem-data deadline',
  },
  {
    key: 'quality_weight_completeness',
    default: 25,
    unit: 'percent',
    min: 0,
    max: 100,
    clause: '§20',
    zh: '质量评分权重：完整性',
    en: 'Quality score weight: completeness',
  },
  {
    key: 'quality_weight_validity',
    default: 25,
    unit: 'percent',
    min: 0,
    max: 100,
    clause: '§20',
    zh: '质量评分权重：有效性',
    en: 'Quality score weight: validity',
  },
  {
    key: 'quality_weight_uniqueness',
    default: 15,
    unit: 'percent',
    min: 0,
    max: 100,
    clause: '§20',
    zh: '质量评分权重：唯一性',
    en: 'Quality score weight: uniqueness',
  },
  {
    key: 'quality_weight_consistency',
    default: 20,
    unit: 'percent',
    min: 0,
    max: 100,
    clause: '§20',
    zh: '质量评分权重：一致性',
    en: 'Quality score weight: consistency',
  },
  {
    key: 'quality_weight_timeliness',
    default: 15,
    unit: 'percent',
    min: 0,
    max: 100,
    clause: '§20',
    zh: '质量评分权重：及时性',
    en: 'Quality score weight: timeliness',
  },
  {
    key: 'ingest_overdue_grace_days',
    default: 3,
    unit: 'working_days',
    min: 0,
    max: 60,
    clause: '§18',
    zh: '数据更新逾期宽限（更新周期届满后）',
    en: 'Grace after an update cycle before data is overdue',
  },
  {
    key: 'audit_retention_months',
    default: 6,
    unit: 'months',
    min: 6,
    max: 600,
    clause: '§26',
    zh: '审计记录最短保存期',
    en: 'Minimum audit record retention',
  },
];

export type PolicyParams = Record<string, number>;

export function defaultPolicy(): PolicyParams {
  return Object.fromEntries(POLICY_PARAMS.map((p) => [p.key, p.default]));
}

/** Field errors for a proposed change of parameters (unknown keys, non-integers, out of range). */
export function policyProblems(
  params: Record<string, unknown>,
): { field: string; message: { zh: string; en: string } }[] {
  const out: { field: string; message: { zh: string; en: string } }[] = [];
  for (const [k, v] of Object.entries(params)) {
    const def = POLICY_PARAMS.find((p) => p.key === k);
    if (!def)
      out.push({ field: `params.${k}`, message: { zh: '不是已知的政策参数', en: 'is not a known policy parameter' } });
    else if (typeof v !== 'number' || !Number.isInteger(v) || v < def.min || v > def.max)
      out.push({
        field: `params.${k}`,
        message: {
          zh: `应为 ${def.min} 到 ${def.max} 之间的整数`,
          en: `must be an integer from ${def.min} to ${def.max}`,
        },
      });
  }
  return out;
}
