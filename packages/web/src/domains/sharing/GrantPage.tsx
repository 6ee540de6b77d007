// One grant: what the consumer may reach (items, masking, row filter, limits, validity), its state and today's use;
// the owner and the Center change, suspend or revoke it and preview what the consumer sees; the consumer's data
// admin binds the systems' API credentials that may call it; the consumer's staff read the data as the grant serves it
// and report problem rows from there (§19).
import { useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Modal,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { Link, useParams } from 'react-router-dom';
import { ApiError, get, patch, post, put, qs } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';
import { fmtTime, useLoad, useProblem } from '../../ui.tsx';
import { Loaded } from '../../states.tsx';
import type { Credential } from '../../types.ts';
import type { Reply } from '../../api.types.ts';
import { GrantStateTag, MethodTags, type Grant } from './parts.tsx';
import { ReportModal } from '../quality/parts.tsx';

type Preview = Reply<'/api/sharing/grants/{id}/preview'>;
type Profile = Reply<'/api/masking/resources/{id}/profiles'>[number];

export function GrantPage() {
  const { id } = useParams();
  const load = useLoad(() => get<Grant>(`/api/sharing/grants/${id}`), [id]);
  return <Loaded load={load}>{(g) => <GrantView g={g} reload={load.reload} />}</Loaded>;
}

function GrantView({ g, reload }: { g: Grant; reload(): void }) {
  const { t, pick } = useI18n();
  const problem = useProblem();
  const [preview, setPreview] = useState<Preview | null>(null);
  const [acting, setActing] = useState<'suspend' | 'resume' | 'revoke' | 'edit' | 'bind' | null>(null);
  const runPreview = async () => {
    try {
      setPreview(await get<Preview>(`/api/sharing/grants/${g.id}/preview`));
    } catch (e) {
      problem(e);
    }
  };
  const live = g.state === 'active' || g.state === 'suspended' || g.state === 'not_yet';
  const base = `/api/share/grants/${g.id}`;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Card
        title={
          <Space wrap>
            <span>{g.resource.name}</span>
            <GrantStateTag state={g.state} />
          </Space>
        }
        extra={
          <Space wrap>
            {g.may.manage && g.state === 'active' && (
              <Button onClick={() => setActing('suspend')} data-testid="grant-suspend">
                {t('grant.suspend')}
              </Button>
            )}
            {g.may.manage && g.state === 'suspended' && (
              <Button onClick={() => setActing('resume')} data-testid="grant-resume">
                {t('grant.resume')}
              </Button>
            )}
            {g.may.manage && live && (
              <Button onClick={() => setActing('edit')} data-testid="grant-edit">
                {t('grant.edit')}
              </Button>
            )}
            {g.may.manage && live && (
              <Button danger onClick={() => setActing('revoke')} data-testid="grant-revoke">
                {t('grant.revoke')}
              </Button>
            )}
            {g.may.bind && live && (
              <Button type="primary" onClick={() => setActing('bind')} data-testid="grant-bind">
                {t('grant.bind')}
              </Button>
            )}
          </Space>
        }
      >
        {g.stateReason && <Alert type="warning" showIcon style={{ marginBottom: 12 }} message={g.stateReason} />}
        <Descriptions column={{ xs: 1, md: 2 }} size="small" bordered>
          <Descriptions.Item label={t('sharing.resource')}>
            <Link to={`/catalog/${g.resource.id}?from=sharing`}>
              {g.resource.code} {g.resource.name}
            </Link>
          </Descriptions.Item>
          <Descriptions.Item label={t('sharing.tab.applications')}>
            <Link to={`/sharing/applications/${g.applicationId}`}>{t('sharing.openCase')}</Link>
          </Descriptions.Item>
          <Descriptions.Item label={t('sharing.consumer')}>{g.consumer.name}</Descriptions.Item>
          <Descriptions.Item label={t('sharing.owner')}>{g.owner.name}</Descriptions.Item>
          <Descriptions.Item label={t('sharing.methods')}>
            <MethodTags methods={g.methods} />
          </Descriptions.Item>
          <Descriptions.Item label={t('grant.validity')}>
            {g.validFrom} ~ {g.validUntil}
          </Descriptions.Item>
          <Descriptions.Item label={t('grant.rate')}>
            {g.ratePerMinute} {t('policy.unit.per_minute')}
          </Descriptions.Item>
          <Descriptions.Item label={t('grant.dailyRows')}>
            {g.dailyRows.toLocaleString()} {t('policy.unit.rows')}
          </Descriptions.Item>
          <Descriptions.Item label={t('sharing.rowFilter')} span={2}>
            {g.rowFilter ? <Typography.Text code>{g.rowFilter}</Typography.Text> : '—'}
          </Descriptions.Item>
          <Descriptions.Item label={t('grant.today')} span={2}>
            <Space size={4} wrap data-testid="grant-today">
              <Tag>{t('grant.todayCalls', { n: g.today.calls })}</Tag>
              <Tag>{t('grant.todayRows', { n: g.today.rows })}</Tag>
              <Tag color={g.today.refused ? 'red' : undefined}>{t('grant.todayRefused', { n: g.today.refused })}</Tag>
            </Space>
          </Descriptions.Item>
        </Descriptions>
      </Card>
      <Card title={t('grant.items')}>
        <Table
          rowKey="code"
          size="small"
          pagination={false}
          dataSource={g.items}
          columns={[
            { title: t('catalog.itemName'), dataIndex: 'name' },
            { title: t('catalog.itemCode'), dataIndex: 'code' },
            {
              title: t('grant.masking'),
              render: (_, i) =>
                !i.served ? (
                  <Tag color="default">{t('grant.dropped')}</Tag>
                ) : i.masking ? (
                  <Tag color="blue">{pick(i.masking)}</Tag>
                ) : (
                  t('grant.noMasking')
                ),
            },
          ]}
        />
      </Card>
      <Card title={t('grant.credentials')}>
        {g.credentials.length ? (
          <Space wrap>
            {g.credentials.map((c) => (
              <Tag key={c.id}>
                {c.systemName} {c.keyId && <Typography.Text code>{c.keyId}</Typography.Text>}
              </Tag>
            ))}
          </Space>
        ) : (
          <Alert type="info" showIcon message={t('grant.noCredentials')} />
        )}
        <Typography.Title level={5} style={{ marginTop: 16 }}>
          {t('grant.api')}
        </Typography.Title>
        <Typography.Paragraph type="secondary">
          {t('grant.apiHelp')}{' '}
          <a href={`${base}/openapi.json`} download={`grant-${g.id}-openapi.json`} data-testid="grant-openapi">
            {t('grant.openapi')}
          </a>
        </Typography.Paragraph>
        <Typography.Paragraph>
          <Typography.Text code copyable>{`GET ${base}/rows?where=…&fields=…&limit=100`}</Typography.Text>
          <br />
          <Typography.Text code copyable>{`GET ${base}/lookup?<key>=…`}</Typography.Text>
          <br />
          <Typography.Text code copyable>{`POST ${base}/verify`}</Typography.Text>
        </Typography.Paragraph>
      </Card>
      {g.may.browse && g.state === 'active' && <DataCard g={g} />}
      {g.methods.includes('file') && <ExportsCard g={g} />}
      {g.methods.includes('db_sync') && <DbSyncCard g={g} />}
      {g.may.manage && (
        <Card
          title={t('grant.preview')}
          extra={
            <Button onClick={() => void runPreview()} data-testid="grant-preview">
              {t('grant.previewRun')}
            </Button>
          }
        >
          {preview && (
            <Table
              size="small"
              rowKey={(_, i) => String(i)}
              scroll={{ x: true }}
              pagination={false}
              dataSource={preview.rows}
              columns={preview.columns.map((c) => ({
                key: c.code,
                title: (
                  <Space direction="vertical" size={0}>
                    <span>{c.name}</span>
                    <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 'normal' }}>
                      {pick(c.masking)}
                    </Typography.Text>
                  </Space>
                ),
                render: (_: unknown, row: Record<string, unknown>) =>
                  row[c.code] === null || row[c.code] === undefined ? '' : String(row[c.code]),
              }))}
              data-testid="grant-preview-table"
            />
          )}
        </Card>
      )}
      {acting && (
        <ActModal
          g={g}
          act={acting}
          onClose={(moved) => {
            setActing(null);
            if (moved) reload();
          }}
        />
      )}
    </Space>
  );
}

