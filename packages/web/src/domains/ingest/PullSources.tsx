// A resource's scheduled pulls: a source database query (PostgreSQL, MySQL) or a paged HTTP JSON API.
// The unit's data admin adds, pauses and runs them; the last run and any error show here.
import { useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Form,
  Input,
  InputNumber,
  Modal,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import { get, patch, post } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { fmtTime, useLoad, useProblem } from '../../ui.tsx';
import { tableState } from '../../states.tsx';
import type { Batch, Msg } from './types.ts';
import type { Reply } from '../../api.types.ts';

type PullSource = Reply<'/api/ingest/pull-sources/{id}', 'patch'>;

const DB_FIELDS = ['host', 'port', 'database', 'user', 'query', 'incrementalColumn'] as const;
const HTTP_FIELDS = [
  'url',
  'itemsPath',
  'pageParam',
  'pageSizeParam',
  'pageSize',
  'sinceParam',
  'incrementalColumn',
  'authHeader',
] as const;

export function PullSources({
  resourceId,
  hasKey,
  onRan,
}: {
  resourceId: string;
  hasKey: boolean;
  onRan(b: Batch | null): void;
}) {
  const { t, pick } = useI18n();
  const problem = useProblem();
  const list = useLoad(() => get<PullSource[]>(`/api/ingest/resources/${resourceId}/pull-sources`), [resourceId]);
  const [adding, setAdding] = useState(false);
  const [kind, setKind] = useState<'postgres' | 'mysql' | 'http'>('postgres');
  const [form] = Form.useForm();
  const fields = kind === 'http' ? HTTP_FIELDS : DB_FIELDS;

  async function save() {
    const v = await form.validateFields();
    const settings: Record<string, string | number> = {};
    for (const f of fields) {
      const x = v[f];
      if (x === undefined || x === null || x === '') continue;
      settings[f] = f === 'port' || f === 'pageSize' ? Number(x) : String(x);
    }
    try {
      await post(`/api/ingest/resources/${resourceId}/pull-sources`, {
        name: v.name,
        kind,
        settings,
        ...(v.secret ? { secret: v.secret } : {}),
        mode: v.mode,
        ...(v.intervalMinutes ? { intervalMinutes: v.intervalMinutes } : {}),
      });
      setAdding(false);
      form.resetFields();
      list.reload();
    } catch (e) {
      problem(e, form);
    }
  }

  async function run(id: string) {
    try {
      const r = await post<{ batch: Batch | null; error: Msg | null }>(`/api/ingest/pull-sources/${id}/run`);
      onRan(r.batch);
      list.reload();
    } catch (e) {
      problem(e);
    }
  }

  return (
    <Card
      size="small"
      title={t('pull.title')}
      extra={
        <Button size="small" onClick={() => setAdding(true)} data-testid="pull-add">
          {t('pull.add')}
        </Button>
      }
    >
      <Table<PullSource>
        size="small"
        rowKey="id"
        {...tableState(list, t('pull.none'))}
        pagination={false}
        data-testid="pull-sources"
        columns={[
          { title: t('pull.name'), dataIndex: 'name' },
          {
            title: t('pull.kind'),
            dataIndex: 'kind',
            render: (k: 'postgres' | 'mysql' | 'http') => <Tag>{t(`pull.kind.${k}`)}</Tag>,
          },
          {
            title: t('pull.interval'),
            dataIndex: 'intervalMinutes',
            render: (m: number | null) => (m ? t('pull.everyMinutes', { n: m }) : t('pull.manual')),
          },
          {
            title: t('pull.lastRun'),
            render: (_, s) => (
              <Space direction="vertical" size={0}>
                {fmtTime(s.lastRunAt)}
                {s.lastStatus && (
                  <Tag color={s.lastStatus === 'succeeded' ? 'green' : 'red'}>
                    {t(s.lastStatus === 'succeeded' ? 'common.done' : 'pull.status.failed')}
                  </Tag>
                )}
                {s.lastError && <Typography.Text type="danger">{pick(s.lastError)}</Typography.Text>}
              </Space>
            ),
          },
          {
            title: t('pull.nextRun'),
            render: (_, s) =>
              (s.active ? fmtTime(s.nextRunAt) : t('pull.paused')) +
              (s.failures ? ` · ${t('pull.failures', { n: s.failures })}` : ''),
          },
          { title: t('pull.cursor'), dataIndex: 'cursor', render: (c) => c ?? '—' },
          {
            title: '',
            render: (_, s) => (
              <Space>
                <Button size="small" onClick={() => void run(s.id)} data-testid="pull-run">
                  {t('pull.runNow')}
                </Button>
                <Switch
                  size="small"
                  checked={s.active}
                  checkedChildren={t('pull.on')}
                  unCheckedChildren={t('pull.off')}
                  onChange={(active) =>
                    void patch(`/api/ingest/pull-sources/${s.id}`, { active }).then(list.reload, problem)
                  }
                />
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={adding}
        title={t('pull.add')}
        onCancel={() => setAdding(false)}
        onOk={() => void save()}
        width={640}
        destroyOnHidden
      >
        <Alert type="info" showIcon style={{ marginBottom: 12 }} message={t('pull.hint')} />
        <Form form={form} layout="vertical" initialValues={{ mode: hasKey ? 'upsert' : 'append', port: 5432 }}>
          <Form.Item label={t('pull.kind')}>
            <Select
              value={kind}
              data-testid="pull-kind"
              onChange={(k) => {
                setKind(k);
                form.setFieldValue('port', k === 'mysql' ? 3306 : 5432);
              }}
              options={[
                { value: 'postgres', label: 'PostgreSQL' },
                { value: 'mysql', label: 'MySQL' },
                { value: 'http', label: 'HTTP JSON API' },
              ]}
            />
          </Form.Item>
          <Form.Item name="name" label={t('pull.name')} rules={[{ required: true }]}>
            <Input maxLength={100} />
          </Form.Item>
          {fields.map((f) => (
            <Form.Item
              key={f}
              name={f}
              label={t(`pull.f.${f}` as never)}
              rules={['host', 'database', 'user', 'query', 'url'].includes(f) ? [{ required: true }] : []}
            >
              {f === 'query' ? (
                <Input.TextArea rows={3} placeholder="SELECT sfzh AS id_no, xm AS name, … FROM …" />
              ) : f === 'port' || f === 'pageSize' ? (
                <InputNumber min={1} />
              ) : (
                <Input />
              )}
            </Form.Item>
          ))}
          <Form.Item
            name="secret"
            label={t(kind === 'http' ? 'pull.f.token' : 'pull.f.password')}
            extra={t('pull.secretHint')}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Space>
            <Form.Item name="mode" label={t('ingest.mode')}>
              <Select
                style={{ width: 220 }}
                options={(['upsert', 'append', 'replace'] as const)
                  .filter((m) => m !== 'upsert' || hasKey)
                  .map((m) => ({ value: m, label: t(`ingest.mode.${m}` as never) }))}
              />
            </Form.Item>
            <Form.Item name="intervalMinutes" label={t('pull.interval')} extra={t('pull.intervalHint')}>
              <InputNumber min={5} max={525600} />
            </Form.Item>
          </Space>
        </Form>
      </Modal>
    </Card>
  );
}
