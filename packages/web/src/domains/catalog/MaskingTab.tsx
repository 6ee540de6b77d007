// A resource's masking profiles and a preview on sample rows (the owner unit and the Center).
import { useState } from 'react';
import { Alert, Button, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { get, post } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useSession } from '../../session.tsx';
import { useLoad, useProblem } from '../../ui.tsx';
import { LoadAlert } from '../../states.tsx';
import type { Version } from './types.ts';
import { can } from '../../abilities.ts';
import type { Reply } from '../../api.types.ts';
import { MaskingRule } from '../../api.enums.gen.ts';
import { useCodes } from './codes.tsx';

type Profile = Reply<'/api/masking/resources/{id}/profiles'>[number];

export function MaskingTab({ resourceId, version }: { resourceId: string; version: Version }) {
  const { t, pick } = useI18n();
  const { label } = useCodes();
  const profileName = (p: Profile) => (p.id === 'default' ? t('masking.defaultProfile') : p.name);
  const { me } = useSession();
  const problem = useProblem();
  const profiles = useLoad(() => get<Profile[]>(`/api/masking/resources/${resourceId}/profiles`), [resourceId]);
  const [profileId, setProfileId] = useState('default');
  const [sample, setSample] = useState('');
  const [preview, setPreview] = useState<{ rows: Record<string, { before: unknown; after: unknown }>[] } | null>(null);
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm();
  const current = profiles.data?.find((p) => p.id === profileId);
  const show = (v: unknown) =>
    v === null || v === undefined ? <Typography.Text type="secondary">—</Typography.Text> : String(v);

  async function runPreview() {
    const lines = sample.split(/\r?\n/).filter((l) => l.trim());
    const rows = lines
      .slice(0, 50)
      .map((l) => Object.fromEntries(l.split('\t').map((v, i) => [version.items[i]?.code ?? `c${i}`, v])));
    if (!rows.length) return;
    try {
      setPreview(await post(`/api/masking/preview`, { resourceId, profileId, rows }));
    } catch (e) {
      problem(e);
    }
  }

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <LoadAlert load={profiles} />
      <Space wrap>
        <Select
          value={profileId}
          onChange={setProfileId}
          style={{ width: 260 }}
          options={(profiles.data ?? []).map((p) => ({
            value: p.id,
            label: `${profileName(p)} · ${t(`masking.purpose.${p.purpose}`)}${p.status === 'pending_approval' ? `（${t('masking.pending')}）` : ''}`,
          }))}
          data-testid="masking-profile"
        />
        <Button
          onClick={() => {
            form.resetFields();
            setCreating(true);
          }}
        >
          {t('masking.newProfile')}
        </Button>
        {current?.status === 'pending_approval' && can(me, 'masking.approve') && (
          <Button
            type="primary"
            onClick={async () => {
              try {
                await post(`/api/masking/profiles/${current.id}/approve`);
                profiles.reload();
              } catch (e) {
                problem(e);
              }
            }}
          >
            {t('masking.approve')}
          </Button>
        )}
      </Space>
      {current?.looserItems.length ? (
        <Alert type="warning" showIcon message={t('masking.looser', { items: current.looserItems.join('、') })} />
      ) : null}
      <Table
        size="small"
        rowKey="code"
        pagination={false}
        dataSource={version.items}
        columns={[
          { title: t('catalog.itemName'), dataIndex: 'name' },
          { title: t('catalog.itemCode'), dataIndex: 'code' },
          {
            title: t('catalog.piiKind'),
            dataIndex: 'piiKind',
            render: (k) => (k ? <Tag color="purple">{label('pii_kind', k)}</Tag> : ''),
          },
          {
            title: t('masking.rule'),
            render: (_, i) => {
              const rule = current?.rules[i.code]?.rule;
              const words = current?.words[i.code];
              // the rule in words with its parameters (遮盖：保留前 6 位、后 4 位), in the rule's colour
              return (
                <Tag color={rule === 'none' ? 'default' : 'blue'} data-testid={`rule-${i.code}`}>
                  {words
                    ? pick(words)
                    : (MaskingRule as readonly string[]).includes(rule ?? '')
                      ? t(`masking.rule.${rule as MaskingRule}`)
                      : t('masking.rule.unknown')}
                </Tag>
              );
            },
          },
        ]}
      />
      <Typography.Text type="secondary">{t('masking.sampleHelp')}</Typography.Text>
      <Input.TextArea
        rows={3}
        value={sample}
        onChange={(e) => setSample(e.target.value)}
        placeholder={version.items.map((i) => i.name).join('\t')}
        data-testid="masking-sample"
      />
      <Space>
        <Button onClick={() => void runPreview()} data-testid="masking-preview">
          {t('masking.preview')}
        </Button>
        <Button
          onClick={() =>
            void get<{ rows: Record<string, { before?: unknown; after: unknown }>[] }>(
              `/api/ingest/resources/${resourceId}/masking-preview?profileId=${encodeURIComponent(profileId)}`,
            ).then((r) => setPreview(r as never), problem)
          }
          data-testid="masking-preview-data"
        >
          {t('masking.previewData')}
        </Button>
      </Space>
      {preview && (
        <Table
          size="small"
          rowKey={(_, i) => String(i)}
          pagination={false}
          dataSource={preview.rows}
          data-testid="masking-result"
          scroll={{ x: true }}
          columns={version.items.map((i) => ({
            title: i.name,
            render: (_: unknown, r: Record<string, { before: unknown; after: unknown }>) => (
              <Space direction="vertical" size={0}>
                {r[i.code] && 'before' in r[i.code]! ? (
                  <Typography.Text delete type="secondary">
                    {show(r[i.code]?.before)}
                  </Typography.Text>
                ) : null}
                <b>
                  {current?.rules[i.code]?.rule === 'suppress' ? (
                    <Typography.Text type="secondary">{t('masking.suppressedValue')}</Typography.Text>
                  ) : (
                    show(r[i.code]?.after)
                  )}
                </b>
              </Space>
            ),
          }))}
        />
      )}
      <Modal
        open={creating}
        title={t('masking.newProfile')}
        onCancel={() => setCreating(false)}
        width={640}
        onOk={async () => {
          const v = await form.validateFields();
          const rules = Object.fromEntries(
            Object.entries((v.rules ?? {}) as Record<string, string>)
              .filter(([, r]) => r)
              .map(([code, r]) => [code, { rule: r }]),
          );
          try {
            const r = await post<{ id: string }>(`/api/masking/resources/${resourceId}/profiles`, {
              name: v.name,
              purpose: v.purpose,
              rules,
            });
            setCreating(false);
            profiles.reload();
            setProfileId(r.id);
          } catch (e) {
            problem(e, form);
          }
        }}
      >
        <Form form={form} layout="vertical">
          <Form.Item
            name="name"
            label={t('masking.profileName')}
            rules={[{ required: true, message: t('form.required') }, { max: 100 }]}
          >
            <Input />
          </Form.Item>
          <Form.Item name="purpose" label={t('masking.purpose')} initialValue="grant">
            <Select
              options={(['grant', 'release', 'custom'] as const).map((p) => ({
                value: p,
                label: t(`masking.purpose.${p}`),
              }))}
            />
          </Form.Item>
          {version.items.map((i) => (
            <Form.Item
              key={i.code}
              name={['rules', i.code]}
              label={`${i.name}（${i.code}）· ${t('masking.defaultProfile')}：${profiles.data?.[0]?.words[i.code] ? pick(profiles.data[0].words[i.code]!) : '—'}`}
              style={{ marginBottom: 6 }}
            >
              <Select allowClear options={MaskingRule.map((r) => ({ value: r, label: t(`masking.rule.${r}`) }))} />
            </Form.Item>
          ))}
        </Form>
      </Modal>
    </Space>
  );
}
