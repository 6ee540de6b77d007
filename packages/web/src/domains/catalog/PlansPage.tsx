// §7 data coordination review of new information-system plans, with the catalog's similar resources.
import { useState } from 'react';
import { Alert, Button, Card, Form, Input, List, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { get, post, put } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';
import { can } from '../../abilities.ts';
import { fmtTime, useLoad, useProblem } from '../../ui.tsx';
import { tableState } from '../../states.tsx';
import type { Reply } from '../../api.types.ts';

type Plan = Reply<'/api/system-plans'>[number];
const COLORS: Record<string, string> = { submitted: 'processing', approved: 'success', returned: 'warning' };

export function PlansPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const problem = useProblem();
  const list = useLoad(() => get<Plan[]>('/api/system-plans'), []);
  const [editing, setEditing] = useState<Plan | 'new' | null>(null);
  const [reviewing, setReviewing] = useState<Plan | null>(null);
  const [similar, setSimilar] = useState<
    { item: string; total: number; resources: { id: string; code: string; name: string; orgName: string }[] }[] | null
  >(null);
  const [form] = Form.useForm();
  const [rform] = Form.useForm();
  const file = can(me, 'catalog.compile');
  const review = can(me, 'catalog.review');
  return (
    <Card
      extra={
        file && (
          <Button
            type="primary"
            onClick={() => {
              form.resetFields();
              setEditing('new');
            }}
          >
            {t('plans.new')}
          </Button>
        )
      }
    >
      <Typography.Paragraph type="secondary">{t('plans.help')}</Typography.Paragraph>
      <Table<Plan>
        rowKey="id"
        size="middle"
        {...tableState(list, t('plans.none'))}
        expandable={{
          expandedRowRender: (p) => (
            <Space direction="vertical">
              <span>
                {t('plans.purpose')}：{p.purpose}
              </span>
              <span>
                {t('plans.collects')}：
                {p.collects.map((c) => (
                  <Tag key={c}>{c}</Tag>
                ))}
              </span>
              <span>
                {t('plans.needs')}：{p.needs || '—'}
              </span>
              {p.reviewComment && <Alert type="warning" message={p.reviewComment} />}
            </Space>
          ),
        }}
        columns={[
          { title: t('plans.name'), dataIndex: 'name' },
          { title: t('users.org'), dataIndex: 'orgName' },
          {
            title: t('users.status'),
            dataIndex: 'status',
            render: (s) => <Tag color={COLORS[s]}>{t(`plans.status.${s}` as never)}</Tag>,
          },
          { title: t('catalog.updated'), dataIndex: 'updatedAt', render: fmtTime },
          {
            title: '',
            render: (_, p) => (
              <Space>
                {review && p.status === 'submitted' && (
                  <Button
                    size="small"
                    onClick={async () => {
                      rform.resetFields();
                      rform.setFieldsValue({ decision: 'approve' });
                      setReviewing(p);
                      setSimilar(await get(`/api/system-plans/${p.id}/similar`));
                    }}
                  >
                    {t('catalog.review')}
                  </Button>
                )}
                {file && p.status === 'returned' && (
                  <Button
                    size="small"
                    onClick={() => {
                      form.setFieldsValue(p);
                      setEditing(p);
                    }}
                  >
                    {t('plans.resubmit')}
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={!!editing}
        title={editing === 'new' ? t('plans.new') : t('plans.resubmit')}
        width={640}
        onCancel={() => setEditing(null)}
        onOk={async () => {
          const v = await form.validateFields();
          try {
            if (editing === 'new') await post('/api/system-plans', v);
            else await put(`/api/system-plans/${(editing as Plan).id}`, v);
            setEditing(null);
            list.reload();
          } catch (e) {
            problem(e, form);
          }
        }}
      >
        <Form form={form} layout="vertical">
          <Form.Item
            name="name"
            label={t('plans.name')}
            rules={[{ required: true, message: t('form.required') }, { max: 100 }]}
          >
            <Input />
          </Form.Item>
          <Form.Item
            name="purpose"
            label={t('plans.purpose')}
            rules={[{ required: true, message: t('form.required') }, { max: 2000 }]}
          >
            <Input.TextArea rows={2} />
          </Form.Item>
          <Form.Item name="collects" label={t('plans.collects')} extra={t('plans.collectsHelp')} initialValue={[]}>
            <Select mode="tags" tokenSeparators={[',', '，', '、', '\n']} />
          </Form.Item>
          <Form.Item name="needs" label={t('plans.needs')} rules={[{ max: 2000 }]}>
            <Input.TextArea rows={2} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={!!reviewing}
        title={`${t('catalog.review')} · ${reviewing?.name ?? ''}`}
        width={760}
        onCancel={() => setReviewing(null)}
        onOk={async () => {
          const v = await rform.validateFields();
          try {
            await post(`/api/system-plans/${reviewing!.id}/review`, v);
            setReviewing(null);
            list.reload();
          } catch (e) {
            problem(e, rform);
          }
        }}
      >
        <Typography.Title level={5}>{t('plans.similar')}</Typography.Title>
        <List
          size="small"
          dataSource={similar ?? []}
          renderItem={(s) => (
            <List.Item>
              <Space direction="vertical" size={0}>
                <span>
                  <Tag>{s.item}</Tag>
                  {s.total ? t('plans.alreadyHeld', { n: s.total }) : t('plans.notHeld')}
                </span>
                {s.resources.map((r) => (
                  <Typography.Text key={r.id} type="secondary">
                    {r.code} {r.name} · {r.orgName}
                  </Typography.Text>
                ))}
              </Space>
            </List.Item>
          )}
        />
        <Form form={rform} layout="vertical">
          <Form.Item name="decision" label={t('catalog.decision')}>
            <Select
              options={[
                { value: 'approve', label: t('plans.approve') },
                { value: 'return', label: t('catalog.return') },
              ]}
            />
          </Form.Item>
          <Form.Item name="comment" label={t('catalog.reviewComment')} rules={[{ max: 2000 }]}>
            <Input.TextArea rows={3} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
