// Data quality: the problem-data tickets waiting for the reader (the Center's triage, the owner's fixes, the reporter's
// verification), the quality scores with their trend and ranking, and the rules with their last runs.
import { useMemo, useState } from 'react';
import { Button, Card, Checkbox, Col, Row, Select, Space, Statistic, Table, Tabs, Tag, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { Link, useNavigate } from 'react-router-dom';
import { get, qs } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';
import { can } from '../../abilities.ts';
import { fmtTime, useLoad, useUrlState } from '../../ui.tsx';
import { LoadAlert, tableState } from '../../states.tsx';
import { Chart, type ChartOption } from '../../charts.tsx';
import { QualityKind, TicketCategory, TicketStatus } from '../../api.enums.gen.ts';
import type { Reply } from '../../api.types.ts';
import { CategoryTag, OutcomeTag, Score, TicketDue, TicketStatusTag, type RuleRow, type TicketRow } from './parts.tsx';
import { RuleModal } from './RuleModal.tsx';

type Inbox = Reply<'/api/quality/inbox'>;

export function QualityPage() {
  const { t } = useI18n();
  const [url, setUrl] = useUrlState();
  const tab = url.tab === 'scores' || url.tab === 'rules' ? url.tab : 'tickets';
  return (
    <Card>
      <Tabs
        activeKey={tab}
        onChange={(k) => setUrl({ tab: k === 'tickets' ? undefined : k, page: undefined })}
        items={[
          { key: 'tickets', label: t('quality.tab.tickets'), children: <Tickets /> },
          { key: 'scores', label: t('quality.tab.scores'), children: <Scores /> },
          { key: 'rules', label: t('quality.tab.rules'), children: <Rules /> },
        ]}
      />
    </Card>
  );
}

function Tickets() {
  const { t } = useI18n();
  const { me } = useSession();
  const nav = useNavigate();
  const [url, setUrl] = useUrlState();
  const center = can(me, 'quality.center');
  const page = Math.max(1, Number(url.page) || 1);
  const status = (TicketStatus as readonly string[]).includes(url.status ?? '') ? url.status : undefined;
  const category = (TicketCategory as readonly string[]).includes(url.category ?? '') ? url.category : undefined;
  const side = url.side === 'owner' || url.side === 'reporter' ? url.side : undefined;
  const open = url.open === 'true';
  const inbox = useLoad(() => get<Inbox>('/api/quality/inbox'), []);
  const list = useLoad(
    () =>
      get<Reply<'/api/quality/tickets'>>(
        `/api/quality/tickets${qs({ status, category, side, open: open ? 'true' : undefined, limit: 20, offset: (page - 1) * 20 })}`,
      ),
    [status, category, side, open, page],
  );
  const box = (key: 'center' | 'owner' | 'verifier' | 'overdue', patch: Record<string, string | undefined>) => (
    <Col xs={12} md={6} key={key}>
      <Card size="small" hoverable onClick={() => setUrl({ ...patch, page: undefined })} data-testid={`qinbox-${key}`}>
        <Statistic
          title={t(`quality.inbox.${key}`)}
          value={inbox.data?.[key] ?? '—'}
          valueStyle={key === 'overdue' && inbox.data?.overdue ? { color: '#cf1322' } : undefined}
        />
      </Card>
    </Col>
  );
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <LoadAlert load={inbox} />
      <Row gutter={[12, 12]}>
        {center
          ? [box('center', { status: 'triage', side: undefined }), box('verifier', { status: 'verifying' })]
          : [
              box('owner', { side: 'owner', status: 'assigned' }),
              box('verifier', { side: 'reporter', status: 'verifying' }),
            ]}
        {box('overdue', { open: 'true', status: undefined })}
      </Row>
      <Space wrap>
        {!center && (
          <Select
            allowClear
            style={{ width: 180 }}
            placeholder={t('quality.side')}
            value={side}
            onChange={(v?: string) => setUrl({ side: v, page: undefined })}
            options={(['owner', 'reporter'] as const).map((s) => ({ value: s, label: t(`quality.side.${s}`) }))}
          />
        )}
        <Select
          allowClear
          style={{ width: 180 }}
          placeholder={t('quality.status')}
          value={status}
          onChange={(v?: string) => setUrl({ status: v, page: undefined })}
          options={TicketStatus.map((s) => ({ value: s, label: t(`quality.status.${s}`) }))}
          data-testid="ticket-status-filter"
        />
        <Select
          allowClear
          style={{ width: 180 }}
          placeholder={t('quality.category')}
          value={category}
          onChange={(v?: string) => setUrl({ category: v, page: undefined })}
          options={TicketCategory.map((c) => ({ value: c, label: t(`quality.category.${c}`) }))}
        />
        <Checkbox
          checked={open}
          onChange={(e) => setUrl({ open: e.target.checked ? 'true' : undefined, page: undefined })}
        >
          {t('quality.openOnly')}
        </Checkbox>
        {center && (
          <Button icon={<DownloadOutlined />} href="/api/quality/tickets/register.xlsx" data-testid="ticket-register">
            {t('quality.register')}
          </Button>
        )}
      </Space>
      <Table<TicketRow>
        rowKey="id"
        size="middle"
        {...tableState(list, t('quality.noTickets'), (d) => d.tickets)}
        onRow={(x) => ({ onClick: () => nav(`/quality/tickets/${x.id}`), style: { cursor: 'pointer' } })}
        pagination={{
          current: page,
          pageSize: 20,
          total: list.data?.total ?? 0,
          showSizeChanger: false,
          onChange: (p) => setUrl({ page: p > 1 ? p : undefined }),
        }}
        columns={[
          {
            title: t('quality.no'),
            dataIndex: 'no',
            render: (no: string, x) => <Link to={`/quality/tickets/${x.id}`}>{no}</Link>,
          },
          { title: t('quality.resource'), render: (_, x) => x.resourceName ?? x.resourceId },
          { title: t('quality.owner'), dataIndex: 'ownerName' },
          {
            title: t('quality.reporter'),
            render: (_, x) => x.reporterName ?? t(`quality.source.${x.source}`),
          },
          { title: t('quality.category'), render: (_, x) => <CategoryTag category={x.category} /> },
          { title: t('quality.status'), render: (_, x) => <TicketStatusTag status={x.status} /> },
          { title: t('quality.due'), render: (_, x) => <TicketDue t={x} /> },
          { title: t('quality.reportedAt'), render: (_, x) => fmtTime(x.createdAt) },
        ]}
      />
    </Space>
  );
}

