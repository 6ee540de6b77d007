// Ingest: the per-resource data tables (schema "data"), batches with their rejected rows, pull sources,
// and the one-source comparison's conflicts. Items gain an optional value set (enumeration).
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE SCHEMA IF NOT EXISTS data`,
    // Used only when a version changes a column incompatibly: a value the new type cannot hold becomes NULL.
    `CREATE FUNCTION data.try_cast(v text, typ text, INOUT target anyelement) AS $$
    BEGIN
      EXECUTE format('SELECT %L::%s', v, typ) INTO target;
    EXCEPTION WHEN others THEN
      target := NULL;
    END $$ LANGUAGE plpgsql`,
    `ALTER TABLE resource_item ADD COLUMN value_set text[]`,
    `CREATE TABLE data_table (
      resource_id uuid PRIMARY KEY REFERENCES resource(id),
      table_name text NOT NULL UNIQUE,
      version integer NOT NULL,
      columns jsonb NOT NULL,
      key_columns text[] NOT NULL DEFAULT '{}',
      archived_tables text[] NOT NULL DEFAULT '{}',
      row_count bigint NOT NULL DEFAULT 0,
      last_load_at timestamptz,
      last_batch_id uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      migrated_at timestamptz
    )`,
    `CREATE TABLE ingest_batch (
      id uuid PRIMARY KEY,
      resource_id uuid NOT NULL REFERENCES resource(id),
      org_id uuid NOT NULL REFERENCES organisation(id),
      version integer NOT NULL,
      source text NOT NULL CHECK (source IN ('push','upload','cli','pull')),
      mode text NOT NULL CHECK (mode IN ('upsert','append','replace')),
      status text NOT NULL CHECK (status IN ('running','succeeded','failed')),
      phase text,
      file_name text,
      file_format text,
      encoding text,
      header jsonb,
      operator_user_id uuid REFERENCES app_user(id),
      credential_id uuid REFERENCES api_credential(id),
      actor_name text,
      pull_source_id uuid,
      idempotency_key text,
      checksum text,
      bytes bigint NOT NULL DEFAULT 0,
      total_bytes bigint,
      received integer NOT NULL DEFAULT 0,
      accepted integer NOT NULL DEFAULT 0,
      rejected integer NOT NULL DEFAULT 0,
      warnings jsonb NOT NULL DEFAULT '[]',
      error jsonb,
      owner text,
      heartbeat_at timestamptz,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    )`,
    `CREATE UNIQUE INDEX ingest_batch_idempotency ON ingest_batch (resource_id, idempotency_key) WHERE idempotency_key IS NOT NULL`,
    `CREATE INDEX ingest_batch_resource ON ingest_batch (resource_id, started_at DESC)`,
    `CREATE INDEX ingest_batch_running ON ingest_batch (status) WHERE status = 'running'`,
    `CREATE TABLE ingest_rejected (
      batch_id uuid NOT NULL REFERENCES ingest_batch(id),
      row_no integer NOT NULL,
      raw jsonb NOT NULL,
      errors jsonb NOT NULL,
      PRIMARY KEY (batch_id, row_no)
    )`,
    `CREATE TABLE pull_source (
      id uuid PRIMARY KEY,
      resource_id uuid NOT NULL REFERENCES resource(id),
      name text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('postgres','mysql','http')),
      settings jsonb NOT NULL,
      secret_enc text,
      mode text NOT NULL CHECK (mode IN ('upsert','append','replace')),
      interval_minutes integer,
      active boolean NOT NULL DEFAULT true,
      cursor text,
      next_run_at timestamptz,
      last_run_at timestamptz,
      last_status text,
      last_error jsonb,
      failures integer NOT NULL DEFAULT 0,
      created_by uuid REFERENCES app_user(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (resource_id, name)
    )`,
    `CREATE TABLE source_conflict (
      id bigserial PRIMARY KEY,
      run_id uuid NOT NULL,
      run_at timestamptz NOT NULL DEFAULT now(),
      resource_id uuid NOT NULL REFERENCES resource(id),
      org_id uuid NOT NULL REFERENCES organisation(id),
      item_code text NOT NULL,
      source_resource_id uuid NOT NULL REFERENCES resource(id),
      source_item_code text NOT NULL,
      key_value text NOT NULL,
      value text,
      source_value text
    )`,
    `CREATE INDEX source_conflict_run ON source_conflict (run_id)`,
    `CREATE TABLE source_check_run (
      id uuid PRIMARY KEY,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      pairs integer NOT NULL DEFAULT 0,
      conflicts integer NOT NULL DEFAULT 0,
      actor_name text
    )`,
  ]);
}
