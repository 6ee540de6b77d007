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

/** Loads data from the API and reloads on demand; errors go to the problem display. */
export function useLoad<T>(
  loader: () => Promise<T>,
  deps: unknown[],
): { data: T | undefined; loading: boolean; reload(): void } {
  const [data, setData] = useState<T>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const problem = useProblem();
  useEffect(() => {
    let live = true;
    setLoading(true);
    loader()
      .then((d) => live && setData(d))
      .catch((e) => live && problem(e))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return { data, loading, reload: () => setTick((x) => x + 1) };
}

export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
