// In-app notifications (the console's bell): what needs a unit's attention — a sharing case waiting for it, a
// case decided, a step overdue, a grant about to expire. Addressed to a unit; each user marks their own as read.
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE notification (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES organisation(id),
      kind text NOT NULL,
      object_type text NOT NULL,
      object_id uuid NOT NULL,
      params jsonb NOT NULL DEFAULT '{}',
      dedup_key text UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX notification_org_created ON notification (org_id, created_at DESC)`,
    `CREATE TABLE notification_read (
      notification_id uuid NOT NULL REFERENCES notification(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES app_user(id),
      read_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (notification_id, user_id)
    )`,
  ]);
}
