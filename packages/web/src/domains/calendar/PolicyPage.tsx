// Policy parameters: the values in force, who changed them and when; a change makes a new version.
import { useState } from 'react';
import { Button, Card, Form, Input, InputNumber, Modal, Space, Table, Tag, Typography } from 'antd';
import { get, post } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';
import { can } from '../../abilities.ts';
import { fmtTime, useLoad, useProblem } from '../../ui.tsx';
import { tableState } from '../../states.tsx';
import type { PolicyDef, PolicySnapshot } from '../../types.ts';
import type { Key } from '../../messages.ts';

export function PolicyPage() {
  const { t, lang } = useI18n();
  const { me } = useSession();
  const problem = useProblem();
  const cur = useLoad(() => get<{ current: PolicySnapshot; definitions: PolicyDef[] }>('/api/policy'), []);
  const versions = useLoad(() => get<PolicySnapshot[]>('/api/policy/versions'), []);
  const [editing, setEditing] = useState(false);
  const [form] = Form.useForm();
  const defs = cur.data?.definitions ?? [];
  const params = cur.data?.current.params ?? {};

  async function save() {
    const v = (await form.validateFields()) as Record<string, unknown> & { note: string };
    const changed = Object.fromEntries(defs.filter((d) => v[d.key] !== params[d.key]).map((d) => [d.key, v[d.key]]));
    try {
      await post('/api/policy', { params: changed, note: v.note });
      setEditing(false);
      cur.reload();
      versions.reload();
    } catch (e) {
      problem(e, form);
    }
  }

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card
        title={
          <Space>
            {t('nav.policy')}
            {cur.data && <Tag color="blue">v{cur.data.current.version}</Tag>}
          </Space>
        }
        extra={
          me &&
          can(me, 'policy.edit') && (
            <Button
              type="primary"
              onClick={() => {
                form.setFieldsValue({ ...params, note: '' });
                setEditing(true);
              }}
            >
              {t('policy.edit')}
            </Button>
          )
        }
      >
        <Typography.Paragraph type="secondary">{t('policy.help')}</Typography.Paragraph>
        <Table<PolicyDef>
          rowKey="key"
          size="middle"
          pagination={false}
          {...tableState(cur, t('policy.none'), (d) => d.definitions)}
          columns={[
            { title: t('policy.param'), render: (_, d) => (lang === 'zh' ? d.zh : d.en) },
            {
              title: t('policy.value'),
              render: (_, d) => (
                <b>
                  {params[d.key]} {t(`policy.unit.${d.unit}` as Key)}
                </b>
              ),
            },
            { title: t('policy.default'), dataIndex: 'default' },
            { title: t('policy.clause'), dataIndex: 'clause' },
          ]}
        />
      </Card>
      <Card title={t('policy.history')}>
        <Table<PolicySnapshot>
          rowKey="version"
          size="small"
          {...tableState(versions, t('policy.versionsNone'))}
          columns={[
            { title: t('policy.version'), dataIndex: 'version', render: (v) => `v${v}` },
            { title: t('audit.time'), dataIndex: 'createdAt', render: fmtTime },
            { title: t('cal.note'), dataIndex: 'note' },
            {
              title: t('policy.values'),
              // each parameter by its name in words, with its unit (never the parameter's code)
              render: (_, p) =>
                Object.entries(p.params).map(([k, v]) => {
                  const d = defs.find((x) => x.key === k);
                  return (
                    <Tag key={k} title={k}>
                      {d ? `${lang === 'zh' ? d.zh : d.en}：${v} ${t(`policy.unit.${d.unit}` as Key)}` : `${k}：${v}`}
                    </Tag>
                  );
                }),
            },
          ]}
        />
      </Card>
      <Modal
        open={editing}
        title={t('policy.edit')}
        onOk={() => void save()}
        onCancel={() => setEditing(false)}
        width={640}
        destroyOnHidden
      >
        <Form form={form} layout="horizontal" labelCol={{ span: 14 }}>
          {defs.map((d) => (
            <Form.Item
              key={d.key}
              name={d.key}
              label={`${lang === 'zh' ? d.zh : d.en} (${d.clause})`}
              rules={[{ required: true, type: 'integer', min: d.min, max: d.max, message: `${d.min}–${d.max}` }]}
            >
              <InputNumber min={d.min} max={d.max} addonAfter={t(`policy.unit.${d.unit}` as Key)} />
            </Form.Item>
          ))}
          <Form.Item
            name="note"
            label={t('policy.reason')}
            rules={[{ required: true, message: t('form.required') }, { max: 500 }]}
            labelCol={{ span: 24 }}
          >
            <Input.TextArea placeholder={t('policy.reasonPlaceholder')} />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
