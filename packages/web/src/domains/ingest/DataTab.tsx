// A resource's aggregated data: its table and freshness, a file upload with progress and a batch report,
// the batch history with rejected rows to download, and a data browser (masked unless raw is allowed).
import { useEffect, useRef, useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Input,
  Modal,
  Progress,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Tooltip,
  Typography,
  Upload,
} from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import { get, qs, uploadWithProgress } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { fmtTime, useLoad, useProblem } from '../../ui.tsx';
import { ErrorState, PageLoading, tableState } from '../../states.tsx';
import { FreshnessTag } from './FreshnessTag.tsx';
import { MaskingRule } from '../../api.enums.gen.ts';
import { PullSources } from './PullSources.tsx';
import type { Batch, BrowsePage, DataInfo } from './types.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function kb(n: number) {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;
}

const OUTCOME_COLOR: Record<Batch['outcome'], string> = {
  running: 'processing',
  all_accepted: 'green',
  partly_accepted: 'orange',
  none_accepted: 'red',
  empty: 'default',
  failed: 'red',
};

/** What became of a batch, in words and colour: every row loaded, N rejected, nothing loaded, failed. */
export function BatchStatus({ b }: { b: Pick<Batch, 'outcome' | 'rejected'> }) {
  const { t } = useI18n();
  return (
    <Tag color={OUTCOME_COLOR[b.outcome]} data-testid="batch-outcome" data-outcome={b.outcome}>
      {t(`ingest.outcome.${b.outcome}`, { n: b.rejected })}
    </Tag>
  );
}

export function BatchReport({ batch, onClose }: { batch: Batch | null; onClose(): void }) {
  const { t, pick } = useI18n();
  if (!batch) return null;
  return (
    <Modal
      open
      title={`${t('ingest.report')} · ${batch.fileName ?? batch.id.slice(0, 8)}`}
      onCancel={onClose}
      footer={<Button onClick={onClose}>OK</Button>}
      width={860}
    >
      <Space direction="vertical" style={{ width: '100%' }} data-testid="batch-report">
        <Descriptions size="small" column={3} bordered>
          <Descriptions.Item label={t('users.status')}>
            <BatchStatus b={batch} />
          </Descriptions.Item>
          <Descriptions.Item label={t('ingest.mode')}>{t(`ingest.mode.${batch.mode}` as never)}</Descriptions.Item>
          <Descriptions.Item label={t('ingest.source')}>
            {t(`ingest.source.${batch.source}` as never)}
          </Descriptions.Item>
          <Descriptions.Item label={t('ingest.received')}>{batch.received}</Descriptions.Item>
          <Descriptions.Item label={t('ingest.accepted')}>
            <span data-testid="report-accepted">{batch.accepted}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('ingest.rejected')}>
            <span data-testid="report-rejected">{batch.rejected}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('ingest.operator')}>{batch.actorName}</Descriptions.Item>
          <Descriptions.Item label={t('ingest.started')}>{fmtTime(batch.startedAt)}</Descriptions.Item>
          <Descriptions.Item label={t('ingest.encoding')}>{batch.encoding ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('ingest.checksum')} span={3}>
            <Typography.Text code style={{ fontSize: 11 }}>
              {batch.checksum ?? '—'}
            </Typography.Text>
          </Descriptions.Item>
        </Descriptions>
        {batch.error && (
          <Alert
            type="error"
            showIcon
            message={t('ingest.error')}
            description={pick(batch.error)}
            data-testid="batch-error"
          />
        )}
        {batch.warnings.map((w, i) => (
          <Alert key={i} type="info" showIcon message={pick(w)} />
        ))}
        {batch.rejected > 0 && (
          <>
            <Button href={`/api/ingest/batches/${batch.id}/rejected.csv`} data-testid="download-rejected">
              {t('ingest.downloadRejected')}
            </Button>
            <Table
              size="small"
              rowKey="rowNo"
              pagination={false}
              dataSource={batch.rejectedSample}
              columns={[
                { title: t('ingest.rowWhere'), width: 220, render: (_, r) => pick(r.where) },
                { title: t('ingest.reasons'), render: (_, r) => r.errors.map((e, i) => <div key={i}>{pick(e)}</div>) },
              ]}
            />
          </>
        )}
      </Space>
    </Modal>
  );
}

