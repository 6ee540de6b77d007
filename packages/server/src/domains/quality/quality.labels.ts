// What quality's codes read as (the register's columns, the audit trail's names of rules and tickets).
import type { Db } from '../../db/database.ts';
import type { TicketCategory, TicketSource, TicketStatus } from '../../db/schema.ts';
import { uuidsOnly, type LabelLookup } from '../../platform/labels.ts';
import { ruleNames, ticketNumbers } from './ticket/ticket.repository.ts';

export const TICKET_STATUS_WORDS: Record<TicketStatus, [string, string]> = {
  triage: ['待运营中心分派', 'Waiting for the Center'],
  assigned: ['待责任单位处理', 'Waiting for the owner'],
  extension_requested: ['延期待审核', 'Extension asked'],
  verifying: ['待校验', 'Being verified'],
  closed: ['已办结', 'Closed'],
  rejected: ['不予受理', 'Rejected'],
  merged: ['已合并（重复）', 'Merged (duplicate)'],
};
export const TICKET_CATEGORY_WORDS: Record<TicketCategory, [string, string]> = {
  wrong: ['数据错误', 'Wrong'],
  missing: ['数据缺失', 'Missing'],
  outdated: ['数据过时', 'Outdated'],
  duplicate: ['数据重复', 'Duplicate'],
  trade_secret: ['侵犯商业秘密', 'Infringes a trade secret'],
  privacy: ['侵犯个人隐私', 'Infringes personal privacy'],
};
export const TICKET_SOURCE_WORDS: Record<TicketSource, [string, string]> = {
  consumer: ['使用单位反馈', 'A consumer unit'],
  center: ['运营中心发现', 'The Center'],
  rule: ['质量规则发现', 'A quality rule'],
  api: ['接口调用反馈', 'A consumer system'],
};

export function qualityLabels(db: Db): Record<'quality_rule' | 'quality_ticket', LabelLookup> {
  return {
    quality_rule: async (ids) =>
      new Map(
        (await ruleNames(db, uuidsOnly(ids))).map((r) => [
          r.id,
          { name: r.name, code: null, link: `/quality/rules/${r.id}` },
        ]),
      ),
    quality_ticket: async (ids) =>
      new Map(
        (await ticketNumbers(db, uuidsOnly(ids))).map((t) => [
          t.id,
          { name: t.no, code: null, link: `/quality/tickets/${t.id}` },
        ]),
      ),
  };
}
