// Database sync (库表交换): a grant's data written by the platform into a table of the consumer's own PostgreSQL or
// MySQL database, incrementally from the change feed, on a schedule. The connection's password is sealed with SM4
// (as pull sources'); each run is recorded for both units.
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE share_db_target (
      grant_id uuid PRIMARY KEY REFERENCES share_grant(id),
      kind text NOT NULL CHECK (kind IN ('postgres','mysql')),
      settings jsonb NOT NULL,
      secret_enc text,
      interval_minutes integer NOT NULL,
      cursor jsonb,
      next_run_at timestamptz NOT NULL DEFAULT now(),
      active boolean NOT NULL DEFAULT true,
      updated_by uuid REFERENCES app_user(id),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE share_db_run (
      id uuid PRIMARY KEY,
      grant_id uuid NOT NULL REFERENCES share_grant(id),
      trigger text NOT NULL CHECK (trigger IN ('schedule','manual')),
      status text NOT NULL CHECK (status IN ('running','succeeded','failed')),
      upserts integer NOT NULL DEFAULT 0,
      deletes integer NOT NULL DEFAULT 0,
      error jsonb,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    )`,
    `CREATE INDEX share_db_run_grant_idx ON share_db_run(grant_id, started_at DESC)`,
  ]);
}
