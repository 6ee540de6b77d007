// Writing a grant's changes into the consumer's own table, in PostgreSQL or MySQL/MariaDB, always at the address the
// outbound guard checked. The table is created when missing (the granted items as columns: masked items as text,
// the key as the primary key); each page of changes is one transaction there: upserts by key, deletes by key.
// Re-applying a page is harmless (the platform keeps its cursor after the target has committed).
import pg from 'pg';
import type { DbTargetSettings } from '../../../db/schema.ts';
import { AppError } from '../../../platform/errors.ts';
import { CONNECTION_FAILED, type Target } from '../../../platform/outbound.ts';

export interface TargetColumn {
  code: string;
  dataType: string;
  masked: boolean;
  key: boolean;
}

export type Change = { op: 'upsert' | 'delete'; record: Record<string, unknown> };

export interface TargetWriter {
  ensureTable(columns: TargetColumn[]): Promise<void>;
  apply(columns: TargetColumn[], changes: Change[]): Promise<void>;
  close(): Promise<void>;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export const targetFailed = (zh: string, en: string) => new AppError(502, 'sharing.db_sync_target', zh, en);

/** A failed connection, told the same way whatever the cause (the cause goes to the log). */
function connectFailed(e: unknown): AppError {
  process.stderr.write(`db sync: cannot connect: ${(e as Error)?.message ?? String(e)}\n`);
  return targetFailed(
    `无法连接目标数据库：${CONNECTION_FAILED.zh}`,
    `Cannot connect to the target database: ${CONNECTION_FAILED.en}`,
  );
}

const writeFailed = (e: unknown) =>
  e instanceof AppError
    ? e
    : targetFailed(
        `写入目标数据库失败：${(e as Error).message}`,
        `Writing to the target database failed: ${(e as Error).message}`,
      );

function sqlTypeOf(c: TargetColumn, kind: 'postgres' | 'mysql'): string {
  // a key is text in both (its masked form may be a pseudonym); MySQL keys need a length
  if (c.key) return kind === 'mysql' ? 'VARCHAR(255)' : 'text';
  if (c.masked) return kind === 'mysql' ? 'TEXT' : 'text';
  switch (c.dataType) {
    case 'integer':
      return 'BIGINT';
    case 'decimal':
      return 'DECIMAL(38,10)';
    case 'date':
      return 'DATE';
    case 'datetime':
      return kind === 'mysql' ? 'DATETIME' : 'timestamp';
    case 'boolean':
      return 'BOOLEAN';
    default:
      return kind === 'mysql' ? 'TEXT' : 'text';
  }
}

export async function openTarget(
  kind: 'postgres' | 'mysql',
  s: DbTargetSettings,
  secret: string | null,
  target: Target,
): Promise<TargetWriter> {
  if (!IDENT.test(s.table)) throw targetFailed('目标表名无效', 'The target table name is not valid');
  return kind === 'postgres' ? openPostgres(s, secret, target) : openMysql(s, secret, target);
}

async function openPostgres(s: DbTargetSettings, secret: string | null, target: Target): Promise<TargetWriter> {
  const client = new pg.Client({
    host: target.address,
    port: s.port ?? 5432,
    database: s.database,
    user: s.user,
    password: secret ?? undefined,
    connectionTimeoutMillis: 10_000,
    statement_timeout: 600_000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => {});
    throw connectFailed(e);
  }
  const q = (id: string) => `"${id}"`;
  const table = q(s.table);
  return {
    async ensureTable(columns) {
      const keys = columns.filter((c) => c.key).map((c) => q(c.code));
      const defs = columns.map((c) => `${q(c.code)} ${sqlTypeOf(c, 'postgres')}${c.key ? ' NOT NULL' : ''}`);
      try {
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${table} (${[...defs, `PRIMARY KEY (${keys.join(', ')})`].join(', ')})`,
        );
      } catch (e) {
        throw writeFailed(e);
      }
    },
    async apply(columns, changes) {
      const keys = columns.filter((c) => c.key);
      const others = columns.filter((c) => !c.key);
      try {
        await client.query('BEGIN');
        for (const ch of changes) {
          if (ch.op === 'delete') {
            await client.query(
              `DELETE FROM ${table} WHERE ${keys.map((k, i) => `${q(k.code)} = $${i + 1}`).join(' AND ')}`,
              keys.map((k) => ch.record[k.code]),
            );
            continue;
          }
          const cols = columns.map((c) => q(c.code));
          const set = others.length
            ? `DO UPDATE SET ${others.map((c) => `${q(c.code)} = EXCLUDED.${q(c.code)}`).join(', ')}`
            : 'DO NOTHING';
          await client.query(
            `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})
             ON CONFLICT (${keys.map((k) => q(k.code)).join(', ')}) ${set}`,
            columns.map((c) => ch.record[c.code] ?? null),
          );
        }
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw writeFailed(e);
      }
    },
    close: () => client.end().catch(() => {}),
  };
}

async function openMysql(s: DbTargetSettings, secret: string | null, target: Target): Promise<TargetWriter> {
  const { default: mysql } = await import('mysql2');
  const conn = mysql.createConnection({
    host: target.address,
    port: s.port ?? 3306,
    database: s.database,
    user: s.user,
    password: secret ?? undefined,
    connectTimeout: 10_000,
    dateStrings: true,
    charset: 'utf8mb4',
  });
  conn.on('error', () => {});
  const p = conn.promise();
  try {
    await p.connect();
  } catch (e) {
    conn.destroy();
    throw connectFailed(e);
  }
  const q = (id: string) => `\`${id}\``;
  const table = q(s.table);
  return {
    async ensureTable(columns) {
      const keys = columns.filter((c) => c.key).map((c) => q(c.code));
      const defs = columns.map((c) => `${q(c.code)} ${sqlTypeOf(c, 'mysql')}${c.key ? ' NOT NULL' : ''}`);
      try {
        await p.query(
          `CREATE TABLE IF NOT EXISTS ${table} (${[...defs, `PRIMARY KEY (${keys.join(', ')})`].join(', ')}) DEFAULT CHARSET=utf8mb4`,
        );
      } catch (e) {
        throw writeFailed(e);
      }
    },
    async apply(columns, changes) {
      const keys = columns.filter((c) => c.key);
      const others = columns.filter((c) => !c.key);
      try {
        await p.query('START TRANSACTION');
        for (const ch of changes) {
          if (ch.op === 'delete') {
            await p.execute(
              `DELETE FROM ${table} WHERE ${keys.map((k) => `${q(k.code)} = ?`).join(' AND ')}`,
              keys.map((k) => ch.record[k.code] ?? null) as never,
            );
            continue;
          }
          const cols = columns.map((c) => q(c.code));
          const set = others.length
            ? `ON DUPLICATE KEY UPDATE ${others.map((c) => `${q(c.code)} = VALUES(${q(c.code)})`).join(', ')}`
            : '';
          await p.execute(
            `INSERT ${others.length ? '' : 'IGNORE '}INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) ${set}`,
            columns.map((c) => ch.record[c.code] ?? null) as never,
          );
        }
        await p.query('COMMIT');
      } catch (e) {
        await p.query('ROLLBACK').catch(() => {});
        throw writeFailed(e);
      }
    },
    close: () => p.end().catch(() => conn.destroy()),
  };
}
