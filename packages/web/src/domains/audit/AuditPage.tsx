import { useMemo, useState } from 'react';
import { Alert, Button, Card, DatePicker, Form, Input, Select, Space, Table, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { get, post, qs } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';
import { can } from '../../abilities.ts';
import { fmtTime, useLoad, useProblem } from '../../ui.tsx';
import { LoadAlert, tableState } from '../../states.tsx';
import type { AuditRecord, Org } from '../../types.ts';
import type { Key } from '../../messages.ts';
import type { Reply } from '../../api.types.ts';

interface Filters {
  actor?: string;
  orgId?: string;
  action?: string;
  objectType?: string;
  objectId?: string;
  outcome?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
}

function toQuery(f: Filters) {
  return {
    actor: f.actor?.trim(),
    orgId: f.orgId,
    action: f.action?.trim(),
    objectType: f.objectType?.trim(),
    objectId: f.objectId?.trim(),
    outcome: f.outcome,
    from: f.range?.[0]?.startOf('day').toISOString(),
    to: f.range?.[1]?.endOf('day').toISOString(),
  };
}

function Diff({ diff }: { diff: unknown }) {
  if (!diff || typeof diff !== 'object') return null;
  const entries = Object.entries(diff as Record<string, unknown>);
  return (
    <table style={{ fontSize: 12 }}>
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <td style={{ paddingRight: 12, color: '#888' }}>{k}</td>
            <td>
              {Array.isArray(v) && v.length === 2 ? (
                <>
                  <del>{JSON.stringify(v[0])}</del> → <b>{JSON.stringify(v[1])}</b>
                </>
              ) : (
                JSON.stringify(v)
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

type ChainReport = Reply<'/api/audit/verify', 'post'>;

export function AuditPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const problem = useProblem();
  const [form] = Form.useForm<Filters>();
  const [filters, setFilters] = useState<Filters>({});
  const [page, setPage] = useState(1);
  const pageSize = 50;
  const isCenter = can(me, 'units.all');
  const orgs = useLoad(() => get<Org[]>('/api/orgs'), []);
  const orgName = useMemo(() => new Map((orgs.data ?? []).map((o) => [o.id, o.name])), [orgs.data]);
  const list = useLoad(
    () =>
      get<{ total: number; items: AuditRecord[] }>(
        `/api/audit${qs({ ...toQuery(filters), limit: pageSize, offset: (page - 1) * pageSize })}`,
      ),
    [filters, page],
  );
  const [verify, setVerify] = useState<ChainReport | null>(null);

  return (
    <Card
      title={t('nav.audit')}
      extra={
        <Space>
          <Button href={`/api/audit/export.csv${qs(toQuery(filters))}`} data-testid="audit-export">
            {t('audit.export')}
          </Button>
          {can(me, 'audit.verify') && (
            <Button
              onClick={async () => {
                try {
                  setVerify(await post('/api/audit/verify'));
                } catch (e) {
                  problem(e);
                }
              }}
            >
              {t('audit.verify')}
            </Button>
          )}
        </Space>
      }
    >
      {verify && (
        <Alert
          style={{ marginBottom: 16 }}
          type={verify.ok ? 'success' : 'error'}
          showIcon
          closable
          onClose={() => setVerify(null)}
          message={
            verify.ok
              ? t('audit.chainOk', { n: verify.count })
              : t('audit.chainBrokenCount', { n: verify.problemCount, count: verify.count, intact: verify.intact })
          }
          description={
            verify.ok ? undefined : (
              <ul
                style={{ margin: 0, paddingLeft: 20, maxHeight: 240, overflow: 'auto' }}
                data-testid="audit-chain-problems"
              >
                {verify.problems.map((p) => (
                  <li key={`${p.seq}-${p.kind}`}>
                    {t('audit.chainProblem', { seq: p.seq, kind: t(`audit.chainKind.${p.kind}` as Key) })}
                  </li>
                ))}
                {verify.problemCount > verify.problems.length && (
                  <li>{t('audit.chainMore', { n: verify.problemCount - verify.problems.length })}</li>
                )}
              </ul>
            )
          }
        />
      )}
      <Form
        form={form}
        layout="inline"
        onFinish={(v) => {
          setPage(1);
          setFilters(v);
        }}
        style={{ marginBottom: 16, rowGap: 8 }}
      >
        <Form.Item name="actor">
          <Input placeholder={t('audit.actor')} allowClear data-testid="audit-actor" />
        </Form.Item>
        {isCenter && (
          <Form.Item name="orgId">
            <Select
              allowClear
              showSearch
              optionFilterProp="label"
              placeholder={t('users.org')}
              style={{ width: 220 }}
              options={(orgs.data ?? []).map((o) => ({ value: o.id, label: o.name }))}
            />
          </Form.Item>
        )}
        <Form.Item name="action">
          <Input placeholder={t('audit.action')} allowClear data-testid="audit-action" />
        </Form.Item>
        <Form.Item name="objectType">
          <Input placeholder={t('audit.objectType')} allowClear style={{ width: 130 }} />
        </Form.Item>
        <Form.Item name="objectId">
          <Input placeholder={t('audit.objectId')} allowClear />
        </Form.Item>
        <Form.Item name="outcome">
          <Select
            allowClear
            placeholder={t('audit.outcome')}
            style={{ width: 120 }}
            options={['success', 'denied', 'failure'].map((o) => ({ value: o, label: t(`audit.outcome.${o}` as Key) }))}
          />
        </Form.Item>
        <Form.Item name="range">
          <DatePicker.RangePicker />
        </Form.Item>
        <Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" data-testid="audit-search">
              {t('common.search')}
            </Button>
            <Button
              onClick={() => {
                form.resetFields();
                setFilters({});
                setPage(1);
              }}
            >
              {t('common.reset')}
            </Button>
          </Space>
        </Form.Item>
      </Form>
      <LoadAlert load={orgs} />
      <Table<AuditRecord>
        rowKey="seq"
        size="small"
        {...tableState(list, t('audit.none'), (d) => d.items)}
        data-testid="audit-table"
        pagination={{
          current: page,
          pageSize,
          total: list.data?.total ?? 0,
          onChange: setPage,
          showSizeChanger: false,
          showTotal: (n) => t('common.total', { n }),
        }}
        expandable={{
          expandedRowRender: (r) => (
            <Space direction="vertical">
              <Diff diff={r.diff} />
              <Typography.Text type="secondary" style={{ fontSize: 11 }}>
                SM3 {r.hash} · {r.requestId}
              </Typography.Text>
            </Space>
          ),
          rowExpandable: (r) => !!r.diff,
        }}
        columns={[
          { title: '#', dataIndex: 'seq', width: 70 },
          { title: t('audit.time'), dataIndex: 'occurredAt', render: fmtTime, width: 150 },
          {
            title: t('audit.actor'),
            dataIndex: 'actorName',
            render: (a: string | null) => a ?? <Typography.Text type="secondary">{t('audit.system')}</Typography.Text>,
          },
          {
            title: t('users.org'),
            dataIndex: 'orgId',
            render: (id: string | null) => (id ? (orgName.get(id) ?? id.slice(0, 8)) : '—'),
          },
          {
            title: t('audit.action'),
            dataIndex: 'action',
            render: (a: string) => <Typography.Text code>{a}</Typography.Text>,
          },
          { title: t('audit.object'), render: (_, r) => [r.objectType, r.objectId].filter(Boolean).join(' · ') },
          {
            title: t('audit.outcome'),
            dataIndex: 'outcome',
            render: (o: string) => (
              <Tag color={o === 'success' ? 'green' : o === 'denied' ? 'orange' : 'red'}>
                {t(`audit.outcome.${o}` as Key)}
              </Tag>
            ),
          },
          { title: 'IP', dataIndex: 'clientIp' },
        ]}
      />
    </Card>
  );
}
