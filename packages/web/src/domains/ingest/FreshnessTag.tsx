import { Tag } from 'antd';
import { useI18n } from '../../i18n.tsx';
import type { Freshness } from './types.ts';

const COLORS: Record<Freshness, string> = {
  fresh: 'green',
  due: 'orange',
  overdue: 'red',
  never: 'volcano',
  irregular: 'default',
  no_table: 'default',
};

export function FreshnessTag({ f }: { f: Freshness }) {
  const { t } = useI18n();
  return <Tag color={COLORS[f]}>{t(`ingest.fresh.${f}` as never)}</Tag>;
}
