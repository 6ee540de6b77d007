// Masking profiles: named sets of per-item rules for a resource (the default profile is derived, not stored).
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE masking_profile (
      id uuid PRIMARY KEY,
      resource_id uuid NOT NULL REFERENCES resource(id),
      name text NOT NULL,
      purpose text NOT NULL CHECK (purpose IN ('grant','release','custom')),
      rules jsonb NOT NULL,
      status text NOT NULL CHECK (status IN ('active','pending_approval')),
      looser_items text[] NOT NULL DEFAULT '{}',
      created_by uuid REFERENCES app_user(id),
      approved_by uuid REFERENCES app_user(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (resource_id, name)
    )`,
  ]);
}
