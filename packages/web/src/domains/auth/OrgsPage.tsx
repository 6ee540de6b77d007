import { useState } from 'react';
import { Button, Card, Form, Input, Modal, Select, Space, Switch, Table, Tag } from 'antd';
import { get, patch, post, qs } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';
import { can } from '../../abilities.ts';
import { useLoad, useProblem, useUrlState } from '../../ui.tsx';
import { tableState } from '../../states.tsx';
import { OrgKind, type Org } from '../../types.ts';
import type { Key } from '../../messages.ts';

export function OrgsPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const problem = useProblem();
  const [url, setUrl] = useUrlState();
  const kind = (OrgKind as readonly string[]).includes(url.kind ?? '') ? (url.kind as OrgKind) : undefined;
  const q = url.q ?? '';
  const setKind = (k: OrgKind | undefined) => setUrl({ kind: k });
  const setQ = (v: string) => setUrl({ q: v.trim() });
  const list = useLoad(() => get<Org[]>(`/api/orgs${qs({ kind, q })}`), [kind, q]);
  const [editing, setEditing] = useState<Org | 'new' | null>(null);
  const [form] = Form.useForm();
  const manage = can(me, 'org.create');
  const ownContact = (o: Org) => can(me, 'org.update_own_contact') && o.id === me?.org.id;

  function open(o: Org | 'new') {
    setEditing(o);
    form.resetFields();
    if (o !== 'new') form.setFieldsValue(o);
  }
  async function save() {
    const v = await form.validateFields();
    const body = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === '' ? null : x]));
    try {
      if (editing === 'new') await post('/api/orgs', body);
      else if (editing) {
        const changed = Object.fromEntries(
          Object.entries(body).filter(([k, x]) => (editing as unknown as Record<string, unknown>)[k] !== x),
        );
        if (Object.keys(changed).length) await patch(`/api/orgs/${editing.id}`, changed);
      }
      setEditing(null);
      list.reload();
    } catch (e) {
      problem(e, form);
    }
  }
  const contactOnly = editing !== 'new' && editing !== null && !manage;

  return (
    <Card
      extra={
        <Space>
          <Select
            allowClear
            placeholder={t('orgs.kind')}
            style={{ width: 160 }}
            value={kind}
            onChange={setKind}
            options={OrgKind.map((k) => ({ value: k, label: t(`kind.${k}` as Key) }))}
          />
          <Input.Search
            allowClear
            defaultValue={q}
            placeholder={t('common.search')}
            onSearch={setQ}
            style={{ width: 220 }}
          />
          {manage && (
            <Button type="primary" onClick={() => open('new')} data-testid="org-new">
              {t('orgs.new')}
            </Button>
          )}
        </Space>
      }
    >
      <Table<Org>
        rowKey="id"
        size="middle"
        {...tableState(list, t('orgs.none'))}
        pagination={{ pageSize: 20 }}
        columns={[
          {
            title: t('orgs.name'),
            dataIndex: 'name',
            render: (v, o) => (
              <Space>
                {v}
                {o.isDemo && <Tag color="orange">{t('common.demo')}</Tag>}
                {!o.active && <Tag>{t('common.inactive')}</Tag>}
              </Space>
            ),
          },
          { title: t('orgs.code'), dataIndex: 'code' },
          { title: t('orgs.kind'), dataIndex: 'kind', render: (k: OrgKind) => t(`kind.${k}` as Key) },
          { title: t('orgs.uscc'), dataIndex: 'uscc' },
          { title: t('orgs.contact'), render: (_, o) => [o.contactName, o.contactPhone].filter(Boolean).join(' ') },
          {
            title: '',
            render: (_, o) =>
              manage || ownContact(o) ? (
                <Button size="small" onClick={() => open(o)}>
                  {t('common.edit')}
                </Button>
              ) : null,
          },
        ]}
      />
      <Modal
        open={!!editing}
        title={editing === 'new' ? t('orgs.new') : t('common.edit')}
        onOk={() => void save()}
        onCancel={() => setEditing(null)}
        okButtonProps={{ 'data-testid': 'org-save' } as never}
        destroyOnHidden
      >
        <Form form={form} layout="vertical">
          <Form.Item
            name="name"
            label={t('orgs.name')}
            rules={[{ required: true, message: t('form.required') }, { max: 100 }]}
          >
            <Input disabled={contactOnly} data-testid="org-name" />
          </Form.Item>
          <Form.Item
            name="code"
            label={t('orgs.code')}
            extra={t('orgs.codeHelp')}
            rules={[
              { required: true, message: t('form.required') },
              { pattern: /^[a-z0-9][a-z0-9_-]*$/, message: t('orgs.codeHelp') },
            ]}
          >
            <Input disabled={contactOnly} data-testid="org-code" />
          </Form.Item>
          <Form.Item name="kind" label={t('orgs.kind')} rules={[{ required: true, message: t('form.required') }]}>
            <Select
              disabled={contactOnly}
              options={OrgKind.map((k) => ({ value: k, label: t(`kind.${k}` as Key) }))}
              data-testid="org-kind"
            />
          </Form.Item>
          <Form.Item name="uscc" label={t('orgs.uscc')} rules={[{ len: 18, message: t('orgs.usccHelp') }]}>
            <Input disabled={contactOnly} maxLength={18} />
          </Form.Item>
          <Form.Item name="parentId" label={t('orgs.parent')}>
            <Select
              allowClear
              showSearch
              optionFilterProp="label"
              disabled={contactOnly}
              options={(list.data ?? [])
                .filter((o) => editing === 'new' || o.id !== (editing as Org | null)?.id)
                .map((o) => ({ value: o.id, label: o.name }))}
            />
          </Form.Item>
          <Form.Item name="contactName" label={t('orgs.contactName')}>
            <Input maxLength={50} />
          </Form.Item>
          <Form.Item name="contactPhone" label={t('orgs.contactPhone')}>
            <Input maxLength={40} />
          </Form.Item>
          <Form.Item name="contactEmail" label={t('orgs.contactEmail')}>
            <Input maxLength={200} />
          </Form.Item>
          {editing !== 'new' && manage && (
            <Form.Item name="active" label={t('common.active')} valuePropName="checked">
              <Switch />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </Card>
  );
}
