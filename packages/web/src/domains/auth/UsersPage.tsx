import { useMemo, useState } from 'react';
import { App, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Switch, Table, Tag } from 'antd';
import { get, patch, post, qs } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';
import { can } from '../../abilities.ts';
import { fmtTime, useLoad, useProblem, useUrlState } from '../../ui.tsx';
import type { Org, Role, User } from '../../types.ts';
import { LoadAlert, tableState } from '../../states.tsx';
import type { Key } from '../../messages.ts';

export function UsersPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const { message } = App.useApp();
  const problem = useProblem();
  const isCenter = can(me, 'units.all');
  const [url, setUrl] = useUrlState();
  const orgId = url.orgId;
  const q = url.q ?? '';
  const setOrgId = (id: string | undefined) => setUrl({ orgId: id });
  const setQ = (v: string) => setUrl({ q: v.trim() });
  const users = useLoad(() => get<User[]>(`/api/users${qs({ orgId, q })}`), [orgId, q]);
  const orgs = useLoad(() => get<Org[]>('/api/orgs'), []);
  const orgById = useMemo(() => new Map((orgs.data ?? []).map((o) => [o.id, o])), [orgs.data]);
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [resetting, setResetting] = useState<User | null>(null);
  const [form] = Form.useForm();
  const [pwForm] = Form.useForm();
  const manage = can(me, 'user.manage');
  const formOrgId = Form.useWatch('orgId', form) as string | undefined;
  // the server says, per organisation, which roles this user may give its users
  const roleOptions: Role[] =
    orgById.get(editing === 'new' ? (formOrgId ?? '') : (editing?.orgId ?? ''))?.grantableRoles ?? [];

  function open(u: User | 'new') {
    setEditing(u);
    form.resetFields();
    if (u === 'new') form.setFieldsValue({ orgId: isCenter ? orgId : me?.org.id, roles: [] });
    else form.setFieldsValue(u);
  }
  async function save() {
    const v = await form.validateFields();
    try {
      if (editing === 'new') {
        await post('/api/users', {
          orgId: v.orgId,
          username: v.username,
          displayName: v.displayName,
          password: v.password,
          roles: v.roles,
          email: v.email || null,
          phone: v.phone || null,
        });
      } else if (editing) {
        await patch(`/api/users/${editing.id}`, {
          displayName: v.displayName,
          roles: v.roles,
          email: v.email || null,
          phone: v.phone || null,
          active: v.active,
        });
      }
      setEditing(null);
      users.reload();
    } catch (e) {
      problem(e, form);
    }
  }
  async function act(fn: () => Promise<unknown>, ok: string) {
    try {
      await fn();
      void message.success(ok);
      users.reload();
    } catch (e) {
      problem(e);
    }
  }

  return (
    <Card
      extra={
        <Space>
          {isCenter && (
            <Select
              allowClear
              showSearch
              optionFilterProp="label"
              placeholder={t('users.org')}
              style={{ width: 260 }}
              value={orgId}
              onChange={setOrgId}
              options={(orgs.data ?? []).map((o) => ({ value: o.id, label: o.name }))}
            />
          )}
          <Input.Search
            allowClear
            defaultValue={q}
            placeholder={t('common.search')}
            onSearch={setQ}
            style={{ width: 200 }}
          />
          {manage && (
            <Button type="primary" onClick={() => open('new')} data-testid="user-new">
              {t('users.new')}
            </Button>
          )}
        </Space>
      }
    >
      <LoadAlert load={orgs} />
      <Table<User>
        rowKey="id"
        size="middle"
        {...tableState(users, t('users.none'))}
        pagination={{ pageSize: 20 }}
        columns={[
          { title: t('auth.username'), dataIndex: 'username' },
          {
            title: t('users.displayName'),
            dataIndex: 'displayName',
            render: (v, u) => (
              <Space>
                {v}
                {u.isDemo && <Tag color="orange">{t('common.demo')}</Tag>}
              </Space>
            ),
          },
          { title: t('users.org'), dataIndex: 'orgName' },
          {
            title: t('users.roles'),
            dataIndex: 'roles',
            render: (rs: Role[]) => rs.map((r) => <Tag key={r}>{t(`role.${r}` as Key)}</Tag>),
          },
          {
            title: t('users.status'),
            render: (_, u) => (
              <Space size={4}>
                {u.active ? <Tag color="green">{t('common.active')}</Tag> : <Tag>{t('common.inactive')}</Tag>}
                {u.lockedUntil && <Tag color="red">{t('users.locked')}</Tag>}
                {u.totpEnabled && <Tag color="blue">TOTP</Tag>}
              </Space>
            ),
          },
          { title: t('users.lastLogin'), dataIndex: 'lastLoginAt', render: fmtTime },
          {
            title: '',
            render: (_, u) =>
              manage && (
                <Space size={4} wrap>
                  <Button size="small" onClick={() => open(u)}>
                    {t('common.edit')}
                  </Button>
                  <Button
                    size="small"
                    onClick={() => {
                      setResetting(u);
                      pwForm.resetFields();
                    }}
                  >
                    {t('users.resetPassword')}
                  </Button>
                  {u.lockedUntil && (
                    <Button
                      size="small"
                      onClick={() => void act(() => patch(`/api/users/${u.id}`, { unlock: true }), t('users.unlocked'))}
                    >
                      {t('users.unlock')}
                    </Button>
                  )}
                  {u.totpEnabled && can(me, 'user.reset_totp') && (
                    <Popconfirm
                      title={t('users.resetTotpConfirm')}
                      onConfirm={() => void act(() => post(`/api/users/${u.id}/totp-reset`), t('common.done'))}
                    >
                      <Button size="small" danger>
                        {t('users.resetTotp')}
                      </Button>
                    </Popconfirm>
                  )}
                </Space>
              ),
          },
        ]}
      />
      <Modal
        open={!!editing}
        title={editing === 'new' ? t('users.new') : t('common.edit')}
        onOk={() => void save()}
        onCancel={() => setEditing(null)}
        okButtonProps={{ 'data-testid': 'user-save' } as never}
        destroyOnHidden
      >
        <Form form={form} layout="vertical">
          {editing === 'new' && (
            <>
              <Form.Item name="orgId" label={t('users.org')} rules={[{ required: true, message: t('form.required') }]}>
                <Select
                  showSearch
                  optionFilterProp="label"
                  disabled={!isCenter}
                  options={(orgs.data ?? []).map((o) => ({ value: o.id, label: o.name }))}
                  data-testid="user-org"
                />
              </Form.Item>
              <Form.Item
                name="username"
                label={t('auth.username')}
                extra={t('users.usernameHelp')}
                rules={[
                  { required: true, message: t('form.required') },
                  { pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/, message: t('users.usernameHelp') },
                ]}
              >
                <Input data-testid="user-username" />
              </Form.Item>
              <Form.Item
                name="password"
                label={t('users.initialPassword')}
                extra={t('auth.passwordRule')}
                rules={[{ required: true, message: t('form.required') }]}
              >
                <Input.Password autoComplete="new-password" data-testid="user-password" />
              </Form.Item>
            </>
          )}
          <Form.Item
            name="displayName"
            label={t('users.displayName')}
            rules={[{ required: true, message: t('form.required') }, { max: 100 }]}
          >
            <Input data-testid="user-displayname" />
          </Form.Item>
          <Form.Item
            name="roles"
            label={t('users.roles')}
            rules={[{ required: true, type: 'array', min: 1, message: t('form.required') }]}
          >
            <Select
              mode="multiple"
              options={roleOptions.map((r) => ({ value: r, label: t(`role.${r}` as Key) }))}
              data-testid="user-roles"
            />
          </Form.Item>
          <Form.Item name="email" label={t('orgs.contactEmail')}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="phone" label={t('orgs.contactPhone')}>
            <Input maxLength={40} />
          </Form.Item>
          {editing !== 'new' && (
            <Form.Item name="active" label={t('common.active')} valuePropName="checked">
              <Switch />
            </Form.Item>
          )}
        </Form>
      </Modal>
      <Modal
        open={!!resetting}
        title={`${t('users.resetPassword')} · ${resetting?.username ?? ''}`}
        onCancel={() => setResetting(null)}
        onOk={async () => {
          const v = await pwForm.validateFields();
          try {
            await post(`/api/users/${resetting!.id}/password`, { password: v.password });
            setResetting(null);
            void message.success(t('users.passwordReset'));
          } catch (e) {
            problem(e, pwForm);
          }
        }}
      >
        <Form form={pwForm} layout="vertical">
          <Form.Item
            name="password"
            label={t('auth.newPassword')}
            extra={t('users.resetHelp')}
            rules={[{ required: true, message: t('form.required') }]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
