// The district catalog: search (partial Chinese terms) with facets.
import { useMemo } from 'react';
import { Button, Card, Col, Input, Row, Space, Table, Tag, Typography } from 'antd';
import { useNavigate } from 'react-router-dom';
import { get, qs } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useLoad, useUrlState } from '../../ui.tsx';
import { LoadAlert, tableState } from '../../states.tsx';
import { useCodes } from './codes.tsx';
import type { Org } from '../../types.ts';
import type { Reply } from '../../api.types.ts';

type Hit = Reply<'/api/catalog/resources'>['items'][number];
type Facets = Record<string, { value: string; count: number }[]>;
const FACETS: { key: string; table: string | null }[] = [
  { key: 'orgId', table: null },
  { key: 'category', table: 'category' },
  { key: 'baseLibrary', table: 'base_library' },
  { key: 'shareType', table: 'share_type' },
  { key: 'openAttribute', table: 'open_attribute' },
  { key: 'updateCycle', table: 'update_cycle' },
  { key: 'securityGrade', table: 'security_grade' },
];

export function CatalogPage() {
  const { t } = useI18n();
  const nav = useNavigate();
  const { label } = useCodes();
  // the search lives in the address: a search can be bookmarked and shared
  const [url, setUrl] = useUrlState();
  const q = url.q ?? '';
  const page = Math.max(1, Number(url.page) || 1);
  const filters = Object.fromEntries(FACETS.map((f) => [f.key, url[f.key]]));
  const setPage = (p: number) => setUrl({ page: p > 1 ? p : undefined });
  const res = useLoad(
    () =>
      get<{ total: number; items: Hit[]; facets: Facets }>(
        `/api/catalog/resources${qs({ q, ...filters, limit: 20, offset: (page - 1) * 20 })}`,
      ),
    [q, JSON.stringify(filters), page],
  );
  const orgs = useLoad(() => get<Org[]>('/api/orgs'), []);
  const table = tableState(res, t('catalog.noResults'), (d) => d.items);
  const orgName = useMemo(() => new Map((orgs.data ?? []).map((o) => [o.id, o.name])), [orgs.data]);
  const facetLabel = (key: string, table: string | null, value: string) =>
    key === 'orgId'
      ? (orgName.get(value) ?? value)
      : key === 'shareType'
        ? t(`share.${value}` as never)
        : key === 'openAttribute'
          ? t(`open.${value}` as never)
          : label(table!, value);

  return (
    <Row gutter={16}>
      <Col xs={24} md={6}>
        <Card size="small" title={t('catalog.filters')}>
          <LoadAlert load={orgs} />
          {FACETS.map((f) => (
            <div key={f.key} style={{ marginBottom: 12 }}>
              <Typography.Text type="secondary">{t(`catalog.facet.${f.key}` as never)}</Typography.Text>
              <div>
                {(res.data?.facets[f.key] ?? []).slice(0, f.key === 'orgId' ? 12 : 10).map((v) => (
                  <Tag.CheckableTag
                    key={v.value}
                    checked={filters[f.key] === v.value}
                    onChange={(on) => setUrl({ page: undefined, [f.key]: on ? v.value : undefined })}
                    data-testid={`facet-${f.key}-${v.value}`}
                  >
                    {facetLabel(f.key, f.table, v.value)} ({v.count})
                  </Tag.CheckableTag>
                ))}
              </div>
            </div>
          ))}
        </Card>
      </Col>
      <Col xs={24} md={18}>
        <Card
          extra={
            <Space>
              <Button href="/api/catalog/export.xlsx">{t('catalog.exportXlsx')}</Button>
              <Button href="/api/catalog/export.json">JSON</Button>
            </Space>
          }
        >
          <Input.Search
            placeholder={t('catalog.searchPlaceholder')}
            allowClear
            enterButton
            defaultValue={q}
            onSearch={(v) => setUrl({ q: v.trim(), page: undefined })}
            style={{ marginBottom: 16 }}
            data-testid="catalog-search"
          />
          <Table<Hit>
            rowKey="id"
            size="middle"
            {...table}
            onRow={(r) => ({ onClick: () => nav(`/catalog/${r.id}`), style: { cursor: 'pointer' } })}
            pagination={{
              current: page,
              pageSize: 20,
              total: res.data?.total ?? 0,
              onChange: setPage,
              showSizeChanger: false,
              showTotal: (n) => t('common.total', { n }),
            }}
            data-testid="catalog-results"
            columns={[
              {
                title: t('catalog.name'),
                dataIndex: 'name',
                render: (v, r) => (
                  <Space direction="vertical" size={0}>
                    <Typography.Text strong>{v}</Typography.Text>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {r.summary}
                    </Typography.Text>
                  </Space>
                ),
              },
              { title: t('catalog.code'), dataIndex: 'code', width: 140 },
              { title: t('catalog.owner'), dataIndex: 'orgName', width: 180 },
              {
                title: t('catalog.shareType'),
                dataIndex: 'shareType',
                width: 110,
                render: (v) => <Tag>{t(`share.${v}` as never)}</Tag>,
              },
              {
                title: t('catalog.updateCycle'),
                dataIndex: 'updateCycle',
                width: 90,
                render: (v) => label('update_cycle', v),
              },
              { title: t('catalog.items'), dataIndex: 'itemCount', width: 80 },
            ]}
          />
        </Card>
      </Col>
    </Row>
  );
}