function Scores() {
  const { t } = useI18n();
  const { me } = useSession();
  const all = can(me, 'units.all');
  const [url, setUrl] = useUrlState();
  const days = [30, 90, 365].includes(Number(url.days)) ? Number(url.days) : 30;
  const orgId = all ? url.org : undefined;
  const load = useLoad(
    () => get<Reply<'/api/quality/scores'>>(`/api/quality/scores${qs({ days, orgId })}`),
    [days, orgId],
  );
  const d = load.data;
  const dims = ['completeness', 'validity', 'uniqueness', 'consistency', 'timeliness'] as const;
  const trend = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 48, right: 24, top: 24, bottom: 32 },
      xAxis: { type: 'category', data: (d?.trend ?? []).map((x) => x.day.slice(5)) },
      yAxis: { type: 'value', min: 0, max: 100, name: t('quality.score') },
      series: [
        {
          name: t('quality.dimension.overall'),
          type: 'line',
          smooth: true,
          data: (d?.trend ?? []).map((x) => x.score),
        },
      ],
    }),
    [d, t],
  );
  const ranking = useMemo<ChartOption>(() => {
    const top = (d?.units ?? []).slice(0, 15).reverse();
    return {
      tooltip: { trigger: 'axis' },
      grid: { left: 160, right: 24, top: 16, bottom: 24 },
      xAxis: { type: 'value', min: 0, max: 100 },
      yAxis: {
        type: 'category',
        data: top.map((u) => u.orgName ?? u.orgId),
        axisLabel: { width: 150, overflow: 'truncate' },
      },
      series: [{ name: t('quality.score'), type: 'bar', data: top.map((u) => u.score) }],
    };
  }, [d, t]);
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <LoadAlert load={load} />
      <Space wrap>
        <Select
          value={days}
          style={{ width: 160 }}
          onChange={(v: number) => setUrl({ days: v === 30 ? undefined : v })}
          options={[30, 90, 365].map((n) => ({ value: n, label: t('quality.lastDays', { n }) }))}
        />
        {orgId && (
          <Tag closable onClose={() => setUrl({ org: undefined })}>
            {d?.units.find((u) => u.orgId === orgId)?.orgName ?? orgId}
          </Tag>
        )}
        {d && (
          <Typography.Text type="secondary">
            {t('quality.weights')}：{dims.map((k) => `${t(`quality.dimension.${k}`)} ${d.weights[k] ?? 0}%`).join('，')}
            （<Link to="/policy">v{d.policyVersion}</Link>）
          </Typography.Text>
        )}
      </Space>
      <Row gutter={16}>
        <Col xs={24} md={all ? 12 : 24}>
          <Card size="small" title={t('quality.trend')}>
            <Chart option={trend} height={260} testId="quality-trend" />
          </Card>
        </Col>
        {all && (
          <Col xs={24} md={12}>
            <Card size="small" title={t('quality.ranking')}>
              <Chart option={ranking} height={260} testId="quality-ranking" />
            </Card>
          </Col>
        )}
      </Row>
      {all && !orgId && (
        <Table
          rowKey="orgId"
          size="small"
          pagination={false}
          dataSource={d?.units ?? []}
          locale={{ emptyText: t('quality.noScores') }}
          onRow={(u) => ({ onClick: () => setUrl({ org: u.orgId }), style: { cursor: 'pointer' } })}
          columns={[
            { title: t('quality.rank'), render: (_, __, i) => i + 1, width: 64 },
            { title: t('quality.unit'), render: (_, u) => u.orgName ?? u.orgId },
            { title: t('quality.resources'), dataIndex: 'resources', align: 'right' },
            { title: t('quality.score'), render: (_, u) => <Score v={u.score} />, align: 'right' },
          ]}
        />
      )}
      <Table<Reply<'/api/quality/scores'>['resources'][number]>
        rowKey="resourceId"
        size="small"
        loading={load.loading}
        dataSource={d?.resources ?? []}
        locale={{ emptyText: t('quality.noScores') }}
        data-testid="quality-resources"
        columns={[
          {
            title: t('quality.resource'),
            render: (_, r) => <Link to={`/quality/resources/${r.resourceId}`}>{r.name ?? r.resourceId}</Link>,
          },
          ...(all
            ? [{ title: t('quality.unit'), render: (_: unknown, r: { orgName: string | null }) => r.orgName }]
            : []),
          ...dims.map((k) => ({
            title: t(`quality.dimension.${k}`),
            align: 'right' as const,
            render: (_: unknown, r: { scores: Record<string, number> }) => <Score v={r.scores[k]} />,
          })),
          {
            title: t('quality.dimension.overall'),
            align: 'right' as const,
            render: (_: unknown, r: { scores: Record<string, number> }) => <Score v={r.scores.overall} />,
          },
          { title: t('quality.scoredOn'), dataIndex: 'day' },
        ]}
      />
    </Space>
  );
}

