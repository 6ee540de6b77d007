// Small shared helpers: show server problems in the user's language, on the form fields they name.
import { App, type FormInstance } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
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

// Dates and times as the district reads them: Asia/Shanghai, whatever zone the browser is in.
const SHANGHAI = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** `2026-12-03 04:38` in Asia/Shanghai. */
export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : SHANGHAI.format(d).replace('T', ' ');
}

/** Today's date in Asia/Shanghai, `YYYY-MM-DD`. */
export function todayShanghai(now = new Date()): string {
  return SHANGHAI.format(now).slice(0, 10);
}

/** The start of a day (`YYYY-MM-DD`) in Asia/Shanghai, as an instant; `end` gives the start of the next day. */
export function shanghaiDayStart(day: string, end = false): string {
  const start = new Date(`${day}T00:00:00+08:00`);
  return new Date(start.getTime() + (end ? 86_400_000 : 0)).toISOString();
}

/**
 * A page's search state in the address (`?q=户籍&page=2`), so a search can be bookmarked, shared and survives a
 * reload; setting a value to undefined or '' removes it. Changing the search replaces the history entry.
 */
export function useUrlState(): [Record<string, string>, (patch: Record<string, string | number | undefined>) => void] {
  const [params, setParams] = useSearchParams();
  const state = useMemo(() => Object.fromEntries(params.entries()), [params]);
  const set = useCallback(
    (patch: Record<string, string | number | undefined>) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const [k, v] of Object.entries(patch))
            if (v === undefined || v === '') next.delete(k);
            else next.set(k, String(v));
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  return [state, set];
}
