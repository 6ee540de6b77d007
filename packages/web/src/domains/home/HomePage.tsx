import { Card, Col, Descriptions, Row, Statistic, Tag, Typography } from 'antd';
import { useNavigate } from 'react-router-dom';
import { get } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';
import { sees, type Page } from '../../abilities.ts';
import { todayShanghai, useLoad } from '../../ui.tsx';
import { LoadAlert } from '../../states.tsx';
import type { PolicySnapshot } from '../../types.ts';
import type { Key } from '../../messages.ts';

export function HomePage() {
  const { t } = useI18n();
  const { me } = useSession();
  const nav = useNavigate();
  const today = todayShanghai();
  const due = useLoad(() => get<{ date: string }>(`/api/calendar/working-days?from=${today}&add=10`), [today]);
  const policy = useLoad(() => get<{ current: PolicySnapshot }>('/api/policy'), []);
  if (!me) return null;
  const pages: Page[] = ['orgs', 'users', 'credentials', 'audit', 'calendar', 'policy'];
  return (
    <Row gutter={[16, 16]}>
      <Col span={24}>
        <Card>
          <Typography.Title level={4} style={{ marginTop: 0 }}>
            {t('home.welcome', { name: me.user.displayName })}
          </Typography.Title>
          <Descriptions column={3}>
            <Descriptions.Item label={t('users.org')}>{me.org.name}</Descriptions.Item>
            <Descriptions.Item label={t('users.roles')}>
              {me.user.roles.map((r) => (
                <Tag key={r}>{t(`role.${r}` as Key)}</Tag>
              ))}
            </Descriptions.Item>
            <Descriptions.Item label={t('home.today')}>{today}</Descriptions.Item>
          </Descriptions>
        </Card>
      </Col>
      {!!(due.error || policy.error) && (
        <Col span={24}>
          <LoadAlert load={due.error ? due : policy} />
        </Col>
      )}
      <Col xs={24} md={8}>
        <Card>
          <Statistic title={t('home.tenDays')} value={due.data?.date ?? '—'} />
        </Card>
      </Col>
      <Col xs={24} md={8}>
        <Card>
          <Statistic title={t('home.policyVersion')} value={policy.data ? `v${policy.data.current.version}` : '—'} />
        </Card>
      </Col>
      <Col span={24}>
        <Card title={t('home.shortcuts')}>
          <Row gutter={[12, 12]}>
            {pages
              .filter((p) => sees(me, p))
              .map((p) => (
                <Col key={p} xs={12} md={6}>
                  <Card hoverable size="small" onClick={() => nav(`/${p}`)}>
                    {t(`nav.${p}` as Key)}
                  </Card>
                </Col>
              ))}
          </Row>
        </Card>
      </Col>
    </Row>
  );
}