function Rules() {
  const { t } = useI18n();
  const { me } = useSession();
  const nav = useNavigate();
  const [url, setUrl] = useUrlState();
  const kind = (QualityKind as readonly string[]).includes(url.kind ?? '') ? url.kind : undefined;
  const list = useLoad(() => get<RuleRow[]>(`/api/quality/rules${qs({ kind })}`), [kind]);
  const [creating, setCreating] = useState(false);
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Space wrap>
        <Select
          allowClear
          style={{ width: 200 }}
          placeholder={t('quality.kind')}
          value={kind}
          onChange={(v?: string) => setUrl({ kind: v })}
          options={QualityKind.map((k) => ({ value: k, label: t(`quality.kind.${k}`) }))}
        />
        {can(me, 'quality.rules') && (
          <Button type="primary" onClick={() => setCreating(true)} data-testid="rule-new">
            {t('quality.newRule')}
          </Button>
        )}
      </Space>
      <Table<RuleRow>
        rowKey="id"
        size="middle"
        {...tableState(list, t('quality.noRules'), (d) => d)}
        onRow={(r) => ({ onClick: () => nav(`/quality/rules/${r.id}`), style: { cursor: 'pointer' } })}
        columns={[
          { title: t('quality.ruleName'), render: (_, r) => <Link to={`/quality/rules/${r.id}`}>{r.name}</Link> },
          {
            title: t('quality.resource'),
            render: (_, r) => <Link to={`/quality/resources/${r.resourceId}`}>{r.resourceName ?? r.resourceId}</Link>,
          },
          { title: t('quality.kind'), render: (_, r) => t(`quality.kind.${r.kind}`) },
          { title: t('quality.scope'), render: (_, r) => t(`quality.scope.${r.scope}`) },
          { title: t('quality.active'), render: (_, r) => (r.active ? t('common.yes') : t('common.no')) },
          {
            title: t('quality.lastRun'),
            render: (_, r) =>
              r.lastRun ? (
                <Space size={4}>
                  <OutcomeTag outcome={r.lastRun.outcome} />
                  <Score v={r.lastRun.score} />
                  <Typography.Text type="secondary">{fmtTime(r.lastRun.at)}</Typography.Text>
                </Space>
              ) : (
                '—'
              ),
          },
        ]}
      />
      {creating && (
        <RuleModal
          onClose={(id) => {
            setCreating(false);
            if (id) nav(`/quality/rules/${id}`);
          }}
        />
      )}
    </Space>
  );
}
