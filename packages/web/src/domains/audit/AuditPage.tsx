import { useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Button, Card, DatePicker, Form, Input, Select, Space, Table, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { get, post, qs } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';
import { can } from '../../abilities.ts';
import { fmtTime, shanghaiDayStart, useLoad, useProblem } from '../../ui.tsx';
import { LoadAlert, tableState } from '../../states.tsx';
import type { AuditRecord, Org } from '../../types.ts';
import type { Key } from '../../messages.ts';
import type { Reply } from '../../api.types.ts';

interface Filters {
  actor?: string;
  orgId?: string;
  family?: string;
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
    family: f.family,
    action: f.action?.trim(),
    objectType: f.objectType?.trim(),
    objectId: f.objectId?.trim(),
    outcome: f.outcome,
    // the days picked are days in Asia/Shanghai, whatever the browser's zone
    from: f.range?.[0] ? shanghaiDayStart(f.range[0].format('YYYY-MM-DD')) : undefined,
    to: f.range?.[1] ? shanghaiDayStart(f.range[1].format('YYYY-MM-DD'), true) : undefined,
  };
}

/** A record's details as labelled fields: a change as before → after, a fact as its value. */
function Details({ r }: { r: AuditRecord }) {
  const { pick } = useI18n();
  if (!r.details.length) return null;
  return (
    <table style={{ fontSize: 12 }} data-testid="audit-details">
      <tbody>
        {r.details.map((d) => (
          <tr key={d.field}>
            <td style={{ paddingRight: 12, color: '#888', whiteSpace: 'nowrap', verticalAlign: 'top' }}>
              {pick(d.label)}
            </td>
            <td>
              {d.value ? (
                pick(d.value)
              ) : (
                <>
                  <del>{pick(d.before!)}</del> → <b>{pick(d.after!)}</b>
                </>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The record exactly as stored, for auditors: codes, ids, the raw details and the hashes. */
function RawRecord({ r }: { r: AuditRecord }) {
  const raw = {
    seq: r.seq,
    occurredAt: r.occurredAt,
    action: r.action,
    actorUserId: r.actorUserId,
    actorName: r.actorName,
    orgId: r.orgId,
    credentialId: r.credentialId,
    objectType: r.objectType,
    objectId: r.objectId,
    outcome: r.outcome,
    clientIp: r.clientIp,
    requestId: r.requestId,
    diff: r.diff,
    prevHash: r.prevHash,
    hash: r.hash,
  };
  return (
    <Typography.Paragraph copyable style={{ fontSize: 11, margin: 0 }}>
      <pre style={{ margin: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }} data-testid="audit-raw">
        {JSON.stringify(raw, null, 2)}
      </pre>
    </Typography.Paragraph>
  );
}

type ChainReport = Reply<'/api/audit/verify', 'post'>;

export function AuditPage() {
  const { t, pick } = useI18n();
  const { me } = useSession();
  const problem = useProblem();
  const [form] = Form.useForm<Filters>();
  const [filters, setFilters] = useState<Filters>({});
  const [page, setPage] = useState(1);
  const pageSize = 50;
  const isCenter = can(me, 'units.all');
  const orgs = useLoad(() => get<Org[]>('/api/orgs'), []);
  const vocab = useLoad(() => get<Reply<'/api/audit/vocabulary'>>('/api/audit/vocabulary'), []);
  const family = Form.useWatch('family', form) as string | undefined;
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
        <Form.Item name="family">
          <Select
            allowClear
            placeholder={t('audit.family')}
            style={{ width: 150 }}
            options={(vocab.data?.families ?? []).map((f) => ({ value: f.family, label: pick(f.words) }))}
            onChange={() => form.setFieldValue('action', undefined)}
            data-testid="audit-family"
          />
        </Form.Item>
        <Form.Item name="action">
          <Select
            allowClear
            showSearch
            optionFilterProp="label"
            placeholder={t('audit.action')}
            style={{ width: 200 }}
            options={(vocab.data?.actions ?? [])
              .filter((a) => !family || a.family === family)
              .map((a) => ({ value: a.action, label: pick(a.words) }))}
            data-testid="audit-action"
          />
        </Form.Item>
        <Form.Item name="objectType">
          <Select
            allowClear
            placeholder={t('audit.objectType')}
            style={{ width: 150 }}
            options={(vocab.data?.objectTypes ?? []).map((o) => ({ value: o.objectType, label: pick(o.words) }))}
          />
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
      <LoadAlert load={vocab} />
      <Table<AuditRecord>
        rowKey="seq"
        size="small"
        {...tableState(list, t('audit.none'), (d) => d.items)}
        data-testid="audit-table"
        scroll={{ x: 1500 }}
        pagination={{
          current: page,
          pageSize,
          total: list.data?.total ?? 0,
          onChange: setPage,
          showSizeChanger: false,
          showTotal: (n) => t('common.total', { n }),
        }}
        expandable={{
          // the raw record is one click away, for auditors
          expandedRowRender: (r) => <RawRecord r={r} />,
        }}
        columns={[
          { title: '#', dataIndex: 'seq', width: 70 },
          { title: t('audit.time'), dataIndex: 'occurredAt', render: fmtTime, width: 140 },
          {
            title: t('audit.actor'),
            dataIndex: 'actorName',
            width: 130,
            render: (a: string | null) => a ?? <Typography.Text type="secondary">{t('audit.system')}</Typography.Text>,
          },
          {
            title: t('users.org'),
            width: 170,
            render: (_, r) => r.orgName ?? (r.orgId ? r.orgId.slice(0, 8) : '—'),
          },
          {
            title: t('audit.action'),
            width: 170,
            render: (_, r) => <span title={r.action}>{pick(r.actionWords)}</span>,
          },
          {
            title: t('audit.object'),
            width: 240,
            render: (_, r) => {
              const kind = r.objectTypeWords ? pick(r.objectTypeWords) : '';
              if (!r.object) return [kind, r.objectId].filter(Boolean).join(' · ') || '—';
              const name = `${r.object.name}${r.object.code ? `（${r.object.code}）` : ''}`;
              return (
                <span>
                  {kind && <Typography.Text type="secondary">{kind} · </Typography.Text>}
                  {r.object.link ? <Link to={r.object.link}>{name}</Link> : name}
                </span>
              );
            },
          },
          { title: t('audit.details'), width: 320, render: (_, r) => <Details r={r} /> },
          {
            title: t('audit.outcome'),
            dataIndex: 'outcome',
            render: (o: AuditRecord['outcome'], r) => (
              <Tag color={o === 'success' ? 'green' : o === 'denied' ? 'orange' : 'red'}>{pick(r.outcomeWords)}</Tag>
            ),
          },
          { title: t('audit.clientIp'), dataIndex: 'clientIp' },
        ]}
      />
    </Card>
  );
}
