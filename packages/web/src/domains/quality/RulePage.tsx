// One quality rule: what it checks, "run now", and its runs — rows checked and failing, score, how long it took,
// what started it, and the first failing keys (masked unless the owner unit's officers read them), or why it
// could not run.
import { useState } from 'react';
import { App, Button, Card, Descriptions, Space, Table, Tag, Typography } from 'antd';
import { Link, useParams } from 'react-router-dom';
import { get, post } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { fmtTime, useLoad, useProblem, useUrlState } from '../../ui.tsx';
import { Loaded, tableState } from '../../states.tsx';
import type { Reply } from '../../api.types.ts';
import { OutcomeTag, Score, type Rule } from './parts.tsx';
import { RuleModal } from './RuleModal.tsx';

type Runs = Reply<'/api/quality/runs'>;

export function RulePage() {
  const { id } = useParams();
  const load = useLoad(() => get<Rule>(`/api/quality/rules/${id}`), [id]);
  return <Loaded load={load}>{(r) => <View r={r} reload={load.reload} />}</Loaded>;
}

function View({ r, reload }: { r: Rule; reload(): void }) {
  const { t, pick } = useI18n();
  const { message } = App.useApp();
  const problem = useProblem();
  const [url, setUrl] = useUrlState();
  const [busy, setBusy] = useState(false);
  const [editing, setEditing] = useState(false);
  const page = Math.max(1, Number(url.page) || 1);
  const runs = useLoad(
    () => get<Runs>(`/api/quality/runs?ruleId=${r.id}&limit=20&offset=${(page - 1) * 20}`),
    [r.id, page, r.lastRun?.id],
  );
  const runNow = async () => {
    setBusy(true);
    try {
      const out = await post<{ outcome: string }>(`/api/quality/rules/${r.id}/run`);
      void message.info(t(`quality.outcome.${out.outcome}` as never));
      reload();
    } catch (e) {
      problem(e);
    } finally {
      setBusy(false);
    }
  };
  const p = r.params;
  const describe = [
    p.check ? t(`quality.check.${p.check}` as never) : null,
    p.validator ? t(`quality.validator.${p.validator}` as never) : null,
    p.values?.length ? p.values.join('、') : null,
    p.min !== undefined && p.min !== null ? `≥ ${p.min}` : null,
    p.max !== undefined && p.max !== null ? `≤ ${p.max}` : null,
    p.pattern ? p.pattern : null,
    p.minRows ? t('quality.atLeastRows', { n: p.minRows }) : null,
  ].filter(Boolean);
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Card
        title={
          <Space wrap>
            <span>{r.name}</span>
            <Tag>{t(`quality.kind.${r.kind}`)}</Tag>
            <Tag>{t(`quality.scope.${r.scope}`)}</Tag>
            {!r.active && <Tag color="default">{t('quality.inactive')}</Tag>}
          </Space>
        }
        extra={
          r.mayManage && (
            <Space>
              <Button onClick={() => setEditing(true)} data-testid="rule-edit">
                {t('quality.editRule')}
              </Button>
              <Button type="primary" loading={busy} onClick={() => void runNow()} data-testid="rule-run">
                {t('quality.runNow')}
              </Button>
            </Space>
          )
        }
      >
        <Descriptions column={{ xs: 1, md: 2 }} size="small">
          <Descriptions.Item label={t('quality.resource')}>
            <Link to={`/quality/resources/${r.resourceId}`}>{r.resourceName ?? r.resourceId}</Link>
          </Descriptions.Item>
          <Descriptions.Item label={t('quality.dimension')}>{t(`quality.dimension.${r.dimension}`)}</Descriptions.Item>
          <Descriptions.Item label={t('quality.items')}>{r.items.join('、') || '—'}</Descriptions.Item>
          <Descriptions.Item label={t('quality.check')}>{describe.join('；') || '—'}</Descriptions.Item>
          {p.refResourceId && (
            <Descriptions.Item label={t('quality.refResource')}>
              <Link to={`/quality/resources/${p.refResourceId}`}>{t('quality.open')}</Link> ·{' '}
              {(p.refItems ?? []).join('、')}
            </Descriptions.Item>
          )}
          <Descriptions.Item label={t('quality.createdAt')}>{fmtTime(r.createdAt)}</Descriptions.Item>
        </Descriptions>
      </Card>
      <Card title={t('quality.runs')}>
        {runs.data && !runs.data.rawSamples && (
          <Typography.Paragraph type="secondary">{t('quality.samplesMasked')}</Typography.Paragraph>
        )}
        <Table<Runs['runs'][number]>
          rowKey="id"
          size="small"
          {...tableState(runs, t('quality.noRuns'), (d) => d.runs)}
          pagination={{
            current: page,
            pageSize: 20,
            total: runs.data?.total ?? 0,
            showSizeChanger: false,
            onChange: (x) => setUrl({ page: x > 1 ? x : undefined }),
          }}
          expandable={{
            rowExpandable: (x) => x.sample.length > 0 || !!x.reason,
            expandedRowRender: (x) => (
              <Space direction="vertical" size={4}>
                {x.reason && <Typography.Text type="warning">{pick(x.reason)}</Typography.Text>}
                {x.sample.length > 0 && (
                  <span>
                    {t('quality.sample')}：
                    {x.sample.map((k) => (
                      <Tag key={k} data-testid="run-sample">
                        {k}
                      </Tag>
                    ))}
                  </span>
                )}
              </Space>
            ),
          }}
          columns={[
            { title: t('quality.ranAt'), render: (_, x) => fmtTime(x.at) },
            { title: t('quality.trigger'), render: (_, x) => t(`quality.trigger.${x.trigger}`) },
            { title: t('quality.outcome'), render: (_, x) => <OutcomeTag outcome={x.outcome} /> },
            { title: t('quality.checked'), align: 'right', render: (_, x) => x.checked.toLocaleString() },
            { title: t('quality.failing'), align: 'right', render: (_, x) => x.failing.toLocaleString() },
            { title: t('quality.score'), align: 'right', render: (_, x) => <Score v={x.score} /> },
            { title: t('quality.duration'), align: 'right', render: (_, x) => `${x.durationMs} ms` },
            { title: t('quality.by'), render: (_, x) => x.actorName ?? t('quality.byPlatform') },
          ]}
        />
      </Card>
      {editing && (
        <RuleModal
          rule={r}
          onClose={(id) => {
            setEditing(false);
            if (id) reload();
          }}
        />
      )}
    </Space>
  );
}
