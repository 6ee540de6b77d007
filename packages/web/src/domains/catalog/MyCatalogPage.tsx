// A unit's own catalog: approved resources and cases in progress, with due dates.
import { Button, Card, Space, Table, Tag } from 'antd';
import { useNavigate } from 'react-router-dom';
import { get } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';
import { can } from '../../abilities.ts';
import { fmtTime, useLoad } from '../../ui.tsx';
import { tableState } from '../../states.tsx';
import { DueTag, StatusTag } from './codes.tsx';
import { ImportButton } from './ImportButton.tsx';
import type { Reply } from '../../api.types.ts';

type Row = Reply<'/api/catalog/mine'>[number];

export function MyCatalogPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const nav = useNavigate();
  const list = useLoad(() => get<Row[]>('/api/catalog/mine'), []);
  const compile = can(me, 'catalog.compile');
  return (
    <Card
      title={`${t('nav.mycatalog')} · ${me?.org.name ?? ''}`}
      extra={
        <Space>
          <Button href="/api/catalog/export.xlsx?scope=unit">{t('catalog.exportXlsx')}</Button>
          {compile && <ImportButton onDone={() => list.reload()} />}
          {compile && (
            <Button type="primary" onClick={() => nav('/catalog/new')} data-testid="resource-new">
              {t('catalog.new')}
            </Button>
          )}
        </Space>
      }
    >
      <Table<Row>
        rowKey="id"
        size="middle"
        {...tableState(list, t('mycatalog.none'))}
        pagination={{ pageSize: 20 }}
        data-testid="mycatalog-table"
        onRow={(r) => ({ onClick: () => nav(`/catalog/${r.id}?from=mycatalog`), style: { cursor: 'pointer' } })}
        columns={[
          { title: t('catalog.code'), dataIndex: 'code', width: 140 },
          { title: t('catalog.name'), dataIndex: 'name' },
          {
            title: t('catalog.version'),
            render: (_, r) => (
              <Space size={4}>
                {r.currentVersion && <Tag color="green">v{r.currentVersion}</Tag>}
                {r.workingVersion && (
                  <Tag>
                    {r.workingKind === 'change' ? t('catalog.changeVersion') : ''}v{r.workingVersion}
                  </Tag>
                )}
              </Space>
            ),
          },
          { title: t('users.status'), dataIndex: 'status', render: (s: string) => <StatusTag status={s} /> },
          { title: t('catalog.due'), render: (_, r) => <DueTag due={r.due} /> },
          { title: t('catalog.updated'), dataIndex: 'updatedAt', render: fmtTime },
        ]}
      />
    </Card>
  );
}
