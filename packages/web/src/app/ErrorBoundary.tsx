// A page that throws while rendering (or whose code cannot be loaded, e.g. after a new release) shows what went
// wrong and how to go on, instead of a blank screen.
import { Component, type ReactNode } from 'react';
import { Button, Result, Typography } from 'antd';
import { useI18n } from '../i18n.tsx';

function Crashed({ error }: { error: Error }) {
  const { t } = useI18n();
  // a chunk that no longer exists on the server: the console was updated while this page was open
  const stale = /dynamically imported module|Failed to fetch|Loading chunk/i.test(error.message);
  return (
    <Result
      status="error"
      title={t(stale ? 'error.pageStale' : 'error.pageCrashed')}
      subTitle={t(stale ? 'error.pageStaleHint' : 'error.pageCrashedHint')}
      extra={
        <Button type="primary" onClick={() => window.location.reload()} data-testid="page-reload">
          {t('error.reload')}
        </Button>
      }
      data-testid="page-error"
    >
      <Typography.Text type="secondary" copyable>
        {error.message}
      </Typography.Text>
    </Result>
  );
}

export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    return this.state.error ? <Crashed error={this.state.error} /> : this.props.children;
  }
}
