// Compile or edit a resource draft: fields, and an item grid (add, reorder, paste rows from Excel).
import { useEffect, useMemo, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Col,
  Form,
  Input,
  InputNumber,
  Modal,
  Result,
  Row,
  Select,
  Space,
  Table,
  Typography,
} from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined } from '@ant-design/icons';
import { useNavigate, useParams } from 'react-router-dom';
import { ApiError, get, post, put } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useProblem, useLoad } from '../../ui.tsx';
import { ErrorState, LoadAlert, PageLoading } from '../../states.tsx';
import { useCodes } from './codes.tsx';
import type { Item, ResourceFields, ResourceView } from './types.ts';

const NATIONAL_TYPES: Record<string, string> = {
  C: 'string',
  M: 'string',
  G: 'string',
  N: 'decimal',
  Y: 'decimal',
  B: 'decimal',
  F: 'decimal',
  I: 'integer',
  D: 'date',
  T: 'datetime',
  L: 'boolean',
};

/** A pasted row that cannot be taken, said in the console's language where it is shown. */
export interface PasteProblem {
  row: number;
  key: 'catalog.pasteNeedsNameCode' | 'catalog.pasteUnknownType';
  value?: string;
}

/** Rows pasted from a spreadsheet: name, code, type, length, precision, required, primary key, description. */
export function parsePastedItems(
  text: string,
  typeOf: (s: string) => string | null,
): { items: Item[]; problems: PasteProblem[] } {
  const items: Item[] = [];
  const problems: PasteProblem[] = [];
  const yes = (s: string | undefined) => !!s && /^(1|y|yes|true|是|√|✓)$/i.test(s.trim());
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const c = line.split('\t').map((x) => x.trim());
    if (i === 0 && /名称|name/i.test(c[0] ?? '')) return; // a header row
    const dataType = typeOf(c[2] ?? '') ?? (c[2] ? null : 'string');
    if (!c[0] || !c[1]) problems.push({ row: i + 1, key: 'catalog.pasteNeedsNameCode' });
    else if (!dataType) problems.push({ row: i + 1, key: 'catalog.pasteUnknownType', value: c[2] ?? '' });
    else
      items.push({
        name: c[0],
        code: c[1],
        dataType,
        length: c[3] && /^\d+$/.test(c[3]) ? Number(c[3]) : null,
        precision: c[4] && /^\d+$/.test(c[4]) ? Number(c[4]) : null,
        required: yes(c[5]) || yes(c[6]),
        primaryKey: yes(c[6]),
        description: c[7] || null,
        sensitivity: 'none',
      });
  });
  return { items, problems };
}

const EMPTY: ResourceFields = {
  name: '',
  category: 'department',
  baseLibrary: 'none',
  format: 'table',
  updateCycle: 'monthly',
  shareType: 'unconditional',
  openAttribute: 'closed',
  securityGrade: 'L1',
  shareMethods: ['api'],
  keywords: [],
  items: [],
};

