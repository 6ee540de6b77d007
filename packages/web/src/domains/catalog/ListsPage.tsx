// The regulation's lists: responsibility (§13), non-share (§14), demands (§11-12) with topic libraries.
import { useState } from 'react';
import { Button, Card, Form, Input, Modal, Select, Space, Table, Tabs, Tag } from 'antd';
import { useNavigate } from 'react-router-dom';
import { get, post } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';
import { can } from '../../abilities.ts';
import { fmtTime, useLoad, useProblem } from '../../ui.tsx';
import { LoadAlert, tableState } from '../../states.tsx';
import { useCodes } from './codes.tsx';
import type { Org } from '../../types.ts';
import type { Reply } from '../../api.types.ts';

type Demand = Reply<'/api/demands'>[number];
const STATUS_COLOR: Record<string, string> = {
  submitted: 'processing',
  matched: 'success',
  topic_approved: 'purple',
  rejected: 'default',
};

function Demands() {
  const { t } = useI18n();
  const { me } = useSession();
  const problem = useProblem();
  const nav = useNavigate();
  const list = useLoad(() => get<Demand[]>('/api/demands'), []);
  const orgs = useLoad(() => get<Org[]>('/api/orgs'), []);
  const [filing, setFiling] = useState(false);
  const [reviewing, setReviewing] = useState<Demand | null>(null);
  const [form] = Form.useForm();
  const [rform] = Form.useForm();
  const outcome = Form.useWatch('outcome', rform) as string | undefined;
  const [resourceOptions, setResourceOptions] = useState<{ value: string; label: string }[]>([]);
  const searchResources = async (q: string) => {
    const r = await get<{ items: { id: string; code: string; name: string; orgName: string }[] }>(
      `/api/catalog/resources?q=${encodeURIComponent(q)}&limit=20`,
    );
    setResourceOptions(r.items.map((i) => ({ value: i.id, label: `${i.name}（${i.orgName}）` })));
  };
  const orgOptions = (orgs.data ?? []).map((o) => ({ value: o.id, label: o.name }));
  return (
    <>
      <Space style={{ marginBottom: 12 }}>
        {can(me, 'catalog.compile') && (
          <Button
            type="primary"
            onClick={() => {
              form.resetFields();
              setFiling(true);
            }}
          >
            {t('lists.fileDemand')}
          </Button>
        )}
        <Button href="/api/demands.xlsx">{t('lists.exportXlsx')}</Button>
      </Space>
      <LoadAlert load={orgs} />
      <Table<Demand>
        rowKey="id"
        size="middle"
        {...tableState(list, t('demands.none'))}
        expandable={{
          expandedRowRender: (d) => (
            <Space direction="vertical">
              <span>
                {t('lists.dataNeeded')}：{d.dataNeeded}
              </span>
              <span>
                {t('lists.purpose')}：{d.purpose}
              </span>
              <span>
                {t('lists.legalBasis')}：{d.legalBasis}
              </span>
              {d.reviewComment && (
                <span>
                  {t('catalog.reviewComment')}：{d.reviewComment}
                </span>
              )}
            </Space>
          ),
        }}
        columns={[
          { title: t('lists.demandUnit'), dataIndex: 'orgName' },
          { title: t('lists.demandTitle'), dataIndex: 'title' },
          { title: t('lists.holder'), dataIndex: 'holderName' },
          {
            title: t('users.status'),
            dataIndex: 'status',
            render: (s: string, d) => (
              <Space>
                <Tag color={STATUS_COLOR[s]}>{t(`demand.${s}` as never)}</Tag>
                {d.projectName && <Tag>{d.projectName}</Tag>}
              </Space>
            ),
          },
          { title: t('review.submittedAt'), dataIndex: 'createdAt', render: fmtTime },
          {
            title: '',
            render: (_, d) =>
              // one step from a matched demand to the sharing application for each resource the Center named
              d.status === 'matched' && d.orgId === me?.org.id && can(me, 'sharing.apply') ? (
                <Space wrap>
                  {d.matchedResourceIds.map((r, i) => (
                    <Button
                      key={r}
                      size="small"
                      type="primary"
                      onClick={() => nav(`/sharing/apply?resource=${r}&demand=${d.id}`)}
                      data-testid="demand-apply"
                    >
                      {t('sharing.fromDemand')}
                      {d.matchedResourceIds.length > 1 ? ` ${i + 1}` : ''}
                    </Button>
                  ))}
                </Space>
              ) : can(me, 'catalog.review') && d.status === 'submitted' ? (
                <Button
                  size="small"
                  onClick={() => {
                    rform.resetFields();
                    rform.setFieldsValue({ outcome: 'matched' });
                    setReviewing(d);
                  }}
                >
                  {t('catalog.review')}
                </Button>
              ) : null,
          },
        ]}
      />
      <Modal
        open={filing}
        title={t('lists.fileDemand')}
        onCancel={() => setFiling(false)}
        onOk={async () => {
          const v = await form.validateFields();
          try {
            await post('/api/demands', { ...v, holderOrgId: v.holderOrgId ?? null });
            setFiling(false);
            list.reload();
          } catch (e) {
            problem(e, form);
          }
        }}
      >
        <Form form={form} layout="vertical">
          <Form.Item
            name="title"
            label={t('lists.demandTitle')}
            rules={[{ required: true, message: t('form.required') }, { max: 200 }]}
          >
            <Input />
          </Form.Item>
          <Form.Item
            name="dataNeeded"
            label={t('lists.dataNeeded')}
            rules={[{ required: true, message: t('form.required') }, { max: 2000 }]}
          >
            <Input.TextArea rows={2} />
          </Form.Item>
          <Form.Item
            name="purpose"
            label={t('lists.purpose')}
            rules={[{ required: true, message: t('form.required') }, { max: 2000 }]}
          >
            <Input.TextArea rows={2} />
          </Form.Item>
          <Form.Item
            name="legalBasis"
            label={t('lists.legalBasis')}
            rules={[{ required: true, message: t('form.required') }, { max: 1000 }]}
          >
            <Input />
          </Form.Item>
          <Form.Item name="holderOrgId" label={t('lists.holder')}>
            <Select allowClear showSearch optionFilterProp="label" options={orgOptions} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={!!reviewing}
        title={`${t('catalog.review')} · ${reviewing?.title ?? ''}`}
        width={640}
        onCancel={() => setReviewing(null)}
        onOk={async () => {
          const v = await rform.validateFields();
          const body =
            v.outcome === 'matched'
              ? { outcome: 'matched', comment: v.comment, resourceIds: v.resourceIds ?? [] }
              : v.outcome === 'topic'
                ? {
                    outcome: 'topic',
                    comment: v.comment,
                    project: {
                      name: v.projectName,
                      kind: v.projectKind ?? 'topic',
                      memberOrgIds: v.memberOrgIds ?? [],
                      targetResourceIds: v.resourceIds ?? [],
                    },
                  }
                : { outcome: 'rejected', comment: v.comment };
          try {
            await post(`/api/demands/${reviewing!.id}/review`, body);
            setReviewing(null);
            list.reload();
          } catch (e) {
            problem(e, rform);
          }
        }}
      >
        <Form form={rform} layout="vertical">
          <Form.Item name="outcome" label={t('catalog.decision')}>
            <Select
              options={['matched', 'topic', 'rejected'].map((o) => ({
                value: o,
                label: t(`demand.outcome.${o}` as never),
              }))}
            />
          </Form.Item>
          {outcome !== 'rejected' && (
            <Form.Item name="resourceIds" label={t('lists.resources')}>
              <Select
                mode="multiple"
                showSearch
                filterOption={false}
                onSearch={(q) => void searchResources(q)}
                options={resourceOptions}
                placeholder={t('catalog.searchPlaceholder')}
              />
            </Form.Item>
          )}
          {outcome === 'topic' && (
            <>
              <Form.Item
                name="projectName"
                label={t('lists.projectName')}
                rules={[{ required: true, message: t('form.required') }]}
              >
                <Input />
              </Form.Item>
              <Form.Item name="projectKind" label={t('catalog.kind')} initialValue="topic">
                <Select
                  options={[
                    { value: 'topic', label: t('lists.topic') },
                    { value: 'special', label: t('lists.special') },
                  ]}
                />
              </Form.Item>
              <Form.Item name="memberOrgIds" label={t('lists.members')}>
                <Select mode="multiple" showSearch optionFilterProp="label" options={orgOptions} />
              </Form.Item>
            </>
          )}
          <Form.Item name="comment" label={t('catalog.reviewComment')} rules={[{ max: 2000 }]}>
            <Input.TextArea rows={2} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

export function ListsPage() {
  const { t } = useI18n();
  const { label } = useCodes();
  const resp = useLoad(
    () =>
      get<
        {
          id: string;
          code: string;
          name: string;
          orgName: string;
          responsiblePerson: string | null;
          responsiblePhone: string | null;
          updateCycle: string;
          aggregationStatus: string;
          rowCount: number | null;
          lastLoadAt: string | null;
        }[]
      >('/api/catalog/lists/responsibility'),
    [],
  );
  const nonShare = useLoad(
    () =>
      get<
        {
          id: string;
          code: string;
          name: string;
          orgName: string;
          itemCode: string | null;
          itemName: string | null;
          reason: string | null;
          basis: string | null;
        }[]
      >('/api/catalog/lists/non-share'),
    [],
  );
  const projects = useLoad(
    () =>
      get<
        {
          id: string;
          name: string;
          kind: string;
          leadName: string;
          memberOrgIds: string[];
          targetResourceIds: string[];
          createdAt: string;
        }[]
      >('/api/topic-projects'),
    [],
  );
  return (
    <Card>
      <Tabs
        items={[
          {
            key: 'resp',
            label: t('lists.responsibility'),
            children: (
              <>
                <Button href="/api/catalog/lists/responsibility.xlsx" style={{ marginBottom: 12 }}>
                  {t('lists.exportXlsx')}
                </Button>
                <Table
                  rowKey="id"
                  size="small"
                  {...tableState(resp, t('lists.respNone'))}
                  pagination={{ pageSize: 20 }}
                  columns={[
                    { title: t('catalog.code'), dataIndex: 'code' },
                    { title: t('catalog.name'), dataIndex: 'name' },
                    { title: t('lists.owner'), dataIndex: 'orgName' },
                    {
                      title: t('catalog.responsible'),
                      render: (_, r) => [r.responsiblePerson, r.responsiblePhone].filter(Boolean).join(' '),
                    },
                    {
                      title: t('catalog.updateCycle'),
                      dataIndex: 'updateCycle',
                      render: (c) => label('update_cycle', c),
                    },
                    {
                      title: t('lists.aggregation'),
                      dataIndex: 'aggregationStatus',
                      render: (s) => (
                        <Tag color={s === 'aggregated' ? 'green' : 'default'}>
                          {/* one name for one state: never loaded reads the same as on the aggregation page */}
                          {t(s === 'aggregated' ? 'lists.agg.aggregated' : 'ingest.fresh.never')}
                        </Tag>
                      ),
                    },
                    { title: t('lists.rowCount'), dataIndex: 'rowCount', render: (n: number | null) => n ?? '—' },
                    { title: t('lists.lastLoad'), dataIndex: 'lastLoadAt', render: fmtTime },
                  ]}
                />
              </>
            ),
          },
          {
            key: 'nonshare',
            label: t('lists.nonShare'),
            children: (
              <>
                <Button href="/api/catalog/lists/non-share.xlsx" style={{ marginBottom: 12 }}>
                  {t('lists.exportXlsx')}
                </Button>
                <Table
                  rowKey={(r) => `${r.id}-${r.itemCode ?? ''}`}
                  size="small"
                  {...tableState(nonShare, t('lists.nonShareNone'))}
                  columns={[
                    { title: t('catalog.name'), dataIndex: 'name' },
                    { title: t('lists.owner'), dataIndex: 'orgName' },
                    {
                      title: t('lists.scope'),
                      render: (_, r) => (r.itemName ? `${t('catalog.item')}：${r.itemName}` : t('lists.wholeResource')),
                    },
                    { title: t('lists.reason'), dataIndex: 'reason' },
                    { title: t('catalog.shareBasis'), dataIndex: 'basis' },
                  ]}
                />
              </>
            ),
          },
          { key: 'demands', label: t('lists.demands'), children: <Demands /> },
          {
            key: 'projects',
            label: t('lists.projects'),
            children: (
              <Table
                rowKey="id"
                size="small"
                {...tableState(projects, t('lists.projectsNone'))}
                columns={[
                  { title: t('lists.projectName'), dataIndex: 'name' },
                  {
                    title: t('catalog.kind'),
                    dataIndex: 'kind',
                    render: (k) => (k === 'topic' ? t('lists.topic') : t('lists.special')),
                  },
                  { title: t('lists.lead'), dataIndex: 'leadName' },
                  { title: t('lists.members'), render: (_, p) => p.memberOrgIds.length },
                  { title: t('lists.resources'), render: (_, p) => p.targetResourceIds.length },
                  { title: t('audit.time'), dataIndex: 'createdAt', render: fmtTime },
                ]}
              />
            ),
          },
        ]}
      />
    </Card>
  );
}
