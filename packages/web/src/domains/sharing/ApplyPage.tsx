// Applying to use another unit's resource: the items with their share types, the purpose and basis, the methods,
// the system that will use the data, and the usage commitment the unit accepts (§23, §28).
import { useMemo, useState } from 'react';
import { Alert, Button, Card, Checkbox, DatePicker, Descriptions, Form, Input, Result, Select, Table, Tag } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { get, post, qs } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useLoad, useProblem } from '../../ui.tsx';
import { Loaded } from '../../states.tsx';
import { useCodes } from '../catalog/codes.tsx';
import { ShareMethod } from '../../api.enums.gen.ts';
import type { Reply } from '../../api.types.ts';

type Draft = Reply<'/api/sharing/draft'>;

export function ApplyPage() {
  const { t } = useI18n();
  const [params] = useSearchParams();
  const resource = params.get('resource');
  const demandId = params.get('demand');
  const draft = useLoad(
    () => (resource ? get<Draft>(`/api/sharing/draft${qs({ resource })}`) : Promise.resolve(null)),
    [resource],
  );
  if (!resource) return <Result status="info" title={t('sharing.pickResource')} />;
  return <Loaded load={draft}>{(d) => d && <ApplyForm draft={d} demandId={demandId} />}</Loaded>;
}

