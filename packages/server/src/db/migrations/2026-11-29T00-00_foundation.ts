// Foundation: organisations, users, sessions, credentials, audit chain, calendar overrides, policy versions.
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE organisation (
          id uuid PRIMARY KEY,
          code text NOT NULL UNIQUE,
          name text NOT NULL UNIQUE,
          kind text NOT NULL CHECK (kind IN ('center','cac','town_street','bureau','institution','vertical')),
          uscc text UNIQUE,
          parent_id uuid REFERENCES organisation(id),
          contact_name text,
          contact_phone text,
          contact_email text,
          active boolean NOT NULL DEFAULT true,
          is_demo boolean NOT NULL DEFAULT false,
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now()
        )`,
    `CREATE TABLE app_user (
          id uuid PRIMARY KEY,
          org_id uuid NOT NULL REFERENCES organisation(id),
          username text NOT NULL UNIQUE,
          display_name text NOT NULL,
          email text,
          phone text,
          roles text[] NOT NULL DEFAULT '{}',
          password_hash text NOT NULL,
          must_change_password boolean NOT NULL DEFAULT false,
          totp_secret_sealed text,
          totp_enabled boolean NOT NULL DEFAULT false,
          totp_last_counter bigint,
          failed_logins integer NOT NULL DEFAULT 0,
          locked_until timestamptz,
          active boolean NOT NULL DEFAULT true,
          is_demo boolean NOT NULL DEFAULT false,
          last_login_at timestamptz,
          password_changed_at timestamptz NOT NULL DEFAULT now(),
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now()
        )`,
    `CREATE INDEX app_user_org_idx ON app_user(org_id)`,
    `CREATE TABLE session (
          id text PRIMARY KEY,
          user_id uuid NOT NULL REFERENCES app_user(id),
          csrf_token text NOT NULL,
          mfa_state text NOT NULL CHECK (mfa_state IN ('complete','totp_pending','enrol_required')),
          created_at timestamptz NOT NULL,
          last_seen_at timestamptz NOT NULL,
          expires_at timestamptz NOT NULL,
          revoked_at timestamptz,
          client_ip text,
          user_agent text
        )`,
    `CREATE INDEX session_user_idx ON session(user_id)`,
    `CREATE TABLE api_credential (
          id uuid PRIMARY KEY,
          key_id text NOT NULL UNIQUE,
          secret_hash text NOT NULL,
          org_id uuid NOT NULL REFERENCES organisation(id),
          system_name text NOT NULL,
          description text,
          created_by uuid REFERENCES app_user(id),
          created_at timestamptz NOT NULL DEFAULT now(),
          expires_at timestamptz,
          revoked_at timestamptz,
          revoked_by uuid REFERENCES app_user(id),
          last_used_at timestamptz,
          last_used_ip text
        )`,
    `CREATE TABLE audit_record (
          seq bigint PRIMARY KEY,
          occurred_at timestamptz NOT NULL,
          actor_user_id uuid,
          actor_name text,
          org_id uuid,
          credential_id uuid,
          action text NOT NULL,
          object_type text,
          object_id text,
          outcome text NOT NULL CHECK (outcome IN ('success','denied','failure')),
          client_ip text,
          request_id text,
          diff jsonb,
          prev_hash text NOT NULL,
          hash text NOT NULL
        )`,
    `CREATE INDEX audit_record_time_idx ON audit_record(occurred_at)`,
    `CREATE INDEX audit_record_actor_idx ON audit_record(actor_user_id)`,
    `CREATE INDEX audit_record_org_idx ON audit_record(org_id)`,
    `CREATE INDEX audit_record_object_idx ON audit_record(object_type, object_id)`,
    `CREATE FUNCTION audit_record_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'audit records are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$`,
    `CREATE TRIGGER audit_record_no_update BEFORE UPDATE OR DELETE ON audit_record
          FOR EACH ROW EXECUTE FUNCTION audit_record_immutable()`,
    `CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON audit_record
          FOR EACH STATEMENT EXECUTE FUNCTION audit_record_immutable()`,
    `CREATE TABLE calendar_override (
          day date PRIMARY KEY,
          kind text NOT NULL CHECK (kind IN ('workday','restday')),
          note text NOT NULL,
          created_by uuid REFERENCES app_user(id),
          created_at timestamptz NOT NULL DEFAULT now()
        )`,
    `CREATE TABLE policy_version (
          version integer PRIMARY KEY,
          params jsonb NOT NULL,
          note text NOT NULL,
          created_by uuid REFERENCES app_user(id),
          created_at timestamptz NOT NULL DEFAULT now()
        )`,
    `CREATE TABLE gongshu_meta (
          key text PRIMARY KEY,
          value text NOT NULL
        )`,
  ]);
}