function UploadCard({ info, onDone }: { info: DataInfo; onDone(b: Batch): void }) {
  const { t } = useI18n();
  const problem = useProblem();
  const [mode, setMode] = useState<'upsert' | 'append' | 'replace'>(info.keyColumns.length ? 'upsert' : 'append');
  const [encoding, setEncoding] = useState('auto');
  const [sent, setSent] = useState<{ sent: number; total: number } | null>(null);
  const [running, setRunning] = useState<Batch | null>(null);
  const poll = useRef<ReturnType<typeof setInterval> | null>(null);
  useEffect(
    () => () => {
      if (poll.current) clearInterval(poll.current);
    },
    [],
  );

  async function send(file: File) {
    const isXlsx = /\.xlsx$/i.test(file.name);
    setSent({ sent: 0, total: file.size });
    setRunning(null);
    // While the file streams in, the server's batch record shows the rows read so far.
    poll.current = setInterval(() => {
      get<{ batches: Batch[] }>(`/api/ingest/resources/${info.id}/batches?limit=1`)
        .then((r) => {
          const b = r.batches[0];
          if (b && b.status === 'running' && b.fileName === file.name) setRunning(b);
        })
        .catch(() => {});
    }, 500);
    try {
      const res = await uploadWithProgress<{ batch: Batch }>(
        `/api/ingest/resources/${info.id}/upload${qs({ mode, fileName: file.name, encoding: isXlsx ? undefined : encoding })}`,
        file,
        isXlsx ? XLSX : 'text/csv',
        (s, total) => setSent({ sent: s, total }),
      );
      onDone(res.batch);
    } catch (e) {
      problem(e);
    } finally {
      if (poll.current) clearInterval(poll.current);
      poll.current = null;
      setSent(null);
      setRunning(null);
    }
  }

  const pct = sent ? Math.round((sent.sent / Math.max(1, sent.total)) * 100) : 0;
  return (
    <Card size="small" title={t('ingest.upload')}>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Typography.Text type="secondary">{t('ingest.uploadHint')}</Typography.Text>
        <Space wrap>
          {t('ingest.mode')}
          <Select
            value={mode}
            onChange={setMode}
            style={{ width: 220 }}
            data-testid="ingest-mode"
            options={(['upsert', 'append', 'replace'] as const)
              .filter((m) => m !== 'upsert' || info.keyColumns.length)
              .map((m) => ({ value: m, label: t(`ingest.mode.${m}` as never) }))}
          />
          {t('ingest.encoding')}
          <Select
            value={encoding}
            onChange={setEncoding}
            style={{ width: 130 }}
            options={[
              { value: 'auto', label: t('ingest.encoding.auto') },
              { value: 'utf-8', label: 'UTF-8' },
              { value: 'gbk', label: 'GBK / GB18030' },
            ]}
          />
          <Upload
            accept=".csv,.txt,.xlsx"
            showUploadList={false}
            disabled={!!sent}
            beforeUpload={(f) => {
              void send(f);
              return false;
            }}
          >
            <Button type="primary" icon={<UploadOutlined />} loading={!!sent} data-testid="ingest-upload">
              {t('ingest.chooseFile')}
            </Button>
          </Upload>
        </Space>
        {sent && (
          <div data-testid="ingest-progress">
            <Progress percent={pct} status="active" />
            <Typography.Text>
              {pct < 100 ? t('ingest.uploading', { sent: kb(sent.sent), total: kb(sent.total) }) : t('ingest.applying')}
            </Typography.Text>
            {running && (
              <div>
                <Typography.Text type="secondary">
                  {t('ingest.progressRows', {
                    received: running.received,
                    accepted: running.accepted,
                    rejected: running.rejected,
                  })}
                </Typography.Text>
              </div>
            )}
          </div>
        )}
      </Space>
    </Card>
  );
}

