// Use of the data services: calls, rows and refusals per day, and which resources, consumers and owners they
// concern — the Center's view of the district, a unit's of the grants it receives or gives.
import { useMemo } from 'react';
import { Card, Col, DatePicker, Row, Space, Statistic, Table } from 'antd';
import dayjs from 'dayjs';
import { get, qs } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useLoad, useUrlState } from '../../ui.tsx';
import { LoadAlert } from '../../states.tsx';
import { Chart, type ChartOption } from '../../charts.tsx';
import type { Reply } from '../../api.types.ts';

type Usage = Reply<'/api/sharing/usage'>;
type Sum = Usage['byResource'][number];

export function UsageTab() {
  const { t } = useI18n();
  const [url, setUrl] = useUrlState();
  const from = url.from;
  const to = url.to;
  const usage = useLoad(() => get<Usage>(`/api/sharing/usage${qs({ from, to })}`), [from, to]);
  const u = usage.data;
  const total = useMemo(
    () =>
      (u?.days ?? []).reduce(
        (a, d) => ({ calls: a.calls + d.calls, rows: a.rows + d.rows, refused: a.refused + d.refused }),
        { calls: 0, rows: 0, refused: 0 },
      ),
    [u],
  );
  const daily = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { data: [t('usage.calls'), t('usage.rows'), t('usage.refused')] },
      grid: { left: 56, right: 56, top: 40, bottom: 32 },
      xAxis: { type: 'category', data: (u?.days ?? []).map((d) => d.day.slice(5)) },
      yAxis: [
        { type: 'value', name: t('usage.calls'), minInterval: 1 },
        { type: 'value', name: t('usage.rows'), minInterval: 1 },
      ],
      series: [
        { name: t('usage.calls'), type: 'line', data: (u?.days ?? []).map((d) => d.calls) },
        { name: t('usage.refused'), type: 'line', data: (u?.days ?? []).map((d) => d.refused) },
        { name: t('usage.rows'), type: 'bar', yAxisIndex: 1, data: (u?.days ?? []).map((d) => d.rows) },
      ],
    }),
    [u, t],
  );
  const bars = (list: Sum[]): ChartOption => {
    const top = list.slice(0, 10).reverse();
    return {
      tooltip: { trigger: 'axis' },
      grid: { left: 160, right: 24, top: 16, bottom: 24 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: top.map((s) => s.name), axisLabel: { width: 150, overflow: 'truncate' } },
      series: [{ name: t('usage.calls'), type: 'bar', data: top.map((s) => s.calls) }],
    };
  };
  const table = (list: Sum[], testId: string) => (
    <Table<Sum>
      rowKey="id"
      size="small"
      pagination={false}
      dataSource={list.slice(0, 10)}
      locale={{ emptyText: t('usage.none') }}
      data-testid={testId}
      columns={[
        { title: t('usage.name'), dataIndex: 'name' },
        { title: t('usage.calls'), dataIndex: 'calls', align: 'right' },
        { title: t('usage.rows'), dataIndex: 'rows', align: 'right' },
        { title: t('usage.refused'), dataIndex: 'refused', align: 'right' },
      ]}
    />
  );
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Space wrap>
        <DatePicker.RangePicker
          allowClear
          value={from && to ? [dayjs(from), dayjs(to)] : null}
          onChange={(r) =>
            setUrl({ from: r?.[0]?.format('YYYY-MM-DD') ?? undefined, to: r?.[1]?.format('YYYY-MM-DD') ?? undefined })
          }
        />
        {u && (
          <span>
            {u.from} ~ {u.to}
          </span>
        )}
      </Space>
      <LoadAlert load={usage} />
      <Row gutter={[12, 12]}>
        {(['calls', 'rows', 'refused'] as const).map((k) => (
          <Col xs={8} key={k}>
            <Card size="small">
              <Statistic title={t(`usage.${k}`)} value={u ? total[k] : '—'} data-testid={`usage-total-${k}`} />
            </Card>
          </Col>
        ))}
      </Row>
      <Card size="small" title={t('usage.daily')}>
        <Chart option={daily} testId="usage-daily" />
      </Card>
      <Row gutter={[12, 12]}>
        {(['byResource', 'byConsumer', 'byOwner'] as const).map((k) => (
          <Col xs={24} lg={8} key={k}>
            <Card size="small" title={t(`usage.${k}`)}>
              <Chart option={bars(u?.[k] ?? [])} height={240} />
              {table(u?.[k] ?? [], `usage-${k}`)}
            </Card>
          </Col>
        ))}
      </Row>
    </Space>
  );
}
