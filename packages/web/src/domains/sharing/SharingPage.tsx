// Data sharing: the applications a unit made or was asked, the Center's inbox, and the grants in force.
import { Badge, Card, Checkbox, Col, Input, Row, Segmented, Select, Space, Statistic, Table, Tabs, Tag } from 'antd';
import { Link, useNavigate } from 'react-router-dom';
import { get, qs } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';
import { can } from '../../abilities.ts';
import { useLoad, useUrlState } from '../../ui.tsx';
import { LoadAlert, tableState } from '../../states.tsx';
import { ShareStatus } from '../../api.enums.gen.ts';
import type { Reply } from '../../api.types.ts';
import { UsageTab } from './UsageTab.tsx';
import { TraceTab } from './TraceTab.tsx';
import { DueTag, GrantStateTag, MethodTags, StatusTag, type Application, type Grant } from './parts.tsx';

type Inbox = Reply<'/api/sharing/inbox'>;

export function SharingPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const [url, setUrl] = useUrlState();
  const tracer = can(me, 'sharing.trace');
  const tab = url.tab === 'grants' || url.tab === 'usage' || (url.tab === 'trace' && tracer) ? url.tab : 'applications';
  const center = can(me, 'sharing.center');
  const inbox = useLoad(() => get<Inbox>('/api/sharing/inbox'), []);
  const box = (key: 'consumer' | 'owner' | 'center', side?: string) => (
    <Col xs={12} md={6} key={key}>
      <Card
        size="small"
        hoverable
        onClick={() => setUrl({ tab: undefined, side, waiting: 'true', status: undefined, page: undefined })}
        data-testid={`inbox-${key}`}
      >
        <Statistic title={t(`sharing.inbox.${key}`)} value={inbox.data?.[key] ?? '—'} />
      </Card>
    </Col>
  );
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <LoadAlert load={inbox} />
      <Row gutter={[12, 12]}>{center ? box('center') : [box('owner', 'owner'), box('consumer', 'consumer')]}</Row>
      <Card>
        <Tabs
          activeKey={tab}
          onChange={(k) => setUrl({ tab: k === 'applications' ? undefined : k, page: undefined })}
          items={[
            { key: 'applications', label: t('sharing.tab.applications'), children: <Applications /> },
            { key: 'grants', label: t('sharing.tab.grants'), children: <Grants /> },
            { key: 'usage', label: t('sharing.tab.usage'), children: <UsageTab /> },
            ...(tracer ? [{ key: 'trace', label: t('sharing.tab.trace'), children: <TraceTab /> }] : []),
          ]}
        />
      </Card>
    </Space>
  );
}