export function ResourceEditor() {
  const { id } = useParams();
  const { t, pick } = useI18n();
  const nav = useNavigate();
  const { message } = App.useApp();
  const problem = useProblem();
  const { options, tables } = useCodes();
  const [form] = Form.useForm<ResourceFields>();
  const [items, setItems] = useState<Item[]>([]);
  const [itemErrors, setItemErrors] = useState<Record<string, string>>({});
  const [pasting, setPasting] = useState(false);
  const [pasteText, setPasteText] = useState('');
  const [busy, setBusy] = useState(false);
  const existing = useLoad(
    () => (id ? get<ResourceView>(`/api/catalog/resources/${id}`) : Promise.resolve(null)),
    [id],
  );
  const systems = useLoad(() => get<{ id: string; name: string }[]>('/api/catalog/systems'), []);
  const working = existing.data?.working ?? null;

  useEffect(() => {
    if (id && working) {
      form.setFieldsValue(working);
      setItems(working.items);
    } else if (!id) {
      form.setFieldsValue(EMPTY);
      setItems([]);
    }
  }, [id, working, form]);

  const typeOf = useMemo(() => {
    const dt = tables.find((x) => x.key === 'data_type')?.codes ?? [];
    return (s: string) => {
      const v = s.trim();
      if (!v) return null;
      if (NATIONAL_TYPES[v.toUpperCase()]) return NATIONAL_TYPES[v.toUpperCase()]!;
      return (
        dt.find((c) => c.code === v || c.zh === v || c.zh.startsWith(v) || c.en.toLowerCase() === v.toLowerCase())
          ?.code ?? null
      );
    };
  }, [tables]);

  const setItem = (i: number, patch: Partial<Item>) =>
    setItems(items.map((x, k) => (k === i ? { ...x, ...patch } : x)));
  const move = (i: number, d: number) => {
    const j = i + d;
    if (j < 0 || j >= items.length) return;
    const next = [...items];
    [next[i], next[j]] = [next[j]!, next[i]!];
    setItems(next);
  };

  async function save(submit: boolean) {
    let fields: ResourceFields;
    try {
      fields = await form.validateFields();
    } catch {
      return;
    }
    const body = { ...fields, items: items.map(({ position: _p, ...rest }) => rest) };
    setBusy(true);
    setItemErrors({});
    try {
      let rid = id;
      if (!rid) rid = (await post<{ id: string; code: string }>('/api/catalog/resources', body)).id;
      else await put(`/api/catalog/resources/${rid}/draft`, body);
      if (submit) await post(`/api/catalog/resources/${rid}/submit`);
      void message.success(submit ? t('catalog.submitted') : t('catalog.saved'));
      nav(`/catalog/${rid}`);
    } catch (e) {
      if (e instanceof ApiError) {
        const ie: Record<string, string> = {};
        for (const f of e.fields) {
          if (f.field === 'items') ie[''] = pick(f.message);
          else if (f.field.startsWith('items.')) ie[f.field.split('.').slice(1, 3).join('.')] = pick(f.message);
        }
        setItemErrors(ie);
      }
      problem(e, form);
    } finally {
      setBusy(false);
    }
  }

  /** Suggests PII kinds from item names; the unit accepts or edits them before saving. */
  async function detectPii() {
    const named = items.filter((i) => i.name.trim());
    if (!named.length) return;
    try {
      const r = await post<{ name: string; suggestion: { kind: string; confidence: number } | null }[]>(
        '/api/masking/suggest',
        { names: named.map((i) => i.name) },
      );
      let n = 0;
      const next = items.map((it) => {
        const s = r.find((x) => x.name === it.name)?.suggestion;
        if (!s || it.piiKind || s.kind === 'uscc') return it;
        n++;
        return {
          ...it,
          piiKind: s.kind,
          sensitivity: ['id_card', 'bank_card', 'passport'].includes(s.kind) ? 'sensitive_personal' : 'personal',
        };
      });
      setItems(next);
      void message.info(t('masking.detected', { n }));
    } catch (e) {
      problem(e);
    }
  }

  const err = (i: number, f: string) => itemErrors[`${i}.${f}`];
  const cell = (i: number, f: string, node: React.ReactNode) => (
    <div>
      {node}
      {err(i, f) && (
        <Typography.Text type="danger" style={{ fontSize: 12 }}>
          {err(i, f)}
        </Typography.Text>
      )}
    </div>
  );

  if (id && existing.error) return <ErrorState error={existing.error} reload={existing.reload} />;
  if (id && !existing.data) return <PageLoading />;
  if (id && !working)
    return (
      <Result
        status="info"
        title={t('catalog.noDraft')}
        extra={<Button onClick={() => nav(`/catalog/${id}`)}>{t('common.back')}</Button>}
        data-testid="no-draft"
      />
    );
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <LoadAlert load={systems} />
      {working?.status === 'returned' && (
        <Alert
          type="warning"
          showIcon
          message={t('catalog.returnedWith')}
          description={working.reviewComment}
          data-testid="review-comment"
        />
      )}
      {working?.kind === 'change' && (
        <Alert
          type="info"
          showIcon
          message={t('catalog.changeInfo', { date: working.changeDate ?? '', due: working.filingDue ?? '' })}
          description={working.changeReason}
        />
      )}
      <Card title={id ? `${t('catalog.edit')} · ${existing.data?.code ?? ''}` : t('catalog.new')}>
        <Form form={form} layout="vertical" initialValues={EMPTY}>
          <Row gutter={16}>
            <Col span={12}>
              <Form.Item
                name="name"
                label={t('catalog.name')}
                rules={[{ required: true, message: t('form.required') }, { max: 200 }]}
              >
                <Input data-testid="res-name" />
              </Form.Item>
            </Col>
            <Col span={6}>
              <Form.Item name="category" label={t('catalog.category')} rules={[{ required: true }]}>
                <Select options={options('category')} disabled={!!id} />
              </Form.Item>
            </Col>
            <Col span={6}>
              <Form.Item name="baseLibrary" label={t('catalog.facet.baseLibrary')} rules={[{ required: true }]}>
                <Select options={options('base_library')} />
              </Form.Item>
            </Col>
            <Col span={24}>
              <Form.Item name="summary" label={t('catalog.summary')} rules={[{ max: 2000 }]}>
                <Input.TextArea rows={2} data-testid="res-summary" />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item name="keywords" label={t('catalog.keywords')}>
                <Select mode="tags" tokenSeparators={[',', '，', ' ']} />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item name="systemId" label={t('catalog.system')}>
                <Select allowClear options={(systems.data ?? []).map((s) => ({ value: s.id, label: s.name }))} />
              </Form.Item>
            </Col>
            <Col span={4}>
              <Form.Item name="format" label={t('catalog.format')} rules={[{ required: true }]}>
                <Select options={options('format')} />
              </Form.Item>
            </Col>
            <Col span={4}>
              <Form.Item name="updateCycle" label={t('catalog.updateCycle')} rules={[{ required: true }]}>
                <Select options={options('update_cycle')} />
              </Form.Item>
            </Col>
            <Col span={6}>
              <Form.Item name="shareType" label={t('catalog.shareType')} rules={[{ required: true }]}>
                <Select
                  options={['unconditional', 'conditional', 'none'].map((v) => ({
                    value: v,
                    label: t(`share.${v}` as never),
                  }))}
                  data-testid="res-share-type"
                />
              </Form.Item>
            </Col>
            <Col span={9}>
              <Form.Item name="shareCondition" label={t('catalog.shareCondition')}>
                <Input />
              </Form.Item>
            </Col>
            <Col span={9}>
              <Form.Item name="shareBasis" label={t('catalog.shareBasis')}>
                <Input />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item name="shareMethods" label={t('catalog.shareMethods')}>
                <Select mode="multiple" options={options('share_method')} />
              </Form.Item>
            </Col>
            <Col span={4}>
              <Form.Item name="openAttribute" label={t('catalog.openAttribute')}>
                <Select
                  options={['closed', 'conditional', 'open'].map((v) => ({ value: v, label: t(`open.${v}` as never) }))}
                />
              </Form.Item>
            </Col>
            <Col span={4}>
              <Form.Item name="securityGrade" label={t('catalog.securityGrade')}>
                <Select options={options('security_grade')} />
              </Form.Item>
            </Col>
            <Col span={4}>
              <Form.Item name="responsiblePerson" label={t('catalog.responsible')}>
                <Input data-testid="res-person" />
              </Form.Item>
            </Col>
            <Col span={4}>
              <Form.Item name="responsiblePhone" label={t('orgs.contactPhone')}>
                <Input />
              </Form.Item>
            </Col>
          </Row>
        </Form>
      </Card>
      <Card
        title={t('catalog.items')}
        extra={
          <Space>
            <Button onClick={() => void detectPii()} data-testid="items-detect">
              {t('masking.detect')}
            </Button>
            <Button onClick={() => setPasting(true)} data-testid="items-paste">
              {t('catalog.pasteExcel')}
            </Button>
            <Button
              onClick={() => setItems([...items, { name: '', code: '', dataType: 'string', sensitivity: 'none' }])}
              data-testid="item-add"
            >
              {t('catalog.addItem')}
            </Button>
          </Space>
        }
      >
        {itemErrors[''] && <Alert type="error" showIcon message={itemErrors['']} style={{ marginBottom: 8 }} />}
        <Table<Item>
          rowKey={(_, i) => String(i)}
          size="small"
          pagination={false}
          dataSource={items}
          data-testid="items-grid"
          columns={[
            { title: '#', width: 40, render: (_, __, i) => i + 1 },
            {
              title: t('catalog.itemName'),
              render: (_, r, i) =>
                cell(
                  i,
                  'name',
                  <Input
                    value={r.name}
                    onChange={(e) => setItem(i, { name: e.target.value })}
                    data-testid={`item-name-${i}`}
                  />,
                ),
            },
            {
              title: t('catalog.itemCode'),
              render: (_, r, i) =>
                cell(
                  i,
                  'code',
                  <Input
                    value={r.code}
                    onChange={(e) => setItem(i, { code: e.target.value })}
                    data-testid={`item-code-${i}`}
                  />,
                ),
            },
            {
              title: t('catalog.dataType'),
              width: 130,
              render: (_, r, i) =>
                cell(
                  i,
                  'dataType',
                  <Select
                    value={r.dataType}
                    options={options('data_type')}
                    onChange={(v) => setItem(i, { dataType: v })}
                    style={{ width: '100%' }}
                  />,
                ),
            },
            {
              title: t('catalog.length'),
              width: 90,
              render: (_, r, i) =>
                cell(
                  i,
                  'length',
                  <InputNumber value={r.length ?? null} min={1} onChange={(v) => setItem(i, { length: v })} />,
                ),
            },
            {
              title: t('catalog.precision'),
              width: 80,
              render: (_, r, i) =>
                cell(
                  i,
                  'precision',
                  <InputNumber value={r.precision ?? null} min={0} onChange={(v) => setItem(i, { precision: v })} />,
                ),
            },
            {
              title: t('catalog.required'),
              width: 60,
              render: (_, r, i) =>
                cell(
                  i,
                  'required',
                  <Checkbox checked={!!r.required} onChange={(e) => setItem(i, { required: e.target.checked })} />,
                ),
            },
            {
              title: t('catalog.pk'),
              width: 60,
              render: (_, r, i) =>
                cell(
                  i,
                  'primaryKey',
                  <Checkbox
                    checked={!!r.primaryKey}
                    onChange={(e) =>
                      setItem(i, { primaryKey: e.target.checked, required: e.target.checked || r.required })
                    }
                    data-testid={`item-pk-${i}`}
                  />,
                ),
            },
            {
              title: t('catalog.piiKind'),
              width: 130,
              render: (_, r, i) =>
                cell(
                  i,
                  'piiKind',
                  <Select
                    allowClear
                    value={r.piiKind ?? undefined}
                    options={options('pii_kind')}
                    onChange={(v) =>
                      setItem(i, {
                        piiKind: v ?? null,
                        sensitivity: v
                          ? ['id_card', 'bank_card', 'passport'].includes(v)
                            ? 'sensitive_personal'
                            : 'personal'
                          : 'none',
                      })
                    }
                    style={{ width: '100%' }}
                  />,
                ),
            },
            {
              title: t('catalog.sensitivity'),
              width: 130,
              render: (_, r, i) =>
                cell(
                  i,
                  'sensitivity',
                  <Select
                    value={r.sensitivity ?? 'none'}
                    options={options('sensitivity')}
                    onChange={(v) => setItem(i, { sensitivity: v })}
                    style={{ width: '100%' }}
                  />,
                ),
            },
            {
              title: t('catalog.valueSet'),
              width: 170,
              render: (_, r, i) =>
                cell(
                  i,
                  'valueSet',
                  <Select
                    mode="tags"
                    value={r.valueSet ?? []}
                    onChange={(v: string[]) => setItem(i, { valueSet: v })}
                    tokenSeparators={['、', ',', '，']}
                    open={false}
                    placeholder={t('catalog.valueSetHint')}
                    style={{ width: '100%' }}
                    data-testid={`item-values-${i}`}
                  />,
                ),
            },
            {
              title: t('catalog.itemShare'),
              width: 120,
              render: (_, r, i) =>
                cell(
                  i,
                  'shareType',
                  <Select
                    allowClear
                    value={r.shareType ?? undefined}
                    options={['conditional', 'none'].map((v) => ({ value: v, label: t(`share.${v}` as never) }))}
                    onChange={(v) => setItem(i, { shareType: v ?? null })}
                    style={{ width: '100%' }}
                  />,
                ),
            },
            ...(working?.itemComments && Object.keys(working.itemComments).length
              ? [
                  {
                    title: t('catalog.reviewComment'),
                    render: (_: unknown, r: Item) => (
                      <Typography.Text type="warning">{working.itemComments[r.code]}</Typography.Text>
                    ),
                  },
                ]
              : []),
            {
              title: '',
              width: 110,
              render: (_, __, i) => (
                <Space size={0}>
                  <Button size="small" type="text" icon={<ArrowUpOutlined />} onClick={() => move(i, -1)} />
                  <Button size="small" type="text" icon={<ArrowDownOutlined />} onClick={() => move(i, 1)} />
                  <Button
                    size="small"
                    type="text"
                    danger
                    icon={<DeleteOutlined />}
                    onClick={() => setItems(items.filter((_x, k) => k !== i))}
                  />
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <Space>
        <Button onClick={() => void save(false)} loading={busy} data-testid="res-save">
          {t('common.save')}
        </Button>
        <Button type="primary" onClick={() => void save(true)} loading={busy} data-testid="res-submit">
          {t('catalog.saveSubmit')}
        </Button>
        <Button onClick={() => nav(-1)}>{t('common.cancel')}</Button>
      </Space>
      <Modal
        open={pasting}
        title={t('catalog.pasteExcel')}
        onCancel={() => setPasting(false)}
        onOk={() => {
          const r = parsePastedItems(pasteText, typeOf);
          if (r.problems.length) {
            void message.error(
              r.problems
                .slice(0, 5)
                .map((p) => t('catalog.pasteProblem', { n: p.row, what: t(p.key, { value: p.value ?? '' }) }))
                .join('；'),
            );
            return;
          }
          setItems([...items, ...r.items]);
          setPasteText('');
          setPasting(false);
        }}
      >
        <Typography.Paragraph type="secondary">{t('catalog.pasteHelp')}</Typography.Paragraph>
        <Input.TextArea
          rows={8}
          value={pasteText}
          onChange={(e) => setPasteText(e.target.value)}
          placeholder={'名称\t代码\t类型\t长度\t精度\t必填\t主键\t说明'}
          data-testid="paste-text"
        />
      </Modal>
    </Space>
  );
}
