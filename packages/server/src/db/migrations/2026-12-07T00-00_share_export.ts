// File exports of a grant (CSV or XLSX): who took which rows when, and how the file was written, so a leaked file
// can be traced back to its export (ADR 0011). The fingerprint's key is derived from the platform key and the
// export's id: nothing secret is stored here.
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE share_export (
      id uuid PRIMARY KEY,
      grant_id uuid NOT NULL REFERENCES share_grant(id),
      resource_id uuid NOT NULL REFERENCES resource(id),
      consumer_org_id uuid NOT NULL REFERENCES organisation(id),
      credential_id uuid,
      system_name text,
      user_id uuid REFERENCES app_user(id),
      format text NOT NULL CHECK (format IN ('csv','xlsx')),
      encoding text NOT NULL CHECK (encoding IN ('utf-8','gb18030')),
      columns jsonb NOT NULL,
      row_filter text,
      status text NOT NULL CHECK (status IN ('writing','done','failed')),
      rows bigint NOT NULL DEFAULT 0,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    )`,
    `CREATE INDEX share_export_grant_idx ON share_export(grant_id, started_at DESC)`,
    `CREATE INDEX share_export_resource_idx ON share_export(resource_id)`,
  ]);
}
