import { useState } from 'react';
import { Alert, App, Button, Card, Descriptions, Form, Input, QRCode, Space, Tag, Typography } from 'antd';
import { post } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';
import { useProblem } from '../../ui.tsx';
import type { Key } from '../../messages.ts';
import { can } from '../../abilities.ts';

function PasswordForm({ onDone }: { onDone(): void }) {
  const { t } = useI18n();
  const problem = useProblem();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  return (
    <Form
      form={form}
      layout="vertical"
      style={{ maxWidth: 420 }}
      onFinish={async (v: { currentPassword: string; newPassword: string; confirm: string }) => {
        setBusy(true);
        try {
          await post('/api/auth/password', { currentPassword: v.currentPassword, newPassword: v.newPassword });
          form.resetFields();
          onDone();
        } catch (e) {
          problem(e, form);
        } finally {
          setBusy(false);
        }
      }}
    >
      <Form.Item
        name="currentPassword"
        label={t('auth.currentPassword')}
        rules={[{ required: true, message: t('form.required') }]}
      >
        <Input.Password autoComplete="current-password" data-testid="pw-current" />
      </Form.Item>
      <Form.Item
        name="newPassword"
        label={t('auth.newPassword')}
        extra={t('auth.passwordRule')}
        rules={[{ required: true, message: t('form.required') }]}
      >
        <Input.Password autoComplete="new-password" data-testid="pw-new" />
      </Form.Item>
      <Form.Item
        name="confirm"
        label={t('auth.confirmPassword')}
        dependencies={['newPassword']}
        rules={[
          { required: true, message: t('form.required') },
          ({ getFieldValue }) => ({
            validator: (_, v) =>
              v === getFieldValue('newPassword')
                ? Promise.resolve()
                : Promise.reject(new Error(t('auth.passwordMismatch'))),
          }),
        ]}
      >
        <Input.Password autoComplete="new-password" data-testid="pw-confirm" />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={busy} data-testid="pw-submit">
        {t('auth.changePassword')}
      </Button>
    </Form>
  );
}

export function ForcedPasswordChange() {
  const { t } = useI18n();
  const { refresh, logout } = useSession();
  return (
    <div style={{ maxWidth: 480, margin: '80px auto' }}>
      <Card title={t('auth.changePassword')}>
        <Alert type="warning" showIcon message={t('auth.mustChange')} style={{ marginBottom: 16 }} />
        <PasswordForm onDone={() => void refresh()} />
        <Button type="link" onClick={() => void logout()}>
          {t('auth.logout')}
        </Button>
      </Card>
    </div>
  );
}

export function AccountPage() {
  const { t } = useI18n();
  const { me, refresh } = useSession();
  const { message } = App.useApp();
  const problem = useProblem();
  const [enrol, setEnrol] = useState<{ secret: string; uri: string } | null>(null);
  const [code, setCode] = useState('');
  const [pw, setPw] = useState('');
  if (!me) return null;
  const u = me.user;
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card>
        <Descriptions column={2}>
          <Descriptions.Item label={t('auth.username')}>{u.username}</Descriptions.Item>
          <Descriptions.Item label={t('users.displayName')}>{u.displayName}</Descriptions.Item>
          <Descriptions.Item label={t('users.org')}>{me.org.name}</Descriptions.Item>
          <Descriptions.Item label={t('users.roles')}>
            {u.roles.map((r) => (
              <Tag key={r}>{t(`role.${r}` as Key)}</Tag>
            ))}
          </Descriptions.Item>
        </Descriptions>
      </Card>
      <Card title={t('auth.changePassword')}>
        <PasswordForm onDone={() => void message.success(t('auth.passwordChanged'))} />
      </Card>
      <Card title={t('auth.totp')}>
        {u.totpEnabled ? (
          <Space direction="vertical">
            <Tag color="green">{t('auth.totpOn')}</Tag>
            {can(me, 'totp.optional') && (
              <Space>
                <Input.Password
                  placeholder={t('auth.currentPassword')}
                  value={pw}
                  onChange={(e) => setPw(e.target.value)}
                  style={{ width: 240 }}
                />
                <Button
                  danger
                  onClick={async () => {
                    try {
                      await post('/api/auth/totp/disable', { password: pw });
                      setPw('');
                      await refresh();
                    } catch (e) {
                      problem(e);
                    }
                  }}
                >
                  {t('auth.totpDisable')}
                </Button>
              </Space>
            )}
          </Space>
        ) : !enrol ? (
          <Button
            onClick={async () =>
              setEnrol(
                await post<{ secret: string; uri: string }>('/api/auth/totp/setup').catch((e) => (problem(e), null)),
              )
            }
          >
            {t('auth.enrolStart')}
          </Button>
        ) : (
          <Space direction="vertical">
            <QRCode value={enrol.uri} />
            <Typography.Text copyable code>
              {enrol.secret}
            </Typography.Text>
            <Space>
              <Input
                value={code}
                onChange={(e) => setCode(e.target.value)}
                maxLength={6}
                placeholder={t('auth.totpCode')}
                style={{ width: 140 }}
              />
              <Button
                type="primary"
                onClick={async () => {
                  try {
                    await post('/api/auth/totp/confirm', { code });
                    setEnrol(null);
                    setCode('');
                    await refresh();
                  } catch (e) {
                    problem(e);
                  }
                }}
              >
                {t('auth.enrolConfirm')}
              </Button>
            </Space>
          </Space>
        )}
      </Card>
    </Space>
  );
}
