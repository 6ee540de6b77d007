// The bell: what needs the unit's attention (a sharing case or a problem-data ticket waiting for it, decided, near
// or past its due date, a grant about to expire), newest first; unread ones marked for this user. Looks again every minute and on every page change.
import { useEffect, useState } from 'react';
import { Badge, Button, Empty, List, Popover, Typography } from 'antd';
import { BellOutlined } from '@ant-design/icons';
import { useLocation, useNavigate } from 'react-router-dom';
import { get, post } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { fmtTime } from '../ui.tsx';
import type { Reply } from '../api.types.ts';
import type { Key } from '../messages.ts';

type Notices = Reply<'/api/notifications'>;
type Notice = Notices['items'][number];

export function NotificationBell() {
  const { t } = useI18n();
  const nav = useNavigate();
  const loc = useLocation();
  const [data, setData] = useState<Notices | null>(null);
  const [open, setOpen] = useState(false);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    get<Notices>('/api/notifications')
      .then((d) => live && setData(d))
      .catch(() => undefined); // the bell stays as it was; the page itself shows its own errors
    const timer = window.setTimeout(() => setTick((x) => x + 1), 60_000);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [loc.pathname, tick]);
  const text = (n: Notice) => {
    const family = n.kind.startsWith('ticket.') ? 'quality.status' : 'sharing.status';
    const status = n.params.status ? t(`${family}.${n.params.status}` as Key) : '';
    return t(`notice.${n.kind}` as Key, { no: n.params.no ?? '', status, due: n.params.due ?? '' });
  };
  const openOne = async (n: Notice) => {
    setOpen(false);
    if (!n.read) await post('/api/notifications/read', { ids: [n.id] }).catch(() => undefined);
    setTick((x) => x + 1);
    nav(
      n.objectType === 'quality_ticket'
        ? `/quality/tickets/${n.objectId}`
        : n.objectType === 'share_grant'
          ? `/sharing/grants/${n.objectId}`
          : `/sharing/applications/${n.objectId}`,
    );
  };
  const content = (
    <div style={{ width: 380, maxHeight: 440, overflow: 'auto' }} data-testid="notice-list">
      {data?.items.length ? (
        <List
          size="small"
          dataSource={data.items}
          renderItem={(n) => (
            <List.Item style={{ cursor: 'pointer' }} onClick={() => void openOne(n)}>
              <List.Item.Meta
                avatar={<Badge status={n.read ? 'default' : 'processing'} />}
                title={<span style={{ fontWeight: n.read ? 'normal' : 600 }}>{text(n)}</span>}
                description={fmtTime(n.createdAt)}
              />
            </List.Item>
          )}
        />
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('notice.none')} />
      )}
    </div>
  );
  return (
    <Popover
      open={open}
      onOpenChange={setOpen}
      trigger="click"
      placement="bottomRight"
      title={
        <span style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
          <Typography.Text strong>{t('notice.title')}</Typography.Text>
          {!!data?.unread && (
            <Button
              size="small"
              type="link"
              onClick={() => void post('/api/notifications/read', {}).then(() => setTick((x) => x + 1))}
            >
              {t('notice.readAll')}
            </Button>
          )}
        </span>
      }
      content={content}
    >
      <Badge count={data?.unread ?? 0} size="small" data-testid="notice-count">
        <BellOutlined
          style={{ fontSize: 18, cursor: 'pointer' }}
          aria-label={t('notice.title')}
          data-testid="notice-bell"
        />
      </Badge>
    </Popover>
  );
}
