// What a page shows while its data loads, when there is none, and when loading failed — one look for every page,
// in the user's language, with a way on (retry, back, home). A 403 or 404 is said in words, never an empty card.
import { Alert, Button, Empty, Result, Space, Spin } from 'antd';
import type { ReactNode } from 'react';
import { useNavigate } from 'react-router-dom';
import { ApiError } from './api.ts';
import { useI18n } from './i18n.tsx';
import type { Key } from './messages.ts';
import type { Load } from './ui.tsx';

type Kind = 'forbidden' | 'notFound' | 'network' | 'failed';

function kindOf(error: unknown): Kind {
  if (error instanceof ApiError) {
    if (error.status === 403) return 'forbidden';
    if (error.status === 404) return 'notFound';
    if (error.status === 0) return 'network';
  }
  return 'failed';
}

const STATUS = { forbidden: '403', notFound: '404', network: 'warning', failed: 'error' } as const;

/** The reason the server gave, in the user's language (a crash in the console names its message). */
function useReason() {
  const { pick, t } = useI18n();
  return (error: unknown) =>
    error instanceof ApiError ? pick(error.messages) : error instanceof Error ? error.message : t('state.failed');
}

/** A whole page (or a card) that could not be shown: what happened, and a way on. */
export function ErrorState({ error, reload, compact }: { error: unknown; reload?: () => void; compact?: boolean }) {
  const { t } = useI18n();
  const nav = useNavigate();
  const reason = useReason();
  const kind = kindOf(error);
  const retry = reload && (kind === 'network' || kind === 'failed');
  const actions = (
    <Space>
      {retry && (
        <Button type="primary" onClick={reload} data-testid="state-retry">
          {t('state.retry')}
        </Button>
      )}
      {kind !== 'network' && kind !== 'failed' && (
        <Button onClick={() => nav(-1)} data-testid="state-back">
          {t('common.back')}
        </Button>
      )}
      <Button onClick={() => nav('/')} data-testid="state-home">
        {t('state.home')}
      </Button>
    </Space>
  );
  if (compact)
    return (
      <Alert
        type={kind === 'network' ? 'warning' : 'error'}
        showIcon
        message={t(`state.${kind}` as Key)}
        description={reason(error)}
        action={
          retry ? (
            <Button onClick={reload} data-testid="state-retry">
              {t('state.retry')}
            </Button>
          ) : undefined
        }
        data-testid="load-error"
        data-kind={kind}
        style={{ textAlign: 'left' }}
      />
    );
  return (
    <Result
      status={STATUS[kind]}
      title={t(`state.${kind}` as Key)}
      subTitle={reason(error)}
      extra={actions}
      data-testid="load-error"
      data-kind={kind}
    />
  );
}

/** A page whose data is on its way. */
export function PageLoading() {
  return <Spin style={{ display: 'block', margin: '80px auto' }} data-testid="page-loading" />;
}

/** Renders the page once its data is there; until then a spinner, or the error in words. */
export function Loaded<T>({ load, children }: { load: Load<T>; children: (data: T) => ReactNode }) {
  if (load.data !== undefined) return <>{children(load.data)}</>;
  if (load.error) return <ErrorState error={load.error} reload={load.reload} />;
  return <PageLoading />;
}

/**
 * A table's loading, empty and error states from one load: while loading the table spins, with no rows it says
 * what is missing (`empty`), and when loading failed the table's body says why (with a retry). `rows` picks the
 * rows out of a reply that holds more than the list.
 */
export function tableState<D, T = D extends readonly (infer R)[] ? R : never>(
  load: Load<D>,
  empty: string,
  rows: (data: D) => readonly T[] = (data) => data as unknown as readonly T[],
) {
  return {
    loading: load.loading,
    dataSource: load.error || load.data === undefined ? [] : rows(load.data),
    locale: {
      emptyText: load.error ? (
        <ErrorState error={load.error} reload={load.reload} compact />
      ) : load.loading ? (
        ' '
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={empty} data-testid="state-empty" />
      ),
    },
  };
}

/** A load that is not the page's own (a list of units for a filter): its failure is shown, not swallowed. */
export function LoadAlert({ load }: { load: { error: unknown; reload(): void } }) {
  return load.error ? <ErrorState error={load.error} reload={load.reload} compact /> : null;
}

/** An address no page answers. */
export function NotFoundPage() {
  const { t } = useI18n();
  const nav = useNavigate();
  return (
    // the page's heading already says 没有这个页面 (AppLayout): the result says why and what to do
    <Result
      status="404"
      title={t('state.noPageHint')}
      extra={
        <Button type="primary" onClick={() => nav('/')} data-testid="state-home">
          {t('state.home')}
        </Button>
      }
      data-testid="page-not-found"
    />
  );
}

/** A page the user's roles do not open (the server refuses its data as well). */
export function ForbiddenPage() {
  const { t } = useI18n();
  const nav = useNavigate();
  return (
    <Result
      status="403"
      title={t('state.pageForbidden')}
      subTitle={t('state.pageForbiddenHint')}
      extra={
        <Button type="primary" onClick={() => nav('/')} data-testid="state-home">
          {t('state.home')}
        </Button>
      }
      data-testid="page-forbidden"
    />
  );
}
