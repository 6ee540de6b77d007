// One problem-data ticket: what was reported and about which rows, where it stands and by when (working days), its
// timeline, and the step the reader may take now — the Center's triage, extension decision or urgency, the owner's
// request for time or fix, the reporter's verification.
import { useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  DatePicker,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Select,
  Space,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { Link, useParams } from 'react-router-dom';
import { get, post } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { fmtTime, todayShanghai, useLoad, useProblem } from '../../ui.tsx';
import { Loaded } from '../../states.tsx';
import type { Reply } from '../../api.types.ts';
import { CategoryTag, TicketDue, TicketStatusTag, type Ticket } from './parts.tsx';

type Step = 'triage' | 'urgent' | 'extension' | 'decision' | 'fix' | 'verify';
type Batches = Reply<'/api/ingest/resources/{ref}/batches'>;

export function TicketPage() {
  const { id } = useParams();
  const load = useLoad(() => get<Ticket>(`/api/quality/tickets/${id}`), [id]);
  return <Loaded load={load}>{(x) => <View x={x} reload={load.reload} />}</Loaded>;
}

function View({ x, reload }: { x: Ticket; reload(): void }) {
  const { t } = useI18n();
  const [step, setStep] = useState<Step | null>(null);
  const steps: Step[] = [];
  if (x.may.triage) steps.push('triage');
  if (x.may.decideExtension) steps.push('decision');
  if (x.may.requestExtension) steps.push('extension');
  if (x.may.fix) steps.push('fix');
  if (x.may.verify) steps.push('verify');
  if (x.may.urgent) steps.push('urgent');
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Card
        title={
          <Space wrap>
            <span>{x.no}</span>
            <TicketStatusTag status={x.status} />
            <CategoryTag category={x.category} />
            {x.private && <Tag color="purple">{t('quality.privateNote')}</Tag>}
          </Space>
        }
        extra={
          <Space wrap>
            {steps.map((s, i) => (
              <Button
                key={s}
                type={i === 0 ? 'primary' : 'default'}
                onClick={() => setStep(s)}
                data-testid={`ticket-${s}`}
              >
                {t(`quality.act.${s}`)}
              </Button>
            ))}
          </Space>
        }
      >
        {x.waitingFor && (
          <Alert
            style={{ marginBottom: 16 }}
            type={x.overdue ? 'error' : 'info'}
            showIcon
            message={t(`quality.waiting.${x.waitingFor}`)}
            description={<TicketDue t={x} />}
          />
        )}
        <Descriptions column={{ xs: 1, md: 2 }} size="small">
          <Descriptions.Item label={t('quality.resource')}>
            <Link to={`/quality/resources/${x.resourceId}`}>{x.resourceName ?? x.resourceId}</Link>
          </Descriptions.Item>
          <Descriptions.Item label={t('quality.owner')}>{x.ownerName}</Descriptions.Item>
          <Descriptions.Item label={t('quality.reporter')}>
            {x.reporterName ?? '—'} · {t(`quality.source.${x.source}`)}
          </Descriptions.Item>
          <Descriptions.Item label={t('quality.reportedAt')}>{fmtTime(x.createdAt)}</Descriptions.Item>
          {x.ruleId && (
            <Descriptions.Item label={t('quality.rule')}>
              <Link to={`/quality/rules/${x.ruleId}`}>{x.ruleName ?? x.ruleId}</Link>
            </Descriptions.Item>
          )}
          {x.verifyRuleId && (
            <Descriptions.Item label={t('quality.verifyRule')}>
              <Link to={`/quality/rules/${x.verifyRuleId}`}>{t('quality.open')}</Link>
            </Descriptions.Item>
          )}
          <Descriptions.Item label={t('quality.receivedOn')}>{x.receivedOn ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('quality.extensionDays')}>{x.extensionDays}</Descriptions.Item>
          <Descriptions.Item label={t('sharing.policyVersion')}>
            <Link to="/policy">v{x.policyVersion}</Link>
          </Descriptions.Item>
          <Descriptions.Item label={t('quality.description')} span={2}>
            <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }}>
              {x.description}
            </Typography.Paragraph>
          </Descriptions.Item>
          {x.items.length > 0 && (
            <Descriptions.Item label={t('quality.items')} span={2}>
              {x.items.map((i) => (
                <Tag key={i}>{i}</Tag>
              ))}
            </Descriptions.Item>
          )}
          <Descriptions.Item label={t('quality.keys', { n: x.keys.length })} span={2}>
            <div data-testid="ticket-keys">{x.keys.length ? x.keys.map((k) => <Tag key={k}>{k}</Tag>) : '—'}</div>
          </Descriptions.Item>
          {x.extensionRequest && (
            <Descriptions.Item label={t('quality.extensionAsked')} span={2}>
              {t('quality.extensionAskedText', { n: x.extensionRequest.days, r: x.extensionRequest.reason })}
            </Descriptions.Item>
          )}
          {x.fix && (
            <Descriptions.Item label={t('quality.fix')} span={2}>
              {x.fix.note}
              {x.fix.batchId && (
                <>
                  {' · '}
                  {t('quality.fixBatch')} <Typography.Text code>{x.fix.batchId.slice(0, 8)}</Typography.Text>
                </>
              )}
              {x.fix.dataWasRight && <Tag style={{ marginLeft: 8 }}>{t('quality.dataWasRight')}</Tag>}
            </Descriptions.Item>
          )}
          {x.mergedInto && (
            <Descriptions.Item label={t('quality.mergedInto')} span={2}>
              <Link to={`/quality/tickets/${x.mergedInto}`}>{t('quality.open')}</Link>
            </Descriptions.Item>
          )}
        </Descriptions>
      </Card>
      <Card title={t('sharing.timeline')}>
        <Timeline
          items={x.events.map((e) => ({
            color:
              e.action === 'reject' || e.action === 'reopen' || e.action === 'extension_refuse'
                ? 'red'
                : e.action === 'close'
                  ? 'green'
                  : 'blue',
            children: (
              <Space direction="vertical" size={0} data-testid="ticket-event">
                <span>
                  <strong>{t(`quality.event.${e.action}`)}</strong>
                  {e.toStatus && e.toStatus !== e.fromStatus && <> → {t(`quality.status.${e.toStatus}`)}</>}
                </span>
                <Typography.Text type="secondary">
                  {fmtTime(e.at)} · {e.orgName ?? ''} {e.actorName ?? t('quality.byPlatform')}
                  {e.dueDate ? ` · ${t('sharing.dueBy', { d: e.dueDate })}` : ''}
                </Typography.Text>
                {e.comment && <span>{e.comment}</span>}
              </Space>
            ),
          }))}
        />
      </Card>
      {step && (
        <StepModal
          x={x}
          step={step}
          onClose={(moved) => {
            setStep(null);
            if (moved) reload();
          }}
        />
      )}
    </Space>
  );
}

