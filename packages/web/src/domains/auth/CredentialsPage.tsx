import { useState } from 'react';
import {
  Alert,
  Button,
  Card,
  DatePicker,
  Form,
  Input,
  Modal,
  Popconfirm,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { get, post, qs } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';
import { can } from '../../abilities.ts';
import { fmtTime, shanghaiDayStart, useLoad, useProblem } from '../../ui.tsx';
import { LoadAlert, tableState } from '../../states.tsx';
import type { Credential, Org } from '../../types.ts';
import type { Key } from '../../messages.ts';
import type { Dayjs } from 'dayjs';

export function CredentialsPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const problem = useProblem();
  const isCenter = can(me, 'units.all');
  const [orgId, setOrgId] = useState<string | undefined>();
  const list = useLoad(() => get<Credential[]>(`/api/credentials${qs({ orgId })}`), [orgId]);
  const orgs = useLoad(() => (isCenter ? get<Org[]>('/api/orgs') : Promise.resolve([] as Org[])), [isCenter]);
  const [creating, setCreating] = useState(false);
  const [issued, setIssued] = useState<(Credential & { token: string }) | null>(null);
  const [form] = Form.useForm();
  const manage = can(me, 'credential.manage');

  async function create() {
    const v = (await form.validateFields()) as {
      orgId?: string;
      systemName: string;
      description?: string;
      expiresAt?: Dayjs;
    };
    try {
      const c = await post<Credential & { token: string }>('/api/credentials', {
        ...(v.orgId ? { orgId: v.orgId } : {}),
        systemName: v.systemName,
        ...(v.description ? { description: v.description } : {}),
        // valid through the day picked, in Asia/Shanghai
        ...(v.expiresAt ? { expiresAt: shanghaiDayStart(v.expiresAt.format('YYYY-MM-DD'), true) } : {}),
      });
      setCreating(false);
      setIssued(c);
      list.reload();
    } catch (e) {
      problem(e, form);
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
          {manage && (
            <Button
              type="primary"
              onClick={() => {
                form.resetFields();
                setCreating(true);
              }}
            >
              {t('cred.new')}
            </Button>
          )}
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">{t('cred.help')}</Typography.Paragraph>
      <LoadAlert load={orgs} />
      <Table<Credential>
        rowKey="id"
        size="middle"
        {...tableState(list, t('cred.none'))}
        columns={[
          { title: t('cred.system'), dataIndex: 'systemName' },
          { title: t('cred.keyId'), dataIndex: 'keyId', render: (v) => <Typography.Text code>{v}</Typography.Text> },
          { title: t('users.org'), dataIndex: 'orgName' },
          {
            title: t('users.status'),
            dataIndex: 'status',
            render: (s: string) => (
              <Tag color={s === 'active' ? 'green' : s === 'revoked' ? 'red' : 'default'}>
                {t(`cred.status.${s}` as Key)}
              </Tag>
            ),
          },
          { title: t('cred.expires'), dataIndex: 'expiresAt', render: fmtTime },
          {
            title: t('cred.lastUsed'),
            render: (_, c) => (c.lastUsedAt ? `${fmtTime(c.lastUsedAt)} ${c.lastUsedIp ?? ''}` : '—'),
          },
          {
            title: '',
            render: (_, c) =>
              manage && c.status === 'active' ? (
                <Popconfirm
                  title={t('cred.revokeConfirm')}
                  onConfirm={async () => {
                    try {
                      await post(`/api/credentials/${c.id}/revoke`);
                      list.reload();
                    } catch (e) {
                      problem(e);
                    }
                  }}
                >
                  <Button size="small" danger>
                    {t('cred.revoke')}
                  </Button>
                </Popconfirm>
              ) : null,
          },
        ]}
      />
      <Modal
        open={creating}
        title={t('cred.new')}
        onOk={() => void create()}
        onCancel={() => setCreating(false)}
        destroyOnHidden
      >
        <Form form={form} layout="vertical">
          {can(me, 'credential.other_units') && (
            <Form.Item name="orgId" label={t('users.org')} extra={t('cred.orgHelp')}>
              <Select
                allowClear
                showSearch
                optionFilterProp="label"
                options={(orgs.data ?? []).map((o) => ({ value: o.id, label: o.name }))}
              />
            </Form.Item>
          )}
          <Form.Item
            name="systemName"
            label={t('cred.system')}
            rules={[{ required: true, message: t('form.required') }, { max: 100 }]}
          >
            <Input />
          </Form.Item>
          <Form.Item name="description" label={t('cred.description')}>
            <Input.TextArea maxLength={500} />
          </Form.Item>
          <Form.Item name="expiresAt" label={t('cred.expires')}>
            <DatePicker />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={!!issued}
        title={t('cred.issued')}
        onOk={() => setIssued(null)}
        onCancel={() => setIssued(null)}
        cancelButtonProps={{ style: { display: 'none' } }}
      >
        <Alert type="warning" showIcon message={t('cred.onlyOnce')} style={{ marginBottom: 12 }} />
        <Typography.Paragraph copyable code style={{ wordBreak: 'break-all' }}>
          {issued?.token}
        </Typography.Paragraph>
        <Typography.Text type="secondary">Authorization: Bearer &lt;token&gt;</Typography.Text>
      </Modal>
    </Card>
  );
}
