// One resource's quality: its score by dimension and its trend, and behind each dimension the rules and their last
// runs (drill down to a rule's runs and failing rows); run the rules now, take the suggested rules.
import { useMemo, useState } from 'react';
import { App, Button, Card, Col, List, Row, Space, Table, Typography } from 'antd';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { get, post } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';
import { can } from '../../abilities.ts';
import { fmtTime, useLoad, useProblem } from '../../ui.tsx';
import { Loaded } from '../../states.tsx';
import { Chart, type ChartOption } from '../../charts.tsx';
import type { Reply } from '../../api.types.ts';
import { OutcomeTag, ReportModal, Score, type RuleRow } from './parts.tsx';
import { RuleModal } from './RuleModal.tsx';

type Scores = Reply<'/api/quality/resources/{id}/scores'>;
type Suggestion = Reply<'/api/quality/resources/{id}/suggestions'>[number];
const DIMS = ['completeness', 'validity', 'uniqueness', 'consistency', 'timeliness'] as const;

export function ResourceQualityPage() {
  const { id } = useParams();
  const load = useLoad(() => get<Scores>(`/api/quality/resources/${id}/scores?days=90`), [id]);
  return <Loaded load={load}>{(s) => <View s={s} reload={load.reload} />}</Loaded>;
}

function View({ s, reload }: { s: Scores; reload(): void }) {
  const { t } = useI18n();
  const { me } = useSession();
  const { message } = App.useApp();
  const problem = useProblem();
  const nav = useNavigate();
  const [busy, setBusy] = useState(false);
  const [creating, setCreating] = useState(false);
  const [reporting, setReporting] = useState(false);
  const items = useLoad(
    () => get<Reply<'/api/ingest/resources/{ref}'>>(`/api/ingest/resources/${s.resourceId}`).catch(() => null),
    [s.resourceId],
  );
  const manage = can(me, 'quality.rules');
  const suggestions = useLoad(
    () =>
      manage
        ? get<Suggestion[]>(`/api/quality/resources/${s.resourceId}/suggestions`).catch(() => [] as Suggestion[])
        : Promise.resolve([] as Suggestion[]),
    [s.resourceId, manage],
  );
  const bars = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 48, right: 24, top: 16, bottom: 32 },
      xAxis: { type: 'category', data: [...DIMS, 'overall'].map((d) => t(`quality.dimension.${d}` as never)) },
      yAxis: { type: 'value', min: 0, max: 100 },
      series: [{ type: 'bar', name: t('quality.score'), data: [...DIMS, 'overall'].map((d) => s.scores[d] ?? null) }],
    }),
    [s, t],
  );
  const trend = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 48, right: 24, top: 16, bottom: 32 },
      xAxis: { type: 'category', data: s.trend.map((x) => x.day.slice(5)) },
      yAxis: { type: 'value', min: 0, max: 100 },
      series: [{ type: 'line', smooth: true, name: t('quality.dimension.overall'), data: s.trend.map((x) => x.score) }],
    }),
    [s, t],
  );
  const act = async (what: 'run' | 'suggestions') => {
    setBusy(true);
    try {
      if (what === 'run') {
        const runs = await post<unknown[]>(`/api/quality/resources/${s.resourceId}/run`);
        void message.success(t('quality.ranRules', { n: runs.length }));
      } else {
        const made = await post<unknown[]>(`/api/quality/resources/${s.resourceId}/suggestions`);
        void message.success(t('quality.madeRules', { n: made.length }));
        suggestions.reload();
      }
      reload();
    } catch (e) {
      problem(e);
    } finally {
      setBusy(false);
    }
  };
  const name = s.name;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Card
        title={
          <Space>
            <span>{name}</span>
            <Typography.Text type="secondary">
              {t('quality.dimension.overall')} <Score v={s.scores.overall} />
            </Typography.Text>
          </Space>
        }
        extra={
          manage && (
            <Space>
              {can(me, 'quality.center') && (
                <Button danger onClick={() => setReporting(true)} data-testid="resource-report">
                  {t('quality.report')}
                </Button>
              )}
              <Button onClick={() => setCreating(true)}>{t('quality.newRule')}</Button>
              <Button type="primary" loading={busy} onClick={() => void act('run')} data-testid="resource-run">
                {t('quality.runAll')}
              </Button>
            </Space>
          )
        }
      >
        <Typography.Paragraph type="secondary">
          {s.day ? t('quality.scoredOnPolicy', { d: s.day, v: s.policyVersion ?? '' }) : t('quality.notScored')}
        </Typography.Paragraph>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Chart option={bars} height={240} testId="resource-dimensions" />
          </Col>
          <Col xs={24} md={12}>
            <Chart option={trend} height={240} testId="resource-trend" />
          </Col>
        </Row>
      </Card>
      {manage && (suggestions.data?.length ?? 0) > 0 && (
        <Card
          size="small"
          title={t('quality.suggested', { n: suggestions.data!.length })}
          extra={
            <Button loading={busy} onClick={() => void act('suggestions')} data-testid="accept-suggestions">
              {t('quality.acceptSuggested')}
            </Button>
          }
        >
          <List
            size="small"
            dataSource={suggestions.data!}
            renderItem={(x) => (
              <List.Item>
                {t(`quality.kind.${x.kind}`)} · {x.name}
              </List.Item>
            )}
          />
        </Card>
      )}
      {DIMS.map((d) => {
        const rules = s.rules.filter((r) => r.dimension === d);
        if (!rules.length) return null;
        return (
          <Card
            key={d}
            size="small"
            title={
              <Space>
                {t(`quality.dimension.${d}`)} <Score v={s.scores[d]} />
              </Space>
            }
          >
            <Table<RuleRow>
              rowKey="id"
              size="small"
              pagination={false}
              dataSource={rules}
              onRow={(r) => ({ onClick: () => nav(`/quality/rules/${r.id}`), style: { cursor: 'pointer' } })}
              columns={[
                { title: t('quality.ruleName'), render: (_, r) => <Link to={`/quality/rules/${r.id}`}>{r.name}</Link> },
                { title: t('quality.kind'), render: (_, r) => t(`quality.kind.${r.kind}`) },
                { title: t('quality.active'), render: (_, r) => (r.active ? t('common.yes') : t('common.no')) },
                {
                  title: t('quality.lastRun'),
                  render: (_, r) => (r.lastRun ? <OutcomeTag outcome={r.lastRun.outcome} /> : '—'),
                },
                {
                  title: t('quality.failingOfChecked'),
                  align: 'right',
                  render: (_, r) =>
                    r.lastRun && r.lastRun.outcome !== 'not_run'
                      ? `${r.lastRun.failing.toLocaleString()} / ${r.lastRun.checked.toLocaleString()}`
                      : '—',
                },
                { title: t('quality.score'), align: 'right', render: (_, r) => <Score v={r.lastRun?.score} /> },
                { title: t('quality.ranAt'), render: (_, r) => (r.lastRun ? fmtTime(r.lastRun.at) : '—') },
              ]}
            />
          </Card>
        );
      })}
      {reporting && (
        <ReportModal
          resource={{
            id: s.resourceId,
            name: s.name,
            items: (items.data?.items ?? []).map((i) => ({ code: i.code, name: i.name })),
          }}
          keys={[]}
          onClose={() => setReporting(false)}
        />
      )}
      {creating && (
        <RuleModal
          resourceId={s.resourceId}
          onClose={(id) => {
            setCreating(false);
            if (id) reload();
          }}
        />
      )}
    </Space>
  );
}
