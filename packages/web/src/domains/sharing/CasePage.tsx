// One sharing case: what was asked and why, where it stands and by when, its timeline and documents, and the step
// the reader may take now (the Center's confirmation or review, the owner's answer, the applicant's resubmission).
import { useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Col,
  DatePicker,
  Descriptions,
  Form,
  Input,
  List,
  Modal,
  Radio,
  Row,
  Select,
  Space,
  Tag,
  Timeline,
  Typography,
  Upload,
} from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { Link, useParams } from 'react-router-dom';
import { get, post, qs, upload } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { useCodes } from '../catalog/codes.tsx';
import { fmtTime, useLoad, useProblem } from '../../ui.tsx';
import { Loaded } from '../../states.tsx';
import { LegalBasisKind, ShareMethod } from '../../api.enums.gen.ts';
import type { Reply } from '../../api.types.ts';
import { DueTag, MethodTags, StatusTag, type Case } from './parts.tsx';

type Step = 'confirm' | 'review' | 'answer' | 'profile' | 'refusal' | 'resubmit' | 'withdraw';
type Profile = Reply<'/api/masking/resources/{id}/profiles'>[number];

export function CasePage() {
  const { id } = useParams();
  const load = useLoad(() => get<Case>(`/api/sharing/applications/${id}`), [id]);
  return <Loaded load={load}>{(c) => <CaseView c={c} reload={load.reload} />}</Loaded>;
}

