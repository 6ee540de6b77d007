// The catalog's code tables, loaded once, to label codes in the user's language.
import { createContext, useContext, type ReactNode } from 'react';
import { Tag } from 'antd';
import { get } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useLoad } from '../../ui.tsx';
import { LoadAlert } from '../../states.tsx';
import type { Reply } from '../../api.types.ts';

export type CodeTable = Reply<'/api/catalog/code-tables'>[number];

const Ctx = createContext<CodeTable[]>([]);

export function CodesProvider({ children }: { children: ReactNode }) {
  const load = useLoad(() => get<CodeTable[]>('/api/catalog/code-tables'), []);
  return (
    <Ctx.Provider value={load.data ?? []}>
      {/* without the code tables every label would read as a code: say so */}
      <LoadAlert load={load} />
      {children}
    </Ctx.Provider>
  );
}

export function useCodes() {
  const tables = useContext(Ctx);
  const { lang } = useI18n();
  const label = (table: string, code: string | null | undefined) => {
    if (!code) return '—';
    const c = tables.find((t) => t.key === table)?.codes.find((x) => x.code === code);
    return c ? (lang === 'zh' ? c.zh : c.en) : code;
  };
  const options = (table: string) =>
    (tables.find((t) => t.key === table)?.codes ?? [])
      .filter((c) => c.active)
      .map((c) => ({ value: c.code, label: lang === 'zh' ? c.zh : c.en }));
  return { tables, label, options };
}

const STATUS_COLORS: Record<string, string> = {
  draft: 'default',
  submitted: 'processing',
  returned: 'warning',
  approved: 'success',
  superseded: 'default',
  withdrawn: 'default',
};

export function StatusTag({ status }: { status: string }) {
  const { t } = useI18n();
  return <Tag color={STATUS_COLORS[status] ?? 'default'}>{t(`status.${status}` as never)}</Tag>;
}

export function DueTag({
  due,
}: {
  due: { state: string; daysLeft: number; daysOverdue: number; due: string } | null | undefined;
}) {
  const { t } = useI18n();
  if (!due) return null;
  if (due.state === 'overdue') return <Tag color="red">{t('due.overdue', { n: due.daysOverdue })}</Tag>;
  if (due.state === 'due_today') return <Tag color="orange">{t('due.today')}</Tag>;
  return <Tag color={due.daysLeft <= 1 ? 'orange' : 'blue'}>{t('due.left', { n: due.daysLeft, date: due.due })}</Tag>;
}
