// What a scheduled pull's source is: its kind and settings, checked before they are stored, and the address the
// outbound guard checks before every connection.
import type { BatchMode, PullSourceTable } from '../../../db/schema.ts';
import type { FieldError } from '../../../platform/errors.ts';

export type PullKind = PullSourceTable['kind'];

/** Minutes between runs for each update cycle when a source does not set its own interval. */
export const CYCLE_INTERVAL_MINUTES: Record<string, number | null> = {
  realtime: 15,
  daily: 1440,
  weekly: 10080,
  monthly: 43200,
  quarterly: 129600,
  half_yearly: 259200,
  yearly: 525600,
  irregular: null,
};
export interface DbSettings {
  host: string;
  port?: number;
  database: string;
  user: string;
  query: string;
  incrementalColumn?: string;
}
export interface HttpSettings {
  url: string;
  itemsPath?: string;
  pageParam?: string;
  pageSizeParam?: string;
  pageSize?: number;
  firstPage?: number;
  sinceParam?: string;
  incrementalColumn?: string;
  authHeader?: string;
}

export interface PullInput {
  name: string;
  kind: PullKind;
  settings: Record<string, unknown>;
  secret?: string | null;
  mode?: BatchMode;
  intervalMinutes?: number | null;
  active?: boolean;
}

const READ_ONLY = /^\s*(select|with)\b/i;
const COLUMN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function settingsProblems(kind: PullKind, s: Record<string, unknown>): FieldError[] {
  const errs: FieldError[] = [];
  const add = (f: string, zh: string, en: string) => errs.push({ field: `settings.${f}`, message: { zh, en } });
  const str = (k: string, max = 500) =>
    typeof s[k] === 'string' && (s[k] as string).length > 0 && (s[k] as string).length <= max;
  if (kind === 'http') {
    if (!str('url', 2000) || !/^https?:\/\//i.test(String(s.url)))
      add('url', '应为 http(s) 地址', 'must be an http(s) URL');
    for (const k of ['itemsPath', 'pageParam', 'pageSizeParam', 'sinceParam', 'authHeader'])
      if (s[k] !== undefined && !str(k, 100))
        add(k, '应为不超过 100 字的文本', 'must be a text of at most 100 characters');
    for (const k of ['pageSize', 'firstPage'])
      if (s[k] !== undefined && !(Number.isInteger(s[k]) && (s[k] as number) >= 0 && (s[k] as number) <= 100000))
        add(k, '应为 0 到 100000 的整数', 'must be an integer from 0 to 100000');
  } else {
    if (!str('host', 255)) add('host', '必填', 'is required');
    if (!str('database', 100)) add('database', '必填', 'is required');
    if (!str('user', 100)) add('user', '必填', 'is required');
    if (s.port !== undefined && !(Number.isInteger(s.port) && (s.port as number) > 0 && (s.port as number) < 65536))
      add('port', '应为 1 到 65535 的端口号', 'must be a port from 1 to 65535');
    if (!str('query', 10000) || !READ_ONLY.test(String(s.query)))
      add('query', '应为一条 SELECT（或 WITH … SELECT）查询', 'must be one SELECT (or WITH … SELECT) query');
    else if (/;\s*\S/.test(String(s.query))) add('query', '只能是一条查询', 'must be a single statement');
  }
  if (
    s.incrementalColumn !== undefined &&
    !(typeof s.incrementalColumn === 'string' && COLUMN.test(s.incrementalColumn))
  )
    add('incrementalColumn', '应为列名（字母、数字、下划线）', 'must be a column name (letters, digits, _)');
  const known =
    kind === 'http'
      ? [
          'url',
          'itemsPath',
          'pageParam',
          'pageSizeParam',
          'pageSize',
          'firstPage',
          'sinceParam',
          'incrementalColumn',
          'authHeader',
        ]
      : ['host', 'port', 'database', 'user', 'query', 'incrementalColumn'];
  for (const k of Object.keys(s))
    if (!known.includes(k)) add(k, '不是这种数据源的设置项', `is not a setting of a ${kind} source`);
  return errs;
}

/** The host and port (and database) a source connects to, as the outbound guard checks them. */
export function targetOf(
  kind: PullKind,
  s: Record<string, unknown>,
): { host: string; port: number; database?: string } | null {
  if (kind === 'http') {
    try {
      const u = new URL(String(s.url));
      return { host: u.hostname, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)) };
    } catch {
      return null;
    }
  }
  if (typeof s.host !== 'string') return null;
  return {
    host: s.host,
    port: typeof s.port === 'number' ? s.port : kind === 'mysql' ? 3306 : 5432,
    ...(kind === 'postgres' && typeof s.database === 'string' ? { database: s.database } : {}),
  };
}