function StepModal({ x, step, onClose }: { x: Ticket; step: Step; onClose(moved: boolean): void }) {
  const { t } = useI18n();
  const problem = useProblem();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const decision = Form.useWatch('decision', form) as string | undefined;
  const approve = Form.useWatch('approve', form) as boolean | undefined;
  const batches = useLoad(
    () =>
      step === 'fix' ? get<Batches>(`/api/ingest/resources/${x.resourceId}/batches?limit=20`) : Promise.resolve(null),
    [step, x.resourceId],
  );
  const others = useLoad(
    () =>
      step === 'triage'
        ? get<Reply<'/api/quality/tickets'>>(`/api/quality/tickets?resourceId=${x.resourceId}&limit=200`)
        : Promise.resolve(null),
    [step, x.resourceId],
  );
  const path: Record<Step, string> = {
    triage: 'triage',
    urgent: 'urgent',
    extension: 'extension',
    decision: 'extension/decision',
    fix: 'fix',
    verify: 'verify',
  };
  const initial: Record<Step, Record<string, unknown>> = {
    triage: { decision: 'accept' },
    urgent: {},
    extension: { days: 5 },
    decision: { approve: true, days: x.extensionRequest?.days },
    fix: { dataWasRight: false },
    verify: { decision: 'confirm' },
  };
  const ok = async () => {
    const v = (await form.validateFields().catch(() => null)) as Record<string, unknown> | null;
    if (!v) return;
    let body: Record<string, unknown> = v;
    if (step === 'urgent') body = { ...v, dueDate: (v.dueDate as Dayjs).format('YYYY-MM-DD') };
    if (step === 'decision' && !v.approve) body = { approve: false, comment: v.comment };
    if (step === 'fix') body = { note: v.note, batchId: v.batchId ?? null, dataWasRight: !!v.dataWasRight };
    setBusy(true);
    try {
      await post(`/api/quality/tickets/${x.id}/${path[step]}`, body);
      onClose(true);
    } catch (e) {
      problem(e, form);
    } finally {
      setBusy(false);
    }
  };
  const required = [{ required: true, message: t('form.required') }];
  const since = x.createdAt;
  return (
    <Modal
      open
      width={620}
      title={`${t(`quality.act.${step}`)} · ${x.no}`}
      onCancel={() => onClose(false)}
      onOk={() => void ok()}
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'step-ok' } as never}
    >
      <Form form={form} layout="vertical" initialValues={initial[step]}>
        {step === 'triage' && (
          <>
            <Form.Item name="decision" label={t('sharing.decision')} rules={required}>
              <Radio.Group
                data-testid="step-decision"
                options={(['accept', 'merge', 'reject'] as const).map((d) => ({
                  value: d,
                  label: t(`quality.triage.${d}`),
                }))}
              />
            </Form.Item>
            {decision === 'accept' && x.verifyRules.length > 0 && (
              <Form.Item name="ruleId" label={t('quality.verifyRule')} extra={t('quality.verifyRuleHelp')}>
                <Select
                  allowClear
                  data-testid="triage-rule"
                  options={x.verifyRules.map((r) => ({ value: r.id, label: r.name }))}
                />
              </Form.Item>
            )}
            {decision === 'merge' && (
              <Form.Item
                name="mergeInto"
                label={t('quality.mergeInto')}
                rules={required}
                extra={t('quality.mergeIntoHelp')}
              >
                <Select
                  showSearch
                  optionFilterProp="label"
                  loading={others.loading}
                  data-testid="merge-into"
                  options={(others.data?.tickets ?? [])
                    .filter((o) => o.id !== x.id && o.status !== 'merged')
                    .map((o) => ({
                      value: o.id,
                      label: `${o.no} · ${t(`quality.status.${o.status}`)} · ${o.description.slice(0, 40)}`,
                    }))}
                />
              </Form.Item>
            )}
          </>
        )}
        {step === 'urgent' && (
          <Form.Item name="dueDate" label={t('quality.urgentDue')} rules={required}>
            <DatePicker disabledDate={(d) => d.format('YYYY-MM-DD') < todayShanghai()} />
          </Form.Item>
        )}
        {step === 'extension' && (
          <>
            <Form.Item
              name="days"
              label={t('quality.extensionDaysAsked')}
              rules={required}
              extra={t('quality.extensionHelp')}
            >
              <InputNumber min={1} max={120} />
            </Form.Item>
            <Form.Item name="reason" label={t('quality.reason')} rules={[...required, { max: 2000 }]}>
              <Input.TextArea rows={3} />
            </Form.Item>
          </>
        )}
        {step === 'decision' && (
          <>
            <Form.Item name="approve" label={t('sharing.decision')} rules={required}>
              <Radio.Group
                options={[
                  { value: true, label: t('quality.extension.approve') },
                  { value: false, label: t('quality.extension.refuse') },
                ]}
              />
            </Form.Item>
            {approve !== false && (
              <Form.Item name="days" label={t('quality.extensionDaysGiven')}>
                <InputNumber min={1} max={x.extensionRequest?.days ?? 120} />
              </Form.Item>
            )}
          </>
        )}
        {step === 'fix' && (
          <>
            <Form.Item name="note" label={t('quality.fixNote')} rules={[...required, { max: 2000 }]}>
              <Input.TextArea rows={3} data-testid="fix-note" />
            </Form.Item>
            <Form.Item name="batchId" label={t('quality.fixBatch')} extra={t('quality.fixBatchHelp')}>
              <Select
                allowClear
                loading={batches.loading}
                data-testid="fix-batch"
                options={(batches.data?.batches ?? [])
                  .filter((b) => b.status === 'succeeded' && b.startedAt >= since)
                  .map((b) => ({
                    value: b.id,
                    label: `${fmtTime(b.startedAt)} · ${b.fileName ?? t(`quality.batchSource.${b.source}` as never)} · ${t('quality.batchRows', { n: b.accepted })}`,
                  }))}
              />
            </Form.Item>
            <Form.Item name="dataWasRight" valuePropName="checked">
              <Checkbox>{t('quality.dataWasRightBox')}</Checkbox>
            </Form.Item>
          </>
        )}
        {step === 'verify' && (
          <Form.Item name="decision" label={t('sharing.decision')} rules={required}>
            <Radio.Group
              data-testid="step-decision"
              options={(['confirm', 'reopen'] as const).map((d) => ({ value: d, label: t(`quality.verify.${d}`) }))}
            />
          </Form.Item>
        )}
        {step !== 'extension' && step !== 'fix' && (
          <Form.Item
            name="comment"
            label={t('sharing.comment')}
            rules={
              (step === 'triage' && decision === 'reject') ||
              (step === 'verify' && decision === 'reopen') ||
              (step === 'decision' && approve === false)
                ? [...required, { max: 2000 }]
                : [{ max: 2000 }]
            }
          >
            <Input.TextArea rows={3} data-testid="step-comment" />
          </Form.Item>
        )}
      </Form>
      {step === 'urgent' && (
        <Typography.Text type="secondary">
          {t('quality.urgentHelp', { d: dayjs().format('YYYY-MM-DD') })}
        </Typography.Text>
      )}
    </Modal>
  );
}
