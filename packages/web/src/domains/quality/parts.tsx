// Small pieces the quality pages share: a ticket's status and clock, categories, rule kinds and outcomes in words,
// and the dialog that reports problem rows (from the data a consumer received, or the Center's data browser).
import { useState } from 'react';
import { Form, Input, Modal, Select, Space, Tag, Typography } from 'antd';
import { useNavigate } from 'react-router-dom';
import { post } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useProblem } from '../../ui.tsx';
import { TicketCategory } from '../../api.enums.gen.ts';
import type { Reply } from '../../api.types.ts';

export type TicketRow = Reply<'/api/quality/tickets'>['tickets'][number];
export type Ticket = Reply<'/api/quality/tickets/{id}'>;
export type Rule = Reply<'/api/quality/rules/{id}'>;
export type RuleRow = Reply<'/api/quality/rules'>[number];

const STATUS_COLOR: Record<TicketRow['status'], string> = {
  triage: 'processing',
  assigned: 'processing',
  extension_requested: 'orange',
  verifying: 'cyan',
  closed: 'success',
  rejected: 'error',
  merged: 'default',
};

export function TicketStatusTag({ status }: { status: TicketRow['status'] }) {
  const { t } = useI18n();
  return (
    <Tag color={STATUS_COLOR[status]} data-testid="ticket-status">
      {t(`quality.status.${status}`)}
    </Tag>
  );
}

export function CategoryTag({ category }: { category: TicketRow['category'] }) {
  const { t } = useI18n();
  const sensitive = category === 'privacy' || category === 'trade_secret';
  return <Tag color={sensitive ? 'purple' : undefined}>{t(`quality.category.${category}`)}</Tag>;
}

/** The due date in working days: days left, due today, or overdue by how many. */
export function TicketDue({
  t: x,
}: {
  t: Pick<TicketRow, 'dueDate' | 'daysLeft' | 'overdue' | 'daysOverdue' | 'urgent'>;
}) {
  const { t } = useI18n();
  if (!x.dueDate) return <span>—</span>;
  return (
    <Space size={4} wrap>
      <span>{x.dueDate}</span>
      {x.urgent && <Tag color="magenta">{t('quality.urgent')}</Tag>}
      {x.overdue ? (
        <Tag color="red">{t('sharing.overdue', { n: x.daysOverdue })}</Tag>
      ) : x.daysLeft === 0 ? (
        <Tag color="orange">{t('sharing.dueToday')}</Tag>
      ) : (
        <Tag>{t('sharing.daysLeft', { n: x.daysLeft ?? 0 })}</Tag>
      )}
    </Space>
  );
}

export function OutcomeTag({ outcome }: { outcome: 'passed' | 'failed' | 'not_run' }) {
  const { t } = useI18n();
  return (
    <Tag
      color={outcome === 'passed' ? 'success' : outcome === 'failed' ? 'error' : 'warning'}
      data-testid="run-outcome"
    >
      {t(`quality.outcome.${outcome}`)}
    </Tag>
  );
}

/** A score out of 100, coloured by band. */
export function Score({ v }: { v: number | null | undefined }) {
  if (v === null || v === undefined) return <Typography.Text type="secondary">—</Typography.Text>;
  const color = v >= 95 ? '#389e0d' : v >= 80 ? '#d48806' : '#cf1322';
  return <span style={{ color, fontWeight: 600 }}>{v.toFixed(1)}</span>;
}

/** Reports problem rows of a resource: by their keys (the Center, the data browser) or by references from a grant. */
export function ReportModal({
  resource,
  keys,
  grant,
  onClose,
}: {
  resource: { id: string; name: string; items: { code: string; name: string }[] };
  keys?: string[];
  grant?: { id: string; refs: string[] };
  onClose(): void;
}) {
  const { t } = useI18n();
  const nav = useNavigate();
  const problem = useProblem();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const count = grant?.refs.length ?? keys?.length ?? 0;
  const ok = async () => {
    const v = (await form.validateFields().catch(() => null)) as {
      category: string;
      description: string;
      items?: string[];
    } | null;
    if (!v) return;
    setBusy(true);
    try {
      const r = await post<{ id: string }>('/api/quality/tickets', {
        resourceId: resource.id,
        category: v.category,
        description: v.description,
        items: v.items ?? [],
        ...(grant ? { grantId: grant.id, refs: grant.refs } : { keys: keys ?? [] }),
      });
      onClose();
      nav(`/quality/tickets/${r.id}`);
    } catch (e) {
      problem(e, form);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      width={620}
      title={`${t('quality.report')} · ${resource.name}`}
      onCancel={onClose}
      onOk={() => void ok()}
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'report-ok' } as never}
    >
      <Typography.Paragraph type="secondary">{t('quality.reportHelp', { n: count })}</Typography.Paragraph>
      <Form form={form} layout="vertical" initialValues={{ category: 'wrong' }}>
        <Form.Item
          name="category"
          label={t('quality.category')}
          rules={[{ required: true, message: t('form.required') }]}
        >
          <Select
            data-testid="report-category"
            options={TicketCategory.map((c) => ({ value: c, label: t(`quality.category.${c}`) }))}
          />
        </Form.Item>
        <Form.Item name="items" label={t('quality.items')}>
          <Select mode="multiple" allowClear options={resource.items.map((i) => ({ value: i.code, label: i.name }))} />
        </Form.Item>
        <Form.Item
          name="description"
          label={t('quality.description')}
          rules={[
            { required: true, message: t('form.required') },
            { max: 2000, message: t('form.tooLong', { n: 2000 }) },
          ]}
        >
          <Input.TextArea rows={4} data-testid="report-description" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