type Exports = Reply<'/api/sharing/grants/{id}/exports'>['exports'];
type ExportChoice = 'csv' | 'csv-gb18030' | 'xlsx';

/** The consumer's staff export a file of the grant (masked, fingerprinted); every party sees who exported what. */
type Rows = Reply<'/api/sharing/grants/{id}/rows'>;

/** The grant's data as the consumer receives it, a page at a time; chosen rows can be reported as problem data. */
function DataCard({ g }: { g: Grant }) {
  const { t } = useI18n();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors.at(-1) ?? null;
  const rows = useLoad(
    () => get<Rows>(`/api/sharing/grants/${g.id}/rows${qs({ limit: 20, cursor: cursor ?? undefined })}`),
    [g.id, cursor],
  );
  const [chosen, setChosen] = useState<number[]>([]);
  const [reporting, setReporting] = useState(false);
  const d = rows.data;
  return (
    <Card
      title={t('grant.data')}
      extra={
        <Space>
          <Button disabled={cursors.length < 2} onClick={() => (setCursors(cursors.slice(0, -1)), setChosen([]))}>
            {t('grant.dataPrev')}
          </Button>
          <Button disabled={!d?.next} onClick={() => (setCursors([...cursors, d!.next]), setChosen([]))}>
            {t('grant.dataNext')}
          </Button>
          <Button
            type="primary"
            danger
            disabled={!chosen.length || !d?.refs.length}
            onClick={() => setReporting(true)}
            data-testid="grant-report"
          >
            {t('quality.reportRows', { n: chosen.length })}
          </Button>
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">{t('grant.dataHelp')}</Typography.Paragraph>
      <Table<Rows['rows'][number]>
        size="small"
        rowKey={(_, i) => String(i)}
        scroll={{ x: true }}
        pagination={false}
        loading={rows.loading}
        dataSource={d?.rows ?? []}
        rowSelection={
          d?.refs.length
            ? {
                selectedRowKeys: chosen.map(String),
                onChange: (keys) => setChosen(keys.map(Number)),
              }
            : undefined
        }
        columns={(d?.items ?? []).map((c) => ({
          key: c.code,
          title: c.masked ? `${c.name}（${t('grant.maskedShort')}）` : c.name,
          render: (_: unknown, row: Rows['rows'][number]) =>
            row[c.code] === null || row[c.code] === undefined ? '' : String(row[c.code]),
        }))}
        data-testid="grant-data-table"
      />
      {reporting && d && (
        <ReportModal
          resource={{
            id: g.resource.id,
            name: g.resource.name,
            items: g.items.filter((i) => i.served).map((i) => ({ code: i.code, name: i.name })),
          }}
          grant={{ id: g.id, refs: chosen.map((i) => d.refs[i]!).filter(Boolean) }}
          onClose={() => setReporting(false)}
        />
      )}
    </Card>
  );
}

function ExportsCard({ g }: { g: Grant }) {
  const { t } = useI18n();
  const problem = useProblem();
  const list = useLoad(() => get<{ exports: Exports }>(`/api/sharing/grants/${g.id}/exports`), [g.id]);
  const [choice, setChoice] = useState<ExportChoice>('csv');
  const [where, setWhere] = useState('');
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      const q = qs({
        format: choice === 'xlsx' ? 'xlsx' : 'csv',
        encoding: choice === 'csv-gb18030' ? 'gb18030' : undefined,
        where: where.trim() || undefined,
      });
      const res = await fetch(`/api/share/grants/${g.id}/export${q}`, { credentials: 'same-origin' });
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as {
          status?: number;
          code?: string;
          message?: { zh: string; en: string };
          errors?: { field: string; message: { zh: string; en: string } }[];
        } | null;
        throw new ApiError(
          res.status,
          body?.code ?? 'http',
          body?.message ?? { zh: `导出失败（${res.status}）`, en: `Export failed (${res.status})` },
          body?.errors ?? [],
        );
      }
      const name = /filename\*=UTF-8''([^;]+)/.exec(res.headers.get('content-disposition') ?? '')?.[1];
      const a = document.createElement('a');
      a.href = URL.createObjectURL(await res.blob());
      a.download = name ? decodeURIComponent(name) : `export.${choice === 'xlsx' ? 'xlsx' : 'csv'}`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      list.reload();
    } catch (e) {
      problem(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={t('export.title')}>
      {g.may.export && g.state === 'active' && (
        <Space direction="vertical" style={{ width: '100%', marginBottom: 16 }}>
          <Typography.Text type="secondary">{t('export.help')}</Typography.Text>
          <Space wrap>
            <Select<ExportChoice>
              value={choice}
              onChange={setChoice}
              style={{ width: 240 }}
              options={(['csv', 'csv-gb18030', 'xlsx'] as const).map((c) => ({
                value: c,
                label: t(`export.choice.${c}`),
              }))}
              data-testid="export-format"
            />
            <Input
              value={where}
              onChange={(e) => setWhere(e.target.value)}
              placeholder={t('export.where')}
              style={{ width: 360 }}
              maxLength={4000}
              data-testid="export-where"
            />
            <Button type="primary" loading={busy} onClick={() => void run()} data-testid="export-run">
              {t('export.run')}
            </Button>
          </Space>
        </Space>
      )}
      <Table
        size="small"
        rowKey="id"
        loading={list.loading}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        dataSource={list.data?.exports ?? []}
        locale={{ emptyText: t('export.none') }}
        columns={[
          { title: t('export.at'), dataIndex: 'startedAt', render: fmtTime },
          { title: t('export.by'), dataIndex: 'by' },
          {
            title: t('export.file'),
            render: (_, e) =>
              `${t(`export.format.${e.format}` as 'export.format.csv')}${e.format === 'csv' ? ` · ${t(`export.encoding.${e.encoding}` as 'export.encoding.utf-8')}` : ''}`,
          },
          { title: t('export.rows'), dataIndex: 'rows', render: (n: number) => n.toLocaleString() },
          {
            title: t('export.status'),
            dataIndex: 'status',
            render: (st: string) => (
              <Tag color={st === 'done' ? 'green' : st === 'failed' ? 'red' : 'blue'}>
                {t(`export.status.${st}` as 'export.status.done')}
              </Tag>
            ),
          },
          { title: t('export.whereCol'), dataIndex: 'where', render: (w: string | null) => w ?? '—' },
        ]}
        data-testid="export-list"
      />
    </Card>
  );
}

