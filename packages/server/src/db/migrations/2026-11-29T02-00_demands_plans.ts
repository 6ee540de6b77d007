// Demand list (§11-12) with topic-library projects, and information-system plans (§7).
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE topic_project (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('topic','special')),
      description text,
      lead_org_id uuid NOT NULL REFERENCES organisation(id),
      member_org_ids uuid[] NOT NULL DEFAULT '{}',
      target_resource_ids uuid[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE demand (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES organisation(id),
      title text NOT NULL,
      data_needed text NOT NULL,
      purpose text NOT NULL,
      legal_basis text NOT NULL,
      holder_org_id uuid REFERENCES organisation(id),
      status text NOT NULL CHECK (status IN ('submitted','matched','topic_approved','rejected')),
      review_comment text,
      matched_resource_ids uuid[] NOT NULL DEFAULT '{}',
      project_id uuid REFERENCES topic_project(id),
      reviewed_by uuid REFERENCES app_user(id),
      reviewed_at timestamptz,
      created_by uuid REFERENCES app_user(id),
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX demand_org_idx ON demand(org_id)`,
    `CREATE TABLE system_plan (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES organisation(id),
      name text NOT NULL,
      purpose text NOT NULL,
      collects text[] NOT NULL DEFAULT '{}',
      needs text NOT NULL DEFAULT '',
      status text NOT NULL CHECK (status IN ('submitted','approved','returned')),
      review_comment text,
      reviewed_by uuid REFERENCES app_user(id),
      reviewed_at timestamptz,
      created_by uuid REFERENCES app_user(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX system_plan_org_idx ON system_plan(org_id)`,
  ]);
}
