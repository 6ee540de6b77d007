// Import the unit's catalog from the XLSX template, and show what was accepted and why rows were rejected.
import { useState } from 'react';
import { Alert, Button, Modal, Space, Table, Tag, Upload } from 'antd';
import { useI18n } from '../../i18n.tsx';
import { upload } from '../../api.ts';
import { useProblem } from '../../ui.tsx';
import type { Reply } from '../../api.types.ts';

type Report = Reply<'/api/catalog/import', 'post'>;

export function ImportButton({ onDone }: { onDone(): void }) {
  const { t, pick } = useI18n();
  const problem = useProblem();
  const [report, setReport] = useState<Report | null>(null);
  const [busy, setBusy] = useState(false);
  async function importFile(file: File) {
    setBusy(true);
    try {
      const json = await upload<Report>(
        '/api/catalog/import',
        file,
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      );
      setReport(json);
      onDone();
    } catch (e) {
      problem(e);
    } finally {
      setBusy(false);
    }
    return false;
  }
  return (
    <>
      <Upload
        accept=".xlsx"
        showUploadList={false}
        beforeUpload={(f) => {
          void importFile(f);
          return false;
        }}
      >
        <Button loading={busy} data-testid="catalog-import">
          {t('catalog.import')}
        </Button>
      </Upload>
      <Modal
        open={!!report}
        title={t('catalog.importReport')}
        width={800}
        onOk={() => setReport(null)}
        onCancel={() => setReport(null)}
        cancelButtonProps={{ style: { display: 'none' } }}
      >
        {report && (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Alert
              type={report.rejected.length ? 'warning' : 'success'}
              showIcon
              message={t('catalog.importSummary', { a: report.accepted.length, r: report.rejected.length })}
            />
            <Table
              size="small"
              rowKey={(r) => `a${r.rows[0]}`}
              pagination={false}
              dataSource={report.accepted}
              columns={[
                { title: t('catalog.rows'), render: (_, r) => `${r.rows[0]}–${r.rows[1]}` },
                { title: t('catalog.name'), dataIndex: 'name' },
                { title: t('catalog.code'), dataIndex: 'code' },
                {
                  title: '',
                  dataIndex: 'action',
                  render: (a) => <Tag color="green">{t(`catalog.import.${a}` as never)}</Tag>,
                },
              ]}
            />
            {report.rejected.length > 0 && (
              <Table
                size="small"
                rowKey={(r) => `r${r.rows[0]}`}
                pagination={false}
                dataSource={report.rejected}
                columns={[
                  { title: t('catalog.rows'), render: (_, r) => `${r.rows[0]}–${r.rows[1]}` },
                  { title: t('catalog.name'), dataIndex: 'name' },
                  {
                    title: t('catalog.importReasons'),
                    render: (_, r) => (
                      <Space direction="vertical" size={0}>
                        {r.errors.map((e, i) => (
                          <span key={i}>
                            {e.row ? `${t('catalog.row', { n: e.row })} ` : ''}
                            {e.field && <Tag>{e.field}</Tag>}
                            {pick(e.message)}
                          </span>
                        ))}
                      </Space>
                    ),
                  },
                ]}
              />
            )}
          </Space>
        )}
      </Modal>
    </>
  );
}