type DbSync = Reply<'/api/sharing/grants/{id}/db-sync'>;

/** Database sync: the consumer's admin names a table in its own database; the platform writes the grant there. */
function DbSyncCard({ g }: { g: Grant }) {
  const { t, pick } = useI18n();
  const problem = useProblem();
  const load = useLoad(() => get<DbSync>(`/api/sharing/grants/${g.id}/db-sync`), [g.id]);
  const [editing, setEditing] = useState(false);
  const [running, setRunning] = useState(false);
  const [form] = Form.useForm();
  const v = load.data;
  const target = v?.target;
  const runNow = async () => {
    setRunning(true);
    try {
      await post(`/api/sharing/grants/${g.id}/db-sync/run`);
      load.reload();
    } catch (e) {
      problem(e);
    } finally {
      setRunning(false);
    }
  };
  const save = async () => {
    const f = (await form.validateFields().catch(() => null)) as Record<string, unknown> | null;
    if (!f) return;
    try {
      const { password, ...rest } = f;
      await put(`/api/sharing/grants/${g.id}/db-sync`, {
        ...rest,
        ...(password ? { password } : target ? {} : { password: null }),
      });
      setEditing(false);
      load.reload();
    } catch (e) {
      problem(e, form);
    }
  };
  return (
    <Card
      title={t('dbsync.title')}
      extra={
        v?.may.configure && (
          <Space>
            <Button onClick={() => setEditing(true)} data-testid="dbsync-edit">
              {target ? t('dbsync.change') : t('dbsync.setUp')}
            </Button>
            {target && (
              <Button type="primary" loading={running} onClick={() => void runNow()} data-testid="dbsync-run">
                {t('dbsync.runNow')}
              </Button>
            )}
          </Space>
        )
      }
      data-testid="dbsync-card"
    >
      {target ? (
        <Descriptions column={{ xs: 1, md: 2 }} size="small" bordered style={{ marginBottom: 16 }}>
          <Descriptions.Item label={t('dbsync.kind')}>
            {t(`dbsync.kind.${target.kind}` as 'dbsync.kind.postgres')}
          </Descriptions.Item>
          <Descriptions.Item label={t('dbsync.where')}>
            {target.host}:{target.port} / {target.database} / <Typography.Text code>{target.table}</Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t('dbsync.interval')}>
            {t('dbsync.everyMinutes', { n: target.intervalMinutes })}
            {!target.active && <Tag style={{ marginLeft: 8 }}>{t('dbsync.paused')}</Tag>}
          </Descriptions.Item>
          <Descriptions.Item label={t('dbsync.nextRun')}>{fmtTime(target.nextRunAt)}</Descriptions.Item>
        </Descriptions>
      ) : (
        <Alert type="info" showIcon message={t('dbsync.none')} style={{ marginBottom: 16 }} />
      )}
      <Table
        size="small"
        rowKey="id"
        loading={load.loading}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        dataSource={v?.runs ?? []}
        locale={{ emptyText: t('dbsync.noRuns') }}
        columns={[
          { title: t('dbsync.startedAt'), dataIndex: 'startedAt', render: fmtTime },
          {
            title: t('dbsync.trigger'),
            dataIndex: 'trigger',
            render: (x: string) => t(`dbsync.trigger.${x}` as 'dbsync.trigger.manual'),
          },
          {
            title: t('dbsync.status'),
            dataIndex: 'status',
            render: (x: string) => (
              <Tag color={x === 'succeeded' ? 'green' : x === 'failed' ? 'red' : 'blue'}>
                {t(`dbsync.status.${x}` as 'dbsync.status.succeeded')}
              </Tag>
            ),
          },
          { title: t('dbsync.upserts'), dataIndex: 'upserts' },
          { title: t('dbsync.deletes'), dataIndex: 'deletes' },
          {
            title: t('dbsync.error'),
            dataIndex: 'error',
            render: (e: { zh: string; en: string } | null) => (e ? pick(e) : '—'),
          },
        ]}
        data-testid="dbsync-runs"
      />
      {editing && (
        <Modal
          open
          title={`${t('dbsync.title')} · ${g.resource.name}`}
          onCancel={() => setEditing(false)}
          onOk={() => void save()}
          okButtonProps={{ 'data-testid': 'dbsync-ok' } as never}
        >
          <Typography.Paragraph type="secondary">{t('dbsync.help')}</Typography.Paragraph>
          <Form
            form={form}
            layout="vertical"
            initialValues={{
              kind: target?.kind ?? 'postgres',
              host: target?.host,
              port: target?.port,
              database: target?.database,
              user: target?.user,
              table: target?.table,
              intervalMinutes: target?.intervalMinutes ?? 60,
            }}
          >
            <Form.Item name="kind" label={t('dbsync.kind')} rules={[{ required: true }]}>
              <Select
                options={(['postgres', 'mysql'] as const).map((k) => ({ value: k, label: t(`dbsync.kind.${k}`) }))}
              />
            </Form.Item>
            <Space wrap>
              <Form.Item name="host" label={t('dbsync.host')} rules={[{ required: true, max: 255 }]}>
                <Input style={{ width: 240 }} data-testid="dbsync-host" />
              </Form.Item>
              <Form.Item name="port" label={t('dbsync.port')}>
                <InputNumber min={1} max={65535} />
              </Form.Item>
            </Space>
            <Form.Item name="database" label={t('dbsync.database')} rules={[{ required: true, max: 100 }]}>
              <Input data-testid="dbsync-database" />
            </Form.Item>
            <Space wrap>
              <Form.Item name="user" label={t('dbsync.user')} rules={[{ required: true, max: 100 }]}>
                <Input data-testid="dbsync-user" />
              </Form.Item>
              <Form.Item
                name="password"
                label={t('dbsync.password')}
                extra={target?.hasPassword ? t('dbsync.passwordKept') : undefined}
                rules={[{ max: 200 }]}
              >
                <Input.Password autoComplete="new-password" />
              </Form.Item>
            </Space>
            <Form.Item
              name="table"
              label={t('dbsync.table')}
              extra={t('dbsync.tableHelp')}
              rules={[{ required: true, pattern: /^[A-Za-z_][A-Za-z0-9_]{0,62}$/, message: t('dbsync.tableRule') }]}
            >
              <Input data-testid="dbsync-table" />
            </Form.Item>
            <Form.Item name="intervalMinutes" label={t('dbsync.intervalMinutes')} rules={[{ required: true }]}>
              <InputNumber min={5} max={10080} />
            </Form.Item>
          </Form>
        </Modal>
      )}
    </Card>
  );
}

