// Catalog set-up: the unit's information systems; for the Center, the code tables and the code format.
import { useState } from 'react';
import {
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
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { get, patch, post, put } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';
import { can } from '../../abilities.ts';
import { useLoad, useProblem } from '../../ui.tsx';
import { LoadAlert, tableState } from '../../states.tsx';
import type { CodeTable } from './codes.tsx';
import type { Reply } from '../../api.types.ts';

type System = Reply<'/api/catalog/systems'>[number];

function Systems() {
  const { t } = useI18n();
  const { me } = useSession();
  const problem = useProblem();
  const list = useLoad(() => get<System[]>('/api/catalog/systems'), []);
  const [editing, setEditing] = useState<System | 'new' | null>(null);
  const [form] = Form.useForm();
  const manage = can(me, 'catalog.compile');
  return (
    <>
      {manage && (
        <Button
          type="primary"
          style={{ marginBottom: 12 }}
          onClick={() => {
            form.resetFields();
            setEditing('new');
          }}
        >
          {t('systems.new')}
        </Button>
      )}
      <Table<System>
        rowKey="id"
        size="small"
        {...tableState(list, t('systems.none'))}
        columns={[
          { title: t('systems.name'), dataIndex: 'name' },
          { title: t('users.org'), dataIndex: 'orgName' },
          { title: t('cred.description'), dataIndex: 'description' },
          {
            title: t('users.status'),
            dataIndex: 'active',
            render: (a) => (a ? <Tag color="green">{t('common.active')}</Tag> : <Tag>{t('common.inactive')}</Tag>),
          },
          {
            title: '',
            render: (_, s) =>
              manage && (
                <Button
                  size="small"
                  onClick={() => {
                    form.setFieldsValue(s);
                    setEditing(s);
                  }}
                >
                  {t('common.edit')}
                </Button>
              ),
          },
        ]}
      />
      <Modal
        open={!!editing}
        title={editing === 'new' ? t('systems.new') : t('common.edit')}
        onCancel={() => setEditing(null)}
        onOk={async () => {
          const v = await form.validateFields();
          try {
            if (editing === 'new')
              await post('/api/catalog/systems', { name: v.name, description: v.description ?? null });
            else
              await patch(`/api/catalog/systems/${(editing as System).id}`, {
                name: v.name,
                description: v.description ?? null,
                active: v.active,
              });
            setEditing(null);
            list.reload();
          } catch (e) {
            problem(e, form);
          }
        }}
      >
        <Form form={form} layout="vertical">
          <Form.Item
            name="name"
            label={t('systems.name')}
            rules={[{ required: true, message: t('form.required') }, { max: 100 }]}
          >
            <Input />
          </Form.Item>
          <Form.Item name="description" label={t('cred.description')} rules={[{ max: 1000 }]}>
            <Input.TextArea rows={2} />
          </Form.Item>
          {editing !== 'new' && (
            <Form.Item name="active" label={t('common.active')} valuePropName="checked">
              <Switch />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </>
  );
}

function CodeTables() {
  const { t, lang } = useI18n();
  const problem = useProblem();
  const tables = useLoad(() => get<CodeTable[]>('/api/catalog/code-tables'), []);
  const fmt = useLoad(
    () => get<{ itemLength: number; subItemLength: number; sequenceLength: number }>('/api/catalog/settings'),
    [],
  );
  const [table, setTable] = useState('update_cycle');
  const [editing, setEditing] = useState<{ code: string; zh: string; en: string; active: boolean } | 'new' | null>(
    null,
  );
  const [form] = Form.useForm();
  const [fmtForm] = Form.useForm();
  const cur = tables.data?.find((x) => x.key === table);
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space>
        <Select
          value={table}
          onChange={setTable}
          style={{ width: 220 }}
          options={(tables.data ?? []).map((x) => ({ value: x.key, label: lang === 'zh' ? x.zh : x.en }))}
        />
        {cur?.extendable ? (
          <Button
            onClick={() => {
              form.resetFields();
              setEditing('new');
            }}
          >
            {t('codes.add')}
          </Button>
        ) : (
          <Typography.Text type="secondary">{t('codes.fixed')}</Typography.Text>
        )}
      </Space>
      <Table
        rowKey="code"
        size="small"
        pagination={false}
        {...tableState(tables, t('codes.none'), (d) => d.find((x) => x.key === table)?.codes ?? [])}
        columns={[
          { title: t('codes.code'), dataIndex: 'code' },
          { title: '中文', dataIndex: 'zh' },
          { title: 'English', dataIndex: 'en' },
          {
            title: t('users.status'),
            dataIndex: 'active',
            render: (a) => (a ? <Tag color="green">{t('common.active')}</Tag> : <Tag>{t('common.inactive')}</Tag>),
          },
          {
            title: '',
            render: (_, c) => (
              <Button
                size="small"
                onClick={() => {
                  form.setFieldsValue(c);
                  setEditing(c);
                }}
              >
                {t('common.edit')}
              </Button>
            ),
          },
        ]}
      />
      <Card size="small" title={t('codes.format')}>
        <LoadAlert load={fmt} />
        {fmt.data && (
          <Form
            form={fmtForm}
            layout="inline"
            initialValues={fmt.data}
            onFinish={async (v) => {
              try {
                await put('/api/catalog/settings', v);
                fmt.reload();
              } catch (e) {
                problem(e, fmtForm);
              }
            }}
          >
            <Form.Item name="itemLength" label={t('codes.itemLength')}>
              <InputNumber min={1} max={6} />
            </Form.Item>
            <Form.Item name="subItemLength" label={t('codes.subItemLength')}>
              <InputNumber min={1} max={6} />
            </Form.Item>
            <Form.Item name="sequenceLength" label={t('codes.sequenceLength')}>
              <InputNumber min={3} max={10} />
            </Form.Item>
            <Button htmlType="submit">{t('common.save')}</Button>
          </Form>
        )}
      </Card>
      <Modal
        open={!!editing}
        title={editing === 'new' ? t('codes.add') : t('common.edit')}
        onCancel={() => setEditing(null)}
        onOk={async () => {
          const v = await form.validateFields();
          try {
            await put(`/api/catalog/code-tables/${table}/${encodeURIComponent(v.code)}`, {
              zh: v.zh,
              en: v.en,
              active: v.active ?? true,
            });
            setEditing(null);
            tables.reload();
          } catch (e) {
            problem(e, form);
          }
        }}
      >
        <Form form={form} layout="vertical">
          <Form.Item
            name="code"
            label={t('codes.code')}
            rules={[
              { required: true, message: t('form.required') },
              { pattern: /^[A-Za-z0-9_]{1,40}$/, message: 'A-Z a-z 0-9 _' },
            ]}
          >
            <Input disabled={editing !== 'new'} />
          </Form.Item>
          <Form.Item name="zh" label="中文" rules={[{ required: true, message: t('form.required') }, { max: 100 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="en" label="English" rules={[{ required: true, message: t('form.required') }, { max: 100 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="active" label={t('common.active')} valuePropName="checked" initialValue={true}>
            <Switch />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}

export function CatalogSettingsPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const center = can(me, 'catalog.configure');
  return (
    <Card>
      <Tabs
        items={[
          { key: 'systems', label: t('systems.title'), children: <Systems /> },
          ...(center ? [{ key: 'codes', label: t('codes.title'), children: <CodeTables /> }] : []),
        ]}
      />
    </Card>
  );
}
