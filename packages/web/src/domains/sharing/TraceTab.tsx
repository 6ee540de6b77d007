// The Center's leak-trace page: a leaked file (CSV in any encoding, or XLSX) is uploaded, and the export it came
// from is named — grant, consumer unit, system, user and time — with the evidence, or the page says why none can be.
import { useState } from 'react';
import { Alert, Button, Card, Descriptions, Space, Typography, Upload } from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import { Link } from 'react-router-dom';
import { upload } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';
import { fmtTime, useProblem } from '../../ui.tsx';
import type { Reply } from '../../api.types.ts';

type Trace = Reply<'/api/sharing/trace', 'post'>;

export function TraceTab() {
  const { t } = useI18n();
  const problem = useProblem();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Trace | null>(null);
  const send = async (file: File) => {
    setBusy(true);
    setResult(null);
    try {
      const xlsx = /\.xlsx$/i.test(file.name);
      setResult(
        await upload<Trace>(
          `/api/sharing/trace?fileName=${encodeURIComponent(file.name.slice(0, 255))}`,
          file,
          xlsx ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv',
        ),
      );
    } catch (e) {
      problem(e);
    } finally {
      setBusy(false);
    }
  };
  const n = result?.named;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Typography.Paragraph type="secondary">{t('trace.help')}</Typography.Paragraph>
      <Upload
        accept=".csv,.txt,.xlsx"
        showUploadList={false}
        beforeUpload={(f) => {
          void send(f);
          return false;
        }}
      >
        <Button icon={<UploadOutlined />} loading={busy} type="primary" data-testid="trace-upload">
          {t('trace.upload')}
        </Button>
      </Upload>
      {result && (
        <Card data-testid="trace-result">
          <Alert
            showIcon
            type={result.verdict === 'named' ? 'success' : result.verdict === 'no_carriers' ? 'info' : 'warning'}
            message={t(`trace.verdict.${result.verdict}`)}
            description={t(`trace.verdictHelp.${result.verdict}`)}
            style={{ marginBottom: 16 }}
            data-testid="trace-verdict"
          />
          {n && (
            <Descriptions column={{ xs: 1, md: 2 }} size="small" bordered style={{ marginBottom: 16 }}>
              <Descriptions.Item label={t('sharing.consumer')}>
                <span data-testid="trace-consumer">{n.consumer.name}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t('trace.system')}>{n.system ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('trace.user')}>
                {n.user ? `${n.user.name}（${n.user.username}）` : '—'}
              </Descriptions.Item>
              <Descriptions.Item label={t('trace.time')}>{fmtTime(n.exportedAt)}</Descriptions.Item>
              <Descriptions.Item label={t('trace.file')}>
                {t(`export.format.${n.format}` as 'export.format.csv')} · {n.rows.toLocaleString()}{' '}
                {t('policy.unit.rows')}
              </Descriptions.Item>
              <Descriptions.Item label={t('trace.grant')}>
                <Link to={`/sharing/grants/${n.grantId}`}>{t('trace.openGrant')}</Link>
              </Descriptions.Item>
            </Descriptions>
          )}
          <Descriptions column={1} size="small">
            <Descriptions.Item label={t('trace.read')}>
              {t('trace.readFigures', { rows: result.rowsRead, columns: result.columnsRead, bits: result.carriers })}
            </Descriptions.Item>
            <Descriptions.Item label={t('trace.compared')}>{result.candidates}</Descriptions.Item>
            {result.evidence && (
              <Descriptions.Item label={t('trace.evidence')}>
                <span data-testid="trace-evidence">
                  {t('trace.evidenceFigures', {
                    family: t(`trace.carrier.${result.evidence.family}`),
                    agreeing: result.evidence.agreeing,
                    bits: result.evidence.bits,
                    chance: result.evidence.chance,
                  })}
                </span>
              </Descriptions.Item>
            )}
            <Descriptions.Item label="SM3">
              <Typography.Text code copyable>
                {result.sm3}
              </Typography.Text>
            </Descriptions.Item>
          </Descriptions>
        </Card>
      )}
    </Space>
  );
}