function ActModal({
  g,
  act,
  onClose,
}: {
  g: Grant;
  act: 'suspend' | 'resume' | 'revoke' | 'edit' | 'bind';
  onClose(moved: boolean): void;
}) {
  const { t } = useI18n();
  const { me } = useSession();
  const problem = useProblem();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const profiles = useLoad(
    () =>
      act === 'edit'
        ? get<Profile[]>(`/api/masking/resources/${g.resource.id}/profiles`)
        : Promise.resolve([] as Profile[]),
    [act],
  );
  const creds = useLoad(
    () =>
      act === 'bind'
        ? get<Credential[]>(`/api/credentials${qs({ orgId: me?.org.id })}`)
        : Promise.resolve([] as Credential[]),
    [act],
  );
  const ok = async () => {
    const v = (await form.validateFields().catch(() => null)) as Record<string, unknown> | null;
    if (!v) return; // the form shows what is missing on its fields
    setBusy(true);
    try {
      if (act === 'edit')
        await patch(`/api/sharing/grants/${g.id}`, { ...v, rowFilter: (v.rowFilter as string)?.trim() || null });
      else if (act === 'bind') await put(`/api/sharing/grants/${g.id}/credentials`, v);
      else await post(`/api/sharing/grants/${g.id}/state`, { action: act, reason: v.reason });
      onClose(true);
    } catch (e) {
      problem(e, form);
    } finally {
      setBusy(false);
    }
  };
  const title = act === 'edit' ? t('grant.edit') : act === 'bind' ? t('grant.bind') : t(`grant.${act}`);
  return (
    <Modal
      open
      title={`${title} · ${g.resource.name}`}
      onCancel={() => onClose(false)}
      onOk={() => void ok()}
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'grant-ok' } as never}
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{
          rowFilter: g.rowFilter ?? '',
          maskingProfileId: g.maskingProfileId,
          ratePerMinute: g.ratePerMinute,
          dailyRows: g.dailyRows,
          credentialIds: g.credentials.map((c) => c.id),
        }}
      >
        {(act === 'suspend' || act === 'revoke' || act === 'resume') && (
          <Form.Item
            name="reason"
            label={t('grant.reason')}
            rules={[{ required: act !== 'resume', message: t('grant.reasonRequired') }, { max: 2000 }]}
          >
            <Input.TextArea rows={3} data-testid="grant-reason" />
          </Form.Item>
        )}
        {act === 'edit' && (
          <>
            <Form.Item name="rowFilter" label={t('sharing.rowFilter')} extra={t('sharing.rowFilterHelp')}>
              <Input.TextArea rows={2} data-testid="grant-filter" />
            </Form.Item>
            <Form.Item name="maskingProfileId" label={t('sharing.maskingProfile')}>
              <Select
                loading={profiles.loading}
                options={(profiles.data ?? []).map((p) => ({
                  value: p.id,
                  label: p.id === 'default' ? t('masking.defaultProfile') : p.name,
                }))}
              />
            </Form.Item>
            <Form.Item name="ratePerMinute" label={`${t('grant.rate')}（${t('policy.unit.per_minute')}）`}>
              <InputNumber min={1} max={100000} />
            </Form.Item>
            <Form.Item name="dailyRows" label={`${t('grant.dailyRows')}（${t('policy.unit.rows')}）`}>
              <InputNumber min={1} max={1000000000} style={{ width: 200 }} />
            </Form.Item>
          </>
        )}
        {act === 'bind' && (
          <Form.Item name="credentialIds" label={t('grant.credentials')}>
            <Select
              mode="multiple"
              loading={creds.loading}
              options={(creds.data ?? [])
                .filter((c) => c.status === 'active')
                .map((c) => ({ value: c.id, label: `${c.systemName} · ${c.keyId}` }))}
              data-testid="grant-creds"
            />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
