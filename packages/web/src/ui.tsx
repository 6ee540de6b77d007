// Small shared helpers: show server problems in the user's language, on the form fields they name.
import { App, type FormInstance } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { ApiError } from './api.ts';
import { useI18n } from './i18n.tsx';

export function useProblem() {
  const { message } = App.useApp();
  const { pick } = useI18n();
  return useCallback(
    (e: unknown, form?: FormInstance) => {
      if (e instanceof ApiError) {
        if (form && e.fields.length) {
          const names = new Set(Object.keys(form.getFieldsValue(true) ?? {}));
          const onForm = e.fields.filter((f) => names.has(f.field.split('.')[0]!));
          form.setFields(onForm.map((f) => ({ name: f.field.split('.')[0]!, errors: [pick(f.message)] })));
          if (onForm.length === e.fields.length) return;
        }
        void message.error(pick(e.messages));
      } else {
        console.error(e);
        void message.error(String(e));
      }
    },
    [message, pick],
  );
}

/** A load's state: the data once there, whether a request is running, and why the last one failed. */
export interface Load<T> {
  data: T | undefined;
  loading: boolean;
  error: unknown;
  reload(): void;
}

/**
 * Loads data from the API and reloads on demand. A failure is kept (and the stale data dropped), for the page to
 * show where the data would be — `Loaded`, `useTableState` or `LoadAlert` in states.tsx — not as a passing toast.
 */
export function useLoad<T>(loader: () => Promise<T>, deps: unknown[]): Load<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setLoading(true);
    loader()
      .then((d) => {
        if (!live) return;
        setData(d);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!live) return;
        if (!(e instanceof ApiError)) console.error(e);
        setData(undefined);
        setError(e);
      })
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((x) => x + 1), []);
  return { data, loading, error, reload };
}

export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
