// Small pieces the sharing pages share: a case's status, its due date in working days, methods and grant states.
import { Space, Tag } from 'antd';
import { useI18n } from '../../i18n.tsx';
import { useCodes } from '../catalog/codes.tsx';
import type { Reply } from '../../api.types.ts';

export type Application = Reply<'/api/sharing/applications'>['items'][number];
export type Case = Reply<'/api/sharing/applications/{id}'>;
export type Grant = Reply<'/api/sharing/grants/{id}'>;

const STATUS_COLOR: Record<Application['status'], string> = {
  center_confirm: 'processing',
  center_review: 'processing',
  returned: 'warning',
  owner_consent: 'processing',
  profile_confirm: 'processing',
  refusal_review: 'orange',
  granted: 'success',
  denied: 'error',
  withdrawn: 'default',
};

export function StatusTag({ status }: { status: Application['status'] }) {
  const { t } = useI18n();
  return (
    <Tag color={STATUS_COLOR[status]} data-testid="share-status">
      {t(`sharing.status.${status}`)}
    </Tag>
  );
}

export function DueTag({ due }: { due: Application['due'] }) {
  const { t } = useI18n();
  if (!due) return <span>—</span>;
  return (
    <Space size={4} wrap>
      <span>{due.date}</span>
      {due.state === 'overdue' ? (
        <Tag color="red">{t('sharing.overdue', { n: due.daysOverdue })}</Tag>
      ) : due.state === 'due_today' ? (
        <Tag color="orange">{t('sharing.dueToday')}</Tag>
      ) : (
        <Tag>{t('sharing.daysLeft', { n: due.daysLeft })}</Tag>
      )}
    </Space>
  );
}

export function MethodTags({ methods }: { methods: readonly Application['methods'][number][] }) {
  // the catalog's words for its share methods (the code table the catalog's entries use too)
  const { label } = useCodes();
  return (
    <>
      {methods.map((m) => (
        <Tag key={m}>{label('share_method', m)}</Tag>
      ))}
    </>
  );
}

const GRANT_COLOR: Record<Grant['state'], string> = {
  active: 'success',
  suspended: 'warning',
  revoked: 'error',
  expired: 'default',
  not_yet: 'processing',
};

export function GrantStateTag({ state }: { state: Grant['state'] }) {
  const { t } = useI18n();
  return (
    <Tag color={GRANT_COLOR[state]} data-testid="grant-state">
      {t(`grant.state.${state}`)}
    </Tag>
  );
}