function ApplyForm({ draft, demandId }: { draft: Draft; demandId: string | null }) {
  const { t, pick } = useI18n();
  const { label } = useCodes();
  const nav = useNavigate();
  const problem = useProblem();
  const [form] = Form.useForm();
  const [chosen, setChosen] = useState<string[]>(draft.items.map((i) => i.code));
  const [busy, setBusy] = useState(false);
  const anyNone = useMemo(
    () => draft.items.some((i) => chosen.includes(i.code) && i.shareType === 'none'),
    [draft.items, chosen],
  );
  const r = draft.resource;
  if (draft.ownResource) return <Result status="info" title={t('sharing.ownResource')} />;
  const submit = async () => {
    const v = (await form.validateFields().catch(() => null)) as {
      purpose: string;
      businessProcess: string;
      scenario: string;
      legalBasis?: string;
      methods: string[];
      validUntil: Dayjs;
      systemId?: string;
    } | null;
    if (!v) return; // the form shows what is missing on its fields
    setBusy(true);
    try {
      const a = await post<{ id: string; no: string }>('/api/sharing/applications', {
        resource: r.id,
        demandId: demandId || undefined,
        items: chosen.length === draft.items.length ? undefined : chosen,
        purpose: v.purpose,
        businessProcess: v.businessProcess,
        scenario: v.scenario,
        legalBasis: v.legalBasis?.trim() || null,
        methods: v.methods,
        validUntil: v.validUntil.format('YYYY-MM-DD'),
        systemId: v.systemId ?? null,
        commitmentVersion: draft.commitment.version,
      });
      nav(`/sharing/applications/${a.id}`);
    } catch (e) {
      problem(e, form);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={`${t('sharing.apply')} · ${r.name}`}>
      <Descriptions column={2} size="small" bordered style={{ marginBottom: 16 }}>
        <Descriptions.Item label={t('catalog.shareType')}>{t(`share.${r.shareType}`)}</Descriptions.Item>
        <Descriptions.Item label={t('sharing.resource')}>
          {r.code} {r.name}
        </Descriptions.Item>
        {r.shareCondition && (
          <Descriptions.Item label={t('catalog.shareCondition')} span={2}>
            {r.shareCondition}
          </Descriptions.Item>
        )}
        {r.shareBasis && (
          <Descriptions.Item label={t('catalog.shareBasis')} span={2}>
            {r.shareBasis}
          </Descriptions.Item>
        )}
      </Descriptions>
      <Table
        rowKey="code"
        size="small"
        pagination={false}
        title={() => t('sharing.items')}
        dataSource={draft.items}
        rowSelection={{ selectedRowKeys: chosen, onChange: (keys) => setChosen(keys as string[]) }}
        columns={[
          { title: t('catalog.itemName'), dataIndex: 'name' },
          { title: t('catalog.dataType'), dataIndex: 'dataType', render: (d: string) => label('data_type', d) },
          {
            title: t('sharing.itemShareType'),
            dataIndex: 'shareType',
            render: (s: Draft['items'][number]['shareType']) => (
              <Tag color={s === 'none' ? 'red' : s === 'conditional' ? 'orange' : 'green'}>{t(`share.${s}`)}</Tag>
            ),
          },
          { title: t('catalog.sensitivity'), dataIndex: 'sensitivity', render: (s: string) => label('sensitivity', s) },
          { title: t('catalog.shareBasis'), dataIndex: 'shareBasis', render: (b: string | null) => b ?? '' },
        ]}
        data-testid="apply-items"
      />
      {anyNone && <Alert type="warning" showIcon style={{ margin: '12px 0' }} message={t('sharing.itemNoneNote')} />}
      <Form
        form={form}
        layout="vertical"
        style={{ marginTop: 16, maxWidth: 760 }}
        initialValues={{ methods: ['api'], validUntil: dayjs().add(1, 'year') }}
      >
        <Form.Item
          name="purpose"
          label={t('sharing.purpose')}
          rules={[{ required: true, message: t('form.required') }, { max: 1000 }]}
        >
          <Input.TextArea rows={2} data-testid="apply-purpose" />
        </Form.Item>
        <Form.Item
          name="businessProcess"
          label={t('sharing.businessProcess')}
          rules={[{ required: true, message: t('form.required') }, { max: 4000 }]}
        >
          <Input.TextArea rows={2} data-testid="apply-process" />
        </Form.Item>
        <Form.Item
          name="scenario"
          label={t('sharing.scenario')}
          rules={[{ required: true, message: t('form.required') }, { max: 4000 }]}
        >
          <Input.TextArea rows={2} data-testid="apply-scenario" />
        </Form.Item>
        <Form.Item
          name="legalBasis"
          label={t('sharing.legalBasis')}
          extra={t('sharing.legalBasisHelp')}
          rules={[{ max: 2000 }]}
        >
          <Input.TextArea rows={2} data-testid="apply-basis" />
        </Form.Item>
        <Form.Item
          name="methods"
          label={t('sharing.methods')}
          rules={[{ required: true, message: t('form.required') }]}
        >
          <Checkbox.Group
            options={ShareMethod.filter((m) => !r.shareMethods.length || r.shareMethods.includes(m)).map((m) => ({
              value: m,
              label: label('share_method', m),
            }))}
          />
        </Form.Item>
        <Form.Item
          name="validUntil"
          label={t('sharing.validUntil')}
          rules={[{ required: true, message: t('form.required') }]}
        >
          <DatePicker disabledDate={(d) => d.isBefore(dayjs(), 'day')} />
        </Form.Item>
        <Form.Item
          name="systemId"
          label={t('sharing.system')}
          extra={draft.systems.length ? null : t('sharing.noSystem')}
        >
          <Select
            allowClear
            options={draft.systems.map((s) => ({ value: s.id, label: s.name }))}
            data-testid="apply-system"
          />
        </Form.Item>
        <Card
          size="small"
          title={`${t('sharing.commitment')}（v${draft.commitment.version}）`}
          style={{ marginBottom: 16 }}
        >
          <div style={{ whiteSpace: 'pre-wrap' }} data-testid="commitment-text">
            {pick(draft.commitment)}
          </div>
        </Card>
        <Form.Item
          name="accept"
          valuePropName="checked"
          rules={[
            {
              validator: (_, v: boolean) =>
                v ? Promise.resolve() : Promise.reject(new Error(t('sharing.commitmentRequired'))),
            },
          ]}
        >
          <Checkbox data-testid="apply-accept">
            {t('sharing.commitmentAccept', { v: draft.commitment.version })}
          </Checkbox>
        </Form.Item>
        <Button type="primary" loading={busy} onClick={() => void submit()} data-testid="apply-submit">
          {t('sharing.submit')}
        </Button>
      </Form>
    </Card>
  );
}
