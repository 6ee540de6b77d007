// One resource: the approved version, the case in progress, versions with a diff, the timeline; and the
// actions the caller may take (edit, submit, change request, withdraw; approve or return for the Center).
import { useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Form,
  Input,
  Modal,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { get, post } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';
import { can } from '../../abilities.ts';
import { fmtTime, useLoad, useProblem } from '../../ui.tsx';
import { ErrorState, LoadAlert, PageLoading, tableState } from '../../states.tsx';
import { DueTag, StatusTag, useCodes } from './codes.tsx';
import type { Item, ResourceView, Version } from './types.ts';
import type { Dayjs } from 'dayjs';
import { MaskingTab } from './MaskingTab.tsx';
import { DataTab } from '../ingest/DataTab.tsx';

function VersionView({ v }: { v: Version }) {
  const { t } = useI18n();
  const { label } = useCodes();
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Descriptions size="small" column={3} bordered>
        <Descriptions.Item label={t('catalog.name')} span={2}>
          {v.name}
        </Descriptions.Item>
        <Descriptions.Item label={t('catalog.code')}>{v.code}</Descriptions.Item>
        <Descriptions.Item label={t('catalog.summary')} span={3}>
          {v.summary}
        </Descriptions.Item>
        <Descriptions.Item label={t('catalog.category')}>{label('category', v.category)}</Descriptions.Item>
        <Descriptions.Item label={t('catalog.facet.baseLibrary')}>
          {label('base_library', v.baseLibrary)}
        </Descriptions.Item>
        <Descriptions.Item label={t('catalog.format')}>{label('format', v.format)}</Descriptions.Item>
        <Descriptions.Item label={t('catalog.updateCycle')}>{label('update_cycle', v.updateCycle)}</Descriptions.Item>
        <Descriptions.Item label={t('catalog.shareType')}>{t(`share.${v.shareType}` as never)}</Descriptions.Item>
        <Descriptions.Item label={t('catalog.shareMethods')}>
          {(v.shareMethods ?? []).map((m) => label('share_method', m)).join('、') || '—'}
        </Descriptions.Item>
        {v.shareType !== 'unconditional' && (
          <Descriptions.Item label={t('catalog.shareCondition')} span={3}>
            {v.shareCondition}
          </Descriptions.Item>
        )}
        {v.shareType !== 'unconditional' && (
          <Descriptions.Item label={t('catalog.shareBasis')} span={3}>
            {v.shareBasis}
          </Descriptions.Item>
        )}
        <Descriptions.Item label={t('catalog.openAttribute')}>
          {t(`open.${v.openAttribute}` as never)}
        </Descriptions.Item>
        <Descriptions.Item label={t('catalog.securityGrade')}>
          {label('security_grade', v.securityGrade)}
        </Descriptions.Item>
        <Descriptions.Item label={t('catalog.responsible')}>
          {[v.responsiblePerson, v.responsiblePhone].filter(Boolean).join(' ')}
        </Descriptions.Item>
        <Descriptions.Item label={t('catalog.keywords')}>
          {(v.keywords ?? []).map((k) => (
            <Tag key={k}>{k}</Tag>
          ))}
        </Descriptions.Item>
        <Descriptions.Item label={t('nav.policy')}>v{v.policyVersion}</Descriptions.Item>
      </Descriptions>
      <Table<Item>
        rowKey="code"
        size="small"
        pagination={false}
        dataSource={v.items}
        columns={[
          { title: t('catalog.itemName'), dataIndex: 'name' },
          {
            title: t('catalog.itemCode'),
            dataIndex: 'code',
            render: (c) => <Typography.Text code>{c}</Typography.Text>,
          },
          { title: t('catalog.dataType'), dataIndex: 'dataType', render: (d) => label('data_type', d) },
          { title: t('catalog.length'), render: (_, i) => [i.length, i.precision].filter((x) => x != null).join(',') },
          { title: t('catalog.pk'), dataIndex: 'primaryKey', render: (x) => (x ? '✓' : '') },
          { title: t('catalog.required'), dataIndex: 'required', render: (x) => (x ? '✓' : '') },
          {
            title: t('catalog.piiKind'),
            dataIndex: 'piiKind',
            render: (x) => (x ? <Tag color="purple">{label('pii_kind', x)}</Tag> : ''),
          },
          {
            title: t('catalog.valueSet'),
            dataIndex: 'valueSet',
            render: (v?: string[]) => (v?.length ? v.join('、') : ''),
          },
          { title: t('catalog.itemShare'), dataIndex: 'shareType', render: (x) => (x ? t(`share.${x}` as never) : '') },
          ...(Object.keys(v.itemComments ?? {}).length
            ? [
                {
                  title: t('catalog.reviewComment'),
                  render: (_: unknown, i: Item) => (
                    <Typography.Text type="warning">{v.itemComments[i.code]}</Typography.Text>
                  ),
                },
              ]
            : []),
        ]}
      />
    </Space>
  );
}