function Applications() {
  const { t } = useI18n();
  const { me } = useSession();
  const nav = useNavigate();
  const [url, setUrl] = useUrlState();
  const page = Math.max(1, Number(url.page) || 1);
  const side = url.side === 'consumer' || url.side === 'owner' ? url.side : undefined;
  const status = (ShareStatus as readonly string[]).includes(url.status ?? '') ? url.status : undefined;
  const waiting = url.waiting === 'true';
  const q = url.q ?? '';
  const list = useLoad(
    () =>
      get<Reply<'/api/sharing/applications'>>(
        `/api/sharing/applications${qs({ side, status, waiting: waiting ? 'true' : undefined, q, limit: 20, offset: (page - 1) * 20 })}`,
      ),
    [side, status, waiting, q, page],
  );
  const center = can(me, 'sharing.center');
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        {!center && (
          <Segmented
            value={side ?? 'all'}
            onChange={(v) => setUrl({ side: v === 'all' ? undefined : String(v), page: undefined })}
            options={(['all', 'consumer', 'owner'] as const).map((s) => ({ value: s, label: t(`sharing.side.${s}`) }))}
          />
        )}
        <Select
          allowClear
          style={{ width: 200 }}
          placeholder={t('sharing.status')}
          value={status}
          onChange={(v?: string) => setUrl({ status: v, page: undefined })}
          options={ShareStatus.map((s) => ({ value: s, label: t(`sharing.status.${s}`) }))}
          data-testid="sharing-status"
        />
        <Checkbox
          checked={waiting}
          onChange={(e) => setUrl({ waiting: e.target.checked ? 'true' : undefined, page: undefined })}
        >
          {t('sharing.waiting')}
        </Checkbox>
        <Input.Search
          allowClear
          defaultValue={q}
          style={{ width: 320 }}
          placeholder={t('sharing.search')}
          onSearch={(v) => setUrl({ q: v.trim() || undefined, page: undefined })}
        />
      </Space>
      <Table<Application>
        rowKey="id"
        size="middle"
        {...tableState(list, t('sharing.none'), (d) => d.items)}
        onRow={(a) => ({ onClick: () => nav(`/sharing/applications/${a.id}`), style: { cursor: 'pointer' } })}
        pagination={{
          current: page,
          pageSize: 20,
          total: list.data?.total ?? 0,
          showSizeChanger: false,
          onChange: (p) => setUrl({ page: p > 1 ? p : undefined }),
        }}
        columns={[
          {
            title: t('sharing.no'),
            dataIndex: 'no',
            render: (no: string, a) => <Link to={`/sharing/applications/${a.id}`}>{no}</Link>,
          },
          { title: t('sharing.resource'), render: (_, a) => a.resource.name },
          { title: t('sharing.consumer'), render: (_, a) => a.consumer.name },
          { title: t('sharing.owner'), render: (_, a) => a.owner.name },
          { title: t('sharing.path'), dataIndex: 'path', render: (p: string) => t(`sharing.pathName.${p}` as never) },
          {
            title: t('sharing.methods'),
            dataIndex: 'methods',
            render: (m: Application['methods']) => <MethodTags methods={m} />,
          },
          {
            title: t('sharing.status'),
            render: (_, a) => (
              <Space size={4} wrap>
                <StatusTag status={a.status} />
                {a.waitingFor && (
                  <Badge
                    status={a.due?.state === 'overdue' ? 'error' : 'processing'}
                    text={`${t('sharing.waitingFor')}${t(`sharing.waitingFor.${a.waitingFor}`)}`}
                  />
                )}
              </Space>
            ),
          },
          { title: t('sharing.due'), render: (_, a) => <DueTag due={a.due} /> },
        ]}
      />
    </Space>
  );
}

function Grants() {
  const { t } = useI18n();
  const { me } = useSession();
  const nav = useNavigate();
  const [url, setUrl] = useUrlState();
  const side = url.gside === 'consumer' || url.gside === 'owner' ? url.gside : undefined;
  const list = useLoad(() => get<Grant[]>(`/api/sharing/grants${qs({ side })}`), [side]);
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {!can(me, 'sharing.center') && (
        <Segmented
          value={side ?? 'all'}
          onChange={(v) => setUrl({ gside: v === 'all' ? undefined : String(v) })}
          options={(['all', 'consumer', 'owner'] as const).map((s) => ({ value: s, label: t(`sharing.side.${s}`) }))}
        />
      )}
      <Table<Grant>
        rowKey="id"
        size="middle"
        {...tableState(list, t('sharing.noGrants'))}
        onRow={(g) => ({ onClick: () => nav(`/sharing/grants/${g.id}`), style: { cursor: 'pointer' } })}
        columns={[
          {
            title: t('sharing.resource'),
            render: (_, g) => <Link to={`/sharing/grants/${g.id}`}>{g.resource.name}</Link>,
          },
          { title: t('sharing.consumer'), render: (_, g) => g.consumer.name },
          { title: t('sharing.owner'), render: (_, g) => g.owner.name },
          {
            title: t('sharing.methods'),
            dataIndex: 'methods',
            render: (m: Grant['methods']) => <MethodTags methods={m} />,
          },
          { title: t('grant.validity'), render: (_, g) => `${g.validFrom} ~ ${g.validUntil}` },
          { title: t('grant.state'), render: (_, g) => <GrantStateTag state={g.state} /> },
          {
            title: t('grant.today'),
            render: (_, g) => (
              <Space size={4} wrap>
                <Tag>{t('grant.todayCalls', { n: g.today.calls })}</Tag>
                <Tag>{t('grant.todayRows', { n: g.today.rows })}</Tag>
                {g.today.refused > 0 && <Tag color="red">{t('grant.todayRefused', { n: g.today.refused })}</Tag>}
              </Space>
            ),
          },
        ]}
      />
    </Space>
  );
}
