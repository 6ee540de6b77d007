// Log-in in up to three steps: password; then a one-time code, or setting up an authenticator first.
import { useState } from 'react';
import { Alert, Button, Card, Form, Input, QRCode, Segmented, Space, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { post, setCsrf } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';
import { useProblem } from '../../ui.tsx';

export function LoginPage() {
  const { t, lang, setLang } = useI18n();
  const { me, refresh, logout } = useSession();
  const problem = useProblem();
  const [busy, setBusy] = useState(false);
  const [enrol, setEnrol] = useState<{ secret: string; uri: string } | null>(null);
  const [pwForm] = Form.useForm();
  const [codeForm] = Form.useForm();
  const step = !me ? 'password' : me.mfaState === 'totp_pending' ? 'totp' : 'enrol';

  async function onPassword(v: { username: string; password: string }) {
    setBusy(true);
    try {
      const r = await post<{ next: string; csrfToken: string }>('/api/auth/login', v);
      setCsrf(r.csrfToken);
      await refresh();
    } catch (e) {
      problem(e, pwForm);
    } finally {
      setBusy(false);
    }
  }
  async function onCode(v: { code: string }) {
    setBusy(true);
    try {
      await post(step === 'totp' ? '/api/auth/totp/verify' : '/api/auth/totp/confirm', { code: v.code.trim() });
      await refresh();
    } catch (e) {
      problem(e, codeForm);
      codeForm.resetFields();
    } finally {
      setBusy(false);
    }
  }
  async function startEnrol() {
    try {
      setEnrol(await post<{ secret: string; uri: string }>('/api/auth/totp/setup'));
    } catch (e) {
      problem(e);
    }
  }

  return (
    <div
      style={{
        minHeight: '100vh',
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        background: 'linear-gradient(135deg,#7a1f1d,#b8312f)',
      }}
    >
      <Card style={{ width: 420 }}>
        <Space direction="vertical" style={{ width: '100%' }} size="middle">
          <Space style={{ justifyContent: 'space-between', width: '100%' }}>
            <Typography.Title level={3} style={{ margin: 0 }}>
              公数 Gongshu
            </Typography.Title>
            <Segmented
              size="small"
              value={lang}
              onChange={(v) => setLang(v as 'zh' | 'en')}
              options={[
                { label: '中文', value: 'zh' },
                { label: 'EN', value: 'en' },
              ]}
            />
          </Space>
          <Typography.Text type="secondary">{t('app.title')}</Typography.Text>
          {step === 'password' && (
            <Form form={pwForm} layout="vertical" onFinish={onPassword} requiredMark={false}>
              <Form.Item
                name="username"
                label={t('auth.username')}
                rules={[{ required: true, message: t('form.required') }]}
              >
                <Input prefix={<UserOutlined />} autoComplete="username" autoFocus data-testid="login-username" />
              </Form.Item>
              <Form.Item
                name="password"
                label={t('auth.password')}
                rules={[{ required: true, message: t('form.required') }]}
              >
                <Input.Password
                  prefix={<LockOutlined />}
                  autoComplete="current-password"
                  data-testid="login-password"
                />
              </Form.Item>
              <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-submit">
                {t('auth.login')}
              </Button>
            </Form>
          )}
          {step === 'totp' && (
            <Form form={codeForm} layout="vertical" onFinish={onCode}>
              <Alert type="info" showIcon message={t('auth.totpPrompt')} style={{ marginBottom: 16 }} />
              <Form.Item
                name="code"
                label={t('auth.totpCode')}
                rules={[{ required: true, pattern: /^\d{6}$/, message: t('auth.totpFormat') }]}
              >
                <Input
                  inputMode="numeric"
                  maxLength={6}
                  autoFocus
                  autoComplete="one-time-code"
                  data-testid="totp-code"
                />
              </Form.Item>
              <Space>
                <Button type="primary" htmlType="submit" loading={busy} data-testid="totp-submit">
                  {t('auth.verify')}
                </Button>
                <Button onClick={() => void logout()}>{t('common.back')}</Button>
              </Space>
            </Form>
          )}
          {step === 'enrol' && (
            <Space direction="vertical" style={{ width: '100%' }}>
              <Alert type="warning" showIcon message={t('auth.enrolRequired')} />
              {!enrol ? (
                <Button type="primary" onClick={() => void startEnrol()} data-testid="totp-enrol-start">
                  {t('auth.enrolStart')}
                </Button>
              ) : (
                <Form form={codeForm} layout="vertical" onFinish={onCode}>
                  <Space direction="vertical" align="center" style={{ width: '100%' }}>
                    <QRCode value={enrol.uri} />
                    <Typography.Text copyable code data-testid="totp-secret">
                      {enrol.secret}
                    </Typography.Text>
                  </Space>
                  <Form.Item
                    name="code"
                    label={t('auth.totpCode')}
                    rules={[{ required: true, pattern: /^\d{6}$/, message: t('auth.totpFormat') }]}
                  >
                    <Input inputMode="numeric" maxLength={6} data-testid="totp-code" />
                  </Form.Item>
                  <Button type="primary" htmlType="submit" loading={busy} data-testid="totp-submit">
                    {t('auth.enrolConfirm')}
                  </Button>
                </Form>
              )}
              <Button type="link" onClick={() => void logout()}>
                {t('common.back')}
              </Button>
            </Space>
          )}
        </Space>
      </Card>
    </div>
  );
}
