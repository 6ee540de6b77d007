// Data aggregation at a glance: every approved resource with its rows, last load and freshness (a unit
// sees its own; the Center sees all, with overdue and never-loaded resources counted by unit).
import { useState } from 'react';
import { Button, Card, Select, Space, Table, Tabs, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { get, post, qs } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';
import { fmtTime, useLoad, useProblem, useUrlState } from '../../ui.tsx';
import { tableState } from '../../states.tsx';
import { Freshness as FRESHNESS } from '../../api.enums.gen.ts';
import { useCodes } from '../catalog/codes.tsx';
import { FreshnessTag } from './FreshnessTag.tsx';
import type { Freshness, OverviewRow } from './types.ts';
import { can } from '../../abilities.ts';
import type { Reply } from '../../api.types.ts';

type Conflicts = Reply<'/api/ingest/conflicts'>;

function OneSource({ mayRun }: { mayRun: boolean }) {
  const { t } = useI18n();
  const problem = useProblem();
  const data = useLoad(() => get<Conflicts>('/api/ingest/conflicts?limit=200'), []);
  const [running, setRunning] = useState(false);
  const d = data.data;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Paragraph type="secondary">{t('conflict.hint')}</Typography.Paragraph>
      <Space>
        {mayRun && (
          <Button
            type="primary"
            loading={running}
            data-testid="conflicts-run"
            onClick={() => {
              setRunning(true);
              void post('/api/ingest/conflicts/check')
                .then(data.reload, problem)
                .finally(() => setRunning(false));
            }}
          >
            {t('conflict.run')}
          </Button>
        )}
        {d?.run ? (
          <Typography.Text>
            {t('conflict.lastRun', { at: fmtTime(d.run.startedAt), pairs: d.run.pairs, n: d.total })}
          </Typography.Text>
        ) : (
          <Typography.Text type="secondary">{t('conflict.never')}</Typography.Text>
        )}
      </Space>
      <Table<Conflicts['byResource'][number]>
        rowKey={(r) => `${r.resourceId}-${r.itemCode}`}
        size="small"
        {...tableState(data, t('conflict.none'), (x) => x.byResource)}
        pagination={false}
        data-testid="conflicts-by-resource"
        columns={[
          {
            title: t('catalog.name'),
            dataIndex: 'name',
            render: (n: string, r) => <Link to={`/catalog/${r.resourceId}?tab=data&from=ingest`}>{n}</Link>,
          },
          { title: t('lists.owner'), dataIndex: 'orgName' },
          { title: t('catalog.itemCode'), dataIndex: 'itemCode' },
          {
            title: t('conflict.source'),
            render: (_: unknown, r) => `${r.sourceName}（${r.sourceOrgName}）· ${r.sourceItemCode}`,
          },
          { title: t('conflict.count'), dataIndex: 'conflicts' },
        ]}
      />
      <Table
        rowKey="id"
        size="small"
        {...tableState(data, t('conflict.none'), (x) => x.conflicts)}
        pagination={{ pageSize: 20 }}
        columns={[
          { title: t('catalog.name'), dataIndex: 'name' },
          { title: t('catalog.itemCode'), dataIndex: 'itemCode' },
          { title: t('conflict.key'), dataIndex: 'keyValue' },
          { title: t('conflict.value'), dataIndex: 'value' },
          { title: t('conflict.sourceValue'), dataIndex: 'sourceValue' },
        ]}
      />
    </Space>
  );
}

export function IngestPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const { label } = useCodes();
  const center = can(me, 'units.all');
  // the filters live in the address (bookmarkable, shared)
  const [url, setUrl] = useUrlState();
  const freshness = (FRESHNESS as readonly string[]).includes(url.freshness ?? '')
    ? (url.freshness as Freshness)
    : undefined;
  const orgId = url.orgId;
  const setFreshness = (f: Freshness | undefined) => setUrl({ freshness: f });
  const setOrgId = (id: string | undefined) => setUrl({ orgId: id });
  const list = useLoad(
    () => get<OverviewRow[]>(`/api/ingest/resources${qs({ freshness, orgId })}`),
    [freshness, orgId],
  );
  const byUnit = useLoad(
    () =>
      center
        ? get<{ orgId: string; orgName: string; overdue: number; never: number; due: number; total: number }[]>(
            '/api/ingest/overdue-by-unit',
          )
        : Promise.resolve([]),
    [center],
  );
  const resources = (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space>
        {t('ingest.freshness')}
        <Select
          allowClear
          value={freshness}
          onChange={setFreshness}
          style={{ width: 160 }}
          data-testid="freshness-filter"
          options={FRESHNESS.map((f) => ({
            value: f,
            label: t(`ingest.fresh.${f}` as never),
          }))}
        />
        {orgId && (
          <Typography.Link onClick={() => setOrgId(undefined)}>
            ✕ {byUnit.data?.find((u) => u.orgId === orgId)?.orgName}
          </Typography.Link>
        )}
      </Space>
      <Table<OverviewRow>
        rowKey="id"
        size="small"
        {...tableState(list, t('ingest.overviewNone'))}
        pagination={{ pageSize: 20 }}
        data-testid="ingest-overview"
        columns={[
          { title: t('catalog.code'), dataIndex: 'code' },
          {
            title: t('catalog.name'),
            dataIndex: 'name',
            render: (n, r) => <Link to={`/catalog/${r.id}?tab=data&from=ingest`}>{n}</Link>,
          },
          ...(center ? [{ title: t('lists.owner'), dataIndex: 'orgName' }] : []),
          {
            title: t('catalog.updateCycle'),
            dataIndex: 'updateCycle',
            render: (c: string) => label('update_cycle', c),
          },
          { title: t('ingest.rows'), dataIndex: 'rowCount', render: (n: number | null) => n ?? '—' },
          { title: t('ingest.lastLoad'), dataIndex: 'lastLoadAt', render: fmtTime },
          { title: t('ingest.freshness'), dataIndex: 'freshness', render: (f: Freshness) => <FreshnessTag f={f} /> },
          { title: t('ingest.dueDate'), dataIndex: 'dueDate', render: (d: string | null) => d ?? '—' },
        ]}
      />
    </Space>
  );
  return (
    <Card>
      <Tabs
        items={[
          { key: 'resources', label: t('ingest.resources'), children: resources },
          {
            key: 'conflicts',
            label: t('conflict.tab'),
            children: <OneSource mayRun={can(me, 'ingest.one_source.check')} />,
          },
          ...(center
            ? [
                {
                  key: 'units',
                  label: t('ingest.overdueByUnit'),
                  children: (
                    <Table
                      rowKey="orgId"
                      size="small"
                      {...tableState(byUnit, t('ingest.byUnitNone'))}
                      pagination={{ pageSize: 20 }}
                      data-testid="overdue-by-unit"
                      columns={[
                        {
                          title: t('lists.owner'),
                          dataIndex: 'orgName',
                          render: (n: string, r: { orgId: string }) => (
                            <Typography.Link onClick={() => setOrgId(r.orgId)}>{n}</Typography.Link>
                          ),
                        },
                        {
                          title: t('ingest.overdue'),
                          dataIndex: 'overdue',
                          render: (n: number) => (n ? <Typography.Text type="danger">{n}</Typography.Text> : 0),
                        },
                        { title: t('ingest.fresh.never'), dataIndex: 'never' },
                        { title: t('ingest.due'), dataIndex: 'due' },
                        { title: t('ingest.total'), dataIndex: 'total' },
                      ]}
                    />
                  ),
                },
              ]
            : []),
        ]}
      />
    </Card>
  );
}