function DiffView({ id, versions }: { id: string; versions: { version: number }[] }) {
  const { t } = useI18n();
  const [from, setFrom] = useState(versions.at(-1)?.version ?? 1);
  const [to, setTo] = useState(versions[0]?.version ?? 1);
  const d = useLoad(
    () =>
      get<{
        fields: { field: string; before: unknown; after: unknown }[];
        items: { code: string; change: string; fields: { field: string; before: unknown; after: unknown }[] }[];
      }>(`/api/catalog/resources/${id}/diff?from=${from}&to=${to}`),
    [id, from, to],
  );
  const opts = versions.map((v) => ({ value: v.version, label: `v${v.version}` }));
  const show = (x: unknown) =>
    x === null || x === undefined || x === '' ? '—' : Array.isArray(x) ? x.join('、') : String(x);
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <LoadAlert load={d} />
      <Space>
        <Select value={from} options={opts} onChange={setFrom} style={{ width: 90 }} /> →{' '}
        <Select value={to} options={opts} onChange={setTo} style={{ width: 90 }} />
      </Space>
      <Table
        size="small"
        pagination={false}
        rowKey={(r) => r.key}
        locale={{ emptyText: t('catalog.noDiff') }}
        dataSource={[
          ...(d.data?.fields ?? []).map((f) => ({
            key: f.field,
            what: t(`field.${f.field}` as never),
            before: show(f.before),
            after: show(f.after),
          })),
          ...(d.data?.items ?? []).flatMap((i) =>
            i.change === 'changed'
              ? i.fields.map((f) => ({
                  key: `${i.code}.${f.field}`,
                  what: `${t('catalog.item')} ${i.code} · ${t(`field.${f.field}` as never)}`,
                  before: show(f.before),
                  after: show(f.after),
                }))
              : [
                  {
                    key: i.code,
                    what: `${t('catalog.item')} ${i.code}`,
                    before: i.change === 'removed' ? i.code : '—',
                    after: i.change === 'added' ? i.code : t('catalog.removed'),
                  },
                ],
          ),
        ]}
        columns={[
          { title: t('catalog.diffField'), dataIndex: 'what' },
          { title: `v${from}`, dataIndex: 'before', render: (x) => <del>{x}</del> },
          { title: `v${to}`, dataIndex: 'after', render: (x) => <b>{x}</b> },
        ]}
        data-testid="diff-table"
      />
    </Space>
  );
}