function Browser({ info }: { info: DataInfo }) {
  const { t, pick } = useI18n();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [sort, setSort] = useState<{ field?: string; order?: 'asc' | 'desc' }>({});
  const [filters, setFilters] = useState<string[]>([]);
  const [draft, setDraft] = useState<{ code: string; op: string; value: string }>({
    code: info.items[0]?.code ?? '',
    op: 'contains',
    value: '',
  });
  const [raw, setRaw] = useState(false);
  const data = useLoad(() => {
    const u = new URLSearchParams({ page: String(page), pageSize: String(pageSize) });
    if (sort.field) u.set('sort', sort.field);
    if (sort.order) u.set('order', sort.order);
    filters.forEach((f) => u.append('filter', f));
    if (raw) u.set('raw', 'true');
    return get<BrowsePage>(`/api/ingest/resources/${info.id}/rows?${u.toString()}`);
  }, [info.id, page, pageSize, sort.field, sort.order, filters.join('\n'), raw, info.lastLoadAt]);
  const d = data.data;
  // Masked items cannot be filtered on; the chosen item falls back to the first one that can.
  const filterable = info.items.filter((i) => raw || !d?.columns.find((c) => c.code === i.code)?.masked);
  const filterCode = filterable.some((i) => i.code === draft.code) ? draft.code : (filterable[0]?.code ?? '');
  const apply = () => {
    if (!draft.value || !filterCode) return;
    setFilters([...filters, `${filterCode}:${draft.op}:${draft.value}`]);
    setPage(1);
  };
  return (
    <Card size="small" title={t('ingest.browse')}>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Space wrap>
          <Select
            value={filterCode}
            onChange={(code) => setDraft({ ...draft, code })}
            style={{ width: 200 }}
            options={filterable.map((i) => ({ value: i.code, label: `${i.name}（${i.code}）` }))}
            data-testid="filter-item"
          />
          <Select
            value={draft.op}
            onChange={(op) => setDraft({ ...draft, op })}
            style={{ width: 110 }}
            options={['contains', 'eq', 'gt', 'lt'].map((o) => ({ value: o, label: t(`ingest.op.${o}` as never) }))}
          />
          <Input
            value={draft.value}
            onChange={(e) => setDraft({ ...draft, value: e.target.value })}
            style={{ width: 200 }}
            data-testid="filter-value"
            onPressEnter={apply}
          />
          <Button onClick={apply} data-testid="filter-apply">
            {t('ingest.filter')}
          </Button>
          {filters.map((f) => (
            <Tag key={f} closable onClose={() => setFilters(filters.filter((x) => x !== f))}>
              {f.replace(/:(eq|contains|gt|lt):/, (_, op: string) => ` ${t(`ingest.op.${op}` as never)} `)}
            </Tag>
          ))}
          {d?.rawAllowed && (
            <span>
              <Switch
                size="small"
                checked={raw}
                onChange={(v) => {
                  setRaw(v);
                  if (!v) setFilters([]);
                }}
                data-testid="raw-switch"
              />{' '}
              {t('ingest.showRaw')}
            </span>
          )}
        </Space>
        {d && !d.raw && d.columns.some((c) => c.masked) && <Alert type="info" showIcon message={t('ingest.masked')} />}
        <Table
          size="small"
          rowKey={(_, i) => String(i)}
          {...tableState(data, t('ingest.noRows'), (x) => x.rows)}
          scroll={{ x: true }}
          data-testid="data-browser"
          pagination={{
            current: page,
            pageSize,
            total: d?.total ?? 0,
            showSizeChanger: true,
            onChange: (p, s) => {
              setPage(p);
              setPageSize(s);
            },
          }}
          onChange={(_p, _f, sorter) => {
            const s = Array.isArray(sorter) ? sorter[0] : sorter;
            setSort({
              field: s?.order ? String(s.field) : undefined,
              order: s?.order === 'descend' ? 'desc' : s?.order === 'ascend' ? 'asc' : undefined,
            });
          }}
          columns={(d?.columns ?? []).map((c) => ({
            title: c.masking ? (
              <Tooltip title={pick(c.masking.words)}>
                <span data-testid={`masked-${c.code}`}>
                  {c.name}{' '}
                  <Tag color="blue">
                    {(MaskingRule as readonly string[]).includes(c.masking.rule)
                      ? t(`masking.rule.${c.masking.rule as MaskingRule}`)
                      : t('masking.rule.unknown')}
                  </Tag>
                </span>
              </Tooltip>
            ) : (
              c.name
            ),
            dataIndex: c.code,
            key: c.code,
            // the server refuses to sort or filter on a masked item (it would reveal what the mask hides)
            sorter: !(c.masked && !d?.raw),
            sortOrder: sort.field === c.code ? (sort.order === 'desc' ? 'descend' : 'ascend') : null,
            render: (v: unknown) =>
              c.masking?.rule === 'suppress' ? (
                <Typography.Text type="secondary">{t('masking.suppressedValue')}</Typography.Text>
              ) : v === null || v === undefined ? (
                <Typography.Text type="secondary">—</Typography.Text>
              ) : typeof v === 'boolean' ? (
                t(v ? 'common.yes' : 'common.no')
              ) : (
                String(v)
              ),
          }))}
        />
      </Space>
    </Card>
  );
}

