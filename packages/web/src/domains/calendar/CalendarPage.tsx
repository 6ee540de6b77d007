// A year at a glance: working days, weekends, holidays, make-up days (调休) and the Center's overrides.
import { useMemo, useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Col,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Row,
  Space,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { del, get, put } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';
import { can } from '../../abilities.ts';
import { todayShanghai, useLoad, useProblem } from '../../ui.tsx';
import { LoadAlert } from '../../states.tsx';
import type { DayInfo } from '../../types.ts';
import type { Key } from '../../messages.ts';

const COLORS: Record<DayInfo['reason'], string> = {
  weekday: '#fff',
  weekend: '#f0f0f0',
  holiday: '#ffd6d6',
  makeup_workday: '#d6e4ff',
  override: '#fff1b8',
};

export function CalendarPage() {
  const { t, lang } = useI18n();
  const { me } = useSession();
  const problem = useProblem();
  const [year, setYear] = useState(() => Number(todayShanghai().slice(0, 4)));
  const cal = useLoad(
    () => get<{ year: number; source: string; days: DayInfo[] }>(`/api/calendar/years/${year}`),
    [year],
  );
  const [editing, setEditing] = useState<DayInfo | null>(null);
  const [form] = Form.useForm();
  const editable = can(me, 'calendar.edit');
  const months = useMemo(() => {
    const m: DayInfo[][] = Array.from({ length: 12 }, () => []);
    for (const d of cal.data?.days ?? []) m[Number(d.date.slice(5, 7)) - 1]!.push(d);
    return m;
  }, [cal.data]);
  const [calcFrom, setCalcFrom] = useState('');
  const [calcN, setCalcN] = useState<number | null>(10);
  const [calcOut, setCalcOut] = useState<string | null>(null);
  const weekdays = lang === 'zh' ? ['一', '二', '三', '四', '五', '六', '日'] : ['M', 'T', 'W', 'T', 'F', 'S', 'S'];

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card
        extra={
          <Space>
            <Button onClick={() => setYear(year - 1)}>‹</Button>
            <Typography.Text strong data-testid="calendar-year">
              {year}
            </Typography.Text>
            <Button onClick={() => setYear(year + 1)}>›</Button>
          </Space>
        }
      >
        <LoadAlert load={cal} />
        {cal.data && cal.data.source !== 'state_council' && (
          <Alert
            style={{ marginBottom: 16 }}
            type={cal.data.source === 'weekends_only' ? 'warning' : 'info'}
            showIcon
            message={t(`cal.source.${cal.data.source}` as Key)}
          />
        )}
        <Space style={{ marginBottom: 12 }} wrap>
          {(['weekday', 'weekend', 'holiday', 'makeup_workday', 'override'] as const).map((r) => (
            <Tag key={r} color={COLORS[r]} style={{ color: '#333', border: '1px solid #ddd' }}>
              {t(`cal.reason.${r}` as Key)}
            </Tag>
          ))}
        </Space>
        <Row gutter={[16, 16]}>
          {months.map((days, mi) => {
            const lead = days.length ? (new Date(days[0]!.date + 'T00:00:00Z').getUTCDay() + 6) % 7 : 0;
            return (
              <Col key={mi} xs={24} sm={12} md={8} xl={6}>
                <Typography.Text strong>
                  {lang === 'zh'
                    ? `${mi + 1}月`
                    : new Date(Date.UTC(2000, mi, 1)).toLocaleString('en', { month: 'long' })}
                </Typography.Text>
                <div
                  style={{ display: 'grid', gridTemplateColumns: 'repeat(7, 1fr)', gap: 2, marginTop: 4, fontSize: 12 }}
                >
                  {weekdays.map((w, i) => (
                    <div key={i} style={{ textAlign: 'center', color: '#999' }}>
                      {w}
                    </div>
                  ))}
                  {Array.from({ length: lead }, (_, i) => (
                    <div key={`b${i}`} />
                  ))}
                  {days.map((d) => (
                    <Tooltip
                      key={d.date}
                      title={`${d.date} ${t(`cal.reason.${d.reason}` as Key)}${d.name ? ' · ' + d.name : ''}`}
                    >
                      <div
                        data-date={d.date}
                        data-working={d.working}
                        onClick={() => {
                          if (editable) {
                            setEditing(d);
                            form.setFieldsValue({
                              kind: d.working ? 'restday' : 'workday',
                              note: d.reason === 'override' ? d.name : '',
                            });
                          }
                        }}
                        style={{
                          textAlign: 'center',
                          padding: '2px 0',
                          background: COLORS[d.reason],
                          border: '1px solid #eee',
                          cursor: editable ? 'pointer' : 'default',
                          color: d.working ? '#222' : '#b8312f',
                          fontWeight: d.reason === 'makeup_workday' || d.reason === 'override' ? 700 : 400,
                        }}
                      >
                        {Number(d.date.slice(8))}
                      </div>
                    </Tooltip>
                  ))}
                </div>
              </Col>
            );
          })}
        </Row>
      </Card>
      <Card title={t('cal.calculator')}>
        <Space wrap>
          <Input
            placeholder="YYYY-MM-DD"
            value={calcFrom}
            onChange={(e) => setCalcFrom(e.target.value)}
            style={{ width: 140 }}
            data-testid="calc-from"
          />
          <span>+</span>
          <InputNumber value={calcN} onChange={setCalcN} min={-1000} max={1000} data-testid="calc-n" />
          <span>{t('cal.workingDays')}</span>
          <Button
            type="primary"
            onClick={async () => {
              try {
                setCalcOut(
                  (
                    await get<{ date: string }>(
                      `/api/calendar/working-days?from=${encodeURIComponent(calcFrom)}&add=${calcN ?? 0}`,
                    )
                  ).date,
                );
              } catch (e) {
                setCalcOut(null);
                problem(e);
              }
            }}
            data-testid="calc-go"
          >
            =
          </Button>
          {calcOut && (
            <Typography.Text strong data-testid="calc-out">
              {calcOut}
            </Typography.Text>
          )}
        </Space>
      </Card>
      <Modal
        open={!!editing}
        title={editing?.date}
        onCancel={() => setEditing(null)}
        footer={[
          editing?.reason === 'override' && (
            <Button
              key="rm"
              danger
              onClick={async () => {
                try {
                  await del(`/api/calendar/overrides/${editing.date}`);
                  setEditing(null);
                  cal.reload();
                } catch (e) {
                  problem(e);
                }
              }}
            >
              {t('cal.removeOverride')}
            </Button>
          ),
          <Button key="cancel" onClick={() => setEditing(null)}>
            {t('common.cancel')}
          </Button>,
          <Button
            key="ok"
            type="primary"
            onClick={async () => {
              const v = await form.validateFields();
              try {
                await put(`/api/calendar/overrides/${editing!.date}`, v);
                setEditing(null);
                cal.reload();
              } catch (e) {
                problem(e, form);
              }
            }}
          >
            {t('common.save')}
          </Button>,
        ]}
      >
        <Form form={form} layout="vertical">
          <Form.Item name="kind" label={t('cal.setAs')} rules={[{ required: true }]}>
            <Radio.Group
              options={[
                { value: 'workday', label: t('cal.workday') },
                { value: 'restday', label: t('cal.restday') },
              ]}
            />
          </Form.Item>
          <Form.Item
            name="note"
            label={t('cal.note')}
            rules={[{ required: true, message: t('form.required') }, { max: 200 }]}
          >
            <Input placeholder={t('cal.notePlaceholder')} />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