function CaseView({ c, reload }: { c: Case; reload(): void }) {
  const { t } = useI18n();
  const problem = useProblem();
  const [step, setStep] = useState<Step | null>(null);
  const [uploading, setUploading] = useState(false);
  const steps: Step[] = [];
  if (c.may.center && c.status === 'center_confirm') steps.push('confirm');
  if (c.may.center && c.status === 'center_review') steps.push('review');
  if (c.may.center && c.status === 'profile_confirm') steps.push('profile');
  if (c.may.center && c.status === 'refusal_review') steps.push('refusal');
  if (c.may.answer) steps.push('answer');
  if (c.may.resubmit) steps.push('resubmit');
  if (c.may.withdraw) steps.push('withdraw');
  const attach = async (file: File) => {
    setUploading(true);
    try {
      await upload(
        `/api/sharing/applications/${c.id}/attachments${qs({ fileName: file.name })}`,
        file,
        file.type || 'application/octet-stream',
      );
      reload();
    } catch (e) {
      problem(e);
    } finally {
      setUploading(false);
    }
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Card
        title={
          <Space wrap>
            <span data-testid="case-no">{c.no}</span>
            <StatusTag status={c.status} />
            {c.waitingFor && <Tag>{`${t('sharing.waitingFor')}${t(`sharing.waitingFor.${c.waitingFor}`)}`}</Tag>}
          </Space>
        }
        extra={
          <Space wrap>
            {steps.map((s) => (
              <Button
                key={s}
                type={s === 'withdraw' ? 'default' : 'primary'}
                danger={s === 'withdraw'}
                onClick={() => setStep(s)}
                data-testid={`case-${s}`}
              >
                {t(`sharing.act.${s}`)}
              </Button>
            ))}
            {c.grantId && (
              <Link to={`/sharing/grants/${c.grantId}`} data-testid="case-grant">
                {t('sharing.openGrant')}
              </Link>
            )}
          </Space>
        }
      >
        <Descriptions column={{ xs: 1, md: 2 }} size="small" bordered>
          <Descriptions.Item label={t('sharing.resource')}>
            <Link to={`/catalog/${c.resource.id}?from=sharing`}>
              {c.resource.code} {c.resource.name}
            </Link>{' '}
            <Tag>v{c.resource.version}</Tag>
          </Descriptions.Item>
          <Descriptions.Item label={t('sharing.path')}>{t(`sharing.pathName.${c.path}`)}</Descriptions.Item>
          <Descriptions.Item label={t('sharing.consumer')}>{c.consumer.name}</Descriptions.Item>
          <Descriptions.Item label={t('sharing.owner')}>{c.owner.name}</Descriptions.Item>
          <Descriptions.Item label={t('sharing.due')}>
            <DueTag due={c.due} />
          </Descriptions.Item>
          <Descriptions.Item label={t('sharing.policyVersion')}>
            <Link to="/policy">v{c.policyVersion}</Link>
          </Descriptions.Item>
          <Descriptions.Item label={t('sharing.items')} span={2}>
            {c.items.map((i) => (
              <Tag key={i.code}>{i.name}</Tag>
            ))}
          </Descriptions.Item>
          <Descriptions.Item label={t('sharing.purpose')} span={2}>
            {c.purpose}
          </Descriptions.Item>
          <Descriptions.Item label={t('sharing.businessProcess')} span={2}>
            {c.businessProcess}
          </Descriptions.Item>
          <Descriptions.Item label={t('sharing.scenario')} span={2}>
            {c.scenario}
          </Descriptions.Item>
          <Descriptions.Item label={t('sharing.legalBasis')} span={2}>
            {c.legalBasis ?? '—'}
          </Descriptions.Item>
          <Descriptions.Item label={t('sharing.methods')}>
            <MethodTags methods={c.methods} />
          </Descriptions.Item>
          <Descriptions.Item label={t('sharing.validUntil')}>{c.validUntil}</Descriptions.Item>
          {c.rowFilter && (
            <Descriptions.Item label={t('sharing.rowFilter')} span={2}>
              <Typography.Text code>{c.rowFilter}</Typography.Text>
            </Descriptions.Item>
          )}
          <Descriptions.Item label={t('sharing.commitment')} span={2}>
            {t('sharing.commitmentAccepted', { v: c.commitment.version, at: fmtTime(c.commitment.acceptedAt) })}
          </Descriptions.Item>
        </Descriptions>
        {c.refusal && (
          <Alert
            style={{ marginTop: 16 }}
            type="warning"
            showIcon
            message={t('sharing.refusal')}
            description={`${t(`sharing.basis.${c.refusal.kind}`)} ·《${c.refusal.name}》${c.refusal.article}：${c.refusal.reason}`}
            data-testid="case-refusal"
          />
        )}
      </Card>
      <Row gutter={16}>
        <Col xs={24} md={14}>
          <Card title={t('sharing.timeline')}>
            <Timeline
              items={c.timeline.map((e) => ({
                color: e.action === 'refuse' || e.action === 'deny' ? 'red' : e.action === 'return' ? 'orange' : 'blue',
                children: (
                  <Space direction="vertical" size={0}>
                    <span>
                      <strong>{t(`sharing.event.${e.action}`)}</strong>
                      {e.to && e.action !== 'attach' && <> → {t(`sharing.status.${e.to}` as never)}</>}
                    </span>
                    <Typography.Text type="secondary">
                      {fmtTime(e.at)} · {e.org ?? ''} {e.actor ?? ''}
                      {e.due ? ` · ${t('sharing.dueBy', { d: e.due })}` : ''}
                    </Typography.Text>
                    {e.comment && <span>{e.comment}</span>}
                  </Space>
                ),
              }))}
            />
          </Card>
        </Col>
        <Col xs={24} md={10}>
          <Card
            title={t('sharing.attachments')}
            extra={
              c.may.attach && (
                <Upload
                  accept="application/pdf,image/png,image/jpeg"
                  showUploadList={false}
                  beforeUpload={(f) => {
                    void attach(f);
                    return false;
                  }}
                >
                  <Button icon={<UploadOutlined />} loading={uploading} data-testid="case-attach">
                    {t('sharing.attach')}
                  </Button>
                </Upload>
              )
            }
          >
            <Typography.Paragraph type="secondary">{t('sharing.attachHelp')}</Typography.Paragraph>
            <List
              size="small"
              locale={{ emptyText: t('sharing.noAttachments') }}
              dataSource={c.attachments}
              renderItem={(f) => (
                <List.Item>
                  <a href={`/api/sharing/applications/${c.id}/attachments/${f.id}`} download={f.fileName}>
                    {f.fileName}
                  </a>
                  <Typography.Text type="secondary">
                    {(f.size / 1024).toFixed(0)} KB · {fmtTime(f.uploadedAt)}
                  </Typography.Text>
                </List.Item>
              )}
            />
          </Card>
        </Col>
      </Row>
      {step && (
        <StepModal
          c={c}
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

function StepModal({ c, step, onClose }: { c: Case; step: Step; onClose(moved: boolean): void }) {
  const { t, pick } = useI18n();
  const { label } = useCodes();
  const problem = useProblem();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const decision = Form.useWatch('decision', form) as string | undefined;
  const profiles = useLoad(
    () =>
      step === 'answer'
        ? get<Profile[]>(`/api/masking/resources/${c.resource.id}/profiles`)
        : Promise.resolve([] as Profile[]),
    [step, c.resource.id],
  );
  const commitment = useLoad(
    () =>
      step === 'resubmit'
        ? get<Reply<'/api/sharing/draft'>>(`/api/sharing/draft${qs({ resource: c.resource.id })}`).then(
            (d) => d.commitment,
          )
        : Promise.resolve(null),
    [step, c.resource.id],
  );
  const initial: Record<Step, Record<string, unknown>> = {
    confirm: { methods: c.methods, rowFilter: c.rowFilter ?? '' },
    review: { decision: 'approve' },
    answer: { decision: 'consent', maskingProfileId: c.path === 'desensitized' ? undefined : 'default' },
    profile: { decision: 'accept' },
    refusal: { decision: 'uphold' },
    resubmit: {
      purpose: c.purpose,
      businessProcess: c.businessProcess,
      scenario: c.scenario,
      legalBasis: c.legalBasis ?? '',
      methods: c.methods,
      validUntil: dayjs(c.validUntil),
    },
    withdraw: {},
  };
  const ok = async () => {
    const v = (await form.validateFields().catch(() => null)) as Record<string, unknown> | null;
    if (!v) return; // the form shows what is missing on its fields
    let body: Record<string, unknown> = v;
    if (step === 'confirm') body = { ...v, rowFilter: (v.rowFilter as string)?.trim() || null };
    if (step === 'answer')
      body =
        v.decision === 'consent'
          ? {
              decision: 'consent',
              rowFilter: (v.rowFilter as string)?.trim() || null,
              maskingProfileId: v.maskingProfileId ?? null,
              comment: v.comment,
            }
          : { decision: 'refuse', basis: v.basis, comment: v.comment };
    if (step === 'resubmit') {
      const { accept: _accept, validUntil, ...rest } = v as { accept: boolean; validUntil: Dayjs };
      body = {
        ...rest,
        items: c.items.map((i) => i.code),
        legalBasis: (rest as { legalBasis?: string }).legalBasis?.trim() || null,
        validUntil: validUntil.format('YYYY-MM-DD'),
        systemId: c.systemId,
        commitmentVersion: commitment.data?.version,
      };
    }
    setBusy(true);
    try {
      await post(`/api/sharing/applications/${c.id}/${step}`, body);
      onClose(true);
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
      title={`${t(`sharing.act.${step}`)} · ${c.no}`}
      onCancel={() => onClose(false)}
      onOk={() => void ok()}
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'step-ok' } as never}
    >
      <Form form={form} layout="vertical" initialValues={initial[step]}>
        {step === 'confirm' && (
          <>
            <Form.Item name="methods" label={t('sharing.methods')} rules={required}>
              <Checkbox.Group options={ShareMethod.map((m) => ({ value: m, label: label('share_method', m) }))} />
            </Form.Item>
            <Form.Item name="rowFilter" label={t('sharing.rowFilter')} extra={t('sharing.rowFilterHelp')}>
              <Input.TextArea rows={2} />
            </Form.Item>
          </>
        )}
        {(step === 'review' || step === 'profile' || step === 'refusal') && (
          <Form.Item name="decision" label={t('sharing.decision')} rules={required}>
            <Radio.Group
              data-testid="step-decision"
              options={(step === 'review'
                ? (['approve', 'return', 'deny'] as const).map((d) => ({ value: d, key: d }))
                : step === 'profile'
                  ? [
                      { value: 'accept', key: 'accept' as const },
                      { value: 'return', key: 'returnProfile' as const },
                    ]
                  : (['uphold', 'overrule'] as const).map((d) => ({ value: d, key: d }))
              ).map((o) => ({ value: o.value, label: t(`sharing.decision.${o.key}`) }))}
            />
          </Form.Item>
        )}
        {step === 'answer' && (
          <>
            <Form.Item name="decision" label={t('sharing.decision')} rules={required}>
              <Radio.Group
                data-testid="step-decision"
                options={(['consent', 'refuse'] as const).map((d) => ({
                  value: d,
                  label: t(`sharing.decision.${d}`),
                }))}
              />
            </Form.Item>
            {decision !== 'refuse' ? (
              <>
                <Form.Item name="rowFilter" label={t('sharing.rowFilter')} extra={t('sharing.rowFilterHelp')}>
                  <Input.TextArea rows={2} />
                </Form.Item>
                <Form.Item
                  name="maskingProfileId"
                  label={t('sharing.maskingProfile')}
                  rules={c.path === 'desensitized' ? required : []}
                >
                  <Select
                    loading={profiles.loading}
                    options={(profiles.data ?? []).map((p) => ({
                      value: p.id,
                      label: p.id === 'default' ? t('masking.defaultProfile') : p.name,
                    }))}
                  />
                </Form.Item>
              </>
            ) : (
              <>
                <Form.Item name={['basis', 'kind']} label={t('sharing.basisKind')} rules={required}>
                  <Select options={LegalBasisKind.map((k) => ({ value: k, label: t(`sharing.basis.${k}`) }))} />
                </Form.Item>
                <Form.Item name={['basis', 'name']} label={t('sharing.basisName')} rules={[...required, { max: 200 }]}>
                  <Input data-testid="basis-name" />
                </Form.Item>
                <Form.Item
                  name={['basis', 'article']}
                  label={t('sharing.basisArticle')}
                  rules={[...required, { max: 100 }]}
                >
                  <Input data-testid="basis-article" />
                </Form.Item>
                <Form.Item
                  name={['basis', 'reason']}
                  label={t('sharing.basisReason')}
                  rules={[...required, { max: 2000 }]}
                >
                  <Input.TextArea rows={2} data-testid="basis-reason" />
                </Form.Item>
              </>
            )}
          </>
        )}
        {step === 'resubmit' && (
          <>
            <Form.Item name="purpose" label={t('sharing.purpose')} rules={[...required, { max: 1000 }]}>
              <Input.TextArea rows={2} />
            </Form.Item>
            <Form.Item name="businessProcess" label={t('sharing.businessProcess')} rules={[...required, { max: 4000 }]}>
              <Input.TextArea rows={2} />
            </Form.Item>
            <Form.Item name="scenario" label={t('sharing.scenario')} rules={[...required, { max: 4000 }]}>
              <Input.TextArea rows={2} />
            </Form.Item>
            <Form.Item name="legalBasis" label={t('sharing.legalBasis')} rules={[{ max: 2000 }]}>
              <Input.TextArea rows={2} />
            </Form.Item>
            <Form.Item name="methods" label={t('sharing.methods')} rules={required}>
              <Checkbox.Group options={ShareMethod.map((m) => ({ value: m, label: label('share_method', m) }))} />
            </Form.Item>
            <Form.Item name="validUntil" label={t('sharing.validUntil')} rules={required}>
              <DatePicker />
            </Form.Item>
            {commitment.data && (
              <Alert
                type="info"
                style={{ marginBottom: 12, whiteSpace: 'pre-wrap' }}
                message={`${t('sharing.commitment')}（v${commitment.data.version}）`}
                description={pick(commitment.data)}
              />
            )}
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
              <Checkbox>{t('sharing.commitmentAccept', { v: commitment.data?.version ?? '' })}</Checkbox>
            </Form.Item>
          </>
        )}
        <Form.Item name="comment" label={t('sharing.comment')} rules={[{ max: 2000 }]} hidden={step === 'resubmit'}>
          <Input.TextArea rows={3} data-testid="step-comment" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
