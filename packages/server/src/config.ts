// The one place configuration is read. Everything else receives a Config object.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';

export type DemoMode = 'auto' | 'on' | 'off';

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** PostgreSQL URL; undefined means the embedded PGlite database in dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** HMAC key (hex, 32 bytes) for session tokens and credential secrets; undefined = generate into dataDir. */
  sessionSecret: string | undefined;
  /** SM4 key (hex, 16 bytes) for secrets at rest; undefined = generate into dataDir. */
  sm4Key: string | undefined;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  loginMaxFailures: number;
  loginLockMinutes: number;
  trustProxy: boolean;
  demo: DemoMode;
  logLevel: string;
  webDist: string | undefined;
  /** Scheduled pulls may reach this machine's own addresses (off: a unit could otherwise read the platform's own database). */
  pullAllowLoopback: boolean;
  /** Seconds an idle job worker waits before asking the queue again. */
  jobPollSeconds: number;
  /** Seconds between a node's checks of whether a schedule is due. */
  jobCronCheckSeconds: number;
  /** When due pull sources are looked for (cron, Asia/Shanghai). */
  pullCheckCron: string;
  /** When the one-source comparison runs (cron, Asia/Shanghai). */
  oneSourceCron: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Every setting: env var name, config-file key, default, parser. Documented in README's table. */
const settings = {
  env: { env: 'GONGSHU_ENV', key: 'env', def: 'development', parse: oneOf(['development', 'production', 'test']) },
  port: { env: 'PORT', key: 'port', def: '8080', parse: int(0, 65535) },
  host: { env: 'HOST', key: 'host', def: 'localhost', parse: nonEmpty },
  databaseUrl: { env: 'DATABASE_URL', key: 'databaseUrl', def: undefined, parse: pgUrl },
  dataDir: { env: 'GONGSHU_DATA_DIR', key: 'dataDir', def: './data', parse: nonEmpty },
  sessionSecret: { env: 'GONGSHU_SESSION_SECRET', key: 'sessionSecret', def: undefined, parse: hexKey(32) },
  sm4Key: { env: 'GONGSHU_SM4_KEY', key: 'sm4Key', def: undefined, parse: hexKey(16) },
  sessionIdleMinutes: {
    env: 'GONGSHU_SESSION_IDLE_MINUTES',
    key: 'sessionIdleMinutes',
    def: '30',
    parse: int(1, 24 * 60),
  },
  sessionAbsoluteHours: {
    env: 'GONGSHU_SESSION_ABSOLUTE_HOURS',
    key: 'sessionAbsoluteHours',
    def: '12',
    parse: int(1, 24 * 7),
  },
  loginMaxFailures: { env: 'GONGSHU_LOGIN_MAX_FAILURES', key: 'loginMaxFailures', def: '5', parse: int(1, 100) },
  loginLockMinutes: { env: 'GONGSHU_LOGIN_LOCK_MINUTES', key: 'loginLockMinutes', def: '15', parse: int(1, 24 * 60) },
  trustProxy: { env: 'GONGSHU_TRUST_PROXY', key: 'trustProxy', def: 'false', parse: bool },
  demo: { env: 'GONGSHU_DEMO', key: 'demo', def: 'auto', parse: oneOf(['auto', 'on', 'off']) },
  logLevel: {
    env: 'LOG_LEVEL',
    key: 'logLevel',
    def: 'info',
    parse: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  },
  webDist: { env: 'GONGSHU_WEB_DIST', key: 'webDist', def: undefined, parse: nonEmpty },
  pullAllowLoopback: { env: 'GONGSHU_PULL_ALLOW_LOOPBACK', key: 'pullAllowLoopback', def: 'false', parse: bool },
  jobPollSeconds: { env: 'GONGSHU_JOB_POLL_SECONDS', key: 'jobPollSeconds', def: '2', parse: int(1, 60) },
  jobCronCheckSeconds: {
    env: 'GONGSHU_JOB_CRON_CHECK_SECONDS',
    key: 'jobCronCheckSeconds',
    def: '30',
    parse: int(1, 60),
  },
  pullCheckCron: { env: 'GONGSHU_PULL_CHECK_CRON', key: 'pullCheckCron', def: '* * * * *', parse: cron },
  oneSourceCron: { env: 'GONGSHU_ONE_SOURCE_CRON', key: 'oneSourceCron', def: '0 2 * * *', parse: cron },
} as const;

