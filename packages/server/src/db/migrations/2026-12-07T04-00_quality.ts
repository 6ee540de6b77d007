// Quality governance (§18-21): rules per resource run as set-based SQL with every run kept, daily scores per
// resource and dimension, and the problem-data tickets of the closed loop (发现-反馈-修正-校验) with their timeline.
// The format checks a validity rule applies to resident IDs (GB 11643) and credit codes (GB 32100) are SQL
// functions, so a rule is one statement inside the database; `quality_sample` keeps the first keys that fail.
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.ts';

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';

export async function up(db: Kysely<unknown>): Promise<void> {
  const idSum = ID_WEIGHTS.map((w, i) => `substr(v, ${i + 1}, 1)::int * ${w}`).join(' + ');
  const usccSum = USCC_WEIGHTS.map((w, i) => `(strpos('${USCC_CHARS}', substr(v, ${i + 1}, 1)) - 1) * ${w}`).join(
    ' + ',
  );
  await runStatements(db, [
    // CASE keeps the order: the arithmetic only sees text that passed the pattern
    `CREATE FUNCTION quality_resident_id_ok(v text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT CASE
        WHEN v IS NULL THEN NULL
        WHEN length(v) = 18 AND v ~ '^[0-9]{17}[0-9Xx]$' AND substr(v, 11, 2) BETWEEN '01' AND '12'
          AND substr(v, 13, 2) BETWEEN '01' AND '31' AND substr(v, 7, 4) >= '1900' THEN
          substr('10X98765432', ((${idSum}) % 11) + 1, 1) = upper(substr(v, 18, 1))
          AND (make_date(substr(v, 7, 4)::int, substr(v, 11, 2)::int, 1) + interval '1 month' - interval '1 day')::date
            >= make_date(substr(v, 7, 4)::int, substr(v, 11, 2)::int, 1) + (substr(v, 13, 2)::int - 1)
        WHEN length(v) = 15 AND v ~ '^[0-9]{15}$' AND substr(v, 9, 2) BETWEEN '01' AND '12'
          AND substr(v, 11, 2) BETWEEN '01' AND '31' THEN
          (make_date(1900 + substr(v, 7, 2)::int, substr(v, 9, 2)::int, 1) + interval '1 month' - interval '1 day')::date
            >= make_date(1900 + substr(v, 7, 2)::int, substr(v, 9, 2)::int, 1) + (substr(v, 11, 2)::int - 1)
        ELSE false END
    $$`,
    `CREATE FUNCTION quality_uscc_ok(v text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT CASE
        WHEN v IS NULL THEN NULL
        WHEN length(v) = 18 AND upper(v) ~ '^[0-9A-HJ-NPQRTUWXY]{18}$' THEN
          (SELECT substr('${USCC_CHARS}', ((31 - ((${usccSum}) % 31)) % 31) + 1, 1) = substr(v, 18, 1)
             FROM (SELECT upper(v) AS v) u)
        ELSE false END
    $$`,
    // the first 20 failing keys of a rule, collected in the same scan that counts them
    `CREATE FUNCTION quality_sample_step(state text[], v text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT CASE WHEN cardinality(state) >= 20 THEN state ELSE state || v END
    $$`,
    `CREATE FUNCTION quality_sample_merge(a text[], b text[]) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT (a || b)[1:20]
    $$`,
    `CREATE AGGREGATE quality_sample(text) (
      SFUNC = quality_sample_step, STYPE = text[], INITCOND = '{}',
      COMBINEFUNC = quality_sample_merge, PARALLEL = SAFE
    )`,
    `CREATE TABLE quality_rule (
      id uuid PRIMARY KEY,
      resource_id uuid NOT NULL REFERENCES resource(id),
      org_id uuid NOT NULL REFERENCES organisation(id),
      scope text NOT NULL CHECK (scope IN ('district','unit')),
      kind text NOT NULL CHECK (kind IN ('completeness','validity','uniqueness','consistency','timeliness',
        'single_source')),
      name text NOT NULL,
      items text[] NOT NULL DEFAULT '{}',
      params jsonb NOT NULL DEFAULT '{}',
      active boolean NOT NULL DEFAULT true,
      suggested boolean NOT NULL DEFAULT false,
      created_by uuid REFERENCES app_user(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX quality_rule_resource_idx ON quality_rule(resource_id)`,
    `CREATE INDEX quality_rule_org_idx ON quality_rule(org_id)`,
    `CREATE TABLE quality_run (
      id uuid PRIMARY KEY,
      rule_id uuid NOT NULL REFERENCES quality_rule(id),
      resource_id uuid NOT NULL REFERENCES resource(id),
      org_id uuid NOT NULL REFERENCES organisation(id),
      kind text NOT NULL,
      trigger text NOT NULL CHECK (trigger IN ('batch','schedule','manual','verify')),
      batch_id uuid,
      outcome text NOT NULL CHECK (outcome IN ('passed','failed','not_run')),
      checked bigint NOT NULL DEFAULT 0,
      failing bigint NOT NULL DEFAULT 0,
      score numeric(5,2),
      sample text[] NOT NULL DEFAULT '{}',
      reason jsonb,
      duration_ms integer NOT NULL DEFAULT 0,
      actor_name text,
      started_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX quality_run_rule_idx ON quality_run(rule_id, started_at DESC)`,
    `CREATE INDEX quality_run_resource_idx ON quality_run(resource_id, started_at DESC)`,
    `CREATE TABLE quality_score (
      day date NOT NULL,
      resource_id uuid NOT NULL REFERENCES resource(id),
      org_id uuid NOT NULL REFERENCES organisation(id),
      dimension text NOT NULL CHECK (dimension IN ('completeness','validity','uniqueness','consistency',
        'timeliness','overall')),
      score numeric(5,2) NOT NULL,
      policy_version integer NOT NULL,
      PRIMARY KEY (resource_id, day, dimension)
    )`,
    `CREATE INDEX quality_score_org_idx ON quality_score(org_id, day)`,
    `CREATE SEQUENCE quality_ticket_no`,
    `CREATE TABLE quality_ticket (
      id uuid PRIMARY KEY,
      no text NOT NULL UNIQUE,
      resource_id uuid NOT NULL REFERENCES resource(id),
      owner_org_id uuid NOT NULL REFERENCES organisation(id),
      reporter_org_id uuid REFERENCES organisation(id),
      reporter_user_id uuid REFERENCES app_user(id),
      source text NOT NULL CHECK (source IN ('consumer','center','rule','api')),
      rule_id uuid REFERENCES quality_rule(id),
      verify_rule_id uuid REFERENCES quality_rule(id),
      category text NOT NULL CHECK (category IN ('wrong','missing','outdated','duplicate','trade_secret',
        'privacy')),
      description text NOT NULL,
      keys text[] NOT NULL DEFAULT '{}',
      items text[] NOT NULL DEFAULT '{}',
      status text NOT NULL CHECK (status IN ('triage','assigned','extension_requested','verifying','closed',
        'rejected','merged')),
      due_date date,
      received_on date,
      extension_days integer NOT NULL DEFAULT 0,
      extension_request jsonb,
      urgent boolean NOT NULL DEFAULT false,
      urgent_due date,
      fix jsonb,
      merged_into uuid REFERENCES quality_ticket(id),
      policy_version integer NOT NULL,
      reminded_due date,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      closed_at timestamptz
    )`,
    // one open ticket per failing rule (automatic reports are not repeated)
    `CREATE UNIQUE INDEX quality_ticket_open_rule ON quality_ticket(rule_id)
      WHERE rule_id IS NOT NULL AND status NOT IN ('closed','rejected','merged')`,
    `CREATE INDEX quality_ticket_owner_idx ON quality_ticket(owner_org_id, status)`,
    `CREATE INDEX quality_ticket_reporter_idx ON quality_ticket(reporter_org_id, status)`,
    `CREATE INDEX quality_ticket_status_idx ON quality_ticket(status)`,
    `CREATE TABLE quality_ticket_event (
      id bigserial PRIMARY KEY,
      ticket_id uuid NOT NULL REFERENCES quality_ticket(id),
      at timestamptz NOT NULL DEFAULT now(),
      actor_user_id uuid REFERENCES app_user(id),
      actor_name text,
      org_id uuid REFERENCES organisation(id),
      action text NOT NULL,
      from_status text,
      to_status text,
      comment text,
      due_date date
    )`,
    `CREATE INDEX quality_ticket_event_ticket_idx ON quality_ticket_event(ticket_id, id)`,
  ]);
}
