// Background jobs (the Center): each kind of job with its schedule and how many are waiting, running, done or
// failed, and the jobs themselves, newest first, with the reason of a failure. Read-only: the queue retries.
import { useState } from 'react';
import { Alert, Button, Card, Select, Space, Table, Tag, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { get } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { fmtTime, useLoad } from '../../ui.tsx';
import type { Key } from '../../messages.ts';
import type { Reply } from '../../api.types.ts';
import { JobState } from '../../api.enums.gen.ts';
import { tableState } from '../../states.tsx';

const STATES = JobState;
const COLOR: Record<JobState, string> = {
  created: 'default',
  retry: 'orange',
  active: 'processing',
  completed: 'green',
  cancelled: 'default',
  failed: 'red',
};

type JobsView = Reply<'/api/jobs'>;

export function JobsPage() {
  const { t, pick } = useI18n();
  const [state, setState] = useState<JobState | undefined>();
  const [name, setName] = useState<string | undefined>();
  const [page, setPage] = useState(1);
  const pageSize = 20;
  const view = useLoad(() => {
    const q = new URLSearchParams({ limit: String(pageSize), offset: String((page - 1) * pageSize) });
    if (state) q.set('state', state);
    if (name) q.set('name', name);
    return get<JobsView>(`/api/jobs?${q}`);
  }, [state, name, page]);
  const stateTag = (s: JobState) => <Tag color={COLOR[s]}>{t(`jobs.state.${s}` as Key)}</Tag>;

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }} data-testid="jobs-page">
      <Card
        extra={
          <Button icon={<ReloadOutlined />} onClick={view.reload}>
            {t('jobs.refresh')}
          </Button>
        }
      >
        <Typography.Paragraph type="secondary">{t('jobs.help')}</Typography.Paragraph>
        {view.data && !view.data.started && (
          <Alert type="warning" showIcon style={{ marginBottom: 16 }} message={t('jobs.notStarted')} />
        )}
        <Table
          rowKey="name"
          size="middle"
          pagination={false}
          {...tableState(view, t('jobs.noKinds'), (d) => d.queues)}
          columns={[
            { title: t('jobs.kind'), render: (_, q) => pick(q.title) },
            {
              title: t('jobs.schedule'),
              render: (_, q) =>
                q.cron ? t('jobs.cron', { cron: q.cron, zone: q.timeZone ?? '' }) : t('jobs.onDemand'),
            },
            ...STATES.map((s) => ({
              title: t(`jobs.state.${s}` as Key),
              render: (_: unknown, q: JobsView['queues'][number]) =>
                q.counts[s] ? (
                  <Tag color={COLOR[s]}>{q.counts[s]}</Tag>
                ) : (
                  <Typography.Text type="secondary">0</Typography.Text>
                ),
            })),
          ]}
        />
      </Card>
      <Card
        title={t('jobs.list')}
        extra={
          <Space>
            <Select
              allowClear
              placeholder={t('jobs.kind')}
              style={{ width: 220 }}
              value={name}
              onChange={(v) => {
                setName(v);
                setPage(1);
              }}
              options={(view.data?.queues ?? []).map((q) => ({ value: q.name, label: pick(q.title) }))}
              data-testid="jobs-kind"
            />
            <Select
              allowClear
              placeholder={t('jobs.stateLabel')}
              style={{ width: 140 }}
              value={state}
              onChange={(v) => {
                setState(v);
                setPage(1);
              }}
              options={STATES.map((s) => ({ value: s, label: t(`jobs.state.${s}` as Key) }))}
              data-testid="jobs-state"
            />
          </Space>
        }
      >
        <Table
          rowKey="id"
          size="small"
          {...tableState(view, t('jobs.none'), (d) => d.jobs)}
          pagination={{
            current: page,
            pageSize,
            total: view.data?.total ?? 0,
            onChange: setPage,
            showSizeChanger: false,
          }}
          columns={[
            { title: t('jobs.kind'), render: (_, j) => pick(j.title) },
            { title: t('jobs.stateLabel'), render: (_, j) => stateTag(j.state) },
            {
              title: t('jobs.attempts'),
              render: (_, j) => t('jobs.attemptsOf', { n: j.retryCount + 1, max: j.retryLimit + 1 }),
            },
            { title: t('jobs.created'), render: (_, j) => fmtTime(j.createdAt) },
            { title: t('jobs.startAfter'), render: (_, j) => fmtTime(j.startAfter) },
            { title: t('jobs.finished'), render: (_, j) => fmtTime(j.finishedAt) },
            {
              title: t('jobs.error'),
              render: (_, j) => (j.error ? <Typography.Text type="danger">{j.error}</Typography.Text> : '—'),
            },
          ]}
        />
      </Card>
    </Space>
  );
}