type Parser = (v: string, name: string) => unknown;

/**
 * Reads env vars (and GONGSHU_CONFIG, a JSON file whose keys are the camelCase names above;
 * env vars win). Secrets may also be given as *_FILE env vars pointing at a file.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<Config> = {},
): Config {
  let file: Record<string, unknown> = {};
  const cfgPath = env.GONGSHU_CONFIG;
  if (cfgPath) {
    if (!existsSync(cfgPath)) throw new ConfigError(`GONGSHU_CONFIG: file not found: ${cfgPath}`);
    try {
      file = JSON.parse(readFileSync(cfgPath, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new ConfigError(`GONGSHU_CONFIG: ${cfgPath} is not valid JSON (${(e as Error).message})`);
    }
    const known = new Set(Object.values(settings).map((s) => s.key as string));
    for (const k of Object.keys(file))
      if (!known.has(k)) throw new ConfigError(`GONGSHU_CONFIG: unknown setting "${k}"`);
  }
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(settings)) {
    let raw: string | undefined = env[s.env];
    const fileVar = env[`${s.env}_FILE`];
    if (raw === undefined && fileVar !== undefined && (name === 'sessionSecret' || name === 'sm4Key')) {
      if (!existsSync(fileVar)) throw new ConfigError(`${s.env}_FILE: file not found: ${fileVar}`);
      raw = readFileSync(fileVar, 'utf8').trim();
    }
    if (raw === undefined && file[s.key] !== undefined) raw = String(file[s.key]);
    if (raw === '') raw = undefined;
    if (raw === undefined) raw = s.def;
    out[name] = raw === undefined ? undefined : (s.parse as Parser)(raw, s.env);
  }
  const cfg = { ...(out as unknown as Config), ...overrides };
  cfg.dataDir = path.resolve(cfg.dataDir);
  if (cfg.env === 'production' && (!cfg.sessionSecret || !cfg.sm4Key)) {
    throw new ConfigError(
      'production mode needs GONGSHU_SESSION_SECRET (64 hex chars) and GONGSHU_SM4_KEY (32 hex chars), ' +
        'given as env vars, *_FILE env vars or in the GONGSHU_CONFIG file; refusing to start',
    );
  }
  return cfg;
}

function nonEmpty(v: string, name: string) {
  if (!v.trim()) throw new ConfigError(`${name} must not be empty`);
  return v;
}
function int(min: number, max: number): Parser {
  return (v, name) => {
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
      throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${v}"`);
    return Number(v);
  };
}
function oneOf(values: string[]): Parser {
  return (v, name) => {
    if (!values.includes(v)) throw new ConfigError(`${name} must be one of ${values.join(', ')}, got "${v}"`);
    return v;
  };
}
function bool(v: string, name: string) {
  if (['1', 'true', 'yes', 'on'].includes(v.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(v.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false, got "${v}"`);
}
function hexKey(bytes: number): Parser {
  return (v, name) => {
    if (!new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(v))
      throw new ConfigError(`${name} must be ${bytes * 2} hex characters (${bytes} bytes)`);
    return v.toLowerCase();
  };
}
function pgUrl(v: string, name: string) {
  if (!/^postgres(ql)?:\/\//.test(v)) throw new ConfigError(`${name} must be a postgres:// URL`);
  return v;
}
/** Five cron fields (minute hour day-of-month month day-of-week), each of digits and `* , - /`. */
function cron(v: string, name: string) {
  const fields = v.trim().split(/\s+/);
  if (fields.length !== 5 || fields.some((f) => !/^[\d*,\-/]+$/.test(f)))
    throw new ConfigError(
      `${name} must be a cron expression of five fields (minute hour day month weekday), e.g. "0 2 * * *", got "${v}"`,
    );
  return fields.join(' ');
}