export function DataTab({ resourceId }: { resourceId: string }) {
  const { t, pick } = useI18n();
  const info = useLoad(() => get<DataInfo>(`/api/ingest/resources/${resourceId}`), [resourceId]);
  const batches = useLoad(
    () => get<{ total: number; batches: Batch[] }>(`/api/ingest/resources/${resourceId}/batches?limit=20`),
    [resourceId, info.data?.lastLoadAt],
  );
  const [report, setReport] = useState<Batch | null>(null);
  const problem = useProblem();
  const i = info.data;
  if (!i) return info.error ? <ErrorState error={info.error} reload={info.reload} compact /> : <PageLoading />;
  if (!i.tabular) return <Alert type="info" message={t('ingest.noTable')} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Descriptions size="small" column={4} bordered>
        <Descriptions.Item label={t('ingest.table')}>
          <Typography.Text code>{i.table ?? '—'}</Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t('ingest.rows')}>
          <span data-testid="row-count">{i.rowCount ?? 0}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('ingest.lastLoad')}>{fmtTime(i.lastLoadAt)}</Descriptions.Item>
        <Descriptions.Item label={t('ingest.freshness')}>
          <FreshnessTag f={i.freshness} />
          {i.dueDate ? ` ${t('ingest.dueDate')} ${i.dueDate}` : ''}
        </Descriptions.Item>
      </Descriptions>
      {i.mayLoad && (
        <UploadCard
          info={i}
          onDone={(b) => {
            setReport(b);
            info.reload();
            batches.reload();
          }}
        />
      )}
      {i.mayManagePulls && (
        <PullSources
          resourceId={i.id}
          hasKey={i.keyColumns.length > 0}
          onRan={(b) => {
            if (b) setReport(b);
            info.reload();
            batches.reload();
          }}
        />
      )}
      <Card size="small" title={t('ingest.batches')}>
        <Table<Batch>
          size="small"
          rowKey="id"
          {...tableState(batches, t('ingest.batchesNone'), (d) => d.batches)}
          pagination={false}
          data-testid="batch-history"
          columns={[
            { title: t('ingest.started'), dataIndex: 'startedAt', render: fmtTime },
            { title: t('ingest.source'), dataIndex: 'source', render: (s) => t(`ingest.source.${s}` as never) },
            { title: t('ingest.mode'), dataIndex: 'mode', render: (m) => t(`ingest.mode.${m}` as never) },
            { title: t('users.status'), render: (_, b) => <BatchStatus b={b} /> },
            { title: t('ingest.received'), dataIndex: 'received' },
            { title: t('ingest.accepted'), dataIndex: 'accepted' },
            {
              title: t('ingest.rejected'),
              dataIndex: 'rejected',
              render: (n: number, b) => (n ? <a href={`/api/ingest/batches/${b.id}/rejected.csv`}>{n}</a> : n),
            },
            { title: t('ingest.operator'), dataIndex: 'actorName' },
            {
              title: '',
              render: (_, b) => (
                <Space>
                  {b.error && <Typography.Text type="danger">{pick(b.error)}</Typography.Text>}
                  <Button
                    size="small"
                    onClick={() => void get<Batch>(`/api/ingest/batches/${b.id}`).then(setReport, problem)}
                  >
                    {t('ingest.report')}
                  </Button>
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <Browser info={i} />
      <BatchReport batch={report} onClose={() => setReport(null)} />
    </Space>
  );
}
