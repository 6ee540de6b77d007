// The Center's review queue and the district's overdue cases, in working days.
import { Card, Table, Tabs, Tag } from 'antd';
import { useNavigate } from 'react-router-dom';
import { get } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';
import { can } from '../../abilities.ts';
import { fmtTime, useLoad } from '../../ui.tsx';
import { tableState } from '../../states.tsx';
import { DueTag } from './codes.tsx';
import type { Reply } from '../../api.types.ts';

type QueueRow = Reply<'/api/catalog/review-queue'>[number];
type OverdueRow = Reply<'/api/catalog/overdue'>[number];

export function ReviewPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const nav = useNavigate();
  const reviewer = can(me, 'catalog.review');
  const queue = useLoad(
    () => (reviewer ? get<QueueRow[]>('/api/catalog/review-queue') : Promise.resolve([])),
    [reviewer],
  );
  const overdue = useLoad(() => get<OverdueRow[]>('/api/catalog/overdue'), []);
  const open = (r: { id: string }) => ({
    onClick: () => nav(`/catalog/${r.id}?from=review`),
    style: { cursor: 'pointer' },
  });
  return (
    <Card>
      <Tabs
        items={[
          ...(reviewer
            ? [
                {
                  key: 'queue',
                  label: `${t('review.queue')} (${queue.data?.length ?? 0})`,
                  children: (
                    <Table<QueueRow>
                      rowKey="id"
                      size="middle"
                      {...tableState(queue, t('review.none'))}
                      onRow={open}
                      data-testid="review-queue"
                      columns={[
                        { title: t('catalog.name'), dataIndex: 'name' },
                        { title: t('catalog.owner'), dataIndex: 'orgName' },
                        {
                          title: t('catalog.kind'),
                          dataIndex: 'kind',
                          render: (k, r) => (
                            <Tag>
                              {t(`catalog.kind.${k}` as never)} v{r.version}
                            </Tag>
                          ),
                        },
                        { title: t('review.submittedAt'), dataIndex: 'submittedAt', render: fmtTime },
                        { title: t('catalog.due'), render: (_, r) => <DueTag due={r.due} /> },
                      ]}
                    />
                  ),
                },
              ]
            : []),
          {
            key: 'overdue',
            label: `${t('review.overdue')} (${overdue.data?.length ?? 0})`,
            children: (
              <Table<OverdueRow>
                rowKey={(r) => `${r.id}-${r.kind}`}
                size="middle"
                {...tableState(overdue, t('review.overdueNone'))}
                onRow={open}
                columns={[
                  { title: t('catalog.owner'), dataIndex: 'orgName' },
                  { title: t('catalog.name'), dataIndex: 'name' },
                  { title: t('review.caseKind'), dataIndex: 'kind', render: (k) => t(`review.kind.${k}` as never) },
                  { title: t('catalog.due'), render: (_, r) => <DueTag due={r.due} /> },
                ]}
              />
            ),
          },
        ]}
      />
    </Card>
  );
}