export function ResourcePage() {
  const { id } = useParams() as { id: string };
  const tabParam = useSearchParams()[0].get('tab');
  const { t } = useI18n();
  const { me } = useSession();
  const nav = useNavigate();
  const { message } = App.useApp();
  const problem = useProblem();
  const res = useLoad(() => get<ResourceView>(`/api/catalog/resources/${id}`), [id]);
  const versions = useLoad(
    () =>
      get<{ version: number; status: string; kind: string; changeDate: string | null; createdAt: string }[]>(
        `/api/catalog/resources/${id}/versions`,
      ),
    [id],
  );
  const owner = !!me && res.data?.orgId === me.org.id;
  const canTimeline = owner || can(me, 'units.all');
  const timeline = useLoad(
    () =>
      canTimeline
        ? get<{ at: string; actor: string | null; action: string; comment: string | null; version: number }[]>(
            `/api/catalog/resources/${id}/timeline`,
          )
        : Promise.resolve([]),
    [id, canTimeline, res.data],
  );
  const [reviewing, setReviewing] = useState(false);
  const [changing, setChanging] = useState(false);
  const [reviewForm] = Form.useForm();
  const [changeForm] = Form.useForm();
  const compile = owner && can(me, 'catalog.compile');
  const review = can(me, 'catalog.review');
  const w = res.data?.working ?? null;
  const reload = () => {
    res.reload();
    versions.reload();
  };
  async function act(fn: () => Promise<unknown>, ok: string) {
    try {
      await fn();
      void message.success(ok);
      reload();
    } catch (e) {
      problem(e);
    }
  }
  if (!res.data) return res.error ? <ErrorState error={res.error} reload={res.reload} /> : <PageLoading />;
  const r = res.data;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Card
        title={
          <Space>
            {(w ?? r.current)?.name}
            <Typography.Text type="secondary">{r.code}</Typography.Text>
            {r.current && (
              <Tag color="green">
                {t('catalog.inCatalog')} v{r.current.version}
              </Tag>
            )}
          </Space>
        }
        extra={
          <Space>
            {compile && w && (w.status === 'draft' || w.status === 'returned') && (
              <>
                <Button onClick={() => nav(`/catalog/${id}/edit`)} data-testid="res-edit">
                  {t('catalog.edit')}
                </Button>
                <Button
                  type="primary"
                  onClick={() => void act(() => post(`/api/catalog/resources/${id}/submit`), t('catalog.submitted'))}
                  data-testid="res-submit-now"
                >
                  {t('catalog.submit')}
                </Button>
                <Button
                  danger
                  onClick={() => void act(() => post(`/api/catalog/resources/${id}/withdraw`), t('common.done'))}
                >
                  {t('catalog.withdraw')}
                </Button>
              </>
            )}
            {compile && r.current && !w && (
              <Button
                onClick={() => {
                  changeForm.resetFields();
                  setChanging(true);
                }}
                data-testid="res-change"
              >
                {t('catalog.changeRequest')}
              </Button>
            )}
            {!owner && r.current && can(me, 'sharing.apply') && (
              <Button type="primary" onClick={() => nav(`/sharing/apply?resource=${id}`)} data-testid="res-apply">
                {t('sharing.applyFor')}
              </Button>
            )}
            {review && w?.status === 'submitted' && (
              <Button
                type="primary"
                onClick={() => {
                  reviewForm.resetFields();
                  setReviewing(true);
                }}
                data-testid="res-review"
              >
                {t('catalog.review')}
              </Button>
            )}
          </Space>
        }
      >
        {w && (
          <Alert
            style={{ marginBottom: 16 }}
            type={w.status === 'returned' ? 'warning' : 'info'}
            showIcon
            message={
              <Space wrap>
                {t('catalog.workingVersion', { v: w.version })}
                <StatusTag status={w.status} />
                <DueTag due={w.due} />
                {w.kind === 'change' && (
                  <span>{t('catalog.changeInfo', { date: w.changeDate ?? '', due: w.filingDue ?? '' })}</span>
                )}
              </Space>
            }
            description={w.reviewComment ? `${t('catalog.reviewComment')}：${w.reviewComment}` : w.changeReason}
            data-testid="working-banner"
          />
        )}
        <Tabs
          defaultActiveKey={tabParam ?? undefined}
          items={[
            ...(w
              ? [
                  {
                    key: 'working',
                    label: `${t('catalog.workingVersion', { v: w.version })}`,
                    children: <VersionView v={w} />,
                  },
                ]
              : []),
            ...(r.current
              ? [
                  {
                    key: 'current',
                    label: `${t('catalog.inCatalog')} v${r.current.version}`,
                    children: <VersionView v={r.current} />,
                  },
                ]
              : []),
            ...((versions.data?.length ?? 0) > 1
              ? [{ key: 'diff', label: t('catalog.diff'), children: <DiffView id={id} versions={versions.data!} /> }]
              : []),
            {
              key: 'versions',
              label: t('catalog.versions'),
              children: (
                <Table
                  size="small"
                  rowKey="version"
                  pagination={false}
                  {...tableState(versions, t('catalog.noVersions'))}
                  columns={[
                    { title: t('catalog.version'), dataIndex: 'version', render: (v) => `v${v}` },
                    { title: t('users.status'), dataIndex: 'status', render: (s) => <StatusTag status={s} /> },
                    { title: t('catalog.kind'), dataIndex: 'kind', render: (k) => t(`catalog.kind.${k}` as never) },
                    { title: t('catalog.changeDate'), dataIndex: 'changeDate' },
                    { title: t('audit.time'), dataIndex: 'createdAt', render: fmtTime },
                  ]}
                />
              ),
            },
            ...(canTimeline && r.current
              ? [{ key: 'data', label: t('ingest.tab'), children: <DataTab resourceId={id} /> }]
              : []),
            ...(canTimeline && r.current
              ? [
                  {
                    key: 'masking',
                    label: t('masking.tab'),
                    children: <MaskingTab resourceId={id} version={r.current} />,
                  },
                ]
              : []),
            ...(canTimeline
              ? [
                  {
                    key: 'timeline',
                    label: t('catalog.timeline'),
                    children: timeline.error ? (
                      <LoadAlert load={timeline} />
                    ) : (
                      <Timeline
                        items={(timeline.data ?? []).map((e) => ({
                          children: (
                            <span>
                              {fmtTime(e.at)} · <b>{e.actor ?? t('audit.system')}</b> ·{' '}
                              {t(`event.${e.action}` as never)} (v{e.version}){e.comment ? `：${e.comment}` : ''}
                            </span>
                          ),
                        }))}
                      />
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
      <Modal
        open={reviewing}
        title={t('catalog.review')}
        onCancel={() => setReviewing(false)}
        okButtonProps={{ 'data-testid': 'review-ok' } as never}
        // the form exists before the first opening, so resetting it there cannot lose the default decision
        forceRender
        onOk={async () => {
          const v = await reviewForm.validateFields();
          const itemComments = Object.fromEntries(
            Object.entries((v.itemComments ?? {}) as Record<string, string>).filter(([, c]) => c?.trim()),
          );
          await act(
            () =>
              post(`/api/catalog/resources/${id}/review`, {
                decision: v.decision,
                comment: v.comment ?? '',
                itemComments,
              }),
            t('common.done'),
          );
          setReviewing(false);
        }}
        width={720}
      >
        <Form form={reviewForm} layout="vertical" initialValues={{ decision: 'approve' }}>
          <Form.Item name="decision" label={t('catalog.decision')}>
            <Select
              options={[
                { value: 'approve', label: t('catalog.approve') },
                { value: 'return', label: t('catalog.return') },
              ]}
              data-testid="review-decision"
            />
          </Form.Item>
          <Form.Item name="comment" label={t('catalog.reviewComment')} rules={[{ max: 2000 }]}>
            <Input.TextArea rows={3} data-testid="review-comment-input" />
          </Form.Item>
          <Typography.Text type="secondary">{t('catalog.itemComments')}</Typography.Text>
          {w?.items.map((i) => (
            <Form.Item
              key={i.code}
              name={['itemComments', i.code]}
              label={`${i.name} (${i.code})`}
              style={{ marginBottom: 8 }}
            >
              <Input />
            </Form.Item>
          ))}
        </Form>
      </Modal>
      <Modal
        open={changing}
        title={t('catalog.changeRequest')}
        onCancel={() => setChanging(false)}
        onOk={async () => {
          const v = (await changeForm.validateFields()) as { changeDate: Dayjs; reason: string };
          await act(
            () =>
              post(`/api/catalog/resources/${id}/change`, {
                changeDate: v.changeDate.format('YYYY-MM-DD'),
                reason: v.reason,
              }),
            t('catalog.changeStarted'),
          );
          setChanging(false);
        }}
      >
        <Form form={changeForm} layout="vertical">
          <Form.Item
            name="changeDate"
            label={t('catalog.changeDate')}
            extra={t('catalog.changeDateHelp')}
            rules={[{ required: true, message: t('form.required') }]}
          >
            <DatePicker />
          </Form.Item>
          <Form.Item
            name="reason"
            label={t('catalog.changeReason')}
            rules={[{ required: true, message: t('form.required') }, { max: 1000 }]}
          >
            <Input.TextArea rows={3} />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
