// The rule editor: a rule of a kind on a resource's items, with what its check needs (a validator, allowed values,
// a range, a pattern, the least rows, the resource and items to compare with). New, or a change of an existing rule.
import { useState } from 'react';
import { Form, Input, InputNumber, Modal, Select, Switch, Typography } from 'antd';
import { get, patch, post } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useLoad, useProblem } from '../../ui.tsx';
import { QualityKind, QualityValidator } from '../../api.enums.gen.ts';
import type { Reply } from '../../api.types.ts';
import type { Rule } from './parts.tsx';

type Overview = Reply<'/api/ingest/resources'>;
type DataResource = Reply<'/api/ingest/resources/{ref}'>;

const CHECKS: Record<string, string[]> = {
  completeness: ['not_null', 'row_count'],
  validity: ['validator', 'value_set', 'range', 'pattern', 'not_future'],
};

export function RuleModal({
  rule,
  resourceId,
  onClose,
}: {
  rule?: Rule;
  resourceId?: string;
  onClose(id: string | null): void;
}) {
  const { t } = useI18n();
  const problem = useProblem();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const resources = useLoad(() => get<Overview>('/api/ingest/resources'), []);
  const chosen = (Form.useWatch('resourceId', form) as string | undefined) ?? rule?.resourceId ?? resourceId;
  const kind = (Form.useWatch('kind', form) as string | undefined) ?? rule?.kind;
  const check = Form.useWatch(['params', 'check'], form) as string | undefined;
  const refId = Form.useWatch(['params', 'refResourceId'], form) as string | undefined;
  const res = useLoad(
    () => (chosen ? get<DataResource>(`/api/ingest/resources/${chosen}`) : Promise.resolve(null)),
    [chosen],
  );
  const ref = useLoad(
    () => (refId ? get<DataResource>(`/api/ingest/resources/${refId}`) : Promise.resolve(null)),
    [refId],
  );
  const items = (res.data?.items ?? []).map((i) => ({ value: i.code, label: `${i.name}（${i.code}）` }));
  const checks = kind ? CHECKS[kind] : undefined;
  const single = kind === 'validity';
  const noItems =
    kind === 'timeliness' || kind === 'single_source' || (kind === 'completeness' && check === 'row_count');
  const ok = async () => {
    const v = (await form.validateFields().catch(() => null)) as {
      resourceId?: string;
      kind?: string;
      name?: string;
      items?: string[] | string;
      params?: Record<string, unknown>;
      active?: boolean;
    } | null;
    if (!v) return;
    const body = {
      ...(rule ? {} : { resourceId: v.resourceId, kind: v.kind }),
      name: v.name?.trim() || undefined,
      items: noItems ? [] : Array.isArray(v.items) ? v.items : v.items ? [v.items] : [],
      params: Object.fromEntries(
        Object.entries(v.params ?? {}).filter(([, x]) => x !== undefined && x !== null && x !== ''),
      ),
      ...(rule ? { active: v.active } : {}),
    };
    if (body.params.minRows !== undefined) body.params.minRows = Number(body.params.minRows);
    setBusy(true);
    try {
      const r = rule
        ? await patch<Rule>(`/api/quality/rules/${rule.id}`, body)
        : await post<Rule>('/api/quality/rules', body);
      onClose(r.id);
    } catch (e) {
      problem(e, form);
    } finally {
      setBusy(false);
    }
  };
  const required = [{ required: true, message: t('form.required') }];
  return (
    <Modal
      open
      width={680}
      title={rule ? t('quality.editRule') : t('quality.newRule')}
      onCancel={() => onClose(null)}
      onOk={() => void ok()}
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'rule-ok' } as never}
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={
          rule
            ? { name: rule.name, items: single ? rule.items[0] : rule.items, params: rule.params, active: rule.active }
            : { resourceId, kind: 'completeness', params: { check: 'not_null' } }
        }
      >
        {!rule && (
          <>
            <Form.Item name="resourceId" label={t('quality.resource')} rules={required}>
              <Select
                showSearch
                optionFilterProp="label"
                loading={resources.loading}
                data-testid="rule-resource"
                options={(resources.data ?? [])
                  .filter((r) => r.table)
                  .map((r) => ({ value: r.id, label: `${r.name}（${r.orgName}）` }))}
              />
            </Form.Item>
            <Form.Item name="kind" label={t('quality.kind')} rules={required}>
              <Select
                data-testid="rule-kind"
                options={QualityKind.map((k) => ({ value: k, label: t(`quality.kind.${k}`) }))}
                onChange={(k: string) => form.setFieldsValue({ items: undefined, params: { check: CHECKS[k]?.[0] } })}
              />
            </Form.Item>
          </>
        )}
        {checks && (
          <Form.Item name={['params', 'check']} label={t('quality.check')} rules={required}>
            <Select
              data-testid="rule-check"
              options={checks.map((c) => ({ value: c, label: t(`quality.check.${c}` as never) }))}
            />
          </Form.Item>
        )}
        {!noItems && (
          <Form.Item
            name="items"
            label={t('quality.items')}
            rules={required}
            extra={t(`quality.itemsHelp.${kind ?? 'completeness'}` as never)}
          >
            <Select
              mode={single ? undefined : 'multiple'}
              loading={res.loading}
              options={items}
              data-testid="rule-items"
            />
          </Form.Item>
        )}
        {kind === 'completeness' && check === 'row_count' && (
          <Form.Item name={['params', 'minRows']} label={t('quality.minRows')} rules={required}>
            <InputNumber min={1} style={{ width: 200 }} />
          </Form.Item>
        )}
        {kind === 'validity' && check === 'validator' && (
          <Form.Item name={['params', 'validator']} label={t('quality.validator')} rules={required}>
            <Select options={QualityValidator.map((v) => ({ value: v, label: t(`quality.validator.${v}`) }))} />
          </Form.Item>
        )}
        {kind === 'validity' && check === 'value_set' && (
          <Form.Item name={['params', 'values']} label={t('quality.values')} rules={required}>
            <Select mode="tags" tokenSeparators={[',', '，', '、']} />
          </Form.Item>
        )}
        {kind === 'validity' && check === 'range' && (
          <>
            <Form.Item name={['params', 'min']} label={t('quality.min')} extra={t('quality.rangeHelp')}>
              <Input style={{ width: 240 }} data-testid="rule-min" />
            </Form.Item>
            <Form.Item name={['params', 'max']} label={t('quality.max')}>
              <Input style={{ width: 240 }} data-testid="rule-max" />
            </Form.Item>
          </>
        )}
        {kind === 'validity' && check === 'pattern' && (
          <Form.Item
            name={['params', 'pattern']}
            label={t('quality.pattern')}
            rules={required}
            extra={t('quality.patternHelp')}
          >
            <Input />
          </Form.Item>
        )}
        {kind === 'consistency' && (
          <>
            <Form.Item name={['params', 'refResourceId']} label={t('quality.refResource')} rules={required}>
              <Select
                showSearch
                optionFilterProp="label"
                options={(resources.data ?? [])
                  .filter((r) => r.table && r.id !== chosen)
                  .map((r) => ({ value: r.id, label: `${r.name}（${r.orgName}）` }))}
              />
            </Form.Item>
            <Form.Item
              name={['params', 'refItems']}
              label={t('quality.refItems')}
              rules={required}
              extra={t('quality.refItemsHelp')}
            >
              <Select
                mode="multiple"
                loading={ref.loading}
                options={(ref.data?.items ?? []).map((i) => ({ value: i.code, label: `${i.name}（${i.code}）` }))}
              />
            </Form.Item>
          </>
        )}
        <Form.Item name="name" label={t('quality.ruleName')} extra={t('quality.nameHelp')}>
          <Input maxLength={200} data-testid="rule-name" />
        </Form.Item>
        {rule && (
          <Form.Item name="active" label={t('quality.active')} valuePropName="checked">
            <Switch />
          </Form.Item>
        )}
        {kind === 'timeliness' && (
          <Typography.Paragraph type="secondary">{t('quality.timelinessHelp')}</Typography.Paragraph>
        )}
        {kind === 'single_source' && (
          <Typography.Paragraph type="secondary">{t('quality.singleSourceHelp')}</Typography.Paragraph>
        )}
      </Form>
    </Modal>
  );
}
